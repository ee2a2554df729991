"""Making acknowledgement links for alerts (see domain/links.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from clinic_reviews.domain.links import link_id, link_url
from clinic_reviews.domain.review import ReviewKey
from clinic_reviews.store.links import LinkRepository


class LinkMaker:
    def __init__(self, secret: Callable[[], bytes], base_url: str, links: LinkRepository):
        self._secret = secret
        self._base_url = base_url
        self._links = links

    def make(self, key: ReviewKey, contact_id: str, tier_id: str, now: datetime) -> str:
        identifier = link_id(self._secret(), key, contact_id, tier_id)
        self._links.put(identifier, key, contact_id, tier_id, now)
        return link_url(self._base_url, identifier)
