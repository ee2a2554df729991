"""The local stack's requests carry SigV4's headers with a zero signature: moto still sees who calls (the access
key), the region and S3's streamed bodies; presigned links are still signed for real."""

from __future__ import annotations

import io

import boto3
import pytest
from clinic_reviews_local import request_headers
from moto import mock_aws

REGION = "eu-central-1"


@pytest.fixture
def aws(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    with mock_aws(), request_headers.installed():
        yield


def _sent_headers(client) -> list[dict[str, str]]:
    seen: list[dict[str, str]] = []

    def keep(request, **_):
        seen.append({k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()})

    client.meta.events.register("before-send", keep)
    return seen


def test_requests_carry_the_credential_scope_and_a_zero_signature(aws):
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    sent = _sent_headers(dynamodb)
    dynamodb.list_tables()
    credentials = boto3.Session().get_credentials()
    authorization = sent[-1]["Authorization"]
    day = sent[-1]["X-Amz-Date"][:8]
    assert authorization == (
        f"AWS4-HMAC-SHA256 Credential={credentials.access_key}/{day}/{REGION}/dynamodb/aws4_request, "
        f"SignedHeaders=host;x-amz-date;x-amz-security-token, Signature={request_headers.ZERO_SIGNATURE}")
    assert sent[-1]["X-Amz-Security-Token"] == credentials.token


def test_moto_still_knows_who_calls_by_the_access_key(aws):
    iam = boto3.client("iam", region_name=REGION)
    iam.create_user(UserName="operator")
    key = iam.create_access_key(UserName="operator")["AccessKey"]
    as_operator = boto3.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                                region_name=REGION)
    assert as_operator.client("sts").get_caller_identity()["Arn"].endswith(":user/operator")
    assert boto3.client("sts", region_name=REGION).get_caller_identity()["Arn"] != \
        as_operator.client("sts").get_caller_identity()["Arn"]


def test_the_region_of_the_request_is_where_things_are_made(aws):
    boto3.client("sqs", region_name="us-west-2").create_queue(QueueName="west")
    assert boto3.client("sqs", region_name=REGION).list_queues().get("QueueUrls", []) == []
    assert len(boto3.client("sqs", region_name="us-west-2").list_queues()["QueueUrls"]) == 1


def test_s3_streamed_bodies_with_trailing_checksums_arrive_whole(aws):
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="reviews-archive", CreateBucketConfiguration={"LocationConstraint": REGION})
    sent = _sent_headers(s3)
    body = "отзыв ".encode() * 5_000
    s3.put_object(Bucket="reviews-archive", Key="streamed", Body=io.BytesIO(body), ChecksumAlgorithm="CRC32")
    s3.put_object(Bucket="reviews-archive", Key="bytes", Body=body)
    assert sent[0]["X-Amz-Content-SHA256"] == request_headers.STREAMING_TRAILER
    for key in ("streamed", "bytes"):
        assert s3.get_object(Bucket="reviews-archive", Key=key)["Body"].read() == body
    assert sent[-1]["X-Amz-Content-SHA256"] == request_headers.UNSIGNED_PAYLOAD  # a GET: no checksum trailer


def test_presigned_links_are_still_signed(aws):
    s3 = boto3.client("s3", region_name=REGION)
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"}, ExpiresIn=60)
    signature = url.split("X-Amz-Signature=")[1]
    assert len(signature) == 64 and signature != request_headers.ZERO_SIGNATURE


def _user_agents() -> list[str]:
    """The User-Agent headers of two calls by each of several clients (own settings, a paginator's feature code)."""
    from botocore.config import Config

    configs = [None, Config(user_agent_extra="clinic/1"), Config(user_agent_appid="reviews"),
               Config(retries={"mode": "standard", "max_attempts": 3}), Config(user_agent="legacy/2")]
    agents, session = [], boto3.Session()  # its own: credentials found again (a feature code of their own)
    for config in configs:
        sqs = session.client("sqs", region_name=REGION, config=config)
        sent = _sent_headers(sqs)
        sqs.list_queues()
        sqs.list_queues()
        list(sqs.get_paginator("list_queues").paginate())
        agents += [headers["User-Agent"] for headers in sent]
    return agents


def test_user_agents_are_the_ones_botocore_builds(monkeypatch):
    from unittest import mock

    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        with (mock.patch.object(request_headers, "remembered_user_agents", lambda original: original),
              request_headers.installed()):  # built for every request
            plain = _user_agents()
        with request_headers.installed():
            fast = _user_agents()
    assert fast == plain
    assert len(set(plain)) >= 5 and any("clinic/1" in agent for agent in plain)


def test_a_client_builds_its_user_agent_once_per_set_of_features(aws):
    from unittest import mock

    from botocore.useragent import UserAgentString

    sqs = boto3.client("sqs", region_name=REGION)
    with mock.patch.object(UserAgentString, "_build_sdk_metadata", autospec=True,
                           side_effect=UserAgentString._build_sdk_metadata) as built:
        for _ in range(3):
            sqs.list_queues()
    assert built.call_count == 1  # botocore's own: once per request
