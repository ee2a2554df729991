"""bench/eval.py: the metrics and the drugsCom TSV reader (no download here)."""

from __future__ import annotations

import importlib.util

import pytest


@pytest.fixture(scope="module")
def ev(root):
    spec = importlib.util.spec_from_file_location("bench_eval", root / "bench" / "eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_f1_scores(ev) -> None:
    gold = ["negative", "negative", "neutral", "positive", "positive", "positive"]
    pred = ["negative", "positive", "neutral", "positive", "positive", "neutral"]
    scores = ev.f1_per_class(gold, pred)
    assert scores["negative"] == pytest.approx(2 / 3)
    assert scores["neutral"] == pytest.approx(2 / 3)
    assert scores["positive"] == pytest.approx(2 / 3)
    assert ev.macro_f1(gold, pred) == pytest.approx(2 / 3)
    assert ev.micro_f1([{"a", "b"}, set()], [{"a"}, {"c"}]) == pytest.approx(2 * 1 / (2 + 1 + 1))


def test_drug_tsv_rows(ev) -> None:
    text = (
        "\tdrugName\tcondition\treview\trating\tdate\tusefulCount\n"
        '17\tX\tY\t"""It worked, I&#039;m glad\nreally."""\tpositive\tMay 1, 2012\t3\n'
        '18\tX\tY\t"""meh"""\tneutral\tMay 1, 2012\t3\n'
        '19\tX\tY\t"""bad"""\trating\tMay 1, 2012\t3\n'
    )
    rows = ev.parse_drug_tsv(text, prefix="t")
    assert [(r["id"], r["sentiment"], r["lang"], r["rating"]) for r in rows] == [
        ("t-17", "positive", "en", None), ("t-18", "neutral", "en", None)]
    assert rows[0]["text"] == "It worked, I'm glad\nreally."
