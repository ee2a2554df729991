"""Tokenizer: words (with their lookup keys), numbers, emoji and punctuation, each placed in a sentence
and a clause, so that negation, contrast and topic attribution can stay local."""

from __future__ import annotations

import re
from functools import lru_cache

from clinic_reviews.domain.classification.morphology import en_stem, ru_lemmas

WORD, NUMBER, EMOJI, PUNCT = "w", "n", "e", "p"

_EMOJI_CHARS = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2190-\u21ff\u3030\u303d\u3297\u3299"
_TOKEN = re.compile(
    r"(?P<emo>[:;=]-?[)(DPp](?![\w])|\){2,}|\({2,})"
    r"|(?P<w>[^\W\d_]+(?:['’\-][^\W\d_]+)*)"
    r"|(?P<n>\d+(?:[.,:]\d+)*)"
    rf"|(?P<e>[{_EMOJI_CHARS}])[\ufe0f\U0001f3fb-\U0001f3ff]*"
    r"|(?P<p>[.!?…;:,()«»\"“”„—–\n]|-(?=\s))"
)
_CYRILLIC = re.compile(r"[а-яё]")
_LATIN = re.compile(r"[a-z]")
_SENTENCE_END = frozenset(".!?…\n")
_CLAUSE_END = frozenset(",;:()—–-")
_QUOTES_OPEN = frozenset("«“„")
_QUOTES_CLOSE = frozenset("»”")
_ABBREVIATIONS = frozenset({"dr", "mr", "mrs", "ms", "prof", "др", "проф", "т", "г", "им"})
_EN_CONTRACTIONS = {"ca": "can", "wo": "will", "sha": "shall"}


class Token:
    """One token: `text` is lowercased (ё as е); `keys` are what lexicons are looked up by."""

    __slots__ = ("caps", "clause", "keys", "kind", "orig", "pos", "scare_quoted", "script", "sent", "text")

    def __init__(self, text: str, orig: str, kind: str, script: str, keys: tuple[str, ...]) -> None:
        self.pos = 0  # offset of the token in the text
        self.text = text
        self.orig = orig
        self.kind = kind
        self.script = script
        self.keys = keys
        self.sent = 0
        self.clause = 0
        self.caps = False
        self.scare_quoted = False

    def __repr__(self) -> str:
        return f"Token({self.orig!r}, {self.keys!r})"


@lru_cache(maxsize=65536)
def ru_keys(word: str) -> tuple[str, ...]:
    """Lookup keys of a lowercase Russian word: its likeliest lemma, the word itself, its other lemmas,
    and for a compound ("врачу-терапевту", "онлайн-запись") the lemmas of its parts."""
    lemmas = ru_lemmas(word)
    parts = [lemma for part in word.split("-") if part for lemma in ru_lemmas(part)] if "-" in word else []
    return tuple(dict.fromkeys((lemmas[0], word, *lemmas[1:], *parts)))


@lru_cache(maxsize=65536)
def _word_specs(orig: str) -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """(text, orig, script, keys) of the word tokens one matched word makes ("didn't" makes two)."""
    text = orig.lower().replace("ё", "е").replace("’", "'")
    if _CYRILLIC.search(text):
        return ((text, orig, "c", ru_keys(text)),)
    if _LATIN.search(text):
        if text.endswith("n't") and len(text) > 3:
            base = text[:-3]
            base = _EN_CONTRACTIONS.get(base, base)
            return ((base, orig, "l", (en_stem(base), base)), ("not", "not", "l", ("not",)))
        if "'" in text:
            text = text.split("'")[0] or text
        return ((text, orig, "l", tuple(dict.fromkeys((en_stem(text), text)))),)
    return ((text, orig, "o", (text,)),)


def tokenize(text: str) -> list[Token]:
    """Tokens of `text` with sentence and clause numbers, ALL-CAPS and 'scare quote' marks set."""
    tokens: list[Token] = []
    sent = clause = 0
    previous_word = ""
    quote_start: int | None = None
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        value = match.group(kind) if kind else ""
        if kind == "w":
            start = match.start()
            for text_, orig, script, keys in _word_specs(value):
                tok = Token(text_, orig, WORD, script, keys)
                tok.sent, tok.clause, tok.pos = sent, clause, start
                tok.caps = len(orig) >= 3 and orig.isupper()
                tokens.append(tok)
            previous_word = tok.text
            continue
        if kind == "n":
            new = [Token(value, value, NUMBER, "", (value, "<num>"))]
        elif kind in ("e", "emo"):
            key = value.lower() if value[0] not in ")(" else value[0] * 2  # ")))" is "))"
            new = [Token(key, value, EMOJI, "", (key,))]
        else:
            if value in _SENTENCE_END and not (value == "." and previous_word in _ABBREVIATIONS):
                sent += 1
                clause += 1
            elif value in _CLAUSE_END:
                clause += 1
            quote_start = _track_quotes(tokens, value, quote_start)
            tok = Token(value, value, PUNCT, "", (value,))
            tok.sent, tok.clause, tok.pos = sent, clause, match.start()
            tokens.append(tok)
            previous_word = ""
            continue
        for tok in new:
            tok.sent, tok.clause, tok.pos = sent, clause, match.start()
            tok.caps = kind == "w" and len(tok.orig) >= 3 and tok.orig.isupper()
            tokens.append(tok)
        previous_word = new[-1].text
    if sum(t.caps for t in tokens) * 2 > sum(t.kind == WORD for t in tokens):
        for tok in tokens:  # a text written all in capitals shouts nothing in particular
            tok.caps = False
    return tokens


def _track_quotes(tokens: list[Token], mark: str, start: int | None) -> int | None:
    """Open or close a quotation; a closed one around a single lowercase word marks it as ironic."""
    opening = mark in _QUOTES_OPEN or (mark == '"' and start is None)
    closing = mark in _QUOTES_CLOSE or (mark == '"' and start is not None)
    if closing and start is not None:
        inner = [t for t in tokens[start:] if t.kind != PUNCT]
        if len(inner) == 1 and inner[0].kind == WORD and inner[0].orig[:1].islower():
            inner[0].scare_quoted = True
        return None
    if opening:
        return len(tokens)
    return start
