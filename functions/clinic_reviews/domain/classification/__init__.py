"""Reading a review: sentiment, score, topics, triage, mismatch, legal flag, staff and kind.

`classify(text, rating, lang=None) -> Classification` is the one entry point; everything else in
this package is its rule set (see each module's docstring). Pure domain code: no I/O, no clock.

The rule set is imported on the first `classify`, not with the package: the functions that only read
stored classifications (`result.Classification`) never load the lexicons (a cold start's 0.1 s).
"""

from clinic_reviews.domain.classification.result import KINDS, SENTIMENTS, TOPICS, Classification

__all__ = ["KINDS", "SENTIMENTS", "TOPICS", "Classification", "classify"]


def __getattr__(name: str):
    if name == "classify":
        from clinic_reviews.domain.classification.classifier import classify

        return classify
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
