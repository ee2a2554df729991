"""Reading a review: sentiment, score, topics, triage, mismatch, legal flag, staff and kind.

`classify(text, rating, lang=None) -> Classification` is the one entry point; everything else in
this package is its rule set (see each module's docstring). Pure domain code: no I/O, no clock.
"""

from clinic_reviews.domain.classification.classifier import classify
from clinic_reviews.domain.classification.result import KINDS, SENTIMENTS, TOPICS, Classification

__all__ = ["KINDS", "SENTIMENTS", "TOPICS", "Classification", "classify"]
