"""Topic spikes (domain/spikes.py): quiet on small numbers, loud on a real spike, alerted once per episode,
and few false alarms on simulated spike-free years (domain/spike_simulation.py)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from clinic_reviews.domain.spike_simulation import detection_power, false_alarms
from clinic_reviews.domain.spikes import Negative, SpikeSettings, continue_episode, detect_spikes, negbin_tail

DAY = date(2026, 12, 7)
CLINICS = ["a", "b", "c"]


def history(clinic: str, topic: str, count: int, days: int = 84, before: date = DAY - timedelta(days=14)):
    """`count` negatives spread over the `days` before the window."""
    return [Negative(clinic, (topic,), before - timedelta(days=1 + (i * days) // max(count, 1))) for i in range(count)]


def recent(clinic: str, topic: str, count: int):
    return [Negative(clinic, (topic,), DAY - timedelta(days=i % 14), ref=f"r{i}") for i in range(count)]


def test_negative_binomial_tail_tends_to_the_poisson_tail():
    # a Gamma prior with a huge weight is a fixed rate: the tail is Poisson's
    mean = 2.0
    poisson = 1 - sum(math.exp(-mean) * mean**k / math.factorial(k) for k in range(6))
    assert negbin_tail(6, shape=2e6, rate=1e6 * 14, window=14) == pytest.approx(poisson, rel=1e-3)
    assert negbin_tail(0, 1.0, 1.0, 14) == 1.0


def test_a_clear_spike_is_found_with_its_numbers():
    data = history("a", "waiting", 1) + recent("a", "waiting", 8) + history("b", "waiting", 2) + history("c", "waiting", 1)
    (spike,) = detect_spikes(data, CLINICS, DAY)
    assert (spike.clinic_id, spike.topic, spike.count, spike.history_count) == ("a", "waiting", 8, 1)
    assert spike.start == DAY - timedelta(days=13) and spike.end == DAY and spike.since == DAY - timedelta(days=7)
    assert spike.expected < 1 and spike.p_value < 1e-4 and len(spike.refs) == 8
    assert "8 негативов за 14 дн." in spike.why() and "8 negatives in 14 days" in spike.why("en")


def test_three_negatives_never_raise_an_alarm_however_quiet_the_clinic():
    assert detect_spikes(recent("a", "billing", 3), CLINICS, DAY) == []


def test_a_busy_topic_at_its_usual_level_is_not_a_spike():
    # 6 a fortnight at a clinic that usually has about 3 a fortnight: more, but not significant
    data = history("a", "doctor", 18) + recent("a", "doctor", 6) + history("b", "doctor", 10)
    assert detect_spikes(data, CLINICS, DAY) == []


def test_the_other_clinics_set_the_expectation_of_a_clinic_without_history_on_the_topic():
    spike_only = recent("a", "billing", 5)
    # nobody in the chain complains about billing: 5 in a fortnight stands out
    assert [s.topic for s in detect_spikes(spike_only, CLINICS, DAY)] == ["billing"]
    # every other clinic has a steady billing stream: 5 at a clinic with no history is within reach
    steady = spike_only + history("b", "billing", 40) + history("c", "billing", 40)
    assert detect_spikes(steady, CLINICS, DAY) == []


def test_a_clinic_without_enough_history_is_not_tested():
    data = recent("a", "waiting", 9)
    assert detect_spikes(data, CLINICS, DAY, data_since={"a": DAY - timedelta(days=20)}) == []
    assert detect_spikes(data, CLINICS, DAY, data_since={"a": DAY - timedelta(days=80)}) != []


def test_negatives_outside_the_lookback_or_after_the_day_do_not_count():
    later = [Negative("a", ("waiting",), DAY + timedelta(days=1))] * 9
    ancient = [Negative("a", ("waiting",), DAY - timedelta(days=400))] * 50
    assert detect_spikes(later + ancient + recent("a", "waiting", 3), CLINICS, DAY) == []


def test_an_episode_is_alerted_once_and_a_new_one_starts_after_a_quiet_window():
    data = recent("a", "waiting", 8)
    (spike,) = detect_spikes(data, CLINICS, DAY)
    first = continue_episode(None, "chain", spike, ("r1",))
    assert first.first_seen == DAY and not first.alerted and first.version == 0
    alerted = first.__class__(**{**first.__dict__, "alerted": True, "version": 2})
    (tomorrow,) = detect_spikes(data, CLINICS, DAY + timedelta(days=1))
    same = continue_episode(alerted, "chain", tomorrow, ("r2",))
    assert same.alerted and same.since == first.since and same.refs == ("r1", "r2") and same.version == 2
    months_later = detect_spikes(
        [Negative(n.clinic_id, n.topics, n.day + timedelta(days=60)) for n in data], CLINICS, DAY + timedelta(days=60)
    )[0]
    fresh = continue_episode(same, "chain", months_later, ())
    assert not fresh.alerted and fresh.since > same.since and fresh.version == 0


def test_false_alarms_on_simulated_spike_free_years_stay_rare():
    """Two simulated 16-clinic chain-years with weekly noise (more than Poisson): at most a few alarms a year."""
    result = false_alarms(chains=2, clinics=16, days=365, wobble=0.3, seed=7)
    assert result.tests == 2 * 16 * 7 * 365 and result.negatives > 5000
    assert result.per_chain_year <= 2.5, result
    loose = false_alarms(chains=1, clinics=16, days=365, wobble=0.3, seed=7,
                         settings=SpikeSettings(alpha=0.05, min_count=1, min_ratio=1.0))
    assert loose.false_alarms > 10 * max(result.false_alarms, 1)  # the guard: without it, alarms every week


def test_a_sixfold_fortnight_is_usually_found():
    assert detection_power(trials=12, multiplier=6.0, seed=11).power >= 0.5


def test_the_bundled_sample_holds_one_spike_waiting_at_arbat(root):
    """What `make demo` must find, read with the project's own classifier (a classifier change that loses
    the spike, or raises another one, fails here first)."""
    import json
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from clinic_reviews.domain.classification import classify
    from clinic_reviews.domain.policy import load_policy

    policy = load_policy(root / "samples" / "demo-policy.yaml")
    zones = {c.id: ZoneInfo(c.timezone) for c in policy.clinics}
    latest: dict[tuple, dict] = {}
    for raw in (root / "samples" / "reviews.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if line.get("clinic_id") in zones and line.get("rating") in (None, 1, 2, 3, 4, 5):
            latest.setdefault((line["clinic_id"], line["source"], line["external_id"]), line)  # first version
    negatives, since = [], {}
    for (clinic, _, external_id), line in latest.items():
        written = datetime.fromisoformat(line["created_at"].replace("Z", "+00:00")).astimezone(zones[clinic]).date()
        since[clinic] = min(written, since.get(clinic, written))
        reading = classify(line["text"], line["rating"], line.get("lang"))
        if reading.sentiment == "negative":
            negatives.append(Negative(clinic, tuple(reading.topics), written, external_id))
    spikes = detect_spikes(negatives, list(zones), DAY, data_since=since)
    assert [(s.clinic_id, s.topic) for s in spikes] == [("msk-arbat", "waiting")]
    assert spikes[0].count >= 8 and spikes[0].since == date(2026, 11, 25)
    assert sum(ref.startswith("w-arb-") for ref in spikes[0].refs) == 5
