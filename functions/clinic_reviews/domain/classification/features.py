"""The text model's features: hashed word unigrams and bigrams and character 3-5-grams of each word.

`features(text)` returns the feature buckets (0 .. DIM-1) of a text, counted: lowercased, "ё" as "е",
words of letters, numbers, "!" "?" and emoji; each word gives its distinct `word_buckets` ("w:word" and
the character n-grams of "<word>", lengths 3 to 5), each pair of neighbours one "b:left right" (with
"<s>" before the first). A bucket two words share counts twice, so a text's features are the sum of its
words' (model.py caches each word's share of every output: one lookup per word, not per n-gram). A
feature's bucket is its CRC-32 (UTF-8) modulo DIM: stable across processes and machines, unlike
`hash()`, and computed in C. The same function feeds training (bench/train.py) and inference, so the
two cannot drift apart. No stemming: character n-grams carry Russian and English morphology.
"""

from __future__ import annotations

import re
from functools import lru_cache
from zlib import crc32

DIM = 1 << 19
_MASK = DIM - 1
_TOKEN = re.compile(r"[^\W\d_]+|\d+|[!?]|[\U0001f000-\U0001faff\u2600-\u27bf]")
_NGRAMS = (3, 4, 5)


def _bucket(feature: str) -> int:
    return crc32(feature.encode("utf-8")) & _MASK


@lru_cache(maxsize=200_000)
def word_buckets(word: str) -> tuple[int, ...]:
    """The distinct buckets of one word: its unigram and character n-grams (cached: words repeat)."""
    found = {_bucket("w:" + word)}
    padded = f"<{word}>"
    for n in _NGRAMS:
        for i in range(len(padded) - n + 1):
            found.add(_bucket(padded[i : i + n]))
    return tuple(found)


def words(text: str) -> list[str]:
    """The model's tokens of a text."""
    return _TOKEN.findall(text.lower().replace("ё", "е"))


def bigram_buckets(tokens: list[str]) -> list[int]:
    """One bucket per pair of neighbouring tokens, the first paired with "<s>"."""
    return [_bucket(f"b:{left} {right}") for left, right in zip(["<s>", *tokens], tokens)]


def features(text: str) -> list[int]:
    """The feature buckets of `text`, counted (empty for a text without words)."""
    tokens = words(text)
    found: list[int] = []
    for word in tokens:
        found += word_buckets(word)
    return found + bigram_buckets(tokens)
