"""The text's own sentiment: cue valences adjusted by their neighbours, summed and squashed into [-1, 1].

Rules, in the order they apply to each sentiment cue:
- negation: a negator up to `scope` words before it in the same clause ("не понравилось", "not bad",
  "ничего не объяснили"), or a post-negator just after a negative word ("очередей нет", "хамства не
  было"); a negated cue takes its `neg` valence, or -0.75x (positive) / -0.5x (negative) by default;
- intensity: "очень", "крайне", "so" multiply; "немного", "a bit" damp; a negative word standing before
  another sentiment word ("ужасно долго", "terribly rude") acts as an intensifier, not as blame; an
  intensifier after the negator ("не очень вежливо") does not intensify;
- the patient's illness absorbs blame next to it ("ужасная боль" is not the clinic's fault);
- irony: a praise word in scare quotes ("«профессионалы»") flips; a thank-you that is "for" something
  bad ("спасибо за испорченный день", "thanks for wasting my time") turns negative;
- ALL-CAPS words weigh 1.3x; cues inside a wish ("хотелось бы, чтобы были вежливее") count -0.3x;
- contrast: before "но"/"but" 0.5x, after 1.5x; a concession clause ("хотя", "although") 0.5x; after
  "в целом"/"overall" 1.5x;
- emoji count as cues; each "!" (up to three) adds 10%; the sum s becomes s / sqrt(s² + 1).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from clinic_reviews.domain.classification.lexicon import (
    CONCESSION,
    CONTRAST,
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
_SMILE = re.compile(r"[^\W\d_]\)(?=\s|$)")
_COPULAS = frozenset({"быть", "be", "возникнуть", "наблюдаться", "замечать", "заметить"})


@dataclass(frozen=True)
class Reading:
    """What the text says on its own: `score` is None when no cue carries sentiment."""

    score: float | None
    informative: bool
    sarcasm: bool

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
    """Sets `value` on every hit and returns the text's reading."""
    informative = any(t.kind in (WORD, NUMBER, EMOJI) for t in tokens)
    func_at = {h.start: h for h in hits if h.cue.func}
    weights = _clause_weights(tokens, hits)
    wish_from = _wish_starts(tokens, hits)
    scored = False
    for index, hit in enumerate(hits):
        cue = hit.cue
        if not cue.valence and cue.neg is None:
            continue
        if cue.func == INTENSIFIER and _modifies_next(hits, index, tokens):
            continue
        scored = True
        if tokens[hit.start].kind == EMOJI:
            hit.value = cue.valence
            continue
        negator = _negator_before(hit, tokens, func_at)
        if negator is not None or (cue.valence < 0 and _negated_after(hit, tokens, func_at)):
            hit.negated = True
        value = hit.base * _intensity(hit, tokens, func_at, negator)
        if value < 0 and _next_to_symptom(hit, tokens, func_at):
            value = 0.0
        if value > 0 and tokens[hit.start].scare_quoted:
            value = -0.6 * value
        if any(t.caps for t in tokens[hit.start:hit.end]):
            value *= 1.3
        if hit.start > wish_from.get(tokens[hit.start].sent, len(tokens)):
            value *= -0.3
        hit.value = value * weights[hit.start]
    sarcasm = _apply_sarcasm(tokens, hits)
    if not scored:
        return Reading(None, informative, sarcasm)
    total = sum(h.value for h in hits) + 0.3 * min(3, _bare_smiles(text))
    total *= 1.0 + 0.1 * min(3, text.count("!"))
    return Reading(round(squash(total), 4), informative, sarcasm)


def _words_between(tokens: list[Token], start: int, stop: int) -> int:
    return sum(1 for t in tokens[start:stop] if t.kind == WORD)


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
    weights = [1.0] * len(tokens)
    for hit in hits:
        func = hit.cue.func
        if func not in (CONTRAST, CONCESSION, SUMMARY):
            continue
        at = hit.start
        sent = tokens[at].sent
        after = range(hit.end, _sentence_end(tokens, at))
        if func == CONTRAST:
            if hit.end < len(tokens) and tokens[hit.end].text == "и":  # "не только ..., но и ..."
                continue
            first = _sentence_start(tokens, at)
            if not any(t.kind != PUNCT for t in tokens[first:at]) and sent > 0:
                first = _sentence_start(tokens, first - 1)  # "Но ..." opens a sentence: the previous one yields
            for i in range(first, at):
                weights[i] *= 0.5
            for i in after:
                weights[i] *= 1.5
        elif func == CONCESSION:
            clause = tokens[at].clause
            for i in range(at, len(tokens)):
                if tokens[i].clause != clause:
                    break
                weights[i] *= 0.5
        else:
            for i in after:
                weights[i] *= 1.5
    return weights


def _sentence_start(tokens: list[Token], at: int) -> int:
    sent = tokens[at].sent
    while at > 0 and tokens[at - 1].sent == sent:
        at -= 1
    return at


def _sentence_end(tokens: list[Token], at: int) -> int:
    sent = tokens[at].sent
    while at < len(tokens) and tokens[at].sent == sent:
        at += 1
    return at


def _wish_starts(tokens: list[Token], hits: list[Hit]) -> dict[int, int]:
    starts: dict[int, int] = {}
    for hit in hits:
        if hit.cue.func == WISH:
            starts.setdefault(tokens[hit.start].sent, hit.start)
    return starts


def _apply_sarcasm(tokens: list[Token], hits: list[Hit]) -> bool:
    """Turns a thank-you "for" something bad negative; True when the text is ironic."""
    ironic = any(h.cue.mark == IRONY for h in hits)
    for index, thanks in enumerate(hits):
        if thanks.cue.mark != THANKS or thanks.value <= 0:
            continue
        sent = tokens[thanks.start].sent
        linked = False
        for later in hits[index + 1:]:
            if tokens[later.start].sent != sent:
                break
            if later.cue.func == LINK and later.start - thanks.end <= 3:
                linked = True
            elif linked and later.value > 0:
                break
            elif linked and later.value <= -0.3:
                thanks.value = -abs(thanks.value)
                ironic = True
                break
    return ironic


def _bare_smiles(text: str) -> int:
    """Russian-style smiles: "спасибо)" where the brackets are not closing an opened one."""
    return max(0, len(_SMILE.findall(text)) - text.count("("))
