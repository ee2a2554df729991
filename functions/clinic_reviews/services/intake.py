"""Intake: validate, classify, store, announce and escalate a batch of normalized reviews.

A review's events (received, updated, answered) and its case's are recorded by the writes that store them and
reach the bus through the table's stream (store/outbox.py): nothing is published from here.

One bad review never stops the batch: it is rejected with its position and the reason. The
store, bus and workflow are passed in (the handler wires the AWS clients), so the flow is testable
without AWS and identical with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from aws_lambda_powertools import Logger

from clinic_reviews.domain.classification import classify
from clinic_reviews.domain.feedback import FEEDBACK_SOURCE, private_answer_classification
from clinic_reviews.domain.intake import NEW, UNCHANGED, Assessment, assess
from clinic_reviews.domain.ladder import plan_escalation, plan_thank_reminder
from clinic_reviews.domain.policy import Clinic, Policy
from clinic_reviews.domain.record import ReviewRecord
from clinic_reviews.domain.review import InvalidReview, Review, parse_review
from clinic_reviews.store.policies import PolicyRepository, UnknownClinic
from clinic_reviews.store.quarantine import is_transient
from clinic_reviews.store.reviews import Conflict, ReviewRepository
from clinic_reviews.workflow import WorkflowStarter, escalation_input, execution_name, thank_execution_name

logger = Logger(child=True)


@dataclass
class Rejection:
    index: int
    reason: str


@dataclass
class IntakeReport:
    """Counts for one batch; `rejected` lists positions (0-based) and reasons, never review content."""

    received: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    escalations: int = 0
    thank_reminders: int = 0
    events: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    failed: list[Rejection] = field(default_factory=list)
    #: Poison items put aside (store/quarantine.py): not stored, not to be retried.
    quarantined: list[Rejection] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "escalations": self.escalations,
            "thank_reminders": self.thank_reminders,
            "events": self.events,
            "rejected": [r.__dict__ for r in self.rejected],
            "failed": [r.__dict__ for r in self.failed],
            "quarantined": [r.__dict__ for r in self.quarantined],
        }


class ClinicPolicy(NamedTuple):
    """A review's chain policy and clinic, looked up once when the review enters the batch."""

    policy: Policy
    clinic: Clinic


class IntakeService:
    def __init__(
        self,
        reviews: ReviewRepository,
        policies: PolicyRepository,
        workflows: WorkflowStarter,
        now: Callable[[], datetime],
        cases: Any = None,  # services.cases.CaseOpener: an escalated negative opens its case (docs/cases.md)
        adaptations: Callable[[str], Any] | None = None,  # chain id -> its text-model adaptation or None
        quarantine: Any = None,  # store.quarantine.Quarantine: where poison items go; None: they fail
    ):
        self._reviews = reviews
        self._policies = policies
        self._workflows = workflows
        self._now = now
        self._cases = cases
        self._adaptations = adaptations
        self._quarantine = quarantine

    def ingest(self, items: Sequence[Any]) -> IntakeReport:
        report = IntakeReport(received=len(items))
        valid: list[tuple[int, Review, ClinicPolicy]] = []
        for index, item in enumerate(items):
            try:
                review = parse_review(item)
                where = ClinicPolicy(*self._policies.for_clinic(review.clinic_id))  # once per review
            except (InvalidReview, UnknownClinic) as exc:
                report.rejected.append(Rejection(index, str(exc)))
                continue
            valid.append((index, review, where))
        existing = self._reviews.get_many(review.key for _, review, _ in valid)
        for index, review, where in valid:
            try:
                self._ingest_one(review, where, existing.get(review.key), report)
            except Exception as exc:  # isolate: one review's failure never stops the batch
                self._failed(index, items[index], review, where, exc, report)
        return report

    def _failed(
        self, index: int, item: Any, review: Review, where: ClinicPolicy, exc: Exception, report: IntakeReport
    ) -> None:
        """A transient failure fails the item (retried later); a permanent one puts it aside for good."""
        logger.exception("review failed", extra={"index": index, "source": review.source})
        if self._quarantine is None or is_transient(exc):
            report.failed.append(Rejection(index, "could not store the review; it will be retried"))
            return
        try:
            self._quarantine.put_aside(item, where.policy.chain.id, f"{type(exc).__name__} while storing")
        except Exception:  # the quarantine itself failed: retried later like any failure
            logger.exception("quarantine failed", extra={"index": index, "source": review.source})
            report.failed.append(Rejection(index, "could not store the review; it will be retried"))
            return
        report.quarantined.append(Rejection(index, "put aside (quarantine): the review cannot be stored as it is"))

    def _ingest_one(
        self, review: Review, where: ClinicPolicy, existing: ReviewRecord | None, report: IntakeReport
    ) -> None:
        for attempt in (1, 2):
            outcome, record = self._assess(review, where, existing)
            try:
                record = self._store(outcome, existing, where)
                break
            except Conflict:
                if attempt == 2:
                    raise
                existing = self._reviews.get(review.key)
        setattr(report, outcome.action, getattr(report, outcome.action) + 1)
        if outcome.record is not None:  # its events went out with the write (the outbox)
            report.events += len(outcome.events)
        if (outcome.escalate or outcome.flag) and record is not None:  # the case first: alerts link to it
            self._open_case(record, where)
        if outcome.escalate and record is not None and self._start_escalation(record, where):
            report.escalations += 1
        if outcome.thank and record is not None and self._start_thank_reminder(record, where):
            report.thank_reminders += 1
        if record is not None and record.follow_up:  # the follow-ups are done: the fetch need not send it again
            self._reviews.followed_up(record.key)

    def _open_case(self, record: ReviewRecord, where: ClinicPolicy) -> None:
        if self._cases is not None:
            self._cases.open(record, where.policy, self._now())

    def _assess(
        self, review: Review, where: ClinicPolicy, existing: ReviewRecord | None
    ) -> tuple[Assessment, ReviewRecord | None]:
        policy, clinic = where
        if existing is not None and existing.content_hash == review.content_hash():
            # Unchanged (a re-poll, a redelivery): `assess` keeps the stored reading and never reads a new one,
            # so the text is not classified again (the classifier is most of an unchanged review's cost).
            classification = existing.classification
        else:
            # An unrated review is read with the chain's own adaptation when the monthly job adopted one.
            adaptation = self._adaptations(policy.chain.id) if review.rating is None and self._adaptations else None
            classification = classify(review.text, review.rating, review.lang, adaptation)
        private = review.source == FEEDBACK_SOURCE  # a patient's private answer from the post-visit page
        if private:
            classification = private_answer_classification(review, classification)
        outcome = assess(
            review,
            classification,
            existing,
            chain_id=policy.chain.id,
            clinic_tz=clinic.timezone,
            now=self._now(),
            backfill_window=policy.chain.backfill,
            thank_share=policy.chain.positive_reply_share if policy.positive is not None else 0.0,
        )
        if private:  # there is no public place to thank it in
            outcome = replace(outcome, thank=False)
        return outcome, outcome.record or existing

    def _store(self, outcome: Assessment, existing: ReviewRecord | None, where: ClinicPolicy) -> ReviewRecord | None:
        """Write the review with the events it announces in that same write (store/outbox.py)."""
        if outcome.action == UNCHANGED:
            return existing
        write = self._reviews.insert if outcome.action == NEW else self._reviews.update
        now = self._now()
        today = now.astimezone(ZoneInfo(where.clinic.timezone)).date()
        return write(outcome.record, outcome.history, where.policy.retention, today, outcome.events, now)

    def _start_escalation(self, record: ReviewRecord, where: ClinicPolicy) -> bool:
        policy = where.policy
        received = min(record.review.created_at, record.received_at)
        tiers = plan_escalation(
            policy, record.review.clinic_id, received, legal=record.classification.legal, source=record.review.source
        )
        if not tiers:
            return False
        name = execution_name(record.key)
        started = self._workflows.start(name, escalation_input(record.key, record.chain_id, tiers))
        self._reviews.set_escalation(record.key, name, tiers[0].due)
        return started

    def _start_thank_reminder(self, record: ReviewRecord, where: ClinicPolicy) -> bool:
        tier = plan_thank_reminder(where.policy, record.review.clinic_id, min(record.review.created_at, record.received_at))
        payload = escalation_input(record.key, record.chain_id, [tier])
        return self._workflows.start(thank_execution_name(record.key), payload)
