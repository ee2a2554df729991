"""The trained text model: stable features, lazy weights, the shipped files agree, adaptation learns."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from clinic_reviews.domain.classification import classify
from clinic_reviews.domain.classification.adaptation import Adaptation, fit
from clinic_reviews.domain.classification.features import DIM, features, word_buckets, words
from clinic_reviews.domain.classification.learning import learn
from clinic_reviews.domain.classification.model import META, WEIGHTS, text_model


def test_features_are_stable_and_bounded() -> None:
    # CRC-32 buckets: the same in every process (hash() would not be), so training and inference agree.
    code = "from clinic_reviews.domain.classification.features import features; print(sorted(features('Rude nurse')))"
    other = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert json.loads(other) == sorted(features("Rude nurse"))
    assert all(0 <= b < DIM for b in features("Ёлки, врач хамил!!! 😡"))
    assert features("Ёлка") == features("елка")
    assert features("") == []


def test_a_texts_features_are_its_words_counted() -> None:
    # A bucket two words share counts twice: what lets the model add up cached per-word shares.
    own, both = word_buckets("nurse"), features("nurse nurse")
    assert len(both) == 2 * len(own) + 2  # two words, two bigrams ("<s> nurse", "nurse nurse")
    assert all(both.count(bucket) >= 2 for bucket in own)


@pytest.mark.parametrize("text", ["The nurse was rude, rude, RUDE!!!", "Всё отлично 👍 спасибо", "ok", ""])
def test_the_cached_word_shares_give_the_logits_of_the_features(text: str) -> None:
    model = text_model()
    expected = model.logits(features(text))
    assert model.read(words(text)) == pytest.approx(expected, abs=1e-9)
    assert model.read(words(text)) == pytest.approx(expected, abs=1e-9)  # again, from the cache


def test_weights_load_on_first_use_not_at_import() -> None:
    code = ("import sys; import clinic_reviews.domain.classification as c, clinic_reviews.domain.classification.model as m;"
            "print(m.text_model.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "0"


def test_shipped_files_are_small_and_match() -> None:
    model = text_model()
    assert WEIGHTS.stat().st_size <= 10_000_000
    meta = json.loads(META.read_text(encoding="utf-8"))
    assert meta["outputs"][:3] == ["negative", "neutral", "positive"]
    assert "NHS England" in meta["licence"]
    assert 0 < model.decision["en"]["negative_at"] < 0.5


def test_the_model_catches_negatives_the_rules_read_as_nothing() -> None:
    # No lexicon cue in it; the model has read thousands of such comments.
    text = "Had to chase the surgery three times for my prescription and still nobody rang me back."
    assert classify(text, None, "en").sentiment == "negative"


def test_a_rating_still_decides() -> None:
    assert classify("Had to chase the surgery three times for my prescription.", 5, "en").sentiment == "positive"


def test_adaptation_moves_the_logits_it_learned() -> None:
    buckets = features("parking charges")
    base = [0.0, 0.0, 0.0]
    adapted = fit([(buckets, base, 0)] * 30, epochs=3)
    assert adapted.adjust(base, buckets)[0] > adapted.adjust(base, buckets)[2]
    again = Adaptation.from_json(json.loads(json.dumps(adapted.to_json())))
    assert again.adjust(base, buckets) == pytest.approx(adapted.adjust(base, buckets), abs=1e-3)


def test_learn_keeps_the_base_model_on_too_little_data() -> None:
    outcome = learn([{"id": "1", "text": "ok", "rating": 5}])
    assert not outcome.adopted and outcome.adaptation is None and "too few" in outcome.reason


def test_learn_uses_stars_as_labels_never_as_features() -> None:
    # A chain whose patients call a slow "call-back" bad: 1-star texts about call-backs, 5-star praise.
    reviews = []
    for i in range(300):
        bad = i % 2 == 0
        text = f"call-back number {i} came after two days" if bad else f"lovely visit number {i}, kind staff"
        reviews.append({"id": str(i), "text": text, "rating": 1 if bad else 5, "lang": "en"})
    outcome = learn(reviews)
    assert outcome.reviews == 300 and outcome.held_out > 0
    assert outcome.adapted["macro_f1"] >= outcome.base["macro_f1"]


def test_learn_command_writes_its_verdict_and_reports_bad_lines(tmp_path, capsys) -> None:
    from clinic_reviews.cli import main

    source = tmp_path / "rated.jsonl"
    lines = [json.dumps({"id": str(i), "text": f"visit {i} was fine", "rating": 5}) for i in range(20)]
    source.write_bytes(("\n".join(lines) + "\nnot json\n\xff\n").encode("utf-8", "surrogateescape"))
    assert main(["learn", "--reviews", str(source), "--out", str(tmp_path / "out")]) == 0
    summary = json.loads((tmp_path / "out" / "learn.json").read_text(encoding="utf-8"))
    assert summary["adopted"] is False and summary["rejected_lines"] == 2 and summary["lines"] == 22
    assert "line 21" in capsys.readouterr().err
    assert main(["learn", "--reviews", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path)]) == 2
