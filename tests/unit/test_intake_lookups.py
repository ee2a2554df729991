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

    def insert(self, record, history=(), retention=None, today=None):
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


class Published:
    def publish(self, events):
        return len(list(events))


class Cases:
    def open(self, record, policy, now):
        assert policy.chain.id == "zdorovie"
        return []


def _review(external_id: str, rating: int, clinic_id: str = "msk-arbat") -> dict:
    return {
        "clinic_id": clinic_id, "source": "yandex", "external_id": external_id, "rating": rating,
        "text": "Грубый администратор, ждали час" if rating <= 2 else "Спасибо доктору", "author": None,
        "created_at": "2026-12-07T07:30:00Z", "reply": None,
    }


def test_each_review_resolves_its_clinic_and_policy_once(policy):
    policies, workflows = CountingPolicies(policy), Started()
    intake = IntakeService(MemoryReviews(), policies, Published(), workflows, lambda: NOW, cases=Cases())
    batch = [_review("neg-1", 1), _review("neg-2", 2), _review("pos-1", 5), _review("x", 1, clinic_id="nowhere")]
    report = intake.ingest(batch)
    assert report.new == 3 and report.escalations == 2 and len(report.rejected) == 1
    assert policies.lookups == len(batch)
