"""Contact data of a review's author (the sender of an e-mail), kept apart from the review, with a TTL.

| item            | pk                                   | sk      | expires (TTL)                          |
|-----------------|--------------------------------------|---------|----------------------------------------|
| sender contact  | CONTACT#<clinic>#<source>#<ext. id>  | CONTACT | receipt + the policy's keep_sender_for |

The review's public fields never hold the address or the name; staff read them here (case console) to
answer privately. `verified` is false when SES could not vouch for the sender (docs/sources.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from clinic_reviews.domain.review import ReviewKey
from clinic_reviews.store.models import _Item


class SenderContactItem(_Item):
    kind = UnicodeAttribute(default="sender_contact")
    channel = UnicodeAttribute()
    address = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    verified = BooleanAttribute()
    expires_at = NumberAttribute()


@dataclass(frozen=True)
class SenderContact:
    channel: str  # "email"
    address: str
    name: str | None
    verified: bool
    expires_at: datetime


def _pk(key: ReviewKey) -> str:
    return f"CONTACT#{key.clinic_id}#{key.source}#{key.external_id}"


class SenderContactRepository:
    def put(self, key: ReviewKey, contact: SenderContact) -> None:
        """Store (or overwrite with the same content: a redelivered mail) the sender of review `key`."""
        SenderContactItem(
            _pk(key), "CONTACT", channel=contact.channel, address=contact.address, name=contact.name,
            verified=contact.verified, expires_at=int(contact.expires_at.timestamp()),
        ).save()

    def get(self, key: ReviewKey, now: datetime) -> SenderContact | None:
        """The sender, or None when unknown or past its retention (TTL deletion lags, so it is checked here)."""
        try:
            item = SenderContactItem.get(_pk(key), "CONTACT")
        except SenderContactItem.DoesNotExist:
            return None
        if item.expires_at <= now.timestamp():
            return None
        return SenderContact(
            item.channel, item.address, item.name, bool(item.verified), datetime.fromtimestamp(item.expires_at, UTC)
        )
