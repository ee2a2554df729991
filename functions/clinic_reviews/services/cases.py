"""Case handling over the store, the bus and the platforms: what the API, the console and the Telegram bot call.

Every write: read the case, apply the pure rule (domain/cases.py), store the case and its audit entry
in one transaction, mark the review answered when the change answers the patient (the escalation's
next tier step then ends the workflow), and put the `case.*` event on the bus.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools import Logger

from clinic_reviews.domain import cases as rules
from clinic_reviews.domain.cases import Actor, Case, CaseAnalytics, CaseConflict, Change, LogEntry, RootCause
from clinic_reviews.domain.frozen_records import record
from clinic_reviews.domain.record import ReviewRecord
from clinic_reviews.domain.review import iso_z
from clinic_reviews.events import SCHEMA_VERSION, Event
from clinic_reviews.store.cases import CaseRepository, StaleCase
from clinic_reviews.store.policies import PolicyRepository
from clinic_reviews.store.reviews import ReviewRepository

logger = Logger(child=True)

MAX_PERIOD_DAYS = 62


class CaseNotFound(LookupError):
    """No such case, or not one of the actor's clinics (the same answer, so nothing is revealed)."""


class PostFailed(RuntimeError):
    """The platform refused or could not be reached; the reply was not posted (nothing recorded)."""


def case_event(change: Change) -> Event:
    """The bus event of a change: the case's state and what changed, never patient data or free text."""
    case = change.case
    detail = change.detail()
    if "action" in detail:
        detail["action"] = {k: v for k, v in detail["action"].items() if k not in ("note", "by_name")}
    if detail.get("root_cause"):
        detail["root_cause"] = {k: v for k, v in detail["root_cause"].items() if k != "fix_note"}
    return Event(
        change.event,
        {
            "schema_version": SCHEMA_VERSION,
            "event_id": f"{change.event}:{case.id}:{case.version}",
            "occurred_at": iso_z(change.at),
            "case": {
                "id": case.id,
                "chain_id": case.chain_id,
                "clinic_id": case.clinic_id,
                "source": case.source,
                "external_id": case.external_id,
                "status": case.status,
                "legal": case.legal,
                "private": case.private,
                "owner": case.owner,
                "opened_at": iso_z(case.opened_at),
                "due_at": None if case.due_at is None else iso_z(case.due_at),
            },
            "actor": {"id": change.actor.id, "role": change.actor.role, "via": change.actor.via},
            "change": detail,
        },
    )


class CaseOpener:
    """The intake's hook: an escalated negative (or private complaint) opens its case, exactly once."""

    def __init__(self, cases: CaseRepository):
        self._cases = cases

    def open(self, record: ReviewRecord, policy, now: datetime) -> None:
        from clinic_reviews.domain.digest import reply_deadline  # the intake's; the console never opens a case

        clinic = policy.clinic(record.review.clinic_id)
        change = rules.open_case(
            record.key, record.chain_id, now, reply_deadline(record, policy), legal=record.classification.legal
        )
        day = now.astimezone(ZoneInfo(clinic.timezone)).date()
        # case.opened leaves with the write (store/outbox.py)
        self._cases.save(change, day, policy.retention, case_event(change))


@record
class QueueRow:
    case: Case
    record: ReviewRecord | None
    clinic: str
    clinic_tz: str
    minutes_left: int | None
    overdue: bool


@record
class CaseView:
    case: Case
    record: ReviewRecord | None
    text: str
    clinic: str
    clinic_tz: str
    lang: str
    draft: Any | None  # domain.replies.Draft
    reply_mode: str  # platform | by_hand | none (a private complaint)
    log: list[LogEntry]
    minutes_left: int | None
    overdue: bool


class ReplyPoster:
    """Posts a public reply where the platform's API allows it (Google Business Profile), else by hand.

    `google(source_config)` returns a client with `put_reply(account_id, location_id, review_id, text)`.
    """

    def __init__(self, google: Callable[[Any], Any] | None = None):
        self._google = google

    def mode(self, clinic, source: str) -> str:
        if source in rules.PRIVATE_SOURCES:
            return "none"
        if source == "google" and self._google is not None and self._google_source(clinic) is not None:
            return rules.REPLY_PLATFORM
        return rules.REPLY_BY_HAND

    def post(self, clinic, source: str, external_id: str, text: str) -> str:
        """Post and return the mode; `PostFailed` when the platform did not take it."""
        if self.mode(clinic, source) != rules.REPLY_PLATFORM:
            return rules.REPLY_BY_HAND
        config = self._google_source(clinic)
        try:
            client = self._google(config)
            client.put_reply(config.account_id, config.location_id, external_id, text)
        except Exception as exc:  # noqa: BLE001 - any failure: nothing recorded, the manager is told
            reason = getattr(exc, "reason", None) or "unreachable"
            raise PostFailed(f"Google did not take the reply ({reason}); try again or post it by hand") from None
        return rules.REPLY_PLATFORM

    @staticmethod
    def _google_source(clinic):
        return next((s for s in clinic.sources if s.platform == "google"), None)


class CaseService:
    def __init__(
        self,
        cases: CaseRepository,
        reviews: ReviewRepository,
        policies: PolicyRepository,
        now: Callable[[], datetime],
        poster: ReplyPoster | None = None,
        reply_log=None,  # store.replies.ReplyLogRepository: who approved which reply (docs/insights.md)
    ):
        self._reply_log = reply_log
        self._cases = cases
        self._reviews = reviews
        self._policies = policies
        self._now = now
        self._poster = poster or ReplyPoster()

    # ------------------------------------------------------------------ reading
    def queue(self, actor: Actor, chain_id: str, clinic_id: str | None = None) -> list[QueueRow]:
        """Open cases of the actor's clinics (or of one), soonest deadline first: one gsi1 Query per clinic."""
        policy = self._policies.chain(chain_id)
        if clinic_id is not None:
            policy.clinic(clinic_id)  # UnknownClinic for a clinic the chain does not have
            if not actor.sees(clinic_id):
                raise rules.NotAllowed(f"you have no access to clinic {clinic_id}")
            clinics = [policy.clinic(clinic_id)]
        else:
            clinics = [c for c in policy.clinics if actor.sees(c.id)]
        found = [(case, clinic) for clinic in clinics for case in self._cases.open_cases(clinic.id)]
        records = self._reviews.get_many(case.key for case, _ in found)
        now = self._now()
        rows = [
            QueueRow(case, records.get(case.key), clinic.name, clinic.timezone, case.minutes_left(now), case.overdue(now))
            for case, clinic in found
        ]
        return sorted(rows, key=lambda r: (r.case.due_at or r.case.opened_at, r.case.id))

    def view(self, actor: Actor, case_id: str) -> CaseView:
        case = self._visible(actor, case_id)
        policy, clinic = self._policies.for_clinic(case.clinic_id)
        record = self._reviews.get(case.key)
        text = self._reviews.full_text(record) if record is not None else ""
        draft = None
        if record is not None and not case.private:
            draft = self._draft(policy, clinic, record, text)
        now = self._now()
        return CaseView(
            case=case,
            record=record,
            text=text,
            clinic=clinic.name,
            clinic_tz=clinic.timezone,
            lang=policy.chain.language,
            draft=draft,
            reply_mode=self._poster.mode(clinic, case.source),
            log=self._cases.log(case.id),
            minutes_left=case.minutes_left(now),
            overdue=case.overdue(now),
        )

    # ------------------------------------------------------------------ writing
    def take(self, actor: Actor, case_id: str) -> Case:
        case = self._visible(actor, case_id)
        return self._apply(rules.take(case, actor, self._now()))

    def record_action(self, actor: Actor, case_id: str, kind: str, **details: Any) -> Case:
        if kind == rules.PUBLIC_REPLY:
            raise rules.CaseInvalid("a public reply is recorded by approving it (POST /api/cases/{id}/reply)")
        case = self._visible(actor, case_id)
        return self._apply(rules.record_action(case, actor, self._now(), kind, **details))

    def resolve(self, actor: Actor, case_id: str) -> Case:
        case = self._visible(actor, case_id)
        return self._apply(rules.resolve(case, actor, self._now()))

    def close(self, actor: Actor, case_id: str, outcome: str, root_cause: RootCause) -> Case:
        case = self._visible(actor, case_id)
        return self._apply(rules.close(case, actor, self._now(), outcome, root_cause))

    def approve_reply(self, actor: Actor, case_id: str, text: str | None = None, by_hand: bool = False) -> tuple[Case, str]:
        """Check the reply (the draft, or the manager's edit) and post it; returns the case and how it went out.

        The privacy check must pass (`ReplyRejected` lists the problems); a private complaint has no
        public reply; a review flagged legal needs legal, the head of client service or the director.
        """
        case = self._visible(actor, case_id)
        rules.may_reply(actor, case)
        now = self._now()
        rules.record_action(case, actor, now, rules.PUBLIC_REPLY, reply_mode=rules.REPLY_BY_HAND)  # state check first
        policy, clinic = self._policies.for_clinic(case.clinic_id)
        record = self._reviews.get(case.key)
        if record is None:
            raise CaseConflict("the review of this case is no longer stored")
        full = self._reviews.full_text(record)
        context = self._reply_context(policy, clinic)
        if text is None:
            text = self._draft(policy, clinic, record, full).text
        verdict = _check(text, record, full, context)
        if not verdict.ok:
            raise ReplyRejected(verdict)
        mode = rules.REPLY_BY_HAND if by_hand else self._poster.post(clinic, case.source, case.external_id, text)
        change = rules.record_action(case, actor, now, rules.PUBLIC_REPLY, reply_mode=mode)
        applied = self._apply(change)
        if self._reply_log is not None:  # reply quality by person (issue 19)
            from clinic_reviews.store.replies import ConsoleReply

            self._reply_log.record(case.chain_id, case.id, ConsoleReply(case.key, actor.name, now, text))
        return applied, mode

    def analytics(self, actor: Actor, chain_id: str, start: date, end: date, clinic_id: str | None = None) -> CaseAnalytics:
        """The case figures of the actor's clinics over [start, end] (clinic-local days, at most 62)."""
        if end < start:
            raise rules.CaseInvalid("the period ends before it starts")
        if (end - start).days >= MAX_PERIOD_DAYS:
            raise rules.CaseInvalid(f"a period is at most {MAX_PERIOD_DAYS} days")
        if clinic_id is not None and not actor.sees(clinic_id):
            raise rules.NotAllowed(f"you have no access to clinic {clinic_id}")
        entries = [e for e in self.log_between(chain_id, start, end) if actor.sees(e.case.clinic_id)]
        return rules.case_analytics(entries, clinic_id=clinic_id)

    def log_between(self, chain_id: str, start: date, end: date) -> Iterable[LogEntry]:
        day = start
        while day <= end:
            yield from self._cases.log_of_day(chain_id, day)
            day += timedelta(days=1)

    # ------------------------------------------------------------------ internals
    def _visible(self, actor: Actor, case_id: str) -> Case:
        case = self._cases.get(case_id) if _well_formed(case_id) else None
        if case is None or not actor.sees(case.clinic_id) or not rules.allowed(actor, "read"):
            raise CaseNotFound("no such case")
        return case

    def _apply(self, change: Change) -> Case:
        if not change.changed:
            return change.case
        policy, clinic = self._policies.for_clinic(change.case.clinic_id)
        day = change.at.astimezone(ZoneInfo(clinic.timezone)).date()
        try:
            # its event leaves with the write (store/outbox.py)
            self._cases.save(change, day, policy.retention, case_event(change))
        except StaleCase:
            raise CaseConflict("someone changed this case a moment ago: reload it and try again") from None
        if change.answers_review:  # review.answered leaves with this write (store/outbox.py)
            self._reviews.mark_answered(change.case.key, change.at, f"case:{change.actor.id}")
        logger.info("case changed", extra={"case": change.case.id, "event": change.event, "status": change.case.status})
        return change.case

    def reply_context(self, policy, clinic):
        """What a reply may name as it is: the chain's contact line, signature, the clinic (drafts, checks)."""
        return self._reply_context(policy, clinic)

    @staticmethod
    def _reply_context(policy, clinic):
        from clinic_reviews.domain.replies import ReplyContext

        replies = policy.replies
        return ReplyContext(
            contact=replies.contact if replies else None,
            signature=replies.signature if replies else None,
            clinic=clinic.name,
            default_lang=policy.chain.language,
        )

    def _draft(self, policy, clinic, record: ReviewRecord, text: str):
        from clinic_reviews.domain.replies import draft_reply

        key = f"{record.review.clinic_id}#{record.review.external_id}"
        return draft_reply(key, text, record.classification, self._reply_context(policy, clinic), record.review.author)


class ReplyRejected(rules.CaseInvalid):
    """The reply failed the privacy check; `verdict.problems` says where."""

    def __init__(self, verdict):
        self.verdict = verdict
        super().__init__("the reply failed the privacy check: " + "; ".join(p.kind for p in verdict.problems))


def _check(text: str, record: ReviewRecord, full: str, context):
    from clinic_reviews.domain.reply_check import check_reply

    allowed = [*context.allowed(), *record.classification.staff]
    return check_reply(text, author=record.review.author, review=full, allowed=allowed)


def check_text(record: ReviewRecord, full: str, text: str, policy, clinic):
    """The privacy verdict of a reply text as the console shows it."""
    return _check(text, record, full, CaseService._reply_context(policy, clinic))


def _well_formed(case_id: str) -> bool:
    return len(case_id) == 24 and all(c in "0123456789abcdef" for c in case_id)


__all__ = [
    "CaseNotFound",
    "CaseOpener",
    "CaseService",
    "CaseView",
    "PostFailed",
    "QueueRow",
    "ReplyPoster",
    "ReplyRejected",
    "case_event",
    "check_text",
]
