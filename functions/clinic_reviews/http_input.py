"""Reading a function URL request whatever it holds: odd bytes become a 400, never an exception.

Powertools' `decoded_body`/`json_body` raise on a body that is not base64, not UTF-8 or nested too
deeply; every HTTP entry point reads its body, headers and query through these instead.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import parse_qs

from clinic_reviews.domain.safe_text import BadJson, parse_json, printable
from clinic_reviews.http_errors import HttpError

#: BadJson reasons that Python's own parser raises on instead of a JSONDecodeError.
UNPARSABLE = ("nested too deeply", "a number out of range")


def body_bytes(event: Any, limit: int | None = None) -> bytes:
    """The body's bytes (base64 decoded when flagged); HttpError 400 or 413 when it cannot be read."""
    raw = event.get("body") if isinstance(event, dict) else None
    if raw is None or raw == "":
        return b""
    if not isinstance(raw, str):
        raise HttpError(400, "the body is not text")
    if limit is not None and len(raw) > 2 * limit:  # cheap early refusal before decoding
        raise HttpError(413, f"the body is larger than {limit // 1024} KB")
    if event.get("isBase64Encoded"):
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise HttpError(400, "the body is not valid base64") from None
    else:
        data = raw.encode("utf-8", "surrogatepass")  # a lone surrogate stays invalid UTF-8
    if limit is not None and len(data) > limit:
        raise HttpError(413, f"the body is larger than {limit // 1024} KB")
    return data


def body_text(event: Any, limit: int | None = None) -> str:
    """The body as text; bytes that are not UTF-8 become U+FFFD (forms are then validated field by field)."""
    return body_bytes(event, limit).decode("utf-8", "replace")


def json_body(event: Any, limit: int | None = None) -> Any:
    """The body as JSON; HttpError 400 naming why when it is not."""
    try:
        return parse_json(body_bytes(event, limit))
    except BadJson as exc:
        raise HttpError(400, f"the body is not JSON: {exc}") from None


def headers(event: Any) -> dict[str, str]:
    """Header names in lower case; values that are not text are dropped."""
    found = event.get("headers") if isinstance(event, dict) else None
    if not isinstance(found, dict):
        return {}
    return {str(k).lower(): v for k, v in found.items() if isinstance(v, str)}


def query(event: Any, name: str) -> str | None:
    """A query string parameter, or None when absent, empty or not text."""
    found = event.get("queryStringParameters") if isinstance(event, dict) else None
    value = found.get(name) if isinstance(found, dict) else None
    return value if isinstance(value, str) and value else None


def method(event: Any) -> str:
    """The HTTP method of a function URL event (POST when the event does not say)."""
    context = event.get("requestContext") if isinstance(event, dict) else None
    http = context.get("http") if isinstance(context, dict) else None
    value = http.get("method") if isinstance(http, dict) else None
    return value if isinstance(value, str) else "POST"


def form(event: Any, limit: int, max_fields: int = 50) -> dict[str, str]:
    """A posted URL-encoded form: first value of each field, control characters dropped; {} when unreadable."""
    try:
        text = body_text(event, limit)
        fields = parse_qs(text, keep_blank_values=True, max_num_fields=max_fields)
    except (HttpError, ValueError):  # too large, not base64, too many fields
        return {}
    return {printable(key): printable(values[0]) for key, values in fields.items()}


def readable(event: dict[str, Any], limit: int) -> dict[str, Any]:
    """The event with its body as plain UTF-8 text (base64 decoded), for a resolver that reads it itself;
    HttpError 400/413 for a body that is not UTF-8 or is too large."""
    data = body_bytes(event, limit)
    if not data:
        return event
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(400, "the body is not UTF-8 text") from None
    content_type = headers(event).get("content-type", "")
    if "json" in content_type:
        json_body({"body": text})  # 400 for what Powertools' parser would raise on (deep nesting, huge numbers)
    elif "form" not in content_type:  # Powertools reads other bodies as JSON too
        try:
            parse_json(text)
        except BadJson as exc:
            if str(exc) in UNPARSABLE:
                raise HttpError(400, f"the body is not JSON: {exc}") from None
    return {**event, "body": text, "isBase64Encoded": False}
