"""Invariants on arbitrary input (hypothesis) and integrity of the lexicons."""

from __future__ import annotations

from clinic_reviews.domain.classification import (
    KINDS,
    SENTIMENTS,
    TOPICS,
    classify,
    lexicon_en,
    lexicon_other,
    lexicon_ru,
)
from clinic_reviews.domain.classification.lexicon import ALL_ANCHORS, Cue
from clinic_reviews.domain.classification.morphology import ru_lemmas
from hypothesis import given, settings
from hypothesis import strategies as st

WORDS = (
    "не очень врач администратор хамство нахамили спасибо за испорченный день ждали час дорого но однако "
    "отлично ужасно хотя без очереди нет проблем подам в суд доктору Соколовой 😡 👍 ❤️ ))) (( ! ? ?! «» "
    "not bad rude receptionist waited two hours overcharged but although thanks for nothing Dr. Smith "
    "хотелось бы предлагаю с новым годом ли подскажите , . — \n"
)
review_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(WORDS.split(" ")), max_size=60).map(" ".join),
)
ratings = st.one_of(st.none(), st.integers(1, 5), st.floats(1, 5, allow_nan=False))


@settings(max_examples=400, deadline=None)
@given(text=review_text, rating=ratings, lang=st.sampled_from([None, "ru", "en", "de", "xx"]))
def test_any_text_gives_a_well_formed_reading(text: str, rating: float | None, lang: str | None) -> None:
    result = classify(text, rating, lang)
    assert -1.0 <= result.score <= 1.0
    assert result.sentiment in SENTIMENTS
    assert result.text_sentiment in (*SENTIMENTS, None)
    assert set(result.topics) <= set(TOPICS) and len(result.topics) == len(set(result.topics))
    assert result.kind in KINDS
    assert (result.triage is None) == (result.sentiment != "negative")
    if result.sentiment == "positive":
        assert result.score > 0
    elif result.sentiment == "negative":
        assert result.score < 0
    else:
        assert abs(result.score) < 0.15
    assert not (result.mismatch and (rating is None or result.text_sentiment in (None, "neutral")))
    assert all(isinstance(name, str) and name for name in result.staff)


@settings(max_examples=200, deadline=None)
@given(text=review_text)
def test_classification_is_deterministic(text: str) -> None:
    assert classify(text, None) == classify(text, None)


def _specs(entries: list[tuple[str, Cue]]) -> list[tuple[str, Cue]]:
    specs = [(raw.strip(), cue) for spec, cue in entries for raw in spec.split(",") if raw.strip()]
    assert len(specs) >= 50, "a lexicon with (almost) no entries"
    return specs


# Russian entries written as surface forms on purpose: imperatives, first person, comparatives, parts of
# fixed phrases and slang. Everything else must be a pymorphy3 normal form, or it would never match.
SURFACE_FORMS = (
    "буду введите добавьте игнор колл-центр лучшего лучший наступающий нервы никому норм ок организуйте "
    "повесьте подскажите поставьте сделайте скажите установите хочу худший хуже целом"
)


def test_russian_entries_are_lemmas() -> None:
    for spec, _ in _specs(lexicon_ru.ENTRIES):
        for part in spec.split():
            if part in ("~", "<num>") or part in SURFACE_FORMS.split():
                continue
            assert part in ru_lemmas(part), f"{part!r} in {spec!r} is not a normal form: {ru_lemmas(part)}"


def test_cues_use_the_fixed_vocabulary() -> None:
    entries = _specs(lexicon_ru.ENTRIES) + _specs(lexicon_en.ENTRIES) + _specs(lexicon_other.EMOJI)
    entries += _specs(lexicon_other.OTHER_WORDS)
    for spec, cue in entries:
        assert -1.0 <= cue.valence <= 1.0, spec
        assert cue.topic is None or cue.topic in TOPICS, spec
        assert cue.anchor is None or cue.anchor in ALL_ANCHORS, spec
        assert cue.attach <= ALL_ANCHORS, spec
        assert cue.neg is None or -1.0 <= cue.neg <= 1.0, spec


def test_no_entry_is_listed_twice_in_a_language() -> None:
    for entries in (lexicon_ru.ENTRIES, lexicon_en.ENTRIES):
        specs = [spec for spec, _ in _specs(entries)]
        duplicates = {spec for spec in specs if specs.count(spec) > 1}
        assert not duplicates


def test_no_word_or_phrase_means_two_things() -> None:
    from clinic_reviews.domain.classification.lexicon import lexicon_key

    for entries, english in ((lexicon_ru.ENTRIES, False), (lexicon_en.ENTRIES, True)):
        meaning: dict[tuple[str, ...], tuple[str, Cue]] = {}
        for spec, cue in _specs(entries):
            key = tuple(lexicon_key(part, english) for part in spec.split())
            if key in meaning:
                assert meaning[key][1] == cue, f"{spec!r} collides with {meaning[key][0]!r}"
            meaning[key] = (spec, cue)
