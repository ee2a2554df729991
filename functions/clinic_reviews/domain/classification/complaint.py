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
#: The words the detector looks for (surface form or lemma), by the role they play.
_WORDS_BY_ROLE = {
    # start a new part wherever they stand
    "contrast": ("но", "однако", "зато", "кроме", "исключение", "but", "however", "except", "apart", "yet"),
    # start a new part only at the head of a clause ("..., только ждать долго"; not "только хорошее")
    "head": ("только", "лишь", "правда", "only", "though"),
    "not": ("не", "not"),
    "only": ("только", "лишь", "only", "just"),
    # an exception to praise: what follows is what was not fine, even with no blaming word
    "exception": ("кроме", "исключение", "except", "apart"),
    # a flaw named outright: its part is a complaint part, and the one whose words are kept
    "flaw": ("минус", "недостаток", "downside", "drawback"),
    # a bad thing said to be missing, or apologised for by the staff
    "without": ("без", "without", "извиниться", "извинение", "apologise", "apologize", "apologised", "apologized"),
    # another place: what went wrong there is no complaint about this clinic
    "elsewhere": ("районный", "прежний", "предыдущий", "elsewhere", "previous"),
    "other": ("другой", "другие", "other", "another"),
    "several": ("два", "три", "четыре", "пять", "несколько", "много", "разный", "two", "three", "several", "many"),
    "place": (
        "место",
        "клиника",
        "поликлиника",
        "больница",
        "центр",
        "город",
        "place",
        "clinic",
        "hospital",
        "practice",
        "surgery",
        "city",
        "town",
    ),
}
_ROLES: dict[str, frozenset[str]] = {}
for _role, _words in _WORDS_BY_ROLE.items():
    for _word in _words:
        _ROLES[_word] = _ROLES.get(_word, frozenset()) | {_role}
_NONE: frozenset[str] = frozenset()
Part = tuple[int, int]  # [start, end) token indexes


def find_complaint(text: str, tokens: list[Token], hits: list[Hit]) -> ComplaintPart | None:
    """The complaint part of a read text (hits carry `value` and `topic`), or None."""
    roles = [_roles_of(t) for t in tokens]
    if not any(h.value < 0 for h in hits) and not any(r & {"exception", "flaw"} for r in roles if r):
        return None  # nothing blames, no exception or flaw is named: most praise stops here
    parts = _parts(tokens, roles)
    praised_before = flaw_named = False
    found: list[tuple[float, int, int, tuple[str, ...]]] = []
    for (start, end), mine in zip(parts, _hits_by_part(hits, parts), strict=True):
        flaw = any("flaw" in r for r in roles[start:end])
        if flaw and sum(t.kind == WORD for t in tokens[start:end]) <= 2:  # "Минус:", "Only downside —": what follows
            flaw_named = True
            continue
        if "not" in roles[start] and start + 1 < end and "only" in roles[start + 1]:
            mine = [h for h in mine if not h.negated]  # "не только врач хороший, но и ...": "не" denies "только"
        mine = [h for h in mine if not (h.value < 0 and _absent(tokens, roles, h))]
        blame, topics = _blamed(mine)
        if not topics and praised_before and "exception" in roles[start] and _praise(mine) <= 0:
            topics = _anchors(mine)  # "всё понравилось, кроме регистратуры"
        if flaw or flaw_named:  # "Минус — парковки нет", "Only downside: the waiting room is small"
            blame, topics = blame + 1.0, topics or _anchors(mine) or ("other",)
        if topics and not _elsewhere(roles[start:end]):
            found.append((blame, start, end, topics))
        praised_before = praised_before or _praise(mine) > 0
        flaw_named = False
    return _result(text, tokens, found)


def _roles_of(tok: Token) -> frozenset[str]:
    if tok.kind != WORD:
        return _NONE
    surface, lemma = _ROLES.get(tok.text, _NONE), _ROLES.get(tok.keys[0], _NONE)
    return surface | lemma if surface and lemma else surface or lemma


def _parts(tokens: list[Token], roles: list[frozenset[str]]) -> list[Part]:
    """The text's parts (clauses, split again at contrast words), each from its first word."""
    parts: list[Part] = []
    start: int | None = None
    clause = None
    words_in_clause = 0
    for i, tok in enumerate(tokens):
        if tok.kind != WORD and start is None:
            continue
        new_clause = tok.clause != clause
        if new_clause:
            clause, words_in_clause = tok.clause, 0
        mine = roles[i]
        splits = bool(mine) and ("contrast" in mine or (words_in_clause == 0 and "head" in mine))
        if start is None:
            start = i
        elif new_clause or splits:
            parts.append((start, i))
            start = i
        if tok.kind == WORD:
            words_in_clause += 1
    if start is not None:
        parts.append((start, len(tokens)))
    firsts = [next((i for i in range(s, e) if tokens[i].kind == WORD), None) for s, e in parts]
    return [(first, e) for first, (_, e) in zip(firsts, parts, strict=True) if first is not None]


def _hits_by_part(hits: list[Hit], parts: list[Part]) -> list[list[Hit]]:
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


def _absent(tokens: list[Token], roles: list[frozenset[str]], hit: Hit) -> bool:
    """A bad thing said to be missing or apologised for by the staff: "без этого врачебного высокомерия",
    "without any rudeness", "извинилась за ожидание"."""
    clause = tokens[hit.start].clause
    return any("without" in roles[i] and tokens[i].clause == clause for i in range(max(0, hit.start - 4), hit.start))


def _elsewhere(roles: list[frozenset[str]]) -> bool:
    """A part about another place ("в районной поликлинике", "в трёх местах лечили", "other clinics")."""
    for i, mine in enumerate(roles):
        if "elsewhere" in mine:
            return True
        if mine & {"other", "several"} and any("place" in r for r in roles[i + 1 : i + 3]):
            return True
    return False


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
