"""The legal flag: the author threatens court, a prosecutor, a regulator, the police or the press, or
brings in a lawyer ("подам в суд", "жалоба в Росздравнадзор", "прокуратура", "journalists", "my
lawyer"). Detected by lemma cues marked LEGAL in the lexicons, whatever the sentiment and even when
negated ("пока не обращалась в суд" still warns the legal department)."""

from __future__ import annotations

from clinic_reviews.domain.classification.lexicon import LEGAL, Hit


def is_legal(hits: list[Hit]) -> bool:
    """True when any legal cue occurs."""
    return any(hit.cue.mark == LEGAL for hit in hits)
