"""Simulated chains to measure spike detection: false alarms on spike-free years, and what it finds.

A simulated chain has `clinics` clinics of different sizes; each clinic's negatives on each topic arrive
as a Poisson process whose rate is the topic's base rate times the clinic's size, and (unless
`wobble` is 0) times a weekly Gamma noise with that coefficient of variation: real weeks differ more
than a Poisson process says. Detection runs every day of the year as the digest would; a detected
spike that continues an episode is not a new alarm (domain/spikes.continue_episode). Pure and
seeded: the same seed gives the same figures.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from clinic_reviews.domain.spikes import Negative, SpikeSettings, continue_episode, detect_spikes

#: Negatives a day on each topic at a clinic of size 1 (about 9 a month in all).
BASE_RATES = {
    "waiting": 0.08, "front_desk": 0.06, "billing": 0.05, "doctor": 0.06,
    "scheduling": 0.03, "cleanliness": 0.01, "diagnostics": 0.02,
}
START = date(2026, 1, 1)


@dataclass(frozen=True)
class SimulationResult:
    chains: int
    days: int
    clinics: int
    series: int  # clinic × topic pairs watched per chain
    tests: int  # daily tests in all (series × days × chains)
    negatives: int
    false_alarms: int  # new episodes raised on spike-free data
    injected: int = 0
    found: int = 0  # injected spikes detected within their window

    @property
    def per_chain_year(self) -> float:
        return self.false_alarms / (self.chains * self.days / 365)

    @property
    def per_series_year(self) -> float:
        return self.false_alarms / (self.chains * self.series * self.days / 365)

    @property
    def power(self) -> float | None:
        return None if not self.injected else self.found / self.injected


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method (means here are far below 30)."""
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def simulate_chain(
    rng: random.Random, clinics: int, days: int, wobble: float, settings: SpikeSettings,
    spike: tuple[int, str, int, float] | None = None,
) -> list[Negative]:
    """Negatives from `lookback` days before START to START + days. `spike`: (clinic, topic, first day
    index, rate multiplier) multiplies one series' rate for `recent_days` days."""
    sizes = [rng.uniform(0.3, 3.0) for _ in range(clinics)]
    negatives = []
    first = START - timedelta(days=settings.lookback_days)
    total = settings.lookback_days + days
    for clinic, size in enumerate(sizes):
        for topic, base in BASE_RATES.items():
            noise = 1.0
            for offset in range(total):
                if wobble and offset % 7 == 0:
                    noise = rng.gammavariate(1 / wobble**2, wobble**2)
                mean = base * size * noise
                if spike is not None and spike[0] == clinic and spike[1] == topic:
                    index = offset - settings.lookback_days
                    if spike[2] <= index < spike[2] + settings.recent_days:
                        mean *= spike[3]
                day = first + timedelta(days=offset)
                negatives += [Negative(f"c{clinic}", (topic,), day)] * _poisson(rng, mean)
    return negatives


def run_days(negatives: list[Negative], clinics: int, days: int, settings: SpikeSettings) -> list:
    """Detection on every day of the simulated year; the new episodes (alarms) in order."""
    names = [f"c{i}" for i in range(clinics)]
    episodes: dict[tuple[str, str], object] = {}
    alarms = []
    by_day = sorted(negatives, key=lambda n: n.day)
    for index in range(days):
        day = START + timedelta(days=index)
        lower = day - timedelta(days=settings.lookback_days)
        window = [n for n in by_day if lower < n.day <= day]
        for spike in detect_spikes(window, names, day, settings):
            key = (spike.clinic_id, spike.topic)
            episode = continue_episode(episodes.get(key), "sim", spike, (), settings)
            if episode.first_seen == day:  # a new episode: the one alert it raises
                alarms.append((day, spike))
            episodes[key] = episode
    return alarms


def false_alarms(
    chains: int = 5, clinics: int = 16, days: int = 365, wobble: float = 0.3, seed: int = 7,
    settings: SpikeSettings = SpikeSettings(),
) -> SimulationResult:
    """False alarms of `chains` simulated spike-free chain-years."""
    rng = random.Random(seed)
    alarms = negatives = 0
    for _ in range(chains):
        data = simulate_chain(rng, clinics, days, wobble, settings)
        negatives += len(data)
        alarms += len(run_days(data, clinics, days, settings))
    series = clinics * len(BASE_RATES)
    return SimulationResult(chains, days, clinics, series, series * days * chains, negatives, alarms)


def detection_power(
    trials: int = 40, clinics: int = 16, multiplier: float = 4.0, topic: str = "waiting", wobble: float = 0.3,
    seed: int = 11, settings: SpikeSettings = SpikeSettings(),
) -> SimulationResult:
    """How often a `multiplier`-fold fortnight on one series is found while it lasts (or a few days after)."""
    rng = random.Random(seed)
    found = 0
    days = 60
    for _ in range(trials):
        clinic = rng.randrange(clinics)
        data = simulate_chain(rng, clinics, days, wobble, settings, spike=(clinic, topic, 20, multiplier))
        hits = [
            (d, s) for d, s in run_days(data, clinics, days, settings)
            if s.clinic_id == f"c{clinic}" and s.topic == topic
        ]
        found += any(20 <= (d - START).days < 20 + settings.recent_days + 3 for d, _ in hits)
    series = clinics * len(BASE_RATES)
    return SimulationResult(trials, days, clinics, series, series * days * trials, 0, 0, trials, found)
