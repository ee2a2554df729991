"""The text's own sentiment: cue valences adjusted by their neighbours, summed and squashed into [-1, 1].

Rules, in the order they apply to each sentiment cue:
- negation: a negator up to `scope` words before it in the same clause ("не понравилось", "not bad",
  "ничего не объяснили"), or a post-negator just after a negative word ("очередей нет", "хамства не
  было"); a negated cue takes its `neg` valence, or -0.75x (positive) / -0.5x (negative) by default;
- intensity: "очень", "крайне", "so" multiply; "немного", "a bit" damp; a negative word standing before
  another sentiment word ("ужасно долго", "terribly rude") acts as an intensifier, not as blame; an
  intensifier after the negator ("не очень вежливо") does not intensify;
- the patient's illness absorbs blame next to it ("ужасная боль" is not the clinic's fault);
- irony: a praise word in scare quotes ("«профессионалы»") or in a sentence ending "?!" flips; a
  thank-you that is "for" something bad ("спасибо за испорченный день", "thanks for wasting my
  time") turns negative;
- a stated duration in the clause of a waiting complaint ("ждали 40 минут") makes it 1.8x;
- ALL-CAPS words weigh 1.3x; cues inside a wish ("хотелось бы, чтобы были вежливее") count -0.3x;
- contrast: before "но"/"but" 0.6x, after 1.3x; a concession clause ("хотя", "although") 0.6x; after
  "в целом"/"overall" 1.3x;
- emoji count as cues; a "?!" sentence counts -0.3 more; each "!" (up to three) adds 10%; the sum s becomes
  s / sqrt(s² + 1).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from clinic_reviews.domain.classification.lexicon import (
    CONCESSION,
    CONTRAST,
    DURATION,
    INTENSIFIER,
    IRONY,
    LINK,
    NEGATOR,
    POST_NEGATOR,
    SUMMARY,
    SYMPTOM,
    THANKS,
    WISH,
    Hit,
)
from clinic_reviews.domain.classification.tokens import EMOJI, NUMBER, PUNCT, WORD, Token

POSITIVE_AT = 0.15  # text score at or above: positive; at or below the negative: negative
BEFORE_CONTRAST, AFTER_CONTRAST = 0.6, 1.3
_MAX_MARKERS = 3  # contrast markers weighed per sentence; more are noise (and would cost quadratic time)
_SMILE = re.compile(r"[^\W\d_]\)(?=\s|$)")
_COPULAS = frozenset({"быть", "be", "возникнуть", "наблюдаться", "замечать", "заметить"})


@dataclass(frozen=True)
class Reading:
    """What the text says on its own: `score` is None when nothing in it carries sentiment; `praise`
    and `blame` are the weighted sums of its positive and negative cues."""

    score: float | None
    informative: bool
    praise: float = 0.0
    blame: float = 0.0
    turned: float = 0.0  # weight of the cues negation or irony turned round

    @property
    def one_sided(self) -> bool:
        """True unless the text weighs both ways ("всё отлично, но очень дорого")."""
        return min(self.praise, self.blame) <= 0.25 * max(self.praise, self.blame)

    @property
    def sentiment(self) -> str | None:
        if not self.informative:
            return None
        return label(self.score or 0.0)


def label(score: float) -> str:
    """Sentiment label of a text score."""
    if score >= POSITIVE_AT:
        return "positive"
    if score <= -POSITIVE_AT:
        return "negative"
    return "neutral"


def squash(total: float) -> float:
    """Maps any sum of valences into (-1, 1), keeping its sign."""
    return total / math.sqrt(total * total + 1.0)


def read_sentiment(text: str, tokens: list[Token], hits: list[Hit]) -> Reading:
    """Sets `value` (and `negated`, `wished`) on every hit and returns the text's reading."""
    if not any(t.kind in (WORD, NUMBER, EMOJI) for t in tokens):
        return Reading(None, informative=False)
    context = _Context(tokens, hits)
    scored = False
    for index, hit in enumerate(hits):
        cue = hit.cue
        if not cue.valence and cue.neg is None:
            continue
        if cue.func == INTENSIFIER and _modifies_next(hits, index, tokens):
            continue
        scored = True
        hit.value = cue.valence if tokens[hit.start].kind == EMOJI else _value(hit, context)
    _apply_sarcasm(tokens, hits)
    extra = 0.3 * min(3, _bare_smiles(text)) - (0.3 if context.rhetorical else 0.0)  # "Нормально?!"
    if not scored and not extra:
        return Reading(None, informative=True)
    total = (sum(h.value for h in hits) + extra) * (1.0 + 0.1 * min(3, text.count("!")))
    praise = sum(h.value for h in hits if h.value > 0)
    blame = -sum(h.value for h in hits if h.value < 0)
    turned = sum(abs(h.value) for h in hits if h.negated or (h.cue.mark == THANKS and h.value < 0))
    return Reading(round(squash(total), 4), True, praise, blame, turned)


class _Context:
    """What the rules need to know about the text around a cue, computed once per text."""

    def __init__(self, tokens: list[Token], hits: list[Hit]) -> None:
        self.tokens = tokens
        self.func_at = {h.start: h for h in hits if h.cue.func}
        self.weights = _clause_weights(tokens, hits)
        self.wish_from = _wish_starts(tokens, hits)
        self.rhetorical = _rhetorical_sentences(tokens)
        self.durations = _durations(tokens, hits)


def _value(hit: Hit, ctx: _Context) -> float:
    """A word cue's valence after negation, intensity, irony, wishes and contrast (module docstring)."""
    tokens, cue = ctx.tokens, hit.cue
    negator = _negator_before(hit, tokens, ctx.func_at)
    if negator is not None or (cue.valence <= 0 and _negated_after(hit, tokens, ctx.func_at)):
        hit.negated = True
    value = hit.base * _intensity(hit, tokens, ctx.func_at, negator)
    if value < 0 and cue.topic == "waiting":
        value *= ctx.durations.get(tokens[hit.start].clause, 1.0)
    if value < 0 and _next_to_symptom(hit, tokens, ctx.func_at):
        value = 0.0
    if value > 0 and (tokens[hit.start].scare_quoted or tokens[hit.start].sent in ctx.rhetorical):
        value = -0.6 * value
    if any(t.caps for t in tokens[hit.start : hit.end]):
        value *= 1.3
    if hit.start > ctx.wish_from.get(tokens[hit.start].sent, len(tokens)):
        hit.wished = True
        value *= -0.3
    return value * ctx.weights[hit.start]


def _negator_before(hit: Hit, tokens: list[Token], func_at: dict[int, Hit]) -> int | None:
    clause = tokens[hit.start].clause
    j, words = hit.start - 1, 0
    while j >= 0 and tokens[j].clause == clause and words < 3:
        if tokens[j].kind == WORD:
            words += 1
        other = func_at.get(j)
        if other is not None and other.cue.func in (NEGATOR, POST_NEGATOR) and words <= other.cue.scope:
            return j
        j -= 1
    return None


def _negated_after(hit: Hit, tokens: list[Token], func_at: dict[int, Hit]) -> bool:
    clause = tokens[hit.start].clause
    for j in range(hit.end, min(len(tokens), hit.end + 3)):
        if tokens[j].clause != clause:
            return False
        other = func_at.get(j)
        if other is None:
            continue
        if other.cue.func == POST_NEGATOR:
            return True
        if other.cue.func == NEGATOR and j + 1 < len(tokens) and _COPULAS.intersection(tokens[j + 1].keys):
            return True
    return False


def _intensity(hit: Hit, tokens: list[Token], func_at: dict[int, Hit], negator: int | None) -> float:
    factor = 1.0
    clause = tokens[hit.start].clause
    j, words = hit.start - 1, 0
    while j >= 0 and tokens[j].clause == clause and words < 2:
        if tokens[j].kind == WORD:
            words += 1
        other = func_at.get(j)
        if other is not None and other.cue.func == INTENSIFIER:
            boost = other.cue.factor
            if not (negator is not None and negator < j and boost > 1):
                factor *= boost
        j -= 1
    return factor


def _durations(tokens: list[Token], hits: list[Hit]) -> dict[int, float]:
    """Clauses that state a duration ("ждали 40 минут"), with the factor for waiting complaints in them."""
    return {tokens[h.start].clause: h.cue.factor for h in hits if h.cue.func == DURATION}


def _modifies_next(hits: list[Hit], index: int, tokens: list[Token]) -> bool:
    """True when an evaluative intensifier ("ужасно") directly precedes another sentiment cue."""
    if index + 1 >= len(hits):
        return False
    hit, nxt = hits[index], hits[index + 1]
    sentimental = nxt.cue.valence or nxt.cue.neg is not None
    return bool(sentimental) and nxt.start == hit.end and tokens[nxt.start].clause == tokens[hit.start].clause


def _next_to_symptom(hit: Hit, tokens: list[Token], func_at: dict[int, Hit]) -> bool:
    for j in (hit.start - 1, hit.end, hit.end + 1):
        other = func_at.get(j)
        if other is not None and other.cue.func == SYMPTOM and tokens[j].sent == tokens[hit.start].sent:
            return True
    return False


def _clause_weights(tokens: list[Token], hits: list[Hit]) -> list[float]:
    """Per-token weights from contrast, concession and summary markers (the first few per sentence)."""
    weights = [1.0] * len(tokens)
    start_of, end_of = _sentence_bounds(tokens)
    markers: dict[int, int] = {}
    for hit in hits:
        func = hit.cue.func
        if func not in (CONTRAST, CONCESSION, SUMMARY):
            continue
        at, sent = hit.start, tokens[hit.start].sent
        markers[sent] = markers.get(sent, 0) + 1
        if markers[sent] > _MAX_MARKERS:
            continue
        if func == CONCESSION:
            end = at
            while end < len(tokens) and tokens[end].clause == tokens[at].clause:
                end += 1
            _scale(weights, at, end, BEFORE_CONTRAST)
            continue
        if func == CONTRAST:
            if hit.end < len(tokens) and tokens[hit.end].text == "и":  # "не только ..., но и ..."
                continue
            first = start_of[sent]
            if all(t.kind == PUNCT for t in tokens[first:at]):  # "Но ..." opens a sentence
                first = start_of.get(sent - 1, first)
            _scale(weights, first, at, BEFORE_CONTRAST)
        _scale(weights, hit.end, end_of[sent], AFTER_CONTRAST)
    return weights


def _scale(weights: list[float], start: int, end: int, factor: float) -> None:
    for i in range(start, end):
        weights[i] *= factor


def _sentence_bounds(tokens: list[Token]) -> tuple[dict[int, int], dict[int, int]]:
    """First and past-the-last token index of every sentence."""
    start_of: dict[int, int] = {}
    end_of: dict[int, int] = {}
    for i, tok in enumerate(tokens):
        start_of.setdefault(tok.sent, i)
        end_of[tok.sent] = i + 1
    return start_of, end_of


def _rhetorical_sentences(tokens: list[Token]) -> set[int]:
    """Sentences ending in "?!" or "!?": their praise is ironic ("Нормально?!")."""
    found = set()
    for i in range(1, len(tokens) - 1):
        pair = tokens[i].text + tokens[i + 1].text
        if pair in ("?!", "!?"):
            found.add(tokens[i - 1].sent)
    return found


def _wish_starts(tokens: list[Token], hits: list[Hit]) -> dict[int, int]:
    starts: dict[int, int] = {}
    for hit in hits:
        if hit.cue.func == WISH:
            starts.setdefault(tokens[hit.start].sent, hit.start)
    return starts


def _apply_sarcasm(tokens: list[Token], hits: list[Hit]) -> None:
    """Turns a thank-you for something bad negative, and every thank-you after it or after irony."""
    ironic = any(h.cue.mark == IRONY for h in hits)
    for index, thanks in enumerate(hits):
        if thanks.cue.mark != THANKS or thanks.value <= 0:
            continue
        if ironic or _thanks_for_bad(tokens, hits, index):
            thanks.value = -thanks.value
            ironic = True


def _thanks_for_bad(tokens: list[Token], hits: list[Hit], index: int) -> bool:
    """ "Спасибо за испорченный день", "thanks for losing", "great job cancelling"."""
    thanks = hits[index]
    sent, clause = tokens[thanks.start].sent, tokens[thanks.start].clause
    linked = False
    for later in hits[index + 1 :]:
        if tokens[later.start].sent != sent:
            return False
        if later.cue.func == LINK and later.start - thanks.end <= 3:
            linked = True
            continue
        if not later.value:
            continue
        adjacent = later.start - thanks.end <= 1 and tokens[later.start].clause == clause
        return later.value <= -0.3 and (linked or adjacent)
    return False


def _bare_smiles(text: str) -> int:
    """Russian-style smiles: "спасибо)" where the brackets are not closing an opened one."""
    return max(0, len(_SMILE.findall(text)) - text.count("("))
