"""Acknowledgement links: id -> review, recipient and tier, expiring with the table's TTL."""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from clinic_reviews.domain.frozen_records import record
from clinic_reviews.domain.review import ReviewKey
from clinic_reviews.store.models import _Item

LIFETIME = timedelta(days=14)


class LinkItem(_Item):
    kind = UnicodeAttribute(default="link")
    clinic_id = UnicodeAttribute()
    source = UnicodeAttribute()
    external_id = UnicodeAttribute()
    contact_id = UnicodeAttribute()
    tier_id = UnicodeAttribute()
    expires_at = NumberAttribute()


@record
class Link:
    key: ReviewKey
    contact_id: str
    tier_id: str
    expires_at: datetime


class LinkRepository:
    def put(self, identifier: str, key: ReviewKey, contact_id: str, tier_id: str, now: datetime) -> None:
        """Store (or overwrite with the same content) the link; it expires LIFETIME after `now`."""
        LinkItem(
            f"LINK#{identifier}",
            "LINK",
            clinic_id=key.clinic_id,
            source=key.source,
            external_id=key.external_id,
            contact_id=contact_id,
            tier_id=tier_id,
            expires_at=int((now + LIFETIME).timestamp()),
        ).save()

    def get(self, identifier: str, now: datetime) -> Link | None:
        """The link, or None when unknown or expired (TTL deletion lags, so expiry is checked here)."""
        try:
            item = LinkItem.get(f"LINK#{identifier}", "LINK")
        except LinkItem.DoesNotExist:
            return None
        if item.expires_at <= now.timestamp():
            return None
        return Link(
            ReviewKey(item.clinic_id, item.source, item.external_id),
            item.contact_id,
            item.tier_id,
            datetime.fromtimestamp(item.expires_at, tz=now.tzinfo),
        )
