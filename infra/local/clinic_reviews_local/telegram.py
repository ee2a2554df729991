"""A fake Telegram Bot API for the local stack: records what the bot sends, answers like Telegram.

`LocalStack` installs it as the fake of `compose.TELEGRAM_HTTP` (nothing reaches api.telegram.org) and puts a local
bot token into the stack's telegram parameter. Tests read `sent` (sendMessage payloads) and `answers`
(answerCallbackQuery payloads), script failures with `fail_next(status, retry_after=...)`, and
`webhook(aws, update)` posts an update to the deployed TelegramFunction with the right secret token.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx

LOCAL_BOT_TOKEN = "100000:local-bot-token"


class FakeTelegram:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.answers: list[dict[str, Any]] = []
        self.calls: list[str] = []
        self.sleeps: list[float] = []
        self._failures: list[tuple[int, float | None]] = []
        self._lock = threading.Lock()
        self._next_id = 1000
        self.transport = httpx.MockTransport(self._handle)

    def fail_next(self, status: int = 429, retry_after: float | None = 1, times: int = 1) -> None:
        self._failures += [(status, retry_after)] * times

    def _handle(self, request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[-1]
        with self._lock:
            self.calls.append(method)
            if self._failures:
                status, retry_after = self._failures.pop(0)
                body: dict[str, Any] = {"ok": False, "error_code": status, "description": f"HTTP {status}"}
                if retry_after is not None:
                    body["parameters"] = {"retry_after": retry_after}
                return httpx.Response(status, json=body)
            payload = json.loads(request.content or b"{}")
            if method == "sendMessage":
                self._next_id += 1
                self.sent.append({**payload, "message_id": self._next_id})
                result: Any = {"message_id": self._next_id, "chat": {"id": payload.get("chat_id")}, "text": payload.get("text")}
            elif method == "answerCallbackQuery":
                self.answers.append(payload)
                result = True
            else:
                return httpx.Response(404, json={"ok": False, "error_code": 404, "description": "Not Found"})
            return httpx.Response(200, json={"ok": True, "result": result})

    def install(self, aws) -> None:
        from clinic_reviews import compose, container

        container.use_fake(compose.TELEGRAM_HTTP, compose.HttpFake(lambda: self.transport, self.sleeps.append))
        current = json.loads(aws.secret_value("TelegramSecret"))
        aws.put_secret("TelegramSecret", {**current, "bot_token": LOCAL_BOT_TOKEN})

    @staticmethod
    def webhook_secret(aws) -> str:
        return json.loads(aws.secret_value("TelegramSecret"))["webhook_secret"]

    def webhook(self, aws, update: dict[str, Any], secret: str | None = None) -> tuple[int, bytes]:
        """POST an update to the deployed bot webhook as Telegram would (with the secret token header)."""
        token = self.webhook_secret(aws) if secret is None else secret
        status, _, body = aws.http(
            "TelegramFunction", "POST", "/telegram", json.dumps(update),
            {"content-type": "application/json", "x-telegram-bot-api-secret-token": token},
        )
        return status, body
