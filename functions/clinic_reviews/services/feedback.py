"""Post-visit feedback requests (docs/feedback.md): visits in, one SMS each, the page's answers, opt-outs.

- `VisitService.receive`: `visit.completed` events (or CSV rows) become requests: consent, opt-out,
  "asked recently" and one request per visit are checked; a request to send starts its workflow
  (statemachines/feedback.asl.json), which waits until the send moment.
- `FeedbackSender.send`: the workflow's step at that moment: the rules again, then the SMS, exactly
  once; the phone is deleted right after.
- `FeedbackPage`: what the landing page shows and records (GET only reads; every POST is recorded once).
- `InboundSms.receive`: a STOP reply opts the number out.
- `feedback_figures`: sent, opened, rated, public-link clicks and private complaints of a chain's month.

Logs carry refs, clinic ids, counts and reasons; never a phone, a hash or a patient's words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools import Logger

from clinic_reviews.domain import feedback as rules
from clinic_reviews.domain.feedback import InvalidToken, InvalidVisit, VisitContext
from clinic_reviews.domain.frozen_records import record
from clinic_reviews.domain.labels import SOURCE_NAMES, label
from clinic_reviews.domain.policy import Clinic, Policy
from clinic_reviews.domain.review import iso_z
from clinic_reviews.domain.safe_text import parse_json
from clinic_reviews.notify.feedback_text import feedback_sms
from clinic_reviews.store.feedback import FIGURES, FeedbackRepository, FeedbackRequest
from clinic_reviews.store.policies import PolicyRepository, UnknownClinic

logger = Logger(child=True)

#: Extra keeping time of the phone after the last moment its SMS may go (retries of the send step).
CONTACT_GRACE = timedelta(hours=1)


def execution_name(ref: str) -> str:
    """Deterministic: a second start for the same visit is refused by Step Functions."""
    return f"fb-{ref.replace('_', '-')}"


def _country(policy: Policy, clinic: Clinic) -> str | None:
    return clinic.calendar.country or policy.defaults.country


# ============================================================================================== visits in
@dataclass
class VisitReport:
    """Counts for one batch; `rejected` lists positions and reasons, never values."""

    received: int = 0
    scheduled: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "scheduled": self.scheduled,
            "skipped": dict(self.skipped),
            "duplicates": self.duplicates,
            "rejected": list(self.rejected),
        }


class VisitService:
    def __init__(
        self,
        requests: FeedbackRepository,
        policies: PolicyRepository,
        workflows: Any,
        salt: Callable[[], bytes],
        now: Callable[[], datetime],
    ):
        self._requests = requests
        self._policies = policies
        self._workflows = workflows
        self._salt = salt
        self._now = now

    def receive(self, items: Sequence[Any]) -> VisitReport:
        from clinic_reviews.domain.phones import InvalidPhone  # phonenumbers: not for the feedback page (#18c)

        report = VisitReport(received=len(items))
        for index, item in enumerate(items):
            try:
                outcome = self._receive_one(item)
            except (InvalidVisit, InvalidPhone, UnknownClinic) as exc:
                report.rejected.append({"index": index, "reason": str(exc)})
                continue
            if outcome == "duplicate":
                report.duplicates += 1
            elif outcome == rules.SCHEDULED:
                report.scheduled += 1
            else:
                report.skipped[outcome] = report.skipped.get(outcome, 0) + 1
        return report

    def _receive_one(self, item: Any) -> str:
        from clinic_reviews.domain.phones import normalize_phone, phone_hash
        from clinic_reviews.domain.visit import parse_visit  # pydantic: the visits function only

        visit = parse_visit(item)
        policy, clinic = self._policies.for_clinic(visit.clinic_id)
        ref = rules.request_ref(visit.clinic_id, visit.visit_id)
        existing = self._requests.get(ref)
        if existing is not None:
            self._resume(existing)
            return "duplicate"
        now = self._now()
        spec = policy.feedback
        phone = normalize_phone(visit.patient_phone, _country(policy, clinic)) if visit.consent else None
        hashed = phone_hash(self._salt(), phone) if phone else None
        tz_name = visit.patient_timezone or clinic.timezone
        tz = ZoneInfo(tz_name)
        decision = rules.decide(
            visit,
            spec,
            now=now,
            tz=tz,
            opted_out=bool(hashed) and self._requests.opted_out(hashed),
            last_asked=self._last_asked_by_another(hashed, ref, now),
        )
        if decision.status == rules.SCHEDULED and not self._requests.claim_ask(
            hashed, ref, now, now + spec.span("ask_again_after")
        ):
            decision = rules.Decision(rules.SKIPPED, rules.ASKED_RECENTLY)
        request = FeedbackRequest(
            ref=ref,
            chain_id=policy.chain.id,
            clinic_id=clinic.id,
            visit_id=visit.visit_id,
            visit_end=visit.visit_end,
            timezone=tz_name,
            lang=visit.language or policy.chain.language,
            month=rules.stats_month(visit.visit_end, clinic.timezone),
            status=decision.status,
            created_at=now,
            reason=decision.reason,
            phone_hash=hashed if decision.status == rules.SCHEDULED else None,
            doctor=visit.doctor,
            service=visit.service,
            send_at=decision.send_at,
            link_expires_at=None if decision.send_at is None else decision.send_at + spec.span("link_lifetime"),
        )
        scheduled = decision.status == rules.SCHEDULED
        contact_until = visit.visit_end + spec.span("max_age") + CONTACT_GRACE if scheduled else None
        if not self._requests.create(request, phone if scheduled else None, contact_until, policy.retention.span("feedback")):
            return "duplicate"
        self._requests.count(
            request.chain_id, request.month, request.clinic_id, visits=1, skipped=0 if scheduled else 1
        )
        logger.info(
            "visit received",
            extra={"ref": ref, "clinic_id": clinic.id, "status": decision.status, "reason": decision.reason},
        )
        if scheduled:
            self._start(request)
            return rules.SCHEDULED
        return decision.reason or rules.SKIPPED

    def _last_asked_by_another(self, hashed: str | None, ref: str, now: datetime) -> datetime | None:
        if not hashed:
            return None
        found = self._requests.last_asked(hashed, now)
        if found is None or found[1] == ref:
            return None
        return found[0]

    def _resume(self, request: FeedbackRequest) -> None:
        """A repeated event of a request still to be sent makes sure its workflow runs (a crash between
        the write and the start is healed by the event's retry); the name makes the start happen once."""
        if request.status == rules.SCHEDULED and request.send_at is not None:
            self._start(request)

    def _start(self, request: FeedbackRequest) -> bool:
        return self._workflows.start(execution_name(request.ref), {"ref": request.ref, "send_at": iso_z(request.send_at)})


# ============================================================================================== the SMS
class RequestNotFound(LookupError):
    pass


class FeedbackSender:
    def __init__(
        self,
        requests: FeedbackRepository,
        policies: PolicyRepository,
        delivery: Any,
        secret: Callable[[], bytes],
        base_url: str,
        now: Callable[[], datetime],
    ):
        self._requests = requests
        self._policies = policies
        self._delivery = delivery
        self._secret = secret
        self._base_url = base_url
        self._now = now

    def send(self, ref: str) -> dict[str, Any]:
        """The workflow step at the send moment: `sent`, `skipped` (with a reason), or `deferred` to `retry_at`."""
        request = self._requests.get(ref)
        if request is None:
            raise RequestNotFound(f"feedback request {ref} is not in the store")
        if request.status != rules.SCHEDULED:  # a retried step after the SMS went
            return {"outcome": request.status, "reason": request.reason}
        now = self._now()
        policy, clinic = self._policies.for_clinic(request.clinic_id)
        opted_out = bool(request.phone_hash) and self._requests.opted_out(request.phone_hash)
        check = rules.check_at_send(request.visit_end, now, policy.feedback, ZoneInfo(request.timezone), opted_out=opted_out)
        if check.action == "wait":
            return {"outcome": "deferred", "retry_at": iso_z(check.retry_at)}
        phone = self._requests.phone(ref, now) if check.action == "send" else None
        if check.action == "skip" or phone is None:
            return self._skip(request, check.reason or rules.TOO_LATE)
        token = rules.sign_token(self._secret(), ref, request.link_expires_at)
        text = feedback_sms(clinic.name, request.lang, rules.link_url(self._base_url, token))
        result = self._delivery.deliver(request={"key": f"feedback:{ref}:sms", "channel": "sms", "to": phone, "text": text})
        if self._requests.mark_sent(ref, now):
            self._requests.count(request.chain_id, request.month, request.clinic_id, sent=1)
        self._requests.forget_phone(ref)
        logger.info("feedback request sent", extra={"ref": ref, "clinic_id": request.clinic_id})
        return {"outcome": rules.SENT, "message_id": result["message_id"], "at": iso_z(now)}

    def _skip(self, request: FeedbackRequest, reason: str) -> dict[str, Any]:
        if self._requests.mark_skipped(request.ref, reason):
            self._requests.count(request.chain_id, request.month, request.clinic_id, skipped=1)
        self._requests.forget_phone(request.ref)
        logger.info("feedback request skipped", extra={"ref": request.ref, "reason": reason})
        return {"outcome": rules.SKIPPED, "reason": reason}


# ============================================================================================== the page
class LinkInvalid(LookupError):
    """Malformed, tampered or unknown: the page says the link does not work."""


class LinkExpired(LookupError):
    """A genuine link past its expiry: the page says so politely."""


@record
class PublicLink:
    source: str
    name: str
    url: str


@record
class FeedbackView:
    """Everything the landing page shows. `state`: ask | answered | expired."""

    state: str
    lang: str
    clinic: str
    rating: int | None = None
    comment_sent: bool = False
    links: tuple[PublicLink, ...] = ()
    offer_director: bool = False
    director_sent: bool = False
    callback: bool = False
    opted_out: bool = False
    error: str | None = None


class FeedbackPage:
    def __init__(
        self,
        requests: FeedbackRepository,
        policies: PolicyRepository,
        intake: Callable[[], Any],
        secret: Callable[[], bytes],
        now: Callable[[], datetime],
    ):
        self._requests = requests
        self._policies = policies
        self._intake = intake
        self._secret = secret
        self._now = now

    # ------------------------------------------------------------------ reading (GET)
    def view(self, token: str, lang: str | None = None, error: str | None = None) -> FeedbackView:
        request, expired = self._request(token)
        policy, clinic = self._policies.for_clinic(request.clinic_id)
        lang = lang if lang in rules.LANGUAGES else request.lang
        opted_out = bool(request.phone_hash) and self._requests.opted_out(request.phone_hash)
        if expired:
            return FeedbackView("expired", lang, clinic.name, opted_out=opted_out)
        links = self._links(policy, clinic, request.rating, lang)
        return FeedbackView(
            state="ask" if request.rated_at is None else "answered",
            lang=lang,
            clinic=clinic.name,
            rating=request.rating,
            comment_sent=bool(request.comment),
            links=links,
            offer_director=rules.offers_director(request.rating),
            director_sent=request.director_at is not None,
            callback=request.callback,
            opted_out=opted_out,
            error=error,
        )

    # ------------------------------------------------------------------ recording (POST)
    def rate(self, token: str, rating_field: Any, comment_field: Any) -> str | None:
        """Record the stars (and comment) once; returns an error code for the form, or None."""
        request = self._live(token)
        try:
            rating = rules.parse_rating(rating_field)
        except ValueError:
            return "rating"
        if request.rated_at is not None:
            return None  # a double submission: the first answer stands
        comment = rules.clean_comment(comment_field)
        now = self._now()
        policy, _clinic = self._policies.for_clinic(request.clinic_id)
        if comment:
            self._ingest(request, policy, rating, comment, callback=False, at=now)
        self._opened(request, now)
        if not self._requests.record_rating(request.ref, rating, comment, now):
            return None
        self._requests.count(request.chain_id, request.month, request.clinic_id, rated=1, rating_sum=rating)
        if comment and rules.is_unhappy(rating):
            self._complaint(request, now)
        logger.info("feedback rated", extra={"ref": request.ref, "rating": rating, "comment": bool(comment)})
        return None

    def tell_director(self, token: str, message_field: Any, callback_field: Any) -> str | None:
        """The unhappy patient's message to the director and/or a call-back request, once."""
        request = self._live(token)
        if not rules.offers_director(request.rating):
            return "not_offered"
        if request.director_at is not None:
            return None
        message = rules.clean_comment(message_field)
        callback = str(callback_field or "").lower() in ("1", "on", "yes", "true")
        if not message and not callback:
            return "director_empty"
        now = self._now()
        policy, _clinic = self._policies.for_clinic(request.clinic_id)
        words = "\n".join(part for part in (request.comment, message) if part)
        self._ingest(request, policy, request.rating, words, callback=callback, at=now)
        if not self._requests.record_director(request.ref, callback, now):
            return None
        self._complaint(request, now)
        if callback:
            self._requests.count(request.chain_id, request.month, request.clinic_id, callbacks=1)
        logger.info("feedback sent to the director", extra={"ref": request.ref, "callback": callback})
        return None

    def seen(self, token: str) -> None:
        """The page was shown in a real browser (its script reports it; link previews run no script)."""
        request = self._live(token)
        self._opened(request, self._now())

    def click(self, token: str, source: str) -> None:
        """A click on one of the clinic's public review links (counted once per platform and request)."""
        request = self._live(token)
        policy, clinic = self._policies.for_clinic(request.clinic_id)
        if source not in clinic.public_links or not rules.shows_public_links(policy.feedback, request.rating):
            return
        if self._requests.record_click(request.ref, source) and not (request.clicked - {source}):
            self._requests.count(request.chain_id, request.month, request.clinic_id, public_clicks=1)

    def opt_out(self, token: str) -> None:
        """No more requests to this number: works with an expired link too (the HMAC is what counts)."""
        request, _expired = self._request(token)
        if not request.phone_hash:
            return
        if self._requests.opt_out(request.phone_hash, self._now(), "link"):
            self._requests.count(request.chain_id, request.month, request.clinic_id, opt_outs=1)
            logger.info("opted out by link", extra={"ref": request.ref})

    # ------------------------------------------------------------------ internals
    def _request(self, token: str) -> tuple[FeedbackRequest, bool]:
        try:
            parsed = rules.read_token(self._secret(), token)
        except InvalidToken as exc:
            raise LinkInvalid(str(exc)) from None
        request = self._requests.get(parsed.ref)
        if request is None or request.status != rules.SENT:
            raise LinkInvalid("unknown request")
        return request, parsed.expired(self._now())

    def _live(self, token: str) -> FeedbackRequest:
        request, expired = self._request(token)
        if expired:
            raise LinkExpired("the link has expired")
        return request

    def _opened(self, request: FeedbackRequest, now: datetime) -> None:
        if request.opened_at is None and self._requests.mark_opened(request.ref, now):
            self._requests.count(request.chain_id, request.month, request.clinic_id, opened=1)

    def _complaint(self, request: FeedbackRequest, now: datetime) -> None:
        if self._requests.mark_complaint(request.ref, now):
            self._requests.count(request.chain_id, request.month, request.clinic_id, private_complaints=1)

    def _ingest(self, request: FeedbackRequest, policy: Policy, rating: int, words: str, *, callback: bool, at: datetime) -> None:
        visit = VisitContext(request.clinic_id, request.visit_id, request.doctor, request.service)
        review = rules.private_review(visit, rating, words, callback, at, policy.chain.language)
        report = self._intake().ingest([review])
        if report.rejected or report.failed:
            reasons = [r.reason for r in (*report.rejected, *report.failed)]
            raise RuntimeError(f"the private answer of {request.ref} was not stored: {'; '.join(reasons)}")

    @staticmethod
    def _links(policy: Policy, clinic: Clinic, rating: int | None, lang: str) -> tuple[PublicLink, ...]:
        if not rules.shows_public_links(policy.feedback, rating):
            return ()
        return tuple(PublicLink(source, label(SOURCE_NAMES, source, lang), url) for source, url in clinic.public_links.items())


# ============================================================================================== STOP replies
#: First words of a reply that mean "no more messages" (case and punctuation ignored).
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "СТОП", "ОТПИСАТЬСЯ", "ОТПИСКА"})
_FIRST_WORD = re.compile(r"[^\W_]+")


def is_stop(body: str) -> bool:
    match = _FIRST_WORD.search(body or "")
    return bool(match) and match.group(0).upper() in STOP_WORDS


class InboundSms:
    """Two-way SMS replies, as AWS End User Messaging (Pinpoint) SMS publishes them to the inbound topic."""

    def __init__(self, requests: FeedbackRepository, salt: Callable[[], bytes], now: Callable[[], datetime]):
        self._requests = requests
        self._salt = salt
        self._now = now

    def receive(self, message: str | dict[str, Any]) -> str:
        """`opted_out`, `already` (opted out before), `ignored` (not a STOP) or `unreadable`."""
        from clinic_reviews.domain.phones import InvalidPhone, normalize_phone, phone_hash

        try:
            data = parse_json(message) if isinstance(message, str) else message
            body = str(data.get("messageBody") or "")
            sender = normalize_phone(data.get("originationNumber"), None)
        except (ValueError, AttributeError, InvalidPhone):
            return "unreadable"
        if not is_stop(body):
            return "ignored"
        hashed = phone_hash(self._salt(), sender)
        now = self._now()
        if not self._requests.opt_out(hashed, now, "sms"):
            return "already"
        asked = self._requests.last_asked(hashed, now)
        request = self._requests.get(asked[1]) if asked else None
        if request is not None:  # counted under the request the patient answers
            self._requests.count(request.chain_id, request.month, request.clinic_id, opt_outs=1)
        return "opted_out"


# ============================================================================================== figures
def feedback_figures(requests: FeedbackRepository, chain_id: str, month: date | str) -> dict[str, Any]:
    """The month's conversion figures of a chain, in total and by clinic (for the monthly report).

    `month` is a date in the month or `YYYY-MM`; a request counts in the month of its visit (the
    clinic's local day), so its SMS, answer and clicks add up in one month.
    """
    key = month if isinstance(month, str) else month.strftime("%Y-%m")
    clinics = requests.figures(chain_id, key)
    total = {name: sum(figures[name] for figures in clinics.values()) for name in FIGURES}
    return {"chain_id": chain_id, "month": key, "total": _with_rates(total), "clinics": {c: _with_rates(f) for c, f in sorted(clinics.items())}}


def _with_rates(figures: dict[str, int]) -> dict[str, Any]:
    def share(part: str, whole: str) -> float | None:
        return round(figures[part] / figures[whole], 3) if figures[whole] else None

    return {
        **figures,
        "open_rate": share("opened", "sent"),
        "rating_rate": share("rated", "sent"),
        "click_rate": share("public_clicks", "rated"),
        "average_rating": round(figures["rating_sum"] / figures["rated"], 2) if figures["rated"] else None,
    }


__all__ = [
    "STOP_WORDS",
    "FeedbackPage",
    "FeedbackSender",
    "FeedbackView",
    "InboundSms",
    "LinkExpired",
    "LinkInvalid",
    "PublicLink",
    "VisitReport",
    "VisitService",
    "execution_name",
    "feedback_figures",
    "is_stop",
]
