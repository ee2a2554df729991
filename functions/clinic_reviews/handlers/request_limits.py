"""The request-size limit of the public Function URL handlers, checked before anything reads the request.

Each public handler is wrapped in `limit_request_size(max_bytes)`, outermost: a body larger than its limit is
answered 413 from the length of the event's body string alone (no decoding, no parsing, no secret read,
no log of the content). The limits per entry point are in docs/deploy.md ("Public entry points").
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

#: Query strings and headers are bounded by the Function URL service itself (docs/deploy.md); these are bodies.
WEBHOOK_BYTES = 1024 * 1024  # a batch of reviews (services/imports.py MAX_WEBHOOK_BYTES)
CASES_BYTES = 64 * 1024  # a reply of up to 8,000 characters in JSON, or a console form
TELEGRAM_BYTES = 64 * 1024  # one Bot API update (a message is at most 4,096 characters)
FEEDBACK_BYTES = 16 * 1024  # stars, a comment, a message to the director
ACK_BYTES = 4 * 1024  # the acknowledgement form posts nothing but its button


def body_size(event: Any) -> int:
    """The body's size in bytes (base64: from its length), without decoding or parsing it."""
    if not isinstance(event, dict):
        return 0
    body = event.get("body")
    if not isinstance(body, str):
        return 0
    if event.get("isBase64Encoded"):
        return len(body) * 3 // 4 - (2 if body.endswith("==") else 1 if body.endswith("=") else 0)
    return len(body) if body.isascii() else len(body.encode("utf-8", "surrogatepass"))


def too_large(max_bytes: int) -> dict[str, Any]:
    return {
        "statusCode": 413,
        "headers": {"Content-Type": "application/json", "Cache-Control": "no-store"},
        "body": json.dumps({"message": f"request too large: at most {max_bytes // 1024} KB"}),
    }


def limit_request_size(max_bytes: int) -> Callable:
    """Answer 413 before the handler runs when the request's body may exceed `max_bytes`."""

    def wrap(handler: Callable) -> Callable:
        @functools.wraps(handler)
        def bounded(event: Any, context: Any) -> Any:
            if body_size(event) > max_bytes:
                return too_large(max_bytes)
            return handler(event, context)

        bounded.max_request_bytes = max_bytes  # type: ignore[attr-defined]
        return bounded

    return wrap
