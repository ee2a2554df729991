"""Signed acknowledgement links: `<base>/a/<id>`, where the id is an HMAC only the deployment can make.

The id is derived from the review, the recipient and the tier with the deployment's secret, so a
retried step makes the same link, nobody can forge one, and the id carries nothing personal. The
store maps the id to the review (with an expiry); the link page asks for a click before it changes
anything, because messengers and mail scanners open links on their own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from clinic_reviews.domain.review import ReviewKey

ID_LENGTH = 22
_ID = re.compile(rf"^[A-Za-z0-9_-]{{{ID_LENGTH}}}$")


def link_id(secret: bytes, key: ReviewKey, contact_id: str, tier_id: str) -> str:
    message = "\x1f".join((*key, contact_id, tier_id)).encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:ID_LENGTH]


def is_well_formed(candidate: str) -> bool:
    """Cheap check before any lookup: garbage never reaches the table."""
    return bool(_ID.match(candidate or ""))


def link_url(base_url: str, identifier: str) -> str:
    return f"{base_url.rstrip('/')}/a/{identifier}"
