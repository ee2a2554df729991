"""A chain's own adaptation of the text model, learned from its star-rated reviews (pure Python).

Stars are labels, never features: a review's text gives the same hashed features as for the base
model (features.py), and the adaptation is a sparse set of additive weights on the model's three
sentiment logits, fitted by a few epochs of stochastic gradient descent on the softmax loss with L2
shrinkage towards the base model. `learn` holds out a share of the rated reviews (by a hash of their
ids), fits on the rest, and adopts the adaptation only when it beats the base model's macro-F1 on the
held-out reviews without losing negative recall; otherwise it keeps the base model and says why.
"""

from __future__ import annotations

import math
import random
import zlib
from dataclasses import dataclass, field
from typing import Any

from clinic_reviews.domain.classification.model import SENTIMENTS, softmax


@dataclass
class Adaptation:
    """Additive weights per feature bucket on the negative/neutral/positive logits, plus a bias."""

    weights: dict[int, list[float]] = field(default_factory=dict)
    bias: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])

    def adjust(self, logits: list[float], buckets: list[int]) -> list[float]:
        norm = 1.0 / math.sqrt(len(buckets)) if buckets else 0.0
        out = [logit + b for logit, b in zip(logits, self.bias)]
        for bucket in buckets:
            delta = self.weights.get(bucket)
            if delta is not None:
                out = [o + norm * d for o, d in zip(out, delta)]
        return out

    def to_json(self) -> dict[str, Any]:
        return {"bias": [round(b, 5) for b in self.bias],
                "weights": {str(k): [round(x, 5) for x in v] for k, v in self.weights.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Adaptation:
        return cls({int(k): [float(x) for x in v] for k, v in data["weights"].items()},
                   [float(b) for b in data["bias"]])


def fit(
    samples: list[tuple[list[int], list[float], int]], epochs: int = 8, rate: float = 0.5, l2: float = 1e-3,
    seed: int = 17,
) -> Adaptation:
    """Fits an adaptation on (feature buckets, base logits, gold class index) samples."""
    adaptation = Adaptation()
    order = list(range(len(samples)))
    rng = random.Random(seed)
    for epoch in range(epochs):
        rng.shuffle(order)
        step = rate / (1.0 + epoch)
        for index in order:
            buckets, base, gold = samples[index]
            probs = softmax(adaptation.adjust(base, buckets))
            grad = [p - (1.0 if k == gold else 0.0) for k, p in enumerate(probs)]
            norm = 1.0 / math.sqrt(len(buckets)) if buckets else 0.0
            adaptation.bias = [b - step * 0.1 * g for b, g in zip(adaptation.bias, grad)]
            for bucket in buckets:
                delta = adaptation.weights.setdefault(bucket, [0.0] * len(SENTIMENTS))
                for k in range(len(SENTIMENTS)):
                    delta[k] -= step * (grad[k] * norm + l2 * delta[k])
    adaptation.weights = {k: v for k, v in adaptation.weights.items() if max(map(abs, v)) >= 1e-3}
    return adaptation


def held_out(review_id: str, share: int = 25) -> bool:
    """True for the share (percent) of reviews kept for judging an adaptation."""
    return zlib.crc32(("held:" + review_id).encode("utf-8")) % 100 < share
