"""The embedded AWS's hot spots, made fast without changing what they answer (docs/notes.md, issue 18).

Profiled on `clinic-reviews demo` (moto 5.2.5): about a third of the run went into moto's generic response
serializer walking every DynamoDB `AttributeValue` against its botocore shape (ten members, each looked up
through five alias providers), and another fifth into sorting the whole table on every `Query`, where each
comparison of two `DynamoType`s rebuilds both values (`Decimal(...)` for numbers).

- `AttributeValue`: a value already in wire form (one of S, N, BOOL, NULL, SS, NS, L, M holding strings,
  booleans, lists and maps of the same) is copied as it is; anything else (B, BS, odd types) takes moto's
  own path. The result is what moto's serializer produces for such a value.
- Table order: the same sort keys, compared through their cast values computed once per item instead of
  once per comparison. One attribute has one type in a key schema, so the order is the same.
- TransactWriteItems deep-copies every table it touches, whole, to roll back on failure (a tenth of a
  second per transaction once the demo's table has a thousand items). The rollback copy here shares the
  items the transaction cannot change and deep-copies the items (keys) it names, and the stream's
  records; a failed transaction restores exactly what it would have. (Copying the partitions it names
  grew with the table: a clinic's reviews share one partition.)

- Clients: every local function container builds its own botocore session, as on AWS, and each session
  parsed the same service model JSON again. Service models are read-only data; here they are parsed once
  per process and shared by the sessions and moto's own loader (same files found, extras, name, kind and version;
  moto parsed each model of a call's service again for its own parsing and serializing). So are the other data
  files (`endpoints`, `partitions`, `_retry`, `sdk-default-configuration`): pynamodb keeps a session per thread,
  so each Step Functions task thread that touched the table parsed the 1 MB endpoints file again. botocore already
  shares each of them between all the clients of one session. The listings of the data folders (which services, which API versions: a walk of ~400 folders per new session) are shared the same way.

- EventBridge to SQS (the events tap, the template's queues): moto builds each delivered event from its input
  template with eight JSONPath expressions, parsed again (a PLY parser) for every event: a tenth of the outbox's
  time. A JSONPath parse is a pure function of its text; here each text is parsed once per process.

- Step Functions: moto parses a state machine's definition (ANTLR) again for every execution it runs, about a
  twentieth of a first demo run. The parsed program is read-only while it runs (an execution's state lives in
  its own environment; moto 5.2.5's components assign nothing but a lazily drawn heap key, drawn here at parse
  time so that executions sharing the program cannot race for it): each definition is parsed once per process,
  including the parse moto does to validate a new definition (`SharedParser`).
  A task state's service integration (Lambda invoke, DynamoDB, SNS, EventBridge) built a new boto3 client for every
  call; moto gives them fixed keys and configuration whatever the state's credentials, so one client per region
  and service serves them all (clients are thread-safe; who acts is read from the calling thread at call time).

- Dispatch: moto lists a response class's methods (`inspect.getmembers`) on every call; the list of a class
  is computed once.

- Query: one partition, not the whole table (dynamodb_index.py).
- Keys: KMS's RSA material made when first used, Cognito's pool key imported once (moto_keys.py).
- Imports: moto.ec2 and moto.batch, which the stack never calls, imported when first used (deferred_imports.py).
- Memory: moto's models are not all kept for its dashboard (moto_instances.py).

`install()` returns an ExitStack that undoes all of it; tests/unit/test_moto_speedups.py compares each fast
path with moto's own on the same data.
"""

from __future__ import annotations

import copy
import functools
import glob
import os
import threading
from contextlib import ExitStack
from typing import Any
from unittest import mock

from clinic_reviews_local import deferred_imports, dynamodb_index, moto_instances, moto_keys

_SCALARS = {"S": str, "N": str, "BOOL": bool, "NULL": bool}
_SETS = ("SS", "NS")


def wire_copy(value: Any) -> Any:
    """A copy of an AttributeValue already in wire form, or None when moto's serializer must handle it."""
    if type(value) is not dict or len(value) != 1:
        return None
    (kind, inner), = value.items()
    scalar = _SCALARS.get(kind)
    if scalar is not None:
        return {kind: inner} if type(inner) is scalar else None
    if kind in _SETS:
        if type(inner) is list and all(type(v) is str for v in inner):
            return {kind: list(inner)}
        return None
    if kind == "L" and type(inner) is list:
        items = [wire_copy(v) for v in inner]
        return None if any(v is None for v in items) else {"L": items}
    if kind == "M" and type(inner) is dict:
        members = {k: wire_copy(v) for k, v in inner.items()}
        return None if any(type(k) is not str or v is None for k, v in members.items()) else {"M": members}
    return None


def _fast_structure(original):
    def serialize_structure(self, serialized, value, shape, key):
        if key and shape.name == "AttributeValue":
            copied = wire_copy(value)
            if copied is not None:
                self._default_serialize(serialized, copied, shape, key)
                return
        original(self, serialized, value, shape, key)

    return serialize_structure


def _cast(value: Any) -> Any:
    return None if value is None else value.cast_value


def all_items(table) -> list:
    """moto's `Table.all_items`: every item, ordered by (hash key, range key)."""
    items = []
    for hash_set in table.items.values():
        if table.range_key_attr:
            items.extend(hash_set.values())
        else:
            items.append(hash_set)
    return sorted(items, key=lambda x: (_cast(x.hash_key), _cast(x.range_key)) if x.range_key else _cast(x.hash_key))


def sorted_items(table, hash_key_attrs: list[str], range_key_attrs: list[str | None], items: list) -> list:
    """moto's `Table.sorted_items`: `items` ordered by an index's keys, then the table's."""
    attrs = table._generate_attr_to_sort_by(hash_key_attrs, range_key_attrs)
    items.sort(key=lambda x: tuple(x.attrs[key].cast_value for key in attrs))
    return items


_transaction = threading.local()  # the partitions the running thread's transaction names, by table


def rollback_copy(table, keys: set) -> Any:
    """What moto's `copy.deepcopy(table)` restores on a failed transaction naming only `keys` (hash, range)."""
    snapshot = copy.copy(table)
    snapshot.items = copy.copy(table.items)  # a defaultdict keeps its factory
    for hash_value, range_value in keys:
        if hash_value not in table.items:
            continue
        if table.range_key_attr is None:
            snapshot.items[hash_value] = copy.deepcopy(table.items[hash_value])
            continue
        if snapshot.items[hash_value] is table.items[hash_value]:  # the partition's own dict, once
            snapshot.items[hash_value] = copy.copy(table.items[hash_value])
        if range_value in table.items[hash_value]:
            snapshot.items[hash_value][range_value] = copy.deepcopy(table.items[hash_value][range_value])
    if table.stream_shard is not None:
        snapshot.stream_shard = copy.copy(table.stream_shard)
        snapshot.stream_shard.items = list(table.stream_shard.items)
        snapshot.stream_shard.table = snapshot
    return snapshot


class _CopyModule:
    """`copy` as moto's DynamoDB backend sees it: a table copied inside a transaction is a rollback copy."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: dict | None = None) -> Any:
        from moto.dynamodb.models.table import Table

        named = getattr(_transaction, "partitions", None)
        if named is not None and type(value) is Table:
            return rollback_copy(value, named.get(value.name, set()))
        return copy.deepcopy(value, memo)


def _partitions(backend, transact_items: list[dict[str, Any]]) -> dict[str, set]:
    """Table name -> the keys (hash, range) a TransactWriteItems request names (what it may change)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    named: dict[str, set] = {}
    for entry in transact_items:
        for kind, op in entry.items():
            try:
                table = backend.get_table(op["TableName"])
                key = op["Item"] if kind == "Put" else op["Key"]
                range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr is not None else None
                named.setdefault(table.name, set()).add((DynamoType(key[table.hash_key_attr]), range_value))
            except Exception:  # noqa: BLE001 - moto's own code reports a malformed request
                continue
    return named


def _fast_transactions(original):
    def transact_write_items(self, transact_items):
        _transaction.partitions = _partitions(self, transact_items)
        try:
            return original(self, transact_items)
        finally:
            _transaction.partitions = None

    return transact_write_items


_service_models: dict[tuple, Any] = {}


_holding_paths: dict[tuple, tuple[str, ...]] = {}


def holding(search_paths: list[str], service_name: str, type_name: str) -> tuple[str, ...]:
    """The search paths with a `type_name` file (or its extras) of `service_name`: all botocore reads for that model.

    A boto3 session's loader also searches boto3's data folder (resources only), moto's own loader does not; both
    read the same service model, which is therefore shared between them."""
    key = (tuple(search_paths), service_name, type_name)
    if key not in _holding_paths:
        pattern = os.path.join("*", glob.escape(type_name) + "*")
        _holding_paths[key] = tuple(
            path for path in search_paths if glob.glob(os.path.join(glob.escape(path), glob.escape(service_name), pattern))
        )
    return _holding_paths[key]


def _shared_models(original):
    def load_service_model(self, service_name, type_name, api_version=None):
        key = (holding(self.search_paths, service_name, type_name), tuple(self.extras_types), service_name, type_name,
               api_version)
        if key not in _service_models:
            _service_models[key] = original(self, service_name, type_name, api_version)
        return _service_models[key]

    return load_service_model


_data_files: dict[tuple, Any] = {}


def _shared_data(original):
    def load_data_with_path(self, name):
        key = (tuple(self.search_paths), name)
        if key not in _data_files:
            _data_files[key] = original(self, name)
        return _data_files[key]

    return load_data_with_path


_listings: dict[tuple, Any] = {}


def _shared_listing(original):
    """A botocore Loader listing (services, API versions), once per process and search path as once per session."""

    def listing(self, *args, **kwargs):
        # botocore calls these by position and by keyword (Session.get_available_services: type_name=...)
        key = (original.__name__, tuple(self.search_paths), args, tuple(sorted(kwargs.items())))
        if key not in _listings:
            _listings[key] = original(self, *args, **kwargs)
        return _listings[key]

    return listing


def _cached_jsonpath(original):
    return functools.lru_cache(maxsize=512)(original)


_programs: dict[str, Any] = {}
_programs_lock = threading.Lock()


def program_for(definition: str) -> Any:
    """The evaluation entry point of a state machine definition (moto's parse), once per definition text."""
    with _programs_lock:
        program = _programs.get(definition)
        if program is None:
            from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

            program = AmazonStateLanguageParser.parse(definition)[0]
            for component in components(program):
                component.heap_key  # noqa: B018 - drawn now, not by the first execution that reads it
            _programs[definition] = program
    return program


def components(program: Any) -> list[Any]:
    """Every evaluable component reachable from `program` (through attributes, lists, tuples and dicts)."""
    from moto.stepfunctions.parser.asl.component.component import Component
    from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent

    found, seen, todo = [], set(), [program]
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, Component):
            if isinstance(item, EvalComponent):
                found.append(item)
            todo.extend(vars(item).values())
        elif isinstance(item, list | tuple | set | frozenset):
            todo.extend(item)
        elif isinstance(item, dict):
            todo.extend(item.values())
    return found


def _task_clients(original):
    """moto's `boto_client_for`, one client per (region, service) for the life of the patch."""
    from moto.core.models import botocore_stubber

    clients: dict[tuple, Any] = {}
    lock = threading.Lock()

    def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        key = (region, service, botocore_stubber.enabled)
        with lock:
            if key not in clients:
                clients[key] = original(region=region, service=service, state_credentials=state_credentials)
            return clients[key]

    return boto_client_for


def _shared_task_clients() -> ExitStack:
    """`_task_clients` wherever moto's Step Functions modules imported `boto_client_for`."""
    import sys

    from moto.stepfunctions.parser.asl.utils import boto_client

    original = boto_client.boto_client_for
    shared = _task_clients(original)
    patches = ExitStack()
    for name, module in list(sys.modules.items()):
        if name.startswith("moto.stepfunctions.parser") and getattr(module, "boto_client_for", None) is original:
            patches.enter_context(mock.patch.object(module, "boto_client_for", shared))
    return patches


class SharedParser:
    """moto's `AmazonStateLanguageParser` as its Step Functions backend sees it when validating a definition (create
    and update): the parse is `program_for`'s, so creating a machine parses its definition for its executions too,
    and a stack deployed again in the same process parses nothing. A bad definition raises what moto's parse raises."""

    @staticmethod
    def parse(definition: str) -> tuple[Any, None]:
        return program_for(definition), None  # moto's validation uses neither the program nor the parse tree


def _shared_program(self) -> Any:
    """moto's `ExecutionWorker._get_evaluation_entrypoint`, from `program_for`."""
    return program_for(self._evaluation_details.state_machine_details.definition)


@functools.cache
def method_names(clazz: type) -> list[str]:
    """moto's `method_names_from_class`, once per class (a response class's methods do not change)."""
    from moto.core.utils import method_names_from_class

    return method_names_from_class(clazz)


def install() -> ExitStack:
    """Patch moto's serializer and DynamoDB table ordering; closing the returned stack undoes it."""
    import jsonpath_ng.ext as jsonpath_ext
    import moto.core.responses as moto_responses
    import moto.dynamodb.models as dynamodb_models
    from botocore.loaders import Loader
    from moto.core.serialize import BaseJSONSerializer
    from moto.dynamodb.models.table import Table

    patches = ExitStack()
    patches.enter_context(deferred_imports.deferred())  # before anything imports moto.ec2 (SSM, Step Functions)
    fast = _fast_structure(BaseJSONSerializer._serialize_type_structure)
    patches.enter_context(mock.patch.object(BaseJSONSerializer, "_serialize_type_structure", fast))
    patches.enter_context(mock.patch.object(Table, "all_items", all_items))
    patches.enter_context(mock.patch.object(Table, "sorted_items", sorted_items))
    backend = dynamodb_models.DynamoDBBackend
    patches.enter_context(mock.patch.object(dynamodb_models, "copy", _CopyModule()))
    patches.enter_context(mock.patch.object(backend, "transact_write_items", _fast_transactions(backend.transact_write_items)))
    patches.enter_context(mock.patch.object(moto_responses, "method_names_from_class", method_names))
    patches.enter_context(mock.patch.object(Loader, "load_service_model", _shared_models(Loader.load_service_model)))
    patches.enter_context(mock.patch.object(Loader, "load_data_with_path", _shared_data(Loader.load_data_with_path)))
    for name in ("list_available_services", "list_api_versions", "determine_latest_version"):
        patches.enter_context(mock.patch.object(Loader, name, _shared_listing(getattr(Loader, name))))
    patches.enter_context(dynamodb_index.installed())  # Query by partition (wraps the table order patched above)
    patches.enter_context(mock.patch.object(jsonpath_ext, "parse", _cached_jsonpath(jsonpath_ext.parse)))
    patches.enter_context(moto_instances.untracked())  # models are not kept after use (memory)
    patches.enter_context(moto_keys.installed())  # KMS keys' RSA material made when used; Cognito's key parsed once
    # when moto first imports its Step Functions interpreter (it reads botocore data: shared above)
    patches.enter_context(deferred_imports.when_imported(deferred_imports.STEP_FUNCTIONS, _workflow_patches))
    return patches


def _workflow_patches() -> ExitStack:
    """The Step Functions interpreter's: definitions parsed once (`program_for`), task clients shared."""
    import moto.stepfunctions.parser.models as sfn_models
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    patches = ExitStack()
    patches.enter_context(mock.patch.object(ExecutionWorker, "_get_evaluation_entrypoint", _shared_program))
    patches.enter_context(mock.patch.object(sfn_models, "AmazonStateLanguageParser", SharedParser))
    patches.enter_context(_shared_task_clients())
    return patches
