"""YouScan mentions and Usedesk tickets as their webhooks send them (sources/helpdesk.py): real-shaped payloads
in tests/fixtures/channels/, the channel tokens, and what is ignored."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from clinic_reviews.sources import helpdesk

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "channels"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_a_youscan_mention_becomes_a_review_without_the_keyword_markup():
    review = helpdesk.youscan_review(load("youscan_mention.json"))
    assert review["source"] == "youscan" and review["external_id"] == "5129384756"
    assert review["created_at"] == "2026-12-07T09:41:12Z" and review["lang"] == "ru" and review["rating"] is None
    assert review["text"].startswith("Отзывы о клинике Здоровье на Арбате\nТретий раз в Здоровье")
    assert "<b>" not in review["text"] and "«врач задерживается»" in review["text"]
    assert review["author"] == "Игорь Петров" and review["url"] == "https://vk.com/wall-123456_4242?reply=4250"


def test_youscan_spam_and_reposts_are_ignored_and_a_review_site_rating_is_kept():
    mention = load("youscan_mention.json")
    assert helpdesk.youscan_review({**mention, "spam": True}) is None
    assert helpdesk.youscan_review({**mention, "postType": "repost"}) is None
    assert helpdesk.youscan_review({**mention, "rating": 2.0, "resourceType": "reviews"})["rating"] == 2
    assert helpdesk.youscan_review({**mention, "rating": 9})["rating"] is None
    with pytest.raises(ValueError, match="mentionId"):
        helpdesk.youscan_review({"text": "no ids"})


def test_a_new_usedesk_ticket_becomes_a_review_without_the_clients_email():
    review = helpdesk.usedesk_review(load("usedesk_ticket.json"))
    assert review["source"] == "usedesk" and review["external_id"] == "2261907"
    assert review["text"].startswith("Жалоба: отменили приём без предупреждения\nЗдравствуйте! Приехала")
    assert "<p>" not in review["text"] and review["created_at"] == "2026-12-07 12:07:33"
    assert "mail.example" not in json.dumps(review, ensure_ascii=False) and review["author"] is None


def test_other_usedesk_webhooks_are_ignored():
    assert helpdesk.usedesk_review({"secret": "x", "comment": {"id": 1, "message": "ok"}}) is None
    assert helpdesk.usedesk_review({"secret": "x", "ticket_id": 5, "changes": []}) is None
    with pytest.raises(ValueError, match="id and published_at"):
        helpdesk.usedesk_review({"ticket": {"message": "без номера"}})


def test_channel_tokens_are_derived_per_channel_and_checked():
    youscan, usedesk = helpdesk.channel_token(b"s3cret", "youscan"), helpdesk.channel_token(b"s3cret", "usedesk")
    assert youscan != usedesk and youscan != helpdesk.channel_token(b"other", "youscan") and len(youscan) == 40
    good = "Basic " + base64.b64encode(f"youscan:{youscan}".encode()).decode()
    helpdesk.verify_basic(good, youscan)
    for bad in (None, "Bearer x", "Basic !!!", "Basic " + base64.b64encode(f"youscan:{usedesk}".encode()).decode()):
        with pytest.raises(helpdesk.ChannelRefused):
            helpdesk.verify_basic(bad, youscan)
    helpdesk.verify_token(usedesk, usedesk)
    with pytest.raises(helpdesk.ChannelRefused):
        helpdesk.verify_token(None, usedesk)
