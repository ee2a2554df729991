"""Inbound e-mail: a mail SES stored under `inbound-mail/` becomes an unrated review of source `email`.

The chain's policy (`email:`) says which clinic a mailbox belongs to and what an unverified sender means
(domain/policy.py `InboundEmailSpec`). The review carries no address or name; the sender goes to the
contact data beside it (store/contacts.py) for the policy's `keep_sender_for`. A mail delivered twice is
one review (its id is a hash of the Message-ID). A mail that cannot be read or stored for a reason that
retrying cannot fix is put aside (store/quarantine.py) and the rest of the batch goes on; a transient
error raises, so S3's asynchronous invocation retries it, then the function's dead-letter queue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from aws_lambda_powertools import Logger

from clinic_reviews.domain.policy import parse_span
from clinic_reviews.domain.review import ReviewKey, iso_z
from clinic_reviews.sources.mail import MAX_MAIL_BYTES, InboundMail, UnreadableMail, created_at, read_mail
from clinic_reviews.store.contacts import SenderContact
from clinic_reviews.store.quarantine import is_transient

logger = Logger(child=True)

PREFIX = "inbound-mail/"
SOURCE = "email"


class Objects(Protocol):
    def get_bytes(self, key: str) -> bytes: ...


@dataclass
class MailOutcome:
    """What one stored mail became: `stored` (new or unchanged), `refused` (with the reason), `quarantined`,
    `skipped` (not under the prefix). Never carries the sender or the text."""

    key: str
    outcome: str
    reason: str | None = None
    clinic_id: str | None = None
    new: bool = False
    verified: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class InboundMailService:
    def __init__(
        self, chain_id: str, policies: Any, intake: Any, contacts: Any, quarantine: Any, now: Callable[[], datetime]
    ):
        self._chain_id = chain_id
        self._policies = policies
        self._intake = intake
        self._contacts = contacts
        self._quarantine = quarantine
        self._now = now

    def receive_object(self, objects: Objects, key: str, size: int | None = None) -> MailOutcome:
        """Read one stored mail into the intake; raises only for what a retry may fix."""
        if not key.startswith(PREFIX) or key.endswith("/"):
            return MailOutcome(key, "skipped", "not under " + PREFIX)
        try:
            return self._receive(objects, key, size)
        except Exception as exc:
            if is_transient(exc):
                raise
            logger.exception("inbound mail put aside", extra={"key": key})
            item = {"source": SOURCE, "clinic_id": None, "external_id": key.removeprefix(PREFIX), "object_key": key}
            self._quarantine.put_aside(item, self._chain_id, f"{type(exc).__name__} while reading the mail")
            return MailOutcome(key, "quarantined", type(exc).__name__)

    def _receive(self, objects: Objects, key: str, size: int | None) -> MailOutcome:
        spec = self._policies.chain(self._chain_id).email
        if spec is None:
            return MailOutcome(key, "refused", "the chain's policy has no email section")
        try:
            if size is not None and size > MAX_MAIL_BYTES:
                raise UnreadableMail(f"mail larger than {MAX_MAIL_BYTES // 2**20} MB")
            mail = read_mail(objects.get_bytes(key))
        except UnreadableMail as exc:
            return MailOutcome(key, "refused", str(exc))
        verdicts = mail.verdicts
        if not verdicts.clean:
            return MailOutcome(key, "refused", f"SES scans: spam {verdicts.spam}, virus {verdicts.virus}")
        if not verdicts.authenticated and spec.unverified == "reject":
            return MailOutcome(key, "refused", f"sender not verified (dmarc {verdicts.dmarc})", verified=False)
        clinic_id = spec.clinic_for(mail.recipients)
        if clinic_id is None:
            return MailOutcome(key, "refused", "no clinic for the recipients (policy email.mailboxes, default_clinic)")
        now = self._now()
        report = self._intake.ingest([self._review(mail, clinic_id, now)])
        if report.failed:
            raise RuntimeError("the mail's review could not be stored; the mail will be read again")
        if report.quarantined:
            return MailOutcome(key, "quarantined", report.quarantined[0].reason, clinic_id)
        if report.rejected:
            return MailOutcome(key, "refused", report.rejected[0].reason, clinic_id)
        if mail.sender is not None:
            contact = SenderContact(
                SOURCE, mail.sender, mail.sender_name, verdicts.authenticated, now + parse_span(spec.keep_sender_for)
            )
            self._contacts.put(ReviewKey(clinic_id, SOURCE, mail.external_id), contact)
        return MailOutcome(key, "stored", None, clinic_id, new=report.new == 1, verified=verdicts.authenticated)

    @staticmethod
    def _review(mail: InboundMail, clinic_id: str, now: datetime) -> dict[str, Any]:
        """The intake's item: unrated (the classifier reads the text), no author (the sender is contact data)."""
        return {
            "source": SOURCE,
            "external_id": mail.external_id,
            "clinic_id": clinic_id,
            "rating": None,
            "text": mail.review_text(),
            "author": None,
            "created_at": iso_z(created_at(mail, now)),
            "url": None,
        }

