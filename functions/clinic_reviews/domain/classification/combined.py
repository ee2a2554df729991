"""Rules and the trained model together: one reading of the text.

The rules (sentiment.py) read negation, contrast, sarcasm cues and the patient's illness; the model
(model.py) has seen thousands of labelled comments. For a language the model was stacked for, a small
layer trained on development data weighs the model's log-probabilities against the rules' score, blame
and praise. The negative decision uses a threshold chosen on development data for negative recall. A text of at
most SHORT words that the rules read clearly keeps the rules' reading: a bag of n-grams cannot read
"not bad" or "thank you for nothing", the rules can.
The combined score is p(positive) - p(negative), kept inside the band of the decided sentiment, and
the rules' praise and blame stay with it (mismatch and mixed-review logic use them). Texts in other
languages, or without words, keep the rules' reading. Learned topics are added to the rules' topics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clinic_reviews.domain.classification.features import features, words
from clinic_reviews.domain.classification.model import Evidence, text_model
from clinic_reviews.domain.classification.sentiment import POSITIVE_AT, Reading

if TYPE_CHECKING:
    from clinic_reviews.domain.classification.adaptation import Adaptation

_INSIDE_NEUTRAL = POSITIVE_AT - 0.01
SHORT = 6  # words: a text this short with a clear rules reading keeps it ("not bad", "thank you for nothing")


def read_text(
    text: str, code: str | None, rules: Reading, adaptation: Adaptation | None = None
) -> tuple[Reading, tuple[str, ...] | None]:
    """The combined reading of `text` and the learned topics it shows (None: the model was not used;
    the model learned topics only for the languages in its `topic_langs`)."""
    if not rules.informative or code is None:
        return rules, None
    model = text_model()
    if code not in model.stack:
        return rules, None
    buckets = features(text)
    if not buckets:
        return rules, None
    if rules.sentiment in ("negative", "positive") and len(words(text)) <= SHORT:
        return rules, model.topics_of(buckets) if code in model.topic_langs else None
    logits = model.sentiment_logits(buckets)
    if adaptation is not None:
        logits = adaptation.adjust(logits, buckets)
    evidence = Evidence(rules.score or 0.0, rules.blame, rules.praise, rules.score is not None, rules.turned)
    probs = model.combine(logits, evidence, code)
    decided = model.decide(probs, code)
    score = banded(probs[2] - probs[0], decided)
    learned = model.topics_of(buckets) if code in model.topic_langs else None
    return Reading(round(score, 4), True, rules.praise, rules.blame, rules.turned), learned


def banded(score: float, sentiment: str) -> float:
    """`score` moved into the band of `sentiment` (negative <= -0.15 < neutral < 0.15 <= positive)."""
    if sentiment == "negative":
        return min(score, -POSITIVE_AT)
    if sentiment == "positive":
        return max(score, POSITIVE_AT)
    return max(-_INSIDE_NEUTRAL, min(score, _INSIDE_NEUTRAL))


def merge_topics(rules: tuple[str, ...], learned: tuple[str, ...] | None) -> tuple[str, ...]:
    """The rules' topics, then the learned ones they lack; "other" goes when a real topic is found.
    `learned` None: the model read nothing."""
    if learned is None:
        return rules
    merged = tuple(dict.fromkeys((*rules, *learned)))
    return tuple(t for t in merged if t != "other") if len(merged) > 1 else merged
