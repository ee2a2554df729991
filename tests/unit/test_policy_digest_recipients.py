"""A clinic may name its own digest recipients (optional, validated, and absent from older policies)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from clinic_reviews.domain.policy import Policy, PolicyError, load_policy

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "demo-policy.yaml"


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))


def test_clinic_digest_recipients_default_to_none(raw):
    policy = load_policy(raw)
    assert all(c.digest_recipients == [] for c in policy.clinics)
    assert "digest_recipients" not in Policy.from_json(policy.to_json()).clinics[0].fields_set


def test_clinic_digest_recipients_are_kept_and_round_trip(raw):
    data = copy.deepcopy(raw)
    data["clinics"][2]["digest_recipients"] = [" d.kim@zdorovie.example.org "]
    policy = load_policy(data)
    assert policy.clinic("vvo-svetlanskaya").digest_recipients == ["d.kim@zdorovie.example.org"]
    assert Policy.from_json(policy.to_json()).clinic("vvo-svetlanskaya").digest_recipients == [
        "d.kim@zdorovie.example.org"
    ]


def test_a_bad_clinic_digest_address_names_its_path(raw):
    data = copy.deepcopy(raw)
    data["clinics"][1]["digest_recipients"] = ["not-an-address"]
    with pytest.raises(PolicyError) as caught:
        load_policy(data)
    assert caught.value.problems == ["clinics[1].digest_recipients: not a valid e-mail address: 'not-an-address'"]
