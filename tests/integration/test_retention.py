"""Retention on the virtual clock (docs/retention.md): the local TTL sweeper deletes what DynamoDB's TTL would,
lifecycle rules expire S3 objects, and the daily run after the digest removes authors' names past their days."""

from __future__ import annotations

from datetime import timedelta

from clinic_reviews.domain.retention import Retention

from .conftest import START, review

KEEP = Retention(reviews=5, authors=2)


def _item(aws, external_id: str, source: str = "yandex"):
    key = {"pk": {"S": "CLINIC#msk-arbat"}, "sk": {"S": f"REVIEW#{source}#{external_id}"}}
    return aws.client("dynamodb").get_item(TableName=aws.outputs["TableName"], Key=key).get("Item")


def _history(aws, external_id: str) -> list:
    found = aws.client("dynamodb").query(
        TableName=aws.outputs["TableName"],
        KeyConditionExpression="pk = :pk AND begins_with(sk, :sk)",
        ExpressionAttributeValues={":pk": {"S": "CLINIC#msk-arbat"}, ":sk": {"S": f"HIST#yandex#{external_id}#"}},
    )
    return found["Items"]


def _positive(external_id: str, at) -> dict:
    return review(external_id, rating=5, text="Спасибо доктору!", created_at=at.strftime("%Y-%m-%dT%H:%M:%SZ"))


def test_an_expired_review_is_gone_and_an_unexpired_one_kept(stack_at, policy):
    with stack_at(START, policy.evolve(retention=KEEP)) as aws:
        aws.invoke("IntakeFunction", {"reviews": [_positive("old", START)]})
        aws.invoke("IntakeFunction", {"reviews": [{**_positive("old", START), "text": "Спасибо! Правка."}]})  # history
        expires = str(int((START + timedelta(days=5)).timestamp()))
        assert _item(aws, "old")["expires_at"]["N"] == expires
        assert [h["expires_at"]["N"] for h in _history(aws, "old")] == [expires]
        aws.advance_to(START + timedelta(days=3))
        aws.invoke("IntakeFunction", {"reviews": [_positive("new", START + timedelta(days=3))]})
        aws.advance_to(START + timedelta(days=5, minutes=-1))
        assert _item(aws, "old") is not None  # not yet
        aws.advance_to(START + timedelta(days=5, minutes=1))
        assert _item(aws, "old") is None and _history(aws, "old") == []
        assert _item(aws, "new") is not None and _history(aws, "new")


def test_authors_names_are_removed_after_their_days_and_the_review_stays(stack_at, policy):
    with stack_at(START, policy.evolve(retention=KEEP)) as aws:
        aws.invoke("IntakeFunction", {"reviews": [_positive("first", START)]})
        aws.advance_to(START + timedelta(days=1))
        aws.invoke("IntakeFunction", {"reviews": [_positive("second", START + timedelta(days=1))]})
        aws.advance_to(START.replace(hour=5) + timedelta(days=2))  # 08:00 in Moscow, two days on
        result = aws.run_schedule("DigestFunctionMorning")
        assert result["authors_removed"] == 1
        assert "author" not in _item(aws, "first") and _item(aws, "first")["text"]["S"] == "Спасибо доктору!"
        assert _item(aws, "second")["author"]["S"] == "Мария Иванова"
        assert aws.run_schedule("DigestFunctionMorning")["authors_removed"] == 0  # idempotent
        # the same review fetched again later does not bring the name back
        aws.invoke("IntakeFunction", {"reviews": [{**_positive("first", START), "text": "Спасибо доктору! Правка."}]})
        assert "author" not in _item(aws, "first") and "Правка" in _item(aws, "first")["text"]["S"]


def test_lifecycle_rules_expire_objects_per_prefix(aws):
    s3, bucket = aws.client("s3"), aws.outputs["ArchiveBucketName"]
    for key in ("quarantine/x.json", "digests/zdorovie/2026-12-06.html", "raw/google/x.json"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"{}")
    aws.advance_to(START + timedelta(days=30))
    assert aws.expire().objects == 0  # 30 days counted from the next midnight UTC after the write
    aws.advance_to(START + timedelta(days=31))
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    assert "quarantine/x.json" not in keys
    assert {"digests/zdorovie/2026-12-06.html", "raw/google/x.json"} <= keys
