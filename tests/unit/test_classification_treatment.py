"""Cues added from error analysis on the development split of the drug-review data (bench/eval.py
--split dev): what a treatment did, and "дорогие врачи" as an address rather than a price."""

from __future__ import annotations

import pytest
from clinic_reviews.domain.classification import classify


@pytest.mark.parametrize(
    "text, expected",
    [
        ("It worked great and the rash cleared up in two days.", "positive"),
        ("Did not work for me at all, no relief.", "negative"),
        ("Stopped taking it because of the side effects.", "negative"),
        ("No side effects and my sleep improved.", "positive"),
        ("A godsend after years of migraines.", "positive"),
    ],
)
def test_what_a_treatment_did(text: str, expected: str) -> None:
    assert classify(text, None, "en").text_sentiment == expected


def test_dear_doctors_is_an_address_not_a_price() -> None:
    reading = classify("С Новым годом, дорогие врачи!", None)
    assert reading.sentiment == "positive" and "billing" not in reading.topics and reading.kind == "greeting"
    assert "billing" in classify("Очень дорогие анализы", None).topics
