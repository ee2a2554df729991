"""Rules and the trained model together: one reading of the text.

The rules (sentiment.py) read negation, contrast, sarcasm cues and the patient's illness; the model
(model.py) has seen thousands of labelled comments. For a language the model was stacked for, a small
layer trained on development data weighs the model's log-probabilities against the rules' score, blame
and praise. The negative decision uses a threshold chosen on cross-validated training data for negative recall.
The rules decide alone (rules_decide) for questions (neutral) and, per language, for the kinds of
short clear reading (SHORT words at most; negative or positive, turned by negation or irony or not)
where they beat the model on that held-out data (the model's `rules_keep`): a bag of n-grams cannot read
"not bad" or "thank you for nothing". A short plain praise reading (not turned) that holds a word of a
request or comparison gives way when the combined probabilities call the text negative (the model's
`praise_veto_at`, `praise_veto_words`): wishes such as "The beds could be more comfortable." carry
praise words the rules count.
The combined score is p(positive) - p(negative), kept inside the band of the decided sentiment, and
the rules' praise and blame stay with it (mismatch and mixed-review logic use them). Texts in other
languages, or without words, keep the rules' reading. Learned topics are added to the rules' topics.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from clinic_reviews.domain.classification.features import features, words
from clinic_reviews.domain.classification.model import SENTIMENTS, Evidence, text_model
from clinic_reviews.domain.classification.sentiment import POSITIVE_AT, Reading

if TYPE_CHECKING:
    from clinic_reviews.domain.classification.adaptation import Adaptation

_INSIDE_NEUTRAL = POSITIVE_AT - 0.01
SHORT = 6  # words: a text this short with a clear rules reading may keep it ("not bad", "thank you for nothing")
SHORT_KINDS = ("negative", "positive", "negative_turned", "positive_turned")


def read_text(
    text: str, code: str | None, rules: Reading, kind: str, adaptation: Adaptation | None = None
) -> tuple[Reading, tuple[str, ...] | None]:
    """The combined reading of `text` and the learned topics it shows (None: the model was not used;
    the model learned topics only for the languages in its `topic_langs`)."""
    model = text_model() if rules.informative else None
    tokens = words(text) if model is not None and code in model.stack else []
    if model is None or not tokens:
        return (_neutral(rules) if kind == "question" and rules.informative else rules), None
    outputs = model.read(tokens)
    learned = model.topics_of(outputs) if code in model.topic_langs else None
    logits = outputs[: len(SENTIMENTS)]
    if adaptation is not None:
        logits = adaptation.adjust(logits, features(text))
    evidence = Evidence(rules.score or 0.0, rules.blame, rules.praise, rules.score is not None, rules.turned)
    probs = model.combine(logits, evidence, code)
    fixed = rules_decide(text, rules, kind, model.rules_keep(code))
    if fixed is not None and not model.overrules(short_kind(text, rules), probs, code, tokens):
        return (_neutral(rules) if fixed == "neutral" else rules), learned
    score = banded(probs[2] - probs[0], model.decide(probs, code))
    return Reading(round(score, 4), True, rules.praise, rules.blame, rules.turned), learned


def rules_decide(text: str, rules: Reading, kind: str, keep: Collection[str] = SHORT_KINDS) -> str | None:
    """The sentiment where the rules decide without the model, else None: a question is neutral (it
    asks; its politeness is not praise); a short clear reading whose kind (short_kind) is in `keep`
    stays the rules'. A bare suggestion is left to the model: NHS annotators count "would be nice to
    have ..." as negative, and a proposal is a grievance the manager should see (its reply stays a
    suggestion's, drafts.py)."""
    if not rules.informative:
        return None
    if kind == "question":
        return "neutral"
    return rules.sentiment if short_kind(text, rules) in keep else None


def short_kind(text: str, rules: Reading) -> str | None:
    """"negative", "positive", "negative_turned" or "positive_turned" (negation or irony turned a cue)
    for a text of at most SHORT words the rules read as negative or positive, else None."""
    if rules.sentiment not in ("negative", "positive") or len(words(text)) > SHORT:
        return None
    return f"{rules.sentiment}_turned" if rules.turned else rules.sentiment


def _neutral(rules: Reading) -> Reading:
    return Reading(0.0, True, rules.praise, rules.blame, rules.turned)


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
