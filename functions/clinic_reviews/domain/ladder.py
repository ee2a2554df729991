"""The escalation ladder of one review: who is alerted, through which channel, and when.

Every tier's deadline counts from the receipt of the review in the clinic's business time. A workflow
waits for each tier in turn (they are sorted by due) and alerts its recipients if the review is still
unanswered; non-urgent alerts that fall in the chain's quiet hours wait until `send_at`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from clinic_reviews.domain.policy import Notify, Policy, PolicyError
from clinic_reviews.domain.review import iso_z

THANK_TIER_ID = "thank"


@dataclass(frozen=True)
class Recipient:
    """One alert: a person and one channel, with the address that channel reaches them at."""

    contact_id: str
    name: str
    channel: str
    address: str


@dataclass(frozen=True)
class Tier:
    """One planned step: `due` (UTC) and `due_local` (clinic zone) are the deadline; `send_at` (UTC) is when
    to alert: `due`, or for a non-urgent tier due inside quiet hours, the end of those quiet hours."""

    index: int
    id: str
    due: datetime
    due_local: datetime
    urgent: bool
    recipients: list[Recipient] = field(default_factory=list)
    within: str = ""
    send_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict (ISO 8601 moments: UTC with Z, local with the clinic's offset)."""
        return {
            "index": self.index,
            "id": self.id,
            "within": self.within,
            "urgent": self.urgent,
            "due": iso_z(self.due),
            "due_local": self.due_local.isoformat(timespec="seconds"),
            "send_at": iso_z(self.send_at or self.due),
            "recipients": [vars(r).copy() for r in self.recipients],
        }


def recipients(policy: Policy, clinic_id: str, notify: list[Notify]) -> list[Recipient]:
    """The alerts `notify` asks for at `clinic_id`, skipping channels a person has no address for."""
    result: list[Recipient] = []
    seen: set[tuple[str, str]] = set()
    for item in notify:
        person = policy.contact(item.contact, clinic_id)
        for channel in item.channels:
            address = person.address(channel)
            if address and (item.contact, channel) not in seen:
                seen.add((item.contact, channel))
                result.append(Recipient(item.contact, person.name, channel, address))
    return result


def plan_escalation(
    policy: Policy, clinic_id: str, received_at: datetime, *, legal: bool, source: str | None = None
) -> list[Tier]:
    """The ladder for a negative review received at `received_at`, sorted by due (ties keep policy order).

    `when: legal` tiers apply only when `legal` is true; `index` is the position in the returned list.
    In a strict chain tiers use `TierSpec.effective_within(strict=True)` (an `eod` tier becomes `1h`).
    `source` picks the ladder (`Policy.ladder_for`): a private complaint from the post-visit page
    follows the policy's `feedback.private_ladder`, when it has one.
    """
    clinic = policy.clinic(clinic_id)
    strict = policy.chain.strict
    planned = []
    for spec in policy.ladder_for(source):
        if spec.when == "legal" and not legal:
            continue
        within = spec.effective_within(strict)
        due_local = clinic.calendar.due(received_at, within)
        planned.append((spec, within, due_local))
    planned.sort(key=lambda item: item[2])
    return [
        _tier(policy, clinic_id, i, spec.id, within, due_local, spec.urgent, spec.notify)
        for i, (spec, within, due_local) in enumerate(planned)
    ]


def plan_thank_reminder(policy: Policy, clinic_id: str, received_at: datetime) -> Tier:
    """The reminder to thank the author of a positive review (policy section `positive`)."""
    if policy.positive is None:
        raise PolicyError("positive: the policy has no reminder for positive reviews")
    clinic = policy.clinic(clinic_id)
    within = policy.positive.within
    due_local = clinic.calendar.due(received_at, within)
    return _tier(policy, clinic_id, 0, THANK_TIER_ID, within, due_local, False, policy.positive.notify)


def in_quiet_hours(policy: Policy, clinic_id: str, moment: datetime) -> datetime | None:
    """When the quiet hours around `moment` end (clinic-local), or None if `moment` is outside them."""
    span = policy.chain.quiet_span
    clinic = policy.clinic(clinic_id)
    if span is None:
        return None
    start, end = span
    local = moment.astimezone(clinic.calendar.zone)
    now, today = local.time().replace(tzinfo=None), local.date()
    wraps = end <= start  # e.g. 22:00-08:00 (an end of 24:00 is 00:00 and wraps too)
    if wraps and now >= start:
        ends_on = today + timedelta(days=1)
    elif (wraps and now < end) or (not wraps and start <= now < end):
        ends_on = today
    else:
        return None
    return datetime.combine(ends_on, end, tzinfo=clinic.calendar.zone)


def _tier(
    policy: Policy,
    clinic_id: str,
    index: int,
    tier_id: str,
    within: str,
    due_local: datetime,
    urgent: bool,
    notify: list[Notify],
) -> Tier:
    due = due_local.astimezone(UTC)
    quiet_end = None if urgent else in_quiet_hours(policy, clinic_id, due)
    send_at = due if quiet_end is None else max(due, quiet_end.astimezone(UTC))
    return Tier(
        index=index,
        id=tier_id,
        due=due,
        due_local=due_local,
        urgent=urgent,
        recipients=recipients(policy, clinic_id, notify),
        within=within,
        send_at=send_at,
    )
