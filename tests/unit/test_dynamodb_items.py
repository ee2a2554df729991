"""The embedded DynamoDB's per-item fast paths answer what moto and botocore answer without them
(clinic_reviews_local/dynamodb_items.py), and they do less work per item."""

from __future__ import annotations

import base64
import copy
import json
from unittest import mock

import boto3
import pytest
from clinic_reviews_local import dynamodb_items
from moto import mock_aws

from .moto_runs import answers

#: Every kind of value, odd numbers and nesting included.
VALUES = [
    {"S": "Доктор <b>"}, {"S": ""}, {"N": "10"}, {"N": "-1.50"}, {"N": "1e2"}, {"N": "0.000"}, {"BOOL": True},
    {"BOOL": False}, {"NULL": True}, {"B": b"\x00\xff"}, {"SS": ["x", "y", "ё"]}, {"NS": ["1", "2.5", "1e3"]},
    {"BS": [b"1", b"\x02"]}, {"L": []}, {"M": {}},
    {"L": [{"S": "q"}, {"N": "3"}, {"M": {"a": {"SS": ["b", "c"]}}}, {"L": [{"BOOL": True}]}, {"NULL": True}]},
    {"M": {"l": {"L": [{"S": "q"}, {"B": b"\x01"}]}, "n": {"N": "7.0"}, "m": {"M": {"deep": {"S": "ы"}}}}},
]
ITEMS = [{"pk": {"S": "a"}, "sk": {"N": str(n)}, "g": {"S": "day"}, "v": value, "w": VALUES[-1 - n],
          "i": {"S": f"inc{n}"}, "name[0]": {"S": "odd"}} for n, value in enumerate(VALUES)]
PROJECTIONS = [
    {"ProjectionExpression": "v, sk, nothere"},
    {"ProjectionExpression": "#a, #b", "ExpressionAttributeNames": {"#a": "w", "#b": "v"}},
    {"ProjectionExpression": "v[0], pk"},  # a list index
    {"ProjectionExpression": "#n", "ExpressionAttributeNames": {"#n": "name[0]"}},  # a name holding brackets
]


def _scenario() -> list:
    """Writes and reads whose answers are compared with and without the fast paths."""
    db = boto3.client("dynamodb", region_name="eu-central-1")
    db.create_table(
        TableName="t", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in (("pk", "S"), ("sk", "N"), ("g", "S"))],
        GlobalSecondaryIndexes=[
            {"IndexName": "keys", "Projection": {"ProjectionType": "KEYS_ONLY"},
             "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]},
            {"IndexName": "some", "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["i", "v"]},
             "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]},
        ],
    )
    for item in ITEMS:
        db.put_item(TableName="t", Item=item)
    seen: list = []
    for projection in PROJECTIONS:
        seen.append(db.query(TableName="t", KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": {"S": "a"}}, **projection))
    seen.append(db.query(  # a nested path takes moto's own path (moto fails on items whose `v` is no map)
        TableName="t", KeyConditionExpression="pk = :p AND sk = :s", ProjectionExpression="v.l, v.n, w",
        ExpressionAttributeValues={":p": {"S": "a"}, ":s": {"N": str(len(VALUES) - 1)}}))
    for index in ("keys", "some"):
        seen.append(db.query(TableName="t", IndexName=index, KeyConditionExpression="g = :g",
                             ExpressionAttributeValues={":g": {"S": "day"}}))
    seen.append(db.query(TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}}))
    seen.append(db.batch_get_item(RequestItems={"t": {"Keys": [{"pk": {"S": "a"}, "sk": {"N": "3"}}],
                                                      "ProjectionExpression": "w, v"}}))
    seen.append(db.update_item(TableName="t", Key={"pk": {"S": "a"}, "sk": {"N": "1"}}, ReturnValues="ALL_NEW",
                               UpdateExpression="SET w = :w ADD c :one",
                               ExpressionAttributeValues={":w": {"S": "x" * 1000}, ":one": {"N": "1"}}))
    big = {"pk": {"S": "a"}, "sk": {"N": "99"}, "text": {"S": "я" * 202_490}}  # 404,980 bytes with its names
    db.put_item(TableName="t", Item=big)  # just under moto's limit
    for too_big in ({**big, "more": {"S": "x" * 20}}, {**big, "sk": {"N": "98"}, "text": {"S": "я" * 202_500}}):
        with pytest.raises(db.exceptions.ClientError) as refused:
            db.put_item(TableName="t", Item=too_big)
        seen.append(refused.value.response["Error"])
    seen.append(db.scan(TableName="t", ProjectionExpression="sk, v"))
    return seen


def test_answers_are_the_same_with_and_without_the_fast_paths():
    plain, fast = answers(_scenario), answers(_scenario, dynamodb_items.installed)
    assert fast == plain
    assert plain[0]["Items"][4]["v"] == {"N": "1E+2"}  # a projection normalizes numbers, in both
    assert set(plain[4]["Items"][0]["v"]["M"]) == {"l", "n"}  # the nested path
    assert all(set(item) == {"pk", "sk", "g"} for item in plain[5]["Items"])  # KEYS_ONLY
    assert plain[-3]["Code"] == plain[-2]["Code"] == "ValidationException"


def _typed(value):
    from moto.dynamodb.models.dynamo_type import DynamoType

    return DynamoType(value)


def test_sizes_are_moto_s_own(monkeypatch):
    from moto.dynamodb.models.dynamo_type import DynamoType

    original = DynamoType.size
    with mock_aws(), dynamodb_items.installed():
        fast = [_typed(v).size() for v in VALUES]
    plain = [original(_typed(v)) for v in VALUES]
    assert fast == plain
    assert plain[0] == len("Доктор <b>".encode()) and plain[4] == 3


def test_a_copied_item_equals_the_item_and_shares_nothing_mutable():
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    with mock_aws(), dynamodb_items.installed():
        item = Item(_typed({"S": "a"}), _typed({"N": "1"}), {f"a{n}": value for n, value in enumerate(VALUES)})
        item.attrs["same"] = item.attrs["a0"]  # one value under two names stays one value in the copy
        copied = copy.deepcopy([item, item])
    assert copied[0] is copied[1] and copied[0] is not item
    assert copied[0] == item and copied[0].to_json() == item.to_json()
    assert copied[0].attrs["same"] is copied[0].attrs["a0"]
    for name, value in item.attrs.items():
        twin = copied[0].attrs[name]
        assert type(twin) is DynamoType and twin is not value
        if isinstance(value.value, list | dict):
            assert twin.value is not value.value


def test_a_projection_converts_only_the_names_it_asks_for():
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    item = Item(_typed({"S": "a"}), None, {f"a{n}": {"N": str(n)} for n in range(40)})
    with (mock.patch.object(DynamoType, "to_regular_json", autospec=True, side_effect=DynamoType.to_regular_json) as spy,
          mock_aws(), dynamodb_items.installed()):
        projected = item.project([["a3"], ["a5"]])
    assert projected.to_json() == {"Attributes": {"a3": {"N": "3"}, "a5": {"N": "5"}}}
    assert spy.call_count == 2  # moto's own: 80 (the whole item, once per name)


def test_an_item_is_size_checked_once_per_attribute():
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    with (mock_aws(), dynamodb_items.installed(),
          mock.patch.object(DynamoType, "size", autospec=True, side_effect=DynamoType.size) as sized):
        Item(_typed({"S": "a"}), None, {f"a{n}": {"S": "v"} for n in range(40)})
    assert sized.call_count == 40  # moto's own: 1 + 2 + ... + 40


def _on_the_wire(value):
    """An AttributeValue as JSON carries it (binary in base64)."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: _on_the_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_on_the_wire(v) for v in value]
    return value


def test_dynamodb_responses_parse_as_botocore_parses_them():
    from botocore.parsers import JSONParser

    db = boto3.client("dynamodb", region_name="eu-central-1", aws_access_key_id="k", aws_secret_access_key="s")
    shape = db.meta.service_model.operation_model("Query").output_shape
    wire = [_on_the_wire(value) for value in VALUES]
    body = json.dumps({"Items": [{"v": v} for v in wire], "Count": len(wire), "ScannedCount": len(wire)}).encode()
    response = {"body": body, "headers": {}, "status_code": 200}
    plain = JSONParser().parse(response, shape)
    with dynamodb_items.installed():
        fast = JSONParser().parse(response, shape)
    assert fast == plain
    assert plain["Items"][VALUES.index({"B": b"\x00\xff"})]["v"] == {"B": b"\x00\xff"}


#: Values botocore's validation refuses, each with its own error, then odd ones it lets through (DynamoDB refuses them).
INVALID = [{"S": 1}, {"N": 2}, {"SS": ["a", 3]}, {"BOOL": "yes"}, {"NULL": "true"}, {"M": {"a": {"S": 3}}},
           {"L": [{"X": "y"}]}, "text", {"S": "a", "N": "1"}, {}, {"B": "text for bytes"}]


def _put_item():
    db = boto3.client("dynamodb", region_name="eu-central-1", aws_access_key_id="k", aws_secret_access_key="s")
    return db.meta.service_model.operation_model("PutItem")


def _item(values: list) -> dict:
    return {"TableName": "t", "Item": {f"a{n}": value for n, value in enumerate(values)}}


def test_parameters_validate_as_botocore_validates_them():
    from botocore.validate import ParamValidator

    shape = _put_item().input_shape
    cases = [_item(VALUES), _item([{"SS": ("a", "b")}]), *(_item([VALUES[0], bad]) for bad in INVALID)]
    plain = [ParamValidator().validate(params, shape).generate_report() for params in cases]
    with dynamodb_items.installed():
        fast = [ParamValidator().validate(params, shape).generate_report() for params in cases]
    assert fast == plain
    assert [bool(report) for report in plain] == [False, False] + [True] * 8 + [False] * 3


def test_requests_serialize_and_moto_parses_them_as_without_the_fast_paths():
    from botocore.serialize import JSONSerializer
    from moto.core.parse import JSONParser

    operation = _put_item()

    def sent_and_read() -> tuple:
        body = JSONSerializer().serialize_to_request(_item(VALUES), operation)["body"]
        read = JSONParser(operation).parse({"method": "POST", "body": body, "headers": {}, "values": {},
                                            "url_path": "/", "url_params": {}})
        return body, read

    plain = sent_and_read()
    with dynamodb_items.installed():
        fast = sent_and_read()
    assert fast == plain
    assert plain[1]["Item"]["a9"] == {"B": b"\x00\xff"} and json.loads(plain[0])["Item"]["a9"] == {"B": "AP8="}


def test_moto_serializes_an_item_of_wire_form_values_at_once():
    from moto.core.serialize import ResponseSerializer

    def query() -> list:
        db = boto3.client("dynamodb", region_name="eu-central-1")
        db.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        db.put_item(TableName="t", Item={"pk": {"S": "a"}} | {f"a{n}": {"S": str(n)} for n in range(30)})
        with mock.patch.object(ResponseSerializer, "_serialize", autospec=True,
                               side_effect=ResponseSerializer._serialize) as serialized:
            found = db.query(TableName="t", KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": {"S": "a"}})["Items"]
        return [found, serialized.call_count]

    (plain, plain_calls), (fast, fast_calls) = answers(query), answers(query, dynamodb_items.installed)
    assert fast == plain and len(plain[0]) == 31
    assert plain_calls > 31 > fast_calls  # moto's own: once per attribute value
