"""The local stack runs its embedded AWS with the per-call fast paths installed (dynamodb_items.py,
dynamodb_expressions.py, response_serializer.py), and the answers through a deployed function's role are what
DynamoDB gives."""

from __future__ import annotations

from unittest import mock


def test_a_projected_query_converts_only_the_projected_values(aws):
    from moto.dynamodb.models.dynamo_type import DynamoType

    db, table = aws.client("dynamodb"), aws.outputs["TableName"]
    item = {"pk": {"S": "CLINIC#fast"}, "sk": {"S": "REVIEW#x#1"}, "gsi2pk": {"S": "DAY#fast#2026-12-07"},
            "gsi2sk": {"S": "fast#1"}, "score": {"N": "-0.750"}} | {f"a{n}": {"S": f"v{n}"} for n in range(30)}
    db.put_item(TableName=table, Item=item)
    with (mock.patch.object(DynamoType, "to_regular_json", autospec=True, side_effect=DynamoType.to_regular_json) as spy,
          aws.authorizer.acting_as(aws.physical("DigestFunction"))):
        found = db.query(TableName=table, IndexName="gsi2", KeyConditionExpression="gsi2pk = :d",
                         ExpressionAttributeValues={":d": {"S": "DAY#fast#2026-12-07"}},
                         ProjectionExpression="a3, score, nothere")
    assert found["Items"] == [{"a3": {"S": "v3"}, "score": {"N": "-0.750"}}]
    assert spy.call_count == 1  # the number's round trip; moto's own path: 3 x 35 values


def test_a_response_s_member_names_are_worked_out_once(aws):
    from moto.core import serialize

    sfn = aws.client("stepfunctions")
    with mock.patch.object(serialize.NoAlias, "has_alias", autospec=True, side_effect=serialize.NoAlias.has_alias) as asked:
        sfn.describe_state_machine(stateMachineArn=aws.physical("EscalationStateMachine"))
        first = asked.call_count
        sfn.describe_state_machine(stateMachineArn=aws.physical("EscalationStateMachine"))
    assert first > 5 and asked.call_count == first  # moto's own: asked again for every response


def test_an_update_expression_is_parsed_once_per_text(aws):
    from moto.dynamodb.parsing.tokens import ExpressionTokenizer

    db, table = aws.client("dynamodb"), aws.outputs["TableName"]
    key = {"pk": {"S": "CLINIC#fast"}, "sk": {"S": "REVIEW#x#2"}}
    with (mock.patch.object(ExpressionTokenizer, "make_list", side_effect=ExpressionTokenizer.make_list) as tokenized,
          aws.authorizer.acting_as(aws.physical("IntakeFunction"))):
        for n in range(3):
            found = db.update_item(TableName=table, Key=key, UpdateExpression="SET #s = :s ADD #v :one",
                                   ExpressionAttributeNames={"#s": "status", "#v": "version"},
                                   ExpressionAttributeValues={":s": {"S": f"s{n}"}, ":one": {"N": "1"}},
                                   ReturnValues="ALL_NEW")["Attributes"]
    assert found["version"] == {"N": "3"} and found["status"] == {"S": "s2"}
    assert tokenized.call_count <= 1  # moto's own: twice per UpdateItem


def test_a_template_compiled_once_is_not_compiled_again_by_a_later_run(aws):
    from clinic_reviews.notify.rendering import environment
    from clinic_reviews_local.compiled_templates import options_digest
    from jinja2 import Environment

    env = environment()
    with mock.patch.object(Environment, "compile", autospec=True, side_effect=Environment.compile) as compiled:
        for _ in range(2):  # as two runs: each process's environment starts with no template loaded
            env.cache.clear()
            env.get_template("ack.html.j2")
    assert compiled.call_count <= 1  # compiled by the first (or an earlier stack), read back by the second
    assert env.bytecode_cache.pattern.endswith(f".{options_digest()}.cache")  # kept per environment options
