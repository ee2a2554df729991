"""The policy's optional `replies:` section (domain/replies): backwards compatible, validated."""

from __future__ import annotations

import copy

import pytest
import yaml
from clinic_reviews.domain.policy import PolicyError, load_policy


@pytest.fixture
def data(root):
    return yaml.safe_load((root / "samples" / "demo-policy.yaml").read_text(encoding="utf-8"))


def test_a_policy_without_replies_still_loads(data) -> None:
    data.pop("replies", None)
    assert load_policy(data).replies is None


def test_replies_are_read_and_survive_json(data) -> None:
    data = copy.deepcopy(data)
    data["replies"] = {"contact": "+7 800 000-00-00, care@zdorovie.example.org", "signature": "Команда",
                       "templates": "replies"}
    policy = load_policy(data)
    assert policy.replies.contact.startswith("+7 800")
    assert policy.replies.templates == "replies"
    again = type(policy).from_json(policy.to_json())
    assert again.replies == policy.replies


def test_unknown_reply_fields_are_refused(data) -> None:
    data["replies"] = {"contakt": "x"}
    with pytest.raises(PolicyError, match=r"replies\.contakt: unknown field"):
        load_policy(data)
