"""`clinic-reviews classify`: reviews as JSONL on stdin, their classification as JSONL on stdout.

One output line per input line, in order. A line that is not a valid review (not JSON, not an object,
missing or non-string `id` or `text`, `rating` not a number from 1 to 5 or null, `lang` not a string)
yields `{"id": <id or null>, "error": "line N: reason"}` and the same message on stderr; the rest of the
input is still classified. Exit status 0.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Iterable
from typing import IO, Any

Classifier = Callable[[str, float | None, str | None], Any]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `classify`."""
    parser = subparsers.add_parser(
        "classify",
        help="classify reviews: JSONL on stdin -> JSONL on stdout",
        description=__doc__.splitlines()[0],
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from clinic_reviews.domain.classification import classify

    stdout = sys.stdout
    if hasattr(stdout, "reconfigure"):
        stdout.reconfigure(encoding="utf-8")
    return classify_stream(sys.stdin.buffer, stdout, sys.stderr, classify)


def classify_stream(lines: Iterable[bytes | str], out: IO[str], err: IO[str], classify: Classifier) -> int:
    """Classifies each line as it arrives; bad lines become error lines. Returns the exit status."""
    for number, raw in enumerate(lines, start=1):
        record_id: Any = None
        try:
            record = parse_line(raw)
            record_id = record["id"]
            row = {"id": record_id, **classify(record["text"], record["rating"], record["lang"]).to_json()}
        except InvalidLine as exc:
            row = _error(number, exc.record_id, str(exc), err)
        except Exception as exc:  # noqa: BLE001 -- a classifier bug must not cost the rest of the input
            row = _error(number, record_id, f"classification failed ({type(exc).__name__})", err)
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    out.flush()
    return 0


def _error(number: int, record_id: Any, reason: str, err: IO[str]) -> dict[str, Any]:
    print(f"classify: line {number}: {reason}", file=err)
    return {"id": record_id, "error": f"line {number}: {reason}"}


class InvalidLine(ValueError):
    """One input line is not a review; `record_id` is its id when that much could be read."""

    def __init__(self, reason: str, record_id: Any = None) -> None:
        super().__init__(reason)
        self.record_id = record_id


def parse_line(raw: bytes | str) -> dict[str, Any]:
    """The validated `{"id", "text", "rating", "lang"}` of one JSONL line."""
    try:
        line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise InvalidLine("not UTF-8") from None
    if not line.strip():
        raise InvalidLine("blank line")
    try:
        record = json.loads(line)
    except ValueError as exc:
        raise InvalidLine(f"not JSON ({exc.msg})") from None
    if not isinstance(record, dict):
        raise InvalidLine(f"expected a JSON object, got {type(record).__name__}")
    record_id = record.get("id")
    if not isinstance(record_id, str):
        raise InvalidLine("id: missing" if record_id is None else "id: must be a string")
    text = record.get("text")
    if not isinstance(text, str):
        raise InvalidLine("text: missing" if text is None else "text: must be a string", record_id)
    rating = record.get("rating")
    if rating is not None and (
        isinstance(rating, bool) or not isinstance(rating, int | float) or not math.isfinite(rating)
    ):
        raise InvalidLine("rating: must be a number from 1 to 5 or null", record_id)
    if rating is not None and not 1 <= rating <= 5:
        raise InvalidLine(f"rating: {rating} is outside 1..5", record_id)
    lang = record.get("lang")
    if lang is not None and not isinstance(lang, str):
        raise InvalidLine("lang: must be a string", record_id)
    return {"id": record_id, "text": text, "rating": rating, "lang": lang}
