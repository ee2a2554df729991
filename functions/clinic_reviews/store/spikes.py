"""Spike episodes (domain/spikes.Episode) in the single table: one item per episode, no Scan.

| item          | pk                | sk                                   |
|---------------|-------------------|--------------------------------------|
| spike episode | INSIGHT#<chain>   | SPIKE#<clinic>#<topic>#<since>       |

The latest episode of a clinic and topic is one Query (newest `since` first, limit 1); a month's
episodes for the report one Query of the chain's partition. Writes are conditional on the revision
read, so two runs on the same day never both start an episode (and never both alert). Episodes expire
(TTL) a year and a half after they were last seen: long enough for a year-on-year report.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError

from clinic_reviews.domain.spikes import Episode
from clinic_reviews.store.models import _Item

KEEP_DAYS = 550


class StaleEpisode(RuntimeError):
    """The episode changed since it was read (another run got there first)."""


class SpikeItem(_Item):
    kind = UnicodeAttribute(default="spike")
    body = UnicodeAttribute()
    last_seen = UnicodeAttribute()
    revision = NumberAttribute(default=0)
    expires_at = NumberAttribute(null=True)


def _pk(chain_id: str) -> str:
    return f"INSIGHT#{chain_id}"


def _prefix(clinic_id: str, topic: str) -> str:
    return f"SPIKE#{clinic_id}#{topic}#"


def _to_json(episode: Episode) -> dict:
    return {
        "chain_id": episode.chain_id, "clinic_id": episode.clinic_id, "topic": episode.topic,
        "since": episode.since.isoformat(), "first_seen": episode.first_seen.isoformat(),
        "last_seen": episode.last_seen.isoformat(), "count": episode.count, "expected": episode.expected,
        "p_value": episode.p_value, "alerted": episode.alerted, "refs": list(episode.refs),
    }


def _episode(item: SpikeItem) -> Episode:
    data = json.loads(item.body)
    return Episode(
        chain_id=data["chain_id"], clinic_id=data["clinic_id"], topic=data["topic"],
        since=date.fromisoformat(data["since"]), first_seen=date.fromisoformat(data["first_seen"]),
        last_seen=date.fromisoformat(data["last_seen"]), count=data["count"], expected=data["expected"],
        p_value=data["p_value"], alerted=data["alerted"], refs=tuple(data["refs"]), version=int(item.revision),
    )


class SpikeRepository:
    def latest(self, chain_id: str, clinic_id: str, topic: str) -> Episode | None:
        for item in SpikeItem.query(
            _pk(chain_id), SpikeItem.sk.startswith(_prefix(clinic_id, topic)), scan_index_forward=False, limit=1,
            consistent_read=True,
        ):
            return _episode(item)
        return None

    def of_chain(self, chain_id: str) -> Iterator[Episode]:
        """Every kept episode of the chain (a few dozen a year), oldest clinic/topic/since first."""
        for item in SpikeItem.query(_pk(chain_id), SpikeItem.sk.startswith("SPIKE#")):
            yield _episode(item)

    def save(self, episode: Episode) -> Episode:
        """Write the episode if nobody else changed it since it was read; the saved one (its new revision)."""
        expires = datetime.combine(episode.last_seen, time(), tzinfo=UTC).timestamp() + KEEP_DAYS * 86400
        item = SpikeItem(
            _pk(episode.chain_id),
            f"{_prefix(episode.clinic_id, episode.topic)}{episode.since.isoformat()}",
            body=json.dumps(_to_json(episode), ensure_ascii=False),
            last_seen=episode.last_seen.isoformat(),
            revision=episode.version + 1,
            expires_at=int(expires),
        )
        condition = SpikeItem.pk.does_not_exist() if episode.version == 0 else SpikeItem.revision == episode.version
        try:
            item.save(condition=condition)
        except PutError as exc:
            if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
                raise StaleEpisode(episode.id) from None
            raise
        return _episode(item)
