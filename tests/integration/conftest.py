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
