"""Rendering the morning digest into an e-mail: subject, phone-friendly HTML (inline styles only), text."""

from __future__ import annotations

from clinic_reviews.domain.digest import Digest
from clinic_reviews.domain.plural import count
from clinic_reviews.notify.messages import Email
from clinic_reviews.notify.rendering import render

KIND_NAMES = {
    "review": ("отзыв", "review"),
    "question": ("вопрос", "question"),
    "suggestion": ("предложение", "suggestion"),
    "greeting": ("благодарность", "greeting"),
}


def share(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def duration(minutes: int | None, lang: str = "ru") -> str:
    """Business minutes as `45 мин`, `2 ч 05 мин`, `31 ч`."""
    if minutes is None:
        return "—"
    hours, rest = divmod(int(minutes), 60)
    h, m = ("h", "min") if lang == "en" else ("ч", "мин")
    if not hours:
        return f"{rest} {m}"
    if hours >= 24 or not rest:
        return f"{hours} {h}"
    return f"{hours} {h} {rest:02d} {m}"


def kind_name(kind: str, lang: str) -> str:
    names = KIND_NAMES.get(kind)
    return kind if names is None else names[1 if lang == "en" else 0]


def answered_by_text(who: str | None, lang: str) -> str:
    if not who:
        return ""
    if who == "platform":
        return "public reply on the platform" if lang == "en" else "публичный ответ на площадке"
    return who


def digest_subject(digest: Digest) -> str:
    """`<chain>[ · <clinic>] · сводка за DD.MM.YYYY · N открытых негативов`."""
    day_text = digest.day.strftime("%d.%m.%Y")
    lang = digest.lang
    scope = f"{digest.chain} · {digest.clinic_name}" if digest.clinic_name else digest.chain
    what = f"digest for {day_text}" if lang == "en" else f"сводка за {day_text}"
    return f"{scope} · {what} · {count(digest.open_negatives, 'open_negative', lang)}"


def digest_email(digest: Digest) -> Email:
    lang = digest.lang
    subject = digest_subject(digest)
    context = {
        "digest": digest,
        "lang": lang,
        "subject": subject,
        "day_text": digest.day.strftime("%d.%m.%Y"),
        "count": count,
        "share": share,
        "minutes": lambda value: duration(value, lang),
        "kind_name": kind_name,
        "answered_by": lambda who: answered_by_text(who, lang),
    }
    return Email(subject, render("digest.html.j2", **context), render("digest.txt.j2", **context))
