"""How long each kind of personal data is kept: the `retention:` section of a chain's policy (docs/retention.md).

Days per kind, counted from the moment the data was last needed (a review's receipt, a case's last change,
a feedback link's expiry). DynamoDB TTL, S3 lifecycle rules and the daily author redaction enforce them;
this module only computes the moments. Pure: no I/O.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["feedback", "complaints", "authors", "reviews", "cases", "raw", "digests", "quarantine"]
#: Private answers to the post-visit question are stored as internal reviews from this source.
COMPLAINT_SOURCE = "visit_feedback"
#: Ten years: the longest a chain may choose for any kind.
MAX_DAYS = 3650
#: The kinds kept in S3, enforced by lifecycle rules: the template.yaml parameter that carries each one's days.
STACK_PARAMETERS = {
    "raw": "RawRetentionDays",
    "digests": "ReportRetentionDays",
    "quarantine": "QuarantineRetentionDays",
    "reviews": "ReviewRetentionDays",
}


def _days(default: int, what: str) -> int:
    return Field(default, ge=1, le=MAX_DAYS, description=what)


class Retention(BaseModel):
    """Days each kind of data is kept; the defaults are argued in docs/retention.md."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    feedback: int = _days(30, "feedback requests (salted phone hash, the patient's answer) after the link expires")
    complaints: int = _days(365, "private complaints (internal reviews from the feedback page) after receipt")
    authors: int = _days(90, "the author's name on a stored review after receipt; the review stays, nameless")
    reviews: int = _days(1095, "stored public reviews and their history after receipt")
    cases: int = _days(1095, "a case and its audit log after the last change")
    raw: int = _days(90, "raw platform responses (S3 raw/)")
    digests: int = _days(400, "digests and monthly reports (S3 digests/, reports/)")
    quarantine: int = _days(30, "items put aside as unstorable (S3 quarantine/)")

    def span(self, kind: Kind) -> timedelta:
        return timedelta(days=getattr(self, kind))

    def expires(self, kind: Kind, start: datetime) -> int:
        """The TTL value (epoch seconds) of data of `kind` that was last needed at `start`."""
        return int((start + self.span(kind)).timestamp())

    def review_expires(self, source: str, received_at: datetime) -> int:
        """A stored review's TTL: a private complaint's or a public review's, by its source."""
        return self.expires("complaints" if source == COMPLAINT_SOURCE else "reviews", received_at)

    def stack_parameters(self) -> dict[str, str]:
        """The template parameters that give the S3 lifecycle rules these days (pass them at deploy)."""
        return {name: str(getattr(self, kind)) for kind, name in STACK_PARAMETERS.items()}

    def authors_received_on(self, today: date) -> date:
        """The local day whose reviews lose their authors' names today."""
        return today - self.span("authors")


DEFAULT = Retention()
