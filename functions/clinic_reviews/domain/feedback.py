"""Asking patients after the visit: the pure rules (docs/feedback.md).

A completed visit may become one feedback request: an SMS on the day of the visit, inside the chain's
send window in the patient's zone, with a short signed link to the page that asks "How was your
visit?". Here is everything that decides: who is asked (consent, opt-out, asked recently, one request
per visit), when (the window arithmetic), the link token (HMAC, expiring, nothing personal in it), what
the page offers (public links to everyone unless the chain turned gating on, the director to the
unhappy) and the internal review a private answer becomes. Nothing here reads a clock or a store.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from clinic_reviews.domain.classification.result import Classification
from clinic_reviews.domain.frozen_records import record
from clinic_reviews.domain.policy import FeedbackSpec
from clinic_reviews.domain.review import Review, iso_z, to_utc

if TYPE_CHECKING:
    from clinic_reviews.domain.visit import Visit

FEEDBACK_SOURCE = "visit_feedback"
#: Ratings up to this one are "unhappy": the page offers the director, and a comment is a complaint.
UNHAPPY_MAX = 3
COMMENT_LIMIT = 2_000
LANGUAGES = ("ru", "en")

# statuses of a request
SCHEDULED = "scheduled"
SENT = "sent"
SKIPPED = "skipped"
# reasons a visit is not asked (counted, never with personal data)
DISABLED = "disabled"
NO_CONSENT = "no_consent"
OPTED_OUT = "opted_out"
ASKED_RECENTLY = "asked_recently"
TOO_LATE = "too_late"
REASONS = (DISABLED, NO_CONSENT, OPTED_OUT, ASKED_RECENTLY, TOO_LATE)


REF_BYTES = 9
_EXPIRY_BYTES = 3
_MAC_BYTES = 9
#: Link expiry is counted in whole hours from this moment (3 bytes of hours: about 1,900 years).
_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
TOKEN_LENGTH = (REF_BYTES + _EXPIRY_BYTES + _MAC_BYTES) * 4 // 3  # 28 characters, no padding


class InvalidVisit(ValueError):
    """A visit event failed validation; the message names fields, never their (personal) values."""


def request_ref(clinic_id: str, visit_id: str) -> str:
    """The request's identity: one per clinic and visit (a repeated event finds the same ref).

    Unkeyed on purpose (rotating the link key must not make a visit new again); the link's HMAC, not
    the ref, is what nobody can forge. 9 bytes: collisions are out of reach for any chain's volume.
    """
    digest = hashlib.sha256(f"visit\x1f{clinic_id}\x1f{visit_id}".encode()).digest()[:REF_BYTES]
    return base64.urlsafe_b64encode(digest).decode()


# ---------------------------------------------------------------------------------------------- the link


class InvalidToken(ValueError):
    """Malformed or tampered: the page says the link does not work, and nothing more."""


@record
class Token:
    ref: str
    expires_at: datetime

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


def _mac(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, b"feedback-link\x1f" + body, hashlib.sha256).digest()[:_MAC_BYTES]


def sign_token(secret: bytes, ref: str, expires_at: datetime) -> str:
    """`ref` and an expiry (rounded up to the hour) with their HMAC, as 28 URL-safe characters."""
    raw_ref = base64.urlsafe_b64decode(ref)
    if len(raw_ref) != REF_BYTES:
        raise ValueError("not a request ref")
    hours = -(-int((to_utc(expires_at) - _EPOCH).total_seconds()) // 3600)
    if not 0 < hours < 2 ** (8 * _EXPIRY_BYTES):
        raise ValueError("expiry out of range")
    body = raw_ref + hours.to_bytes(_EXPIRY_BYTES, "big")
    return base64.urlsafe_b64encode(body + _mac(secret, body)).decode()


def read_token(secret: bytes, token: str) -> Token:
    """The ref and expiry a token carries, after checking its HMAC; InvalidToken otherwise.

    Expiry is left to the caller (`Token.expired(now)`), so an expired but genuine link can get a
    polite page instead of the "does not work" one.
    """
    if not isinstance(token, str) or len(token) != TOKEN_LENGTH:
        raise InvalidToken("malformed")
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise InvalidToken("malformed") from None
    if len(raw) != REF_BYTES + _EXPIRY_BYTES + _MAC_BYTES or base64.urlsafe_b64encode(raw).decode() != token:
        raise InvalidToken("malformed")
    body, mac = raw[: REF_BYTES + _EXPIRY_BYTES], raw[REF_BYTES + _EXPIRY_BYTES :]
    if not hmac.compare_digest(mac, _mac(secret, body)):
        raise InvalidToken("bad signature")
    hours = int.from_bytes(body[REF_BYTES:], "big")
    ref = base64.urlsafe_b64encode(body[:REF_BYTES]).decode()
    return Token(ref, _EPOCH + timedelta(hours=hours))


def link_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/f/{token}"


# ---------------------------------------------------------------------------------------------- when
def _day_bounds(day: date, window: tuple[time, time], tz: ZoneInfo) -> tuple[datetime, datetime]:
    start, end = window
    opens = datetime.combine(day, start, tzinfo=tz)
    closes = datetime.combine(day + timedelta(days=1) if end == time(0) else day, end, tzinfo=tz)
    return opens.astimezone(UTC), closes.astimezone(UTC)


def next_in_window(moment: datetime, window: tuple[time, time], tz: ZoneInfo) -> datetime:
    """The first moment at or after `moment` inside the daily `window` of zone `tz` (UTC)."""
    day = moment.astimezone(tz).date()
    for offset in range(3):
        opens, closes = _day_bounds(day + timedelta(days=offset), window, tz)
        if moment < closes:
            return max(moment, opens)
    raise AssertionError("a daily window always comes within two days")  # pragma: no cover


def plan_send(visit_end: datetime, now: datetime, spec: FeedbackSpec, tz: ZoneInfo) -> datetime | None:
    """When the SMS of a visit goes: `delay` after its end (never before now), moved into the window in
    the patient's zone; None when that is more than `max_age` after the end of the visit."""
    earliest = max(to_utc(visit_end) + spec.span("delay"), to_utc(now))
    moment = next_in_window(earliest, spec.window, tz)
    if moment - to_utc(visit_end) > spec.span("max_age"):
        return None
    return moment


@record
class Decision:
    """What becomes of a visit: `scheduled` with `send_at`, or `skipped` with a reason."""

    status: str
    reason: str | None = None
    send_at: datetime | None = None


def decide(
    visit: Visit,
    spec: FeedbackSpec | None,
    *,
    now: datetime,
    tz: ZoneInfo,
    opted_out: bool,
    last_asked: datetime | None,
) -> Decision:
    """Whether and when to ask about one visit. Consent and opt-out come before everything else."""
    if spec is None or not spec.enabled:
        return Decision(SKIPPED, DISABLED)
    if not visit.consent:
        return Decision(SKIPPED, NO_CONSENT)
    if opted_out:
        return Decision(SKIPPED, OPTED_OUT)
    if asked_recently(last_asked, now, spec):
        return Decision(SKIPPED, ASKED_RECENTLY)
    send_at = plan_send(visit.visit_end, now, spec, tz)
    if send_at is None:
        return Decision(SKIPPED, TOO_LATE)
    return Decision(SCHEDULED, send_at=send_at)


def asked_recently(last_asked: datetime | None, now: datetime, spec: FeedbackSpec) -> bool:
    return last_asked is not None and now - last_asked < spec.span("ask_again_after")


@record
class SendCheck:
    """At the moment the workflow wakes up: send now, wait until `retry_at`, or skip for `reason`."""

    action: str  # send | wait | skip
    reason: str | None = None
    retry_at: datetime | None = None


def check_at_send(
    visit_end: datetime, now: datetime, spec: FeedbackSpec | None, tz: ZoneInfo, *, opted_out: bool
) -> SendCheck:
    """The rules again when the SMS is due: the patient may have opted out, the chain may have turned
    requests off, or the wait may have ended outside the window (then wait for it, within `max_age`)."""
    if spec is None or not spec.enabled:
        return SendCheck("skip", DISABLED)
    if opted_out:
        return SendCheck("skip", OPTED_OUT)
    moment = next_in_window(to_utc(now), spec.window, tz)
    if moment - to_utc(visit_end) > spec.span("max_age"):
        return SendCheck("skip", TOO_LATE)
    if moment > to_utc(now):
        return SendCheck("wait", retry_at=moment)
    return SendCheck("send")


def stats_month(moment: datetime, tz: str) -> str:
    """`YYYY-MM` of the clinic-local day of `moment`: the month a request's figures count in."""
    return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m")


# ---------------------------------------------------------------------------------------------- the page
def is_unhappy(rating: int | None) -> bool:
    return rating is not None and rating <= UNHAPPY_MAX


def shows_public_links(spec: FeedbackSpec | None, rating: int | None) -> bool:
    """Every patient sees the public review links, whatever they rated. Only a chain that turned
    `review_gating` on (breaking Google's and Yandex's rules, see FeedbackSpec) hides them from the
    unhappy and from those who have not rated yet."""
    if spec is None or not spec.review_gating:
        return True
    return rating is not None and rating > UNHAPPY_MAX


def offers_director(rating: int | None) -> bool:
    """A patient who rated 1-3 is offered to tell the director directly and to ask for a call back."""
    return is_unhappy(rating)


def parse_rating(value: Any) -> int:
    """A star rating from a form field, 1 to 5; ValueError otherwise."""
    text = str(value or "").strip()
    if text not in {"1", "2", "3", "4", "5"}:
        raise ValueError("choose from 1 to 5 stars")
    return int(text)


def clean_comment(value: Any) -> str:
    """A patient's comment: stripped, line ends normalized, cut at COMMENT_LIMIT characters."""
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    text = "".join(ch for ch in text if ch in "\n\t" or ch.isprintable())
    return text[:COMMENT_LIMIT]


_TAIL = {
    "ru": {"callback": "Просит директора перезвонить.", "visit": "Визит", "doctor": "врач", "service": "услуга"},
    "en": {"callback": "Asks the director to call back.", "visit": "Visit", "doctor": "doctor", "service": "service"},
}


@record
class VisitContext:
    """What a private answer carries about its visit, for the staff who handle it."""

    clinic_id: str
    visit_id: str
    doctor: str | None = None
    service: str | None = None


def private_review(
    visit: VisitContext, rating: int, comment: str, callback: bool, at: datetime, staff_lang: str
) -> dict[str, Any]:
    """The internal review (source `visit_feedback`) a private answer becomes, in the intake's shape.

    Its external id is the visit id, so the clinic finds the patient in its own records to call back:
    the patient's phone is not kept (docs/feedback.md). The text is, in the chain's language for the
    staff, the call-back request first (the alert SMS shows the beginning), then the patient's words,
    then which visit it was.
    """
    words = _TAIL.get(staff_lang, _TAIL["ru"])
    parts = [words["callback"]] if callback else []
    if comment:
        parts.append(comment)
    about = [f"{words['visit']} {visit.visit_id}"]
    if visit.doctor:
        about.append(f"{words['doctor']}: {visit.doctor}")
    if visit.service:
        about.append(f"{words['service']}: {visit.service}")
    parts.append("[" + " · ".join(about) + "]")
    return {
        "source": FEEDBACK_SOURCE,
        "external_id": visit.visit_id,
        "clinic_id": visit.clinic_id,
        "rating": rating,
        "text": "\n".join(parts),
        "created_at": iso_z(at),
        "lang": staff_lang if staff_lang in LANGUAGES else None,
    }


def private_answer_classification(review: Review, classification: Classification) -> Classification:
    """A private answer rated 1-3 is a complaint the patient chose to send to the clinic: it counts as
    negative whatever its words say (a "3, please call me" must reach the director), with the triage
    "unclear: call the patient" when the text alone gave none. Ratings 4-5 keep their reading."""
    if not is_unhappy(review.rating):
        return classification
    return replace(
        classification,
        sentiment="negative",
        triage=classification.triage or 3,
        complaint=None,  # the whole answer is the complaint
    )


__all__ = [
    "FEEDBACK_SOURCE",
    "REASONS",
    "Decision",
    "InvalidToken",
    "InvalidVisit",
    "SendCheck",
    "Token",
    "VisitContext",
    "check_at_send",
    "clean_comment",
    "decide",
    "iso_z",
    "link_url",
    "next_in_window",
    "offers_director",
    "parse_rating",
    "plan_send",
    "private_answer_classification",
    "private_review",
    "read_token",
    "request_ref",
    "shows_public_links",
    "sign_token",
    "stats_month",
]
