"""How often a complaint inside praise is caught, and how often plain praise is flagged by mistake.

`python bench/complaint_parts.py` reads the team's Russian evaluation set (data/ru/eval.jsonl: `mixed` marks
texts the team labelled as holding praise and a complaint) and prints, without stars and as five-star reviews:
- mixed texts: the share with a negative signal a manager sees (negative sentiment or a complaint part);
- plain positives (not mixed): the share given a complaint part (false flags);
and the bundled sample (samples/reviews.jsonl): how many reviews carry a complaint part, with their words.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _rows(path: Path) -> list[dict]:
    rows = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue  # the sample holds deliberately broken lines
        if isinstance(row, dict) and isinstance(row.get("text"), str):
            rows.append(row)
    return rows


def _stars(rating) -> int | None:
    return rating if isinstance(rating, int) and not isinstance(rating, bool) and 1 <= rating <= 5 else None


def main() -> int:
    from clinic_reviews.domain.classification import classify

    team = _rows(ROOT / "data/ru/eval.jsonl")
    mixed = [r for r in team if r.get("mixed")]
    plain = [r for r in team if r.get("sentiment") == "positive" and not r.get("mixed")]
    print(f"ru team set: {len(mixed)} mixed texts, {len(plain)} plain positives")
    for rating in (None, 5):
        readings = [classify(r["text"], rating) for r in mixed]
        signal = sum(k.sentiment == "negative" or k.complaint is not None for k in readings)
        parts = sum(k.complaint is not None for k in readings)
        false = sum(classify(r["text"], rating).complaint is not None for r in plain)
        stars = "no stars" if rating is None else f"{rating} stars"
        print(
            f"  {stars:>8}: mixed with a negative signal {signal}/{len(mixed)} (complaint part {parts}); "
            f"plain positives flagged {false}/{len(plain)}"
        )
    sample = [(r, classify(r["text"], _stars(r.get("rating")))) for r in _rows(ROOT / "samples/reviews.jsonl")]
    flagged = [(r, k) for r, k in sample if k.complaint is not None]
    print(f"sample: {len(flagged)} of {len(sample)} reviews carry a complaint part")
    for review, reading in flagged:
        print(
            f"  {review.get('rating')}★ {reading.sentiment:<8} {','.join(reading.complaint.topics):<28} "
            f"{reading.complaint.text[:70]}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
