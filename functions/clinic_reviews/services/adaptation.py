"""The chain's own adaptation of the text model: learnt monthly from its rated reviews, kept in S3, used
by intake for the chain's unrated reviews (docs/classifier-model.md).

`AdaptationService.learn(chain_id)` reads the chain's reviews of the last WINDOW_DAYS local days (one
gsi2 Query per day, no Scan), keeps those with stars and text, and runs domain `learn` (stars are the
labels, never features; a hashed quarter held out). An adopted adaptation is written to
`models/<chain>/adaptation.json.gz`; otherwise any earlier one is deleted, so the base model is used,
and `models/<chain>/learn.json` says why either way. Re-running the same month rewrites the same keys.

`AdaptationCache` gives intake a chain's adaptation, read from S3 at most once per CACHE_SECONDS per
container; a missing object means the base model.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from clinic_reviews.domain.classification.adaptation import Adaptation
from clinic_reviews.domain.classification.learning import learn
from clinic_reviews.store.blobs import BlobStore
from clinic_reviews.store.reviews import ReviewRepository

WINDOW_DAYS = 180
CACHE_SECONDS = 3600


def adaptation_key(chain_id: str) -> str:
    return f"models/{chain_id}/adaptation.json.gz"


def summary_key(chain_id: str) -> str:
    return f"models/{chain_id}/learn.json"


class AdaptationService:
    def __init__(self, reviews: ReviewRepository, blobs: BlobStore, now: Callable[[], datetime]):
        self._reviews = reviews
        self._blobs = blobs
        self._now = now

    def learn(self, chain_id: str) -> dict[str, Any]:
        """Fits, judges and stores (or withdraws) the chain's adaptation; returns the summary."""
        today = self._now().date()
        rated: list[dict[str, Any]] = []
        for back in range(1, WINDOW_DAYS + 1):
            for record in self._reviews.by_day(chain_id, today - timedelta(days=back)):
                review = record.review
                if review.rating is None or not review.text.strip():
                    continue
                rated.append({"id": f"{review.source}:{review.external_id}", "text": self._reviews.full_text(record),
                              "rating": review.rating, "lang": review.lang})
        outcome = learn(rated)
        summary = {"chain_id": chain_id, "trained_at": self._now().isoformat(), "window_days": WINDOW_DAYS,
                   **outcome.summary()}
        if outcome.adopted and outcome.adaptation is not None:
            self._blobs.put_gzip(adaptation_key(chain_id), json.dumps(outcome.adaptation.to_json()).encode())
        else:
            self._blobs.delete(adaptation_key(chain_id))
        self._blobs.put_bytes(summary_key(chain_id), json.dumps(summary, ensure_ascii=False).encode(),
                              "application/json")
        return summary


class AdaptationCache:
    """chain id -> its adopted Adaptation or None, read from S3 once per CACHE_SECONDS."""

    def __init__(self, blobs: BlobStore | None, clock: Callable[[], float] = time.monotonic):
        self._blobs = blobs
        self._clock = clock
        self._held: dict[str, tuple[float, Adaptation | None]] = {}

    def __call__(self, chain_id: str) -> Adaptation | None:
        if self._blobs is None:
            return None
        held = self._held.get(chain_id)
        if held is not None and self._clock() - held[0] < CACHE_SECONDS:
            return held[1]
        try:
            data = json.loads(gzip.decompress(self._blobs.get_bytes(adaptation_key(chain_id))))
            found: Adaptation | None = Adaptation.from_json(data)
        except Exception as exc:  # noqa: BLE001 -- absent or unreadable: the base model, never a failed intake
            if "NoSuchKey" not in type(exc).__name__ and "NoSuchKey" not in str(exc):
                from clinic_reviews.observability import logger

                logger.warning("chain adaptation unreadable; using the base model",
                               extra={"chain_id": chain_id, "error": type(exc).__name__})
            found = None
        self._held[chain_id] = (self._clock(), found)
        return found
