"""What reading a review yields: the shape the classifier returns and every later step stores."""

from __future__ import annotations

from dataclasses import asdict, field
from typing import Any

from clinic_reviews.domain.frozen_records import record

SENTIMENTS = ("negative", "neutral", "positive")
TOPICS = ("front_desk", "waiting", "billing", "doctor", "scheduling", "cleanliness", "diagnostics", "other")
KINDS = ("review", "question", "suggestion", "greeting")


@record
class ComplaintPart:
    """The complaint inside a review that is not negative overall (complaint.py): its topics, its words."""

    topics: tuple[str, ...]
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"topics": list(self.topics), "text": self.text}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> ComplaintPart | None:
        if not data:
            return None
        return cls(topics=tuple(data.get("topics") or ()), text=str(data.get("text") or ""))


@record
class Classification:
    """Sentiment, topics and triage of one review.

    `sentiment` follows the rating where there is one (1-2 negative, 3 neutral, 4-5 positive) and the
    text otherwise; `text_sentiment` is the text's own reading (None when the text says nothing), and
    `mismatch` is set when the two disagree. `triage` is 1/2/3 for negatives only. `complaint` is the
    complaint part of a review that is not negative ("всё хорошо, но администратор нагрубил"), else None.
    """

    sentiment: str
    score: float
    topics: tuple[str, ...] = ()
    triage: int | None = None
    mismatch: bool = False
    text_sentiment: str | None = None
    legal: bool = False
    staff: tuple[str, ...] = field(default=())
    kind: str = "review"
    lang: str | None = None
    complaint: ComplaintPart | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["topics"] = list(self.topics)
        data["staff"] = list(self.staff)
        data["complaint"] = None if self.complaint is None else self.complaint.to_json()
        return data
