"""Deploys the transformed template into moto through the AWS API, resource by resource.

moto's own CloudFormation drops state machine definitions, cannot Ref an event bus and skips
schedules (../shared/LOCAL-AWS.md), so each resource type has a small creator here that calls the
service API with the resolved properties. A type without a creator, or a property a creator does not
understand, fails the deployment with its logical id: nothing is skipped silently.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from typing import Any

from clinic_reviews_local.resolver import Resolver, dependencies
from clinic_reviews_local.template import ARTIFACT_BUCKET, CODE_KEY, TemplateError

ACCOUNT = "123456789012"


@dataclass
class Deployed:
    logical_id: str
    type: str
    physical_id: str
    attributes: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass
class Stack:
    """What was deployed: resources by logical id, resolved outputs, and the parameters used."""

    name: str
    region: str
    resources: dict[str, Deployed]
    outputs: dict[str, Any]
    parameters: dict[str, Any]

    def of_type(self, type_name: str) -> list[Deployed]:
        return [r for r in self.resources.values() if r.type == type_name]

    def physical(self, logical_id: str) -> str:
        return self.resources[logical_id].physical_id


def _code_zip() -> bytes:
    """A placeholder deployment package: locally the handler runs from this process (see lambdas.py)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "clinic-reviews: handlers run in-process in the embedded local AWS\n")
    return buffer.getvalue()


class Deployer:
    def __init__(self, session: Any, stack_name: str, region: str):
        self._session = session
        self._clients: dict[str, Any] = {}
        self.stack_name = stack_name
        self.region = region
        self._deployed: dict[str, Deployed] = {}
        self._creators: dict[str, Callable[[str, dict[str, Any]], Deployed]] = {
            "AWS::DynamoDB::Table": self._table,
            "AWS::S3::Bucket": self._bucket,
            "AWS::S3::BucketPolicy": self._bucket_policy,
            "AWS::Events::EventBus": self._event_bus,
            "AWS::Events::Rule": self._rule,
            "AWS::SQS::Queue": self._queue,
            "AWS::SQS::QueuePolicy": self._queue_policy,
            "AWS::Logs::LogGroup": self._log_group,
            "AWS::SNS::Topic": self._topic,
            "AWS::SNS::Subscription": self._subscription,
            "AWS::SNS::TopicPolicy": self._topic_policy,
            "AWS::KMS::Key": self._kms_key,
            "AWS::CloudWatch::Alarm": self._alarm,
            "AWS::CloudWatch::Dashboard": self._dashboard,
            "AWS::IAM::Role": self._role,
            "AWS::IAM::ManagedPolicy": self._managed_policy,
            "AWS::Lambda::Function": self._function,
            "AWS::Lambda::LayerVersion": self._layer,
            "AWS::Lambda::EventSourceMapping": self._event_source_mapping,
            "AWS::Lambda::Permission": self._permission,
            "AWS::Lambda::Url": self._function_url,
            "AWS::Scheduler::Schedule": self._schedule,
            "AWS::StepFunctions::StateMachine": self._state_machine,
            "AWS::SES::EmailIdentity": self._email_identity,
            "AWS::SES::ReceiptRuleSet": self._receipt_rule_set,
            "AWS::SES::ReceiptRule": self._receipt_rule,
            "AWS::SecretsManager::Secret": self._secret,
            "AWS::Cognito::UserPool": self._user_pool,
            "AWS::Cognito::UserPoolGroup": self._user_pool_group,
            "AWS::Cognito::UserPoolClient": self._user_pool_client,
        }

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(service, region_name=self.region)
        return self._clients[service]

    # ------------------------------------------------------------------ orchestration
    def deploy(self, template: dict[str, Any], parameters: dict[str, Any]) -> Stack:
        params = self._parameters(template, parameters)
        resolver = Resolver(
            params,
            {
                "AWS::Region": self.region,
                "AWS::AccountId": ACCOUNT,
                "AWS::StackName": self.stack_name,
                "AWS::Partition": "aws",
                "AWS::URLSuffix": "amazonaws.com",
            },
            template.get("Conditions", {}),
            self._ref,
            self._get_att,
        )
        self._resolver = resolver
        self.client("s3").create_bucket(
            Bucket=ARTIFACT_BUCKET, CreateBucketConfiguration={"LocationConstraint": self.region}
        )
        self.client("s3").put_object(Bucket=ARTIFACT_BUCKET, Key=CODE_KEY, Body=_code_zip())
        resources = template.get("Resources", {})
        for logical_id in self._order(resources):
            definition = resources[logical_id]
            if "Condition" in definition and not resolver.condition(definition["Condition"]):
                continue
            creator = self._creators.get(definition["Type"])
            if creator is None:
                raise TemplateError(f"{logical_id}: the local deployer cannot create {definition['Type']}")
            properties = resolver.resolve(definition.get("Properties", {}))
            try:
                deployed = creator(logical_id, properties)
            except TemplateError:
                raise
            except Exception as exc:
                raise TemplateError(f"{logical_id} ({definition['Type']}): {type(exc).__name__}: {exc}") from exc
            deployed.properties = properties
            self._deployed[logical_id] = deployed
        outputs = {name: resolver.resolve(spec["Value"]) for name, spec in template.get("Outputs", {}).items()}
        return Stack(self.stack_name, self.region, dict(self._deployed), outputs, params)

    @staticmethod
    def _parameters(template: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
        values = {}
        for name, spec in template.get("Parameters", {}).items():
            if name in given:
                values[name] = given[name]
            elif "Default" in spec:
                values[name] = spec["Default"]
            else:
                raise TemplateError(f"parameter {name} has no default and no value was given")
        unknown = set(given) - set(values)
        if unknown:
            raise TemplateError(f"unknown parameters: {', '.join(sorted(unknown))}")
        return values

    @staticmethod
    def _order(resources: dict[str, Any]) -> list[str]:
        graph = {}
        for logical_id, definition in resources.items():
            needs = dependencies(definition.get("Properties", {})) & set(resources)
            depends_on = definition.get("DependsOn", [])
            needs |= set([depends_on] if isinstance(depends_on, str) else depends_on)
            graph[logical_id] = needs
        try:
            return list(TopologicalSorter(graph).static_order())
        except CycleError as exc:
            raise TemplateError(f"circular references between resources: {exc.args[1]}") from exc

    def _ref(self, logical_id: str) -> Any:
        if logical_id not in self._deployed:
            raise TemplateError(f"Ref to {logical_id}, which is not deployed (unknown or skipped by its condition)")
        return self._deployed[logical_id].physical_id

    def _get_att(self, logical_id: str, attribute: str) -> Any:
        if logical_id not in self._deployed:
            raise TemplateError(f"GetAtt {logical_id}.{attribute}: {logical_id} is not deployed")
        attributes = self._deployed[logical_id].attributes
        if attribute not in attributes:
            raise TemplateError(f"GetAtt {logical_id}.{attribute}: attribute not known to the local deployer")
        return attributes[attribute]

    def _name(self, logical_id: str, limit: int = 64, lower: bool = False) -> str:
        name = f"{self.stack_name}-{logical_id}"[:limit]
        return name.lower() if lower else name

    def _arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{ACCOUNT}:{resource}"

    @staticmethod
    def _expect(logical_id: str, properties: dict[str, Any], known: set[str]) -> None:
        unknown = set(properties) - known
        if unknown:
            raise TemplateError(f"{logical_id}: properties not supported locally: {', '.join(sorted(unknown))}")

    # ------------------------------------------------------------------ creators
    def _table(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {
            "TableName", "BillingMode", "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes",
            "TimeToLiveSpecification", "PointInTimeRecoverySpecification", "SSESpecification",
        })
        name = p.get("TableName") or self._name(logical_id, 255)
        kwargs = {
            "TableName": name,
            "AttributeDefinitions": p["AttributeDefinitions"],
            "KeySchema": p["KeySchema"],
            "BillingMode": p.get("BillingMode", "PROVISIONED"),
        }
        if p.get("GlobalSecondaryIndexes"):
            kwargs["GlobalSecondaryIndexes"] = p["GlobalSecondaryIndexes"]
        if p.get("SSESpecification"):
            sse = p["SSESpecification"]
            self._expect(f"{logical_id} SSESpecification", sse, {"SSEEnabled", "SSEType", "KMSMasterKeyId"})
            kwargs["SSESpecification"] = {"Enabled": bool(sse.get("SSEEnabled"))}
            if "SSEType" in sse:
                kwargs["SSESpecification"] |= {"SSEType": sse["SSEType"], "KMSMasterKeyId": sse["KMSMasterKeyId"]}
        ddb = self.client("dynamodb")
        table = ddb.create_table(**kwargs)["TableDescription"]
        if p.get("TimeToLiveSpecification"):
            ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=p["TimeToLiveSpecification"])
        if p.get("PointInTimeRecoverySpecification"):
            ddb.update_continuous_backups(
                TableName=name,
                PointInTimeRecoverySpecification={
                    "PointInTimeRecoveryEnabled": bool(p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"])
                },
            )
        return Deployed(logical_id, "AWS::DynamoDB::Table", name, {"Arn": table["TableArn"]})

    def _lifecycle_rule(self, logical_id: str, rule: dict[str, Any]) -> dict[str, Any]:
        self._expect(f"{logical_id} lifecycle rule", rule, {"Id", "Status", "Prefix", "ExpirationInDays", "AbortIncompleteMultipartUpload"})
        out: dict[str, Any] = {"ID": rule["Id"], "Status": rule["Status"], "Filter": {"Prefix": rule.get("Prefix", "")}}
        if "ExpirationInDays" in rule:
            out["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
        if "AbortIncompleteMultipartUpload" in rule:
            out["AbortIncompleteMultipartUpload"] = {
                "DaysAfterInitiation": int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
            }
        return out

    def _bucket(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {
            "BucketName", "BucketEncryption", "PublicAccessBlockConfiguration", "LifecycleConfiguration",
            "VersioningConfiguration", "NotificationConfiguration", "Tags",
        })
        name = p.get("BucketName") or self._name(logical_id, 63, lower=True)
        s3 = self.client("s3")
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": self.region})
        if p.get("BucketEncryption"):
            rules = [
                {
                    "ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"],
                    "BucketKeyEnabled": bool(rule.get("BucketKeyEnabled", False)),
                }
                for rule in p["BucketEncryption"]["ServerSideEncryptionConfiguration"]
            ]
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
        if p.get("PublicAccessBlockConfiguration"):
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=p["PublicAccessBlockConfiguration"])
        if p.get("LifecycleConfiguration"):
            rules = [self._lifecycle_rule(logical_id, rule) for rule in p["LifecycleConfiguration"]["Rules"]]
            s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": rules})
        if p.get("VersioningConfiguration"):
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=p["VersioningConfiguration"])
        if p.get("Tags"):  # SAM's sam:ConditionalDependsOn tags among them
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": t["Key"], "Value": str(t["Value"])} for t in p["Tags"]]})
        if p.get("NotificationConfiguration"):
            s3.put_bucket_notification_configuration(
                Bucket=name, NotificationConfiguration=self._notifications(logical_id, p["NotificationConfiguration"])
            )
        return Deployed(logical_id, "AWS::S3::Bucket", name, {"Arn": f"arn:aws:s3:::{name}", "BucketName": name})

    def _bucket_policy(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {"Bucket", "PolicyDocument"})
        self.client("s3").put_bucket_policy(Bucket=p["Bucket"], Policy=json.dumps(p["PolicyDocument"]))
        return Deployed(logical_id, "AWS::S3::BucketPolicy", p["Bucket"])

    @staticmethod
    def _notifications(logical_id: str, config: dict[str, Any]) -> dict[str, Any]:
        """CloudFormation's NotificationConfiguration in the shape of the S3 API (Lambda targets only)."""
        unknown = set(config) - {"LambdaConfigurations"}
        if unknown:
            raise TemplateError(f"{logical_id}: notification types not supported locally: {', '.join(sorted(unknown))}")
        targets = []
        for entry in config["LambdaConfigurations"]:
            target: dict[str, Any] = {"LambdaFunctionArn": entry["Function"], "Events": [entry["Event"]]}
            rules = (entry.get("Filter") or {}).get("S3Key", {}).get("Rules", [])
            if rules:
                target["Filter"] = {"Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}}
            targets.append(target)
        return {"LambdaFunctionConfigurations": targets}

    def _event_bus(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {"Name"})
        arn = self.client("events").create_event_bus(Name=p["Name"])["EventBusArn"]
        return Deployed(logical_id, "AWS::Events::EventBus", p["Name"], {"Arn": arn, "Name": p["Name"]})

    def _rule(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {"Name", "EventBusName", "EventPattern", "ScheduleExpression", "State", "Targets", "Description"})
        name = p.get("Name") or self._name(logical_id)
        events = self.client("events")
        kwargs = {"Name": name, "State": p.get("State", "ENABLED"), "EventBusName": p.get("EventBusName", "default")}
        if "EventPattern" in p:
            kwargs["EventPattern"] = json.dumps(p["EventPattern"])
        if "ScheduleExpression" in p:
            kwargs["ScheduleExpression"] = p["ScheduleExpression"]
        arn = events.put_rule(**kwargs)["RuleArn"]
        if p.get("Targets"):
            events.put_targets(Rule=name, EventBusName=kwargs["EventBusName"], Targets=p["Targets"])
        return Deployed(logical_id, "AWS::Events::Rule", name, {"Arn": arn})

    def _queue(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {
            "QueueName", "VisibilityTimeout", "MessageRetentionPeriod", "RedrivePolicy", "SqsManagedSseEnabled",
            "FifoQueue", "ContentBasedDeduplication", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds",
        })
        name = p.get("QueueName") or self._name(logical_id, 80)
        attributes = {}
        for key in (
            "VisibilityTimeout", "MessageRetentionPeriod", "SqsManagedSseEnabled", "FifoQueue", "ContentBasedDeduplication",
            "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds",
        ):
            if key in p:
                attributes[key] = str(p[key]).lower() if isinstance(p[key], bool) else str(p[key])
        if "RedrivePolicy" in p:
            attributes["RedrivePolicy"] = json.dumps(p["RedrivePolicy"])
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return Deployed(logical_id, "AWS::SQS::Queue", url, {"Arn": arn, "QueueName": name, "QueueUrl": url})

    def _queue_policy(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {"Queues", "PolicyDocument"})
        for url in p["Queues"]:
            self.client("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(p["PolicyDocument"])})
        return Deployed(logical_id, "AWS::SQS::QueuePolicy", self._name(logical_id))

    def _log_group(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {"LogGroupName", "RetentionInDays", "KmsKeyId"})
        name = p.get("LogGroupName") or self._name(logical_id)
        logs = self.client("logs")
        logs.create_log_group(logGroupName=name, **({"kmsKeyId": p["KmsKeyId"]} if "KmsKeyId" in p else {}))
        if "RetentionInDays" in p:
            logs.put_retention_policy(logGroupName=name, retentionInDays=int(p["RetentionInDays"]))
        return Deployed(logical_id, "AWS::Logs::LogGroup", name, {"Arn": self._arn("logs", f"log-group:{name}:*")})

    def _topic(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {"TopicName", "KmsMasterKeyId"})
        name = p.get("TopicName") or self._name(logical_id, 256)
        attributes = {"KmsMasterKeyId": p["KmsMasterKeyId"]} if "KmsMasterKeyId" in p else {}
        arn = self.client("sns").create_topic(Name=name, Attributes=attributes)["TopicArn"]
        return Deployed(logical_id, "AWS::SNS::Topic", arn, {"TopicArn": arn, "TopicName": name})

    def _topic_policy(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {"Topics", "PolicyDocument"})
        for arn in p["Topics"]:
            self.client("sns").set_topic_attributes(
                TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps(p["PolicyDocument"])
            )
        return Deployed(logical_id, "AWS::SNS::TopicPolicy", self._name(logical_id))

    def _kms_key(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {"Description", "EnableKeyRotation", "KeyPolicy", "KeyUsage", "KeySpec", "Tags"})
        kms = self.client("kms")
        kwargs: dict[str, Any] = {"Policy": json.dumps(p["KeyPolicy"])}
        for key in ("Description", "KeyUsage", "KeySpec"):
            if key in p:
                kwargs[key] = p[key]
        metadata = kms.create_key(**kwargs)["KeyMetadata"]
        if p.get("EnableKeyRotation") in (True, "true", "True"):
            kms.enable_key_rotation(KeyId=metadata["KeyId"])
        return Deployed(logical_id, "AWS::KMS::Key", metadata["KeyId"], {"Arn": metadata["Arn"], "KeyId": metadata["KeyId"]})

    def _subscription(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {"TopicArn", "Protocol", "Endpoint"})
        arn = self.client("sns").subscribe(TopicArn=p["TopicArn"], Protocol=p["Protocol"], Endpoint=p["Endpoint"])
        return Deployed(logical_id, "AWS::SNS::Subscription", arn["SubscriptionArn"])

    def _alarm(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        name = p.pop("AlarmName", None) or self._name(logical_id, 255)
        kwargs = {"AlarmName": name, **p}
        for key in ("Period", "EvaluationPeriods"):
            if key in kwargs:
                kwargs[key] = int(kwargs[key])
        if "Threshold" in kwargs:
            kwargs["Threshold"] = float(kwargs["Threshold"])
        for metric in kwargs.get("Metrics", []):
            if "MetricStat" in metric:
                metric["MetricStat"]["Period"] = int(metric["MetricStat"]["Period"])
        self.client("cloudwatch").put_metric_alarm(**kwargs)
        return Deployed(logical_id, "AWS::CloudWatch::Alarm", name, {"Arn": self._arn("cloudwatch", f"alarm:{name}")})

    def _dashboard(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {"DashboardName", "DashboardBody"})
        name = p.get("DashboardName") or self._name(logical_id)
        try:
            json.loads(p["DashboardBody"])
        except json.JSONDecodeError as exc:
            raise TemplateError(f"{logical_id}: DashboardBody is not JSON: {exc}") from None
        self.client("cloudwatch").put_dashboard(DashboardName=name, DashboardBody=p["DashboardBody"])
        return Deployed(logical_id, "AWS::CloudWatch::Dashboard", name)

    def _role(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {"AssumeRolePolicyDocument", "ManagedPolicyArns", "Policies", "Tags", "RoleName", "Path"})
        name = p.get("RoleName") or self._name(logical_id)
        iam = self.client("iam")
        role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(p["AssumeRolePolicyDocument"]))["Role"]
        for policy in p.get("Policies", []):
            # AWS reads a document without Version as 2008-10-17; moto refuses it, so name the version.
            document = {"Version": "2012-10-17", **policy["PolicyDocument"]}
            iam.put_role_policy(RoleName=name, PolicyName=policy["PolicyName"], PolicyDocument=json.dumps(document))
        for arn in p.get("ManagedPolicyArns", []):
            iam.attach_role_policy(RoleName=name, PolicyArn=arn)
        return Deployed(logical_id, "AWS::IAM::Role", name, {"Arn": role["Arn"], "RoleId": role["RoleId"]})

    def _managed_policy(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {"Description", "PolicyDocument", "Roles"})
        iam = self.client("iam")
        arn = iam.create_policy(
            PolicyName=self._name(logical_id, 128), PolicyDocument=json.dumps(p["PolicyDocument"]),
            Description=p.get("Description", ""),
        )["Policy"]["Arn"]
        for role in p.get("Roles", []):
            iam.attach_role_policy(RoleName=role, PolicyArn=arn)
        return Deployed(logical_id, "AWS::IAM::ManagedPolicy", arn, {"PolicyArn": arn})

    def _function(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {
            "Code", "Handler", "Runtime", "Role", "Timeout", "MemorySize", "Environment", "TracingConfig",
            "Architectures", "Description", "Tags", "FunctionName", "Layers", "DeadLetterConfig",
            "ReservedConcurrentExecutions",
        })
        name = p.get("FunctionName") or self._name(logical_id)
        kwargs = {
            "FunctionName": name,
            "Runtime": p["Runtime"],
            "Role": p["Role"],
            "Handler": p["Handler"],
            "Code": {"S3Bucket": p["Code"]["S3Bucket"], "S3Key": p["Code"]["S3Key"]},
            "Timeout": int(p.get("Timeout", 3)),
            "MemorySize": int(p.get("MemorySize", 128)),
            "Environment": p.get("Environment", {"Variables": {}}),
            "Architectures": p.get("Architectures", ["x86_64"]),
        }
        if p.get("TracingConfig"):
            kwargs["TracingConfig"] = p["TracingConfig"]
        if p.get("DeadLetterConfig"):
            kwargs["DeadLetterConfig"] = {"TargetArn": p["DeadLetterConfig"]["TargetArn"]}
        if p.get("Layers"):
            kwargs["Layers"] = p["Layers"]
        arn = self.client("lambda").create_function(**kwargs)["FunctionArn"]
        if "ReservedConcurrentExecutions" in p:
            self.client("lambda").put_function_concurrency(
                FunctionName=name, ReservedConcurrentExecutions=int(p["ReservedConcurrentExecutions"])
            )
        return Deployed(logical_id, "AWS::Lambda::Function", name, {"Arn": arn})

    def _event_source_mapping(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {"EventSourceArn", "FunctionName", "BatchSize", "FunctionResponseTypes", "Enabled"})
        kwargs = {k: p[k] for k in ("EventSourceArn", "FunctionName", "FunctionResponseTypes") if k in p}
        if "BatchSize" in p:
            kwargs["BatchSize"] = int(p["BatchSize"])
        uuid = self.client("lambda").create_event_source_mapping(**kwargs)["UUID"]
        return Deployed(logical_id, "AWS::Lambda::EventSourceMapping", uuid)

    def _permission(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {
            "Action", "FunctionName", "Principal", "SourceArn", "SourceAccount", "FunctionUrlAuthType",
            "InvokedViaFunctionUrl",
        })
        kwargs = {"StatementId": logical_id, "Action": p["Action"], "FunctionName": p["FunctionName"], "Principal": p["Principal"]}
        for key in ("SourceArn", "SourceAccount", "FunctionUrlAuthType"):
            if key in p:
                kwargs[key] = p[key]
        if "InvokedViaFunctionUrl" in p:
            kwargs["InvokedViaFunctionUrl"] = bool(p["InvokedViaFunctionUrl"])
        self.client("lambda").add_permission(**kwargs)
        return Deployed(logical_id, "AWS::Lambda::Permission", logical_id)

    def _layer(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {
            "Content", "LayerName", "Description", "CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo",
        })
        kwargs = {
            "LayerName": p.get("LayerName") or self._name(logical_id),
            "Content": {"S3Bucket": p["Content"]["S3Bucket"], "S3Key": p["Content"]["S3Key"]},
        }
        for key in ("Description", "CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo"):
            if key in p:
                kwargs[key] = p[key]
        arn = self.client("lambda").publish_layer_version(**kwargs)["LayerVersionArn"]
        return Deployed(logical_id, "AWS::Lambda::LayerVersion", arn, {"LayerVersionArn": arn})

    def _user_pool(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {
            "UserPoolName", "AdminCreateUserConfig", "UsernameConfiguration", "AutoVerifiedAttributes",
            "AccountRecoverySetting", "MfaConfiguration", "EnabledMfas", "Policies", "Schema", "DeletionProtection",
            "UserPoolTags",
        })
        kwargs: dict[str, Any] = {"PoolName": p.get("UserPoolName") or self._name(logical_id, 128)}
        for key in ("AdminCreateUserConfig", "UsernameConfiguration", "AutoVerifiedAttributes",
                    "AccountRecoverySetting", "MfaConfiguration", "Policies", "DeletionProtection"):
            if key in p:
                kwargs[key] = p[key]
        if "Schema" in p:
            kwargs["Schema"] = [self._schema_attribute(a) for a in p["Schema"]]
        if "Policies" in kwargs:
            policy = dict(kwargs["Policies"]["PasswordPolicy"])
            for key in ("MinimumLength", "TemporaryPasswordValidityDays"):
                if key in policy:
                    policy[key] = int(policy[key])
            kwargs["Policies"] = {"PasswordPolicy": policy}
        cognito = self.client("cognito-idp")
        pool = cognito.create_user_pool(**kwargs)["UserPool"]
        if "SOFTWARE_TOKEN_MFA" in p.get("EnabledMfas", []):
            cognito.set_user_pool_mfa_config(
                UserPoolId=pool["Id"], MfaConfiguration=p.get("MfaConfiguration", "OFF"),
                SoftwareTokenMfaConfiguration={"Enabled": True},
            )
        issuer = f"cognito-idp.{self.region}.amazonaws.com/{pool['Id']}"
        return Deployed(logical_id, "AWS::Cognito::UserPool", pool["Id"], {
            "Arn": pool["Arn"], "ProviderName": issuer, "ProviderURL": f"https://{issuer}", "UserPoolId": pool["Id"],
        })

    @staticmethod
    def _schema_attribute(attribute: dict[str, Any]) -> dict[str, Any]:
        """CloudFormation's schema attribute in the API's shape (the same keys; booleans may arrive as strings)."""
        shaped = dict(attribute)
        for key in ("Required", "Mutable", "DeveloperOnlyAttribute"):
            if key in shaped:
                shaped[key] = shaped[key] in (True, "true", "True")
        return shaped

    def _user_pool_group(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {"UserPoolId", "GroupName", "Description", "Precedence", "RoleArn"})
        kwargs = {k: p[k] for k in ("UserPoolId", "GroupName", "Description", "RoleArn") if k in p}
        if "Precedence" in p:
            kwargs["Precedence"] = int(p["Precedence"])
        group = self.client("cognito-idp").create_group(**kwargs)["Group"]
        return Deployed(logical_id, "AWS::Cognito::UserPoolGroup", group["GroupName"])

    def _user_pool_client(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {
            "UserPoolId", "ClientName", "GenerateSecret", "ExplicitAuthFlows", "PreventUserExistenceErrors",
            "EnableTokenRevocation", "AccessTokenValidity", "IdTokenValidity", "RefreshTokenValidity",
            "TokenValidityUnits", "ReadAttributes", "WriteAttributes",
        })
        kwargs = {k: v for k, v in p.items() if k != "GenerateSecret"}
        kwargs.setdefault("ClientName", self._name(logical_id, 128))
        for key in ("AccessTokenValidity", "IdTokenValidity", "RefreshTokenValidity"):
            if key in kwargs:
                kwargs[key] = int(kwargs[key])
        kwargs["GenerateSecret"] = p.get("GenerateSecret") in (True, "true", "True")
        client = self.client("cognito-idp").create_user_pool_client(**kwargs)["UserPoolClient"]
        return Deployed(logical_id, "AWS::Cognito::UserPoolClient", client["ClientId"], {"ClientId": client["ClientId"]})

    def _function_url(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {"TargetFunctionArn", "AuthType", "Cors", "InvokeMode"})
        kwargs = {"FunctionName": p["TargetFunctionArn"], "AuthType": p["AuthType"]}
        if "Cors" in p:
            kwargs["Cors"] = p["Cors"]
        url = self.client("lambda").create_function_url_config(**kwargs)["FunctionUrl"]
        return Deployed(logical_id, "AWS::Lambda::Url", url, {"FunctionUrl": url, "FunctionArn": p["TargetFunctionArn"]})

    def _schedule(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {
            "Name", "ScheduleExpression", "ScheduleExpressionTimezone", "FlexibleTimeWindow", "Target", "State",
            "Description", "GroupName",
        })
        kwargs = {k: p[k] for k in ("Name", "ScheduleExpression", "FlexibleTimeWindow", "Target") if k in p}
        for key in ("ScheduleExpressionTimezone", "State", "Description", "GroupName"):
            if key in p:
                kwargs[key] = p[key]
        arn = self.client("scheduler").create_schedule(**kwargs)["ScheduleArn"]
        return Deployed(logical_id, "AWS::Scheduler::Schedule", p["Name"], {"Arn": arn})

    def _state_machine(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {
            "DefinitionString", "DefinitionSubstitutions", "RoleArn", "StateMachineType", "TracingConfiguration",
            "StateMachineName", "LoggingConfiguration", "Tags",
        })
        definition = p["DefinitionString"]
        for key, value in (p.get("DefinitionSubstitutions") or {}).items():
            definition = definition.replace("${" + key + "}", str(value))
        if "${" in definition:
            start = definition.index("${")
            raise TemplateError(f"{logical_id}: unsubstituted placeholder {definition[start:start + 40]!r}")
        json.loads(definition)
        name = p.get("StateMachineName") or self._name(logical_id, 80)
        kwargs = {"name": name, "definition": definition, "roleArn": p["RoleArn"], "type": p.get("StateMachineType", "STANDARD")}
        arn = self.client("stepfunctions").create_state_machine(**kwargs)["stateMachineArn"]
        return Deployed(logical_id, "AWS::StepFunctions::StateMachine", arn, {"Arn": arn, "Name": name})

    def _email_identity(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {"EmailIdentity"})
        self.client("ses").verify_email_identity(EmailAddress=p["EmailIdentity"])
        return Deployed(logical_id, "AWS::SES::EmailIdentity", p["EmailIdentity"])

    def _receipt_rule_set(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {"RuleSetName"})
        name = p.get("RuleSetName") or self._name(logical_id)
        self.client("ses").create_receipt_rule_set(RuleSetName=name)
        return Deployed(logical_id, "AWS::SES::ReceiptRuleSet", name)

    def _receipt_rule(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        """A receipt rule; moto checks its name and that the S3 action's bucket exists. Only S3 actions are
        delivered locally (LocalStack.receive_email), so any other action fails the deployment."""
        self._expect(logical_id, p, {"RuleSetName", "Rule", "After"})
        rule = dict(p["Rule"])
        self._expect(f"{logical_id}.Rule", rule, {"Name", "Enabled", "ScanEnabled", "TlsPolicy", "Recipients", "Actions"})
        for action in rule.get("Actions", []):
            self._expect(f"{logical_id}.Rule.Actions", action, {"S3Action"})
            self._expect(f"{logical_id}.Rule.Actions.S3Action", action["S3Action"], {"BucketName", "ObjectKeyPrefix"})
        for flag in ("Enabled", "ScanEnabled"):
            if flag in rule:
                rule[flag] = rule[flag] in (True, "true", "True")
        kwargs = {"RuleSetName": p["RuleSetName"], "Rule": rule}
        if p.get("After"):
            kwargs["After"] = p["After"]
        self.client("ses").create_receipt_rule(**kwargs)
        return Deployed(logical_id, "AWS::SES::ReceiptRule", rule["Name"])

    def _secret(self, logical_id: str, p: dict[str, Any]) -> Deployed:
        self._expect(logical_id, p, {"Name", "Description", "GenerateSecretString", "SecretString"})
        name = p.get("Name") or self._name(logical_id)
        secret = p.get("SecretString")
        if secret is None:
            secret = self._generated_secret(logical_id, p.get("GenerateSecretString") or {})
        arn = self.client("secretsmanager").create_secret(Name=name, SecretString=secret)["ARN"]
        return Deployed(logical_id, "AWS::SecretsManager::Secret", arn, {"Id": arn})

    def _generated_secret(self, logical_id: str, spec: dict[str, Any]) -> str:
        """GenerateSecretString: a random password, or a JSON template with the password under one key."""
        self._expect(logical_id, spec, {"PasswordLength", "ExcludePunctuation", "SecretStringTemplate", "GenerateStringKey"})
        password = self.client("secretsmanager").get_random_password(
            PasswordLength=int(spec.get("PasswordLength", 32)), ExcludePunctuation=bool(spec.get("ExcludePunctuation"))
        )["RandomPassword"]
        if "GenerateStringKey" not in spec:
            return password
        document = json.loads(spec["SecretStringTemplate"])
        document[spec["GenerateStringKey"]] = password
        return json.dumps(document)
