"""The chain policy: the sample loads, every kind of mistake names its path, strict chains, round trips."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from clinic_reviews.domain.policy import Policy, PolicyError, UnknownClinic, load_policy

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "demo-policy.yaml"


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(SAMPLE)


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        load_policy(data)
    return caught.value.problems


def test_sample_loads(policy: Policy) -> None:
    assert policy.chain.id == "zdorovie"
    assert [c.id for c in policy.clinics] == ["msk-arbat", "ekb-center", "vvo-svetlanskaya"]
    assert [c.calendar.tz for c in policy.clinics] == [
        "Europe/Moscow",
        "Asia/Yekaterinburg",
        "Asia/Vladivostok",
    ]
    assert [t.id for t in policy.ladder] == ["manager", "head", "director", "legal"]
    assert policy.chain.quiet_span is not None
    assert policy.chain.backfill.total_seconds() == 72 * 3600


def test_the_demo_chain_is_the_sample_chain_cut_to_the_demos_clinics(raw: dict[str, Any]) -> None:
    """samples/policy.yaml (16 clinics, what `clinic-reviews cost` prices) holds the demo's three unchanged."""
    chain = yaml.safe_load((SAMPLE.parent / "policy.yaml").read_text(encoding="utf-8"))
    assert len(chain["clinics"]) == 16 and len({c["timezone"] for c in chain["clinics"]}) == 4
    assert sum(len(c["sources"]) for c in chain["clinics"]) == 38
    cut = {**chain, "clinics": [c for c in chain["clinics"] if c["id"] in {d["id"] for d in raw["clinics"]}]}
    assert cut == raw


def test_clinic_hours_and_defaults(policy: Policy) -> None:
    ekb = policy.clinic("ekb-center").calendar
    assert [ekb.hours[d] is not None for d in range(7)] == [True] * 5 + [False] * 2
    assert ekb.hours[0] is not None and ekb.hours[0][0].hour == 8 and ekb.hours[0][1].hour == 20
    vvo = policy.clinic("vvo-svetlanskaya")
    assert vvo.hours is None  # inherits
    assert vvo.calendar.hours[6] is None and vvo.calendar.hours[5] is not None
    assert vvo.calendar.country == "RU"


def test_contacts_resolve_clinic_override_first(policy: Policy) -> None:
    assert policy.contact("review_manager", "ekb-center").name == "Ольга Кузнецова"
    assert policy.contact("review_manager", "msk-arbat").name == "Анна Смирнова"
    assert policy.contact("director", "ekb-center").name == "Сергей Волков"
    assert policy.contact("review_manager").phone == "+79000000001"  # spaces and dashes dropped
    with pytest.raises(PolicyError, match="unknown contact 'nobody'"):
        policy.contact("nobody", "msk-arbat")


def test_unknown_clinic(policy: Policy) -> None:
    with pytest.raises(UnknownClinic, match="msk-arbat") as caught:
        policy.clinic("spb-nevsky")
    assert isinstance(caught.value, KeyError)
    assert isinstance(caught.value, PolicyError)


def test_json_round_trip(policy: Policy) -> None:
    again = Policy.from_json(policy.to_json())
    assert again == policy
    assert [c.calendar for c in again.clinics] == [c.calendar for c in policy.clinics]
    assert "country" not in again.clinic("vvo-svetlanskaya").fields_set  # still inherits


def test_loads_yaml_text_json_text_and_dict(raw: dict[str, Any], policy: Policy) -> None:
    assert load_policy(SAMPLE.read_text(encoding="utf-8")) == policy
    assert load_policy(json.dumps(raw, ensure_ascii=False)) == policy
    assert load_policy(raw) == policy
    assert load_policy(str(SAMPLE)) == policy


def mutate(raw: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(raw)
    *parents, last = [int(p) if p.isdigit() else p for p in path.split("/")]
    target = data
    for part in parents:
        target = target[part]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return data


DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("clinics/1/timezone", "Europe/Moskow", "clinics[1].timezone: unknown time zone 'Europe/Moskow'"),
        ("chain/timezone", "Mars/Olympus", "chain.timezone: unknown time zone 'Mars/Olympus'"),
        (
            "defaults/hours",
            {"mon": "21:00-09:00"},
            "defaults.hours: mon: closing 09:00 is not after opening 21:00",
        ),
        (
            "clinics/0/hours",
            {"mon-fri": "all day"},
            "clinics[0].hours: mon-fri: opening hours must look like",
        ),
        (
            "clinics/0/hours",
            {"mon-fri": "09:00-18:00", "fri": "closed"},
            "clinics[0].hours: fri is given twice",
        ),
        ("clinics/0/hours", {"sun": "closed"}, "clinics[0].hours: no open day"),
        (
            "contacts/director/phone",
            "8 900 000-00-03",
            "contacts.director.phone: phone must be in international",
        ),
        ("contacts/director/email", "director-at-example", "contacts.director.email: not a valid e-mail"),
        ("ladder/1/notify/0/contact", "nobody", "ladder[1].notify[0].contact: unknown contact 'nobody'"),
        ("ladder/0/notify/0/channels", ["sms", "fax"], "ladder[0].notify[0].channels[1]: Input should be"),
        (
            "ladder/0/notify/0/channels",
            ["sms", "sms"],
            "ladder[0].notify[0].channels: a channel is listed twice",
        ),
        ("ladder/2/within", "2d", "ladder[2].within: unknown deadline '2d'"),
        ("ladder/2/within", 30, "ladder[2].within: write deadlines with a unit"),
        ("ladder/1/id", "manager", "ladder[1].id: duplicate tier id 'manager'"),
        ("ladder/3/when", "sometimes", "ladder[3].when: Input should be 'always' or 'legal'"),
        ("positive/within", "soon", "positive.within: unknown deadline 'soon'"),
        ("clinics/2/id", "msk-arbat", "clinics[2].id: duplicate clinic id 'msk-arbat'"),
        ("clinics/2/id", "VVO Svetlanskaya", "clinics[2].id: use up to 64 lowercase"),
        ("clinics/0/country", "XX", "clinics[0].country: no public holiday calendar for 'XX'"),
        ("clinics/0/country", False, "clinics[0].country: YAML read this code as false"),
        (
            "clinics/0/public_links/yandex",
            "yandex.ru/maps",
            "clinics[0].public_links: yandex: link must start",
        ),
        ("clinics/0/public_links/myspace", "https://x.example", "clinics[0].public_links: unknown source"),
        ("chain/quiet_hours", "22-08", "chain.quiet_hours: no such time of day|chain.quiet_hours: time must"),
        ("chain/quiet_hours", "22:00-22:00", "chain.quiet_hours: quiet hours start and end at the same time"),
        ("chain/backfill_window", "a while", "chain.backfill_window: time span must look like"),
        ("chain/language", "de", "chain.language: Input should be 'ru' or 'en', got 'de'"),
        ("chain/sms_daily_cap", -1, "chain.sms_daily_cap: Input should be greater than or equal to 0"),
        (
            "chain/positive_reply_share",
            1.5,
            "chain.positive_reply_share: Input should be less than or equal to 1",
        ),
        ("chain/tz", "Europe/Moscow", "chain.tz: unknown field"),
        ("chain/name", DELETE, "chain.name: required"),
        ("ladder", [], "ladder: List should have at least 1 item"),
        ("clinics", [], "clinics: List should have at least 1 item"),
    ],
)
def test_each_problem_names_its_path(raw: dict[str, Any], path: str, value: Any, expected: str) -> None:
    problems = problems_of(mutate(raw, path, value))
    assert any(any(p.startswith(e) for e in expected.split("|")) for p in problems), problems


def test_every_problem_is_listed(raw: dict[str, Any]) -> None:
    data = mutate(mutate(raw, "clinics/1/timezone", "Europe/Moskow"), "contacts/director/phone", "123")
    data = mutate(data, "chain/language", "de")
    problems = problems_of(data)
    assert len(problems) == 3
    with pytest.raises(PolicyError) as caught:
        load_policy(data)
    assert str(caught.value) == "; ".join(problems)


def test_contact_may_come_from_every_clinic_instead_of_the_chain(raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["ladder"][0]["notify"] = [{"contact": "duty", "channels": ["sms"]}]
    for clinic in data["clinics"]:
        clinic.setdefault("contacts", {})["duty"] = {
            "name": f"Дежурный {clinic['id']}",
            "phone": "+79000000009",
        }
    assert load_policy(data).contact("duty", "ekb-center").name == "Дежурный ekb-center"
    del data["clinics"][1]["contacts"]["duty"]
    assert problems_of(data) == ["ladder[0].notify[0].contact: unknown contact 'duty' for clinic ekb-center"]


def test_tier_nobody_can_be_reached(raw: dict[str, Any]) -> None:
    data = mutate(raw, "ladder/3/notify/0/channels", ["sms"])  # legal has an e-mail only
    assert any(p.startswith("ladder[3].notify: nobody can be reached") for p in problems_of(data))


def test_needs_a_tier_for_every_review(raw: dict[str, Any]) -> None:
    data = mutate(raw, "ladder", [raw["ladder"][3]])
    assert any(p.startswith("ladder: needs at least one tier") for p in problems_of(data))


def test_strict_chain_tightens_eod(raw: dict[str, Any], policy: Policy) -> None:
    head = next(t for t in policy.ladder if t.id == "head")
    assert head.effective_within(strict=False) == "eod"
    strict = load_policy(mutate(raw, "chain/strict", True))
    head = next(t for t in strict.ladder if t.id == "head")
    assert head.effective_within(strict=strict.chain.strict) == "1h"
    director = next(t for t in strict.ladder if t.id == "director")
    assert director.effective_within(strict=True) == "1bd"
    custom = mutate(raw, "ladder/1/strict_within", "30m")
    assert load_policy(custom).ladder[1].effective_within(strict=True) == "30m"


def test_country_none_and_inheritance(raw: dict[str, Any]) -> None:
    data = mutate(raw, "clinics/0/country", None)
    data = mutate(data, "defaults/country", "kz")
    loaded = load_policy(data)
    assert loaded.clinic("msk-arbat").calendar.country is None
    assert loaded.clinic("ekb-center").calendar.country == "KZ"
    again = Policy.from_json(loaded.to_json())
    assert again.clinic("msk-arbat").calendar.country is None


def test_compact_and_explicit_hours_agree(raw: dict[str, Any]) -> None:
    explicit = {d: "08:00-20:00" for d in ("mon", "tue", "wed", "thu", "fri")} | {
        "sat": "closed",
        "sun": None,
    }
    a = load_policy(mutate(raw, "clinics/1/hours", explicit)).clinic("ekb-center").calendar
    b = load_policy(raw).clinic("ekb-center").calendar
    assert a == b


def test_yaml_problems() -> None:
    with pytest.raises(PolicyError, match=r"line 3: 'id' is given twice"):
        load_policy("chain:\n  id: a\n  id: b\n")
    with pytest.raises(PolicyError, match="line"):
        load_policy("chain: [unclosed\n  x: y\n")
    with pytest.raises(PolicyError, match="must be a mapping"):
        load_policy("- just\n- a list\n")
    with pytest.raises(PolicyError, match="cannot read policy"):
        load_policy("/nonexistent/policy.yaml")
    with pytest.raises(PolicyError, match="policy JSON"):
        Policy.from_json("{not json")


def test_a_long_one_line_json_policy_is_text_not_a_file_name():
    import json

    import yaml

    data = yaml.safe_load((Path(__file__).resolve().parents[2] / "samples" / "demo-policy.yaml").read_text())
    text = json.dumps(data, ensure_ascii=False) + " " * 400
    assert load_policy(text).chain.id == data["chain"]["id"]
