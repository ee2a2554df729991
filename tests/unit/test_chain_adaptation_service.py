"""services/adaptation.py: what the monthly job reads, keeps or withdraws, and how intake's cache reads it."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime
from types import SimpleNamespace

from clinic_reviews.domain.classification.adaptation import Adaptation
from clinic_reviews.services.adaptation import WINDOW_DAYS, AdaptationCache, AdaptationService


class Blobs:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.reads = 0

    def put_gzip(self, key: str, data: bytes, content_type: str = "application/json") -> None:
        self.objects[key] = gzip.compress(data)

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        self.objects[key] = data

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    def get_bytes(self, key: str) -> bytes:
        self.reads += 1
        if key not in self.objects:
            raise KeyError("NoSuchKey")
        return self.objects[key]


def record(i: int, rating, text: str):
    return SimpleNamespace(review=SimpleNamespace(source="google", external_id=str(i), rating=rating, text=text,
                                                  lang="en"))


class Reviews:
    def __init__(self, by_day: dict[date, list]) -> None:
        self.days = by_day
        self.asked: list[date] = []

    def by_day(self, chain_id: str, day: date):
        self.asked.append(day)
        return iter(self.days.get(day, []))

    def full_text(self, rec) -> str:
        return rec.review.text


def chain(n: int) -> dict[date, list]:
    day = date(2026, 12, 1)
    rows = []
    for i in range(n):
        bad = i % 2 == 0  # the chain's own words, which the base model has never seen
        text = f"visit number {i} was quite grumbly today" if bad else f"visit number {i} was quite zorbly today"
        rows.append(record(i, 1 if bad else 5, text))
    rows += [record(10_000, None, "no stars, never a label"), record(10_001, 4, "   ")]
    return {day: rows}


NOW = datetime(2027, 1, 2, 0, 0, tzinfo=UTC)


def test_a_chain_with_enough_rated_reviews_gets_its_adaptation_kept() -> None:
    reviews, blobs = Reviews(chain(400)), Blobs()
    summary = AdaptationService(reviews, blobs, lambda: NOW).learn("zdorovie")
    assert len(reviews.asked) == WINDOW_DAYS and reviews.asked[0] == date(2027, 1, 1)
    assert summary["reviews"] == 400  # the unrated and the empty one are not labels
    assert summary["adopted"] is True, summary["reason"]
    kept = json.loads(gzip.decompress(blobs.objects["models/zdorovie/adaptation.json.gz"]))
    assert kept["weights"] and json.loads(blobs.objects["models/zdorovie/learn.json"])["adopted"] is True


def test_without_a_gain_an_earlier_adaptation_is_withdrawn() -> None:
    blobs = Blobs()
    blobs.objects["models/zdorovie/adaptation.json.gz"] = b"old"
    summary = AdaptationService(Reviews(chain(20)), blobs, lambda: NOW).learn("zdorovie")
    assert summary["adopted"] is False and "too few" in summary["reason"]
    assert set(blobs.objects) == {"models/zdorovie/learn.json"}


def test_the_cache_reads_s3_once_per_hour_and_falls_back_to_the_base_model() -> None:
    blobs, clock = Blobs(), [0.0]
    cache = AdaptationCache(blobs, clock=lambda: clock[0])
    assert cache("zdorovie") is None
    blobs.objects["models/zdorovie/adaptation.json.gz"] = gzip.compress(
        json.dumps(Adaptation({7: [1.0, 0.0, -1.0]}).to_json()).encode())
    assert cache("zdorovie") is None and blobs.reads == 1  # still the cached answer
    clock[0] = 3601.0
    assert cache("zdorovie").weights == {7: [1.0, 0.0, -1.0]} and blobs.reads == 2
    blobs.objects["models/zdorovie/adaptation.json.gz"] = b"not gzip"
    clock[0] = 8000.0
    assert cache("zdorovie") is None
    assert AdaptationCache(None)("zdorovie") is None
