"""moto's responses are the same with the serializer's remembered member names (response_serializer.py), and the
names are worked out once per member."""

from __future__ import annotations

import json

import boto3
from clinic_reviews_local import response_serializer

from .moto_runs import answers

REGION = "eu-central-1"
MACHINE = {"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "Result": {"a": 1}, "Next": "Done"},
                                          "Done": {"Type": "Succeed"}}}


def _scenario() -> list:
    """Responses built from dicts and from model objects, in JSON, query (XML) and REST protocols."""
    seen: list = []
    db = boto3.client("dynamodb", region_name=REGION)
    table = db.create_table(
        TableName="t", BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})["TableDescription"]
    db.put_item(TableName="t", Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    db.put_item(TableName="t", Item={"pk": {"S": "a"}, "n": {"N": "2"}, "m": {"M": {"x": {"L": [{"S": "y"}]}}}})
    streams = boto3.client("dynamodbstreams", region_name=REGION)
    shard = streams.describe_stream(StreamArn=table["LatestStreamArn"])["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(StreamArn=table["LatestStreamArn"], ShardId=shard["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    seen.append(streams.get_records(ShardIterator=iterator)["Records"])
    iam = boto3.client("iam", region_name=REGION)
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    seen += [iam.get_role(RoleName="r"), iam.list_roles()]
    sfn = boto3.client("stepfunctions", region_name=REGION)
    machine = sfn.create_state_machine(name="m", definition=json.dumps(MACHINE), roleArn=role["Role"]["Arn"])
    execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name="e", input="{}")
    seen += [sfn.describe_execution(executionArn=execution["executionArn"]),
             sfn.get_execution_history(executionArn=execution["executionArn"]), sfn.list_executions(
                 stateMachineArn=machine["stateMachineArn"])]
    sqs = boto3.client("sqs", region_name=REGION)
    queue = sqs.create_queue(QueueName="q")["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody="hello", MessageAttributes={"k": {"DataType": "String",
                                                                                   "StringValue": "v"}})
    seen += [sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"]),
             sqs.receive_message(QueueUrl=queue, MessageAttributeNames=["All"])]
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="bucket-b", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="bucket-b", Key="k", Body=b"x")
    seen += [s3.list_objects_v2(Bucket="bucket-b"), s3.head_object(Bucket="bucket-b", Key="k")]
    return [_stable(answer) for answer in seen]


def _stable(answer):
    """Without what differs between two runs anyway (ids, times, receipt handles)."""
    text = json.dumps(answer, default=str, sort_keys=True)
    return json.loads(text, object_hook=lambda d: {k: v for k, v in d.items() if not _varies(k)})


def _varies(key: str) -> bool:
    return key in {"ResponseMetadata", "ApproximateCreationDateTime", "SequenceNumber", "eventID", "CreateDate",
                   "RoleId", "LastModified", "startDate", "stopDate", "timestamp", "ReceiptHandle", "MessageId",
                   "executionArn", "stateMachineArn", "redriveDate", "ApproximateFirstReceiveTimestamp",
                   "SentTimestamp", "CreatedTimestamp", "LastModifiedTimestamp", "QueueArn", "RoleLastUsed",
                   "roleArn", "ETag", "x-amz-request-id", "x-amz-id-2", "SizeBytes"}


def test_responses_are_the_same_with_remembered_names():
    plain, fast = answers(_scenario), answers(_scenario, response_serializer.installed)
    assert fast == plain
    assert plain[0][1]["dynamodb"]["NewImage"]["m"] == {"M": {"x": {"L": [{"S": "y"}]}}}
    assert [event["type"] for event in plain[4]["events"]][0] == "ExecutionStarted"


def test_member_names_are_worked_out_once_per_member():
    from moto.core import serialize

    asked = []
    original = serialize.NoAlias.has_alias

    def counted(self, key):
        asked.append(key)
        return original(self, key)

    def twice() -> list:
        from unittest import mock

        with mock.patch.object(serialize.NoAlias, "has_alias", counted):
            db = boto3.client("dynamodb", region_name=REGION)
            db.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
            asked.clear()
            db.describe_table(TableName="t")
            first = len(asked)
            db.describe_table(TableName="t")
            return [first, len(asked) - first]

    plain = answers(twice)
    fast = answers(twice, response_serializer.installed)
    assert plain[0] == plain[1] > 20  # moto asks again for every response
    assert fast[0] == plain[0] and fast[1] == 0


class Role:
    """A value whose class name is a prefix of some members' names (moto then also tries the name without it)."""


def _members(shape, parent=None, seen=None):
    """Every (member name, member shape) under `shape`, each member's `parent` set as moto's serializer sets it."""
    seen = set() if seen is None else seen
    if shape is None or shape.name in seen:
        return
    seen.add(shape.name)
    if shape.type_name == "structure":
        for name, member in shape.members.items():
            member.parent = shape
            yield name, member
            yield from _members(member, shape, seen)
    elif shape.type_name == "list":
        yield from _members(shape.member, parent, seen)
    elif shape.type_name == "map":
        yield from _members(shape.value, parent, seen)


def test_each_member_gets_the_names_moto_gives_it_in_its_order():
    from moto.core.serialize import AttributePicker, AttributePickerContext, XFormedAttributePicker
    from moto.core.utils import get_service_model

    models = [get_service_model(service) for service in ("stepfunctions", "dynamodbstreams", "iam", "sqs")]
    cases = [(picker, AttributePickerContext(obj=value, key=name, shape=member))
             for model in models for operation in model.operation_names
             for name, member in _members(model.operation_model(operation).output_shape)
             for value in ({}, Role()) for picker in (AttributePicker(), XFormedAttributePicker())]
    plain = [list(picker.get_possible_keys(context)) for picker, context in cases]
    with response_serializer.installed():
        fast = [list(picker.get_possible_keys(context)) for picker, context in cases]
        again = [list(picker.get_possible_keys(context)) for picker, context in cases]
    assert fast == again == plain
    assert len(cases) > 5000 and any(len(names) > 2 for names in plain)
