"""One customer-managed key (DataKey) encrypts every store of data in template.yaml, and every role of the stack
may use it through those services only (docs/security.md, encryption at rest)."""

from __future__ import annotations

import os
from unittest import mock

import pytest
from clinic_reviews_local.template import project_root, transform

KEY = {"Ref": "DataKey"}
KEY_ARN = {"Fn::GetAtt": ["DataKey", "Arn"]}


@pytest.fixture(scope="module")
def resources() -> dict:
    with mock.patch.dict(os.environ, {"AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "eu-central-1")}):
        return transform(project_root(), {"SenderEmail": "alerts@example.org"})["Resources"]


def _of(resources: dict, kind: str) -> dict:
    return {name: r.get("Properties", {}) for name, r in resources.items() if r["Type"] == kind}


def test_the_table_buckets_queues_topics_and_log_groups_use_the_one_key(resources):
    assert [name for name, r in resources.items() if r["Type"] == "AWS::KMS::Key"] == ["DataKey"]
    table = _of(resources, "AWS::DynamoDB::Table")["ReviewsTable"]["SSESpecification"]
    assert table == {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": KEY}
    for name, bucket in _of(resources, "AWS::S3::Bucket").items():
        (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule == {
            "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY_ARN},
            "BucketKeyEnabled": True,
        }, name
    for name, queue in _of(resources, "AWS::SQS::Queue").items():
        assert queue.get("KmsMasterKeyId") == KEY and queue.get("KmsDataKeyReusePeriodSeconds") == 86400, name
    for name, topic in _of(resources, "AWS::SNS::Topic").items():
        assert topic.get("KmsMasterKeyId") == KEY, name
    for name, group in _of(resources, "AWS::Logs::LogGroup").items():
        assert group.get("KmsKeyId") == KEY_ARN, name


def test_every_role_of_the_stack_may_use_the_key_and_only_through_its_services(resources):
    roles = {name for name, r in resources.items() if r["Type"] == "AWS::IAM::Role"}
    use = _of(resources, "AWS::IAM::ManagedPolicy")["DataKeyUse"]
    # a role of a conditional function is listed under its condition: {"Fn::If": [condition, {"Ref": role}, NoValue]}
    listed = {(role["Fn::If"][1] if "Fn::If" in role else role)["Ref"] for role in use["Roles"]}
    assert listed == roles
    for statement in use["PolicyDocument"]["Statement"]:
        assert statement["Resource"] == KEY_ARN and "kms:ViaService" in statement["Condition"]["StringEquals"]


def test_the_key_policy_names_no_one_outside_the_account(resources):
    key = resources["DataKey"]["Properties"]
    assert key["EnableKeyRotation"] is True
    for statement in key["KeyPolicy"]["Statement"]:
        principal = statement["Principal"]
        assert principal != "*" and principal.get("AWS") != "*", statement["Sid"]
        if "Service" in principal:
            assert statement["Condition"], statement["Sid"]
