"""Systemic problems: read the history, find topic spikes, alert once per spike, put it on the bus.

`analyse(chain_id, day)` reads the chain's day partitions (gsi2) from the start of the history to the
day after `day` (about 100 Queries, no Scan), buckets negatives by the clinic-local day the patient
wrote them (a first import lands on one received day but keeps its dates), runs domain/spikes and adds
the cases closed in the window with a systemic root cause (domain/systemic). The digest shows the
result; `raise_alerts` e-mails the head of client service (the clinic's own, else the chain's) and
publishes `insight.spike_detected` once per episode (store/spikes: conditional writes, Powertools
idempotency on the e-mail, a deterministic event id). docs/insights.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from clinic_reviews.domain.digest import safe_link
from clinic_reviews.domain.policy import PolicyError
from clinic_reviews.domain.privacy import excerpt
from clinic_reviews.domain.review import iso_z
from clinic_reviews.domain.spikes import Negative, Spike, SpikeSettings, continue_episode, detect_spikes
from clinic_reviews.domain.systemic import SPIKE, ReviewRef, SystemicItem, systemic_view
from clinic_reviews.events import Event
from clinic_reviews.store.spikes import StaleEpisode

SPIKE_DETECTED = "insight.spike_detected"
EXCERPT_CHARS = 200
HEAD = "head_of_client_service"


@dataclass(frozen=True)
class Analysis:
    chain_id: str
    day: date
    start: date  # the window's first day
    spikes: tuple[Spike, ...]
    items: tuple[SystemicItem, ...]
    negatives: int = 0
    queries: int = 0
    clinics_tested: tuple[str, ...] = field(default=())


class InsightService:
    def __init__(
        self, reviews, policies, spikes, delivery, publisher, now: Callable[[], datetime], cases=None,
        settings: SpikeSettings = SpikeSettings(),
    ):
        self._reviews = reviews
        self._policies = policies
        self._spikes = spikes  # store.spikes.SpikeRepository
        self._delivery = delivery
        self._publisher = publisher
        self._now = now
        self._cases = cases
        self.settings = settings

    def analyse(self, chain_id: str, day: date, reads=None) -> Analysis:
        """The spikes of the window ending on `day` and the systemic case causes closed in it. `reads`: a
        services.day_reads.DayReads of a caller that reads the same days for something else too."""
        policy = self._policies.chain(chain_id)
        s = self.settings
        first = day - timedelta(days=s.lookback_days - 1)
        negatives: list[Negative] = []
        data_since: dict[str, date] = {}
        zones = {clinic.id: ZoneInfo(clinic.timezone) for clinic in policy.clinics}
        queries = 0
        for offset in range(s.lookback_days + 1):  # the day after too: late reviews of `day` land there
            queries += 1
            for seen in (reads or self._reviews).sightings_of_day(chain_id, first + timedelta(days=offset)):
                zone = zones.get(seen.clinic_id)
                if zone is None:
                    continue  # a clinic removed from the policy
                written = seen.created_at.astimezone(zone).date()
                if written > day:
                    continue
                data_since[seen.clinic_id] = min(written, data_since.get(seen.clinic_id, written))
                if seen.sentiment != "negative":
                    continue
                ref = ReviewRef(
                    key=f"{seen.source}|{seen.external_id}",
                    source=seen.source,
                    created_local=seen.created_at.astimezone(zone).strftime("%d.%m.%Y"),
                    excerpt=excerpt(seen.text[: EXCERPT_CHARS * 3], EXCERPT_CHARS, seen.author),
                    link=safe_link(seen.url),
                )
                negatives.append(Negative(seen.clinic_id, seen.topics, written, ref))
        clinics = [c.id for c in policy.clinics]
        spikes = detect_spikes(negatives, clinics, day, s, data_since=data_since)
        start = day - timedelta(days=s.recent_days - 1)
        case_log = []
        if self._cases is not None:
            for offset in range(s.recent_days):
                queries += 1
                case_log += list((reads or self._cases).log_of_day(chain_id, start + timedelta(days=offset)))
        items = systemic_view(spikes, case_log, start, day, policy.chain.language)
        return Analysis(chain_id, day, start, tuple(spikes), tuple(items), len(negatives), queries, tuple(sorted(data_since)))

    def raise_alerts(self, analysis: Analysis) -> dict:
        """Start or continue each spike's episode; alert and publish for an episode not yet alerted."""
        policy = self._policies.chain(analysis.chain_id)
        items = {(i.clinic_id, i.topic): i for i in analysis.items if i.kind == SPIKE}
        new = continued = 0
        for spike in analysis.spikes:
            item = items[(spike.clinic_id, spike.topic)]
            episode = self._episode(analysis.chain_id, spike, tuple(r.key for r in spike.refs))
            if episode.alerted:
                continued += 1
                continue
            self._alert(policy, episode, item)
            self._publisher.publish([spike_event(episode, item, self._now())])
            try:
                self._spikes.save(replace(episode, alerted=True))
            except StaleEpisode:
                pass  # another run marked it meanwhile; the e-mail and the event are idempotent
            new += 1
        return {"spikes": len(analysis.spikes), "new": new, "continued": continued}

    def _episode(self, chain_id: str, spike: Spike, refs: tuple[str, ...]):
        for _ in range(3):
            previous = self._spikes.latest(chain_id, spike.clinic_id, spike.topic)
            episode = continue_episode(previous, chain_id, spike, refs, self.settings)
            try:
                return self._spikes.save(episode)
            except StaleEpisode:
                continue
        raise StaleEpisode(f"{chain_id}:{spike.clinic_id}:{spike.topic}: changed three times while saving")

    def _alert(self, policy, episode, item: SystemicItem) -> None:
        from clinic_reviews.notify.insight_block import spike_alert

        clinic = policy.clinic(episode.clinic_id)
        try:
            head = policy.contact(HEAD, clinic.id)
            recipients = [head.email] if head.email else []
        except PolicyError:
            recipients = []
        email = spike_alert(item, policy)
        for recipient in recipients or list(policy.chain.digest_recipients):
            self._delivery.deliver(
                request={
                    "key": f"spike:{episode.id}:{recipient}",
                    "channel": "email",
                    "to": recipient,
                    "subject": email.subject,
                    "html": email.html,
                    "text": email.text,
                    "sender_name": policy.chain.name,
                }
            )


def spike_event(episode, item: SystemicItem, at: datetime) -> Event:
    """`insight.spike_detected` (infra/schemas/insight.spike_detected.v1.json): no text, no author."""
    return Event(SPIKE_DETECTED, {
        "schema_version": "1",
        "event_id": f"{SPIKE_DETECTED}:{episode.id}",
        "occurred_at": iso_z(at),
        "chain_id": episode.chain_id,
        "clinic_id": episode.clinic_id,
        "topic": episode.topic,
        "since": episode.since.isoformat(),
        "window": {"start": item.start.isoformat(), "end": item.end.isoformat()},
        "count": item.count,
        "baseline": item.baseline or 0.0,
        "p_value": item.p_value if item.p_value is not None else 1.0,
        "reviews": [dict(zip(("source", "external_id"), ref.split("|", 1), strict=True)) for ref in episode.refs],
    })
