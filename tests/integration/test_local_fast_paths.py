"""The local stack runs its embedded AWS with the per-call fast paths installed (dynamodb_items.py), and the answers
through a deployed function's role are what DynamoDB gives."""

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
