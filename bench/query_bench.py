"""A Query's cost against the table's size in the embedded DynamoDB, with moto's own Query and with the local stack's.

    nice -n 10 .venv/bin/python bench/query_bench.py

A table shaped like ours (reviews in CLINIC# partitions, a gsi2 by day) is filled with 2,000 and then 20,000
reviews of 16 clinics, 20 a day (written straight into moto's table: the writes are not what is measured). Then
the same Queries run through boto3, their answers the same size at both sizes: one day on gsi2 (what the digest,
insights and retention read) and one review's items by key prefix in its clinic's partition (a review's history). Printed: milliseconds per Query at each size and the ratio
20,000 / 2,000 (1.0: the Query does not grow with the table; DynamoDB reads the partition), for moto 5.2.5 as it
is and with clinic_reviews_local.moto_speedups (dynamodb_index.py).
"""

from __future__ import annotations

import os
import time
from unittest import mock

SIZES = (2_000, 20_000)
QUERIES = 10
_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "eu-central-1"}


def _fill(table, start: int, stop: int) -> None:
    for n in range(start, stop):
        table.put_item({"pk": {"S": f"CLINIC#c{n % 16:02d}"}, "sk": {"S": f"REVIEW#google#r{n:06d}"},
                        "gsi2pk": {"S": f"DAY#chain#{n // 20:04d}"}, "gsi2sk": {"S": f"r{n:06d}"},
                        "text": {"S": "Спасибо доктору, всё объяснили"}, "rating": {"N": "5"}})


def _per_query(db, **query) -> float:
    """Milliseconds per Query; one first, untimed (the index files the writes made since the last Query then)."""
    list(db.get_paginator("query").paginate(TableName="t", **query))
    started = time.perf_counter()
    for _ in range(QUERIES):
        pages = db.get_paginator("query").paginate(TableName="t", **query)
        assert sum(len(p["Items"]) for p in pages) > 0
    return (time.perf_counter() - started) / QUERIES * 1000


def run(fast: bool) -> dict[str, list[float]]:
    import boto3
    from clinic_reviews_local import moto_speedups
    from moto import mock_aws
    from moto.dynamodb.models import dynamodb_backends

    timings: dict[str, list[float]] = {"gsi2 day": [], "clinic prefix": []}
    with mock.patch.dict(os.environ, _ENV), mock_aws():
        patches = moto_speedups.install() if fast else None
        try:
            db = boto3.client("dynamodb", region_name="eu-central-1")
            db.create_table(
                TableName="t", BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "gsi2pk", "gsi2sk")],
                GlobalSecondaryIndexes=[{"IndexName": "gsi2", "Projection": {"ProjectionType": "ALL"},
                                         "KeySchema": [{"AttributeName": "gsi2pk", "KeyType": "HASH"},
                                                       {"AttributeName": "gsi2sk", "KeyType": "RANGE"}]}],
            )
            table = dynamodb_backends["123456789012"]["eu-central-1"].get_table("t")
            filled = 0
            for size in SIZES:
                _fill(table, filled, size)
                filled = size
                timings["gsi2 day"].append(_per_query(
                    db, IndexName="gsi2", KeyConditionExpression="gsi2pk = :d",
                    ExpressionAttributeValues={":d": {"S": "DAY#chain#0042"}}))
                timings["clinic prefix"].append(_per_query(
                    db, KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
                    ExpressionAttributeValues={":p": {"S": "CLINIC#c07"}, ":s": {"S": "REVIEW#google#r0000"}}))
        finally:
            if patches is not None:
                patches.close()
    return timings


def main() -> None:
    print(f"ms per Query at {SIZES[0]:,} and {SIZES[1]:,} items, and the ratio (1.0: flat)")
    for label, fast in (("moto 5.2.5", False), ("local stack", True)):
        for query, (small, large) in run(fast).items():
            print(f"  {label:<12} {query:<14} {small:8.1f} {large:8.1f}   x{large / small:.2f}")


if __name__ == "__main__":
    main()
