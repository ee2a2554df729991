"""The escalation ladder of one review under the sample policy."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from clinic_reviews.domain.ladder import (
    Recipient,
    in_quiet_hours,
    plan_escalation,
    plan_thank_reminder,
)
from clinic_reviews.domain.policy import Policy, PolicyError, load_policy

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "demo-policy.yaml"
FRIDAY_EVENING_EKB = datetime.fromisoformat("2026-12-11T20:30:00+05:00")


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def policy(raw: dict[str, Any]) -> Policy:
    return load_policy(raw)


def local(tier_due: datetime) -> str:
    return tier_due.isoformat(timespec="seconds")


def test_friday_evening_in_yekaterinburg(policy: Policy) -> None:
    tiers = plan_escalation(policy, "ekb-center", FRIDAY_EVENING_EKB, legal=False)
    assert [(t.index, t.id, local(t.due_local)) for t in tiers] == [
        (0, "manager", "2026-12-14T08:00:00+05:00"),  # 0m after closing: the next opening (Monday)
        (1, "head", "2026-12-14T20:00:00+05:00"),  # eod after closing: Monday's closing
        (2, "director", "2026-12-14T20:00:00+05:00"),  # 1bd: Monday's closing
    ]
    manager = tiers[0]
    assert manager.urgent and not tiers[1].urgent
    assert manager.recipients == [
        Recipient("review_manager", "Ольга Кузнецова", "sms", "+79000000004"),
        Recipient("review_manager", "Ольга Кузнецова", "email", "o.kuznetsova@zdorovie.example.org"),
    ]
    for tier in tiers:
        assert tier.due.tzinfo is UTC
        assert tier.due_local == tier.due
        assert str(tier.due_local.tzinfo) == "Asia/Yekaterinburg"


def test_legal_review_adds_the_legal_tier_first(policy: Policy) -> None:
    tiers = plan_escalation(policy, "ekb-center", FRIDAY_EVENING_EKB, legal=True)
    assert [t.id for t in tiers] == ["legal", "manager", "head", "director"]
    assert [t.index for t in tiers] == [0, 1, 2, 3]
    legal = tiers[0]
    assert legal.urgent and legal.due == FRIDAY_EVENING_EKB
    assert legal.send_at == legal.due  # urgent tiers ignore quiet hours
    # the legal department has no phone: its sms channel is skipped
    assert [(r.contact_id, r.channel) for r in legal.recipients] == [("legal", "email")]


def test_tiers_are_sorted_by_due_with_ties_in_policy_order(policy: Policy) -> None:
    received = datetime.fromisoformat("2026-12-08T10:00:00+03:00")
    for clinic in policy.clinics:
        for legal in (False, True):
            tiers = plan_escalation(policy, clinic.id, received, legal=legal)
            dues = [t.due for t in tiers]
            assert dues == sorted(dues)
    tiers = plan_escalation(policy, "msk-arbat", received, legal=True)
    assert [t.id for t in tiers] == ["manager", "legal", "head", "director"]  # manager and legal both due now
    assert tiers[0].due == tiers[1].due == received


def test_strict_chain_alerts_the_head_after_one_business_hour(raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["chain"]["strict"] = True
    strict = load_policy(data)
    tiers = plan_escalation(strict, "ekb-center", FRIDAY_EVENING_EKB, legal=False)
    assert [(t.id, local(t.due_local), t.within) for t in tiers] == [
        ("manager", "2026-12-14T08:00:00+05:00", "0m"),
        ("head", "2026-12-14T09:00:00+05:00", "1h"),
        ("director", "2026-12-14T20:00:00+05:00", "1bd"),
    ]


def test_vladivostok_review_from_the_previous_utc_day(policy: Policy) -> None:
    tiers = plan_escalation(
        policy, "vvo-svetlanskaya", datetime.fromisoformat("2026-12-08T23:30:00Z"), legal=False
    )
    assert [local(t.due_local) for t in tiers] == [
        "2026-12-09T09:30:00+10:00",
        "2026-12-09T21:00:00+10:00",
        "2026-12-10T21:00:00+10:00",
    ]


def test_thank_reminder(policy: Policy) -> None:
    tier = plan_thank_reminder(policy, "msk-arbat", datetime.fromisoformat("2026-12-11T15:00:00+03:00"))
    assert (tier.id, local(tier.due_local), tier.urgent) == ("thank", "2026-12-12T21:00:00+03:00", False)
    assert [(r.name, r.channel) for r in tier.recipients] == [("Анна Смирнова", "email")]


def test_thank_reminder_needs_the_positive_section(raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    del data["positive"]
    with pytest.raises(PolicyError, match="positive"):
        plan_thank_reminder(load_policy(data), "msk-arbat", FRIDAY_EVENING_EKB)


def test_in_quiet_hours(policy: Policy) -> None:
    def ends(moment: str) -> str | None:
        end = in_quiet_hours(policy, "vvo-svetlanskaya", datetime.fromisoformat(moment))
        return None if end is None else local(end)

    assert ends("2026-12-09T23:00:00+10:00") == "2026-12-10T08:00:00+10:00"
    assert ends("2026-12-09T07:59:00+10:00") == "2026-12-09T08:00:00+10:00"
    assert ends("2026-12-09T22:00:00+10:00") == "2026-12-10T08:00:00+10:00"
    assert ends("2026-12-09T08:00:00+10:00") is None
    assert ends("2026-12-09T21:59:59+10:00") is None
    assert ends("2026-12-09T13:30:00Z") == "2026-12-10T08:00:00+10:00"  # 23:30 in Vladivostok


def test_no_quiet_hours(raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["chain"]["quiet_hours"] = None
    assert in_quiet_hours(load_policy(data), "msk-arbat", FRIDAY_EVENING_EKB.replace(hour=23)) is None


def test_non_urgent_tier_due_in_quiet_hours_waits(raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["clinics"][0]["hours"] = {"mon-sun": "10:00-23:00"}  # closes inside quiet hours
    tiers = plan_escalation(
        load_policy(data), "msk-arbat", datetime.fromisoformat("2026-12-08T12:00:00+03:00"), legal=False
    )
    head = next(t for t in tiers if t.id == "head")
    assert local(head.due_local) == "2026-12-08T23:00:00+03:00"
    assert head.send_at == datetime.fromisoformat("2026-12-09T08:00:00+03:00")
    assert head.to_json()["send_at"] == "2026-12-09T05:00:00Z"


def test_chat_channel_uses_the_chat_id(raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["ladder"][0]["notify"][0]["channels"] = ["chat", "sms"]
    tiers = plan_escalation(load_policy(data), "vvo-svetlanskaya", FRIDAY_EVENING_EKB, legal=False)
    assert [(r.channel, r.address) for r in tiers[0].recipients] == [
        ("chat", "100000005"),
        ("sms", "+79000000005"),
    ]
    tiers = plan_escalation(load_policy(data), "msk-arbat", FRIDAY_EVENING_EKB, legal=False)
    assert [r.channel for r in tiers[0].recipients] == ["sms"]  # no chat id in Moscow


def test_unknown_clinic(policy: Policy) -> None:
    with pytest.raises(KeyError):
        plan_escalation(policy, "nowhere", FRIDAY_EVENING_EKB, legal=False)
