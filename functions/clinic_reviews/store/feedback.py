"""Post-visit feedback requests in the single table (docs/feedback.md). No Scan anywhere.

| item              | pk                   | sk                   | expires (TTL)                              |
|-------------------|----------------------|----------------------|--------------------------------------------|
| request           | FEEDBACK#<ref>       | REQUEST              | link expiry + the policy's retention.feedback |
| contact (phone)   | FEEDBACK#<ref>       | CONTACT              | the latest send moment; deleted once sent  |
| opt-out           | OPTOUT#<phone hash>  | OPTOUT               | never (the patient said no)                |
| asked recently    | ASKED#<phone hash>   | ASKED                | asked + `ask_again_after`                  |
| figures           | FBSTATS#<chain>      | <YYYY-MM>#<clinic>   | never (a few numbers a month)              |

The phone itself lives only in the contact item, from the visit event until the SMS is sent (or its
send moment passed); everything kept longer holds the salted hash at most. Every state change of a
request is a conditional write, so a repeated event, a retried step or a double click changes nothing
twice; figures are counted only by the write that changed the state.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from clinic_reviews.domain.frozen_records import record
from clinic_reviews.domain.review import from_iso, iso_z, iso_z_or_none
from clinic_reviews.store.models import _Item

FIGURES = (
    "visits", "skipped", "sent", "opened", "rated", "rating_sum", "public_clicks",
    "private_complaints", "callbacks", "opt_outs",
)


class FeedbackRequestItem(_Item):
    kind = UnicodeAttribute(default="feedback_request")
    chain_id = UnicodeAttribute()
    clinic_id = UnicodeAttribute()
    visit_id = UnicodeAttribute()
    visit_end = UnicodeAttribute()
    timezone = UnicodeAttribute()
    lang = UnicodeAttribute()
    month = UnicodeAttribute()
    doctor = UnicodeAttribute(null=True)
    service = UnicodeAttribute(null=True)
    phone_hash = UnicodeAttribute(null=True)
    status = UnicodeAttribute()  # scheduled | sent | skipped
    reason = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    send_at = UnicodeAttribute(null=True)
    link_expires_at = UnicodeAttribute(null=True)
    sent_at = UnicodeAttribute(null=True)
    opened_at = UnicodeAttribute(null=True)
    rated_at = UnicodeAttribute(null=True)
    rating = NumberAttribute(null=True)
    comment = UnicodeAttribute(null=True)  # the patient's words (also in the internal review), until expiry
    director_at = UnicodeAttribute(null=True)
    callback = BooleanAttribute(null=True)
    complaint_at = UnicodeAttribute(null=True)
    clicked = UnicodeSetAttribute(null=True)
    expires_at = NumberAttribute()


class FeedbackContactItem(_Item):
    kind = UnicodeAttribute(default="feedback_contact")
    phone = UnicodeAttribute()
    expires_at = NumberAttribute()


class OptOutItem(_Item):
    kind = UnicodeAttribute(default="opt_out")
    at = UnicodeAttribute()
    via = UnicodeAttribute()  # sms | link


class AskedItem(_Item):
    kind = UnicodeAttribute(default="asked")
    ref = UnicodeAttribute()
    at = UnicodeAttribute()
    expires_at = NumberAttribute()


class FeedbackFiguresItem(_Item):
    kind = UnicodeAttribute(default="feedback_figures")
    visits = NumberAttribute(null=True)
    skipped = NumberAttribute(null=True)
    sent = NumberAttribute(null=True)
    opened = NumberAttribute(null=True)
    rated = NumberAttribute(null=True)
    rating_sum = NumberAttribute(null=True)
    public_clicks = NumberAttribute(null=True)
    private_complaints = NumberAttribute(null=True)
    callbacks = NumberAttribute(null=True)
    opt_outs = NumberAttribute(null=True)


@record
class FeedbackRequest:
    ref: str
    chain_id: str
    clinic_id: str
    visit_id: str
    visit_end: datetime
    timezone: str
    lang: str
    month: str
    status: str
    created_at: datetime
    reason: str | None = None
    phone_hash: str | None = None
    doctor: str | None = None
    service: str | None = None
    send_at: datetime | None = None
    link_expires_at: datetime | None = None
    sent_at: datetime | None = None
    opened_at: datetime | None = None
    rated_at: datetime | None = None
    rating: int | None = None
    comment: str | None = None
    director_at: datetime | None = None
    callback: bool = False
    complaint_at: datetime | None = None
    clicked: frozenset[str] = frozenset()


def request_pk(ref: str) -> str:
    return f"FEEDBACK#{ref}"


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _condition_failed(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) in (
        "ConditionalCheckFailedException", "TransactionCanceledException",
    )


class FeedbackRepository:
    # ------------------------------------------------------------------ requests
    def get(self, ref: str) -> FeedbackRequest | None:
        try:
            item = FeedbackRequestItem.get(request_pk(ref), "REQUEST", consistent_read=True)
        except FeedbackRequestItem.DoesNotExist:
            return None
        return self._to_request(ref, item)

    def create(
        self, request: FeedbackRequest, phone: str | None, contact_until: datetime | None, keep: timedelta
    ) -> bool:
        """Store a new request (and, when it is to be sent, its phone until `contact_until`), atomically.

        The request (salted phone hash, later the patient's answer) expires `keep` after its link does.
        False when a request for the same visit already exists: nothing is written.
        """
        expires = (request.link_expires_at or request.created_at) + keep
        item = FeedbackRequestItem(
            request_pk(request.ref),
            "REQUEST",
            chain_id=request.chain_id,
            clinic_id=request.clinic_id,
            visit_id=request.visit_id,
            visit_end=iso_z(request.visit_end),
            timezone=request.timezone,
            lang=request.lang,
            month=request.month,
            doctor=request.doctor,
            service=request.service,
            phone_hash=request.phone_hash,
            status=request.status,
            reason=request.reason,
            created_at=iso_z(request.created_at),
            send_at=iso_z_or_none(request.send_at),
            link_expires_at=iso_z_or_none(request.link_expires_at),
            expires_at=_epoch(max(expires, request.created_at + keep)),
        )
        try:
            if phone is None:
                item.save(condition=FeedbackRequestItem.pk.does_not_exist())
                return True
            contact = FeedbackContactItem(
                request_pk(request.ref), "CONTACT", phone=phone, expires_at=_epoch(contact_until or request.created_at)
            )
            with TransactWrite(connection=FeedbackRequestItem._get_connection().connection) as tx:
                tx.save(item, condition=FeedbackRequestItem.pk.does_not_exist())
                tx.save(contact)
        except (PutError, TransactWriteError) as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    def phone(self, ref: str, now: datetime) -> str | None:
        """The phone of a request still to be sent; None once sent or past its keeping time."""
        try:
            item = FeedbackContactItem.get(request_pk(ref), "CONTACT", consistent_read=True)
        except FeedbackContactItem.DoesNotExist:
            return None
        return item.phone if item.expires_at > now.timestamp() else None

    def forget_phone(self, ref: str) -> None:
        """Delete the phone (after the SMS went, or when the request will never be sent)."""
        FeedbackContactItem(request_pk(ref), "CONTACT").delete()

    def mark_sent(self, ref: str, at: datetime) -> bool:
        return self._update(
            ref,
            [FeedbackRequestItem.status.set("sent"), FeedbackRequestItem.sent_at.set(iso_z(at))],
            FeedbackRequestItem.status == "scheduled",
        )

    def mark_skipped(self, ref: str, reason: str) -> bool:
        return self._update(
            ref,
            [FeedbackRequestItem.status.set("skipped"), FeedbackRequestItem.reason.set(reason)],
            FeedbackRequestItem.status == "scheduled",
        )

    def mark_opened(self, ref: str, at: datetime) -> bool:
        return self._update(
            ref,
            [FeedbackRequestItem.opened_at.set(iso_z(at))],
            (FeedbackRequestItem.status == "sent") & FeedbackRequestItem.opened_at.does_not_exist(),
        )

    def record_rating(self, ref: str, rating: int, comment: str, at: datetime) -> bool:
        """The patient's stars, once: a second submission (double click, back button) changes nothing."""
        actions = [FeedbackRequestItem.rating.set(rating), FeedbackRequestItem.rated_at.set(iso_z(at))]
        if comment:
            actions.append(FeedbackRequestItem.comment.set(comment))
        return self._update(
            ref,
            actions,
            (FeedbackRequestItem.status == "sent") & FeedbackRequestItem.rated_at.does_not_exist(),
        )

    def record_director(self, ref: str, callback: bool, at: datetime) -> bool:
        """The patient's message to the director (and whether to call back), once."""
        return self._update(
            ref,
            [FeedbackRequestItem.director_at.set(iso_z(at)), FeedbackRequestItem.callback.set(callback)],
            FeedbackRequestItem.rated_at.exists() & FeedbackRequestItem.director_at.does_not_exist(),
        )

    def mark_complaint(self, ref: str, at: datetime) -> bool:
        """The request produced a private complaint (counted once, however many messages follow)."""
        return self._update(
            ref, [FeedbackRequestItem.complaint_at.set(iso_z(at))], FeedbackRequestItem.complaint_at.does_not_exist()
        )

    def record_click(self, ref: str, source: str) -> bool:
        """A click on one public link; True the first time this request clicks this platform."""
        return self._update(
            ref,
            [FeedbackRequestItem.clicked.add({source})],
            (FeedbackRequestItem.status == "sent") & ~FeedbackRequestItem.clicked.contains(source),
        )

    def _update(self, ref: str, actions: list, condition) -> bool:
        try:
            FeedbackRequestItem._get_connection().update_item(
                request_pk(ref), "REQUEST", actions=actions, condition=FeedbackRequestItem.pk.exists() & condition
            )
        except UpdateError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    # ------------------------------------------------------------------ patients (by phone hash only)
    def opted_out(self, phone_hash: str) -> bool:
        try:
            OptOutItem.get(f"OPTOUT#{phone_hash}", "OPTOUT", consistent_read=True)
        except OptOutItem.DoesNotExist:
            return False
        return True

    def opt_out(self, phone_hash: str, at: datetime, via: str) -> bool:
        """Record the patient's "no more requests"; True when it is new."""
        try:
            OptOutItem(f"OPTOUT#{phone_hash}", "OPTOUT", at=iso_z(at), via=via).save(
                condition=OptOutItem.pk.does_not_exist()
            )
        except PutError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    def last_asked(self, phone_hash: str, now: datetime) -> tuple[datetime, str] | None:
        """When (and for which request) this patient was last asked, while that still counts."""
        try:
            item = AskedItem.get(f"ASKED#{phone_hash}", "ASKED", consistent_read=True)
        except AskedItem.DoesNotExist:
            return None
        if item.expires_at <= now.timestamp():
            return None
        return from_iso(item.at), item.ref

    def claim_ask(self, phone_hash: str, ref: str, now: datetime, until: datetime) -> bool:
        """Reserve this patient for request `ref` until `until`; False when another request holds them.

        Conditional, so two visits of one patient processed at once still give one SMS; the same
        request claiming again (a retried event) succeeds.
        """
        try:
            AskedItem(f"ASKED#{phone_hash}", "ASKED", ref=ref, at=iso_z(now), expires_at=_epoch(until)).save(
                condition=AskedItem.pk.does_not_exist()
                | (AskedItem.expires_at <= _epoch(now))
                | (AskedItem.ref == ref)
            )
        except PutError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    # ------------------------------------------------------------------ figures
    def count(self, chain_id: str, month: str, clinic_id: str, **amounts: int) -> None:
        """Add to a clinic's monthly figures (one UpdateItem; the item appears on first use)."""
        actions = []
        for name, amount in amounts.items():
            if name not in FIGURES:
                raise ValueError(f"unknown figure {name!r}")
            if amount:
                actions.append(getattr(FeedbackFiguresItem, name).add(amount))
        if actions:
            FeedbackFiguresItem._get_connection().update_item(f"FBSTATS#{chain_id}", f"{month}#{clinic_id}", actions=actions)

    def figures(self, chain_id: str, month: str) -> dict[str, dict[str, int]]:
        """The month's figures by clinic: one Query of the chain's partition."""
        result: dict[str, dict[str, int]] = {}
        for item in FeedbackFiguresItem.query(
            f"FBSTATS#{chain_id}", FeedbackFiguresItem.sk.startswith(f"{month}#")
        ):
            clinic_id = item.sk.split("#", 1)[1]
            result[clinic_id] = {name: int(getattr(item, name) or 0) for name in FIGURES}
        return result

    # ------------------------------------------------------------------ mapping
    @staticmethod
    def _to_request(ref: str, item: FeedbackRequestItem) -> FeedbackRequest:
        return FeedbackRequest(
            ref=ref,
            chain_id=item.chain_id,
            clinic_id=item.clinic_id,
            visit_id=item.visit_id,
            visit_end=from_iso(item.visit_end),
            timezone=item.timezone,
            lang=item.lang,
            month=item.month,
            status=item.status,
            created_at=from_iso(item.created_at),
            reason=item.reason,
            phone_hash=item.phone_hash,
            doctor=item.doctor,
            service=item.service,
            send_at=from_iso(item.send_at),
            link_expires_at=from_iso(item.link_expires_at),
            sent_at=from_iso(item.sent_at),
            opened_at=from_iso(item.opened_at),
            rated_at=from_iso(item.rated_at),
            rating=None if item.rating is None else int(item.rating),
            comment=item.comment,
            director_at=from_iso(item.director_at),
            callback=bool(item.callback),
            complaint_at=from_iso(item.complaint_at),
            clicked=frozenset(item.clicked or ()),
        )
