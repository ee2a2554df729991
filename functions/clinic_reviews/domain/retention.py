"""How long each kind of personal data is kept: the `retention:` section of a chain's policy (docs/retention.md).

Days per kind, counted from the moment the data was last needed (a review's receipt, a case's last change,
a feedback link's expiry). DynamoDB TTL, S3 lifecycle rules and the daily author redaction enforce them;
this module only computes the moments. Pure: no I/O.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from clinic_reviews.domain.frozen_records import record
from clinic_reviews.domain.spec import Rule, Spec

Kind = Literal["feedback", "complaints", "authors", "senders", "reviews", "cases", "raw", "digests", "quarantine"]
#: Private answers to the post-visit question and letters to the client-service mailbox are stored as internal
#: reviews from these sources: kept as complaints, not as public reviews.
COMPLAINT_SOURCES = frozenset({"visit_feedback", "email"})
#: Ten years: the longest a chain may choose for any kind.
MAX_DAYS = 3650
#: The kinds kept in S3, enforced by lifecycle rules: the template.yaml parameter that carries each one's days.
STACK_PARAMETERS = {
    "raw": "RawRetentionDays",
    "digests": "ReportRetentionDays",
    "quarantine": "QuarantineRetentionDays",
    "reviews": "ReviewRetentionDays",
}


Days = Annotated[int, Rule(ge=1, le=MAX_DAYS)]


@record(kw_only=True)
class Retention(Spec):
    """Days each kind of data is kept; the defaults are argued in docs/retention.md."""

    #: feedback requests (salted phone hash, the patient's answer) after the link expires
    feedback: Days = 30
    #: private complaints (internal reviews from the feedback page) after receipt
    complaints: Days = 365
    #: the author's name on a stored review after receipt; the review stays, nameless
    authors: Days = 90
    #: a mail's sender (address and name, contact data beside its review) after receipt
    senders: Days = 90
    #: stored public reviews and their history after receipt
    reviews: Days = 1095
    #: a case and its audit log after the last change
    cases: Days = 1095
    #: raw platform responses (S3 raw/)
    raw: Days = 90
    #: digests and monthly reports (S3 digests/, reports/)
    digests: Days = 400
    #: items put aside as unstorable (S3 quarantine/)
    quarantine: Days = 30

    def span(self, kind: Kind) -> timedelta:
        return timedelta(days=getattr(self, kind))

    def expires(self, kind: Kind, start: datetime) -> int:
        """The TTL value (epoch seconds) of data of `kind` that was last needed at `start`."""
        return int((start + self.span(kind)).timestamp())

    def review_expires(self, source: str, received_at: datetime) -> int:
        """A stored review's TTL: a private complaint's or a public review's, by its source."""
        return self.expires("complaints" if source in COMPLAINT_SOURCES else "reviews", received_at)

    def stack_parameters(self) -> dict[str, str]:
        """The template parameters that give the S3 lifecycle rules these days (pass them at deploy)."""
        return {name: str(getattr(self, kind)) for kind, name in STACK_PARAMETERS.items()}

    def authors_received_on(self, today: date) -> date:
        """The local day whose reviews lose their authors' names today."""
        return today - self.span("authors")


DEFAULT = Retention()
