"""moto's DynamoDB item handling, which runs for every item of every request, with the same answers for less CPU.

Measured on a demo re-run (docs/notes.md, issue-18h): its 832 Queries were a quarter of the run's CPU, and most
of that was per item, not per call:

- `Item.project` (a ProjectionExpression, and an index's KEYS_ONLY/INCLUDE projection) turned the *whole* item into
  plain Python (deep copy, boto3's deserializer) once per projected name, then serialized the result back: ten
  names on a thirty-attribute review cost about 3 ms. Here each projected top-level name converts only its own
  value, through the same deserializer and serializer, so the projected item is the same (numbers normalized, sets
  in the order moto gives them). A nested path or a list index (`a.b`, `a[0]`) takes moto's own path.
- `DynamoType.size` (the 1 MB page limit, twice per returned item; the 400 KB item limit) went through a chain of
  type tests and built a new DynamoType per set member and map value. Here the same sums are taken directly.
- `Item.__init__` checked the 400 KB limit after each attribute by summing the sizes of all attributes set so far
  (quadratic in the attributes). Sizes are never negative, so the check once per attribute against a running sum
  refuses exactly the same items with the same error.
- Deep copies of items (every Query's results, a transaction's rollback copy) went through `copy.deepcopy`'s
  dispatch for each value; here values are copied directly, with the same sharing (the copy's memo).
- `dynamo_to_dict` (every response holding items) walked each value with `isinstance` and `hasattr` tests; here
  the usual wire kinds are converted directly and anything else (binary, odd types) takes moto's own function.
- Each `AttributeValue` of a request and of a response was walked against its shape four times: botocore's
  parameter validation and request serializer, moto's request parser, botocore's response parser (moto's
  response serializer: moto_speedups.py). A value in wire form (S, N, BOOL, NULL, SS, NS, L, M holding strings,
  booleans, lists and maps of the same: `moto_speedups.wire_copy`) is valid, and serializes and parses to a copy
  of itself, so it is copied; anything else (binary, a wrong type: its error) takes their own path. moto's
  serializer copies a whole item (a map of such values) at once.

`installed()` patches all of it and undoes it on exit; tests/unit/test_dynamodb_items.py compares each with moto's
and botocore's own functions on the same values.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

from clinic_reviews_local.moto_speedups import wire_copy

ITEM_SIZE_LIMIT = 405_000  # moto's own figure for DynamoDB's 400 KB (LimitedSizeDict)
_SETS = ("SS", "NS", "BS")
_PLAIN = (str, bool, int, float, type(None))
_WIRE_KINDS = {"S", "N", "BOOL", "NULL", "SS", "NS", "L", "M"}


def _bytesize(value: Any) -> int:
    return len(value if isinstance(value, bytes) else value.encode("utf-8"))


def _size(original):
    from moto.dynamodb.models.dynamo_type import DynamoType

    def size(self) -> int:
        """moto's `DynamoType.size`: the same figure for each kind, without the per-member DynamoTypes."""
        kind, value = self.type, self.value
        if kind == "S":
            return _bytesize(value) if type(value) is str else original(self)
        if kind == "N":
            return len(str(value))
        if kind == "BOOL" or kind == "NULL":
            return 1 if isinstance(value, bool) else original(self)
        if kind == "L":
            return sum(v.size() for v in value)
        if kind == "M":
            return sum(_bytesize(k) + (v if type(v) is DynamoType else DynamoType(v)).size() for k, v in value.items())
        if kind == "SS" and all(type(v) is str for v in value):
            return sum(_bytesize(v) for v in value)
        if kind == "NS":
            return sum(len(str(v)) for v in value)
        return original(self)

    return size


def _item_init(self, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
    """moto's `Item.__init__`: each attribute as a DynamoType, refused past the item size limit as moto refuses it."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict

    self.hash_key = hash_key
    self.range_key = range_key
    checked = LimitedSizeDict.__new__(LimitedSizeDict)
    dict.__init__(checked)
    total = 0
    for key, value in attrs.items():
        typed = DynamoType(value)
        total += _bytesize(key) + typed.size()
        if total > ITEM_SIZE_LIMIT:
            raise ItemSizeTooLarge
        dict.__setitem__(checked, key, typed)
    self.attrs = checked


def _copy_value(value: Any, memo: dict[int, Any]) -> Any:
    """A deep copy of one attribute value, as `copy.deepcopy(value, memo)` with moto's `DynamoType.__deepcopy__`."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    if type(value) is not DynamoType:
        return copy.deepcopy(value, memo)
    done = memo.get(id(value))
    if done is not None:
        return done
    result = DynamoType.__new__(DynamoType)
    memo[id(value)] = result
    kind = result.type = value.type
    if kind == "L":
        result.value = [_copy_value(v, memo) for v in value.value]
    elif kind == "M":
        result.value = {k: _copy_value(v, memo) for k, v in value.value.items()}
    elif kind in _SETS:
        result.value = list(value.value)
    else:
        result.value = value.value
    return result


def _item_deepcopy(self, memo: dict[int, Any]) -> Any:
    """moto's `Item.__deepcopy__` (no size check on the copy), each value copied by `_copy_value`."""
    from moto.dynamodb.models.dynamo_type import LimitedSizeDict

    if id(self) in memo:
        return memo[id(self)]
    result = self.__class__.__new__(self.__class__)
    memo[id(self)] = result
    result.hash_key = _copy_value(self.hash_key, memo)
    result.range_key = _copy_value(self.range_key, memo)
    attrs = LimitedSizeDict.__new__(LimitedSizeDict)
    dict.__init__(attrs)
    for key, value in self.attrs.items():
        dict.__setitem__(attrs, key, _copy_value(value, memo))
    result.attrs = attrs
    return result


def _project(original):
    from moto.dynamodb.models.dynamo_type import Item, deserializer, serializer

    def project(self, projection_expressions: list[list[str]]) -> Any:
        """moto's `Item.project` for top-level names: only the projected values make the round trip."""
        names = [path[0] for path in projection_expressions if len(path) == 1 and "[" not in path[0]]
        if len(names) != len(projection_expressions):
            return original(self, projection_expressions)
        attrs = {}
        for name in dict.fromkeys(names):  # a name given twice (an index's key and the table's) merges into itself
            value = self.attrs.get(name)
            if value is None:
                continue
            if value.type == "S" and type(value.value) is str:  # the round trip gives the same string
                attrs[name] = {"S": value.value}
            else:
                attrs[name] = serializer.serialize(deserializer.deserialize(value.to_regular_json()))
        return Item(hash_key=self.hash_key, range_key=self.range_key, attrs=attrs)

    return project


def _to_dict(original):
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict

    def dynamo_to_dict(obj: Any) -> Any:
        """moto's `dynamo_to_dict` for the kinds items hold; anything else is moto's own."""
        kind = type(obj)
        if kind is DynamoType:
            if obj.type in ("B", "BS"):
                return original(obj)
            return {obj.type: dynamo_to_dict(obj.value)}
        if kind is dict or kind is LimitedSizeDict:
            return {k: dynamo_to_dict(v) for k, v in obj.items()}
        if kind is list:
            return [dynamo_to_dict(v) for v in obj]
        if kind in _PLAIN:
            return obj
        return original(obj)

    return dynamo_to_dict


def _is_attribute_value(shape: Any) -> bool:
    """DynamoDB's (and its streams') `AttributeValue` shape, not another service's shape of that name."""
    return shape.name == "AttributeValue" and shape.members.keys() >= _WIRE_KINDS


def _parse_attribute_values(original):
    """botocore's response parser: a value in wire form parses to a copy of itself."""

    def _handle_structure(self, shape, value):
        if _is_attribute_value(shape):
            copied = wire_copy(value)
            if copied is not None:
                return copied
        return original(self, shape, value)

    return _handle_structure


def _validate_attribute_values(original):
    """botocore's parameter validation: a value in wire form has every member of its type, so nothing to report."""

    def _validate_structure(self, params, shape, errors, name):
        if _is_attribute_value(shape) and wire_copy(params) is not None:
            return
        original(self, params, shape, errors, name)

    return _validate_structure


def _serialize_attribute_values(original):
    """botocore's JSON request serializer: a value in wire form serializes to a copy of itself."""

    def _serialize_type_structure(self, serialized, value, shape, key):
        if key is not None and _is_attribute_value(shape):
            copied = wire_copy(value)
            if copied is not None:
                serialized[key] = copied
                return
        original(self, serialized, value, shape, key)

    return _serialize_type_structure


def _serialize_attribute_maps(original):
    """moto's JSON response serializer: an item (a map of values in wire form) is copied value by value at once."""

    def _serialize_type_map(self, serialized, value, shape, key):
        value_shape = shape.value
        if type(value) is dict and _is_attribute_value(value_shape):
            copies = {}
            for name, member in value.items():
                copied = wire_copy(member) if name else None  # an empty name: moto's own (odd) path
                if copied is None:
                    break
                copies[self.get_serialized_name(value_shape, name)] = copied
            else:
                map_obj = self.MAP_TYPE()
                self._default_serialize(serialized, map_obj, shape, key)
                map_obj.update(copies)
                return
        original(self, serialized, value, shape, key)

    return _serialize_type_map


def _parse_request_values(original):
    """moto's request parser: a value in wire form parses to a copy of itself."""

    def _parse_structure(self, shape, value):
        if self.MAP_TYPE is dict and _is_attribute_value(shape):
            copied = wire_copy(value)
            if copied is not None:
                return copied
        return original(self, shape, value)

    return _parse_structure


@contextmanager
def installed() -> Iterator[None]:
    """The fast paths above, until the block ends."""
    import moto.core.parse as moto_parse
    import moto.core.serialize as moto_serialize
    import moto.dynamodb.models.utilities as utilities
    import moto.dynamodb.responses as responses
    from botocore.parsers import BaseJSONParser
    from botocore.serialize import JSONSerializer
    from botocore.validate import ParamValidator
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    with ExitStack() as patches:
        patches.enter_context(mock.patch.object(DynamoType, "size", _size(DynamoType.size)))
        patches.enter_context(mock.patch.object(Item, "__init__", _item_init))
        patches.enter_context(mock.patch.object(Item, "__deepcopy__", _item_deepcopy))
        patches.enter_context(mock.patch.object(Item, "project", _project(Item.project)))
        fast_dict = _to_dict(utilities.dynamo_to_dict)
        patches.enter_context(mock.patch.object(utilities, "dynamo_to_dict", fast_dict))
        patches.enter_context(mock.patch.object(responses, "dynamo_to_dict", fast_dict))
        patches.enter_context(mock.patch.object(
            BaseJSONParser, "_handle_structure", _parse_attribute_values(BaseJSONParser._handle_structure)))
        patches.enter_context(mock.patch.object(
            ParamValidator, "_validate_structure", _validate_attribute_values(ParamValidator._validate_structure)))
        patches.enter_context(mock.patch.object(JSONSerializer, "_serialize_type_structure",
                                                _serialize_attribute_values(JSONSerializer._serialize_type_structure)))
        moto_serializer = moto_serialize.BaseJSONSerializer
        patches.enter_context(mock.patch.object(
            moto_serializer, "_serialize_type_map", _serialize_attribute_maps(moto_serializer._serialize_type_map)))
        moto_json = moto_parse.BaseJSONParser
        patches.enter_context(mock.patch.object(
            moto_json, "_parse_structure", _parse_request_values(moto_json._parse_structure)))
        yield
