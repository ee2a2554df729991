"""The morning digest: query one local day of a chain (gsi2) and its open negatives (gsi1), render, send."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from clinic_reviews.domain.digest import Digest, build_digest
from clinic_reviews.notify.delivery import Delivery
from clinic_reviews.notify.digest_render import digest_email
from clinic_reviews.notify.messages import Email
from clinic_reviews.store.blobs import BlobStore
from clinic_reviews.store.policies import PolicyRepository
from clinic_reviews.store.reviews import ReviewRepository


class DigestService:
    def __init__(
        self,
        reviews: ReviewRepository,
        policies: PolicyRepository,
        delivery: Delivery,
        blobs: BlobStore | None,
        now: Callable[[], datetime],
    ):
        self._reviews = reviews
        self._policies = policies
        self._delivery = delivery
        self._blobs = blobs
        self._now = now

    def yesterday(self, chain_id: str) -> date:
        policy = self._policies.chain(chain_id)
        return (self._now().astimezone(ZoneInfo(policy.chain.timezone)) - timedelta(days=1)).date()

    def build(self, chain_id: str, day: date | None = None) -> tuple[Digest, Email]:
        policy = self._policies.chain(chain_id)
        day = day or self.yesterday(chain_id)
        records = list(self._reviews.by_day(chain_id, day))
        earlier = [
            record
            for clinic in policy.clinics
            for record in self._reviews.open_negatives(clinic.id)
            if record.local_day < day
        ]
        digest = build_digest(records, earlier, policy, day, self._now())
        return digest, digest_email(digest)

    def send(self, chain_id: str, day: date | None = None) -> dict:
        """Build, archive and e-mail the digest once per chain and day (a re-run sends nothing)."""
        policy = self._policies.chain(chain_id)
        digest, email = self.build(chain_id, day)
        key = f"digests/{chain_id}/{digest.day.isoformat()}.html"
        if self._blobs is not None:
            self._blobs.put_bytes(key, email.html.encode(), "text/html; charset=utf-8")
        sent = []
        for recipient in policy.chain.digest_recipients:
            result = self._delivery.deliver(
                request={
                    "key": f"digest:{chain_id}:{digest.day.isoformat()}:{recipient}",
                    "channel": "email",
                    "to": recipient,
                    "subject": email.subject,
                    "html": email.html,
                    "text": email.text,
                    "sender_name": policy.chain.name,
                }
            )
            sent.append(result["message_id"])
        return {"chain_id": chain_id, "day": digest.day.isoformat(), "reviews": digest.total, "sent": len(sent), "archived": key}
