"""The ack and feedback pages' router (http_routes.py) answers as Powertools' resolver it replaced did: the same
routes for the same paths and methods, the same response shape, errors in the one model."""

from __future__ import annotations

import json

import pytest
from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver
from aws_lambda_powertools.event_handler import Response as PowertoolsResponse
from clinic_reviews.http_errors import HttpError, install
from clinic_reviews.http_routes import Response, Router

HEADERS = {"Cache-Control": "no-store"}


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
