"""Reply drafts in the clinic's voice, checked for privacy before anyone sees them.

`draft_reply(key, text, classification, context=...) -> Draft` picks the template of the review's case
(negative triage 1/2/3, legal, positive, neutral, question, suggestion, greeting) in its language,
renders it with wording varied deterministically by the review's key, and runs `check_reply` on it.
`ReplyDrafter(overrides)` does the same with a chain's own templates (docs/replies.md).
"""

from clinic_reviews.domain.replies.drafts import (
    CASES,
    Draft,
    ReplyContext,
    ReplyDrafter,
    draft_reply,
    reply_case,
    staff_mentions,
)

__all__ = ["CASES", "Draft", "ReplyContext", "ReplyDrafter", "draft_reply", "reply_case", "staff_mentions"]
