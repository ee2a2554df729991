"""The embedded AWS's IAM evaluation: wildcards, explicit deny, resources per API call, AWS's error."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from clinic_reviews_local.iam import Arns, Authorizer, GrantRecord, Principal, Statement, matches, requests

ARNS = Arns("eu-central-1", "123456789012", {"clinic-reviews/local/links": "arn:aws:secretsmanager:eu-central-1:123456789012:secret:links-AbCdEf"})
TABLE = "arn:aws:dynamodb:eu-central-1:123456789012:table/reviews"


def _principal(*statements: dict) -> Principal:
    return Principal("Fn", "arn:aws:iam::123456789012:role/fn-role", [Statement.read(f"p#{i}", s) for i, s in enumerate(statements)])


def _authorizer(principal: Principal) -> Authorizer:
    return Authorizer({"fn": principal}, ARNS, [], GrantRecord())


def test_wildcards_match_like_iam():
    assert matches("dynamodb:Get*", "dynamodb:getitem", ignore_case=True)
    assert matches("arn:aws:s3:::bucket/raw/*", "arn:aws:s3:::bucket/raw/google/1.json")
    assert not matches("arn:aws:s3:::bucket/raw/*", "arn:aws:s3:::bucket/reports/1.html")
    assert matches("arn:aws:s3:::b/?", "arn:aws:s3:::b/x") and not matches("arn:aws:s3:::b/?", "arn:aws:s3:::b/xy")


def test_a_call_outside_the_role_is_refused_as_aws_refuses_it():
    principal = _principal({"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"], "Resource": [TABLE, f"{TABLE}/index/*"]})
    authorizer = _authorizer(principal)
    authorizer.check(principal, "dynamodb:Query", f"{TABLE}/index/gsi1")
    with pytest.raises(ClientError) as caught:
        authorizer.check(principal, "dynamodb:Scan", TABLE, "Scan")
    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "is not authorized to perform: dynamodb:Scan on resource: " + TABLE in str(caught.value)


def test_an_explicit_deny_wins_sms_but_no_topics():
    principal = _principal(
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"},
        {"Effect": "Deny", "Action": "sns:Publish", "Resource": "arn:aws:sns:*:*:*"},
    )
    authorizer = _authorizer(principal)
    (sms,) = requests("sns", "Publish", {"PhoneNumber": "+79161234567", "Message": "x"}, ARNS)
    (topic,) = requests("sns", "Publish", {"TopicArn": "arn:aws:sns:eu-central-1:123456789012:t", "Message": "x"}, ARNS)
    assert authorizer.allows(principal, sms.action, sms.resource)
    assert not authorizer.allows(principal, topic.action, topic.resource)


def test_s3_is_refused_with_its_own_code_and_per_prefix():
    principal = _principal({"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::archive/raw/*"})
    authorizer = _authorizer(principal)
    (ok,) = requests("s3", "PutObject", {"Bucket": "archive", "Key": "raw/google/p1.json"}, ARNS)
    (other,) = requests("s3", "PutObject", {"Bucket": "archive", "Key": "reports/x.html"}, ARNS)
    authorizer.check(principal, ok.action, ok.resource)
    with pytest.raises(ClientError) as caught:
        authorizer.check(principal, other.action, other.resource, "PutObject")
    assert caught.value.response["Error"]["Code"] == "AccessDenied"


def test_list_bucket_conditions_on_the_prefix():
    principal = _principal({
        "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::imports",
        "Condition": {"StringLike": {"s3:prefix": ["visits/*"]}},
    })
    (inside,) = requests("s3", "ListObjectsV2", {"Bucket": "imports", "Prefix": "visits/c1/"}, ARNS)
    (outside,) = requests("s3", "ListObjectsV2", {"Bucket": "imports", "Prefix": "imports/"}, ARNS)
    allowed, _ = principal.decide(inside.action, inside.resource, dict(inside.context))
    refused, _ = principal.decide(outside.action, outside.resource, dict(outside.context))
    assert allowed and not refused


def test_api_calls_become_the_actions_and_resources_iam_sees():
    transact = requests("dynamodb", "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": "reviews", "Item": {}}}, {"Delete": {"TableName": "reviews", "Key": {}}},
    ]}, ARNS)
    assert [(r.action, r.resource) for r in transact] == [("dynamodb:PutItem", TABLE), ("dynamodb:DeleteItem", TABLE)]
    (secret,) = requests("secretsmanager", "GetSecretValue", {"SecretId": "clinic-reviews/local/links"}, ARNS)
    assert secret.resource.endswith(":secret:links-AbCdEf")
    (mail,) = requests("ses", "SendRawEmail", {"Source": "reviews@clinic.example", "RawMessage": {}}, ARNS)
    assert mail.resource == "arn:aws:ses:eu-central-1:123456789012:identity/reviews@clinic.example"
    (invoke,) = requests("lambda", "Invoke", {"FunctionName": "arn:aws:lambda:eu-central-1:123456789012:function:f:$LATEST"}, ARNS)
    assert (invoke.action, invoke.resource) == ("lambda:InvokeFunction", "arn:aws:lambda:eu-central-1:123456789012:function:f")
    (event,) = requests("events", "PutEvents", {"Entries": [{"EventBusName": "bus"}]}, ARNS)
    assert event.resource == "arn:aws:events:eu-central-1:123456789012:event-bus/bus"


def test_an_unknown_condition_operator_fails_loudly():
    from clinic_reviews_local.template import TemplateError

    with pytest.raises(TemplateError, match="NumericLessThan"):
        Statement.read("p#0", {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericLessThan": {"x": "1"}}})


def test_a_parameter_is_read_only_by_the_role_that_names_it():
    links = "arn:aws:ssm:eu-central-1:123456789012:parameter/clinic-reviews/local/links"
    principal = _principal({"Effect": "Allow", "Action": "ssm:GetParameter", "Resource": links})
    authorizer = _authorizer(principal)
    (own,) = requests("ssm", "GetParameter", {"Name": "/clinic-reviews/local/links", "WithDecryption": True}, ARNS)
    (other,) = requests("ssm", "GetParameter", {"Name": "/clinic-reviews/local/sources"}, ARNS)
    assert own.resource == links
    authorizer.check(principal, own.action, own.resource)
    with pytest.raises(ClientError) as caught:
        authorizer.check(principal, other.action, other.resource, "GetParameter")
    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
    both = requests("ssm", "GetParameters", {"Names": ["/clinic-reviews/local/links", "/clinic-reviews/local/sources"]}, ARNS)
    assert [r.resource.rsplit("/", 1)[-1] for r in both] == ["links", "sources"]


def test_only_the_aws_managed_policies_a_template_names_are_loaded():
    import boto3
    from clinic_reviews_local.iam import aws_policies_named, only_aws_policies
    from moto import mock_aws

    template = {"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {"ManagedPolicyArns": [
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AWSXrayWriteOnlyAccess"},
    ]}}}}
    named = aws_policies_named(template)
    assert named == {"AWSLambdaBasicExecutionRole", "AWSXrayWriteOnlyAccess"}
    with mock_aws(config={"iam": {"load_aws_managed_policies": True}}), only_aws_policies(named):
        iam = boto3.client("iam", region_name="eu-central-1")
        loaded = {p["PolicyName"]: p["Arn"] for p in iam.list_policies(Scope="AWS")["Policies"]}
        assert set(loaded) == named
        assert loaded["AWSLambdaBasicExecutionRole"] == "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
        document = iam.get_policy_version(PolicyArn=loaded["AWSLambdaBasicExecutionRole"], VersionId="v1")
        assert "logs:PutLogEvents" in str(document["PolicyVersion"]["Document"])


def test_roles_sharing_a_managed_policy_read_it_from_iam_once():
    import boto3
    from clinic_reviews_local.deployer import Deployed, Stack
    from clinic_reviews_local.iam import authorizer_for, only_aws_policies
    from moto import mock_aws

    basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    roles = {f"R{i}": Deployed(f"R{i}", "AWS::IAM::Role", f"r{i}", {"Arn": f"arn:aws:iam::123456789012:role/r{i}"},
                               {"ManagedPolicyArns": [basic]}) for i in range(3)}
    functions = {f"F{i}": Deployed(f"F{i}", "AWS::Lambda::Function", f"f{i}", {"Arn": f"arn:aws:lambda:eu-central-1:123456789012:function:f{i}"},
                                   {"Role": f"arn:aws:iam::123456789012:role/r{i}"}) for i in range(3)}
    stack = Stack("s", "eu-central-1", roles | functions, {}, {})
    with mock_aws(config={"iam": {"load_aws_managed_policies": True}}), \
            only_aws_policies({"AWSLambdaBasicExecutionRole"}):
        iam = boto3.client("iam", region_name="eu-central-1")
        calls = []
        iam.meta.events.register("before-call.iam.*", lambda model, **_: calls.append(model.name))
        authorizer = authorizer_for(stack, iam)
    assert calls == ["GetPolicy", "GetPolicyVersion"]  # not once per role
    statements = [authorizer.principals[f"f{i}"].statements for i in range(3)]
    assert statements[0] == statements[1] == statements[2]
    assert any("logs:PutLogEvents" in s.actions for s in statements[0])
