"""Triage of a negative review: which of the three usual responses (DOMAIN.md) it needs.

1. simple grievance -> sincere apology, fix, maybe a goodwill bonus: rudeness or indifference of staff,
   waiting (in the clinic or on the phone), dirt and discomfort ("bad coffee"), a doctor's manner;
2. clear objection with an obvious remedy -> explain and offer a targeted remedy: prices and billing
   (expensive, overcharged, unnecessary tests, refund), scheduling (cancelled, doctor absent without
   warning), lost or late test results, lost records;
3. unclear or substantive about care -> call the patient: the doctor didn't help, misdiagnosis, worse
   after treatment, "money down the drain", incompetence, blame of the doctor or the tests without a
   specific grievance, a vague "terrible clinic", a rating with no text, and any legal threat.

Each negative cue is classed by its topic and tag (front_desk/waiting/cleanliness: 1, or 2 for a
remedy tag; billing/scheduling: 2; a care tag elsewhere: 3; diagnostics: 2 for delays and losses, 1 for
a clumsy procedure, 3 otherwise; doctor: 1 for manner or lateness, 3 otherwise; no topic: by tag, else
nothing). The review takes the highest class found; a generic word without a topic ("ужасная клиника")
classes nothing, so a negative with nothing classable -> 3. Positive and neutral reviews get no triage.
"""

from __future__ import annotations

from clinic_reviews.domain.classification.lexicon import CARE, LATE, REMEDY, SIMPLE, THANKS, Hit

APOLOGY, REMEDY_OFFER, CALL = 1, 2, 3
_FAINT = 0.15  # weaker cues ("нормально" under a negation) say too little to choose a response
_SIMPLE_TOPICS = frozenset({"front_desk", "waiting", "cleanliness"})
_TAGGED = {SIMPLE: APOLOGY, LATE: APOLOGY, REMEDY: REMEDY_OFFER, CARE: CALL}


def cue_class(hit: Hit) -> int | None:
    """The response one negative cue calls for, None when it says nothing specific."""
    topic, tag = hit.topic, hit.tag
    if topic in _SIMPLE_TOPICS:
        return REMEDY_OFFER if tag == REMEDY else APOLOGY
    if tag == CARE:
        return CALL
    if topic in ("billing", "scheduling"):
        return REMEDY_OFFER
    if topic == "diagnostics":
        return REMEDY_OFFER if tag in (REMEDY, LATE) else APOLOGY if tag == SIMPLE else CALL
    if topic == "doctor":
        return _TAGGED.get(tag, CALL)
    return _TAGGED.get(tag)


def decide_triage(sentiment: str, hits: list[Hit], legal: bool) -> int | None:
    """1, 2 or 3 for a negative review, None otherwise."""
    if sentiment != "negative":
        return None
    if legal:
        return CALL
    classes = [
        found
        for hit in hits
        if hit.value <= -_FAINT
        and not hit.wished
        and hit.cue.mark != THANKS
        and (found := cue_class(hit)) is not None
    ]
    return max(classes, default=CALL)
