"""The embedded AWS lets go of moto's models after use (clinic_reviews_local/moto_instances.py)."""

from __future__ import annotations

import gc
import os
from unittest import mock

import boto3
from clinic_reviews_local import moto_speedups
from moto import mock_aws

_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "eu-central-1"}


def _live(cls: type) -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o) is cls)


def test_items_written_over_and_read_are_freed_but_s3_keys_stay_listed():
    from moto.dynamodb.models.dynamo_type import Item
    from moto.s3.models import FakeKey

    with mock.patch.dict(os.environ, _ENV), mock_aws(), moto_speedups.install():
        db = boto3.client("dynamodb", region_name="eu-central-1")
        db.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        for n in range(60):  # one item written over, read back and updated in a transaction, 60 times
            db.put_item(TableName="t", Item={"pk": {"S": "x"}, "n": {"N": str(n)}})
            db.query(TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "x"}})
            db.transact_write_items(TransactItems=[{"Update": {
                "TableName": "t", "Key": {"pk": {"S": "x"}}, "UpdateExpression": "SET m = :m",
                "ExpressionAttributeValues": {":m": {"N": str(n)}}}}])
        assert _live(Item) < 10  # the stored one (and a few in flight), not one per version and read
        s3 = boto3.client("s3", region_name="eu-central-1")
        s3.create_bucket(Bucket="bucket-b", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        s3.put_object(Bucket="bucket-b", Key="k", Body=b"1")
        assert len(FakeKey.instances_tracked) >= 1  # S3's reset closes its keys' buffers through this list
