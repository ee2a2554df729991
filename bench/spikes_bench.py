"""Spike detection on simulated chains: the false-alarm rate on spike-free years, and what it finds.

    .venv/bin/python bench/spikes_bench.py

Ten simulated chain-years of 16 clinics × 7 topics (112 series tested every day, as the digest does),
once as pure Poisson streams and once with weekly Gamma noise (CV 0.3: real weeks vary more); then 40
injected fortnights at 3x, 4x and 6x one series' rate. domain/spike_simulation.py; docs/insights.md.
Printed, never asserted (tests/unit/test_spikes.py asserts a bound).
"""

from __future__ import annotations

import time


def main() -> dict:
    from clinic_reviews.domain.spike_simulation import detection_power, false_alarms
    from clinic_reviews.domain.spikes import SpikeSettings

    settings = SpikeSettings()
    started = time.perf_counter()
    rows = {}
    for wobble in (0.0, 0.3):
        r = false_alarms(chains=10, clinics=16, days=365, wobble=wobble, seed=2026)
        rows[f"false alarms, weekly noise {wobble}"] = {
            "chain_years": r.chains, "daily_tests": r.tests, "negatives": r.negatives, "alarms": r.false_alarms,
            "per_chain_year": round(r.per_chain_year, 2), "per_clinic_topic_year": round(r.per_series_year, 4),
        }
    for multiplier in (3.0, 4.0, 6.0):
        p = detection_power(trials=40, multiplier=multiplier, wobble=0.3, seed=2027)
        rows[f"found: {multiplier:g}x fortnight"] = {"trials": p.injected, "found": p.found, "power": round(p.power, 2)}
    print(f"spike detection: alpha {settings.alpha}, min count {settings.min_count}, min ratio {settings.min_ratio}, "
          f"window {settings.recent_days} d, history {settings.history_days} d, prior {settings.prior_days} d")
    for name, row in rows.items():
        print(f"  {name}: {row}")
    print(f"  {time.perf_counter() - started:.1f} s")
    return rows
