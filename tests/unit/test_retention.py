"""The policy's `retention:` section and the S3 lifecycle rules that carry its S3 kinds (docs/retention.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from clinic_reviews.domain.policy import PolicyError, load_policy
from clinic_reviews.domain.retention import STACK_PARAMETERS, Retention
from clinic_reviews_local.template import load_template, project_root


def test_a_policy_without_the_section_gets_the_documented_defaults(policy):
    data = policy.to_data()
    data.pop("retention", None)
    assert load_policy(data).retention == Retention()
    assert Retention().reviews == 1095 and Retention().feedback == 30 and Retention().authors == 90


def test_bad_days_are_refused_with_their_path(policy):
    data = policy.to_data()
    data["retention"] = {"authors": 0, "forever": 1}
    with pytest.raises(PolicyError) as caught:
        load_policy(data)
    assert "retention.authors" in str(caught.value) and "retention.forever" in str(caught.value)


def test_private_complaints_and_public_reviews_expire_on_their_own_days():
    keep = Retention(reviews=10, complaints=3)
    received = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
    assert keep.review_expires("yandex", received) == int(datetime(2026, 12, 17, 7, 0, tzinfo=UTC).timestamp())
    assert keep.review_expires("visit_feedback", received) == int(datetime(2026, 12, 10, 7, 0, tzinfo=UTC).timestamp())
    assert keep.authors_received_on(date(2027, 3, 7)) == date(2026, 12, 7)


def test_every_s3_kind_has_a_template_parameter_with_the_same_default_and_a_lifecycle_rule():
    template = load_template(project_root() / "template.yaml")
    parameters = template["Parameters"]
    rules = template["Resources"]["ArchiveBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    by_parameter = {rule["ExpirationInDays"]["Ref"]: rule["Prefix"] for rule in rules if "ExpirationInDays" in rule}
    for kind, name in STACK_PARAMETERS.items():
        assert parameters[name]["Default"] == getattr(Retention(), kind), name
        assert name in by_parameter, f"no lifecycle rule uses {name}"
    assert {by_parameter[STACK_PARAMETERS[k]] for k in ("raw", "quarantine", "reviews")} == {"raw/", "quarantine/", "texts/"}
    assert sorted(r["Prefix"] for r in rules if r.get("ExpirationInDays") == {"Ref": "ReportRetentionDays"}) == [
        "digests/", "reports/",
    ]


def test_the_table_expires_items_on_the_attribute_the_store_writes():
    template = load_template(project_root() / "template.yaml")
    ttl = template["Resources"]["ReviewsTable"]["Properties"]["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": "expires_at", "Enabled": True}
