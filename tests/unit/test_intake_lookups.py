"""The intake looks up a review's clinic and policy once, however far the review travels (with fakes)."""

from __future__ import annotations

from datetime import UTC, datetime

from clinic_reviews.services.intake import IntakeService
from clinic_reviews.store.policies import UnknownClinic

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


class CountingPolicies:
    def __init__(self, policy):
        self.policy, self.lookups = policy, 0

    def for_clinic(self, clinic_id):
        self.lookups += 1
        try:
            return self.policy, self.policy.clinic(clinic_id)
        except KeyError:
            raise UnknownClinic(f"clinic_id: unknown clinic {clinic_id!r}") from None


class MemoryReviews:
    def __init__(self):
        self.items = {}

    def get_many(self, keys):
        return {k: self.items[k] for k in keys if k in self.items}

    def get(self, key):
        return self.items.get(key)

    def insert(self, record, history=(), retention=None, today=None, events=(), at=None):
        self.items[record.key] = record
        return record

    update = insert

    def set_escalation(self, key, execution, first_due):
        pass


class Started:
    def __init__(self):
        self.names = []

    def start(self, name, payload):
        self.names.append(name)
        return True


class Cases:
    def open(self, record, policy, now):
        assert policy.chain.id == "zdorovie"


def _review(external_id: str, rating: int, clinic_id: str = "msk-arbat") -> dict:
    return {
        "clinic_id": clinic_id, "source": "yandex", "external_id": external_id, "rating": rating,
        "text": "Грубый администратор, ждали час" if rating <= 2 else "Спасибо доктору", "author": None,
        "created_at": "2026-12-07T07:30:00Z", "reply": None,
    }


def test_each_review_resolves_its_clinic_and_policy_once(policy):
    policies, workflows = CountingPolicies(policy), Started()
    intake = IntakeService(MemoryReviews(), policies, workflows, lambda: NOW, cases=Cases())
    batch = [_review("neg-1", 1), _review("neg-2", 2), _review("pos-1", 5), _review("x", 1, clinic_id="nowhere")]
    report = intake.ingest(batch)
    assert report.new == 3 and report.escalations == 2 and len(report.rejected) == 1
    assert policies.lookups == len(batch)


def test_an_unchanged_review_is_not_classified_again_and_a_changed_one_is(policy, monkeypatch):
    from clinic_reviews.services import intake as intake_module

    read = []
    real = intake_module.classify
    monkeypatch.setattr(intake_module, "classify", lambda text, *args: read.append(text) or real(text, *args))
    intake = IntakeService(MemoryReviews(), CountingPolicies(policy), Started(), lambda: NOW, cases=Cases())
    batch = [_review("neg-1", 1), _review("pos-1", 5)]
    assert intake.ingest(batch).new == 2 and len(read) == 2

    read.clear()
    again = intake.ingest(batch)  # a re-poll: nothing changed
    assert (again.unchanged, again.new, again.changed) == (2, 0, 0) and read == []

    edited = {**batch[1], "rating": 1, "text": "Передумал: грубый администратор"}
    changed = intake.ingest([batch[0], edited])
    assert (changed.unchanged, changed.changed) == (1, 1) and read == [edited["text"]]
    stored = intake._reviews.get_many([r.key for r in intake._reviews.items.values()])
    assert {r.review.external_id: r.classification.sentiment for r in stored.values()} == {
        "neg-1": "negative", "pos-1": "negative"}
