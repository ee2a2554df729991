"""Topics ("bottlenecks") of a review, from the fixed vocabulary in result.TOPICS.

Every sentiment cue lands on a topic: its own ("долго" -> waiting, "дорого" -> billing), or, for cues
that describe someone or something ("вежливый", "отличный", "хамить"), the topic of the nearest anchor
word in the same sentence ("администратор" -> front_desk, "врач" -> doctor, "анализ" -> diagnostics,
"клиника" -> the clinic as a whole, no topic). A topic counts when its evidence reaches 0.6: one
sentiment cue is enough, a bare mention (0.3) is not ("записалась к врачу, ждала час" is about waiting,
not the doctor) unless the text carries no clear sentiment at all (a question, a neutral note).
Topics come strongest first, ties in order of first mention; `other` is given when the text has words
but no topic.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from clinic_reviews.domain.classification.lexicon import GREETING, PLACE, THANKS, Hit
from clinic_reviews.domain.classification.tokens import Token

MENTION = 0.3
THRESHOLD = 0.6
_REACH = 10  # tokens between a describing cue and its anchor


def assign_topics(tokens: list[Token], hits: list[Hit], informative: bool) -> tuple[str, ...]:
    """Resolves `topic` and `tag` on every hit and returns the review's topics."""
    anchors: dict[int, list[tuple[int, str]]] = {}  # sentence -> (position, anchor topic)
    for h in hits:
        anchor = h.cue.anchor or (h.cue.topic if h.value and not h.cue.attach else None)
        if anchor:
            anchors.setdefault(tokens[h.start].sent, []).append((h.start, anchor))
    weight: dict[str, float] = {}
    first: dict[str, int] = {}

    def add(topic: str | None, amount: float, at: int) -> None:
        if topic and topic != PLACE:
            weight[topic] = weight.get(topic, 0.0) + amount
            first.setdefault(topic, at)

    for hit in hits:
        cue = hit.cue
        hit.tag = cue.neg_tag if hit.negated and cue.neg_tag is not None else cue.tag
        if not hit.value:
            if cue.anchor:
                add(cue.anchor, MENTION, hit.start)
            continue
        default = cue.neg_topic if hit.negated and cue.neg_topic else cue.topic
        topic = _nearest_anchor(hit, tokens, anchors, cue.attach) if cue.attach else None
        hit.topic = topic or default
        if hit.topic == PLACE:
            hit.topic = None
        if not (cue.mark == THANKS and hit.value < 0):  # an ironic thank-you points at the real grievance
            add(hit.topic, THRESHOLD + 0.4 * min(1.0, abs(hit.value)), hit.start)
    # Without any clear sentiment (a question, a neutral note) what is mentioned is what it is about.
    clear = any(abs(h.value) >= 0.3 for h in hits if h.cue.mark not in (THANKS, GREETING))
    threshold = THRESHOLD if clear else MENTION
    found = sorted((t for t, w in weight.items() if w >= threshold), key=lambda t: (-weight[t], first[t]))
    if not found and informative:
        return ("other",)
    return tuple(found)


def _nearest_anchor(
    hit: Hit, tokens: list[Token], anchors: dict[int, list[tuple[int, str]]], kinds: frozenset[str]
) -> str | None:
    """The closest anchor of one of `kinds` in the cue's sentence, else the last one of the sentence
    before ("Администратор Ольга — умничка! Помогла ..."), else None."""
    sent = tokens[hit.start].sent
    here = anchors.get(sent, ())
    low = bisect_left(here, (hit.start - _REACH, ""))
    high = bisect_right(here, (hit.start + _REACH, "~"))
    near = [
        (abs(at - hit.start), at > hit.start, topic)
        for at, topic in here[low:high]
        if at != hit.start and topic in kinds
    ]
    if near:
        return min(near)[2]
    before = [(at, topic) for at, topic in anchors.get(sent - 1, ()) if topic in kinds]
    return max(before)[1] if before else None
