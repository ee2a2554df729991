"""A poison item (one the table refuses: a 600 KB author name) is put aside, never blocking its feed:
raw to S3 under quarantine/, an event on the bus, counted for the digest's health line; the feed's other
reviews are stored, its cursor moves, the other feeds go on; a re-poll does not announce it twice."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from clinic_reviews_local.api_calls import paused
from clinic_reviews_local.platforms import FakePlatforms

from .test_fetch_pipeline import CREDENTIALS, GOOGLE, PIPE, TWOGIS, feed, fetch, stored
from .test_intake_flow import _tap

pytestmark = pytest.mark.integration


@pytest.fixture
def poisoned(aws, tmp_path: Path):
    page = json.loads((PIPE / "google_page1.json").read_text(encoding="utf-8"))
    second = page["reviews"][1]
    second["reviewer"] = {"displayName": "я" * 300_000}  # the item would be over DynamoDB's 400 KB
    path = tmp_path / "google_page1_poisoned.json"
    path.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
    fake = FakePlatforms()
    fake.load("google", "4567891234567890123", path, PIPE / "google_page2.json")
    fake.load("2gis", "70000001012345678", PIPE / "twogis_page1.json", PIPE / "twogis_page2.json")
    fake.load("vk", ("wall", 123456, 42), PIPE / "vk_wall_post42.json")
    aws.serve_http(fake.transport())
    aws.put_secret("SourcesSecret", CREDENTIALS)
    return second["reviewId"]


def _quarantined_objects(aws) -> list[str]:
    with paused():
        listing = aws.client("s3").list_objects_v2(Bucket=aws.outputs["ArchiveBucketName"], Prefix="quarantine/")
    return [o["Key"] for o in listing.get("Contents", [])]


def test_a_feed_whose_second_item_is_poison_moves_on(aws, poisoned):
    tap = _tap(aws)
    report = fetch(aws)
    google = feed(report, GOOGLE)
    assert google["status"] == "ok" and report["failed"] == 0
    assert google["new"] == 4 and google["quarantined"] == 1  # the other four Google reviews are stored
    assert feed(report, TWOGIS)["new"] == 4  # and the other feeds go on
    ids = {r["external_id"] for r in stored(aws, "msk-arbat", "google")}
    assert poisoned not in ids and len(ids) == 4
    [key] = _quarantined_objects(aws)
    assert key.startswith("quarantine/2026-12-07/msk-arbat/google/") and key.endswith(".json")
    with paused():
        raw = json.loads(aws.client("s3").get_object(Bucket=aws.outputs["ArchiveBucketName"], Key=key)["Body"].read())
    assert raw["external_id"] == poisoned  # the raw item, to replay once the cause is fixed
    events = [e for e in tap() if e["detail-type"] == "review.quarantined"]
    assert len(events) == 1 and events[0]["detail"]["object_key"] == key
    assert "я" * 10 not in json.dumps(events[0])  # the event carries no content

    second = fetch(aws)  # a re-poll meets it again: put aside again, announced and counted once a day
    assert feed(second, GOOGLE)["status"] == "ok" and feed(second, GOOGLE)["new"] == 0
    assert len(_quarantined_objects(aws)) == 1
    assert not [e for e in tap() if e["detail-type"] == "review.quarantined"]


def test_the_digest_counts_what_was_put_aside(aws, poisoned):
    fetch(aws)
    aws.advance_to(datetime(2026, 12, 8, 5, 0, tzinfo=UTC))  # 08:00 in Moscow the next day
    from clinic_reviews.handlers import digest as digest_handler

    digest, email = digest_handler.services().service.build("zdorovie", date(2026, 12, 7))
    assert digest.quarantined == 1
    assert "1" in email.text and ("карантин" in email.text or "put aside" in email.text)
