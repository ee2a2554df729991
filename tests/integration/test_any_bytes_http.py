"""Every HTTP entry point, deployed from template.yaml, fed random requests (hypothesis): odd methods, paths,
headers (non-ASCII signatures, lone surrogates), bodies that are random bytes, not base64, not UTF-8, random
JSON, deeply nested JSON; signed in or not. None may fail the invocation or answer 5xx, and no answer may
carry an exception class name or a stack trace (http_errors.py: the one error model)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from clinic_reviews_local.http import decode_response, function_url_event
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .. import strategies

pytestmark = pytest.mark.integration

START = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
#: Function → paths its routes serve (a random tail is appended).
ENTRY_POINTS = {
    "WebhookFunction": ["/", "/youscan", "/usedesk"],
    "FeedbackFunction": ["/f/x", "/f/x/director", "/f/x/optout", "/f/x/click"],
    "AckFunction": ["/a/x"],
    "CasesFunction": ["/api/cases/c1/actions", "/api/cases/c1/close", "/api/cases/c1/reply", "/api/cases",
                      "/api/analytics", "/console/login", "/console", "/console/cases/c1/reply"],
    "TelegramFunction": ["/telegram"],
}
HEADER_NAMES = ["content-type", "x-clinic-reviews-signature", "x-telegram-bot-api-secret-token", "authorization",
                "cookie", "origin", "host", "x-anything"]
LEAK = re.compile(r"Traceback|\b[A-Z][A-Za-z]+(Error|Exception)\b|File \"/")

any_text = strategies.any_text(max_size=30)
json_values = strategies.json_values(any_text, max_leaves=10)
bodies = st.one_of(
    st.none(),
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.just(b"[" * 20_000),
    st.just(b'{"kind": "patient_called", "note": "' + b"\xff\xfe" * 10 + b'"}'),
)
#: What the Function URL service would never send, but a broken proxy or a test might.
mutations = st.sampled_from(["none", "not base64", "surrogate text", "no headers", "no request context", "body object"])


def _mutate(event: dict, how: str, text: str) -> dict:
    if how == "not base64":
        return {**event, "body": text + "%%%", "isBase64Encoded": True}
    if how == "surrogate text":
        return {**event, "body": text + "\ud800", "isBase64Encoded": False}
    if how == "no headers":
        return {**event, "headers": None}
    if how == "no request context":
        return {k: v for k, v in event.items() if k != "requestContext"}
    if how == "body object":
        return {**event, "body": {"a": 1}, "isBase64Encoded": False}
    return event


@pytest.fixture(scope="module")
def stack(policy):
    from clinic_reviews_local.stack import LocalStack

    with LocalStack(start=START) as aws:
        aws.put_policy(policy)
        yield aws


_TOKENS: dict[int, str] = {}


def _bearer(stack, policy) -> str:
    """The review manager's ID token from the local user pool, signed in once per stack."""
    from clinic_reviews_local.console import token_for

    if id(stack) not in _TOKENS:
        _TOKENS[id(stack)] = token_for(stack, policy, "review_manager")
    return _TOKENS[id(stack)]


@pytest.mark.parametrize("function", sorted(ENTRY_POINTS))
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    method=st.sampled_from(["POST", "POST", "POST", "GET", "PUT"]),
    prefix=st.integers(0, 20),
    tail=st.just("") | st.just("") | any_text,  # the routes themselves, half of the time
    headers=st.dictionaries(st.sampled_from(HEADER_NAMES), any_text, max_size=4),
    body=bodies,
    how=mutations,
    signed_in=st.booleans(),
)
def test_no_request_fails_an_entry_point_or_leaks_an_internal(stack, policy, function, method, prefix, tail, headers,
                                                              body, how, signed_in):
    paths = ENTRY_POINTS[function]
    path = paths[prefix % len(paths)] + tail.replace("?", "").replace("#", "")
    if signed_in and function == "CasesFunction":
        headers = {**headers, "authorization": f"Bearer {_bearer(stack, policy)}"}
    event = _mutate(function_url_event(method, "/", body, headers), how, tail)
    event["rawPath"] = path
    if isinstance(event.get("requestContext"), dict):
        event["requestContext"]["http"]["path"] = path
    result = stack.invoke(function, event)  # raises on a failed invocation (an unhandled exception)
    status, _, data = decode_response(result)
    text = data.decode("utf-8", "replace")
    assert status < 500, (function, status, text[:300])
    assert not LEAK.search(text), (function, status, text[:300])


def test_an_unexpected_error_is_answered_with_a_request_id_and_nothing_internal(stack, policy):
    """A bug (here: the case store raising KeyError) is logged and answered generically, never as a 404 naming a key."""
    from clinic_reviews.handlers import cases
    from clinic_reviews.settings import get_settings

    class Broken(cases.Services):
        @property
        def cases(self):
            raise KeyError("internal_key_name")

    event = function_url_event("GET", "/api/cases", None, {"authorization": f"Bearer {_bearer(stack, policy)}"})
    with stack.in_function("CasesFunction") as function:
        function.provide(cases.services, Broken(get_settings()))
    try:
        status, _, data = decode_response(stack.invoke("CasesFunction", event))
    finally:
        function.forget(cases.services)
    body = json.loads(data)
    assert status == 500 and body["request_id"] and body["request_id"] in body["message"]
    assert "internal_key_name" not in data.decode() and "KeyError" not in data.decode()
