"""The monthly report's insight block (services/insight_report.MonthInsights): systemic problems of the
month, reply quality and speed by clinic and by person, turned negatives and the sorry bonuses that worked."""

from __future__ import annotations

from dataclasses import replace

from clinic_reviews.domain.reply_quality import item_name
from clinic_reviews.notify.case_block import append_block
from clinic_reviews.notify.digest_render import duration, share
from clinic_reviews.notify.rendering import render

BONUS_NAMES = {
    "discount": ("скидка", "discount"), "free_visit": ("бесплатный приём", "free visit"), "taxi": ("такси", "taxi"),
    "gift": ("подарок", "gift"), "refund": ("возврат", "refund"), "other": ("другое", "other"),
}
TRIAGE_SHORT = {"1": ("простая жалоба", "simple grievance"), "2": ("понятное возражение", "clear objection"),
                "3": ("неясная жалоба", "unclear complaint"), "none": ("без типа", "no type")}


def report_with_insights(documents, insights, policy, period: str):
    """The report's documents with the insight block; an empty month adds nothing."""
    if insights.empty:
        return documents
    lang = policy.chain.language
    en = lang == "en"
    context = {
        "m": insights, "lang": lang, "period": period, "names": {c.id: c.name for c in policy.clinics},
        "share": share, "duration": lambda minutes: duration(minutes, lang),
        "item_name": lambda item: item_name(item, lang),
        "bonus_name": lambda key: BONUS_NAMES.get(key, (key, key))[1 if en else 0],
        "triage_name_short": lambda key: TRIAGE_SHORT.get(key, (key, key))[1 if en else 0],
    }
    block_html = render("month_insights.html.j2", **context)
    block_text = render("month_insights.txt.j2", **context)
    email_html, text = append_block(documents.email_html, documents.text, block_html, block_text)
    archive_html, _ = append_block(documents.archive_html, "", block_html, "")
    return replace(documents, email_html=email_html, archive_html=archive_html, text=text)
