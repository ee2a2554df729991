"""The post-visit feedback figures (services/feedback.feedback_figures) as a block of the monthly report.

Sent, opened, rated, public-link clicks and private complaints, for the chain and by clinic. The block
goes before the closing `</div></body>` of the report's HTML and at the end of its text; a month with
no feedback requests adds nothing. docs/feedback.md, figures.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from clinic_reviews.notify.digest_render import share
from clinic_reviews.notify.rendering import render

MARK = "</div></body>"


def _insert(html: str, block: str) -> str:
    at = html.rfind(MARK)
    return html + block if at < 0 else html[:at] + block + html[at:]


def report_with_feedback(documents, figures: dict[str, Any], policy, first):
    """The monthly report's documents (notify.report_render.ReportDocuments) with the month's feedback block."""
    if not figures["total"]["visits"] and not figures["total"]["sent"]:
        return documents
    context = {
        "f": figures,
        "lang": policy.chain.language,
        "names": {c.id: c.name for c in policy.clinics},
        "period": first.strftime("%m.%Y"),
        "share": share,
    }
    block_html = render("feedback_block.html.j2", **context)
    block_text = render("feedback_block.txt.j2", **context)
    return replace(
        documents,
        email_html=_insert(documents.email_html, block_html),
        archive_html=_insert(documents.archive_html, block_html),
        text=documents.text.rstrip("\n") + "\n\n" + block_text,
    )
