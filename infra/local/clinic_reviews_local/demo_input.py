"""The demo's input: any bytes in a reviews file, and the default policy for a user's own file.

Every line of the file ends up either in `reviews` (a valid review, ready for the replay) or in
`rejected` with its number and a reason that never echoes the line: bytes that are not UTF-8, not
JSON (cut off, nested too deeply, a number too long), not an object, or not a valid review (wrong
type, out of range, lone surrogate, control characters in ids, a date too far in the future).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

#: A longer line is refused unread (the bundled sample's longest is ~6 KB).
MAX_LINE_BYTES = 1_000_000
#: A review dated later than this after the real clock is refused (it would move the whole replay).
MAX_FUTURE = timedelta(days=366)
DEFAULT_TIMEZONE = "Europe/Moscow"
#: A clinic made up when the file names no valid clinic at all (a policy needs one).
PLACEHOLDER_CLINIC = "clinic-1"


class InputError(RuntimeError):
    """The file cannot be read at all (missing, a directory, unreadable)."""


@dataclass
class InputFile:
    lines: int = 0
    reviews: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        self.rejected.append({"line": line, "reason": reason})

    def keep_clinics(self, known: set[str]) -> None:
        """Reject the lines naming a clinic outside `known` (a policy given with --policy)."""
        for number, review in self.reviews:
            if review["clinic_id"] not in known:
                self.reject(number, f"clinic_id: unknown clinic {review['clinic_id']!r} (not in the policy)")
        self.reviews = [(n, r) for n, r in self.reviews if r["clinic_id"] in known]
        self.rejected.sort(key=lambda r: r["line"])

    def clinic_ids(self) -> list[str]:
        """The clinics the valid lines name, in order of first appearance."""
        return list(dict.fromkeys(review["clinic_id"] for _, review in self.reviews))


def read_input(path: Path, now: datetime | None = None) -> InputFile:
    """Read a JSONL file of reviews whatever its bytes; one rejection per bad line, never an exception."""
    result = InputFile()
    latest = (now or datetime.now(UTC)) + MAX_FUTURE
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        number = 0
        while True:
            raw = handle.readline(MAX_LINE_BYTES + 1)
            if not raw:
                break
            number += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):  # skip the rest of the over-long line
                    raw = handle.readline(MAX_LINE_BYTES + 1)
                result.reject(number, f"line longer than {MAX_LINE_BYTES} bytes")
                continue
            review, reason = _review_of(raw, first=number == 1, latest=latest)
            if reason is not None:
                result.reject(number, reason)
            else:
                result.reviews.append((number, review))
        result.lines = number
    return result


def _review_of(raw: bytes, first: bool, latest: datetime) -> tuple[dict[str, Any] | None, str | None]:
    from clinic_reviews.domain.review import InvalidReview, parse_review

    if first and raw.startswith(b"\xef\xbb\xbf"):  # a byte-order mark written by some editors
        raw = raw[3:]
    try:
        text = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8: invalid byte at column {exc.start + 1}"
    if not text.strip():
        return None, "empty line"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"not JSON: {exc.msg} at column {exc.colno}"
    except RecursionError:
        return None, "not JSON: nested too deeply"
    except ValueError:  # e.g. an integer of more than 4300 digits
        return None, "not JSON: a number out of range"
    if not isinstance(data, dict):
        return None, "not a JSON object"
    shown = {k: v for k, v in data.items() if k != "seen_at"}
    try:
        review = parse_review(shown)
    except InvalidReview as exc:
        return None, str(exc)
    seen = _timestamp(data["seen_at"]) if "seen_at" in data else None
    if "seen_at" in data and seen is None:
        return None, "seen_at: not a date with a UTC offset"
    moments = {"created_at": review.created_at, "reply.created_at": review.reply and review.reply.created_at,
               "seen_at": seen}
    for name, moment in moments.items():
        if moment is not None and moment > latest:
            return None, f"{name}: too far in the future"
    # The validated review (control characters removed, times in UTC) plus the keys it does not model.
    extra = {k: v for k, v in data.items() if k not in review.to_json() and k != "seen_at"}
    cleaned = {**_json_safe(extra), **review.to_json()}
    if "seen_at" in data:
        cleaned["seen_at"] = data["seen_at"]
    return cleaned, None


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed.astimezone(UTC) if parsed.tzinfo else None
    except (ValueError, OverflowError):
        return None


def _json_safe(extra: dict[str, Any]) -> dict[str, Any]:
    """Extra keys survive only when they can be written back as UTF-8 JSON."""
    try:
        json.dumps(extra, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError, RecursionError):
        return {}
    return extra


def default_policy(clinic_ids: list[str], timezone: str | None = None):
    """samples/default-policy.yaml with the file's clinics in `timezone` (Europe/Moscow by default)."""
    from clinic_reviews.domain.policy import load_policy

    from clinic_reviews_local.template import project_root

    zone = timezone or DEFAULT_TIMEZONE
    data = yaml.safe_load((project_root() / "samples" / "default-policy.yaml").read_text(encoding="utf-8"))
    data["chain"]["timezone"] = zone
    data["clinics"] = [{"id": cid, "name": cid, "timezone": zone} for cid in clinic_ids or [PLACEHOLDER_CLINIC]]
    return load_policy(data)
