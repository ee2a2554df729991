"""A small router for the function URLs (ack page, feedback page, case console and API): routes by method and
path, errors in the one model of http_errors.py.

Powertools' resolver imports every resolver kind at start (AppSync, Bedrock agents, asyncio, its OpenAPI
exceptions, and with validation pydantic): about a tenth of the pages' cold start and a third of the console's
(issues 18c, 18e). The console's request checks are console/api.py; its OpenAPI document is console/api_doc.py.
Paths match as Powertools matched them: `<name>` is one path segment, no trailing slash; an unknown path or
method is a 404.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import field
from typing import Any

from clinic_reviews import http_input
from clinic_reviews.domain.frozen_records import record
from clinic_reviews.http_errors import HttpError, request_id, unexpected

TEXT_HTML = "text/html"
TEXT_PLAIN = "text/plain"
APPLICATION_JSON = "application/json"
#: One path segment, with the characters Powertools' resolver accepts in one.
_SEGMENT = r"[-._~()'!*:@,;=+&$%<> \[\]{}|^\w]+"


@record
class Response:
    """What a route answers."""

    status_code: int
    body: str
    content_type: str | None = TEXT_HTML  # None: no Content-Type (a redirect)
    headers: dict[str, str] = field(default_factory=dict)
    cookies: list[str] | None = None  # Set-Cookie values

    def event(self) -> dict[str, Any]:
        """The function URL response (the shape Powertools' resolver returned)."""
        headers = {**self.headers, "Content-Type": self.content_type} if self.content_type else dict(self.headers)
        return {"statusCode": self.status_code, "body": self.body, "isBase64Encoded": False,
                "headers": headers, "cookies": list(self.cookies or [])}


def json_text(body: Any) -> str:
    """A JSON body as Powertools' resolver serialized it (compact, ASCII)."""
    return json.dumps(body, ensure_ascii=True, separators=(",", ":"))


@record
class Request:
    """The request a route runs for (`Router.request`)."""

    raw_event: dict[str, Any]

    @property
    def query_string_parameters(self) -> dict[str, str]:
        found = self.raw_event.get("queryStringParameters")
        return {k: v for k, v in found.items() if isinstance(v, str)} if isinstance(found, dict) else {}

    @property
    def headers(self) -> dict[str, str]:
        """Header names in lower case (values that are not text dropped)."""
        return http_input.headers(self.raw_event)


class Router:
    """Routes of one function URL: `@router.get("/a/<link_id>")`, then `router.resolve(event, context)`."""

    def __init__(self, where: str, headers: dict[str, str]) -> None:
        self._where = where
        self._headers = headers
        self._routes: list[tuple[str, str, re.Pattern[str], Callable[..., Response]]] = []
        self._answers: dict[type[BaseException], Callable[[Any], Response]] = {}
        self.request = Request({})

    @property
    def routes(self) -> list[tuple[str, str]]:
        """(method, path) of every route as it was added (`/a/<link_id>`)."""
        return [(method, path) for method, path, _, _ in self._routes]

    def route(self, method: str, path: str) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
        parts = re.split(r"<(\w+)>", path)  # literal, name, literal, ...
        pattern = re.compile("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>{_SEGMENT})" for i, p in enumerate(parts)))

        def register(handler: Callable[..., Response]) -> Callable[..., Response]:
            self._routes.append((method, path, pattern, handler))
            return handler

        return register

    def get(self, path: str) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
        return self.route("GET", path)

    def post(self, path: str) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
        return self.route("POST", path)

    def exception_handler(self, kind: type[BaseException]) -> Callable[[Callable[[Any], Response]], Callable[[Any], Response]]:
        """`@router.exception_handler(SomeError)`: what a route's SomeError (or subclass) is answered with."""

        def register(answer: Callable[[Any], Response]) -> Callable[[Any], Response]:
            self._answers[kind] = answer
            return answer

        return register

    def _answer(self, exc: Exception) -> Callable[[Any], Response] | None:
        """The handler registered for the nearest class of `exc` (as Powertools looked it up)."""
        return next((self._answers[cls] for cls in type(exc).__mro__ if cls in self._answers), None)

    def resolve(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        """The matching route's answer; HttpError and anything unexpected in the one error shape."""
        self.request = Request(event)
        path = event.get("rawPath")
        method = http_input.method(event)
        try:
            for wanted, _, pattern, handler in self._routes:
                found = pattern.fullmatch(path) if isinstance(path, str) and wanted == method else None
                if found:
                    return handler(**found.groupdict()).event()
            return self._json(404, {"message": "not found"})
        except Exception as exc:
            answer = self._answer(exc)
            if answer is not None:
                try:
                    return answer(exc).event()
                except Exception as failed:  # an error handler that fails is a bug like any other
                    exc = failed
            if isinstance(exc, HttpError):
                return self._json(exc.status, exc.body())
            return self._json(500, unexpected(exc, request_id(context, event), self._where))

    def _json(self, status: int, body: dict[str, Any]) -> dict[str, Any]:
        return Response(status, json_text(body), APPLICATION_JSON, self._headers).event()
