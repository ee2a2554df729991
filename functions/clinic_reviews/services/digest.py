"""The morning digest: query one local day of a chain (gsi2) and what is still open to answer (gsi1), render, send.

One chain digest goes to `chain.digest_recipients`; a clinic whose policy entry names its own
`digest_recipients` also gets a digest of that clinic alone. Both come from the same queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from clinic_reviews.domain.digest import Digest, build_digest
from clinic_reviews.notify.case_block import digest_with_cases
from clinic_reviews.notify.delivery import Delivery
from clinic_reviews.notify.digest_render import digest_email
from clinic_reviews.notify.insight_block import with_systemic
from clinic_reviews.notify.messages import Email
from clinic_reviews.services.insights import Analysis, InsightService
from clinic_reviews.store.blobs import BlobStore
from clinic_reviews.store.policies import PolicyRepository
from clinic_reviews.store.quarantine import COUNTER as QUARANTINED
from clinic_reviews.store.reviews import ReviewRepository


@dataclass(frozen=True)
class DigestMessage:
    """One rendered digest: the chain's (`clinic_id` None) or one clinic's, and who gets it."""

    clinic_id: str | None
    digest: Digest
    email: Email
    recipients: tuple[str, ...]
    analysis: Analysis | None = None  # the systemic view of the day (services/insights.py)

    @property
    def archive_key(self) -> str:
        """The archived HTML part; the plain-text part is beside it (`text_archive_key`)."""
        base = f"digests/{self.digest.chain_id}/{self.digest.day.isoformat()}"
        return f"{base}.html" if self.clinic_id is None else f"{base}/{self.clinic_id}.html"

    @property
    def text_archive_key(self) -> str:
        return text_archive_key(self.archive_key)

    @property
    def plain_text(self) -> str:
        """The plain-text part under its subject line, as archived."""
        return f"{self.email.subject}\n\n{self.email.text}"


class DigestService:
    def __init__(
        self,
        reviews: ReviewRepository,
        policies: PolicyRepository,
        delivery: Delivery,
        blobs: BlobStore | None,
        now: Callable[[], datetime],
        cases=None,  # store.cases.CaseRepository: the day's case block (docs/cases.md)
        counters=None,  # store.counters.Counters: the health line's count of items put aside (store/quarantine.py)
        insights: InsightService | None = None,  # systemic problems: block, alerts, events (docs/insights.md)
    ):
        self._reviews = reviews
        self._policies = policies
        self._delivery = delivery
        self._blobs = blobs
        self._now = now
        self._cases = cases
        self._counters = counters
        self._insights = insights

    def yesterday(self, chain_id: str) -> date:
        policy = self._policies.chain(chain_id)
        return (self._now().astimezone(ZoneInfo(policy.chain.timezone)) - timedelta(days=1)).date()

    def build(self, chain_id: str, day: date | None = None, clinic_id: str | None = None) -> tuple[Digest, Email]:
        """The chain's digest of `day` (default yesterday in the chain's zone), or one clinic's."""
        for message in self.build_all(chain_id, day, clinics=None if clinic_id is None else [clinic_id]):
            if message.clinic_id == clinic_id:
                return message.digest, message.email
        raise AssertionError("unreachable")  # pragma: no cover

    def build_all(
        self, chain_id: str, day: date | None = None, clinics: list[str] | None = None
    ) -> list[DigestMessage]:
        """The chain digest, then one per clinic in `clinics` (default: clinics with their own recipients)."""
        policy = self._policies.chain(chain_id)
        day = day or self.yesterday(chain_id)
        now = self._now()
        records = list(self._reviews.by_day(chain_id, day))
        earlier = [
            record
            for clinic in policy.clinics
            for record in self._reviews.open_to_answer(clinic.id)
            if record.local_day < day
        ]
        link_for = self._archived_text_link if self._blobs is not None else None
        wanted = clinics if clinics is not None else [c.id for c in policy.clinics if c.digest_recipients]
        messages = []
        case_log = list(self._cases.log_of_day(chain_id, day)) if self._cases is not None else []
        quarantined = self._counters.value(chain_id, QUARANTINED, day) if self._counters is not None else 0
        analysis = self._insights.analyse(chain_id, day) if self._insights is not None else None
        for clinic_id in [None, *wanted]:
            digest = build_digest(records, earlier, policy, day, now, clinic_id=clinic_id, link_for=link_for)
            if clinic_id is None and quarantined:
                digest = replace(digest, quarantined=quarantined)
            recipients = policy.chain.digest_recipients if clinic_id is None else policy.clinic(clinic_id).digest_recipients
            email = digest_with_cases(digest_email(digest), case_log, policy, day, clinic_id)  # cases (issue 9)
            if analysis is not None:  # systemic problems (issue 19)
                email = with_systemic(email, analysis.items, policy, _window_text(analysis), clinic_id)
            messages.append(DigestMessage(clinic_id, digest, email, tuple(recipients), analysis))
        return messages

    def send(self, chain_id: str, day: date | None = None) -> dict:
        """Build, archive and e-mail the digests once per chain, day and recipient (a re-run sends nothing)."""
        policy = self._policies.chain(chain_id)
        messages = self.build_all(chain_id, day)
        chain_message = messages[0]
        sent = 0
        for message in messages:
            if self._blobs is not None:  # the digest as sent: both parts of the e-mail
                self._blobs.put_bytes(message.archive_key, message.email.html.encode(), "text/html; charset=utf-8")
                self._blobs.put_bytes(message.text_archive_key, message.plain_text.encode(), "text/plain; charset=utf-8")
            scope = "" if message.clinic_id is None else f"{message.clinic_id}:"
            for recipient in message.recipients:
                self._delivery.deliver(
                    request={
                        "key": f"digest:{chain_id}:{message.digest.day.isoformat()}:{scope}{recipient}",
                        "channel": "email",
                        "to": recipient,
                        "subject": message.email.subject,
                        "html": message.email.html,
                        "text": message.email.text,
                        "sender_name": policy.chain.name,
                    }
                )
                sent += 1
        alerts = None
        if chain_message.analysis is not None and self._insights is not None:
            alerts = self._insights.raise_alerts(chain_message.analysis)
        return {
            "chain_id": chain_id,
            "systemic": alerts,
            "day": chain_message.digest.day.isoformat(),
            "reviews": chain_message.digest.total,
            "open_negatives": chain_message.digest.open_negatives,
            "sent": sent,
            "clinic_digests": len(messages) - 1,
            "archived": chain_message.archive_key,
        }

    def _archived_text_link(self, record) -> str | None:
        """A time-limited link to the whole text of a review too long for its item (kept in S3)."""
        if not record.text_s3_key or self._blobs is None:
            return None
        return self._blobs.presigned_url(record.text_s3_key)


def text_archive_key(archive_key: str) -> str:
    """Where the plain-text part of the digest archived at `archive_key` (its HTML) is."""
    return archive_key.removesuffix(".html") + ".txt"


def _window_text(analysis: Analysis) -> str:
    return f"{analysis.start.strftime('%d.%m')}–{analysis.day.strftime('%d.%m.%Y')}"
