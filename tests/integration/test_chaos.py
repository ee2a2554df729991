"""`clinic-reviews chaos`: seeded faults on every AWS and platform call keep the invariants; the check can fail.

CI-sized: the demo's timeline on a slice of the bundled sample (tests/fixtures/chaos-slice.jsonl: twelve lines of
6-7 December with Google and 2GIS reviews through the scheduled fetch, imports, replies and an edit) with the
sample policy. The whole sample at 0.05 and 0.2 over ten seeds is the table in docs/nothing-lost.md.
"""

from __future__ import annotations

import json

import pytest
from clinic_reviews.cli import main

SLICE = "tests/fixtures/chaos-slice.jsonl"
SEEDS = (1, 2)


@pytest.fixture(scope="module")
def timeline(root):
    from clinic_reviews_local.demo import bundled_paths

    return root / SLICE, bundled_paths()[1]


@pytest.fixture(scope="module")
def fault_free(timeline, tmp_path_factory):
    from clinic_reviews_local import chaos, faults

    faults.install()
    reviews, policy = timeline
    return chaos.replay(reviews, policy, tmp_path_factory.mktemp("chaos") / "fault-free", None)


@pytest.mark.parametrize("seed", SEEDS)
def test_invariants_hold_with_a_tenth_of_all_calls_failing(seed, timeline, fault_free, tmp_path):
    from clinic_reviews_local import chaos
    from clinic_reviews_local.faults import FaultInjector

    injector = FaultInjector(0.1, seed)
    got = chaos.replay(*timeline, tmp_path / "faulted", injector)
    verdicts = chaos.compare(fault_free, got)
    assert {name: v for name, v in verdicts.items() if not v["holds"]} == {}
    targets = {name.split(":")[0] for name in injector.injected}
    assert injector.total > 20 and targets == {"aws", "http"}  # both AWS calls and platform calls were faulted
    assert fault_free.sms and fault_free.workflows and fault_free.digest  # the slice escalates and digests


def test_a_lost_sms_response_is_a_duplicate_the_check_reports(timeline, fault_free, tmp_path):
    """Idempotency broken once: the first SMS publish is applied, its answer lost, and botocore sends it again."""
    from clinic_reviews_local import chaos
    from clinic_reviews_local.faults import FaultInjector

    got = chaos.replay(*timeline, tmp_path / "faulted", FaultInjector(0.0, 0, lose_responses=("sns.Publish",)))
    verdicts = chaos.compare(fault_free, got)
    assert not verdicts["no_duplicate_sms"]["holds"]
    assert "sent more than once" in verdicts["no_duplicate_sms"]["detail"]
    assert sum(got.sms.values()) == sum(fault_free.sms.values()) + 1
    assert all(v["holds"] for name, v in verdicts.items() if name != "no_duplicate_sms")


def test_chaos_command_writes_its_verdicts(root, tmp_path, capsys):
    """The contract's shape, on two lines of the slice (the bundled sample's run is `make chaos`'s)."""
    reviews = tmp_path / "two.jsonl"
    reviews.write_text("\n".join((root / SLICE).read_text(encoding="utf-8").splitlines()[:2]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["chaos", "--reviews", str(reviews), "--fault-rate", "0.1", "--seed", "7", "--out", str(out)])
    result = json.loads((out / "chaos.json").read_text(encoding="utf-8"))
    assert code == 0, result["invariants"]
    assert result["seed"] == 7 and result["fault_rate"] == 0.1 and isinstance(result["faults_injected"], int)
    assert set(result["invariants"]) == {"reviews_stored_equal", "one_workflow_per_escalated_review", "no_duplicate_sms",
                                         "no_duplicate_email", "events_at_least_once", "digest_equal"}
    assert all(set(v) == {"holds", "detail"} for v in result["invariants"].values())
    assert "6 of 6 invariants hold" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["--fault-rate", "1.5"], ["--fault-rate", "x"], ["--seed", "-1"], []])
def test_chaos_refuses_bad_arguments(argv, tmp_path, capsys):
    out = [] if argv == [] else ["--out", str(tmp_path)]
    assert main(["chaos", *argv, *out]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
