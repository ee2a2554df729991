"""One tier of the escalation ladder, as the workflow's task runs it after waiting for the tier's deadline.

Order of checks: the review is answered → stop; the tier is not urgent and it is quiet hours at the
clinic → come back when they end; otherwise notify every recipient of the tier (each delivery
exactly once, SMS over the chain's daily cap goes by e-mail), record the step in the review's
history, move the review's deadline to the next tier, and announce `review.escalated`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from clinic_reviews.domain.intake import HistoryEntry
from clinic_reviews.domain.ladder import in_quiet_hours, plan_escalation
from clinic_reviews.domain.record import ANSWERED
from clinic_reviews.domain.review import ReviewKey, iso_z
from clinic_reviews.events import REVIEW_ESCALATED, Event, EventPublisher, review_event
from clinic_reviews.notify.delivery import Delivery
from clinic_reviews.notify.messages import AlertContext, alert_email, alert_sms
from clinic_reviews.store.counters import Counters
from clinic_reviews.store.policies import PolicyRepository
from clinic_reviews.store.reviews import ReviewRepository

ANSWERED_OUTCOME = "answered"
NOTIFIED = "notified"
DEFERRED = "deferred"


class ReviewNotFound(LookupError):
    pass


@dataclass(frozen=True)
class TierRequest:
    """The workflow's view of one step: which review, the planned ladder, which tier now."""

    key: ReviewKey
    tiers: list[dict[str, Any]]
    index: int
    execution: str

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> "TierRequest":
        ref = event["review"]
        return cls(ReviewKey(ref["clinic_id"], ref["source"], ref["external_id"]), event["tiers"], int(event["i"]), event["execution"])

    @property
    def tier(self) -> dict[str, Any]:
        return self.tiers[self.index]

    @property
    def next_due(self) -> datetime | None:
        if self.index + 1 >= len(self.tiers):
            return None
        return datetime.fromisoformat(self.tiers[self.index + 1]["due"].replace("Z", "+00:00"))


class EscalationService:
    def __init__(
        self,
        reviews: ReviewRepository,
        policies: PolicyRepository,
        delivery: Delivery,
        counters: Counters,
        publisher: EventPublisher,
        now: Callable[[], datetime],
    ):
        self._reviews = reviews
        self._policies = policies
        self._delivery = delivery
        self._counters = counters
        self._publisher = publisher
        self._now = now

    def run_tier(self, request: TierRequest) -> dict[str, Any]:
        now = self._now()
        record = self._reviews.get(request.key)
        if record is None:
            raise ReviewNotFound(f"review {request.key.token()} is not in the store")
        if record.status == ANSWERED and (record.answered_at is None or record.answered_at <= now):
            return {"outcome": ANSWERED_OUTCOME, "at": iso_z(now)}
        policy, clinic = self._policies.for_clinic(request.key.clinic_id)
        tier_spec = request.tier
        quiet_until = None if tier_spec.get("urgent") else in_quiet_hours(policy, clinic.id, now)
        if quiet_until is not None:
            return {"outcome": DEFERRED, "retry_at": iso_z(quiet_until)}
        planned = {t.id: t for t in plan_escalation(policy, clinic.id, record.review.created_at, legal=True)}
        tier = planned.get(tier_spec["id"])
        if tier is None:
            raise LookupError(f"tier {tier_spec['id']!r} is no longer in the policy of chain {policy.chain.id!r}")
        due = datetime.fromisoformat(tier_spec["due"].replace("Z", "+00:00"))
        next_due = request.next_due
        context = AlertContext(
            record=record,
            chain=policy.chain.name,
            clinic=clinic.name,
            clinic_tz=clinic.timezone,
            lang=policy.chain.language,
            tier=tier.id,
            tier_number=request.index + 1,
            tier_count=len(request.tiers),
            due=next_due or due,
            link=record.review.url,
        )
        deliveries = self._deliver(request, policy, clinic, tier.recipients, context, now)
        self._reviews.record_tier(request.key, tier.id, next_due)
        self._reviews.add_history(request.key, [HistoryEntry(now, f"notified:{tier.id}", {"tier": tier.id, "deliveries": deliveries})])
        self._publisher.publish(
            [
                Event(
                    REVIEW_ESCALATED,
                    review_event(REVIEW_ESCALATED, record, now, tier=tier.id, tier_number=request.index + 1).detail
                    | {"event_id": f"{REVIEW_ESCALATED}:{request.key.token()}:{tier.id}"},
                )
            ]
        )
        return {"outcome": NOTIFIED, "tier": tier.id, "deliveries": len(deliveries), "at": iso_z(now)}

    def _deliver(self, request, policy, clinic, recipients, context, now) -> list[dict[str, Any]]:
        sms_text, email = None, None
        results = []
        local_day = now.astimezone(ZoneInfo(clinic.timezone)).date()
        emailed = {r.contact_id for r in recipients if r.channel == "email"}
        for recipient in recipients:
            channel, address = recipient.channel, recipient.address
            key = f"{request.execution}:{request.tier['id']}:{recipient.contact_id}:{channel}"
            if channel == "sms" and not self._counters.take(policy.chain.id, "sms", local_day, policy.chain.sms_daily_cap):
                fallback = policy.contact(recipient.contact_id, clinic.id).email
                results.append({"contact": recipient.contact_id, "channel": "sms", "status": "over_cap"})
                if recipient.contact_id in emailed or not fallback:
                    continue
                channel, address, key = "email", fallback, f"{key}:overflow"
            if channel == "sms":
                sms_text = sms_text or alert_sms(context)
                request_body = {"key": key, "channel": "sms", "to": address, "text": sms_text}
            elif channel == "email":
                email = email or alert_email(context)
                request_body = {
                    "key": key,
                    "channel": "email",
                    "to": address,
                    "subject": email.subject,
                    "html": email.html,
                    "text": email.text,
                    "sender_name": policy.chain.name,
                }
            else:
                results.append({"contact": recipient.contact_id, "channel": channel, "status": "unsupported"})
                continue
            result = self._delivery.deliver(request=request_body)
            results.append({"contact": recipient.contact_id, "channel": channel, "status": "sent", "message_id": result["message_id"]})
        return results
