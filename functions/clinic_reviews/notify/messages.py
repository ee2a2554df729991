"""Composing alerts: the SMS (at most two segments, no personal data) and the e-mail (HTML + text)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from clinic_reviews.domain.labels import SOURCE_NAMES, label
from clinic_reviews.domain.privacy import excerpt, redact_contacts
from clinic_reviews.domain.record import ReviewRecord
from clinic_reviews.notify.rendering import render
from clinic_reviews.notify.sms_text import fit, segments

SMS_SEGMENTS = 2
MIN_SMS_EXCERPT = 40  # a link is dropped from the SMS rather than squeezing the excerpt below this


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
    ack_link: str | None = None
    kind: str = "negative"  # negative | thank


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


def alert_text(ctx: AlertContext, quote: str, link: str | None) -> str:
    """The short alert (SMS and chat wording) with a given excerpt and link."""
    review = ctx.record.review
    return render(
        "alert_sms.txt.j2",
        lang=ctx.lang,
        kind=ctx.kind,
        rating_text=_rating_text(review.rating, ctx.lang),
        source=review.source,
        clinic=ctx.clinic,
        excerpt=quote,
        due=_due_text(ctx),
        link=link,
    ).strip()


def alert_sms(ctx: AlertContext) -> str:
    """The SMS: platform, clinic, rating and a contact-free excerpt, fitted into two segments.

    The acknowledgement link (else the platform link) goes in when it leaves room for an excerpt of
    MIN_SMS_EXCERPT characters; otherwise the SMS goes without a link (the e-mail always has it).
    """
    review = ctx.record.review

    def rendered(quote: str, link: str | None) -> str:
        return alert_text(ctx, quote, link)

    shortest = excerpt(review.text, MIN_SMS_EXCERPT, review.author)
    for link in dict.fromkeys(filter(None, (ctx.ack_link, ctx.link))):
        if segments(rendered(shortest, link)) <= SMS_SEGMENTS:
            return fit(lambda text, link=link: rendered(text, link), review.text, SMS_SEGMENTS, review.author)
    return fit(lambda text: rendered(text, None), review.text, SMS_SEGMENTS, review.author)


def alert_email(ctx: AlertContext) -> Email:
    review, cls = ctx.record.review, ctx.record.classification
    source = label(SOURCE_NAMES, review.source, ctx.lang)
    rating = _rating_text(review.rating, ctx.lang)
    subjects = {
        ("negative", "en"): f"Negative review {rating} · {ctx.clinic} · {source} — answer by {_due_text(ctx)}",
        ("negative", "ru"): f"Негативный отзыв {rating} · {ctx.clinic} · {source} — ответить до {_due_text(ctx)}",
        ("thank", "en"): f"Say thank you: review {rating} · {ctx.clinic} · {source}",
        ("thank", "ru"): f"Поблагодарите за отзыв {rating} · {ctx.clinic} · {source}",
    }
    subject = subjects[(ctx.kind, "en" if ctx.lang == "en" else "ru")]
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
        ack_link=ctx.ack_link,
        kind=ctx.kind,
    )
    return Email(subject, render("alert_email.html.j2", **context), render("alert_email.txt.j2", **context))
