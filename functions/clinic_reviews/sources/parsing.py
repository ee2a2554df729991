"""What every source parser shares: the parsed page, its problems, timestamps and the final check.

A parser turns one raw platform response into a `Page` of normalized review dicts (without
`clinic_id`: the fetcher adds it from configuration) plus the items it could not or would not use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from clinic_reviews.domain.review import FIELDS, InvalidReview, iso_z, parse_review

#: Stand-in clinic id used only to validate a parser's output (the real one is added later).
_PROBE_CLINIC = "probe"
_REVIEW_FIELDS = FIELDS
_FRACTION = re.compile(r"(\.\d{1,6})\d*")


@dataclass(frozen=True)
class ParseProblem:
    """One raw item that produced no review: `invalid` (bad data) or `skipped` (by design)."""

    item: int
    reason: str
    external_id: str | None = None
    kind: Literal["invalid", "skipped"] = "invalid"

    def describe(self) -> str:
        ident = f" ({self.external_id})" if self.external_id else ""
        return f"item {self.item}{ident}: {self.kind}: {self.reason}"


@dataclass
class Page:
    """One parsed response.

    `next_page_token` is the opaque continuation: Google's `nextPageToken`, 2GIS's `meta.next_link`
    URL, VK's next `offset` as a string; None on the last page. `orphan_replies` holds the clinic's
    answers to reviews that are not in this page (VK: `{"external_id", "reply"}`), so a fetcher can
    mark an already stored review answered.
    """

    reviews: list[dict[str, Any]] = field(default_factory=list)
    next_page_token: str | None = None
    errors: list[ParseProblem] = field(default_factory=list)
    orphan_replies: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class FetchedPage:
    """A raw response as received (archive it) together with its parsed form."""

    payload: Any
    page: Page


class ItemError(ValueError):
    """A raw item cannot become a review; the message is the reason."""


def parse_instant(value: Any) -> datetime:
    """RFC 3339 / ISO 8601 with an offset or `Z` (any number of fractional digits) -> aware UTC."""
    if not isinstance(value, str) or not value.strip():
        raise ItemError("missing timestamp")
    text = _FRACTION.sub(r"\1", value.strip())
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ItemError(f"bad timestamp {value!r}") from None
    if parsed.tzinfo is None:
        raise ItemError(f"timestamp without offset {value!r}")
    return parsed.astimezone(UTC).replace(microsecond=0)


def from_unix(value: Any) -> datetime:
    """Unix seconds -> aware UTC."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ItemError("missing unix date")
    return datetime.fromtimestamp(int(value), tz=UTC)


def zulu(value: datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SSZ`."""
    return iso_z(value)


def normalize(raw: dict[str, Any]) -> dict[str, Any]:
    """Validate a parser's dict with the review model; return it JSON-ready, extra keys kept.

    Raises `InvalidReview` naming the field. `clinic_id` is kept only if the dict carried one.
    """
    had_clinic = bool(raw.get("clinic_id"))
    review = parse_review(raw if had_clinic else {**raw, "clinic_id": _PROBE_CLINIC})
    data = review.to_json()
    if not had_clinic:
        data.pop("clinic_id", None)
    if data.get("reply") is not None and data["reply"].get("author") is None:
        data["reply"].pop("author", None)
    ordered = {
        key: data[key] for key in ("source", "external_id", "rating", "text", "author", "created_at", "reply")
    }
    ordered.update({key: value for key, value in data.items() if key not in ordered})
    ordered.update({key: value for key, value in raw.items() if key not in _REVIEW_FIELDS})
    return ordered


def reached_cursor(page: Page, cursor: str | None, key: str = "created_at") -> bool:
    """True when the page holds a review whose `key` (a `...Z` timestamp) is at or before `cursor`.

    For newest-first sources a fetcher stops paging once this is true.
    """
    if not cursor:
        return False
    return any(isinstance(r.get(key), str) and r[key] <= cursor for r in page.reviews)


__all__ = [
    "FetchedPage",
    "InvalidReview",
    "ItemError",
    "Page",
    "ParseProblem",
    "from_unix",
    "normalize",
    "parse_instant",
    "reached_cursor",
    "zulu",
]
