"""The Telegram client: bounded retries, Telegram's 429 `retry_after` honoured, no token in errors, the alert's buttons."""

from __future__ import annotations

import json

import httpx
import pytest
from clinic_reviews.notify.telegram import MAX_RETRY_AFTER, TelegramClient, TelegramError, case_keyboard
from clinic_reviews.sources.http import SourceHttp, make_client

TOKEN = "123:secret-token"


def client(responses: list[httpx.Response], sleeps: list[float], seen: list[httpx.Request] | None = None):
    queue = list(responses)

    def handle(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return queue.pop(0)

    http = SourceHttp("telegram", make_client(transport=httpx.MockTransport(handle)), sleep=sleeps.append, rand=lambda: 0.5)
    return TelegramClient(http, lambda: TOKEN)


def ok(result) -> httpx.Response:
    return httpx.Response(200, json={"ok": True, "result": result})


def too_many(after: float) -> httpx.Response:
    body = {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {after}",
            "parameters": {"retry_after": after}}
    return httpx.Response(429, json=body)


def test_send_message_with_the_case_buttons():
    seen: list[httpx.Request] = []
    telegram = client([ok({"message_id": 77})], [], seen)
    message_id = telegram.send_message("-1001", "Негатив 1★", case_keyboard("a" * 24))
    assert message_id == "77"
    request = seen[0]
    assert request.url.path == f"/bot{TOKEN}/sendMessage"
    payload = json.loads(request.content)
    buttons = payload["reply_markup"]["inline_keyboard"][0]
    assert [b["text"] for b in buttons] == ["Взять", "Бонус", "Готово"]
    assert [b["callback_data"] for b in buttons] == [f"{a}:{'a' * 24}" for a in ("take", "bonus", "done")]
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)  # Telegram's limit


def test_429_waits_exactly_retry_after_then_succeeds():
    sleeps: list[float] = []
    telegram = client([too_many(3), too_many(2), ok({"message_id": 1})], sleeps)
    assert telegram.send_message("-1001", "x") == "1"
    assert sleeps == [3.0, 2.0]


def test_5xx_and_timeouts_are_retried_with_backoff_and_bounded():
    sleeps: list[float] = []
    telegram = client([httpx.Response(502)] * 4, sleeps)
    with pytest.raises(TelegramError) as raised:
        telegram.send_message("-1001", "x")
    assert raised.value.retryable and len(sleeps) == 3  # 4 attempts, 3 waits
    assert sleeps == [0.25, 0.5, 1.0]  # 0.5 s doubling, jitter fixed at half here
    assert TOKEN not in str(raised.value)


def test_a_long_rate_limit_gives_up_at_once_for_the_callers_retry():
    sleeps: list[float] = []
    telegram = client([too_many(MAX_RETRY_AFTER + 30)], sleeps)
    with pytest.raises(TelegramError, match="rate limited") as raised:
        telegram.send_message("-1001", "x")
    assert raised.value.retryable and sleeps == []


def test_a_refusal_is_not_retried():
    sleeps: list[float] = []
    refused = httpx.Response(400, json={"ok": False, "error_code": 400, "description": "Bad Request: chat not found"})
    telegram = client([refused], sleeps)
    with pytest.raises(TelegramError, match="chat not found") as raised:
        telegram.send_message("-1001", "x")
    assert not raised.value.retryable and sleeps == []


def test_no_token_no_call():
    http = SourceHttp("telegram", make_client(transport=httpx.MockTransport(lambda r: ok(True))))
    with pytest.raises(TelegramError, match="no bot token"):
        TelegramClient(http, lambda: "").answer_callback("1", "x")
