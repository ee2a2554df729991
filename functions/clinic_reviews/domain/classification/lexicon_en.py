"""English cues for clinic reviews: base words and phrases, stemmed like the text when loaded.

Written for this project from the domain notes; tuned on tests/data/classification_dev.jsonl.
"""

from __future__ import annotations

from clinic_reviews.domain.classification.lexicon import (
    ALL_ANCHORS,
    ASK,
    CARE,
    CONCESSION,
    CONTRAST,
    DURATION,
    GREETING,
    INTENSIFIER,
    IRONY,
    LATE,
    LEGAL,
    LINK,
    NEGATOR,
    PLACE,
    POST_NEGATOR,
    REMEDY,
    SIMPLE,
    STAFF,
    SUGGESTION,
    SUMMARY,
    SYMPTOM,
    THANKS,
    WISH,
    Cue,
)

ANY = ALL_ANCHORS
DIAG = frozenset({"diagnostics"})
SPEEDY = frozenset({"diagnostics", "front_desk", "scheduling"})
SKILL = frozenset({"doctor", "front_desk", "diagnostics"})


def _good(v: float, neg: float | None = None) -> Cue:
    return Cue(v, None, ANY, neg=neg)


def _bad(v: float) -> Cue:
    return Cue(v, None, ANY)


def _manner(v: float, default: str = "front_desk", neg: float | None = None) -> Cue:
    return Cue(v, default, STAFF, tag=SIMPLE if v < 0 else "", neg=neg, neg_tag=SIMPLE)


def _anchor(topic: str) -> Cue:
    return Cue(anchor=topic)


ENTRIES: list[tuple[str, Cue]] = [
    # --- praise and blame ----------------------------------------------------------------------------
    (("excellent, outstanding, amazing, fantastic, wonderful, superb, perfect, perfectly, brilliant, "
     "exceptional, awesome, best, incredible, terrific, phenomenal, first class, top notch, top-notch, "
     "second to none, above and beyond, five star, 5 star, the best, love, loved, lovely, impeccable"),
     _good(0.8)),
    (("great, good, nice, pleasant, happy, glad, satisfied, pleased, impressed, enjoy, "
     "thumbs up, worth it, worth the wait, like, liked, smooth, smoothly, fine job, positive, "
     "pleasantly surprised, a pleasure, exceeded"), _good(0.55, -0.6)),
    ("fine, ok, okay, decent, alright, acceptable, solid, not too bad", _good(0.15)),
    ("meh, average", _bad(-0.1)),
    ("great job, good job, nice job, well done", Cue(0.55, None, ANY, mark=THANKS)),
    ("look forward, felt heard, feel heard", _good(0.55)),
    ("recommend, recommended, recommendation", _good(0.8, -0.9)),
    ("come back, go back, return, will be back", Cue(0.4, None, ANY, neg=-0.7)),
    ("thank, thanks, thank you, thankful, grateful, gratitude, appreciate, appreciated, kudos, shout out",
     Cue(0.65, None, ANY, mark=THANKS)),
    (("thanks in advance, thank you in advance, thanks for the reply, hello, hi, good morning, "
     "good afternoon"), Cue()),
    ("thanks for nothing, thank you for nothing, yeah right, great job not, what a joke",
     Cue(-0.75, None, ANY, mark=IRONY)),
    (("terrible, horrible, awful, disgusting, worst, horrendous, atrocious, appalling, dreadful, abysmal, "
     "nightmare, disgrace, disgraceful, shameful, pathetic, unacceptable, outrageous, avoid, stay away, "
     "never again, zero stars, 0 stars, one star, run away, do not go, beware"),
     _bad(-0.9)),
    (("bad, poor, poorly, disappointing, disappointed, disappointment, unhappy, dissatisfied, frustrating, "
     "frustrated, upset, annoyed, annoying, angry, furious, mess, messy, chaotic, chaos, ridiculous, "
     "shocking, shocked, sad, sadly, unfortunately, mediocre, subpar, sub-par, not worth, "
     "horrified, the worst, let down, letdown, underwhelming, insane, needs work, need work, "
     "needs improvement, room for improvement"), _bad(-0.6)),
    ("no explanation", _bad(-0.4)),
    ("regret", Cue(-0.6, None, ANY, neg=0.6)),
    ("waste, wasted, wasting, ruin, ruined, spoiled, nightmarish", _bad(-0.6)),
    ("stressful, stressed, nerve-wracking, traumatic, traumatized", Cue(-0.5)),
    ("complain, complaint, mistake, error, confusing, confused, wrong, inconvenient, hassle", _bad(-0.4)),
    ("problem, issue, concern", Cue(-0.2, None, ANY, neg=0.4)),
    ("solve, resolved, sorted out, fixed", Cue(0.5, "doctor", STAFF, neg=-0.6, neg_tag=CARE)),
    ("scam, fraud, scammer, dishonest, lie, lied, liar", Cue(-0.85, "billing", ANY)),
    # --- manner ------------------------------------------------------------------------------------
    (("rude, rudely, rudeness, impolite, disrespectful, disrespect, condescending, arrogant, hostile, "
     "yell, yelled, shout, shouted, snap, snapped, attitude, hung up, hang up, obnoxious, nasty, "
     "unfriendly, unpleasant, grumpy, sarcastic, belittle, belittled, patronizing, patronising, "
     "scolded, treated like, like cattle, like a number, blame, blamed"), _manner(-0.85)),
    ("apologize, apologise, apology", Cue(0.0, "front_desk", STAFF, neg=-0.5, neg_tag=SIMPLE)),
    ("felt like, feel like, look like, looks like, seems like, like a", Cue()),
    ("check in, check-in, checked in, sign in", _anchor("front_desk")),
    (("indifferent, dismissive, uncaring, careless, cold, ignore, ignored, could not care less, "
     "do not care, did not care, lazy, unhelpful"), _manner(-0.65)),
    (("polite, politely, friendly, kind, kindly, welcoming, courteous, helpful, warm, respectful, cheerful, "
     "smiling, smile, accommodating, sweet, lovely staff"), _manner(0.6, neg=-0.6)),
    (("attentive, caring, compassionate, empathetic, gentle, thorough, thoroughly, reassuring, reassured, "
     "took the time, take the time, took time, listened carefully, personal touch"),
     _manner(0.6, "doctor", neg=-0.6)),
    (("professional, professionally, professionalism, knowledgeable, competent, skilled, experienced, "
     "expert, qualified, skillful, skilful"), Cue(0.7, "doctor", SKILL, neg=-0.7)),
    ("incompetent, incompetence, unprofessional, negligent, negligence, clueless, amateur, amateurish",
     Cue(-0.8, "doctor", SKILL)),
    (("misdiagnose, misdiagnosis, misdiagnosed, wrong diagnosis, incorrect diagnosis, botched, botch, "
     "harm, harmed, complications, made it worse, got worse, worse than before, worse after, quack, "
     "butcher, useless, did nothing, no help, waste of money, money down the drain, threw money away, "
     "wrong medication, wrong treatment, wrong prescription, ended up in the er, ended up in hospital, "
     "ended up in the hospital"), Cue(-0.85, "doctor", STAFF, tag=CARE)),
    # --- the doctor's work -------------------------------------------------------------------------
    ("help, helped, cure, cured, heal, healed, treat well",
     Cue(0.6, "doctor", STAFF, neg=-0.9, neg_tag=CARE)),
    ("explain, explained, listen, listened, answer my question, answered, answer all",
     Cue(0.35, "doctor", STAFF, neg=-0.6, neg_tag=CARE)),
    ("examine, examined, look at, check", Cue(0.0, "doctor", STAFF, neg=-0.6, neg_tag=CARE)),
    ("clearly, in detail, clear explanation, detailed", Cue(0.45, "doctor", STAFF)),
    (("saved my life, life saver, lifesaver, feel better, feeling better, felt better, relief, recovered, "
     "painless, pain free, pain-free, correct diagnosis, right diagnosis, accurate diagnosis"),
     Cue(0.8, "doctor", STAFF)),
    # what a treatment did (a patient judges the care by it; error analysis on the drug-review dev split)
    (("it work, this work, that work, work well, work great, work wonder, work for me, work like a charm, "
     "work perfectly, really work, actually work, still work, finally work, start work, work fast, "
     "work quickly, work immediately, effective, effectively, do the trick, did the trick, do wonders, "
     "did wonders"), Cue(0.6, "doctor", STAFF, neg=-0.8, neg_tag=CARE)),
    (("stop work, stopped working, quit working, no longer work, wore off, wear off, do nothing for, "
     "did nothing for, no improvement, no relief, no difference, no change, zero improvement"),
     Cue(-0.7, "doctor", STAFF, tag=CARE)),
    (("improve, improved, improvement, cleared up, clear up, went away, go away, gone, disappeared, "
     "under control, in remission, back to normal, get my life back, got my life back, finally sleep"),
     Cue(0.5, None, ANY, neg=-0.5)),
    (("miracle, godsend, god send, blessing, wonder drug, game changer, life changing, life-changing, "
     "highly suggest, so happy, so glad, so thankful"), _good(0.9)),
    ("side effect, side-effect, adverse reaction, reaction to", Cue(-0.4, None, ANY, neg=0.6)),
    (("stop taking, stopped taking, quit taking, come off, came off, get off, got off, switched back, "
     "do not take, don't take, never take"), Cue(-0.6, None, ANY)),
    ("miserable, hate, hated, hell, unbearable, excruciating, worse, worsen", _bad(-0.7)),
    ("painful, hurt, hurts, rough, bruise, bruised",
     Cue(-0.4, "doctor", frozenset({"doctor", "diagnostics"}), tag=SIMPLE, neg=0.5)),
    ("rushed, rush, rushing, in a hurry, five minutes, 5 minutes", Cue(-0.5, "doctor", STAFF, tag=SIMPLE)),
    # --- waiting -----------------------------------------------------------------------------------
    ("wait, waited, waiting", Cue(-0.35, "waiting", tag=SIMPLE, neg=0.4)),
    (("wait ~ hour, hour ~ wait, hour-long wait, two-hour, three-hour, wait ~ minute, minute ~ wait, "
     "took forever, takes forever, waited forever, wait forever, waste of time, wasted my time, "
     "wasted time, hours in the waiting room, "
     "still waiting, kept waiting, kept me waiting, behind schedule, running late"),
     Cue(-0.7, "waiting", tag=SIMPLE)),
    ("queue, line, crowded, packed", Cue(-0.4, "waiting", tag=SIMPLE, anchor="waiting", neg=0.5)),
    ("late, delay, delayed, slow, slowly, long wait, long time, lengthy", Cue(-0.5, "waiting", DIAG, tag=LATE,
                                                                          neg=0.3)),
    ("wait ~ week, wait ~ day", Cue(-0.6, "waiting", DIAG, tag=LATE)),
    ("short wait, wait ~ short, wait time ~ short", Cue(0.5, "waiting")),
    ("on hold, put on hold, hold for, voicemail, endless ringing", Cue(-0.6, "waiting", tag=SIMPLE)),
    ("answer the phone, answer ~ phone, pick up the phone, pick up, get through, reach anyone, reach them",
     Cue(0.0, "waiting", neg=-0.7, neg_tag=SIMPLE, anchor="front_desk")),
    ("nobody answer, no one answer, no one pick up, nobody pick up, impossible to reach",
     Cue(-0.7, "waiting", tag=SIMPLE)),
    ("call back, call ~ back, callback, return my call, returned my call, get back to",
     Cue(0.0, "front_desk", neg=-0.6, neg_tag=SIMPLE)),
    (("quick, quickly, fast, prompt, promptly, on time, punctual, right away, in and out, "
     "no wait, no waiting, minimal wait, seen immediately, immediately, speedy, timely"),
     Cue(0.45, "waiting", SPEEDY, neg=-0.4)),
    ("efficient, efficiently", _good(0.45, -0.4)),  # how things were run; speed only where it says so
    # --- money -------------------------------------------------------------------------------------
    (("expensive, overpriced, pricey, overcharge, overcharged, overcharging, rip off, ripoff, rip-off, "
     "hidden fee, surprise bill, charged ~ twice, double charged, double billed, billed ~ twice, "
     "unnecessary test, unnecessary tests, unnecessary, upsell, upselling, upsold, refund, money back, "
     "cash grab, greedy, gouge, price gouging, push, pushing, pushed, pushy, charged me for, extra charge, "
     "extra fees, not worth the money"),
     Cue(-0.6, "billing", tag=REMEDY, neg=0.3)),
    (("affordable, good value, fair price, reasonable price, reasonably priced, cheap, free, discount, "
     "great value, value for money, transparent pricing"), Cue(0.4, "billing", neg=-0.3)),
    ("free coffee, free water, free wifi, free parking", Cue(0.4, "cleanliness")),
    (("price, prices, cost, bill, billing, charge, fee, invoice, payment, pay, money, insurance, copay, "
     "dollar, receipt, deposit"), _anchor("billing")),
    # --- scheduling --------------------------------------------------------------------------------
    (("cancel, cancellation, reschedule, rescheduled, no-show, no show, without notice, without warning, "
     "double booked, double-booked, overbooked, mixed up, mix up, mix-up, wrong time, wrong day"),
     Cue(-0.6, "scheduling", frozenset({"diagnostics", "billing"}), tag=REMEDY)),
    ("show up, showed up, turn up, notify, notified, warn, inform, informed", Cue(0.0, "scheduling", DIAG,
                                                                                  neg=-0.7, neg_tag=REMEDY)),
    ("lose, forgot, forget, misplaced", Cue(-0.6, None, frozenset({"diagnostics", "scheduling",
                                                                  "front_desk", "billing"}), tag=REMEDY)),
    ("book, booking, booked, schedule, scheduling, scheduler, slot, availability",
     _anchor("scheduling")),
    (("easy to book, online booking, easy booking, easy to schedule, same day appointment, "
     "same-day appointment, flexible"), Cue(0.5, "scheduling")),
    ("convenient, convenience, easy", _good(0.35)),
    # --- cleanliness and comfort -------------------------------------------------------------------
    # A person made comfortable or calm is care, not the premises: praise for what the sentence names
    # (a calm waiting room stays cleanliness and comfort through its anchor).
    (("feel comfortable, felt comfortable, feel ~ comfortable, felt ~ comfortable, made ~ comfortable, "
     "make ~ comfortable, makes ~ comfortable, kept ~ comfortable, at ease, put ~ at ease, calm, relaxed, "
     "relaxing"), _good(0.5, -0.6)),
    (("clean, cleanliness, spotless, tidy, hygienic, sterile, cozy, cosy, comfortable, comfy, modern, "
     "bright, well maintained, well-maintained, beautiful, tasty"),
     Cue(0.5, "cleanliness", frozenset({"doctor", "cleanliness"}), neg=-0.6)),
    (("dirty, filthy, grimy, dusty, smelly, smell, stink, stank, stinks, trash, garbage, freezing, cramped, "
     "noisy, broken, cockroach, mold, mould, unhygienic, unsanitary, stained, gross"),
     Cue(-0.7, "cleanliness", tag=SIMPLE, neg=0.3)),
    (("bathroom, restroom, toilet, waiting room, waiting area, lobby, parking, coffee, water, chair, chairs, "
     "facility, facilities, building, room, decor, interior, air conditioning, temperature in"),
     _anchor("cleanliness")),
    # --- diagnostics -------------------------------------------------------------------------------
    (("test, result, lab, blood work, bloodwork, blood test, x-ray, xray, mri, ct, scan, ultrasound, ecg, "
     "ekg, biopsy, sample, specimen, diagnosis, screening, imaging, radiology, equipment, report, "
     "diagnostic, diagnostics, swab, pcr"), _anchor("diagnostics")),
    (("wait ~ result, result ~ late, result ~ week, never got ~ result, never received ~ result, "
     "result never came, result ~ lost, lost ~ result, lost ~ sample"), Cue(-0.6, "diagnostics", tag=REMEDY)),
    ("get ~ result, receive ~ result",
     Cue(0.0, "diagnostics", neg=-0.7, neg_tag=REMEDY, anchor="diagnostics")),
    ("modern equipment, new equipment, latest equipment", Cue(0.5, "diagnostics")),
    # --- who is who --------------------------------------------------------------------------------
    (("receptionist, reception, front desk, front-desk, front office, desk, admin, administrator, staff, "
     "call center, call centre, phone, operator, manager, secretary, office staff, girl at the desk, "
     "lady at the desk, people at the front"), _anchor("front_desk")),
    (("bedside manner, doctor, dr, doc, physician, gp, surgeon, dentist, specialist, pediatrician, "
      "paediatrician, "
     "gynecologist, gynaecologist, dermatologist, cardiologist, orthodontist, hygienist, therapist, "
     "physio, physiotherapist, nurse, nurses, np, practitioner, consultant, radiologist, technician, "
     "treatment, consultation, exam, examination, prescription, procedure, surgery, medication, "
     "filling, tooth, teeth, injection, vaccine, root canal, checkup, check-up"), _anchor("doctor")),
    (("clinic, hospital, practice, office, center, centre, place, service, team, here, everyone, "
     "experience, establishment"), _anchor(PLACE)),
    # --- legal -------------------------------------------------------------------------------------
    (("sue, suing, lawsuit, court, lawyer, attorney, solicitor, legal action, legal, regulator, ombudsman, "
     "medical board, state board, licensing board, health department, department of health, cqc, "
     "police, press, media, journalist, newspaper, local news, report you, reporting you, bbb, "
     "better business bureau, malpractice, trading standards, authorities"), Cue(-0.3, None, mark=LEGAL)),
    # --- greetings, questions, suggestions ---------------------------------------------------------
    (("happy new year, merry christmas, happy holidays, seasons greetings, season greetings, "
     "congratulations, congrats, happy doctors day, happy nurses week, happy easter"),
     Cue(0.4, None, mark=GREETING)),
    ("how, when, where, what, which, who, can, could, do, does, is, are, will, anyone know, is there",
     Cue(mark=ASK)),
    (("would be nice, would be great, would be helpful, would be good, would be better, would help, "
     "be nice if, be great if, be helpful if, please add, please consider, i suggest, suggest, "
     "suggestion, you should, you guys should, should consider, consider adding, could you add, i wish, "
     "hopefully, if only, it might help, feedback"), Cue(func=WISH, mark=SUGGESTION)),
    # --- function words ----------------------------------------------------------------------------
    ("not, no, never, nobody, nothing, none, neither, nor, cannot, hardly, barely, unable, nowhere",
     Cue(func=NEGATOR, scope=3)),
    ("impossible", Cue(func=POST_NEGATOR, scope=2)),
    ("without, lack, lacked, zero", Cue(func=NEGATOR, scope=1)),
    ("at all", Cue(func=POST_NEGATOR, scope=2)),
    (("very, really, so, extremely, incredibly, absolutely, totally, completely, utterly, super, highly, "
     "truly, most, such, especially, particularly, too, way too, so much, constantly, literally, "
     "genuinely, seriously, insanely, exceptionally"), Cue(func=INTENSIFIER, factor=1.4)),
    ("quite, always, pretty, all", Cue(func=INTENSIFIER, factor=1.2)),
    ("terribly, awfully, horribly, ridiculously", Cue(-0.7, None, ANY, func=INTENSIFIER, factor=1.5)),
    (("slightly, somewhat, a bit, a little, kind of, kinda, sort of, fairly, rather, sometimes, a tad, "
     "occasionally, mostly"), Cue(func=INTENSIFIER, factor=0.6)),
    ("but, however, nevertheless, nonetheless, except, otherwise", Cue(func=CONTRAST)),
    ("although, though, even though, despite, even if, while", Cue(func=CONCESSION)),
    ("overall, all in all, in general, in the end, bottom line, in short, to sum up", Cue(func=SUMMARY)),
    ("for, that", Cue(func=LINK)),
    (("<num> minute, <num> hour, <num> min, <num> mins, hour, hours, half an hour, an hour, two hour, "
      "three hour, "
     "forty minute, thirty minute, forty-five minute, <num> day, <num> week, week, weeks, month"),
     Cue(func=DURATION, factor=1.8)),
    (("pain, ache, illness, disease, condition, symptom, symptoms, fever, cough, infection, injury, flu, "
     "covid, allergy, rash, cancer, diabetes, toothache, migraine, anxiety, nausea, nauseous, headache, "
     "bleeding, acne, depression, insomnia, diarrhea, constipation, dizziness, "
     "fatigue, itching, swelling, vomiting, mood swings, panic attack, seizure, period, breakout"),
     Cue(func=SYMPTOM)),
]
