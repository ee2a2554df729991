"""A stored policy is rebuilt without pydantic (domain/spec.py): the same policy as the checked one, and
anything that is not what `to_json` wrote is a PolicyError, never a crash in the middle of a request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clinic_reviews.domain.policy import Policy, PolicyError, load_policy

SAMPLES = [Path(__file__).resolve().parents[2] / "samples" / name for name in ("policy.yaml", "demo-policy.yaml")]
# (default-policy.yaml is a template without clinics)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_the_stored_form_rebuilds_the_checked_policy(path):
    checked = load_policy(path)
    stored = Policy.from_json(checked.to_json())
    assert stored == checked and stored.to_json() == checked.to_json()
    for a, b in zip(stored.clinics, checked.clinics, strict=True):
        assert a.calendar == b.calendar and a.fields_set == b.fields_set
    assert json.loads(checked.to_json()) == load_policy(json.loads(checked.to_json())).to_data()  # checked again: same


def test_only_what_was_written_is_stored():
    written = load_policy(SAMPLES[0]).to_data()
    written.pop("retention", None)
    data = json.loads(load_policy(written).to_json())
    assert "retention" not in data and any("country" not in clinic for clinic in data["clinics"])
    assert Policy.from_json(json.dumps(data)).retention.reviews == 1095  # the default of today's code


@pytest.mark.parametrize("change", [
    lambda d: d["chain"].update(color="red"),
    lambda d: d.update(clinics="msk"),
    lambda d: d["clinics"][0].update(contacts=["x"]),
    lambda d: d["clinics"][0].update(sources=[{"platform": "myspace"}]),
    lambda d: d["clinics"].append(dict(d["clinics"][0])),
    lambda d: d["ladder"][0].update(notify=[{"contact": "nobody", "channels": ["sms"]}]),
    lambda d: d.pop("chain"),
    lambda d: d["clinics"][0].update(timezone="Mars/Olympus"),
])
def test_a_stored_policy_that_is_not_what_to_json_wrote_is_a_policy_error(change):
    data = json.loads(load_policy(SAMPLES[0]).to_json())
    change(data)
    with pytest.raises(PolicyError):
        Policy.from_json(json.dumps(data))


def test_evolve_binds_calendars_again_and_counts_changes_as_written():
    policy = load_policy(SAMPLES[0])
    changed = policy.evolve(defaults=policy.defaults.evolve(country=None))
    inheriting = [c for c in changed.clinics if "country" not in c.fields_set]
    assert inheriting and all(c.calendar.country is None for c in inheriting)
    assert "country" in changed.defaults.fields_set and changed.to_data()["defaults"]["country"] is None
