"""The demo's saved state (clinic_reviews_local/state.py): put back into moto's table as the earlier run left it, it
answers every read as that table did and is no news to the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest

from .conftest import START, review

LATER = START + timedelta(hours=2)


def _table(aws) -> dict:
    """Every item (Scan) and every day partition of gsi2 and open queue of gsi1 (Query), through the API."""
    ddb, name = aws.client("dynamodb"), aws.outputs["TableName"]
    items = [i for page in ddb.get_paginator("scan").paginate(TableName=name) for i in page["Items"]]
    partitions = {(index, value) for index in ("gsi1", "gsi2") for i in items if f"{index}pk" in i
                  for value in [i[f"{index}pk"]["S"]]}
    s3, bucket = aws.client("s3"), aws.outputs["ArchiveBucketName"]
    keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket) for o in page.get("Contents", [])]
    return {"items": sorted(items, key=lambda i: (i["pk"]["S"], i["sk"]["S"])),
            "by_index": {key: _query(aws, *key) for key in sorted(partitions)},
            "objects": {key: s3.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}}


def _query(aws, index: str, value: str) -> list[dict]:
    return aws.client("dynamodb").query(
        TableName=aws.outputs["TableName"], IndexName=index, KeyConditionExpression="#k = :v",
        ExpressionAttributeNames={"#k": f"{index}pk"}, ExpressionAttributeValues={":v": {"S": value}})["Items"]


def test_a_restored_state_reads_as_the_table_it_was_saved_from_and_publishes_nothing(policy, tmp_path):
    from clinic_reviews_local.api_calls import COUNTER
    from clinic_reviews_local.stack import LocalStack
    from clinic_reviews_local.state import load_state, save_state

    with LocalStack(start=START) as aws:
        aws.put_policy(policy)
        aws.invoke("IntakeFunction", {"reviews": [review("s-1"), review("s-2", rating=5, text="Спасибо доктору!")]})
        aws.advance_to(LATER)
        aws.client("s3").put_object(Bucket=aws.outputs["ArchiveBucketName"], Key="digests/x/2026-12-06.html", Body=b"<p>")
        saved = _table(aws)
        assert saved["objects"]["digests/x/2026-12-06.html"] == b"<p>"
        save_state(tmp_path, aws, START, LATER)
        later = LATER + timedelta(days=400)  # past every TTL the intake set (idempotency records, ...)
        swept = aws.expiry.sweep(later)
        left = _table(aws)["items"]
    assert swept.items and len(left) < len(saved["items"])  # something was due: the sweep below is tested

    with LocalStack(start=LATER) as aws:
        assert not any(_query(aws, *key) for key in saved["by_index"])  # read before: the indexes take the restored
        COUNTER.reset()
        load_state(tmp_path).restore(aws)
        aws.settle()
        assert not COUNTER.snapshot()  # no stream record reached the outbox: nothing ran, nothing was published again
        assert _table(aws) == saved
        assert aws.expiry.sweep(later) == swept and _table(aws)["items"] == left  # the TTL sweep finds the same


def test_a_saved_item_without_the_tables_key_is_refused_by_name(policy, tmp_path):
    import json

    from clinic_reviews_local.stack import LocalStack
    from clinic_reviews_local.state import STATE_FILE, load_state, save_state

    with LocalStack(start=START) as aws:
        aws.put_policy(policy)
        save_state(tmp_path, aws, START, LATER)
        path = tmp_path / STATE_FILE
        data = json.loads(path.read_text())
        data["items"][0]["sk"] = {"N": "1"}
        path.write_text(json.dumps(data))
        with pytest.raises(ValueError, match="item 1 has no sk of type S"):
            load_state(tmp_path).restore(aws)
