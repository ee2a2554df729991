"""The local deployer applies the customer-managed key where template.yaml puts it (moto holds the settings;
it does not encrypt anything, see docs/security.md)."""

from __future__ import annotations


def test_the_deployed_stores_name_the_stack_key(aws):
    key = aws.stack.resources["DataKey"]
    arn = key.attributes["Arn"]
    table = aws.client("dynamodb").describe_table(TableName=aws.outputs["TableName"])["Table"]
    assert table["SSEDescription"]["SSEType"] == "KMS" and table["SSEDescription"]["KMSMasterKeyArn"].endswith(key.physical_id)
    (rule,) = aws.client("s3").get_bucket_encryption(Bucket=aws.outputs["ArchiveBucketName"])[
        "ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": arn}
    assert rule["BucketKeyEnabled"] is True
    queue = aws.client("sqs").get_queue_attributes(
        QueueUrl=aws.physical("IntakeQueue"), AttributeNames=["KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds"]
    )["Attributes"]
    assert queue == {"KmsMasterKeyId": key.physical_id, "KmsDataKeyReusePeriodSeconds": "86400"}
    groups = aws.client("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"]
    assert groups and all(g.get("kmsKeyId") == arn for g in groups)
