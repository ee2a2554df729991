"""Keeping the local stack's data between demo runs (DIR/.state/state.json).

What persists is what persists on AWS between two polls: the table's items (reviews, history,
idempotency records, counters) and the archive bucket's objects. The dump reads moto's table
directly rather than Scanning it through the API, and the restore puts the items back into it
the same way: this is harness plumbing, not a product path. The restored items are the table as
the earlier run left it, not new writes (on AWS they were written, and their stream records
delivered, in that run), so they make no stream records for the outbox to publish again.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from clinic_reviews_local.deployer import ACCOUNT

STATE_FILE = Path(".state") / "state.json"
VERSION = 2


@dataclass
class SavedState:
    start: datetime
    end: datetime
    items: list[dict[str, Any]]
    objects: dict[str, str]

    def restore(self, aws) -> None:
        from moto.s3.models import s3_backends

        put_items(_table(aws), self.items)
        s3, bucket = s3_backends[ACCOUNT]["global"], aws.outputs["ArchiveBucketName"]
        for key, body in self.objects.items():  # stamped with the clock's time, as any object written now
            s3.put_object(bucket, key, base64.b64decode(body), disable_notification=True)


def _table(aws) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[ACCOUNT][aws.stack.region].get_table(aws.outputs["TableName"])


def put_items(table, items: list[dict[str, Any]]) -> None:
    """Put dumped items (DynamoDB's JSON, as `save_state` wrote them) into moto's `table` as they were: no stream
    record, no condition. ValueError for an item without the table's key, of the key's types."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    from clinic_reviews_local.dynamodb_index import index_of

    keys = [(table.hash_key_attr, table.hash_key_type), (table.range_key_attr, table.range_key_type)]
    for number, attrs in enumerate(items, 1):
        hash_value, range_value = (
            DynamoType(attrs[name]) if name is not None and isinstance(attrs.get(name), dict) else None
            for name, _ in keys
        )
        for value, (name, kind) in zip((hash_value, range_value), keys):
            if name is not None and (value is None or value.type != kind):
                raise ValueError(f"{STATE_FILE}: item {number} has no {name} of type {kind}")
        item = Item(hash_value, range_value, attrs)
        if range_value is None:
            table.items[hash_value] = item
        else:
            table.items[hash_value][range_value] = item
    index_of(table).touched_all()  # the Query index and the TTL heap file every item again


def load_state(out: Path) -> SavedState | None:
    path = out / STATE_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("version") != VERSION:
        return None
    return SavedState(
        datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["end"]), data["items"], data["objects"]
    )


def save_state(out: Path, aws, start: datetime, end: datetime) -> None:
    from moto.s3.models import s3_backends

    table = _table(aws)
    items = [item.to_json()["Attributes"] for item in table.all_items()]
    bucket = s3_backends[ACCOUNT]["global"].get_bucket(aws.outputs["ArchiveBucketName"])
    objects = {key: base64.b64encode(obj.value).decode() for key, obj in bucket.keys.items() if obj is not None}
    path = out / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"version": VERSION, "start": start.isoformat(), "end": end.isoformat(), "items": items, "objects": objects}
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
