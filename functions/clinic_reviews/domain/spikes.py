"""Systemic problems found, not just counted: topic spikes of negative reviews per clinic.

For every clinic and topic, the negatives of the last `recent_days` (the window, e.g. a fortnight)
are compared with what that clinic's own history and the chain's other clinics lead us to expect.
The model (docs/insights.md):

- the negatives of one topic at one clinic arrive as a Poisson process with a daily rate λ;
- λ's prior is a Gamma whose mean is the other clinics' daily rate for the topic (over their
  history) and whose weight is `prior_days` days of observation, never below `prior_floor` expected
  negatives (a topic nobody ever complained about is not "impossible");
- the clinic's own history (`history_days` before the window) updates it: Gamma(a0 + h, b0 + H);
- the window's count then follows the posterior predictive, a negative binomial; the p-value is
  P(K >= count) under it.

A spike is flagged only when the p-value is at most `alpha`, the count is at least `min_count` and at
least `min_ratio` times the expected count: two or three negatives never raise an alarm, however quiet
the clinic was. The false-alarm rate on simulated spike-free years is measured by
bench/spikes_bench.py and asserted in tests/unit/test_spikes.py.

Pure: it is given the negatives (clinic, topics, clinic-local day written, a reference) and the day.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

#: Topics a spike is looked for in: every classifier topic but `other` (not a bottleneck one can fix).
SPIKE_TOPICS = ("front_desk", "waiting", "billing", "doctor", "scheduling", "cleanliness", "diagnostics")


@dataclass(frozen=True)
class SpikeSettings:
    recent_days: int = 14
    history_days: int = 84
    min_count: int = 4
    min_ratio: float = 2.0
    alpha: float = 1e-4
    prior_days: float = 28.0
    prior_floor: float = 0.5

    @property
    def lookback_days(self) -> int:
        return self.recent_days + self.history_days


@dataclass(frozen=True)
class Negative:
    """One negative review as detection sees it: `day` is the clinic-local day the patient wrote it."""

    clinic_id: str
    topics: tuple[str, ...]
    day: date
    ref: Any = None  # whatever the caller needs to show the review (never read here)


@dataclass(frozen=True)
class Spike:
    """A topic at a clinic with significantly more negatives in the window than expected."""

    clinic_id: str
    topic: str
    start: date  # first day of the window
    end: date  # last day of the window (the day detection ran for)
    count: int
    expected: float  # the window's expected count (the baseline)
    history_count: int  # the clinic's own negatives on the topic in the history before the window
    history_days: int
    chain_expected: float  # what the other clinics' history alone predicts for the window
    others_recent: float  # the other clinics' mean count in the same window
    p_value: float
    since: date  # the day of the window's first negative on the topic
    refs: tuple[Any, ...] = field(default=(), compare=False)

    @property
    def ratio(self) -> float:
        return self.count / self.expected if self.expected > 0 else math.inf

    def why(self, lang: str = "ru") -> str:
        days = (self.end - self.start).days + 1
        if lang == "en":
            return (
                f"{self.count} negatives in {days} days against {self.expected:.1f} expected "
                f"({self.history_count} in the {self.history_days} days before; the other clinics average "
                f"{self.others_recent:.1f} in the same days); p = {self.p_value:.1e}"
            )
        return (
            f"{self.count} негативов за {days} дн. при ожидаемых {self.expected:.1f} "
            f"({self.history_count} за {self.history_days} дн. до этого; у других клиник сети в среднем "
            f"{self.others_recent:.1f} за те же дни); p = {self.p_value:.1e}"
        )


def negbin_tail(count: int, shape: float, rate: float, window: float) -> float:
    """P(K >= count) for K ~ Poisson(λ·window), λ ~ Gamma(shape, rate): a negative binomial tail."""
    if count <= 0:
        return 1.0
    q = rate / (rate + window)  # the "failure" probability of the negative binomial
    log_q, log_1q = math.log(q), math.log1p(-q)
    below = 0.0
    for k in range(count):
        below += math.exp(
            math.lgamma(k + shape) - math.lgamma(shape) - math.lgamma(k + 1) + shape * log_q + k * log_1q
        )
    return max(0.0, 1.0 - below)


def detect_spikes(
    negatives: Iterable[Negative],
    clinics: Sequence[str],
    day: date,
    settings: SpikeSettings = SpikeSettings(),
    topics: Sequence[str] = SPIKE_TOPICS,
    data_since: dict[str, date] | None = None,
) -> list[Spike]:
    """The spikes of the window ending on `day` (inclusive), strongest first (module docstring).

    `data_since` (clinic -> the first day the store has any review of it, whatever the sentiment): a
    clinic with less than half the history behind its window is not tested, so a fresh deployment, or
    a clinic just added, does not take its first fortnight for a spike. None: every clinic is tested.
    """
    s = settings
    recent_start = day - timedelta(days=s.recent_days - 1)
    history_start = recent_start - timedelta(days=s.history_days)
    enough = history_start + timedelta(days=s.history_days // 2)
    history: dict[tuple[str, str], int] = defaultdict(int)
    recent: dict[tuple[str, str], list[Negative]] = defaultdict(list)
    for negative in negatives:
        if negative.day > day or negative.day < history_start:
            continue
        for topic in set(negative.topics):
            key = (negative.clinic_id, topic)
            if negative.day >= recent_start:
                recent[key].append(negative)
            else:
                history[key] += 1
    spikes = []
    for topic in topics:
        for clinic in clinics:
            window = recent.get((clinic, topic), [])
            count = len(window)
            if count < s.min_count:
                continue
            if data_since is not None and data_since.get(clinic, day) > enough:
                continue
            others = [c for c in clinics if c != clinic]
            others_rate = (
                sum(history[(c, topic)] for c in others) / (len(others) * s.history_days) if others else 0.0
            )
            shape0 = max(others_rate * s.prior_days, s.prior_floor)
            shape = shape0 + history[(clinic, topic)]
            rate = s.prior_days + s.history_days
            expected = shape / rate * s.recent_days
            if count < s.min_ratio * expected:
                continue
            p_value = negbin_tail(count, shape, rate, s.recent_days)
            if p_value > s.alpha:
                continue
            ordered = sorted(window, key=lambda n: n.day)
            spikes.append(
                Spike(
                    clinic_id=clinic,
                    topic=topic,
                    start=recent_start,
                    end=day,
                    count=count,
                    expected=round(expected, 3),
                    history_count=history[(clinic, topic)],
                    history_days=s.history_days,
                    chain_expected=round(others_rate * s.recent_days, 3),
                    others_recent=round(sum(len(recent.get((c, topic), [])) for c in others) / len(others), 2)
                    if others
                    else 0.0,
                    p_value=p_value,
                    since=ordered[0].day,
                    refs=tuple(n.ref for n in ordered),
                )
            )
    spikes.sort(key=lambda sp: (sp.p_value, sp.clinic_id, sp.topic))
    return spikes


# ------------------------------------------------------------------------------------------ episodes
@dataclass(frozen=True)
class Episode:
    """One spike as it lasts from day to day: alerted once, however many days it is detected.

    A spike detected again while its episode is live (last seen within a window's length) continues
    that episode; detected after a whole quiet window, it is a new one.
    """

    chain_id: str
    clinic_id: str
    topic: str
    since: date
    first_seen: date
    last_seen: date
    count: int
    expected: float
    p_value: float
    alerted: bool = False
    refs: tuple[str, ...] = ()
    version: int = 0

    @property
    def id(self) -> str:
        return f"{self.chain_id}:{self.clinic_id}:{self.topic}:{self.since.isoformat()}"


def continue_episode(
    previous: Episode | None, chain_id: str, spike: Spike, refs: tuple[str, ...], settings: SpikeSettings = SpikeSettings()
) -> Episode:
    """The episode `spike` belongs to: `previous` carried on, or a new one (not yet alerted)."""
    live = previous is not None and (spike.end - previous.last_seen).days <= settings.recent_days
    if live and previous is not None:
        return Episode(
            chain_id, spike.clinic_id, spike.topic, previous.since, previous.first_seen,
            max(previous.last_seen, spike.end), max(previous.count, spike.count), previous.expected,
            min(previous.p_value, spike.p_value), previous.alerted,
            tuple(dict.fromkeys((*previous.refs, *refs))), previous.version,
        )
    return Episode(
        chain_id, spike.clinic_id, spike.topic, spike.since, spike.end, spike.end, spike.count, spike.expected,
        spike.p_value, False, refs,
    )
