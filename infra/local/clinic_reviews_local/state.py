"""Keeping the local stack's data between demo runs (DIR/.state/state.json).

What persists is what persists on AWS between two polls: the table's items (reviews, history,
idempotency records, counters) and the archive bucket's objects. The dump reads moto's table
directly rather than Scanning it through the API: this is harness plumbing, not a product path.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from clinic_reviews_local.api_calls import paused
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
        table = aws.outputs["TableName"]
        bucket = aws.outputs["ArchiveBucketName"]
        ddb, s3 = aws.client("dynamodb"), aws.client("s3")
        with paused():
            for start in range(0, len(self.items), 25):
                chunk = [{"PutRequest": {"Item": item}} for item in self.items[start : start + 25]]
                ddb.batch_write_item(RequestItems={table: chunk})
            for key, body in self.objects.items():
                s3.put_object(Bucket=bucket, Key=key, Body=base64.b64decode(body))
        # On AWS these items were written, and their stream records delivered, in the earlier run: the outbox's poller
        # must not take the restoring writes for new ones (it would publish every stored change again).
        aws.lambdas.skip_stream_backlog()


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
    from moto.dynamodb.models import dynamodb_backends
    from moto.s3.models import s3_backends

    table = dynamodb_backends[ACCOUNT][aws.stack.region].get_table(aws.outputs["TableName"])
    items = [item.to_json()["Attributes"] for item in table.all_items()]
    bucket = s3_backends[ACCOUNT]["global"].get_bucket(aws.outputs["ArchiveBucketName"])
    objects = {key: base64.b64encode(obj.value).decode() for key, obj in bucket.keys.items() if obj is not None}
    path = out / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"version": VERSION, "start": start.isoformat(), "end": end.isoformat(), "items": items, "objects": objects}
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
