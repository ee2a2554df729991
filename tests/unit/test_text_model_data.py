"""The text model's data stays apart (bench/corpus.py) and its shipped decisions are used as written:
where the rules decide short texts (`rules_keep`), and the navec-widened Russian cues."""

from __future__ import annotations

import importlib.util
import re
import sys

import pytest
from clinic_reviews.domain.classification import classify, lexicon_ru_widened
from clinic_reviews.domain.classification.classifier import read_rules
from clinic_reviews.domain.classification.combined import SHORT_KINDS, rules_decide, short_kind
from clinic_reviews.domain.classification.model import text_model


@pytest.fixture(scope="module")
def corpus(root):
    sys.path.insert(0, str(root / "bench"))
    spec = importlib.util.spec_from_file_location("bench_corpus", root / "bench" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower().replace("ё", "е")))


def test_no_evaluation_text_reaches_training(corpus) -> None:
    parts = corpus.splits()
    train_ids = {r["id"] for r in parts["train"]}
    assert train_ids.isdisjoint(r["id"] for r in parts["test"] + parts["chain"] + parts["ru_eval"])
    assert {r["lang"] for r in parts["ru_eval"]} == {"ru"} and len(parts["ru_eval"]) >= 400
    held = [_words(r["text"]) for r in parts["ru_eval"]]
    close = []
    for row in (r for r in parts["train"] if r["lang"] == "ru"):
        mine = _words(row["text"])
        if any(mine and other and len(mine & other) >= 0.5 * len(mine | other) for other in held):
            close.append(row["id"])
    assert not close, f"Russian training rows that share half their words with an evaluation text: {close}"


def test_the_nhs_test_split_is_stable(corpus) -> None:
    # The same rows whatever the training side does (a hash of the id alone): figures stay comparable.
    parts = corpus.splits()
    assert (len(parts["test"]), len(parts["chain"])) == (1699, 1817)
    assert corpus.nhs_split({"id": "nhs-v6-NHFT 12 - Q1"}) == "chain"
    assert {corpus.fold_of(r["id"]) for r in parts["train"]} == set(range(corpus.FOLDS))


def test_short_texts_go_where_the_model_file_says() -> None:
    _, _, reading = read_rules("not bad", "en")
    kind = short_kind("not bad", reading)
    assert kind == "positive_turned"
    assert rules_decide("not bad", reading, "review", (kind,)) == "positive"
    assert rules_decide("not bad", reading, "review", ()) is None
    assert rules_decide("Is the clinic open?", reading, "question", ()) == "neutral"
    assert short_kind("not bad at all, and the nurse was lovely, thank you", reading) is None
    model = text_model()
    for lang in ("en", "ru"):
        assert set(model.rules_keep(lang)) <= set(SHORT_KINDS)
    assert model.rules_keep("ru") == tuple(model.decision["ru"]["rules_keep"])


def test_widened_cues_read_and_yield_to_hand_written_ones() -> None:
    assert "бездарность" in lexicon_ru_widened.BLAME and "блестяще" in lexicon_ru_widened.PRAISE
    assert read_rules("Полная бездарность.", "ru")[2].sentiment == "negative"
    assert read_rules("Всё прошло блестяще.", "ru")[2].sentiment == "positive"
    assert read_rules("Ничего выдающегося.", "ru")[2].sentiment == "neutral"  # negated praise is a shrug
    assert not set(lexicon_ru_widened.PRAISE) & set(lexicon_ru_widened.BLAME)


def test_classify_follows_rules_keep(monkeypatch) -> None:
    # "Nothing was great": the rules read a negated praise word (negative, turned); the model, trained on
    # answers to "what could we improve?", reads praise. rules_keep decides which reading stands.
    text = "Nothing was great"
    rules_reading = read_rules(text, "en")[2].sentiment
    decision = text_model().decision["en"]
    monkeypatch.setitem(decision, "rules_keep", list(SHORT_KINDS))
    kept = classify(text, None, "en").text_sentiment
    monkeypatch.setitem(decision, "rules_keep", [])
    left = classify(text, None, "en").text_sentiment
    assert kept == rules_reading == "negative"
    assert left != kept


def test_a_short_wish_the_rules_read_as_praise_gives_way_to_the_model(monkeypatch) -> None:
    # "more comfortable" is praise to the rules; the stacked model reads the wish as the complaint it is.
    # Plain short praise keeps the rules' reading, also where the NHS-trained model alone would call it
    # negative (it learned "wait" as a complaint) but no word asks for a change; with `praise_veto_at`
    # absent nothing is overruled.
    wish = "The beds could be more comfortable."
    assert short_kind(wish, read_rules(wish, "en")[2]) == "positive"
    assert classify(wish, None, "en").text_sentiment == "negative"
    for praise in ("I recommend this clinic", "No wait at all", "Very helpful staff.", "Great doctor!", "Short wait",
                   "Nice waiting room", "Clean waiting room"):
        assert classify(praise, None, "en").text_sentiment == "positive", praise
    monkeypatch.delitem(text_model().decision["en"], "praise_veto_at")
    assert classify(wish, None, "en").text_sentiment == "positive"


def test_a_person_made_comfortable_or_calm_is_care_not_the_premises() -> None:
    # NHS comments ("the paramedics made me feel comfortable") counted as cleanliness and comfort before.
    for text in ("The paramedics made me feel very comfortable", "The nurse was calm and reassuring",
                 "I felt at ease"):
        got = classify(text, None, "en")
        assert got.sentiment == "positive" and "cleanliness" not in got.topics, (text, got.topics)
    assert "cleanliness" in classify("Very comfortable and clean waiting room", None, "en").topics
    assert "waiting" not in classify("Very efficient service", None, "en").topics
    assert "waiting" in classify("Quick and efficient. In and out in 20 minutes.", None, "en").topics
