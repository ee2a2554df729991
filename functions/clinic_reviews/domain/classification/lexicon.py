"""Lexicon entries (cues), the merged lookup tables, and the matcher that finds cues in tokens.

A lexicon module lists `(spec, Cue)` pairs; `spec` is a comma-separated list of lemmas or phrases
(lemmas separated by spaces; `~` stands for up to two arbitrary words, `<num>` for a number).
Russian entries are pymorphy3 normal forms (ё as е), English entries are base words passed through the
same stemmer as the text, emoji are the characters themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from clinic_reviews.domain.classification.morphology import en_stem
from clinic_reviews.domain.classification.tokens import NUMBER, PUNCT, WORD, Token

# Triage tags a cue can carry (see triage.py).
SIMPLE, LATE, REMEDY, CARE = "simple", "late", "remedy", "care"
# Function words: how a cue modifies its neighbours instead of (or besides) carrying sentiment.
NEGATOR = "neg"  # flips what follows within `scope` words
POST_NEGATOR = "postneg"  # "проблем нет": flips the negative word just before it
INTENSIFIER = "int"  # multiplies the next sentiment word by `factor` (below 1: a diminisher)
CONTRAST = "contrast"  # "но", "but": what follows weighs more, what precedes less
CONCESSION = "concess"  # "хотя", "although": its own clause weighs less
SUMMARY = "summary"  # "в целом", "overall": what follows weighs more
WISH = "wish"  # "хотелось бы", "it would be nice if": what follows is wished for, not found
LINK = "link"  # "за", "что", "for": links a thank-you to what it is for (sarcasm check)
SYMPTOM = "symptom"  # "боль", "pain": the patient's illness, not the clinic's fault
DURATION = "duration"  # "40 минут", "two hours": makes a waiting complaint in its clause `factor` x stronger
# Marks read by the kind, legal and sarcasm logic.
THANKS, GREETING, SUGGESTION, LEGAL, ASK, IRONY = "thanks", "greet", "suggest", "legal", "ask", "irony"
PLACE = "place"  # an anchor for the clinic as a whole: absorbs praise or blame without a topic

ALL_ANCHORS = frozenset(
    {"front_desk", "waiting", "billing", "doctor", "scheduling", "cleanliness", "diagnostics", PLACE}
)
STAFF = frozenset({"doctor", "front_desk"})


@dataclass(frozen=True, slots=True)
class Cue:
    """What one lemma or phrase means for sentiment, topics and triage.

    `topic` is the topic the cue speaks about; when `attach` is set, the cue adopts the topic of the
    nearest anchor of one of those kinds in its sentence ("вежливый администратор" -> front_desk) and
    falls back to `topic`. `anchor` makes the word an anchor itself. `neg`/`neg_topic`/`neg_tag`
    replace valence, topic and tag when the cue is negated ("не помог": care).
    """

    valence: float = 0.0
    topic: str | None = None
    attach: frozenset[str] = frozenset()
    anchor: str | None = None
    tag: str = ""
    neg: float | None = None
    neg_topic: str | None = None
    neg_tag: str | None = None
    func: str = ""
    factor: float = 1.0
    scope: int = 0
    mark: str = ""


@dataclass(slots=True)
class Hit:
    """A cue found at tokens[start:end]; `value` and `topic` are filled in by sentiment and topics."""

    start: int
    end: int
    cue: Cue
    negated: bool = False
    value: float = 0.0
    topic: str | None = None
    tag: str = ""
    wished: bool = False  # inside a wish or proposal ("хотелось бы, чтобы ...")

    @property
    def base(self) -> float:
        """The valence before modifiers, negation applied."""
        cue = self.cue
        if not self.negated:
            return cue.valence
        if cue.neg is not None:
            return cue.neg
        return cue.valence * (-0.75 if cue.valence > 0 else -0.5)


@dataclass(eq=False)  # compared and hashed by identity: the lookup caches are keyed by the lexicons
class Lexicon:
    """Merged lookup tables: single words and phrases indexed by their first element."""

    words: dict[str, Cue] = field(default_factory=dict)
    phrases: dict[str, list[tuple[tuple[str, ...], Cue]]] = field(default_factory=dict)

    def add(self, entries: Iterable[tuple[str, Cue]], english: bool = False) -> None:
        for spec, cue in entries:
            for raw in spec.split(","):
                parts = tuple(lexicon_key(p, english) for p in raw.split())
                if not parts:
                    continue
                if len(parts) == 1:
                    self.words[parts[0]] = cue
                else:
                    self.phrases.setdefault(parts[0], []).append((parts, cue))
        for options in self.phrases.values():
            options.sort(key=lambda item: -len(item[0]))
        clear_caches()


def clear_caches() -> None:
    """Forgets every lookup made so far (a lexicon changed)."""
    _STARTS.clear()
    _WORDS.clear()


def lexicon_key(part: str, english: bool) -> str:
    part = part.strip().lower().replace("ё", "е")
    if english and part.isalpha():
        return en_stem(part)
    return part


def find_hits(tokens: list[Token], lexicons: tuple[Lexicon, ...]) -> list[Hit]:
    """Cues in reading order; a phrase consumes its words, the longest phrase wins."""
    hits: list[Hit] = []
    i, n = 0, len(tokens)
    starts = _phrase_starts(lexicons)
    while i < n:
        tok = tokens[i]
        if tok.kind == PUNCT:
            i += 1
            continue
        hit = _phrase_at(tokens, i, lexicons) if not starts.isdisjoint(tok.keys) else None
        if hit is None:
            key = (lexicons, tok.kind, tok.script, tok.text, tok.keys)
            found = _WORDS.get(key, _UNSEEN)
            if found is _UNSEEN:
                if len(_WORDS) > 200_000:  # bounded like the lemma caches
                    _WORDS.clear()
                found = _WORDS[key] = _word_cue(tok, lexicons)
            hit = None if found is None else Hit(i, i + 1, found[0], negated=found[1])
        if hit is None:
            i += 1
            continue
        hits.append(hit)
        i = hit.end
    return hits


#: Phrase starts by lexicons. Keyed by the Lexicon objects themselves (never by id(): a freed lexicon's
#: id can be reused by a new one).
_STARTS: dict[tuple[Lexicon, ...], frozenset[str]] = {}


def _phrase_starts(lexicons: tuple[Lexicon, ...]) -> frozenset[str]:
    """Every key a phrase of `lexicons` begins with (lexicons are built once, at import)."""
    found = _STARTS.get(lexicons)
    if found is None:
        found = _STARTS[lexicons] = frozenset(key for lexicon in lexicons for key in lexicon.phrases)
    return found


def _phrase_at(tokens: list[Token], i: int, lexicons: tuple[Lexicon, ...]) -> Hit | None:
    best: Hit | None = None
    for lexicon in lexicons:
        for key in tokens[i].keys:
            for pattern, cue in lexicon.phrases.get(key, ()):
                end = _match(pattern, 1, tokens, i + 1)
                if end > 0 and (best is None or end > best.end):
                    best = Hit(i, end, cue)
    return best


def _match(pattern: tuple[str, ...], p: int, tokens: list[Token], i: int) -> int:
    """End index of `pattern[p:]` matched from tokens[i], or -1."""
    if p == len(pattern):
        return i
    element = pattern[p]
    if element == "~":
        for skip in range(3):
            if skip and (i + skip - 1 >= len(tokens) or tokens[i + skip - 1].kind not in (WORD, NUMBER)):
                break
            end = _match(pattern, p + 1, tokens, i + skip)
            if end > 0:
                return end
        return -1
    if i >= len(tokens):
        return -1
    tok = tokens[i]
    if tok.kind == PUNCT or (element not in tok.keys and not (element == "<num>" and tok.kind == NUMBER)):
        return -1
    return _match(pattern, p + 1, tokens, i + 1)


_UNSEEN = object()
#: Word lookups already made, by (lexicons, token kind, script, text, keys): (cue, negated) or None.
#: The lexicons tuple, in its order, is part of the key: the same word may mean different things when
#: the fallback lexicon is read first ("дорого" in a Ukrainian text has no topic; in Russian, billing).
_WORDS: dict[tuple, tuple[Cue, bool] | None] = {}


def _word_cue(tok: Token, lexicons: tuple[Lexicon, ...]) -> tuple[Cue, bool] | None:
    """The cue of a single word and whether it is that cue's negation ("невежливый", "unhelpful")."""
    for lexicon in lexicons:
        for key in tok.keys:
            cue = lexicon.words.get(key)
            if cue is not None:
                return cue, False
    if tok.kind != WORD:
        return None
    prefix = "не" if tok.script == "c" else "un" if tok.script == "l" else ""
    if prefix and tok.text.startswith(prefix) and len(tok.text) > 5:
        for lexicon in lexicons:
            for key in tok.keys:
                cue = lexicon.words.get(key[len(prefix) :]) if key.startswith(prefix) else None
                if cue is not None and cue.valence and not cue.func:
                    return cue, True
    return None
