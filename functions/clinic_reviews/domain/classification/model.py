"""The trained text model: a linear layer over hashed n-grams (features.py), in pure Python.

Files beside this module, written by `make train` (bench/train.py; docs/classifier-model.md):
- `text_model.bin`: zlib of one int8 weight row of DIM entries per output (three sentiments, then the
  learned topics), each row scaled by its own factor;
- `text_model.json`: the outputs, scales and biases, the per-language stacking layer that combines the
  model's log-probabilities with the rules' reading, the decision thresholds chosen on development
  data (negative recall first), the topic thresholds, and the licence notice of the training data.

Loaded on first use, never at import. A chain's adaptation (adaptation.py) adds its own sparse weights
to the sentiment rows of a text it reads.
"""

from __future__ import annotations

import json
import math
import zlib
from array import array
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from clinic_reviews.domain.classification.features import DIM, bigram_buckets, word_buckets

_SHARES_KEPT = 50_000  # words whose share of the outputs stays cached (about 220 bytes each: 11 MB at most)
HERE = Path(__file__).resolve().parent
WEIGHTS = HERE / "text_model.bin"
META = HERE / "text_model.json"
SENTIMENTS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class Evidence:
    """What the rules' reading contributes to the stacking layer."""

    score: float
    blame: float
    praise: float
    informative: bool
    turned: float = 0.0

    def vector(self) -> list[float]:
        """The stacking layer's inputs; `turned` (the weight of cues the rules turned: negation, irony)
        lets it trust the rules' score where a bag of n-grams reads "not bad" as "bad"."""
        flag = 1.0 if self.informative else 0.0
        return [self.score, self.blame, self.praise, flag, self.turned, self.turned * self.score]


class TextModel:
    """The loaded model: sentiment logits, the combined decision and learned topics of a text."""

    def __init__(self, meta: dict[str, Any], weights: bytes) -> None:
        outputs = meta["outputs"]
        if meta["dim"] != DIM or len(weights) != DIM * len(outputs):
            raise ValueError("text_model.bin does not match text_model.json (retrain with `make train`)")
        self.meta = meta
        self.outputs: tuple[str, ...] = tuple(outputs)
        self.topics: tuple[str, ...] = tuple(outputs[len(SENTIMENTS) :])
        self.rows = [array("b", weights[i * DIM : (i + 1) * DIM]) for i in range(len(outputs))]
        self.scales = [float(s) for s in meta["scales"]]
        self.bias = [float(b) for b in meta["bias"]]
        self.stack: dict[str, dict[str, Any]] = meta["stack"]
        self.decision: dict[str, dict[str, float]] = meta["decision"]
        self.topic_at: dict[str, float] = meta["topic_at"]
        self.topic_langs: tuple[str, ...] = tuple(meta.get("topic_langs", ()))
        self._shares: dict[str, tuple[int, ...]] = {}

    def logits(self, buckets: list[int], rows: range | None = None) -> list[float]:
        """Raw scores of the outputs in `rows` (all by default) for a text's feature buckets."""
        norm = 1.0 / math.sqrt(len(buckets)) if buckets else 0.0
        picked = range(len(self.rows)) if rows is None else rows
        return [self.bias[i] + self.scales[i] * norm * sum(map(self.rows[i].__getitem__, buckets)) for i in picked]

    def sentiment_logits(self, buckets: list[int]) -> list[float]:
        return self.logits(buckets, range(len(SENTIMENTS)))

    def read(self, tokens: list[str]) -> list[float]:
        """Every output's logit for a text's tokens (features.words), equal to `logits(features(text))`:
        each word's cached share (its bucket count, then its integer sum per output) plus the bigrams'."""
        if not tokens:
            return list(self.bias)
        shares = self._shares
        if len(shares) > _SHARES_KEPT:
            shares.clear()
        summed = [sum(column) for column in zip(*[shares.get(w) or self._share(w) for w in tokens])]
        bigrams = bigram_buckets(tokens)
        norm = 1.0 / math.sqrt(summed[0] + len(bigrams))
        return [b + scale * norm * (own + sum(map(row.__getitem__, bigrams)))
                for b, scale, own, row in zip(self.bias, self.scales, summed[1:], self.rows)]

    def forget_words(self) -> None:
        """Empties the cache of the words' shares (benchmarks measure unseen text with it)."""
        self._shares.clear()

    def _share(self, word: str) -> tuple[int, ...]:
        buckets = word_buckets(word)
        share = (len(buckets), *(sum(map(row.__getitem__, buckets)) for row in self.rows))
        self._shares[word] = share
        return share

    def combine(self, logits: list[float], evidence: Evidence, lang: str) -> list[float]:
        """Probabilities of negative/neutral/positive from the model's logits and the rules' evidence."""
        layer = self.stack.get(lang) or self.stack["en"]
        inputs = log_softmax(logits) + evidence.vector()
        scores = [b + sum(w * x for w, x in zip(row, inputs)) for row, b in zip(layer["coef"], layer["intercept"])]
        return softmax(scores)

    def decide(self, probs: list[float], lang: str) -> str:
        """Negative when its probability reaches the language's threshold (chosen for recall), else
        neutral or positive, the neutral side weighed by the language's tuned factor."""
        rule = self.decision.get(lang) or self.decision["en"]
        if probs[0] >= rule["negative_at"]:
            return "negative"
        return "neutral" if probs[1] * rule["neutral_weight"] > probs[2] else "positive"

    def overrules(self, kind: str | None, probs: list[float], lang: str, tokens: list[str]) -> bool:
        """Whether the combined reading overrules the rules' short reading of `kind` (combined.short_kind):
        plain praise (not turned) holding one of the language's words of a request or comparison
        (`praise_veto_words`: "more", "quicker", "could", "please") whose combined probability of negative
        reaches `praise_veto_at`: a wish the rules read as praise ("The beds could be more comfortable.",
        "Answer calls quicker"). "Short wait" has no such word and stays praise. Absent from the file: never."""
        rule = self.decision.get(lang) or self.decision["en"]
        return (kind == "positive" and probs[0] >= rule.get("praise_veto_at", 2.0)
                and not set(rule.get("praise_veto_words", ())).isdisjoint(tokens))

    def rules_keep(self, lang: str | None) -> tuple[str, ...]:
        """The kinds of short clear reading (combined.short_kind) the rules keep in `lang`: those where
        they beat the model on held-out training data."""
        rule = self.decision.get(lang or "") or self.decision["en"]
        return tuple(rule.get("rules_keep", ()))

    def topics_of(self, logits: list[float]) -> tuple[str, ...]:
        """Learned topics whose probability reaches their tuned threshold, from all outputs' `logits`."""
        scores = logits[len(SENTIMENTS) :]
        return tuple(t for t, s in zip(self.topics, scores) if sigmoid(s) >= self.topic_at[t])


@cache
def text_model() -> TextModel:
    """The model shipped with the package, loaded once per process on first use."""
    meta = json.loads(META.read_text(encoding="utf-8"))
    return TextModel(meta, zlib.decompress(WEIGHTS.read_bytes()))


def softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def log_softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    log_total = top + math.log(sum(math.exp(s - top) for s in scores))
    return [s - log_total for s in scores]


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
