"""A small router for the function URL pages (ack page, feedback page): routes by method and path, errors in the
one model of http_errors.py.

Powertools' resolver imports every resolver kind at start (AppSync, Bedrock agents, asyncio, its OpenAPI
exceptions): about a tenth of these functions' cold start, to route two to seven paths (issue 18c). The case
console keeps Powertools' resolver: it validates requests and generates its OpenAPI document with it.
Paths match as Powertools matched them: `<name>` is one path segment, no trailing slash; an unknown path or
method is a 404.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from clinic_reviews import http_input
from clinic_reviews.http_errors import HttpError, request_id, unexpected

TEXT_HTML = "text/html"
TEXT_PLAIN = "text/plain"
#: One path segment, with the characters Powertools' resolver accepts in one.
_SEGMENT = r"[-._~()'!*:@,;=+&$%<> \[\]{}|^\w]+"


@dataclass(frozen=True)
class Response:
    """What a route answers."""

    status_code: int
    body: str
    content_type: str = TEXT_HTML
    headers: dict[str, str] = field(default_factory=dict)

    def event(self) -> dict[str, Any]:
        """The function URL response (the shape Powertools' resolver returned)."""
        return {"statusCode": self.status_code, "body": self.body, "isBase64Encoded": False,
                "headers": {**self.headers, "Content-Type": self.content_type}, "cookies": []}


@dataclass(frozen=True)
class Request:
    """The request a route runs for (`Router.request`)."""

    raw_event: dict[str, Any]

    @property
    def query_string_parameters(self) -> dict[str, str]:
        found = self.raw_event.get("queryStringParameters")
        return {k: v for k, v in found.items() if isinstance(v, str)} if isinstance(found, dict) else {}


class Router:
    """Routes of one function URL: `@router.get("/a/<link_id>")`, then `router.resolve(event, context)`."""

    def __init__(self, where: str, headers: dict[str, str]) -> None:
        self._where = where
        self._headers = headers
        self._routes: list[tuple[str, re.Pattern[str], Callable[..., Response]]] = []
        self.request = Request({})

    def route(self, method: str, path: str) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
        parts = re.split(r"<(\w+)>", path)  # literal, name, literal, ...
        pattern = re.compile("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>{_SEGMENT})" for i, p in enumerate(parts)))

        def register(handler: Callable[..., Response]) -> Callable[..., Response]:
            self._routes.append((method, pattern, handler))
            return handler

        return register

    def get(self, path: str) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
        return self.route("GET", path)

    def post(self, path: str) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
        return self.route("POST", path)

    def resolve(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        """The matching route's answer; HttpError and anything unexpected in the one error shape."""
        self.request = Request(event)
        path = event.get("rawPath")
        method = http_input.method(event)
        try:
            for wanted, pattern, handler in self._routes:
                found = pattern.fullmatch(path) if isinstance(path, str) and wanted == method else None
                if found:
                    return handler(**found.groupdict()).event()
            return self._json(404, {"message": "not found"})
        except HttpError as exc:
            return self._json(exc.status, exc.body())
        except Exception as exc:
            return self._json(500, unexpected(exc, request_id(context, event), self._where))

    def _json(self, status: int, body: dict[str, Any]) -> dict[str, Any]:
        text = json.dumps(body, ensure_ascii=True, separators=(",", ":"))
        return Response(status, text, "application/json", self._headers).event()
