"""Topics ("bottlenecks") of a review, from the fixed vocabulary in result.TOPICS.

Every sentiment cue lands on a topic: its own ("долго" -> waiting, "дорого" -> billing), or, for cues
that describe someone or something ("вежливый", "отличный", "хамить"), the topic of the nearest anchor
word in the same sentence ("администратор" -> front_desk, "врач" -> doctor, "анализ" -> diagnostics,
"клиника" -> the clinic as a whole, no topic). A topic counts when its evidence reaches 0.6: one
sentiment cue is enough, a bare mention (0.3) is not ("записалась к врачу, ждала час" is about waiting,
not the doctor). Topics come strongest first, ties in order of first mention; `other` is given when the
text has words but no topic.
"""

from __future__ import annotations

from clinic_reviews.domain.classification.lexicon import PLACE, Hit
from clinic_reviews.domain.classification.tokens import Token

MENTION = 0.3
THRESHOLD = 0.6
_REACH = 8  # tokens between a describing cue and its anchor


def assign_topics(tokens: list[Token], hits: list[Hit], informative: bool) -> tuple[str, ...]:
    """Resolves `topic` and `tag` on every hit and returns the review's topics."""
    anchors = [(h.start, h.cue.anchor) for h in hits if h.cue.anchor]
    anchors += [(h.start, h.cue.topic) for h in hits if h.value and h.cue.topic and not h.cue.attach]
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
        add(hit.topic, 0.5 + 0.5 * min(1.0, abs(hit.value)), hit.start)
    found = sorted((t for t, w in weight.items() if w >= THRESHOLD), key=lambda t: (-weight[t], first[t]))
    if not found and informative:
        return ("other",)
    return tuple(found)


def _nearest_anchor(hit: Hit, tokens: list[Token], anchors: list[tuple[int, str]], kinds: frozenset[str]) -> str | None:
    sent = tokens[hit.start].sent
    best: tuple[int, int, str] | None = None
    for at, topic in anchors:
        if at == hit.start or topic not in kinds or tokens[at].sent != sent:
            continue
        distance = abs(at - hit.start)
        if distance > _REACH:
            continue
        key = (distance, 0 if at < hit.start else 1, topic)
        if best is None or key < best:
            best = key
    return best[2] if best else None
