"""One tier of the escalation ladder, as the workflow's task runs it after waiting for the tier's deadline.

Order of checks: the review is answered → stop; the tier is not urgent and it is quiet hours at the
clinic → come back when they end; otherwise notify every recipient of the tier (each delivery
exactly once; SMS over the chain's daily cap goes by e-mail), record the step in the review's
history, move the review's deadline to the next tier, and announce `review.escalated`.
The same step serves the one-tier reminder to thank the author of a positive review (tier `thank`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from clinic_reviews.domain.intake import HistoryEntry
from clinic_reviews.domain.ladder import THANK_TIER_ID, Recipient, in_quiet_hours, recipients
from clinic_reviews.domain.record import ANSWERED, ReviewRecord
from clinic_reviews.domain.review import ReviewKey, from_iso, iso_z
from clinic_reviews.notify.delivery import Delivery
from clinic_reviews.services.links import LinkMaker
from clinic_reviews.store.counters import Counters
from clinic_reviews.store.policies import PolicyRepository
from clinic_reviews.store.reviews import ReviewRepository

if TYPE_CHECKING:
    from clinic_reviews.notify.messages import AlertContext

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
    def from_event(cls, event: dict[str, Any]) -> TierRequest:
        ref = event["review"]
        key = ReviewKey(ref["clinic_id"], ref["source"], ref["external_id"])
        return cls(key, event["tiers"], int(event["i"]), event["execution"])

    @property
    def tier(self) -> dict[str, Any]:
        return self.tiers[self.index]

    @property
    def next_due(self) -> datetime | None:
        if self.index + 1 >= len(self.tiers):
            return None
        return from_iso(self.tiers[self.index + 1]["due"])


class EscalationService:
    def __init__(
        self,
        reviews: ReviewRepository,
        policies: PolicyRepository,
        delivery: Delivery,
        counters: Counters,
        now: Callable[[], datetime],
        links: LinkMaker | None = None,
    ):
        self._reviews = reviews
        self._policies = policies
        self._delivery = delivery
        self._counters = counters
        self._now = now
        self._links = links

    def run_tier(self, request: TierRequest) -> dict[str, Any]:
        now = self._now()
        record = self._reviews.get(request.key)
        if record is None:
            raise ReviewNotFound(f"review {request.key.token()} is not in the store")
        if record.status == ANSWERED and (record.answered_at is None or record.answered_at <= now):
            return {"outcome": ANSWERED_OUTCOME, "at": iso_z(now)}
        policy, clinic = self._policies.for_clinic(request.key.clinic_id)
        quiet_until = None if request.tier.get("urgent") else in_quiet_hours(policy, clinic.id, now)
        if quiet_until is not None:
            return {"outcome": DEFERRED, "retry_at": iso_z(quiet_until)}
        tier_id = request.tier["id"]
        people = self._recipients(policy, record, tier_id)
        next_due = request.next_due
        answer_by = next_due or from_iso(request.tier["due"])
        deliveries = self._deliver(request, policy, clinic, record, tier_id, people, answer_by, now)
        self._reviews.record_tier(request.key, tier_id, next_due, now, request.index + 1)  # announces review.escalated
        self._reviews.add_history(
            request.key,
            [HistoryEntry(now, f"notified:{tier_id}", {"tier": tier_id, "deliveries": deliveries})],
            record.expires_at,
        )
        return {"outcome": NOTIFIED, "tier": tier_id, "deliveries": len(deliveries), "at": iso_z(now)}

    @staticmethod
    def _recipients(policy, record: ReviewRecord, tier_id: str) -> list[Recipient]:
        """Who the tier alerts as the policy says now (a contact changed since intake is honoured).

        The deadlines were planned at intake and travel in the execution: only the tier's `notify` is read.
        """
        if tier_id == THANK_TIER_ID:
            notify = None if policy.positive is None else policy.positive.notify
        else:
            notify = next((s.notify for s in policy.ladder_for(record.review.source) if s.id == tier_id), None)
        if notify is None:
            raise LookupError(f"tier {tier_id!r} is no longer in the policy of chain {policy.chain.id!r}")
        return recipients(policy, record.review.clinic_id, notify)

    def _deliver(self, request, policy, clinic, record, tier_id: str, people: list[Recipient], answer_by: datetime,
                 now: datetime) -> list[dict[str, Any]]:
        # The messages (jinja2, the templates) only when a tier alerts: not for an answered review or in quiet hours.
        from clinic_reviews.notify.messages import AlertContext

        local_day = now.astimezone(ZoneInfo(clinic.timezone)).date()
        emailed = {r.contact_id for r in people if r.channel == "email"}
        ack_links = {r.contact_id: self._ack_link(record, r, tier_id, now) for r in people}
        results = []
        for recipient in people:
            key = f"{request.execution}:{tier_id}:{recipient.contact_id}:{recipient.channel}"
            channel, address = recipient.channel, recipient.address
            cap = policy.chain.sms_daily_cap
            if channel == "sms" and not self._counters.take(policy.chain.id, "sms", local_day, cap, once=key):
                results.append({"contact": recipient.contact_id, "channel": "sms", "status": "over_cap"})
                fallback = policy.contact(recipient.contact_id, clinic.id).email
                if recipient.contact_id in emailed or not fallback:
                    continue
                channel, address, key = "email", fallback, f"{key}:overflow"
            if channel not in ("sms", "email", "chat"):
                results.append({"contact": recipient.contact_id, "channel": channel, "status": "unsupported"})
                continue
            context = AlertContext(
                record=record,
                chain=policy.chain.name,
                clinic=clinic.name,
                clinic_tz=clinic.timezone,
                lang=policy.chain.language,
                tier=tier_id,
                tier_number=request.index + 1,
                tier_count=len(request.tiers),
                due=answer_by,
                link=record.review.url,
                ack_link=ack_links[recipient.contact_id],
                kind="thank" if tier_id == THANK_TIER_ID else "negative",
            )
            try:
                result = self._delivery.deliver(request=self._message(key, channel, address, context, policy.chain.name))
            except Exception as exc:  # a chat that refuses for good (no bot token, bot not in the group) never blocks SMS/e-mail
                if channel != "chat" or getattr(exc, "retryable", True):
                    raise
                results.append({"contact": recipient.contact_id, "channel": channel, "status": "failed", "reason": str(exc)[:120]})
                continue
            results.append({"contact": recipient.contact_id, "channel": channel, "status": "sent", "message_id": result["message_id"]})
        return results

    def _ack_link(self, record: ReviewRecord, recipient: Recipient, tier_id: str, now: datetime) -> str | None:
        if self._links is None:
            return None
        return self._links.make(record.key, recipient.contact_id, tier_id, now)

    @staticmethod
    def _message(key: str, channel: str, address: str, context: AlertContext, sender_name: str) -> dict[str, Any]:
        from clinic_reviews.notify.messages import alert_email, alert_sms

        if channel == "sms":
            return {"key": key, "channel": "sms", "to": address, "text": alert_sms(context)}
        if channel == "chat":  # the team's Telegram group or a person's chat; a negative carries its case's buttons
            from clinic_reviews.notify.telegram import alert_chat

            case_id = context.record.key.token() if context.kind == "negative" else None
            return {"key": key, "channel": "chat", "to": address, "text": alert_chat(context), "case_id": case_id,
                    "lang": context.lang}
        email = alert_email(context)
        return {
            "key": key,
            "channel": "email",
            "to": address,
            "subject": email.subject,
            "html": email.html,
            "text": email.text,
            "sender_name": sender_name,
        }
