"""What kind of message it is: a review, a question, a suggestion or a greeting.

- greeting: holiday wishes or congratulations ("с Новым годом!"), no complaint, at most 40 words;
- question: a "?" and a question word ("подскажите", "ли", "how", "can") with little evaluation in it
  ("Почему врач не пришёл?!" is a complaint, so a review);
- suggestion: a proposal or wish ("предлагаю", "было бы хорошо, если", "please add") and no evaluation
  outside it (a complaint or praise with a wish attached stays a review: it needs the review's reply);
- review: everything else.
"""

from __future__ import annotations

from clinic_reviews.domain.classification.lexicon import ASK, GREETING, SUGGESTION, THANKS, Hit
from clinic_reviews.domain.classification.tokens import WORD, Token

_MAX_GREETING_WORDS = 40
_QUESTION_EVALUATION = 0.7  # total |valence| a question may carry besides thanks


def detect_kind(text: str, tokens: list[Token], hits: list[Hit]) -> str:
    """One of result.KINDS."""
    marks = {hit.cue.mark for hit in hits}
    worst = min((hit.value for hit in hits), default=0.0)
    if GREETING in marks and worst > -0.3 and sum(t.kind == WORD for t in tokens) <= _MAX_GREETING_WORDS:
        return "greeting"
    if "?" in text and ASK in marks:
        evaluation = sum(abs(h.value) for h in hits if h.cue.mark not in (THANKS, GREETING))
        if evaluation < _QUESTION_EVALUATION:
            return "question"
    if SUGGESTION in marks and not any(
        h.value and abs(h.base) >= 0.3 and not h.wished for h in hits if h.cue.mark != THANKS
    ):
        return "suggestion"
    return "review"
