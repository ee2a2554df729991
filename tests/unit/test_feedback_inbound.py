"""STOP replies: what counts as one, and what an inbound SMS changes (with an in-memory repository)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from clinic_reviews.domain.phones import phone_hash
from clinic_reviews.services.feedback import InboundSms, is_stop

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("body", ["STOP", "stop", " Stop.", "СТОП", "стоп!", "Отписаться", "UNSUBSCRIBE please", "end"])
def test_stop_words(body) -> None:
    assert is_stop(body)


@pytest.mark.parametrize("body", ["", "Спасибо!", "не стоп", "5", "Stopped by to say thanks", "Остановите запись"])
def test_not_stop_words(body) -> None:
    assert not is_stop(body)


class _Repository:
    def __init__(self) -> None:
        self.opted: dict[str, str] = {}
        self.counted: list[dict] = []

    def opt_out(self, hashed: str, at: datetime, via: str) -> bool:
        if hashed in self.opted:
            return False
        self.opted[hashed] = via
        return True

    def last_asked(self, hashed: str, now: datetime):
        return None

    def get(self, ref: str):  # pragma: no cover - never reached without last_asked
        return None

    def count(self, *args, **amounts) -> None:  # pragma: no cover
        self.counted.append(amounts)


def message(body: str, sender: str = "+79161234567") -> str:
    return json.dumps({"originationNumber": sender, "destinationNumber": "+79000000099", "messageBody": body,
                       "messageKeyword": "KEYWORD_1", "inboundMessageId": "x", "previousPublishedMessageId": "y"})


def test_a_stop_reply_opts_the_hash_of_the_number_out_once() -> None:
    repository = _Repository()
    inbound = InboundSms(repository, lambda: b"salt", lambda: NOW)
    assert inbound.receive(message("Спасибо")) == "ignored" and repository.opted == {}
    assert inbound.receive(message("STOP")) == "opted_out"
    assert repository.opted == {phone_hash(b"salt", "+79161234567"): "sms"}
    assert inbound.receive(message("СТОП")) == "already"


@pytest.mark.parametrize("raw", ["not json", json.dumps(["a"]), message("STOP", sender="12345"), message("STOP", sender="")])
def test_unreadable_messages_change_nothing(raw) -> None:
    repository = _Repository()
    assert InboundSms(repository, lambda: b"salt", lambda: NOW).receive(raw) == "unreadable"
    assert repository.opted == {}
