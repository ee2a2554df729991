"""The YouScan and Usedesk webhooks on the deployed WebhookFunction: the channel token first, then the review
through the intake (classified, escalated like any negative); a repeat stores nothing; ignored kinds answer 200."""

from __future__ import annotations

import base64
import json

from clinic_reviews_local.api_calls import paused

from .test_fetch_pipeline import _function_url_event, stored

FIXTURES = __import__("pathlib").Path(__file__).resolve().parents[1] / "fixtures" / "channels"


def _event(path: str, body: bytes, query: dict, headers: dict | None = None) -> dict:
    event = _function_url_event(body, None, query)
    event["rawPath"] = path
    event["requestContext"]["http"]["path"] = path
    event["headers"].update(headers or {})
    return event


def test_youscan_and_usedesk_reach_the_intake_with_their_tokens(aws):
    from clinic_reviews.sources.helpdesk import channel_token

    with paused():
        secret = aws.secret_value("WebhookSecret")
    youscan = channel_token(secret.encode(), "youscan")
    mention = (FIXTURES / "youscan_mention.json").read_bytes()
    basic = {"authorization": "Basic " + base64.b64encode(f"youscan:{youscan}".encode()).decode()}
    refused = aws.invoke("WebhookFunction", _event("/youscan", mention, {"clinic_id": "msk-arbat"}))
    assert refused["statusCode"] == 401 and stored(aws, "msk-arbat", "youscan") == []
    answer = aws.invoke("WebhookFunction", _event("/youscan", mention, {"clinic_id": "msk-arbat"}, basic))
    assert answer["statusCode"] == 200 and json.loads(answer["body"])["new"] == 1
    again = aws.invoke("WebhookFunction", _event("/youscan", mention, {"clinic_id": "msk-arbat"}, basic))
    assert json.loads(again["body"])["new"] == 0 and json.loads(again["body"])["unchanged"] == 1
    (record,) = stored(aws, "msk-arbat", "youscan")
    assert record["sentiment"] == "negative" and {"S": "waiting"} in record["topics"]
    assert len(aws.executions()) == 1  # the negative mention is escalated, not only stored

    usedesk = channel_token(secret.encode(), "usedesk")
    ticket = (FIXTURES / "usedesk_ticket.json").read_bytes()
    wrong = aws.invoke("WebhookFunction", _event("/usedesk", ticket, {"clinic_id": "msk-arbat", "token": youscan}))
    assert wrong["statusCode"] == 401
    answer = aws.invoke("WebhookFunction", _event("/usedesk", ticket, {"clinic_id": "msk-arbat", "token": usedesk}))
    assert answer["statusCode"] == 200 and json.loads(answer["body"])["new"] == 1
    (record,) = stored(aws, "msk-arbat", "usedesk")
    assert record["created_at"] == "2026-12-07T09:07:33Z"  # 12:07 in Moscow
    assert "mail.example" not in json.dumps(record, ensure_ascii=False) and "author" not in record
    comment = json.dumps({"secret": "x", "comment": {"id": 7, "message": "спасибо"}}).encode()
    ignored = aws.invoke("WebhookFunction", _event("/usedesk", comment, {"clinic_id": "msk-arbat", "token": usedesk}))
    assert ignored["statusCode"] == 200 and json.loads(ignored["body"]) == {"ignored": 1}
    assert aws.lambdas.errors == []
