"""Update expressions parsed once per text (clinic_reviews_local/dynamodb_expressions.py): the same answers and
errors as moto's own path, and the kept trees are never changed by the updates that use them."""

from __future__ import annotations

import boto3
from clinic_reviews_local import dynamodb_expressions

from .moto_runs import answers

SET = "SET #a = :a, #l = list_append(if_not_exists(#l, :empty), :l) ADD #n :one REMOVE #gone"
UPDATES = [  # (update expression, names, values, condition)
    (SET, {"#a": "a", "#l": "l", "#n": "n", "#gone": "g"},
     {":a": {"S": "x"}, ":l": {"L": [{"S": "1"}]}, ":empty": {"L": []}, ":one": {"N": "1"}}, None),
    (SET, {"#a": "b", "#l": "l", "#n": "n", "#gone": "a"},  # the same text, other names and values
     {":a": {"N": "2"}, ":l": {"L": [{"N": "2"}]}, ":empty": {"L": []}, ":one": {"N": "5"}}, None),
    ("SET m.deep = :v DELETE s :s", None, {":v": {"S": "z"}, ":s": {"SS": ["b"]}}, None),
    ("SET #a = :a", {"#a": "a"}, {":a": {"S": "refused"}}, "attribute_not_exists(pk)"),  # condition fails
    ("SET #a = :a", {"#a": "a"}, {":a": {"S": "kept"}}, "attribute_exists(pk)"),
    ("SET #a = :a", {"#a": "a", "#unused": "u"}, {":a": {"S": "x"}}, None),  # an unused name: refused
    ("SET a = :nope", None, {":a": {"S": "x"}}, None),  # an unknown value: refused
    ("SET = :a", None, {":a": {"S": "x"}}, None),  # does not parse
    ("SET = :a", None, {":a": {"S": "x"}}, None),  # again: raised again
    ("SET pk = :a", None, {":a": {"S": "x"}}, None),  # a key attribute: refused
]


def _scenario() -> list:
    db = boto3.client("dynamodb", region_name="eu-central-1")
    db.create_table(TableName="t", BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    db.put_item(TableName="t", Item={"pk": {"S": "a"}, "m": {"M": {}}, "s": {"SS": ["a", "b"]}, "g": {"S": "gone"}})
    seen: list = []
    for key in ("a", "new"):
        for expression, names, values, condition in UPDATES:
            request = {"TableName": "t", "Key": {"pk": {"S": key}}, "UpdateExpression": expression,
                       "ExpressionAttributeValues": values, "ReturnValues": "ALL_NEW"}
            request |= {"ExpressionAttributeNames": names} if names else {}
            request |= {"ConditionExpression": condition} if condition else {}
            try:
                seen.append(db.update_item(**request)["Attributes"])
            except db.exceptions.ClientError as refused:
                seen.append(refused.response["Error"])
    seen.append(db.scan(TableName="t")["Items"])
    return seen


def _tree(node) -> object:
    """A node's structure and values, recursively (moto's nodes compare by identity)."""
    from moto.dynamodb.parsing.ast_nodes import Node

    if isinstance(node, Node):
        return (type(node).__name__, {k: _tree(v) for k, v in vars(node).items() if k != "parent"})
    if isinstance(node, list | tuple):
        return [_tree(v) for v in node]
    return repr(node)


def test_updates_answer_and_fail_as_with_moto_s_own_parse():
    plain, fast = answers(_scenario), answers(_scenario, dynamodb_expressions.installed)
    assert fast == plain
    assert plain[1]["n"] == {"N": "6"} and plain[1]["l"] == {"L": [{"S": "1"}, {"N": "2"}]}
    assert plain[3]["Code"] == "ConditionalCheckFailedException" and plain[4]["a"] == {"S": "kept"}
    assert {plain[n]["Code"] for n in (5, 6, 7, 8, 9)} == {"ValidationException"}


def test_a_text_is_parsed_once_and_its_tree_left_as_parsed():
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser
    from moto.dynamodb.parsing.tokens import ExpressionTokenizer

    fresh = _tree(UpdateExpressionParser.make(SET))
    tokenized = []
    original = ExpressionTokenizer.make_list

    def counted(text):
        tokenized.append(text)
        return original(text)

    def run() -> list:
        from unittest import mock

        with mock.patch.object(ExpressionTokenizer, "make_list", staticmethod(counted)):
            seen = _scenario()
            kept = UpdateExpressionParser.make(SET)
        return [seen, _tree(kept)]

    answers(run, dynamodb_expressions.installed)
    assert tokenized.count(SET) == 1  # moto's own: twice per UpdateItem
    assert tokenized.count("SET = :a") == 4  # a text that does not parse is tried again each time
    _, kept = answers(run, dynamodb_expressions.installed)
    assert kept == fresh
