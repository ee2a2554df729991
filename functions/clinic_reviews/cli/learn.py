"""`clinic-reviews learn --reviews FILE.jsonl --out DIR`: a chain's adaptation of the text model, locally.

Each line: a review with `text` and `rating` (1-5; the label, never a feature) or `label`
(negative/neutral/positive), optionally `id` and `lang`. Lines without text or label teach nothing and
are counted; a line that is not a JSON object is reported on stderr with its number. Writes
`DIR/learn.json` (adopted or not, why, held-out scores) and, when an adaptation was fitted,
`DIR/adaptation.json` (what the monthly job keeps in S3). Exit 0; 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `learn`."""
    parser = subparsers.add_parser("learn", help="fit a chain's adaptation of the text model from rated reviews",
                                   description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=Path, required=True, help="JSONL of rated reviews")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from clinic_reviews.cli import UsageError
    from clinic_reviews.domain.classification.learning import learn

    if not args.reviews.is_file():
        raise UsageError(f"learn: no such file: {args.reviews}")
    reviews, bad = [], 0
    with args.reviews.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            try:
                record = json.loads(raw.decode("utf-8"))
                if not isinstance(record, dict):
                    raise ValueError("not a JSON object")
            except (UnicodeDecodeError, ValueError) as exc:
                bad += 1
                print(f"learn: line {number}: {type(exc).__name__}: {str(exc)[:80]}", file=sys.stderr)
                continue
            reviews.append(record)
    outcome = learn(reviews)
    args.out.mkdir(parents=True, exist_ok=True)
    summary = {**outcome.summary(), "lines": len(reviews) + bad, "rejected_lines": bad}
    (args.out / "learn.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if outcome.adaptation is not None:
        (args.out / "adaptation.json").write_text(json.dumps(outcome.adaptation.to_json()), encoding="utf-8")
    print(("adopted: " if outcome.adopted else "base model kept: ") + outcome.reason)
    return 0
