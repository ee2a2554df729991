"""The shared HTTP layer: retries, backoff, Retry-After, timeouts and bad bodies, without sleeping."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest
import respx
from clinic_reviews.sources.http import (
    RetryPolicy,
    SourceError,
    SourceHttp,
    Timeouts,
    TransientError,
    decode_json,
    make_client,
    parse_retry_after,
)

URL = "https://api.example.test/reviews"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PAGE = (Path(__file__).parents[1] / "fixtures" / "sources" / "google_reviews_page1.json").read_bytes()


@pytest.fixture(autouse=True)
def no_real_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(seconds: float) -> None:
        raise AssertionError(f"real sleep({seconds}) called")

    monkeypatch.setattr(time, "sleep", forbidden)


@pytest.fixture
def sleeps() -> list[float]:
    return []


def make_http(sleeps: list[float], *, attempts: int = 3, rand: float = 0.5) -> SourceHttp:
    return SourceHttp(
        "test",
        make_client(),
        policy=RetryPolicy(max_attempts=attempts, base_delay=0.5, max_delay=4.0, max_retry_after=60.0),
        sleep=sleeps.append,
        rand=lambda: rand,
        now=lambda: NOW.timestamp(),
    )


@respx.mock
def test_429_with_retry_after_seconds_then_success(sleeps: list[float]) -> None:
    route = respx.get(URL).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json={"ok": 1})]
    )
    assert make_http(sleeps).request_json("GET", URL) == {"ok": 1}
    assert route.call_count == 2
    assert sleeps == [7.0]


@respx.mock
def test_retry_after_as_http_date_is_honoured(sleeps: list[float]) -> None:
    later = format_datetime(NOW + timedelta(seconds=12), usegmt=True)
    respx.get(URL).mock(
        side_effect=[httpx.Response(503, headers={"Retry-After": later}), httpx.Response(200, json=[])]
    )
    assert make_http(sleeps).request_json("GET", URL) == []
    assert sleeps == [12.0]


@respx.mock
def test_retry_after_is_capped(sleeps: list[float]) -> None:
    respx.get(URL).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "86400"}), httpx.Response(200, json={})]
    )
    make_http(sleeps).request_json("GET", URL)
    assert sleeps == [60.0]


@respx.mock
def test_500_repeated_until_attempts_are_exhausted(sleeps: list[float]) -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(500, text="oops"))
    with pytest.raises(SourceError) as caught:
        make_http(sleeps, attempts=4).request_json("GET", URL)
    error = caught.value
    assert error.source == "test" and error.retryable and error.status == 500
    assert "HTTP 500" in error.reason and "4 attempts" in error.reason
    assert route.call_count == 4
    # full jitter: rand() * min(cap, base * 2**(n-1)) with rand() = 0.5
    assert sleeps == [0.25, 0.5, 1.0]


@respx.mock
def test_backoff_never_exceeds_the_cap(sleeps: list[float]) -> None:
    respx.get(URL).mock(return_value=httpx.Response(502))
    with pytest.raises(SourceError):
        make_http(sleeps, attempts=8, rand=0.999).request_json("GET", URL)
    assert len(sleeps) == 7
    assert all(0 <= s < 4.0 for s in sleeps)
    assert sleeps == sorted(sleeps)


@respx.mock
def test_timeout_then_success(sleeps: list[float]) -> None:
    route = respx.get(URL).mock(side_effect=[httpx.ReadTimeout("slow"), httpx.Response(200, json={"a": 1})])
    assert make_http(sleeps).request_json("GET", URL) == {"a": 1}
    assert route.call_count == 2 and len(sleeps) == 1


@respx.mock
def test_timeouts_every_time_raise_a_retryable_source_error(sleeps: list[float]) -> None:
    respx.get(URL).mock(side_effect=httpx.ConnectTimeout("no route"))
    with pytest.raises(SourceError) as caught:
        make_http(sleeps).request_json("GET", URL)
    assert caught.value.retryable and "timeout" in caught.value.reason


@respx.mock
def test_dropped_connection_is_retried(sleeps: list[float]) -> None:
    respx.get(URL).mock(side_effect=[httpx.RemoteProtocolError("peer closed"), httpx.Response(200, json={})])
    assert make_http(sleeps).request_json("GET", URL) == {}


@respx.mock
def test_malformed_json_is_not_retried(sleeps: list[float]) -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(200, text="<html>maintenance</html>"))
    with pytest.raises(SourceError) as caught:
        make_http(sleeps).request_json("GET", URL)
    assert not caught.value.retryable and "malformed JSON" in caught.value.reason
    assert route.call_count == 1 and sleeps == []


@respx.mock
def test_truncated_page_is_retried_then_read(sleeps: list[float]) -> None:
    route = respx.get(URL).mock(
        side_effect=[httpx.Response(200, content=PAGE[: len(PAGE) // 2]), httpx.Response(200, content=PAGE)]
    )
    body = make_http(sleeps).request_json("GET", URL)
    assert len(body["reviews"]) == 5
    assert route.call_count == 2


@respx.mock
def test_always_truncated_page_gives_up_as_retryable(sleeps: list[float]) -> None:
    respx.get(URL).mock(return_value=httpx.Response(200, content=PAGE[:-40]))
    with pytest.raises(SourceError) as caught:
        make_http(sleeps).request_json("GET", URL)
    assert caught.value.retryable and "truncated" in caught.value.reason


@respx.mock
def test_client_errors_are_not_retried_and_hint_is_short(sleeps: list[float]) -> None:
    route = respx.get(URL).mock(
        return_value=httpx.Response(401, json={"error": {"code": 401, "status": "UNAUTHENTICATED"}})
    )
    with pytest.raises(SourceError) as caught:
        make_http(sleeps).request_json("GET", URL)
    assert caught.value.status == 401 and not caught.value.retryable
    assert caught.value.reason == "HTTP 401: UNAUTHENTICATED"
    assert route.call_count == 1 and sleeps == []


@respx.mock
def test_check_can_ask_for_a_retry_or_give_up(sleeps: list[float]) -> None:
    respx.get(URL).mock(return_value=httpx.Response(200, json={"error": 6}))
    calls: list[int] = []

    def flaky(body: object) -> None:
        calls.append(1)
        if len(calls) < 2:
            raise TransientError("platform busy")

    assert make_http(sleeps).request_json("GET", URL, check=flaky) == {"error": 6}
    assert len(calls) == 2

    def fatal(body: object) -> None:
        raise SourceError("test", "denied", retryable=False)

    with pytest.raises(SourceError, match="denied"):
        make_http(sleeps).request_json("GET", URL, check=fatal)


@respx.mock
def test_before_hook_runs_before_every_attempt(sleeps: list[float]) -> None:
    respx.get(URL).mock(side_effect=[httpx.Response(503), httpx.Response(200, json={})])
    ticks: list[int] = []
    make_http(sleeps).request_json("GET", URL, before=lambda: ticks.append(1))
    assert len(ticks) == 2


def test_client_has_explicit_timeouts() -> None:
    client = make_client(Timeouts(connect=2.0, read=7.5))
    assert client.timeout.connect == 2.0 and client.timeout.read == 7.5
    assert client.follow_redirects is False


@pytest.mark.parametrize(
    ("header", "expected"),
    [("5", 5.0), ("0", 0.0), ("-3", 0.0), ("120", 60.0), ("soon", None), (None, None), ("nan", None)],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, NOW.timestamp(), 60.0) == expected


def test_parse_retry_after_past_date_is_zero() -> None:
    past = format_datetime(NOW - timedelta(minutes=5), usegmt=True)
    assert parse_retry_after(past, NOW.timestamp(), 60.0) == 0.0


def test_policy_needs_one_attempt() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


@pytest.mark.parametrize("fraction", [0.1, 0.33, 0.5, 0.77, 0.999])
def test_any_cut_of_a_page_reads_as_truncated(fraction: float) -> None:
    text = PAGE.decode()
    with pytest.raises(TransientError, match="truncated"):
        decode_json(text[: int(len(text) * fraction)].encode())


@pytest.mark.parametrize("body", [b"<html>busy</html>", b'{"a": 1} trailing', b'{"a": 1,,}', b'{"a": tru e}'])
def test_malformed_bodies_are_not_called_truncated(body: bytes) -> None:
    with pytest.raises(ValueError, match="malformed JSON"):
        decode_json(body)


def test_a_cut_inside_a_cyrillic_character_is_truncation() -> None:
    body = '{"text": "Спасибо"}'.encode()
    with pytest.raises(TransientError):
        decode_json(body[:11])  # ends with the first byte of "С"
    with pytest.raises(ValueError, match="not UTF-8"):
        decode_json(b'{"text": "\xff\xfe"}')
