"""A local stack restored from the snapshot of its deploy is the stack that deploy left (clinic_reviews_local/snapshot.py)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.client import BaseClient
from clinic_reviews_local import stack as local_stack
from clinic_reviews_local.api_calls import paused
from clinic_reviews_local.deployer import Deployer

from .conftest import START, review


def _inventory(aws) -> dict[str, Any]:
    """What a deploy left, read through the AWS API: resources, their settings, policies and secrets."""
    c = aws.client
    with paused():
        functions = sorted(c("lambda").list_functions()["Functions"], key=lambda f: f["FunctionName"])
        for function in functions:
            function.pop("LastModified", None)  # moto answers its own clock's "now" for it
        roles = c("iam").list_roles()["Roles"]
        found = {
            "functions": functions,
            "urls": [c("lambda").get_function_url_config(FunctionName=d.properties["TargetFunctionArn"])["FunctionUrl"]
                     for d in aws.stack.of_type("AWS::Lambda::Url")],
            "mappings": c("lambda").list_event_source_mappings()["EventSourceMappings"],
            "permissions": [c("lambda").get_policy(FunctionName=f["FunctionName"]).get("Policy") for f in functions
                            if f["FunctionName"].endswith(("IntakeFunction", "InboundSmsFunction"))],
            "queues": {url: c("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
                       for url in c("sqs").list_queues()["QueueUrls"]},
            "tables": [c("dynamodb").describe_table(TableName=t)["Table"] for t in c("dynamodb").list_tables()["TableNames"]],
            "machines": [c("stepfunctions").describe_state_machine(stateMachineArn=m["stateMachineArn"])
                         for m in c("stepfunctions").list_state_machines()["stateMachines"]],
            "roles": roles,
            "inline": {r["RoleName"]: [c("iam").get_role_policy(RoleName=r["RoleName"], PolicyName=p)["PolicyDocument"]
                                       for p in c("iam").list_role_policies(RoleName=r["RoleName"])["PolicyNames"]]
                       for r in roles},
            "attached": {r["RoleName"]: c("iam").list_attached_role_policies(RoleName=r["RoleName"])["AttachedPolicies"]
                         for r in roles},
            "secrets": c("ssm").get_parameters_by_path(Path="/", Recursive=True, WithDecryption=True)["Parameters"],
            "pools": [c("cognito-idp").describe_user_pool(UserPoolId=p["Id"])["UserPool"]
                      for p in c("cognito-idp").list_user_pools(MaxResults=10)["UserPools"]],
            "rules": c("events").list_rules(EventBusName=aws.outputs["BusName"])["Rules"],
            "schedules": c("scheduler").list_schedules()["Schedules"],
            "subscriptions": c("sns").list_subscriptions()["Subscriptions"],
            "buckets": {b["Name"]: c("s3").get_bucket_notification_configuration(Bucket=b["Name"]).get(
                "LambdaFunctionConfigurations") for b in c("s3").list_buckets()["Buckets"]},
            "identities": c("ses").list_identities()["Identities"],
            "receipt": c("ses").describe_active_receipt_rule_set().get("Rules"),
            "keys": [c("kms").describe_key(KeyId=k["KeyId"])["KeyMetadata"] for k in c("kms").list_keys()["Keys"]],
            "alarms": c("cloudwatch").describe_alarms()["MetricAlarms"],
            "log_groups": c("logs").describe_log_groups()["logGroups"],
        }
    for answer in [*found.values(), *found["machines"]]:
        if isinstance(answer, dict):
            answer.pop("ResponseMetadata", None)
    for secret in found["secrets"]:  # the start puts the fake Telegram's bot token after the deploy, every time
        secret.pop("LastModifiedDate")
    return found


@pytest.fixture
def deploys(monkeypatch, tmp_path):
    """Snapshots kept in a folder of this test's own; the deploys made (Deployer.deploy calls) are counted."""
    monkeypatch.setattr(local_stack, "SNAPSHOTS", tmp_path / "snapshots")
    made: list[str] = []
    real = Deployer.deploy

    def counted(self, template, parameters):
        made.append(parameters["SenderEmail"])
        return real(self, template, parameters)

    monkeypatch.setattr(Deployer, "deploy", counted)
    return made


def test_a_restored_stack_is_the_deployed_one_and_works(deploys, policy, monkeypatch):
    with local_stack.LocalStack(start=START) as aws:
        deployed, stack = _inventory(aws), aws.stack
        principals = {k: p.statements for k, p in aws.authorizer.principals.items()}
    calls: list[str] = []
    real_call = BaseClient._make_api_call
    monkeypatch.setattr(BaseClient, "_make_api_call",
                        lambda client, name, params: calls.append(name) or real_call(client, name, params))
    with local_stack.LocalStack(start=START) as aws:
        assert deploys == [local_stack.SENDER]  # the second start deployed nothing
        assert calls == ["GetParameter", "PutParameter"]  # only the fake Telegram's token: IAM is not read again
        monkeypatch.setattr(BaseClient, "_make_api_call", real_call)
        assert _inventory(aws) == deployed
        assert aws.stack == stack
        assert {k: p.statements for k, p in aws.authorizer.principals.items()} == principals
        aws.put_policy(policy)  # and it runs: a negative review goes from the queue to the manager's phone
        aws.send_to_queue("IntakeQueue", {"reviews": [review()]})
        aws.settle()
        assert [phone for phone, _ in aws.sent_sms()] == [policy.contact("review_manager", "msk-arbat").phone]


def test_other_parameters_deploy_again(deploys):
    for sender in (local_stack.SENDER, "other@clinic-reviews.example", "other@clinic-reviews.example"):
        with local_stack.LocalStack(start=START, parameters={"SenderEmail": sender}) as aws, paused():
            assert sender in aws.client("ses").list_identities()["Identities"]
    assert deploys == [local_stack.SENDER, "other@clinic-reviews.example"]
