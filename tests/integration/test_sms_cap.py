"""The daily SMS cap is charged once per delivery: a retried step (same delivery key) is not counted again."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

pytestmark = pytest.mark.integration


def test_a_retried_delivery_is_not_charged_twice(aws):
    from clinic_reviews.store.counters import Counters

    counters, day = Counters(), date(2026, 12, 7)
    assert counters.take("zdorovie", "sms", day, 2, once="exec-1:manager:review_manager:sms")
    assert counters.take("zdorovie", "sms", day, 2, once="exec-1:manager:review_manager:sms")  # the retry: allowed
    assert counters.value("zdorovie", "sms", day) == 1  # and not counted again
    assert counters.take("zdorovie", "sms", day, 2, once="exec-2:manager:review_manager:sms")
    assert not counters.take("zdorovie", "sms", day, 2, once="exec-3:manager:review_manager:sms")  # over the cap
    assert counters.take("zdorovie", "sms", day, 2, once="exec-1:manager:review_manager:sms")  # charged before
    assert counters.value("zdorovie", "sms", day) == 2


def test_a_step_retried_after_its_sms_went_out_charges_the_cap_once(aws, monkeypatch):
    """SES fails after the SMS was sent: Step Functions retries the step, which must not count the SMS again."""
    from clinic_reviews.store.counters import Counters
    from moto.ses.models import SESBackend

    from .conftest import review

    original, failures = SESBackend.send_raw_email, []

    def flaky(self, *args, **kwargs):
        if not failures:
            failures.append(1)
            raise RuntimeError("SES is having a moment")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SESBackend, "send_raw_email", flaky)
    aws.invoke("IntakeFunction", {"reviews": [review()]})
    aws.advance_to(aws.clock.now() + timedelta(minutes=1))  # the step's retry interval elapses on the virtual clock
    assert failures == [1] and aws.lambdas.invocations[aws.physical("EscalateFunction")] == 2  # it was retried
    assert len(aws.sent_sms()) == 1
    assert Counters().value("zdorovie", "sms", date(2026, 12, 7)) == 1
