"""A reading never depends on what the process read before (the lookup caches are per lexicon order).

Found as a flaky pair under `pytest -n 2`: a Ukrainian or German text with "дорого" read first (fallback
lexicon first, where "дорого" has no topic) made a later Russian "Очень дорого" lose `billing`.
"""

from __future__ import annotations

import pytest
from clinic_reviews.domain.classification import classify
from clinic_reviews.domain.classification.lexicon import clear_caches

TEXTS = [
    "Очень дорого",
    "Слишком дорого, но врач хороший",
    "Администратор нагрубил, ждали час",
    "Дуже дорого і довго",
    "Sehr teuer, dorogo? дорого!",
    "Too expensive and the receptionist was rude",
    "Дякую, все чудово",
    "Очень вежливый администратор, спасибо",
]
LANGS = (None, "ru", "en", "uk", "de", "xx")
CASES = [(text, lang) for text in TEXTS for lang in LANGS]


def _alone(text: str, lang: str | None):
    clear_caches()
    return classify(text, None, lang)


@pytest.fixture(scope="module")
def alone() -> dict[tuple[str, str | None], object]:
    readings = {case: _alone(*case) for case in CASES}
    clear_caches()
    return readings


@pytest.mark.parametrize("order", ["forward", "backward"])
def test_a_reading_is_the_same_whatever_was_read_before(alone, order: str) -> None:
    cases = CASES if order == "forward" else CASES[::-1]
    after_others = {case: classify(case[0], None, case[1]) for case in cases}
    changed = [case for case in CASES if after_others[case] != alone[case]]
    assert not changed, changed


def test_russian_price_complaint_keeps_billing_after_a_ukrainian_one() -> None:
    clear_caches()
    classify("Дуже дорого, жахливо", None, "uk")
    result = classify("Очень дорого", None, "ru")
    assert result.topics == ("billing",)
    assert result.triage == 2
