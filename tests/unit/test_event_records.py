"""The S3 and SNS records the import, inbound e-mail and inbound SMS functions read (event_records.py) are what
Powertools' data classes, which those handlers used before, read from the same events."""

from __future__ import annotations

import pytest
from aws_lambda_powertools.utilities.data_classes import S3Event, SNSEvent
from clinic_reviews.event_records import s3_objects, sns_messages
from hypothesis import given
from hypothesis import strategies as st


def _s3_record(bucket: str, key: str, size: int | str, field: str = "object") -> dict:
    return {"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "eu-central-1",
            "eventName": "ObjectCreated:Put",
            "s3": {"s3SchemaVersion": "1.0", "configurationId": "imports", "bucket": {"name": bucket,
                   "arn": f"arn:aws:s3:::{bucket}"}, field: {"key": key, "size": size, "eTag": "0", "sequencer": "1"}}}


def _theirs_s3(event: dict) -> list[tuple[str, str, int]]:
    # the handlers' own unquote_plus before; S3Object.key itself is the raw key
    from urllib.parse import unquote_plus

    return [(r.s3.bucket.name, unquote_plus(r.s3.get_object.key), r.s3.get_object.size) for r in S3Event(event).records]


@pytest.mark.parametrize("key", ["imports/c1/reviews.csv", "imports/c1/a+b%C3%A9.csv", "inbound-mail/x%2By", "a%20b+c",
                                 "%", "%zz", "imports/c1/+++", ""])
def test_an_s3_key_reads_as_powertools_read_it(key):
    event = {"Records": [_s3_record("bucket-1", key, 12), _s3_record("b2", key, "7", field="get_object")]}
    assert list(s3_objects(event)) == _theirs_s3(event)


@given(st.lists(st.tuples(st.text(min_size=1, max_size=20), st.text(max_size=40), st.integers(0, 2**40)), max_size=4))
def test_any_s3_records_read_as_powertools_read_them(records):
    event = {"Records": [_s3_record(bucket, key, size) for bucket, key, size in records]}
    assert list(s3_objects(event)) == _theirs_s3(event)


@given(st.lists(st.text(max_size=60), max_size=4))
def test_sns_messages_read_as_powertools_read_them(messages):
    event = {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
                          "Sns": {"Type": "Notification", "MessageId": "m", "TopicArn": "arn:aws:sns:eu-central-1:1:t",
                                  "Message": message, "Timestamp": "2026-12-07T10:00:00.000Z"}} for message in messages]}
    assert list(sns_messages(event)) == [r.sns.message for r in SNSEvent(event).records]


@pytest.mark.parametrize("event", [{}, {"Records": [{}]}, {"Records": [{"s3": {"bucket": {"name": "b"}}}]},
                                   {"Records": [{"s3": {"bucket": {"name": "b"}, "object": {"key": "k"}}}]}])
def test_a_broken_s3_event_fails_as_it_did(event):
    with pytest.raises(KeyError):
        list(s3_objects(event))
    with pytest.raises(KeyError):
        _theirs_s3(event)
