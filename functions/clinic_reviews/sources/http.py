"""The HTTP layer every connector uses: explicit timeouts, bounded retries, one error type.

Retried (exponential backoff with full jitter, or the server's `Retry-After`, capped): 408, 429,
5xx, transport errors (timeouts, dropped connections) and a truncated JSON body. Not retried: other
4xx and malformed (not merely cut-off) JSON. After the last attempt a `SourceError` is raised.
Sleeping, randomness and the clock are injected, so tests never sleep.
"""

from __future__ import annotations

import json
import logging
import math
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

log = logging.getLogger(__name__)
T = TypeVar("T")

#: What may follow the failure point of a body that was merely cut off: nothing, or half a literal.
_PARTIAL_TOKEN = re.compile(r"[\w.+-]*")
USER_AGENT = "clinic-reviews/0.1 (+https://github.com/; review monitoring)"


class SourceError(Exception):
    """A source could not be read; `retryable` says whether a later run may succeed."""

    def __init__(self, source: str, reason: str, retryable: bool, status: int | None = None) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
        self.retryable = retryable
        self.status = status


class TransientError(Exception):
    """Raised inside a request (or by a response check) to ask for another attempt."""

    def __init__(self, reason: str, retry_after: float | None = None, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.status = status


@dataclass(frozen=True)
class Timeouts:
    """Seconds to connect, and to wait for each read/write/pooled connection."""

    connect: float = 3.0
    read: float = 10.0
    write: float = 10.0
    pool: float = 5.0


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry. Delay n (1-based) is uniform in [0, min(cap, base * 2**(n-1))]."""

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 20.0
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")


def make_client(
    timeouts: Timeouts = Timeouts(),
    *,
    user_agent: str = USER_AGENT,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """An httpx.Client with explicit timeouts and no implicit redirects."""
    return httpx.Client(
        timeout=httpx.Timeout(
            timeouts.read, connect=timeouts.connect, write=timeouts.write, pool=timeouts.pool
        ),
        headers={"User-Agent": user_agent, "Accept": "application/json"},
        follow_redirects=False,
        transport=transport,
    )


def parse_retry_after(value: str | None, now: float, cap: float) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP date), within [0, cap]."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - now
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if math.isnan(seconds):
        return None
    return max(0.0, min(seconds, cap))


def decode_json(body: bytes) -> Any:
    """Decode a JSON body; a body cut off mid-document is transient, anything else malformed is not."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":  # cut inside a multi-byte character
            raise TransientError("truncated JSON response") from None
        raise ValueError("response is not UTF-8 JSON") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        tail = text.rstrip()[exc.pos :]
        cut_off = exc.msg.startswith("Unterminated string") or (
            not exc.msg.startswith("Extra data") and _PARTIAL_TOKEN.fullmatch(tail) is not None
        )
        if text.strip() and cut_off:
            raise TransientError("truncated JSON response") from None
        raise ValueError(f"malformed JSON at char {exc.pos}") from None


class SourceHttp:
    """JSON over HTTP for one source, with the retry policy applied to every request."""

    def __init__(
        self,
        source: str,
        client: httpx.Client,
        *,
        policy: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.source = source
        self.client = client
        self.policy = policy
        self._sleep = sleep
        self._rand = rand
        self._now = now

    def request_json(
        self,
        method: str,
        url: str | httpx.URL,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        form: Mapping[str, Any] | None = None,
        check: Callable[[Any], None] | None = None,
        before: Callable[[], None] | None = None,
    ) -> Any:
        """Send, retry as the policy says, return the decoded JSON body.

        `check(body)` may raise `TransientError` (retry) or `SourceError` (give up) for errors a
        platform reports inside a 200 response; `before()` runs before every attempt (rate limits).
        """

        def attempt() -> Any:
            if before is not None:
                before()
            body = self._send(method, url, params=params, headers=headers, json_body=json_body, form=form)
            if check is not None:
                check(body)
            return body

        return self.retrying(attempt)

    def retrying(self, fn: Callable[[], T]) -> T:
        """Run `fn`, retrying on `TransientError`; after the last attempt raise `SourceError`."""
        retryer = Retrying(
            stop=stop_after_attempt(self.policy.max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type(TransientError),
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            return retryer(fn)
        except TransientError as exc:
            raise SourceError(
                self.source,
                f"{exc.reason} (after {self.policy.max_attempts} attempts)",
                retryable=True,
                status=exc.status,
            ) from None

    def _send(
        self,
        method: str,
        url: str | httpx.URL,
        *,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        json_body: Any,
        form: Mapping[str, Any] | None,
    ) -> Any:
        try:
            response = self.client.request(
                method, url, params=params, headers=headers, json=json_body, data=form
            )
            content = response.read()
        except httpx.TimeoutException as exc:
            raise TransientError(f"timeout ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise TransientError(f"transport error ({type(exc).__name__})") from None
        status = response.status_code
        if status == 429 or status == 408 or status >= 500:
            wait = parse_retry_after(
                response.headers.get("Retry-After"), self._now(), self.policy.max_retry_after
            )
            raise TransientError(f"HTTP {status}", retry_after=wait, status=status)
        if status >= 400:
            raise SourceError(
                self.source, f"HTTP {status}{_error_hint(content)}", retryable=False, status=status
            )
        if status == 204 or not content.strip():
            return None
        try:
            return decode_json(content)
        except ValueError as exc:
            raise SourceError(self.source, str(exc), retryable=False, status=status) from None

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, TransientError) and exc.retry_after is not None:
            return exc.retry_after
        ceiling = min(self.policy.max_delay, self.policy.base_delay * 2 ** (state.attempt_number - 1))
        return self._rand() * ceiling

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "%s: attempt %d failed (%s); retrying in %.2fs",
            self.source,
            state.attempt_number,
            getattr(exc, "reason", type(exc).__name__),
            delay,
        )


def _error_hint(content: bytes) -> str:
    """A short, non-personal hint from an error body (Google/OAuth style `error` fields only)."""
    try:
        body = json.loads(content)
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, str):
        return f": {error}"[:80]
    if isinstance(error, dict) and isinstance(error.get("status"), str):
        return f": {error['status']}"[:80]
    return ""
