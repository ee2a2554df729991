"""Query reads one partition in the embedded DynamoDB, as DynamoDB does, not the whole table (issue 16d).

moto 5.2.5's `Table.query` starts from `self.all_items()`, every item of the table sorted by key, and keeps those
whose key matches, for every page of every Query; on a global secondary index it does the same over every item.
A Query therefore cost the table's size: the 200-clinic digest's 201 gsi2 Queries over 38,000 items did not
finish in 20 minutes (docs/load.md).

Here, inside `Table.query` only, `all_items()` answers the query's candidates:

- on the table or a local secondary index: the items of the queried partition (hash key);
- on a global secondary index: the items holding the queried value in the index's (first) hash attribute, found
  in a `KeyIndex` kept per table.

moto's own code then does everything else as before (matching the key condition, sorting by the full key,
paging, filters, projections), so the answer is the same: the candidates are a superset of the matches and moto
sorts them by a total order. The candidates come sorted by their keys, so moto's sort has little left to do.

The `KeyIndex` is kept lazily: each write marks the table key it touched (`Table.put_item`, `Table.delete_item`,
which the batch and transaction paths use too, and the backend's `update_item`, which changes an item in place);
a Query first files those keys again from the items as they are then. A transaction's rollback swaps the table
for its snapshot, which shares this index; the keys the transaction touched were marked, so they are re-read
from the restored items. tests/unit/test_dynamodb_index.py compares the answers with moto's own.

The same marks keep a heap of the items' TTL values, so the local TTL sweep (expiry.py) looks at the items that
are due instead of every item of the table each time the clock moves.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

Key = tuple[Any, Any]  # (hash DynamoType, range DynamoType or None)

_candidates = threading.local()  # the running thread's Query: (table, its candidate items)


class KeyIndex:
    """For each global secondary index of a table: its hash attribute's value -> the keys of the items holding it."""

    def __init__(self, table: Any):
        self._lock = threading.RLock()
        self._attrs = {gsi.name: _hash_attr(gsi) for gsi in table.global_indexes}
        self._keys: dict[str, dict[Any, set[Key]]] = {name: {} for name in self._attrs}
        self._filed: dict[Key, list[tuple[str, Any]]] = {}  # table key -> (index, value) it is filed under
        self._dirty: set[Key] = set()
        self._rebuild = True  # file every item of the table at the next Query
        self._ttl_attr: str | None = None  # the TTL attribute the heap is kept for (expiry.py asks)
        self._ttl: list[tuple[float, int, Key]] = []  # (TTL value, tie-break, key) as filed; stale ones are checked
        self._ties = itertools.count()

    def __deepcopy__(self, memo: dict) -> None:
        return None  # a deep copy of a table (a backup) builds its own index when first queried

    def touched(self, key: Key) -> None:
        with self._lock:
            self._dirty.add(key)

    def touched_all(self) -> None:
        with self._lock:
            self._rebuild = True

    def holding(self, table: Any, index_name: str, value: Any) -> list[Any]:
        """The items whose `index_name` hash attribute is `value` (a superset when the index's hash is composite)."""
        with self._lock:
            self._refresh(table)
            keys = list(self._keys[index_name].get(value, ()))
        found = (_item(table, key) for key in keys)
        return [item for item in found if item is not None]

    def due(self, table: Any, ttl_attr: str, moment: float) -> list[Any]:
        """Items whose `ttl_attr` was a number at most `moment` when they were last written (the TTL sweep's
        candidates: the sweeper checks each one's value as it is now)."""
        with self._lock:
            if ttl_attr != self._ttl_attr:
                self._ttl_attr, self._rebuild = ttl_attr, True
            self._refresh(table)
            keys = set()
            while self._ttl and self._ttl[0][0] <= moment:
                keys.add(heapq.heappop(self._ttl)[2])
        found = (_item(table, key) for key in keys)
        return [item for item in found if item is not None]

    def _refresh(self, table: Any) -> None:
        if self._rebuild:
            self._keys = {name: {} for name in self._attrs}
            self._filed, self._dirty, self._rebuild, self._ttl = {}, set(_all_keys(table)), False, []
        for key in self._dirty:
            for name, value in self._filed.pop(key, ()):
                holders = self._keys[name].get(value)
                if holders is not None:
                    holders.discard(key)
                    if not holders:
                        del self._keys[name][value]
            item = _item(table, key)
            if item is None:
                continue
            filed = [(name, item.attrs[attr]) for name, attr in self._attrs.items() if attr in item.attrs]
            for name, value in filed:
                self._keys[name].setdefault(value, set()).add(key)
            if filed:
                self._filed[key] = filed
            ttl = _number(item.attrs.get(self._ttl_attr)) if self._ttl_attr else None
            if ttl is not None:
                heapq.heappush(self._ttl, (ttl, next(self._ties), key))
        self._dirty = set()


def _number(value: Any) -> float | None:
    if value is None or value.type != "N":
        return None
    try:
        return float(value.value)
    except ValueError:
        return None


def _hash_attr(index: Any) -> str:
    return next(k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH")


def _item(table: Any, key: Key) -> Any:
    stored = table.items.get(key[0])  # .get: table.items is a defaultdict
    if stored is None or table.range_key_attr is None:
        return stored
    return stored.get(key[1])


def _all_keys(table: Any) -> Iterator[Key]:
    for hash_value, stored in list(table.items.items()):
        if table.range_key_attr is None:
            yield (hash_value, None)
        else:
            yield from ((hash_value, range_value) for range_value in list(stored))


def index_of(table: Any) -> KeyIndex:
    index = table.__dict__.get("_key_index")
    if index is None:
        index = table._key_index = KeyIndex(table)
    return index


def _by_key(item: Any) -> tuple:
    return (item.hash_key.cast_value, None if item.range_key is None else item.range_key.cast_value)


def candidates(table: Any, hash_key: Any, index_name: str | None, hash_conditions: list | None) -> list[Any] | None:
    """What the Query can match, or None when only the whole table will do (moto's own path)."""
    gsi = {g.name for g in table.global_indexes}
    if index_name in gsi:
        if not hash_conditions:
            return None
        attr = index_of(table)._attrs[index_name]
        value = next((v for name, v in hash_conditions if name == attr), None)
        if value is None:
            return None
        found = index_of(table).holding(table, index_name, value)
    else:  # the table, or a local secondary index: one partition
        if hash_key is None:
            return None
        stored = table.items.get(hash_key)
        if stored is None:
            found = []
        else:
            found = list(stored.values()) if table.range_key_attr is not None else [stored]
    return sorted(found, key=_by_key)


def _query(original):
    def query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
              projection_expressions, index_name=None, consistent_read=False, filter_expression=None,
              hash_key_conditions=None, range_key_conditions=None, **filter_kwargs):
        found = candidates(self, hash_key, index_name, hash_key_conditions)
        previous = getattr(_candidates, "query", None)
        _candidates.query = None if found is None else (self, found)
        try:
            return original(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
                            scan_index_forward, projection_expressions, index_name, consistent_read,
                            filter_expression, hash_key_conditions=hash_key_conditions,
                            range_key_conditions=range_key_conditions, **filter_kwargs)
        finally:
            _candidates.query = previous

    return query


def _all_items(original):
    def all_items(self):
        running = getattr(_candidates, "query", None)
        if running is not None and running[0] is self:
            return list(running[1])
        return original(self)

    return all_items


def _marks_put(original):
    def put_item(self, *args, **kwargs):
        item = original(self, *args, **kwargs)
        index_of(self).touched((item.hash_key, item.range_key))
        return item

    return put_item


def _marks_delete(original):
    def delete_item(self, hash_key, range_key):
        try:
            return original(self, hash_key, range_key)
        finally:
            index_of(self).touched((hash_key, range_key))

    return delete_item


def _marks_update(original):
    def update_item(self, table_name, key, *args, **kwargs):
        try:
            return original(self, table_name, key, *args, **kwargs)
        finally:
            _mark_key(self, table_name, key)

    return update_item


def _mark_key(backend: Any, table_name: str, key: Any) -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    try:
        table = backend.get_table(table_name)
    except Exception:  # noqa: BLE001 - no such table: moto has answered the caller already
        return
    try:
        hash_value = DynamoType(key[table.hash_key_attr])
        range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr is not None else None
    except (KeyError, TypeError):
        index_of(table).touched_all()  # a key moto read some other way: file everything again
        return
    index_of(table).touched((hash_value, range_value))


@contextmanager
def installed() -> Iterator[None]:
    """Patch moto's Query to read candidates, and its write paths to keep the index; undone on exit."""
    import moto.dynamodb.models as dynamodb_models
    from moto.dynamodb.models.table import Table

    backend = dynamodb_models.DynamoDBBackend
    with ExitStack() as patches:
        patches.enter_context(mock.patch.object(Table, "query", _query(Table.query)))
        patches.enter_context(mock.patch.object(Table, "all_items", _all_items(Table.all_items)))
        patches.enter_context(mock.patch.object(Table, "put_item", _marks_put(Table.put_item)))
        patches.enter_context(mock.patch.object(Table, "delete_item", _marks_delete(Table.delete_item)))
        patches.enter_context(mock.patch.object(backend, "update_item", _marks_update(backend.update_item)))
        yield
