"""The scheduled fetch, as pure rules: where paging stops, where the cursor moves, what the intake must see.

No clock, no store, no network: the fetch service passes `now`, the stored cursor and what was read.

Ordering (docs/sources.md, "Ordering and cursors"): every platform is read newest first by its
ordering key, and a poll stops at the first page holding an item ordered strictly before the
cursor's `mark`. The mark is the ordering key of the oldest review that can still change state (no
reply yet, written within the open window), or the newest key seen when none is open: late replies
that do not move a review up (2GIS, VK threads, some Google replies) are still seen, and a poll with
nothing open costs one request per source.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any

from clinic_reviews.domain.record import ReviewRecord
from clinic_reviews.domain.review import Review, iso_z

#: Per platform, the review keys (in order of preference) the platform sorts by, newest first.
ORDER_KEYS: dict[str, tuple[str, ...]] = {
    "google": ("updated_at", "created_at"),  # orderBy=updateTime desc
    "2gis": ("edited_at", "created_at"),  # sort_by=date_edited
    "vk": ("created_at",),  # sort=desc by comment date
}

#: How long an unanswered review keeps the re-read window open (its reply may still come).
DEFAULT_OPEN_WINDOW = timedelta(days=14)
#: How far back the first poll of a source reads (older reviews are history: stored, never escalated).
DEFAULT_FIRST_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class Cursor:
    """The stored state of one feed (a Google location, a 2GIS branch, a VK post or topic)."""

    clinic_id: str
    platform: str
    locator: str
    mark: str | None = None
    newest: str | None = None
    page_hashes: str | None = None  # hashes of the raw pages last archived, space-separated
    archived_key: str | None = None
    failures: int = 0
    last_error: str | None = None
    last_error_at: str | None = None
    updated_at: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.clinic_id, self.platform, self.locator)

    def same_state(self, other: Cursor | None) -> bool:
        """Equal in everything but `updated_at`: nothing to write."""
        if other is None:
            return False
        return all(getattr(self, f.name) == getattr(other, f.name) for f in fields(self) if f.name != "updated_at")

    def evolve(self, **changes: Any) -> Cursor:
        return replace(self, **changes)


def order_key(platform: str, review: Mapping[str, Any]) -> str | None:
    """The `...Z` timestamp the platform orders this review by."""
    for name in ORDER_KEYS.get(platform, ("created_at",)):
        value = review.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def stop_at(cursor: Cursor | None, now: datetime, first_window: timedelta = DEFAULT_FIRST_WINDOW) -> str:
    """Paging stops at the first page holding an item ordered strictly before this."""
    if cursor is not None and cursor.mark:
        return cursor.mark
    return iso_z(now - first_window)


def reached(platform: str, reviews: Iterable[Mapping[str, Any]], stop: str | None) -> bool:
    """True when a newest-first page holds a review ordered strictly before `stop`."""
    if not stop:
        return False
    return any((key := order_key(platform, r)) is not None and key < stop for r in reviews)


def next_marks(
    platform: str,
    reviews: Sequence[Mapping[str, Any]],
    previous: Cursor | None,
    now: datetime,
    open_window: timedelta = DEFAULT_OPEN_WINDOW,
) -> tuple[str | None, str | None]:
    """(mark, newest) after a complete read of `reviews` (everything down to the previous mark)."""
    keys = [k for r in reviews if (k := order_key(platform, r)) is not None]
    known = [previous.newest] if previous is not None and previous.newest else []
    newest = max(keys + known) if keys or known else None
    horizon = iso_z(now - open_window)
    still_open = [
        k
        for r in reviews
        if r.get("reply") is None
        and isinstance(r.get("created_at"), str)
        and r["created_at"] >= horizon
        and (k := order_key(platform, r)) is not None
    ]
    return (min(still_open) if still_open else newest), newest


def page_hashes(payloads: Sequence[Any]) -> str:
    """Stable hashes of raw responses, one per page, space-separated."""
    hashes = []
    for payload in payloads:
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        hashes.append(hashlib.sha256(blob.encode()).hexdigest()[:16])
    return " ".join(hashes)


def already_archived(cursor: Cursor | None, hashes: str) -> bool:
    """True when every page read now was in the pages archived last time: nothing new to keep.

    A steady-state poll reads fewer pages than the first (it stops at the mark), and those pages are
    the same as before: no object, no cursor write.
    """
    if cursor is None or not cursor.page_hashes or not hashes:
        return False
    return set(hashes.split()) <= set(cursor.page_hashes.split())


def needs_intake(review: Review, existing: ReviewRecord | None) -> bool:
    """Whether the intake must see this fetched review.

    New or changed content, a stored open negative whose escalation never started, or a review whose
    follow-ups (case, thank reminder) are not known done (the intake does them: see domain/intake.py).
    Everything else is unchanged and costs nothing.
    """
    if existing is None or existing.content_hash != review.content_hash():
        return True
    return existing.follow_up or existing.awaits_escalation


def with_reply(existing: ReviewRecord, reply: Mapping[str, Any]) -> dict[str, Any] | None:
    """The stored review with a reply found elsewhere (VK answers on other pages), or None if it changes nothing.

    A review whose text was cut in the item (kept whole in S3) is left alone: re-sending the cut text
    would look like an edit.
    """
    if existing.text_s3_key or existing.review.reply is not None:
        return None
    data = existing.review.to_json()
    data["reply"] = dict(reply)
    return data
