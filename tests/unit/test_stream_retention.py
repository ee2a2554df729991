"""The local table stream keeps what DynamoDB Streams keeps: 24 hours of records, on the virtual clock (streams.py)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from unittest import mock

import boto3
from clinic_reviews_local import streams
from moto import mock_aws

_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "eu-central-1"}


class Clock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment


def _stream(clock: Clock):
    db = boto3.client("dynamodb", region_name="eu-central-1")
    db.create_table(
        TableName="t", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    arn = db.describe_table(TableName="t")["Table"]["LatestStreamArn"]
    reader = boto3.client("dynamodbstreams", region_name="eu-central-1")
    shard = reader.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]

    def read(**where):
        where = where or {"ShardIteratorType": "TRIM_HORIZON"}
        iterator = reader.get_shard_iterator(StreamArn=arn, ShardId=shard, **where)["ShardIterator"]
        return reader.get_records(ShardIterator=iterator, Limit=1000)["Records"]

    return db, read


def test_records_older_than_a_day_of_virtual_time_are_trimmed_and_numbers_go_on():
    clock = Clock()
    with mock.patch.dict(os.environ, _ENV), mock_aws(), streams.retention(clock.now):
        db, read = _stream(clock)
        for hour in range(30):  # one write an hour for 30 hours
            db.put_item(TableName="t", Item={"pk": {"S": f"item-{hour}"}})
            clock.moment += timedelta(hours=1)
        records = read()
        kept = [r["dynamodb"]["Keys"]["pk"]["S"] for r in records]
        # the last write was at hour 29: the ones written 24 hours or less before it are kept
        assert kept == [f"item-{h}" for h in range(5, 30)]
        numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
        assert numbers == list(range(numbers[0], numbers[0] + 25))  # still one per write, in order
        created = records[0]["dynamodb"]["ApproximateCreationDateTime"]
        assert created.astimezone(UTC) == datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # the virtual time of item-5
        # a reader whose checkpoint was trimmed reads from the oldest record kept
        behind = read(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=str(numbers[0] - 3))
        assert [r["dynamodb"]["SequenceNumber"] for r in behind] == [str(n) for n in numbers]


def test_only_the_newest_shard_iterators_are_kept():
    clock = Clock()
    with mock.patch.dict(os.environ, _ENV), mock_aws(), streams.retention(clock.now):
        db, read = _stream(clock)
        db.put_item(TableName="t", Item={"pk": {"S": "x"}})
        for _ in range(streams.MAX_ITERATORS + 50):
            read()
        from moto.dynamodbstreams.models import dynamodbstreams_backends

        assert len(dynamodbstreams_backends["123456789012"]["eu-central-1"].shard_iterators) == streams.MAX_ITERATORS
