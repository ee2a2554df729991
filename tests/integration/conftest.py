"""Integration fixtures: template.yaml deployed into the embedded local AWS, the sample policy stored."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

pytestmark = pytest.mark.integration

#: Monday 2026-12-07, 10:00 in Moscow.
START = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


@pytest.fixture
def aws(policy):
    from clinic_reviews_local.stack import LocalStack

    with LocalStack(start=START) as stack:
        stack.put_policy(policy)
        yield stack


@pytest.fixture
def stack_at(policy):
    """A factory: `with stack_at(moment, policy=...) as aws:` deploys with the clock at `moment`."""
    from contextlib import contextmanager

    from clinic_reviews_local.stack import LocalStack

    @contextmanager
    def make(moment: datetime, chain_policy=None):
        with LocalStack(start=moment) as stack:
            stack.put_policy(chain_policy or policy)
            yield stack

    return make


class Recorder:
    """Collects what the stack sends, stamped with the virtual time it went out."""

    def __init__(self, aws):
        self.aws = aws
        self.sms: list[tuple[datetime, str, str]] = []
        self.emails: list[tuple[datetime, list[str], str]] = []

    def __call__(self) -> None:
        now = self.aws.clock.now()
        self.sms += [(now, phone, text) for phone, text in self.aws.sent_sms(len(self.sms))]
        self.emails += [(now, m.destinations, m.subject) for m in self.aws.sent_emails(len(self.emails))]

    def advance_to(self, moment: datetime) -> None:
        self.aws.advance_to(moment, on_step=self)


def review(external_id: str = "r-1", **overrides) -> dict:
    data = {
        "clinic_id": "msk-arbat",
        "source": "yandex",
        "external_id": external_id,
        "rating": 1,
        "text": "Администратор нахамила, ждали приёма больше часа",
        "author": "Мария Иванова",
        "created_at": "2026-12-07T06:55:00Z",
        "url": f"https://yandex.example/reviews/{external_id}",
    }
    data.update(overrides)
    return data
