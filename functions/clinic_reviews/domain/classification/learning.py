"""`learn`: a chain's rated reviews in, its adaptation of the text model out, adopted or not.

Each review gives its text (features only: the stars are the label, never a feature) and its label:
`label` when given, else the stars (1-2 negative, 3 neutral, 4-5 positive). A hashed quarter of the
reviews is held out; the adaptation (adaptation.py) is fitted on the rest and adopted only when, on the
held-out reviews read as `classify` reads an unrated review, its macro-F1 beats the base model's by at
least MIN_GAIN and its negative recall is not lower. Otherwise the base model stays, and `reason` says
why. Languages the model has no stacking layer for are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clinic_reviews.domain.classification.adaptation import Adaptation, fit, held_out
from clinic_reviews.domain.classification.classifier import rating_sentiment, rating_stars, read_rules
from clinic_reviews.domain.classification.combined import read_text
from clinic_reviews.domain.classification.features import features
from clinic_reviews.domain.classification.kind import detect_kind
from clinic_reviews.domain.classification.language import detect_language, normalize_lang
from clinic_reviews.domain.classification.model import SENTIMENTS, text_model

MIN_REVIEWS = 200  # fewer labelled texts than this teach noise
MIN_GAIN = 0.01


@dataclass(frozen=True)
class Outcome:
    adaptation: Adaptation | None
    adopted: bool
    reason: str
    reviews: int
    held_out: int
    base: dict[str, float]
    adapted: dict[str, float]

    def summary(self) -> dict[str, Any]:
        return {"adopted": self.adopted, "reason": self.reason, "reviews": self.reviews,
                "held_out": self.held_out, "base": self.base, "adapted": self.adapted}


@dataclass(frozen=True)
class _Sample:
    id: str
    text: str
    lang: str
    gold: int


def learn(reviews: list[dict[str, Any]]) -> Outcome:
    """Fits and judges a chain's adaptation from its labelled or star-rated reviews."""
    model = text_model()
    samples = [s for s in map(_sample, reviews) if s is not None and s.lang in model.stack]
    held = [s for s in samples if held_out(s.id)]
    train = [s for s in samples if not held_out(s.id)]
    if len(train) < MIN_REVIEWS or not held:
        return Outcome(None, False, f"too few rated reviews with text ({len(samples)}; {MIN_REVIEWS} needed)",
                       len(samples), len(held), {}, {})
    fitted = fit([(b, model.sentiment_logits(b), s.gold) for s in train if (b := features(s.text))])
    base = _judge(held, None)
    adapted = _judge(held, fitted)
    gain = adapted["macro_f1"] - base["macro_f1"]
    if gain >= MIN_GAIN and adapted["negative_recall"] >= base["negative_recall"]:
        return Outcome(fitted, True, f"held-out macro-F1 {base['macro_f1']:.3f} -> {adapted['macro_f1']:.3f}",
                       len(samples), len(held), base, adapted)
    return Outcome(fitted, False, f"no gain on held-out reviews (macro-F1 {base['macro_f1']:.3f} -> "
                   f"{adapted['macro_f1']:.3f}, negative recall {base['negative_recall']:.3f} -> "
                   f"{adapted['negative_recall']:.3f}): keeping the base model", len(samples), len(held), base, adapted)


def _sample(review: dict[str, Any]) -> _Sample | None:
    text = review.get("text")
    if not isinstance(text, str) or not text.strip():
        return None
    label = review.get("label")
    if label not in SENTIMENTS:
        try:
            stars = rating_stars(review.get("rating"))
        except (TypeError, ValueError):
            return None
        if stars is None:
            return None
        label = rating_sentiment(stars)
    lang = normalize_lang(review.get("lang")) or detect_language(text)
    return _Sample(str(review.get("id") or text), text, lang or "", SENTIMENTS.index(label))


def _judge(samples: list[_Sample], adaptation: Adaptation | None) -> dict[str, float]:
    """Macro-F1 and negative recall of the combined reading on `samples`."""
    pred = []
    for s in samples:
        tokens, hits, rules = read_rules(s.text, s.lang)
        reading, _ = read_text(s.text, s.lang, rules, detect_kind(s.text, tokens, hits), adaptation)
        pred.append(SENTIMENTS.index(reading.sentiment or "neutral"))
    gold = [s.gold for s in samples]
    f1s = []
    for k in range(len(SENTIMENTS)):
        tp = sum(g == k and p == k for g, p in zip(gold, pred))
        wrong = sum((g == k) != (p == k) for g, p in zip(gold, pred))
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + wrong))
    negatives = sum(g == 0 for g in gold)
    recall = sum(g == 0 and p == 0 for g, p in zip(gold, pred)) / negatives if negatives else 1.0
    return {"macro_f1": round(sum(f1s) / len(f1s), 4), "negative_recall": round(recall, 4)}
