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
  after praise earlier in the text; or
- it names a flaw outright ("Минус — парковки нет"; a bare "Only downside:" marks the part after it).

Blame said to be absent or apologised for ("без высокомерия", "извинилась за ожидание") does not count, nor
does a part about another place ("в районной поликлинике"), nor topic-less blame under twice BLAME_AT.
Its topics are those of its blaming cues, else of the anchors it names, else `other`. The words of the
part that blames most are kept (at most TEXT_CHARS), with the topics of every complaint part.
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
#: Words that name a flaw outright: their part is a complaint part, and the one whose words are kept.
_FLAW = frozenset({"минус", "недостаток", "downside", "drawback"})
_WITHOUT = frozenset({"без", "without", "извиниться", "извинение", "apologise", "apologize", "apologised", "apologized"})
#: Another place: what went wrong there is no complaint about this clinic.
_ELSEWHERE = frozenset({"районный", "прежний", "предыдущий", "elsewhere", "previous"})
_OTHER = frozenset({"другой", "другие", "other", "another"})
_SEVERAL = frozenset({"два", "три", "четыре", "пять", "несколько", "много", "разный", "two", "three", "several", "many"})
_PLACES = frozenset({"место", "клиника", "поликлиника", "больница", "центр", "город", "place", "clinic", "hospital",
                     "practice", "surgery", "city", "town"})
#: Exceptions to praise: what follows is what was not fine, even with no blaming word.
_EXCEPTION = frozenset({"кроме", "исключение", "except", "apart"})


def find_complaint(text: str, tokens: list[Token], hits: list[Hit]) -> ComplaintPart | None:
    """The complaint part of a read text (hits carry `value` and `topic`), or None."""
    parts = _parts(tokens)
    by_part = _hits_by_part(hits, parts)
    praised_before = flaw_named = False
    found: list[tuple[float, int, int, tuple[str, ...]]] = []
    for (start, end), mine in zip(parts, by_part, strict=True):
        flaw = any(_is(t, _FLAW) for t in tokens[start:end])
        if flaw and sum(t.kind == WORD for t in tokens[start:end]) <= 2:  # "Минус:", "Only downside —": what follows
            flaw_named = True
            continue
        if _not_only(tokens, start):  # "не только врач хороший, но и ...": the "не" denies "только", not the praise
            mine = [h for h in mine if not h.negated]
        mine = [h for h in mine if not (h.value < 0 and _absent(tokens, h))]
        if not _elsewhere(tokens, start, end):
            blame, topics = _blamed(mine)
            if not topics and praised_before:
                blame, topics = 0.0, _excepted(tokens, start, mine)
            if flaw or flaw_named:  # "Минус — парковки нет", "Only downside: the waiting room is small"
                blame, topics = blame + 1.0, topics or _anchors(mine) or ("other",)
            if topics:
                found.append((blame, start, end, topics))
        praised_before = praised_before or _praise(mine) > 0
        flaw_named = False
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


def _blamed(hits: list[Hit]) -> tuple[float, tuple[str, ...]]:
    """How much a part blames and its topics (`other` when its blame names none); () when it does not blame clearly."""
    blaming = [h for h in hits if h.value < 0 and _counts(h)]
    blame = -sum(h.value for h in blaming)
    if blame < BLAME_AT or blame <= _praise(hits):
        return blame, ()
    topics = _topics(h.topic for h in blaming) or _anchors(hits)
    if not topics:  # blame that names nothing must be twice as clear ("обещал" alone is no complaint)
        return blame, ("other",) if blame >= 2 * BLAME_AT else ()
    return blame, topics


def _absent(tokens: list[Token], hit: Hit) -> bool:
    """A bad thing said to be missing or apologised for by the staff: "без этого врачебного высокомерия",
    "without any rudeness", "извинилась за ожидание"."""
    clause = tokens[hit.start].clause
    before = [t for t in tokens[max(0, hit.start - 4) : hit.start] if t.clause == clause]
    return any(_is(t, _WITHOUT) for t in before)


def _elsewhere(tokens: list[Token], start: int, end: int) -> bool:
    """A part about another place ("в районной поликлинике", "в трёх местах лечили", "other clinics")."""
    part = tokens[start:end]
    for i, tok in enumerate(part):
        if _is(tok, _ELSEWHERE):
            return True
        if (_is(tok, _OTHER) or _is(tok, _SEVERAL)) and any(_is(t, _PLACES) for t in part[i + 1 : i + 3]):
            return True
    return False


def _excepted(tokens: list[Token], start: int, hits: list[Hit]) -> tuple[str, ...]:
    """Topics named after an exception word at the head of the part ("кроме регистратуры")."""
    if not _is(tokens[start], _EXCEPTION) or _praise(hits) > 0:
        return ()
    return _anchors(hits)


def _anchors(hits: list[Hit]) -> tuple[str, ...]:
    return _topics(h.cue.anchor for h in hits)


def _topics(candidates) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for t in candidates if t and t != PLACE))


def _result(
    text: str, tokens: list[Token], found: list[tuple[float, int, int, tuple[str, ...]]]
) -> ComplaintPart | None:
    """The words of the part that blames most (the first of equals), with the topics of every complaint part."""
    if not found:
        return None
    _, start, end, _ = max(found, key=lambda part: (part[0], -part[1]))
    stop = max(t.pos + len(t.orig) for t in tokens[start:end] if t.kind == WORD)
    words = text[tokens[start].pos : stop]
    if len(words) > TEXT_CHARS:
        words = words[: TEXT_CHARS - 1].rstrip() + "…"
    topics = _topics(topic for *_, part_topics in found for topic in part_topics)
    return ComplaintPart(topics=topics, text=words)
