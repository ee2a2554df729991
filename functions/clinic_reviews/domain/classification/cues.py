"""The lexicons merged once per process: Russian, English and emoji first, then the surface words of
other languages (first instead for texts detected as another language; a Ukrainian text without its
own letters reads as Russian and still finds "дякую")."""

from __future__ import annotations

from clinic_reviews.domain.classification import lexicon_en, lexicon_other, lexicon_ru
from clinic_reviews.domain.classification.language import SUPPORTED
from clinic_reviews.domain.classification.lexicon import Lexicon

MAIN = Lexicon()
MAIN.add(lexicon_ru.WIDENED)
MAIN.add(lexicon_ru.ENTRIES)
MAIN.add(lexicon_en.ENTRIES, english=True)
MAIN.add(lexicon_other.EMOJI)
FALLBACK = Lexicon()
FALLBACK.add(lexicon_other.OTHER_WORDS)


def lexicons_for(lang: str | None) -> tuple[Lexicon, ...]:
    """Lexicons to look words up in, most specific first."""
    if lang is None or lang in SUPPORTED:
        return (MAIN, FALLBACK)
    return (FALLBACK, MAIN)
