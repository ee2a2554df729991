"""Word normal forms: pymorphy3 lemmas for Russian, a small suffix stemmer for English.

The pymorphy3 analyzer loads its dictionaries (about 0.1 s) on the first Russian word, not at import,
and every word's lemmas are cached, so a warm process pays one dictionary lookup per distinct word.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

_analyzer: Any = None


def _morph() -> Any:
    global _analyzer
    if _analyzer is None:
        import pymorphy3  # deferred: English-only work and `--help` never pay for the dictionaries
        import pymorphy3_dicts_ru

        # the dictionaries' path given: pymorphy3 would find it by scanning every installed package's entry points
        _analyzer = pymorphy3.MorphAnalyzer(path=pymorphy3_dicts_ru.get_path(), lang="ru")
    return _analyzer


def analyzer() -> Any:
    """The shared pymorphy3 MorphAnalyzer (created on first use)."""
    return _morph()


@lru_cache(maxsize=65536)
def ru_lemmas(word: str) -> tuple[str, ...]:
    """Distinct normal forms of a lowercase Russian word, most likely first, with ё written as е."""
    seen: list[str] = []
    for parse in _morph().parse(word):
        lemma = parse.normal_form.replace("ё", "е")
        if lemma not in seen:
            seen.append(lemma)
    return tuple(seen) or (word,)


_EN_IRREGULAR = {
    "was": "be",
    "were": "be",
    "been": "be",
    "is": "be",
    "are": "be",
    "am": "be",
    "did": "do",
    "does": "do",
    "done": "do",
    "went": "go",
    "gone": "go",
    "told": "tell",
    "paid": "pay",
    "lost": "lose",
    "spent": "spend",
    "felt": "feel",
    "made": "make",
    "took": "take",
    "taken": "take",
    "gave": "give",
    "given": "give",
    "got": "get",
    "gotten": "get",
    "saw": "see",
    "seen": "see",
    "came": "come",
    "kept": "keep",
    "thought": "think",
    "brought": "bring",
    "left": "leave",
    "said": "say",
    "had": "have",
    "has": "have",
    "cancelled": "cancel",
    "canceled": "cancel",
    "cancelling": "cancel",
    "canceling": "cancel",
    "cancels": "cancel",
    "caring": "care",
    "cared": "care",
    "better": "better",
    "worse": "worse",
    "children": "child",
    "people": "people",
    "hung": "hang",
    "forgot": "forget",
    "forgotten": "forget",
}
_EN_KEEP = frozenset(
    [
        "nothing",
        "something",
        "anything",
        "everything",
        "morning",
        "evening",
        "during",
        "building",
        "ceiling",
        "bring",
        "thing",
        "string",
        "spring",
        "king",
        "sing",
        "ring",
        "news",
        "this",
        "his",
        "hers",
        "yes",
        "always",
        "perhaps",
        "various",
        "previous",
        "serious",
        "nervous",
        "anxious",
        "gorgeous",
        "famous",
        "bus",
        "plus",
        "thus",
        "us",
        "experienced",
    ]
)
_NO_DOUBLE_TRIM = ("ll", "ss", "zz", "ff")


@lru_cache(maxsize=65536)
def en_stem(word: str) -> str:
    """A crude but consistent English stem: lexicon entries and text go through the same function."""
    word = word.lower().replace("’", "'")
    word = word.removesuffix("'s")
    base = _EN_IRREGULAR.get(word)
    if base is not None:
        return base if base == word else en_stem(base)
    if len(word) <= 3 or word in _EN_KEEP or not word.isalpha():
        return word
    stem = word
    if stem.endswith("ies") and len(stem) > 4 or stem.endswith("ied") and len(stem) > 4:
        stem = stem[:-3] + "y"
    elif stem.endswith("ing") and len(stem) > 5:
        stem = _undouble(stem[:-3])
    elif stem.endswith("ed") and len(stem) > 4:
        stem = _undouble(stem[:-2])
    elif stem.endswith("s") and not stem.endswith(("ss", "us", "is")):
        stem = stem[:-1]
    if stem.endswith("e") and len(stem) > 3:
        stem = stem[:-1]
    return stem


def _undouble(stem: str) -> str:
    if (
        len(stem) > 2
        and stem[-1] == stem[-2]
        and stem[-1] not in "aeiou"
        and not stem.endswith(_NO_DOUBLE_TRIM)
    ):
        return stem[:-1]
    return stem
