"""The case figures (domain/cases.case_analytics) as a separate block of the digest and the monthly report.

`add_case_block(html, text, analytics, lang, clinic_names)` puts the block before the closing `</div></body>`
of the HTML and at the end of the text; an empty period adds nothing. docs/cases.md, analytics.
"""

from __future__ import annotations

from clinic_reviews.domain.cases import CaseAnalytics
from clinic_reviews.notify.digest_render import duration, share
from clinic_reviews.notify.rendering import render

MARK = "</div></body>"


def case_block(analytics: CaseAnalytics, lang: str, clinic_names: dict[str, str], period: str) -> tuple[str, str]:
    context = {
        "a": analytics, "lang": lang, "names": clinic_names, "period": period, "share": share,
        "duration": lambda m: duration(m, lang),
    }
    return render("case_block.html.j2", **context), render("case_block.txt.j2", **context)


def add_case_block(
    html: str, text: str, analytics: CaseAnalytics, lang: str, clinic_names: dict[str, str], period: str
) -> tuple[str, str]:
    if analytics.empty:
        return html, text
    return append_block(html, text, *case_block(analytics, lang, clinic_names, period))


def append_block(html: str, text: str, block_html: str, block_text: str) -> tuple[str, str]:
    """A block at the end of a rendered message: before the closing `</div></body>` and after the text."""
    at = html.rfind(MARK)
    html = html + block_html if at < 0 else html[:at] + block_html + html[at:]
    return html, text.rstrip("\n") + "\n\n" + block_text


def digest_with_cases(email, entries, policy, day, clinic_id: str | None = None):
    """The digest e-mail (notify.messages.Email) with the day's case block (`entries`: the day's case log)."""
    from dataclasses import replace

    from clinic_reviews.domain.cases import case_analytics

    analytics = case_analytics(entries, clinic_id=clinic_id)
    names = {c.id: c.name for c in policy.clinics}
    lang = policy.chain.language
    html, text = add_case_block(email.html, email.text, analytics, lang, names, day.strftime("%d.%m.%Y"))
    return replace(email, html=html, text=text)


def report_with_cases(documents, entries, policy, first):
    """The monthly report's documents (notify.report_render.ReportDocuments) with the month's case block."""
    from dataclasses import replace

    from clinic_reviews.domain.cases import case_analytics

    analytics = case_analytics(entries)
    names = {c.id: c.name for c in policy.clinics}
    lang = policy.chain.language
    period = first.strftime("%m.%Y")
    email_html, text = add_case_block(documents.email_html, documents.text, analytics, lang, names, period)
    archive_html, _ = add_case_block(documents.archive_html, "", analytics, lang, names, period)
    return replace(documents, email_html=email_html, archive_html=archive_html, text=text)
