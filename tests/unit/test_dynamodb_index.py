"""Query by partition answers exactly what moto answers by reading the whole table (clinic_reviews_local/dynamodb_index.py).

A seeded random history of writes (puts, in-place updates that move an item between index partitions or out of an
index, deletes, batch writes, transactions that succeed and that fail and roll back) runs against plain moto and
against moto with the local stack's speedups; after each round the same Queries (table, local and global secondary
indexes, key conditions, reverse order, pages, filters) must get the same answers.
"""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime, timedelta
from unittest import mock

import boto3
import pytest
from clinic_reviews_local import dynamodb_index, moto_speedups
from moto import mock_aws

_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "eu-central-1"}
PARTITIONS = ["CLINIC#a", "CLINIC#b", "CLINIC#c"]
DAYS = ["DAY#1", "DAY#2", "DAY#3"]


def _table(db) -> None:
    attrs = (("pk", "S"), ("sk", "S"), ("gsi1pk", "S"), ("gsi1sk", "S"), ("gsi2pk", "S"), ("lsk", "N"))
    db.create_table(
        TableName="t", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in attrs],
        GlobalSecondaryIndexes=[
            {"IndexName": "gsi1", "Projection": {"ProjectionType": "ALL"},
             "KeySchema": [{"AttributeName": "gsi1pk", "KeyType": "HASH"}, {"AttributeName": "gsi1sk", "KeyType": "RANGE"}]},
            {"IndexName": "gsi2", "Projection": {"ProjectionType": "KEYS_ONLY"},
             "KeySchema": [{"AttributeName": "gsi2pk", "KeyType": "HASH"}]},
        ],
        LocalSecondaryIndexes=[
            {"IndexName": "lsi", "Projection": {"ProjectionType": "ALL"},
             "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "lsk", "KeyType": "RANGE"}]},
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )


def _item(rng: random.Random, n: int) -> dict:
    item = {"pk": {"S": rng.choice(PARTITIONS)}, "sk": {"S": f"REVIEW#{rng.randrange(40):03d}"}, "n": {"N": str(n)}}
    if rng.random() < 0.7:
        item |= {"gsi1pk": {"S": rng.choice(("OPEN#a", "OPEN#b"))}, "gsi1sk": {"S": f"{rng.randrange(100):03d}"}}
    if rng.random() < 0.8:
        item["gsi2pk"] = {"S": rng.choice(DAYS)}
    if rng.random() < 0.5:
        item["lsk"] = {"N": str(rng.randrange(-5, 50))}
    return item


def _key(rng: random.Random) -> dict:
    return {"pk": {"S": rng.choice(PARTITIONS)}, "sk": {"S": f"REVIEW#{rng.randrange(40):03d}"}}


def _write(db, rng: random.Random, n: int) -> None:
    kind = rng.choice(("put", "put", "update", "update", "delete", "batch", "transaction", "failing"))
    if kind == "put":
        db.put_item(TableName="t", Item=_item(rng, n))
    elif kind == "update":  # moves the item between gsi1/gsi2 partitions, or out of gsi1, in place
        moves = rng.choice(("SET gsi1pk = :g, gsi2pk = :d", "REMOVE gsi1pk", "SET n = :n"))
        values = {":g": {"S": rng.choice(("OPEN#a", "OPEN#b"))}, ":d": {"S": rng.choice(DAYS)}, ":n": {"N": str(n)}}
        used = {k: v for k, v in values.items() if k in moves}
        db.update_item(TableName="t", Key=_key(rng), UpdateExpression=moves, **({"ExpressionAttributeValues": used} if used else {}))
    elif kind == "delete":
        db.delete_item(TableName="t", Key=_key(rng))
    elif kind == "batch":
        keys = {(i["pk"]["S"], i["sk"]["S"]): i for i in (_item(rng, n * 100 + j) for j in range(4))}
        db.batch_write_item(RequestItems={"t": [{"PutRequest": {"Item": i}} for i in keys.values()]})
    else:
        put = _item(rng, n)
        update = {"Update": {"TableName": "t", "Key": _key(rng), "UpdateExpression": "SET gsi2pk = :d",
                             "ExpressionAttributeValues": {":d": {"S": rng.choice(DAYS)}}}}
        if (update["Update"]["Key"]["pk"], update["Update"]["Key"]["sk"]) == (put["pk"], put["sk"]):
            return
        entries = [{"Put": {"TableName": "t", "Item": put}}, update]
        if kind == "failing":
            entries.append({"ConditionCheck": {"TableName": "t", "Key": {"pk": {"S": "nowhere"}, "sk": {"S": "x"}},
                                               "ConditionExpression": "attribute_exists(pk)"}})
        try:
            db.transact_write_items(TransactItems=entries)
        except db.exceptions.TransactionCanceledException:
            assert kind == "failing"


def _pages(db, **query) -> list:
    pages, start = [], None
    while True:
        answer = db.query(TableName="t", **query, **({"ExclusiveStartKey": start} if start else {}))
        answer.pop("ResponseMetadata", None)
        pages.append(answer)
        start = answer.get("LastEvaluatedKey")
        if not start:
            return pages


def _queries(db) -> list:
    seen = []
    for pk in PARTITIONS:
        values = {":p": {"S": pk}}
        seen += _pages(db, KeyConditionExpression="pk = :p", ExpressionAttributeValues=values)
        seen += _pages(db, KeyConditionExpression="pk = :p", ExpressionAttributeValues=values, ScanIndexForward=False, Limit=3)
        seen += _pages(db, KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
                       ExpressionAttributeValues=values | {":s": {"S": "REVIEW#01"}})
        seen += _pages(db, KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b", Limit=4,
                       ExpressionAttributeValues=values | {":a": {"S": "REVIEW#005"}, ":b": {"S": "REVIEW#030"}})
        seen += _pages(db, IndexName="lsi", KeyConditionExpression="pk = :p AND lsk > :z",
                       ExpressionAttributeValues=values | {":z": {"N": "3"}})
    for g in ("OPEN#a", "OPEN#b", "OPEN#none"):
        values = {":g": {"S": g}}
        seen += _pages(db, IndexName="gsi1", KeyConditionExpression="gsi1pk = :g", ExpressionAttributeValues=values, Limit=5)
        seen += _pages(db, IndexName="gsi1", KeyConditionExpression="gsi1pk = :g AND gsi1sk < :s", ScanIndexForward=False,
                       ExpressionAttributeValues=values | {":s": {"S": "050"}})
    for day in DAYS:
        seen += _pages(db, IndexName="gsi2", KeyConditionExpression="gsi2pk = :d", Limit=7,
                       ExpressionAttributeValues={":d": {"S": day}})
        seen += _pages(db, IndexName="gsi2", KeyConditionExpression="gsi2pk = :d", FilterExpression="n > :n",
                       ExpressionAttributeValues={":d": {"S": day}, ":n": {"N": "20"}})
    return seen


def _history(seed: int, fast: bool) -> list:
    with mock.patch.dict(os.environ, _ENV), mock_aws():
        patches = moto_speedups.install() if fast else None
        try:
            db = boto3.client("dynamodb", region_name="eu-central-1")
            _table(db)
            rng, seen = random.Random(seed), []
            for round_ in range(6):
                for n in range(15):
                    _write(db, rng, round_ * 100 + n)
                seen.append(_queries(db))
            return seen
        finally:
            if patches is not None:
                patches.close()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_queries_answer_what_moto_answers_through_a_history_of_writes(seed):
    plain, fast = _history(seed, fast=False), _history(seed, fast=True)
    assert sum(len(p.get("Items", [])) for r in plain for p in r) > 100  # the queries found things to compare
    for round_, (expected, got) in enumerate(zip(plain, fast, strict=True)):
        assert got == expected, f"round {round_}"


def test_a_query_reads_its_partition_not_the_table():
    """The candidates of a Query are its partition's items: the other partitions are never looked at."""
    with mock.patch.dict(os.environ, _ENV), mock_aws(), moto_speedups.install():
        db = boto3.client("dynamodb", region_name="eu-central-1")
        _table(db)
        for n in range(30):
            db.put_item(TableName="t", Item={"pk": {"S": f"P{n % 3}"}, "sk": {"S": f"{n:02d}"}, "gsi2pk": {"S": f"D{n % 5}"}})
        from moto.dynamodb.models import dynamodb_backends

        table = dynamodb_backends["123456789012"]["eu-central-1"].get_table("t")
        found = dynamodb_index.candidates(table, None, "gsi2", [("gsi2pk", _dynamo("D1"))])
        assert sorted(i.range_key.value for i in found) == ["01", "06", "11", "16", "21", "26"]
        assert len(dynamodb_index.candidates(table, _dynamo("P2"), None, None)) == 10
        db.update_item(TableName="t", Key={"pk": {"S": "P1"}, "sk": {"S": "01"}}, UpdateExpression="SET gsi2pk = :d",
                       ExpressionAttributeValues={":d": {"S": "D2"}})
        found = dynamodb_index.candidates(table, None, "gsi2", [("gsi2pk", _dynamo("D1"))])
        assert "01" not in [i.range_key.value for i in found]


def _dynamo(text: str):
    from moto.dynamodb.models.dynamo_type import DynamoType

    return DynamoType({"S": text})


def test_the_ttl_sweep_deletes_exactly_the_items_due():
    """The local TTL sweep (expiry.py) reads the items due from the index: the same items a look at every item finds."""
    from clinic_reviews_local.expiry import Expiry, _ttl_passed
    from moto.dynamodb.models import dynamodb_backends

    base = datetime(2026, 12, 1, tzinfo=UTC)
    with mock.patch.dict(os.environ, _ENV), mock_aws(), moto_speedups.install():
        db = boto3.client("dynamodb", region_name="eu-central-1")
        _table(db)
        db.update_time_to_live(TableName="t", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"})
        rng, swept = random.Random(7), 0
        for day in range(1, 12):
            for n in range(12):
                _write(db, rng, day * 100 + n)
                key = _key(rng)
                ttl = {"N": str(int((base + timedelta(days=rng.randrange(0, 14))).timestamp()))}
                db.update_item(TableName="t", Key=key, UpdateExpression="SET expires_at = :e",
                               ExpressionAttributeValues={":e": ttl})
            moment = base + timedelta(days=day)
            table = dynamodb_backends["123456789012"]["eu-central-1"].get_table("t")  # a rollback swaps the object
            every = {(i.hash_key.value, i.range_key.value) for i in table.all_items()
                     if _ttl_passed(i.attrs.get("expires_at"), moment.timestamp())}
            swept += Expiry("eu-central-1", ["t"], []).sweep(moment).items
            table = dynamodb_backends["123456789012"]["eu-central-1"].get_table("t")
            left = {(i.hash_key.value, i.range_key.value) for i in table.all_items()}
            assert not every & left, f"day {day}: due items were left"
        assert swept > 10 and len(left) > 20  # items expired, others stayed
