"""One error model for every HTTP entry point (the functions behind Lambda function URLs).

- `HttpError(status, message)`: the one exception a handler raises to answer an error; `message` is
  public (shown to the caller as it is), so it never holds input, internals or class names.
- Anything else that escapes is logged with the request id and answered 500 with a generic message and
  that id, which is what a caller quotes to support (http_routes.py's `Router` for the routes, `guarded`
  around the handler, which also covers what fails before any route runs: odd bytes, a broken event).

Every error body is JSON `{"message", "request_id"?, "problems"?}`.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Callable
from typing import Any

from clinic_reviews.observability import logger

GENERIC = "internal error: the request was not completed; try again, quoting request id {request_id}"


class HttpError(Exception):
    """An answer with a status and a public message (and, for bad input, the problems found)."""

    def __init__(self, status: int, message: str, problems: list[Any] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = problems

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message}
        if self.problems is not None:
            body["problems"] = self.problems
        return body


def request_id(context: Any = None, event: Any = None) -> str:
    """The Lambda request id, else the function URL's, else a fresh one (never raises)."""
    found = getattr(context, "aws_request_id", None)
    if not isinstance(found, str) or not found:
        request_context = event.get("requestContext") if isinstance(event, dict) else None
        found = request_context.get("requestId") if isinstance(request_context, dict) else None
    return found if isinstance(found, str) and found.isascii() and 0 < len(found) <= 100 else uuid.uuid4().hex


def unexpected(exc: BaseException, rid: str, where: str) -> dict[str, Any]:
    """Log an unexpected error with its request id; the generic body that answers it."""
    logger.error(f"{where}: unexpected error", exc_info=exc, extra={"request_id": rid})
    return {"message": GENERIC.format(request_id=rid), "request_id": rid}


def json_response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
    """A function URL response with a JSON body."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "body": json.dumps(body, ensure_ascii=True),
    }


def _is_http(event: Any) -> bool:
    """A function URL event (payload 2.0) as far as the resolvers read it."""
    context = event.get("requestContext") if isinstance(event, dict) else None
    http = context.get("http") if isinstance(context, dict) else None
    return isinstance(http, dict) and isinstance(http.get("method"), str) and isinstance(event.get("rawPath", "/"), str)


def guarded(where: str) -> Callable:
    """Decorate a function URL handler `(event, context)`: an HttpError or anything unexpected that escapes
    it becomes the one error shape (the last line of defence; routes answer their own errors first)."""

    def wrap(handler: Callable) -> Callable:
        @functools.wraps(handler)
        def run(event: Any, context: Any) -> dict[str, Any]:
            if not _is_http(event):
                return json_response(400, {"message": "not an HTTP request"})
            try:
                return handler(event, context)
            except HttpError as exc:
                return json_response(exc.status, exc.body())
            except Exception as exc:
                rid = request_id(context, event)
                return json_response(500, unexpected(exc, rid, where))

        return run

    return wrap
