"""Regression guard on the development set the rules were tuned on (tests/data/classification_dev.jsonl).

This is the tuning set, so these numbers are not an evaluation claim: an independent evaluation set
lives apart from it (see tests/data/README.md).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from clinic_reviews.domain.classification import KINDS, SENTIMENTS, TOPICS, classify

DEV = Path(__file__).resolve().parents[1] / "data" / "classification_dev.jsonl"
ROWS = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
WITH_TEXT = [row for row in ROWS if row["text"].strip()]


def test_dev_set_is_well_formed() -> None:
    ids = [row["id"] for row in ROWS]
    assert len(ids) == len(set(ids))
    languages = Counter(row["lang"] for row in ROWS)
    assert len(ROWS) >= 150 and languages["ru"] >= 100 and languages["en"] >= 50
    for row in ROWS:
        assert row["sentiment"] in SENTIMENTS
        assert set(row["topics"]) <= set(TOPICS)
        assert row["kind"] in KINDS
        assert row["rating"] is None or 1 <= row["rating"] <= 5
        assert row["triage"] in (1, 2, 3, None)
        assert row["text"].strip() or row["rating"] is not None
    assert {row["sentiment"] for row in WITH_TEXT} == set(SENTIMENTS)
    assert {row["kind"] for row in ROWS} == set(KINDS)


def _accuracy(rows: list[dict]) -> float:
    return sum(classify(r["text"], None, r["lang"]).sentiment == r["sentiment"] for r in rows) / len(rows)


def test_text_only_sentiment_accuracy() -> None:
    assert _accuracy(WITH_TEXT) >= 0.9


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_text_only_sentiment_accuracy_per_language(lang: str) -> None:
    assert _accuracy([row for row in WITH_TEXT if row["lang"] == lang]) >= 0.85


def test_with_the_rating_sentiment_follows_it() -> None:
    rated = [row for row in ROWS if row["rating"] is not None]
    assert len(rated) >= 20
    for row in rated:
        stars = int(row["rating"] + 0.5)
        want = "negative" if stars <= 2 else "neutral" if stars == 3 else "positive"
        assert classify(row["text"], row["rating"], row["lang"]).sentiment == want, row["id"]


def test_topics_triage_kind_and_flags_stay_close_to_the_labels() -> None:
    tp = fp = fn = triage = kind = flags = 0
    for row in ROWS:
        result = classify(row["text"], row["rating"], row["lang"])
        want, got = set(row["topics"]), set(result.topics)
        tp, fp, fn = tp + len(want & got), fp + len(got - want), fn + len(want - got)
        triage += result.triage == row["triage"]
        kind += result.kind == row["kind"]
        flags += (result.mismatch, result.legal, list(result.staff)) == (
            row["mismatch"],
            row["legal"],
            row["staff"],
        )
    assert 2 * tp / (2 * tp + fp + fn) >= 0.85
    assert triage / len(ROWS) >= 0.9
    assert kind / len(ROWS) >= 0.95
    assert flags / len(ROWS) >= 0.95
