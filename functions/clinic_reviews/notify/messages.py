"""Composing alerts: the SMS (at most two segments, no personal data) and the e-mail (HTML + text)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from clinic_reviews.domain.labels import SOURCE_NAMES, label
from clinic_reviews.domain.privacy import redact_contacts
from clinic_reviews.domain.record import ReviewRecord
from clinic_reviews.notify.rendering import render
from clinic_reviews.notify.sms_text import fit

SMS_SEGMENTS = 2


@dataclass(frozen=True)
class AlertContext:
    """Everything an alert about one review at one tier says."""

    record: ReviewRecord
    chain: str
    clinic: str
    clinic_tz: str
    lang: str
    tier: str
    tier_number: int
    tier_count: int
    due: datetime
    link: str | None = None


@dataclass(frozen=True)
class Email:
    subject: str
    html: str
    text: str


def _rating_text(rating: int | None, lang: str) -> str:
    if rating is None:
        return "no rating" if lang == "en" else "без оценки"
    return f"{rating}★"


def _due_text(ctx: AlertContext) -> str:
    local = ctx.due.astimezone(ZoneInfo(ctx.clinic_tz))
    return local.strftime("%d.%m %H:%M")


def alert_sms(ctx: AlertContext) -> str:
    """The SMS: platform, clinic, rating and a contact-free excerpt, fitted into two segments."""
    review = ctx.record.review

    def rendered(excerpt: str, link: str | None) -> str:
        return render(
            "alert_sms.txt.j2",
            lang=ctx.lang,
            chain=ctx.chain,
            rating_text=_rating_text(review.rating, ctx.lang),
            source=review.source,
            clinic=ctx.clinic,
            excerpt=excerpt,
            due=_due_text(ctx),
            link=link,
        ).strip()

    try:
        return fit(lambda excerpt: rendered(excerpt, ctx.link), review.text, SMS_SEGMENTS, review.author)
    except ValueError:  # a very long link: the e-mail carries it
        return fit(lambda excerpt: rendered(excerpt, None), review.text, SMS_SEGMENTS, review.author)


def alert_email(ctx: AlertContext) -> Email:
    review, cls = ctx.record.review, ctx.record.classification
    source = label(SOURCE_NAMES, review.source, ctx.lang)
    rating = _rating_text(review.rating, ctx.lang)
    if ctx.lang == "en":
        subject = f"Negative review {rating} · {ctx.clinic} · {source} — answer by {_due_text(ctx)}"
    else:
        subject = f"Негативный отзыв {rating} · {ctx.clinic} · {source} — ответить до {_due_text(ctx)}"
    context = dict(
        subject=subject,
        lang=ctx.lang,
        chain=ctx.chain,
        clinic=ctx.clinic,
        source=review.source,
        rating=review.rating,
        text=redact_contacts(review.text, review.author) or ("(rating only)" if ctx.lang == "en" else "(только оценка)"),
        topics=list(cls.topics),
        triage=cls.triage,
        legal=cls.legal,
        created=review.created_at.astimezone(ZoneInfo(ctx.clinic_tz)).strftime("%d.%m.%Y %H:%M"),
        tier=ctx.tier,
        tier_number=ctx.tier_number,
        tier_count=ctx.tier_count,
        due=_due_text(ctx),
        link=ctx.link,
    )
    return Email(subject, render("alert_email.html.j2", **context), render("alert_email.txt.j2", **context))
