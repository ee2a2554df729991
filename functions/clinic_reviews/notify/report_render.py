"""Rendering the monthly report: subject, HTML (e-mail with CID images, archive with data: images), text.

Many mail clients block `data:` images, so the e-mail's HTML points at `cid:` parts of a
multipart/related message; the archived copy (S3, the local demo) carries its images inline as
`data:` URIs and stands alone in a browser.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from clinic_reviews.domain.labels import SOURCE_NAMES, TOPIC_NAMES, label
from clinic_reviews.domain.plural import count, ru_form
from clinic_reviews.domain.report import Finding, MonthlyReport
from clinic_reviews.notify.digest_render import duration, share
from clinic_reviews.notify.rendering import render
from clinic_reviews.notify.report_charts import BUCKET_NAMES, Chart

MONTHS = {
    "ru": ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
           "ноябрь", "декабрь"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}


@dataclass(frozen=True)
class ReportDocuments:
    subject: str
    email_html: str  # images as cid: references
    archive_html: str  # images as data: URIs
    text: str


def month_name(first, lang: str) -> str:
    return f"{MONTHS['en' if lang == 'en' else 'ru'][first.month - 1]} {first.year}"


def report_subject(report: MonthlyReport) -> str:
    lang, current = report.lang, report.total.current
    month = month_name(report.month, lang)
    if lang == "en":
        head = f"{report.chain} · report for {month}"
        tail = f"{count(current.count, 'request', lang)}" + (
            f", average rating {current.average_rating:.1f}" if current.average_rating is not None else ""
        )
    else:
        head = f"{report.chain} · отчёт за {month}"
        tail = f"{count(current.count, 'request', lang)}" + (
            f", средняя оценка {current.average_rating:.1f}" if current.average_rating is not None else ""
        )
    return f"{head} · {tail}"


def signed(value: float | None, digits: int = 0, unit: str = "") -> str:
    """`+3`, `−0.2`, `0`; `—` for no comparison."""
    if value is None:
        return "—"
    if digits:
        text = f"{abs(value):.{digits}f}"
    else:
        text = f"{abs(round(value))}"
    if float(text) == 0:
        return f"0{unit}"
    return f"{'+' if value > 0 else '−'}{text}{unit}"


def change_color(value: float | None, good_when_up: bool | None) -> str:
    if value is None or value == 0 or good_when_up is None:
        return "#59636e"
    return "#1a7f37" if (value > 0) == good_when_up else "#cf222e"


def _complaints(n: int, lang: str) -> str:
    if lang == "en":
        return f"{n} complaint" + ("" if n == 1 else "s")
    return f"{n} {ru_form(n, 'жалоба', 'жалобы', 'жалоб')}"


def finding_text(finding: Finding, report: MonthlyReport) -> str:
    lang = report.lang
    en = lang == "en"
    kind, subject, value, previous = finding.kind, finding.subject, finding.value, finding.previous
    topic = label(TOPIC_NAMES, subject, lang) if subject else ""
    clinic = report.clinic_names.get(subject, subject)
    if kind == "empty":
        return "No requests came in this month." if en else "За месяц обращений не было."
    if kind == "volume":
        if previous is None:
            return (f"{count(value, 'request', lang)} this month; no earlier month to compare with." if en
                    else f"За месяц {count(value, 'request', lang)}; прошлого месяца для сравнения нет.")
        change = "" if not previous else f", {signed((value - previous) / previous * 100, unit='%')}"
        return (f"{count(value, 'request', lang)} this month (last month {previous}{change})." if en
                else f"За месяц {count(value, 'request', lang)} (в прошлом месяце {previous}{change}).")
    if kind == "negatives_all_answered":
        return "Every negative review was answered." if en else "Все негативные отзывы получили ответ."
    if kind == "negatives_unanswered":
        return (f"{count(value, 'negative', lang)} still without an answer (the target is all of them)." if en
                else f"Без ответа {count(value, 'negative', lang)} (цель — ответить на все).")
    if kind == "positives_target_met":
        return (f"{value}% of positive reviews answered: the target of {share(report.targets['positive_answer_share'])}"
                " is met." if en else f"На позитивные отзывы отвечено {value}% — цель "
                f"{share(report.targets['positive_answer_share'])} выполнена.")
    if kind == "positives_target_missed":
        return (f"Only {value}% of positive reviews answered, below the target of "
                f"{share(report.targets['positive_answer_share'])}." if en else f"На позитивные отвечено только "
                f"{value}% — ниже цели {share(report.targets['positive_answer_share'])}.")
    if kind == "top_bottleneck":
        before = "" if previous is None else (f" (last month {previous})" if en else f" (в прошлом месяце {previous})")
        return (f"The main bottleneck is “{topic}”: {_complaints(value, lang)}{before}." if en
                else f"Главное узкое место — «{topic}»: {_complaints(value, lang)}{before}.")
    if kind == "rising_bottleneck":
        return (f"“{topic}” is rising: {value} complaints against {previous}." if en
                else f"Растёт тема «{topic}»: {_complaints(value, lang)} против {previous}.")
    if kind == "best_clinic":
        return (f"Best average rating: {clinic}, {value:.1f}." if en
                else f"Лучшая средняя оценка — «{clinic}», {value:.1f}.")
    if kind == "most_negative_clinic":
        return (f"Most negative: {clinic}, {value}% of its reviews." if en
                else f"Больше всего негатива — «{clinic}»: {value}% отзывов.")
    if kind == "turned":
        return (f"{count(value, 'negative', lang)} turned (rating raised or the patient satisfied)." if en
                else f"Исправлено {count(value, 'negative', lang)}: оценка повышена или пациент доволен.")
    if kind == "praised":
        reviews = count(value, "review", lang)
        return (f"Praised most by name: {subject} ({reviews})." if en
                else f"Чаще всех благодарят по имени: {subject} ({reviews}).")
    return kind


def render_report(report: MonthlyReport, charts: list[Chart], archive_url: str | None = None) -> ReportDocuments:
    """The e-mail's HTML (cid: images, a link to the archive), the archive's HTML (data: images), text."""
    subject = report_subject(report)
    common = {
        "report": report,
        "lang": report.lang,
        "subject": subject,
        "month_text": month_name(report.month, report.lang),
        "previous_text": month_name(report.previous_month, report.lang),
        "count": count,
        "share": share,
        "signed": signed,
        "change_color": change_color,
        "minutes": lambda value: duration(value, report.lang),
        "findings": [finding_text(f, report) for f in report.findings],
        "bucket_name": lambda b: BUCKET_NAMES[b][1 if report.lang == "en" else 0],
        "charts": {c.name: c for c in charts},
        "clinic_name": lambda key: report.clinic_names.get(key, key),
        "platform_name": lambda key: label(SOURCE_NAMES, key, report.lang),
        "topic_label": lambda key: label(TOPIC_NAMES, key, report.lang),
    }
    email_html = render("report.html.j2", image_src=lambda c: f"cid:{c.content_id}", archive_url=archive_url, **common)
    archive_html = render(
        "report.html.j2",
        image_src=lambda c: "data:image/png;base64," + base64.b64encode(c.png).decode(),
        archive_url=None,
        **common,
    )
    text = render("report.txt.j2", archive_url=archive_url, **common)
    return ReportDocuments(subject, email_html, archive_html, text)
