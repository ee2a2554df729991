"""Which positive reviews get a reminder to thank their authors publicly.

The policy asks for at least `positive_reply_share` of positives answered (DOMAIN.md: 20%, one chain
answers all). Long, detailed reviews and reviews that praise someone by name always get a reminder
(they deserve a public thank-you first); the rest are sampled by a stable hash of the review's key, so
the share holds over a month and a re-fetch never changes the choice.
"""

from __future__ import annotations

from clinic_reviews.domain.record import OPEN, ReviewRecord

DETAILED_CHARS = 200


def wants_thank_reminder(record: ReviewRecord, share: float) -> bool:
    cls = record.classification
    if cls.sentiment != "positive" or record.status != OPEN or record.backfill or cls.kind != "review":
        return False
    if len(record.review.text) >= DETAILED_CHARS or cls.staff:
        return True
    bucket = int(record.key.token()[:8], 16) / 0xFFFFFFFF
    return bucket < share
