"""Words a public reply must not contain: conditions, medicines, procedures (Russian lemmas and English
words), words that confirm a visit, and calendar words. Used by `reply_check`; written for this project.

Russian entries are pymorphy3 normal forms (ё as е), matched against every lemma of a reply's word;
English entries are lowercase words matched whole (a trailing "s" is dropped before lookup).
Abbreviations are matched as written, in capitals ("ОРВИ", "МРТ", "HIV").
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


RU_MEDICAL = _words(
    # conditions and symptoms a reply could name
    "гастрит язва колит панкреатит холецистит гепатит цирроз диабет гипертония гипотония аритмия тахикардия "
    "инфаркт инсульт стенокардия ишемия атеросклероз тромбоз варикоз геморрой простатит цистит пиелонефрит "
    "нефрит уретрит вагинит кандидоз молочница эрозия миома эндометриоз мастопатия киста полип бесплодие "
    "беременность выкидыш аборт климакс грипп простуда ангина тонзиллит фарингит ларингит ринит гайморит "
    "синусит отит бронхит пневмония воспаление астма туберкулез аллергия дерматит экзема псориаз акне "
    "лишай грибок микоз чесотка герпес папиллома бородавка онкология рак опухоль метастаз лейкоз лимфома "
    "меланома саркома остеохондроз артрит артроз подагра грыжа сколиоз перелом вывих растяжение ушиб "
    "мигрень эпилепсия деменция депрессия невроз шизофрения аутизм инфекция вирус ковид "
    "коронавирус сифилис гонорея хламидиоз трихомониаз кариес пульпит периодонтит пародонтит гингивит "
    "стоматит флюс катаракта глаукома конъюнктивит близорукость дальнозоркость анемия гипотиреоз "
    "гипертиреоз зоб ожирение отравление дисбактериоз энурез аденоид",
)
RU_MEDICAL_DRUGS = _words(
    "антибиотик амоксициллин азитромицин цефтриаксон ибупрофен парацетамол нурофен аспирин анальгин "
    "но-шпа дротаверин омепразол метформин инсулин эналаприл лизиноприл бисопролол амлодипин варфарин "
    "преднизолон дексаметазон гормон антидепрессант транквилизатор снотворное вакцина прививка укол "
    "капельница инъекция",
)
RU_PROCEDURES = _words(
    "операция гастроскопия колоноскопия эндоскопия биопсия пункция маммография флюорография рентген "
    "томография кардиограмма электрокардиограмма узи мрт кт экг ээг эко кесарево удаление пломба "
    "имплант имплантация протезирование вскрытие наркоз анестезия химиотерапия "
    "облучение диализ переливание мазок соскоб",
)
RU_TERMS = RU_MEDICAL | RU_MEDICAL_DRUGS | RU_PROCEDURES
#: Written in capitals, matched as written.
ABBREVIATIONS = _words(
    "ОРВИ ОРЗ ВИЧ СПИД ЭКГ ЭЭГ МРТ КТ УЗИ ЭКО ДЦП ВСД ИБС ЖКБ ГЭРБ ХОБЛ ОНМК ЗППП ПЦР ФГДС ФГС "
    "HIV AIDS COVID ECG EKG MRI CT IVF COPD ADHD STD STI UTI IBS GERD PCR",
)
EN_TERMS = _words(
    "gastritis ulcer colitis pancreatitis hepatitis cirrhosis diabetes diabetic hypertension arrhythmia "
    "infarction stroke angina thrombosis hemorrhoid haemorrhoid prostatitis cystitis infection pregnancy "
    "pregnant miscarriage abortion menopause flu influenza tonsillitis pharyngitis sinusitis otitis "
    "bronchitis pneumonia asthma tuberculosis allergy dermatitis eczema psoriasis acne herpes wart cancer "
    "tumor tumour oncology metastasis leukemia lymphoma melanoma arthritis arthrosis gout hernia scoliosis "
    "fracture sprain migraine epilepsy dementia depression schizophrenia autism virus covid "
    "coronavirus syphilis gonorrhea chlamydia caries cataract glaucoma conjunctivitis anemia "
    "anaemia hypothyroidism obesity poisoning diagnosis diagnosed prescription antibiotic amoxicillin "
    "ibuprofen paracetamol acetaminophen aspirin insulin metformin prednisone steroid antidepressant "
    "vaccine vaccination injection colonoscopy endoscopy gastroscopy biopsy "
    "mammogram x-ray xray ultrasound anesthesia anaesthesia chemotherapy radiotherapy dialysis "
    "implant smear",
)
EN_PHRASES = (
    "blood test",
    "blood pressure",
    "test results",
    "root canal",
    "high cholesterol",
    "heart attack",
    "kidney stone",
)

RU_MONTHS = (
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря "
    "январе феврале марте апреле мае июне июле августе сентябре октябре ноябре декабре"
)
EN_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
RU_WEEKDAYS = (
    "понедельник вторник среду среда четверг пятницу пятница субботу суббота воскресенье "
    "понедельника вторника среды четверга пятницы субботы воскресенья"
)
EN_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday"
RU_RELATIVE_DAYS = "вчера позавчера"
EN_RELATIVE_DAYS = "yesterday"

#: Phrases that confirm the author was a patient (regex fragments, case-insensitive). A phrase
#: preceded by a condition ("если", "if") does not confirm anything.
RU_VISIT = (
    r"вы\s+(?:были|побывали|приходили|обращались|посещали|посетили|лечились|наблюдаетесь|проходили)",
    r"ваш(?:его|ему|им|ем)?\s+(?:визит|прием|посещени|обследовани|лечени|диагноз|анализ|карт|запис)\w*",
    r"ваш(?:а|ей|у|ей)\s+(?:карт|запис|процедур|операци|медкарт|беременност|болезн)\w*",
    r"ваш(?:и|их|им|ими)\s+(?:анализ|снимк|результат|обследовани|процедур)\w*",
    (r"(?:вас|вам)\s+(?:принимал|принимала|лечил|лечила|осматривал|осматривала|назначил|назначила|"
     r"назначили|поставили|провели|сделали)\w*"),
    r"ваш(?:его|ему|им|ем)?\s+лечащ\w*",
    r"во\s+время\s+ваше\w*",
    r"(?:на|после)\s+приеме?\s+у\s+\w+",
)
EN_VISIT = (
    (r"your\s+(?:appointment|visit|stay|treatment|procedure|surgery|diagnosis|test\s+results|results|"
     r"records|medical\s+record|chart|consultation|examination|exam|scan|prescription|doctor|dentist|"
     r"therapist|condition)"),
    r"you\s+(?:visited|came\s+in|were\s+seen|were\s+treated|were\s+examined|saw\s+dr|had\s+your)",
    r"when\s+you\s+(?:came|visited|were\s+here)",
    r"(?:we|dr\.?\s+\w+)\s+(?:treated|examined|saw)\s+you",
)
CONDITIONALS = ("если", "в случае", "if ", "should you", "in case")
#: Capitalised English words that are no name (a reply's and a review's sentences start with them).
EN_COMMON_CAPS = _words(
    "I I'm I've I'll We We're We'll Our Us You Your Thank Thanks Dear Hello Hi Please Sincerely Regards Best "
    "Kind The This That It If When What Where Why How And But Or So Clinic Team Management Manager Monday "
    "Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August "
    "September October November December Dr Mr Mrs Ms Google Yandex Maps Reviews Patient Customer Reviewer "
    "Sir Madam Friend Friends All Everyone Again Very So For"
)
