"""`classify`: one review's text and rating in, its Classification out (pure, no I/O, no clock).

Sentiment follows the rating when there is one (1-2 negative, 3 neutral, 4-5 positive; fractional
ratings round half up) and the text otherwise. The score blends the rating (1 -> -1, 2 -> -0.6, 3 -> 0,
4 -> 0.6, 5 -> 1) 60/40 with the text's own score when the text carries sentiment, then is kept on the
side of the final sentiment (at least 0.05 away from zero; within ±0.14 for neutral). `mismatch`: a
rating of 4-5 with clearly negative text, or 1-2 with clearly positive text (|text score| >= 0.3 and the
text one-sided: what speaks the other way weighs at most a quarter; "всё отлично, но дорого" with four
stars is a mixed review, not a contradiction). A review that is not negative may still hold a complaint
part (complaint.py): "всё хорошо, но администратор нагрубил" with five stars is positive and flagged.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from clinic_reviews.domain.classification.combined import merge_topics, read_text
from clinic_reviews.domain.classification.complaint import find_complaint
from clinic_reviews.domain.classification.cues import lexicons_for
from clinic_reviews.domain.classification.kind import detect_kind
from clinic_reviews.domain.classification.language import detect_language, normalize_lang
from clinic_reviews.domain.classification.legal import is_legal
from clinic_reviews.domain.classification.lexicon import Hit, find_hits
from clinic_reviews.domain.classification.result import Classification
from clinic_reviews.domain.classification.sentiment import POSITIVE_AT, Reading, read_sentiment
from clinic_reviews.domain.classification.staff import find_staff
from clinic_reviews.domain.classification.tokens import Token, tokenize
from clinic_reviews.domain.classification.topics import assign_topics
from clinic_reviews.domain.classification.triage import decide_triage

if TYPE_CHECKING:
    from clinic_reviews.domain.classification.adaptation import Adaptation

RATING_SCORE = {1: -1.0, 2: -0.6, 3: 0.0, 4: 0.6, 5: 1.0}
RATING_WEIGHT = 0.6
MISMATCH_AT = 0.3
_MIN_POLAR = 0.05
_MAX_NEUTRAL = POSITIVE_AT - 0.01


def rating_stars(rating: float | None) -> int | None:
    """A rating as whole stars 1..5 (half up), None when absent.

    TypeError when it is not a number, ValueError when it is outside 1..5 (or not finite).
    """
    if rating is None:
        return None
    if isinstance(rating, bool) or not isinstance(rating, int | float):
        raise TypeError(f"rating must be a number from 1 to 5, got {type(rating).__name__}")
    if not math.isfinite(rating) or not 1 <= rating <= 5:
        raise ValueError(f"rating must be from 1 to 5, got {rating}")
    return math.floor(rating + 0.5)


def rating_sentiment(stars: int) -> str:
    """1-2 negative, 3 neutral, 4-5 positive."""
    return "negative" if stars <= 2 else "neutral" if stars == 3 else "positive"


def read_rules(text: str, code: str | None) -> tuple[list[Token], list[Hit], Reading]:
    """The rules' reading of a text: its tokens, lexicon hits and sentiment."""
    tokens = tokenize(text)
    hits = find_hits(tokens, lexicons_for(code))
    return tokens, hits, read_sentiment(text, tokens, hits)


def classify(
    text: str, rating: float | None, lang: str | None = None, adaptation: Adaptation | None = None
) -> Classification:
    """Reads one review: sentiment, score, topics, triage, mismatch and the extras (see result.py).

    `adaptation`: a chain's own adaptation of the text model (adaptation.py), else the base model."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    stars = rating_stars(rating)
    code = normalize_lang(lang) or detect_language(text)
    tokens, hits, rules = read_rules(text, code)
    kind = detect_kind(text, tokens, hits)
    reading, learned = read_text(text, code, rules, kind, adaptation)
    topics = merge_topics(assign_topics(tokens, hits, rules.informative), learned)
    sentiment, score, mismatch = _verdict(stars, reading)
    legal = is_legal(hits)
    return Classification(
        sentiment=sentiment,
        score=round(score, 3),
        topics=topics,
        triage=decide_triage(sentiment, hits, legal),
        mismatch=mismatch,
        text_sentiment=reading.sentiment,
        legal=legal,
        staff=find_staff(text, tokens),
        kind=kind,
        lang=code,
        complaint=None if sentiment == "negative" else find_complaint(text, tokens, hits),
    )


def _verdict(stars: int | None, reading: Reading) -> tuple[str, float, bool]:
    """Sentiment, score and mismatch from the rating (when there is one) and the text's reading."""
    text = reading.score
    if stars is None:
        return reading.sentiment or "neutral", text or 0.0, False
    sentiment = rating_sentiment(stars)
    rated = RATING_SCORE[stars]
    score = rated if text is None else RATING_WEIGHT * rated + (1 - RATING_WEIGHT) * text
    if sentiment == "positive":
        score = min(1.0, max(score, _MIN_POLAR))
    elif sentiment == "negative":
        score = max(-1.0, min(score, -_MIN_POLAR))
    else:
        score = max(-_MAX_NEUTRAL, min(score, _MAX_NEUTRAL))
    contradicts = (stars >= 4 and text is not None and text <= -MISMATCH_AT) or (
        stars <= 2 and text is not None and text >= MISMATCH_AT
    )
    return sentiment, score, contradicts and reading.one_sided
