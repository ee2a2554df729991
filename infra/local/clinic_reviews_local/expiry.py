"""What AWS deletes by itself, done locally on the virtual clock: DynamoDB TTL and S3 lifecycle expiration.

moto stores a table's TTL setting and a bucket's lifecycle rules but never acts on them. `Expiry.sweep(now)`
does what AWS does in the background: deletes every item whose TTL attribute (epoch seconds) has passed and
every object whose rule's days have passed since it was written (S3 counts from the next midnight UTC after
the write). AWS does it within a day or two of the moment; here it happens at the sweep, which `LocalStack`
runs each time the clock has moved. It reads moto's stores directly, like AWS's own sweeper it is no caller
of the API: nothing is counted and no role is asked.

`track_object_times` makes moto stamp objects with the virtual time they were written (its `utcnow`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from unittest import mock

from clinic_reviews_local.deployer import ACCOUNT
from clinic_reviews_local.dynamodb_index import index_of

#: AWS ignores TTL values more than five years in the past (a value in milliseconds, for instance).
TTL_IGNORED_BEFORE = timedelta(days=5 * 365)


@dataclass
class Swept:
    items: int = 0
    objects: int = 0


@contextmanager
def track_object_times(now: Callable[[], datetime]) -> Iterator[None]:
    """While open, a new S3 object's LastModified is the virtual time (naive UTC, as moto keeps it)."""
    with mock.patch("moto.s3.models.utcnow", lambda: now().astimezone(UTC).replace(tzinfo=None)):
        yield


class Expiry:
    def __init__(self, region: str, tables: list[str], buckets: list[str]):
        self.region = region
        self.tables = tables
        self.buckets = buckets

    def sweep(self, now: datetime) -> Swept:
        swept = Swept()
        for table in self.tables:
            swept.items += self._expire_items(table, now)
        for bucket in self.buckets:
            swept.objects += self._expire_objects(bucket, now)
        return swept

    def _expire_items(self, name: str, now: datetime) -> int:
        from moto.dynamodb.models import dynamodb_backends

        table = dynamodb_backends[ACCOUNT][self.region].get_table(name)
        if table.ttl.get("TimeToLiveStatus") != "ENABLED":
            return 0
        attribute, moment = table.ttl["AttributeName"], now.timestamp()
        due = index_of(table).due(table, attribute, moment)  # the items due, not every item (dynamodb_index.py)
        expired = [item for item in due if _ttl_passed(item.attrs.get(attribute), moment)]
        for item in expired:
            table.delete_item(item.hash_key, item.range_key)
        return len(expired)

    def _expire_objects(self, name: str, now: datetime) -> int:
        from moto.s3.models import s3_backends

        backend = s3_backends[ACCOUNT]["global"]
        bucket = backend.get_bucket(name)
        rules = [rule for rule in bucket.rules if rule.status == "Enabled" and rule.expiration_days]
        expired = [
            key
            for key, obj in list(bucket.keys.items())
            if obj is not None and any(_object_expired(rule, key, obj.last_modified, now) for rule in rules)
        ]
        for key in expired:
            backend.delete_object(name, key)
        return len(expired)


def _ttl_passed(value: Any, moment: float) -> bool:
    if value is None or value.type != "N":
        return False  # AWS ignores an item without the attribute or with a non-number in it
    try:
        ttl = float(Decimal(value.value))
    except InvalidOperation:
        return False
    return moment - TTL_IGNORED_BEFORE.total_seconds() < ttl <= moment


def _object_expired(rule: Any, key: str, written: datetime, now: datetime) -> bool:
    prefix = rule.filter.prefix if rule.filter is not None and rule.filter.prefix is not None else (rule.prefix or "")
    if not key.startswith(prefix):
        return False
    written = written.replace(tzinfo=UTC) if written.tzinfo is None else written
    next_midnight = datetime.combine(written.date() + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    return now >= next_midnight + timedelta(days=int(rule.expiration_days))
