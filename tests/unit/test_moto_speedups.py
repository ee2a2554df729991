"""The local stack's moto speedups answer exactly what moto answers without them (clinic_reviews_local/moto_speedups.py)."""

from __future__ import annotations

import os
from decimal import Decimal
from unittest import mock

import boto3
import pytest
from clinic_reviews_local import moto_speedups
from moto import mock_aws

from .moto_runs import ENV as _ENV
from .moto_runs import answers

ITEMS = [
    {"pk": {"S": "a"}, "sk": {"N": "10"}, "text": {"S": "Доктор <b>"}, "flag": {"BOOL": True}, "none": {"NULL": True}},
    {"pk": {"S": "a"}, "sk": {"N": "2"}, "tags": {"SS": ["x", "y"]}, "nums": {"NS": ["1", "2.5"]}},
    {"pk": {"S": "a"}, "sk": {"N": "-1.5"}, "blob": {"B": b"\x00\xff"}, "empty": {"S": ""}},
    {"pk": {"S": "b"}, "sk": {"N": "7"}, "nested": {"M": {"l": {"L": [{"S": "q"}, {"N": "3"}, {"M": {}}, {"L": []}]},
                                                          "bs": {"BS": [b"1"]}}}},
    {"pk": {"S": "B"}, "sk": {"N": "100"}, "g": {"S": "day#2"}, "n": {"N": "1"}},
    {"pk": {"S": "c"}, "sk": {"N": "3"}, "g": {"S": "day#2"}, "n": {"N": "10"}},
    {"pk": {"S": "d"}, "sk": {"N": "3"}, "g": {"S": "day#2"}, "n": {"N": "9"}},
]


def _scenario() -> list:
    """Table reads and transactions whose answers are compared with and without the speedups."""
    db = boto3.client("dynamodb", region_name="eu-central-1")
    db.create_table(
        TableName="t", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in
                              (("pk", "S"), ("sk", "N"), ("g", "S"), ("n", "N"))],
        GlobalSecondaryIndexes=[{"IndexName": "byg", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                               {"AttributeName": "n", "KeyType": "RANGE"}]}],
    )
    for item in ITEMS:
        db.put_item(TableName="t", Item=item)
    seen: list = [
        db.query(TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}}),
        db.query(TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}},
                 ScanIndexForward=False, Limit=2),
        db.query(TableName="t", IndexName="byg", KeyConditionExpression="g = :g",
                 ExpressionAttributeValues={":g": {"S": "day#2"}}),
        db.scan(TableName="t"),
        db.get_item(TableName="t", Key={"pk": {"S": "b"}, "sk": {"N": "7"}}),
    ]
    update = {"Update": {"TableName": "t", "Key": {"pk": {"S": "a"}, "sk": {"N": "2"}},
                         "UpdateExpression": "SET flag = :t", "ExpressionAttributeValues": {":t": {"BOOL": False}}}}
    failing = {"ConditionCheck": {"TableName": "t", "Key": {"pk": {"S": "b"}, "sk": {"N": "7"}},
                                  "ConditionExpression": "attribute_not_exists(pk)"}}
    new = {"Put": {"TableName": "t", "Item": {"pk": {"S": "e"}, "sk": {"N": "1"}}}}
    with pytest.raises(db.exceptions.TransactionCanceledException) as refused:
        db.transact_write_items(TransactItems=[update, new, failing])
    seen += [refused.value.response["CancellationReasons"], db.scan(TableName="t")]
    db.transact_write_items(TransactItems=[update, new])
    seen.append(db.scan(TableName="t"))
    return seen


def test_answers_are_the_same_with_and_without_the_speedups():
    plain, fast = answers(_scenario), answers(_scenario, moto_speedups.install)
    assert fast == plain
    assert [i["sk"]["N"] for i in plain[0]["Items"]] == ["-1.5", "2", "10"]  # numeric order, not text order
    assert [i["n"]["N"] for i in plain[2]["Items"]] == ["1", "9", "10"]
    assert plain[6] == plain[3]  # the refused transaction changed nothing
    assert plain[7] != plain[3]


def test_wire_form_values_are_copied_and_others_left_to_moto():
    value = {"M": {"a": {"L": [{"S": "x"}, {"NULL": True}, {"NS": ["1"]}]}}}
    copied = moto_speedups.wire_copy(value)
    assert copied == value and copied is not value and copied["M"]["a"]["L"] is not value["M"]["a"]["L"]
    for other in ({"B": b"1"}, {"M": {"a": {"BS": [b"1"]}}}, {"S": 1}, {"N": Decimal(1)}, {"S": "a", "N": "1"}, "S"):
        assert moto_speedups.wire_copy(other) is None


def test_a_refused_transaction_copies_only_the_items_it_named():
    with mock.patch.dict(os.environ, _ENV), mock_aws(), moto_speedups.install():
        from moto.dynamodb.models import dynamodb_backends

        _scenario()
        table = dynamodb_backends["123456789012"]["eu-central-1"].get_table("t")
        touched, untouched = list(table.items)[0], list(table.items)[1]
        named, other = list(table.items[touched])[:2]
        copied = moto_speedups.rollback_copy(table, {(touched, named)})
        assert copied.items[touched] is not table.items[touched]  # its own partition dict: the live one may change
        assert copied.items[touched][named] is not table.items[touched][named]
        assert copied.items[touched][named] == table.items[touched][named]
        assert copied.items[touched][other] is table.items[touched][other]  # what it cannot change is shared
        assert copied.items[untouched] is table.items[untouched]


def test_sessions_share_a_service_model_parsed_once():
    import botocore.session

    with moto_speedups.install():
        first, second = (botocore.session.get_session().get_component("data_loader") for _ in range(2))
        assert first is not second
        assert first.load_service_model("sqs", "service-2") is second.load_service_model("sqs", "service-2")
    plain = botocore.session.get_session().get_component("data_loader").load_service_model("sqs", "service-2")
    with moto_speedups.install():
        shared = botocore.session.get_session().get_component("data_loader").load_service_model("sqs", "service-2")
    assert shared == plain


def test_sessions_share_the_endpoints_file_parsed_once(monkeypatch):
    import botocore.session

    # botocore's EndpointResolver._resolve writes derived keys (hostname, partition, ...) into the region's entry
    # of the data it was given, as it does within one session: compare a fresh parse, not what earlier tests resolved.
    monkeypatch.setattr(moto_speedups, "_data_files", {})
    with moto_speedups.install():
        first, second = (botocore.session.get_session().get_component("data_loader") for _ in range(2))
        assert first.load_data("endpoints") is second.load_data("endpoints")
        # the resolver a new session builds (pynamodb builds one per thread) reads the shared data
        resolvers = [botocore.session.get_session().get_component("endpoint_resolver") for _ in range(2)]
        assert resolvers[0]._endpoint_data is resolvers[1]._endpoint_data
    plain = botocore.session.get_session().get_component("data_loader").load_data("endpoints")
    with moto_speedups.install():
        shared = botocore.session.get_session().get_component("data_loader").load_data("endpoints")
    assert shared == plain


def test_sessions_share_the_listings_of_botocore_data():
    import botocore.session

    def loader():
        return botocore.session.get_session().get_component("data_loader")

    plain = (loader().list_available_services("service-2"), loader().determine_latest_version("sqs", "service-2"))
    with moto_speedups.install():
        first, second = loader(), loader()
        assert first.list_available_services("service-2") is second.list_available_services("service-2")
        shared = (first.list_available_services("service-2"), second.determine_latest_version("sqs", "service-2"))
        assert first.list_api_versions("sqs", "service-2") == second.list_api_versions("sqs", "service-2")
        # by keyword too, as Session.get_available_services asks (moto's error serializer calls it)
        assert botocore.session.get_session().get_available_services() == plain[0]
    assert shared == plain and "dynamodb" in plain[0]


def test_an_event_delivered_to_a_queue_reads_its_paths_parsed_once():
    from jsonpath_ng.ext import parse as plain_parse
    from moto.events.utils import EventTemplateParser

    event = {"version": "0", "id": "1", "detail-type": "review.received", "source": "clinic-reviews",
             "account": "123456789012", "time": 1796626800, "region": "eu-central-1", "resources": [],
             "detail": {"review": {"id": "r-1", "tags": ["a", "b"]}}, "ingestion-time": 1}
    expected = EventTemplateParser.parse("", {}, event)
    with moto_speedups.install():
        import jsonpath_ng.ext

        assert jsonpath_ng.ext.parse("$.detail") is jsonpath_ng.ext.parse("$.detail")
        assert EventTemplateParser.parse("", {}, event) == expected
        found = jsonpath_ng.ext.parse("$.detail.review.tags[*]").find(event)
    assert [m.value for m in found] == [m.value for m in plain_parse("$.detail.review.tags[*]").find(event)]


def test_a_response_class_lists_the_same_methods_once_computed():
    from moto.core.utils import method_names_from_class
    from moto.dynamodb.responses import DynamoHandler

    assert moto_speedups.method_names(DynamoHandler) == method_names_from_class(DynamoHandler)
    assert moto_speedups.method_names(DynamoHandler) is moto_speedups.method_names(DynamoHandler)


RETRYING = """{"StartAt": "Get", "States": {
  "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
          "Parameters": {"TableName": "missing", "Key": {"pk": {"S.$": "$.id"}}},
          "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2, "IntervalSeconds": 1}],
          "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}], "End": true},
  "Caught": {"Type": "Pass", "Parameters": {"id.$": "$.id", "error.$": "$.error.Error"}, "End": true}}}"""


def _executions(shared: bool, count: int = 6) -> tuple[list, int, int]:
    """`count` executions of RETRYING running at once: (status, output, history event types) each, how many
    times the definition was parsed and how many clients the task states built."""
    import time

    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.asl.utils import boto_client

    parses, clients = [], []
    real_parse, real_client = AmazonStateLanguageParser.parse, boto_client.boto3.client

    class _NoSleep:
        def __getattr__(self, name):
            return (lambda seconds: None) if name == "sleep" else getattr(time, name)

    with mock.patch.dict(os.environ, _ENV), mock_aws(config={"stepfunctions": {"execute_state_machine": True}}), \
            mock.patch.object(retrier_decl, "time", _NoSleep()), \
            mock.patch.object(AmazonStateLanguageParser, "parse", lambda text: parses.append(1) or real_parse(text)), \
            mock.patch.object(boto_client.boto3, "client", lambda *a, **k: clients.append(1) or real_client(*a, **k)):
        speedups = moto_speedups.install() if shared else mock.MagicMock()
        with speedups:
            moto_speedups._programs.clear()
            sfn = boto3.client("stepfunctions", region_name="eu-central-1")
            arn = sfn.create_state_machine(name="m", definition=RETRYING,
                                           roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
            runs = [sfn.start_execution(stateMachineArn=arn, name=f"e{i}", input=f'{{"id": "r{i}"}}')["executionArn"]
                    for i in range(count)]
            found = []
            for run in runs:
                for _ in range(500):
                    described = sfn.describe_execution(executionArn=run)
                    if described["status"] != "RUNNING":
                        break
                    time.sleep(0.01)
                history = sfn.get_execution_history(executionArn=run)["events"]
                found.append((described["status"], described.get("output"), [e["type"] for e in history]))
    return found, len(parses), len(clients)


def test_executions_sharing_one_parsed_program_and_task_clients_run_as_with_their_own():
    own, own_parses, own_clients = _executions(shared=False)
    shared, shared_parses, shared_clients = _executions(shared=True)
    assert shared == own
    assert own[0][0] == "SUCCEEDED" and own[0][2].count("TaskFailed") == 3  # two retries each, then the catch
    assert (own_parses, shared_parses) == (1 + 6, 1)  # create_state_machine validates; then per execution, or never
    assert (own_clients, shared_clients) == (1 + 6 * 3, 1 + 1)  # this test's own; a client per task attempt, or one


def test_a_shared_program_has_its_heap_keys_drawn_at_parse():
    program = moto_speedups.program_for(RETRYING)
    assert moto_speedups.program_for(RETRYING) is program
    components = moto_speedups.components(program)
    assert len(components) > 10
    assert all(c._EvalComponent__heap_key is not None for c in components)


def _refused_definition(fast: bool) -> tuple[str, str]:
    from botocore.exceptions import ClientError

    with mock.patch.dict(os.environ, _ENV), mock_aws(config={"stepfunctions": {"execute_state_machine": True}}), \
            (moto_speedups.install() if fast else mock.MagicMock()):
        sfn = boto3.client("stepfunctions", region_name="eu-central-1")
        with pytest.raises(ClientError) as refused:
            sfn.create_state_machine(name="bad", definition='{"StartAt": "X", "States": {"X": {"Type": "Nope"}}}',
                                     roleArn="arn:aws:iam::123456789012:role/r")
    return refused.value.response["Error"]["Code"], refused.value.response["Error"]["Message"]


def test_a_bad_definition_is_refused_as_moto_refuses_it_when_its_parse_is_shared():
    assert _refused_definition(fast=True) == _refused_definition(fast=False)
    assert "mismatched input" in _refused_definition(fast=True)[1]  # moto's InvalidDefinition, ANTLR's words


def test_moto_and_boto3_share_a_service_model_unless_a_search_path_holds_another(tmp_path):
    import boto3
    from botocore.loaders import create_loader

    with moto_speedups.install():
        session_loader = boto3.Session()._session.get_component("data_loader")  # searches boto3's data folder too
        assert session_loader.search_paths != create_loader().search_paths
        assert create_loader().load_service_model("dynamodb", "service-2") is \
            session_loader.load_service_model("dynamodb", "service-2")
        own = tmp_path / "sqs" / "2012-11-05"
        own.mkdir(parents=True)
        (own / "service-2.json").write_text('{"metadata": {"note": "a customer model"}, "operations": {}, "shapes": {}}')
        customized = create_loader(str(tmp_path))
        assert customized.load_service_model("sqs", "service-2") == {
            "metadata": {"note": "a customer model"}, "operations": {}, "shapes": {}}
        assert create_loader().load_service_model("sqs", "service-2")["operations"]  # botocore's, not shared with it
