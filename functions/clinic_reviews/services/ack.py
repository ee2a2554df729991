"""A manager's acknowledgement through a signed link: the review counts as answered, escalation stops."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from clinic_reviews.domain.frozen_records import record
from clinic_reviews.domain.links import is_well_formed
from clinic_reviews.domain.record import ANSWERED, ReviewRecord
from clinic_reviews.store.links import LinkRepository
from clinic_reviews.store.policies import PolicyRepository
from clinic_reviews.store.reviews import ReviewRepository


class LinkNotFound(LookupError):
    """Unknown, malformed or expired link (the page says so; nothing else is revealed)."""


@record
class AckView:
    record: ReviewRecord
    clinic: str
    clinic_tz: str
    lang: str
    contact: str
    just_acknowledged: bool = False


class AckService:
    def __init__(
        self,
        links: LinkRepository,
        reviews: ReviewRepository,
        policies: PolicyRepository,
        now: Callable[[], datetime],
    ):
        self._links = links
        self._reviews = reviews
        self._policies = policies
        self._now = now

    def view(self, identifier: str) -> AckView:
        link = self._link(identifier)
        record = self._reviews.get(link.key)
        if record is None:
            raise LinkNotFound("the review is no longer stored")
        policy, clinic = self._policies.for_clinic(link.key.clinic_id)
        contact = policy.contact(link.contact_id, clinic.id)
        return AckView(record, clinic.name, clinic.timezone, policy.chain.language, contact.name)

    def acknowledge(self, identifier: str) -> AckView:
        """Mark the review answered by the link's recipient; a second click changes nothing. The write itself
        announces review.answered (store/outbox.py)."""
        link = self._link(identifier)
        changed = self._reviews.mark_answered(link.key, self._now(), f"ack:{link.contact_id}")
        view = self.view(identifier)
        return AckView(**{**view.__dict__, "just_acknowledged": changed})

    def _link(self, identifier: str):
        if not is_well_formed(identifier):
            raise LinkNotFound("malformed link")
        link = self._links.get(identifier, self._now())
        if link is None:
            raise LinkNotFound("unknown or expired link")
        return link


__all__ = ["AckService", "AckView", "LinkNotFound", "ANSWERED"]
