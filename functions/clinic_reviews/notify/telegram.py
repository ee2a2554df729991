"""The Telegram Bot API: messages to the team's group (alerts with the case's buttons), callback answers.

HTTP goes through the connectors' `SourceHttp` (explicit timeouts, bounded retries with jittered
backoff; tests and the local stack install their transport and sleep through `container.use_fake(compose.TELEGRAM_HTTP, ...)`).
Telegram's 429 carries `parameters.retry_after` in the body (and sometimes a `Retry-After` header):
the client waits exactly that long when it is within `MAX_RETRY_AFTER`, and gives up otherwise, so the
caller's own retry (the escalation step, Telegram's redelivery of a webhook) comes back later instead
of hitting the limit again. The bot token is in the URL, so URLs are never logged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from clinic_reviews.domain.privacy import excerpt
from clinic_reviews.notify.messages import alert_text
from clinic_reviews.sources.http import RetryPolicy, SourceError, SourceHttp, TransientError

API_ROOT = "https://api.telegram.org"
MAX_RETRY_AFTER = 15.0
#: At most this many attempts per call, 0.5 s doubling backoff capped at 5 s (the Lambda has 30 s).
RETRY = RetryPolicy(max_attempts=4, base_delay=0.5, max_delay=5.0, max_retry_after=MAX_RETRY_AFTER)
CHAT_EXCERPT = 600
TEXT_LIMIT = 4096  # Telegram's limit per message

BUTTONS = {
    "ru": (("take", "Взять"), ("bonus", "Бонус"), ("done", "Готово")),
    "en": (("take", "Take"), ("bonus", "Sorry bonus"), ("done", "Done")),
}


class TelegramError(RuntimeError):
    """Telegram refused the call or could not be reached; `retryable` says whether later may work."""

    def __init__(self, reason: str, retryable: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class TelegramClient:
    def __init__(self, http: SourceHttp, token: Callable[[], str], root: str = API_ROOT):
        self._http = http
        self._http.policy = RETRY
        self._token = token
        self._root = root

    def call(self, method: str, payload: dict[str, Any]) -> Any:
        """One Bot API call; its `result`, or TelegramError after the bounded retries."""
        token = self._token()
        if not token:
            raise TelegramError("no bot token in the Telegram secret (docs/cases.md, bot setup)")
        url = f"{self._root}/bot{token}/{method}"

        def attempt() -> Any:
            try:
                response = self._http.client.post(url, json=payload)
                content = response.read()
            except httpx.TimeoutException as exc:
                raise TransientError(f"timeout ({type(exc).__name__})") from None
            except httpx.TransportError as exc:
                raise TransientError(f"transport error ({type(exc).__name__})") from None
            body = _json(content)
            status = response.status_code
            if status == 429 or body.get("error_code") == 429:
                wait = _retry_after(body, response.headers.get("Retry-After"))
                if wait > MAX_RETRY_AFTER:
                    raise TelegramError(f"{method}: rate limited for {wait:.0f} s", retryable=True)
                raise TransientError("HTTP 429", retry_after=wait, status=429)
            if status >= 500:
                raise TransientError(f"HTTP {status}", status=status)
            if not body.get("ok"):
                raise TelegramError(f"{method}: HTTP {status}: {str(body.get('description') or 'refused')[:120]}")
            return body.get("result")

        try:
            return self._http.retrying(attempt)
        except SourceError as exc:
            raise TelegramError(f"{method}: {exc.reason}", retryable=True) from None

    def send_message(
        self, chat_id: str, text: str, keyboard: list[list[dict[str, str]]] | None = None, *, force_reply: bool = False,
        reply_to: int | None = None,
    ) -> str:
        payload: dict[str, Any] = {"chat_id": chat_id, "text": text[:TEXT_LIMIT], "disable_web_page_preview": True}
        if keyboard:
            payload["reply_markup"] = {"inline_keyboard": keyboard}
        elif force_reply:
            payload["reply_markup"] = {"force_reply": True, "selective": True}
        if reply_to is not None:
            payload["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
        result = self.call("sendMessage", payload)
        return str((result or {}).get("message_id", ""))

    def answer_callback(self, callback_query_id: str, text: str) -> None:
        self.call("answerCallbackQuery", {"callback_query_id": callback_query_id, "text": text[:200]})


def _json(content: bytes) -> dict[str, Any]:
    try:
        body = json.loads(content) if content.strip() else {}
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _retry_after(body: dict[str, Any], header: str | None) -> float:
    value = (body.get("parameters") or {}).get("retry_after") if isinstance(body.get("parameters"), dict) else None
    for candidate in (value, header):
        try:
            if candidate is not None:
                return max(0.0, float(candidate))
        except (TypeError, ValueError):
            continue
    return 1.0


def case_keyboard(case_id: str, lang: str = "ru") -> list[list[dict[str, str]]]:
    """The alert's buttons: take the case, start the sorry-bonus talk, mark it done (resolved)."""
    labels = BUTTONS["en" if lang == "en" else "ru"]
    return [[{"text": text, "callback_data": f"{action}:{case_id}"} for action, text in labels]]


def alert_chat(ctx) -> str:
    """The group's alert: the SMS wording with a longer contact-free excerpt and the link (notify/messages.py)."""
    review = ctx.record.review
    return alert_text(ctx, excerpt(review.text, CHAT_EXCERPT, review.author), ctx.ack_link or ctx.link)
