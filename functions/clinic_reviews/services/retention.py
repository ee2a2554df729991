"""The daily removal of authors' names from stored reviews older than the policy's `retention.authors`.

DynamoDB's TTL can only delete whole items, and a review outlives its author's name (reports count it for
years). So, once a day after the digest, the reviews of the local day whose names are due lose them: one
gsi2 Query per day, no Scan (docs/retention.md). The few days before it are queried again, so a missed
run catches up; a day already done costs one empty Query.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from clinic_reviews.store.policies import PolicyRepository
from clinic_reviews.store.reviews import ReviewRepository

#: Days before the due one queried again each run: a week of missed digests still catches up.
CATCH_UP_DAYS = 7


class AuthorRedaction:
    def __init__(self, reviews: ReviewRepository, policies: PolicyRepository, now: Callable[[], datetime]):
        self._reviews = reviews
        self._policies = policies
        self._now = now

    def run(self, chain_id: str) -> dict[str, object]:
        """Remove the due names of the chain's reviews; `{"chain_id", "through", "removed"}`."""
        policy = self._policies.chain(chain_id)
        today = self._now().astimezone(ZoneInfo(policy.chain.timezone)).date()
        through = policy.retention.authors_received_on(today)
        removed = sum(
            self._reviews.forget_authors(chain_id, through - timedelta(days=back)) for back in range(CATCH_UP_DAYS + 1)
        )
        return {"chain_id": chain_id, "through": through.isoformat(), "removed": removed}
