"""Rendering the morning digest into an e-mail (subject, HTML, plain text)."""

from __future__ import annotations

from clinic_reviews.domain.digest import Digest
from clinic_reviews.domain.plural import count
from clinic_reviews.notify.messages import Email
from clinic_reviews.notify.rendering import render


def _share(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def _minutes(value: int | None) -> str:
    if value is None:
        return "—"
    hours, minutes = divmod(value, 60)
    return f"{hours} ч {minutes:02d} мин" if hours else f"{minutes} мин"


def digest_email(digest: Digest) -> Email:
    day_text = digest.day.strftime("%d.%m.%Y")
    lang = digest.lang
    if lang == "en":
        subject = f"{digest.chain} · digest for {day_text} · {count(digest.open_negatives, 'open_negative', lang)}"
    else:
        subject = f"{digest.chain} · сводка за {day_text} · {count(digest.open_negatives, 'open_negative', lang)}"
    context = dict(
        digest=digest, lang=lang, subject=subject, day_text=day_text, count=count, share=_share, minutes=_minutes
    )
    return Email(subject, render("digest.html.j2", **context), render("digest.txt.j2", **context))
