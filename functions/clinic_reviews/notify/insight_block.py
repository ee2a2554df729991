"""The systemic view (domain/systemic.py) as a block of the digest and the monthly report, and the spike alert.

An empty view adds nothing. The alert to the head of client service is the same block as a message of
its own (docs/insights.md).
"""

from __future__ import annotations

from dataclasses import replace

from clinic_reviews.domain.labels import TOPIC_NAMES, label
from clinic_reviews.domain.systemic import SystemicItem
from clinic_reviews.notify.case_block import append_block
from clinic_reviews.notify.messages import Email
from clinic_reviews.notify.rendering import render


def systemic_block(items: list[SystemicItem], lang: str, clinic_names: dict[str, str], period: str) -> tuple[str, str]:
    context = {"items": items, "lang": lang, "names": clinic_names, "period": period}
    return render("insight_block.html.j2", **context), render("insight_block.txt.j2", **context)


def with_systemic(email: Email, items, policy, period: str, clinic_id: str | None = None) -> Email:
    """The digest e-mail with its systemic block (a clinic's digest: that clinic's items only)."""
    shown = [i for i in items if clinic_id is None or i.clinic_id == clinic_id]
    if not shown:
        return email
    names = {c.id: c.name for c in policy.clinics}
    html, text = append_block(email.html, email.text, *systemic_block(shown, policy.chain.language, names, period))
    return replace(email, html=html, text=text)


def report_with_systemic(documents, items, policy, period: str):
    """The monthly report's documents (notify.report_render.ReportDocuments) with the month's systemic block."""
    if not items:
        return documents
    names = {c.id: c.name for c in policy.clinics}
    block_html, block_text = systemic_block(list(items), policy.chain.language, names, period)
    email_html, text = append_block(documents.email_html, documents.text, block_html, block_text)
    archive_html, _ = append_block(documents.archive_html, "", block_html, "")
    return replace(documents, email_html=email_html, archive_html=archive_html, text=text)


def spike_alert(item: SystemicItem, policy) -> Email:
    """The one e-mail a spike sends to the head of client service."""
    lang = policy.chain.language
    clinic = policy.clinic(item.clinic_id).name
    topic = label(TOPIC_NAMES, item.topic, lang)
    since = item.since.strftime("%d.%m.%Y")
    subject = (f"{policy.chain.name} · systemic problem: {topic} at {clinic} since {since}" if lang == "en"
               else f"{policy.chain.name} · системная проблема: {topic} — {clinic}, с {since}")
    block_html, block_text = systemic_block([item], lang, {item.clinic_id: clinic}, item.window.replace("/", " — "))
    html = (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"></head>'
            '<body style="margin:0;padding:10px;font-family:Arial,sans-serif;color:#1f2328">'
            f'<div style="max-width:640px;margin:0 auto">{block_html}</div></body></html>')
    return Email(subject, html, block_text)
