"""A complaint inside praise: the part of a review that is not negative overall but still complains.

"Всё хорошо, но администратор нагрубил" with five stars is positive by its rating; its complaint part
("но администратор нагрубил", front_desk) still needs an answer. The text is cut into parts at clause
and sentence ends and at contrast words ("но", "однако", "только", "кроме", "зато"; "but", "however",
"except", "only", "apart from"). A part is a complaint part when

- its own cues, as the rules read them (negation, irony and wishes already applied), blame clearly:
  at least BLAME_AT, and more than they praise ("никто не нагрубил" praises; a wish "хотелось бы
  быстрее" is a suggestion, not a complaint); or
- it names an exception to praise ("всё понравилось, кроме регистратуры", "fine except the wait"):
  an exception word, then something the review can be about (an anchor: front desk, waiting, ...),
  after praise earlier in the text.

Its topics are those of its blaming cues, else of the anchors it names, else `other`. The first
complaint part's own words are kept (at most TEXT_CHARS), with the topics of every complaint part.
Pure domain code, like the rest of the rules.
"""

from __future__ import annotations

from clinic_reviews.domain.classification.lexicon import PLACE, THANKS, Hit
from clinic_reviews.domain.classification.result import ComplaintPart
from clinic_reviews.domain.classification.tokens import WORD, Token

BLAME_AT = 0.3  # what a part's blaming cues must weigh (one clear word: "нагрубил", "rude", "долго")
TEXT_CHARS = 300
#: Words that start a new part wherever they stand.
_CONTRAST = frozenset({"но", "однако", "зато", "кроме", "исключение", "but", "however", "except", "apart", "yet"})
#: Words that start a new part only at the head of a clause ("..., только ждать долго"; not "только хорошее").
_CLAUSE_HEAD = frozenset({"только", "лишь", "правда", "only", "though"})
_NOT, _ONLY = frozenset({"не", "not"}), frozenset({"только", "лишь", "only", "just"})
#: Exceptions to praise: what follows is what was not fine, even with no blaming word.
_EXCEPTION = frozenset({"кроме", "исключение", "except", "apart"})


def find_complaint(text: str, tokens: list[Token], hits: list[Hit]) -> ComplaintPart | None:
    """The complaint part of a read text (hits carry `value` and `topic`), or None."""
    parts = _parts(tokens)
    by_part = _hits_by_part(hits, parts)
    praised_before = False
    found: list[tuple[int, int, tuple[str, ...]]] = []
    for (start, end), mine in zip(parts, by_part, strict=True):
        if _not_only(tokens, start):  # "не только врач хороший, но и ...": the "не" denies "только", not the praise
            mine = [h for h in mine if not h.negated]
        topics = _blamed(mine) or (_excepted(tokens, start, end, mine) if praised_before else None)
        if topics:
            found.append((start, end, topics))
        praised_before = praised_before or _praise(mine) > 0
    return _result(text, tokens, found)


def _parts(tokens: list[Token]) -> list[tuple[int, int]]:
    """[start, end) token ranges of the text's parts (clauses, split again at contrast words)."""
    parts: list[tuple[int, int]] = []
    start: int | None = None
    clause = None
    words_in_clause = 0
    for i, tok in enumerate(tokens):
        if tok.kind != WORD and start is None:
            continue
        new_clause = tok.clause != clause
        if new_clause:
            clause, words_in_clause = tok.clause, 0
        splits = _is(tok, _CONTRAST) or (words_in_clause == 0 and _is(tok, _CLAUSE_HEAD))
        if start is None:
            start = i
        elif new_clause or splits:
            parts.append((start, i))
            start = i
        if tok.kind == WORD:
            words_in_clause += 1
    if start is not None:
        parts.append((start, len(tokens)))
    words = [[i for i in range(s, e) if tokens[i].kind == WORD] for s, e in parts]
    return [(found[0], e) for found, (_, e) in zip(words, parts, strict=True) if found]  # from the first word


def _not_only(tokens: list[Token], start: int) -> bool:
    return start + 1 < len(tokens) and _is(tokens[start], _NOT) and _is(tokens[start + 1], _ONLY)


def _is(tok: Token, words: frozenset[str]) -> bool:
    return tok.kind == WORD and (tok.text in words or tok.keys[0] in words)


def _hits_by_part(hits: list[Hit], parts: list[tuple[int, int]]) -> list[list[Hit]]:
    grouped: list[list[Hit]] = [[] for _ in parts]
    index = 0
    for hit in hits:
        while index < len(parts) and hit.start >= parts[index][1]:
            index += 1
        if index < len(parts) and hit.start >= parts[index][0]:
            grouped[index].append(hit)
    return grouped


def _counts(hit: Hit) -> bool:
    """A cue that speaks for the part: not a wish, not a thank-you (an ironic one blames in the whole text)."""
    return not hit.wished and hit.cue.mark != THANKS


def _praise(hits: list[Hit]) -> float:
    return sum(h.value for h in hits if h.value > 0 and _counts(h))


def _blamed(hits: list[Hit]) -> tuple[str, ...]:
    """Topics of a part that blames clearly (`other` when its blame names none), else ()."""
    blaming = [h for h in hits if h.value < 0 and _counts(h)]
    blame = -sum(h.value for h in blaming)
    if blame < BLAME_AT or blame <= _praise(hits):
        return ()
    return _topics(h.topic for h in blaming) or _anchors(hits) or ("other",)


def _excepted(tokens: list[Token], start: int, end: int, hits: list[Hit]) -> tuple[str, ...]:
    """Topics named after an exception word at the head of the part ("кроме регистратуры")."""
    if not _is(tokens[start], _EXCEPTION) or _praise(hits) > 0:
        return ()
    return _anchors(hits)


def _anchors(hits: list[Hit]) -> tuple[str, ...]:
    return _topics(h.cue.anchor for h in hits)


def _topics(candidates) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for t in candidates if t and t != PLACE))


def _result(text: str, tokens: list[Token], found: list[tuple[int, int, tuple[str, ...]]]) -> ComplaintPart | None:
    if not found:
        return None
    start, end, _ = found[0]
    stop = max(t.pos + len(t.orig) for t in tokens[start:end] if t.kind == WORD)
    words = text[tokens[start].pos : stop]
    if len(words) > TEXT_CHARS:
        words = words[: TEXT_CHARS - 1].rstrip() + "…"
    topics = _topics(topic for *_, part_topics in found for topic in part_topics)
    return ComplaintPart(topics=topics, text=words)
