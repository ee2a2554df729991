"""Exactly-once delivery of one message to one recipient, by Powertools idempotency.

A retried workflow step calls `deliver` again with the same `key`; the first result is returned
and nothing is sent twice. The key is `<execution>:<tier>:<contact>:<channel>`.

The one gap is the completion: if the record cannot be marked done after the message went out (or deleted
after a send failed), it stays in progress for its window (`begin`), a retry inside it fails with
`IdempotencyAlreadyInProgressError`, and a retry after it sends again (at least once; docs/nothing-lost.md).
The workflows retry that error after the window; Lambda's asynchronous retries come 1 and 3 minutes later.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from clinic_reviews.notify.senders import Senders

SEVEN_DAYS = 7 * 24 * 3600
#: A delivery's in-progress window is what is left of the invocation, at most this: longer than one send
#: (three attempts of 5 s connect + 15 s read), shorter than Lambda's asynchronous retries (at 1 and 3 minutes).
WINDOW_MS = 90_000


class _Window:
    """The Lambda context as Powertools reads it for the in-progress window: the time left, capped."""

    def __init__(self, context: Any):
        self._context = context

    def get_remaining_time_in_millis(self) -> int:
        return min(self._context.get_remaining_time_in_millis(), WINDOW_MS)


class Delivery:
    def __init__(
        self, senders: Senders, table_name: str, dynamodb_client: Any = None, chat: Callable[[dict], str] | None = None
    ):
        layer = DynamoDBPersistenceLayer(
            table_name=table_name,
            key_attr="pk",
            sort_key_attr="sk",
            expiry_attr="expires_at",
            boto3_client=dynamodb_client,
        )
        config = IdempotencyConfig(event_key_jmespath="key", expires_after_seconds=SEVEN_DAYS)
        self.config = config
        self._senders = senders
        self._chat = chat  # the `chat` channel: a Telegram message (compose.chat_sender), returns its id
        self.deliver = idempotent_function(data_keyword_argument="request", persistence_store=layer, config=config)(
            self._send
        )

    def begin(self, context: Any) -> None:
        """Each invocation, before delivering: without it a record left in progress would block for seven days."""
        self.config.register_lambda_context(_Window(context))

    def _send(self, request: dict[str, Any]) -> dict[str, Any]:
        if request["channel"] == "sms":
            return {"message_id": self._senders.sms(request["to"], request["text"])}
        if request["channel"] == "email":
            images = [
                {**image, "data": base64.b64decode(image["data"])} for image in request.get("images") or ()
            ]  # inline images (the monthly report's charts) travel base64-encoded in the request
            message_id = self._senders.email(
                [request["to"]], request["subject"], request["html"], request["text"], request.get("sender_name"),
                images or None,
            )
            return {"message_id": message_id}
        if request["channel"] == "chat" and self._chat is not None:
            return {"message_id": self._chat(request)}
        raise ValueError(f"unknown channel {request['channel']!r}")
