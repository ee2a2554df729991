"""YouScan mentions and Usedesk tickets, as their webhooks send them, into reviews (docs/sources.md).

**YouScan** (a topic's Settings → Integrations → Webhook) POSTs one mention per request (its
`WebhookMention`: `topicId`, `mentionId`, `published`, `postType`, `resourceType` always there, null
fields left out, the topic's keywords wrapped in `<b>` in `title` and `text`). YouScan signs nothing;
the URL may carry HTTP Basic credentials, so the URL given to YouScan is
`https://youscan:<channel token>@<WebhookUrl host>/youscan?clinic_id=<clinic>` and the request's
`Authorization: Basic` must carry that token. Spam and reposts are acknowledged and not stored.

**Usedesk** (Channels → API, "JSON request", the Redirect url) POSTs `{"secret": <the API channel's
token>, "ticket": {"id", "subject", "message", "email", "published_at": "YYYY-MM-DD HH:MM:SS", ...}}`
for a new ticket; comments, changes and ratings have other shapes and are acknowledged and ignored. The
Redirect url is `<WebhookUrl>usedesk?clinic_id=<clinic>&token=<channel token>`. The client's e-mail is
not kept on the review (contact data stays in Usedesk, which the team answers from).

`channel_token(secret, channel)` derives each channel's token from the webhook secret (HMAC-SHA256), so
rotating the secret rotates them (docs/sources.md says how to print them). Pure code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import re
from collections.abc import Mapping
from typing import Any

YOUSCAN = "youscan"
USEDESK = "usedesk"
_TAGS = re.compile(r"<[^>]{0,200}>")
_LANGS = {"rus": "ru", "eng": "en", "ru": "ru", "en": "en"}


class ChannelRefused(ValueError):
    """The request does not carry the channel's token."""


def channel_token(secret: bytes, channel: str) -> str:
    return hmac.new(secret, f"channel:{channel}".encode(), hashlib.sha256).hexdigest()[:40]


def verify_basic(authorization: str | None, expected: str) -> None:
    """YouScan: `Authorization: Basic base64(<user>:<token>)` with the channel's token as the password."""
    scheme, _, value = (authorization or "").partition(" ")
    try:
        password = base64.b64decode(value, validate=True).decode().partition(":")[2]
    except (ValueError, UnicodeDecodeError):
        password = ""
    if scheme.lower() != "basic" or not hmac.compare_digest(password.encode(), expected.encode()):
        raise ChannelRefused("missing or wrong credentials")


def verify_token(token: str | None, expected: str) -> None:
    """Usedesk: `?token=` in the Redirect url."""
    if not hmac.compare_digest((token or "").encode(), expected.encode()):
        raise ChannelRefused("missing or wrong token")


def _plain(value: Any) -> str:
    return html.unescape(_TAGS.sub("", value)).strip() if isinstance(value, str) else ""


def youscan_review(mention: Any) -> dict[str, Any] | None:
    """A review from one mention; None for spam and reposts. ValueError for a body that is not a mention."""
    if not isinstance(mention, Mapping) or "mentionId" not in mention or not mention.get("published"):
        raise ValueError("not a YouScan mention (mentionId and published are required)")
    if mention.get("spam") or mention.get("postType") in ("repost", "extendedRepost"):
        return None
    text = "\n".join(part for part in (_plain(mention.get("title")), _plain(mention.get("text"))) if part)
    rating = mention.get("rating")
    author = mention.get("author") if isinstance(mention.get("author"), Mapping) else {}
    return {
        "source": YOUSCAN,
        "external_id": str(mention["mentionId"]),
        "rating": round(rating) if isinstance(rating, int | float) and 1 <= rating <= 5 else None,
        "text": text,
        "author": author.get("name") or author.get("nickname"),
        "created_at": mention["published"],
        "url": mention.get("url"),
        "lang": _LANGS.get(str(mention.get("language", "")).lower()),
    }


def usedesk_review(payload: Any) -> dict[str, Any] | None:
    """A review from a new ticket; None for the other webhook kinds. ValueError for a malformed ticket."""
    ticket = payload.get("ticket") if isinstance(payload, Mapping) else None
    if not isinstance(ticket, Mapping) or "message" not in ticket:
        return None
    if not ticket.get("id") or not ticket.get("published_at"):
        raise ValueError("a Usedesk ticket needs its id and published_at")
    text = "\n".join(part for part in (_plain(ticket.get("subject")), _plain(ticket.get("message"))) if part)
    return {
        "source": USEDESK,
        "external_id": str(ticket["id"]),
        "rating": None,
        "text": text,
        "author": None,
        "created_at": str(ticket["published_at"]),
        "url": None,
    }
