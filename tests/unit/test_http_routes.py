"""The function URLs' router (http_routes.py: ack and feedback pages, case console, Telegram's webhook) answers as
Powertools' resolver it replaced did: the same routes for the same paths and methods, the same response shape,
errors in the one model."""

from __future__ import annotations

import json

import pytest
from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver, content_types
from aws_lambda_powertools.event_handler import Response as PowertoolsResponse
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from clinic_reviews.http_errors import HttpError, request_id, unexpected
from clinic_reviews.http_routes import Response, Router

HEADERS = {"Cache-Control": "no-store"}


def install(app, where: str, headers: dict[str, str] | None = None) -> None:
    """The reference: how the handlers answered errors on Powertools' resolver before they moved to the router."""

    def respond(status: int, body: dict) -> PowertoolsResponse:
        return PowertoolsResponse(status_code=status, content_type=content_types.APPLICATION_JSON, body=body,
                                  headers=headers)

    @app.exception_handler(HttpError)
    def _http_error(exc: HttpError) -> PowertoolsResponse:
        return respond(exc.status, exc.body())

    @app.exception_handler(NotFoundError)
    def _no_route(exc: NotFoundError) -> PowertoolsResponse:
        return respond(404, {"message": "not found"})

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> PowertoolsResponse:
        context = getattr(app, "lambda_context", None)
        rid = request_id(context, getattr(app.current_event, "raw_event", None))
        return respond(500, unexpected(exc, rid, where))


def _event(method: str, path: str, query: dict | None = None) -> dict:
    return {"version": "2.0", "rawPath": path, "rawQueryString": "", "headers": {}, "queryStringParameters": query,
            "requestContext": {"stage": "$default", "requestId": "req-1", "http": {"method": method, "path": path}},
            "isBase64Encoded": False}


def _apps():
    ours, theirs = Router("test page", HEADERS), LambdaFunctionUrlResolver()
    install(theirs, "test page", HEADERS)
    for app, answer in ((ours, lambda s, b: Response(s, b, headers=HEADERS)),
                        (theirs, lambda s, b: PowertoolsResponse(status_code=s, content_type="text/html", body=b,
                                                                 headers=HEADERS))):
        app.get("/f/<token>")(lambda token, answer=answer: answer(200, f"show {token}"))
        app.post("/f/<token>/director")(lambda token, answer=answer: answer(303, f"told {token}"))

        def refused(token):
            raise HttpError(410, "expired")

        def broken(token):
            raise KeyError("internal")

        app.get("/f/<token>/expired")(refused)
        app.get("/f/<token>/broken")(broken)
    return ours, theirs


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/f/AbC-_09"), ("GET", "/f/a.b~c"), ("GET", "/f/x%20y"), ("GET", "/f/x y"), ("GET", "/f/"), ("GET", "/f/a/"),
    ("GET", "/f/a/b"), ("GET", "//f/a"), ("GET", "/f/a?x=1"), ("POST", "/f/a"), ("HEAD", "/f/a"), ("DELETE", "/f/a"),
    ("POST", "/f/a/director"), ("GET", "/f/a/director"), ("GET", "/f/a/expired"), ("GET", "/f/a/broken"),
    ("GET", "/F/a"), ("GET", "/f/é"), ("GET", "/f/a\nb"), ("GET", "/"), ("GET", ""),
])
def test_the_router_answers_as_powertools_did(method, path):
    ours, theirs = _apps()
    assert ours.resolve(_event(method, path), None) == theirs.resolve(_event(method, path), None)


def test_a_route_reads_its_request():
    app = Router("test page", HEADERS)
    app.get("/a/<link_id>")(lambda link_id: Response(200, json.dumps(app.request.query_string_parameters)))
    answer = app.resolve(_event("GET", "/a/x", {"lang": "en", "odd": 5}), None)
    assert json.loads(answer["body"]) == {"lang": "en"} and answer["headers"]["Content-Type"] == "text/html"


@pytest.mark.parametrize(("method", "path", "outcome"), [
    ("POST", "/telegram", "ok"), ("POST", "/telegram", "refused"), ("POST", "/telegram", "bad"),
    ("POST", "/telegram", "broken"), ("GET", "/telegram", "ok"), ("POST", "/telegram/", "ok"), ("POST", "/", "ok"),
])
def test_telegram_s_webhook_answers_as_on_powertools(method, path, outcome):
    """Telegram's function: no extra headers, a plain-text answer, errors as JSON (handlers/telegram.py)."""
    ours, theirs = Router("telegram", {}), LambdaFunctionUrlResolver()
    install(theirs, "telegram")

    def webhook(answer):
        if outcome == "refused":
            raise HttpError(401, "unauthorized")
        if outcome == "bad":
            raise HttpError(400, "not a Telegram update")
        if outcome == "broken":
            raise RuntimeError("internal")
        return answer(200, "ok")

    ours.post("/telegram")(lambda: webhook(lambda s, b: Response(s, b, "text/plain")))
    theirs.post("/telegram")(lambda: webhook(lambda s, b: PowertoolsResponse(status_code=s, content_type="text/plain",
                                                                              body=b)))
    assert ours.resolve(_event(method, path), None) == theirs.resolve(_event(method, path), None)
