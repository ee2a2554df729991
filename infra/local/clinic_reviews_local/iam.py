"""IAM in the embedded AWS: every AWS call a deployed function (or state machine) makes is checked against
the statements of its own role, as the SAM transform wrote them, and refused like AWS refuses it.

moto's own authorization checks almost every service's calls against the resource `*` (only S3, SQS,
IAM and STS name a resource) and ignores conditions, so a statement scoped to a table or a bucket prefix
could not be told from a blanket grant; README.md says more. Instead a botocore hook sees each call's
operation and parameters before it is sent, turns them into IAM actions and resource ARNs (`requests`),
and evaluates them against the acting principal's statements (`Policy`): explicit deny wins, then any
allow, else `AccessDeniedException` (S3: `AccessDenied`) as a botocore `ClientError`. Who acts is set per
invocation by the local runtime (`acting_as`) and per Step Functions execution. Every use of a statement
is recorded (`GRANTS`), so a test can name the grants no run used.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import botocore.handlers
from botocore.exceptions import ClientError

from clinic_reviews_local.template import TemplateError

#: botocore service names whose IAM prefix differs from the signing name.
_ACTION_NAMES = {
    ("s3", "ListObjectsV2"): "ListBucket",
    ("s3", "ListObjects"): "ListBucket",
    ("s3", "HeadObject"): "GetObject",
    ("s3", "HeadBucket"): "ListBucket",
    ("s3", "DeleteObjects"): "DeleteObject",
    ("lambda", "Invoke"): "InvokeFunction",
    ("lambda", "InvokeAsync"): "InvokeFunction",
}
_TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}


@lru_cache(maxsize=4096)
def _pattern(text: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)
    return re.compile(f"^{body}$", re.IGNORECASE if ignore_case else 0)


def matches(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM's wildcard match: `*` any run of characters, `?` one character (actions ignore case)."""
    return bool(_pattern(pattern, ignore_case).match(value))


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


@dataclass(frozen=True)
class Statement:
    """One statement of a role's policy; `grant` names it for the record (role policy name and index)."""

    grant: str
    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    condition: tuple[tuple[str, str, tuple[str, ...]], ...]

    @classmethod
    def read(cls, grant: str, raw: dict[str, Any]) -> Statement:
        condition = []
        for operator, entries in (raw.get("Condition") or {}).items():
            if operator not in ("StringEquals", "StringLike"):
                raise TemplateError(f"{grant}: condition operator {operator} is not evaluated locally")
            for key, values in entries.items():
                condition.append((operator, key, tuple(_listed(values))))
        return cls(
            grant=grant,
            effect=raw.get("Effect", "Allow"),
            actions=tuple(_listed(raw.get("Action"))),
            not_actions=tuple(_listed(raw.get("NotAction"))),
            resources=tuple(_listed(raw.get("Resource"))),
            not_resources=tuple(_listed(raw.get("NotResource"))),
            condition=tuple(condition),
        )

    def action_matched(self, action: str) -> str | None:
        """The pattern of this statement that covers `action`, if any (NotAction: the action itself)."""
        if self.not_actions:
            return None if any(matches(p, action, True) for p in self.not_actions) else action
        return next((p for p in self.actions if matches(p, action, True)), None)

    def covers(self, resource: str, context: dict[str, str]) -> bool:
        if self.not_resources:
            if any(matches(p, resource) for p in self.not_resources):
                return False
        elif not any(matches(p, resource) for p in self.resources):
            return False
        for operator, key, values in self.condition:
            if key not in context:
                return False
            if operator == "StringEquals" and context[key] not in values:
                return False
            if operator == "StringLike" and not any(matches(v, context[key]) for v in values):
                return False
        return True


@dataclass
class Principal:
    """A role's identity as one function or state machine uses it."""

    name: str  # logical id of the function or state machine
    role: str  # role ARN
    statements: list[Statement] = field(default_factory=list)

    def decide(self, action: str, resource: str, context: dict[str, str]) -> tuple[bool, list[tuple[str, str]]]:
        """(allowed, the (grant, action pattern) pairs that allowed it)."""
        allowed: list[tuple[str, str]] = []
        for statement in self.statements:
            pattern = statement.action_matched(action)
            if pattern is None or not statement.covers(resource, context):
                continue
            if statement.effect == "Deny":
                return False, []
            allowed.append((statement.grant, pattern))
        return bool(allowed), allowed


@dataclass(frozen=True)
class Request:
    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = ()


class Arns:
    """Resource ARNs of one account and region, with deployed secrets' names resolved to their ARNs."""

    def __init__(self, region: str, account: str, secrets: dict[str, str]):
        self.region, self.account, self._secrets = region, account, secrets

    def of(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"

    def table(self, name: str, index: str | None = None) -> str:
        if name.startswith("arn:"):
            return name
        return self.of("dynamodb", f"table/{name}" + (f"/index/{index}" if index else ""))

    def secret(self, secret_id: str) -> str:
        return secret_id if secret_id.startswith("arn:") else self._secrets.get(secret_id, self.of("secretsmanager", f"secret:{secret_id}"))

    def function(self, name: str) -> str:
        if name.startswith("arn:"):
            parts = name.split(":")
            return ":".join(parts[:7])
        return self.of("lambda", f"function:{name.split(':', 1)[0]}")

    def bus(self, name: str | None) -> str:
        name = name or "default"
        return name if name.startswith("arn:") else self.of("events", f"event-bus/{name}")

    def queue(self, url: str) -> str:
        return self.of("sqs", url.rstrip("/").rsplit("/", 1)[-1])


def requests(prefix: str, operation: str, params: dict[str, Any], arns: Arns) -> list[Request]:
    """The IAM actions and resources one API call is authorized as."""
    action = f"{prefix}:{_ACTION_NAMES.get((prefix, operation), operation)}"
    if prefix == "dynamodb":
        if operation == "TransactWriteItems":
            found = []
            for item in params.get("TransactItems", []):
                (kind, body), = item.items()
                found.append(Request(f"dynamodb:{_TRANSACT_ACTIONS[kind]}", arns.table(body["TableName"])))
            return found
        if operation == "TransactGetItems":
            return [Request("dynamodb:GetItem", arns.table(i["Get"]["TableName"])) for i in params.get("TransactItems", [])]
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return [Request(action, arns.table(name)) for name in params.get("RequestItems", {})]
        if "TableName" in params:
            return [Request(action, arns.table(params["TableName"], params.get("IndexName")))]
        if "StreamArn" in params:  # dynamodbstreams (signed as dynamodb): DescribeStream, GetShardIterator
            return [Request(action, params["StreamArn"])]
    if prefix == "s3" and "Bucket" in params:
        bucket = params["Bucket"]
        if "Key" in params:
            found = [Request(action, f"arn:aws:s3:::{bucket}/{params['Key']}")]
            if operation == "CopyObject":
                source = params["CopySource"]
                source = f"{source['Bucket']}/{source['Key']}" if isinstance(source, dict) else source.lstrip("/")
                found.append(Request("s3:GetObject", f"arn:aws:s3:::{source}"))
            return found
        if operation == "DeleteObjects":
            return [Request(action, f"arn:aws:s3:::{bucket}/{o['Key']}") for o in params.get("Delete", {}).get("Objects", [])]
        return [Request(action, f"arn:aws:s3:::{bucket}", (("s3:prefix", params.get("Prefix", "")),))]
    if prefix == "events" and operation == "PutEvents":
        return [Request(action, arns.bus(entry.get("EventBusName"))) for entry in params.get("Entries", [])]
    if prefix == "states":
        for key in ("stateMachineArn", "executionArn"):
            if key in params:
                return [Request(action, params[key])]
    if prefix == "sns" and operation == "Publish":
        return [Request(action, params.get("TopicArn") or params.get("TargetArn") or "*")]
    if prefix == "ses" and "Source" in params:
        address = params["Source"].rsplit("<", 1)[-1].rstrip(">")
        return [Request(action, arns.of("ses", f"identity/{address}"))]
    if prefix == "secretsmanager" and "SecretId" in params:
        return [Request(action, arns.secret(params["SecretId"]))]
    if prefix == "ssm":  # a parameter's ARN drops the name's leading slash
        names = params.get("Names") or [params.get("Name") or params.get("Path")]
        return [Request(action, arns.of("ssm", f"parameter/{name.lstrip('/')}")) for name in names if name]
    if prefix == "lambda" and "FunctionName" in params:
        return [Request(action, arns.function(params["FunctionName"]))]
    if prefix == "sqs" and "QueueUrl" in params:
        return [Request(action, arns.queue(params["QueueUrl"]))]
    return [Request(action, "*")]


def access_denied(principal: Principal, request: Request, operation: str, prefix: str) -> ClientError:
    role_name = principal.role.rsplit("/", 1)[-1]
    code = "AccessDenied" if prefix == "s3" else "AccessDeniedException"
    message = (
        f"User: arn:aws:sts::{principal.role.split(':')[4]}:assumed-role/{role_name}/{principal.name} is not "
        f"authorized to perform: {request.action} on resource: {request.resource} because no identity-based "
        f"policy allows the {request.action} action"
    )
    return ClientError({"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": 403}}, operation)


class GrantRecord:
    """What principals did in this process: calls by (principal, action) and grants used."""

    def __init__(self) -> None:
        self.calls: Counter[tuple[str, str]] = Counter()
        self.used: set[tuple[str, str, str]] = set()  # (principal, grant, action pattern)
        self.denied: Counter[tuple[str, str, str]] = Counter()
        self._lock = threading.Lock()

    def note(self, principal: str, action: str, allowed_by: list[tuple[str, str]], denied_resource: str | None) -> None:
        with self._lock:
            self.calls[(principal, action)] += 1
            self.used.update((principal, grant, pattern) for grant, pattern in allowed_by)
            if denied_resource is not None:
                self.denied[(principal, action, denied_resource)] += 1

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return {
                "calls": [[p, a, n] for (p, a), n in sorted(self.calls.items())],
                "used": sorted(list(u) for u in self.used),
                "denied": [[p, a, r, n] for (p, a, r), n in sorted(self.denied.items())],
            }


#: Every stack of this process records here (the integration suite's grant check reads it).
GRANTS = GrantRecord()
_acting: ContextVar[Principal | None] = ContextVar("clinic_reviews_principal", default=None)


def acting_principal() -> Principal | None:
    """The function or state machine whose call this thread is making; None for the operator's calls."""
    return _acting.get()


class Authorizer:
    """The principals of one deployed stack, and the hook that checks their calls."""

    installed: Authorizer | None = None  # the stack whose principals the process-wide hook checks

    def __init__(
        self, principals: dict[str, Principal], arns: Arns, permissions: list[Permission], record: GrantRecord = GRANTS
    ):
        self.record = record
        self.principals = principals
        self.arns = arns
        self.permissions = permissions

    def service_may_invoke(self, service: str, function_arn: str, source_arn: str) -> bool:
        """Whether the function's resource-based policy lets `service` (e.g. s3.amazonaws.com) invoke it for
        `source_arn` (the bucket, rule or topic)."""
        function_arn = self.arns.function(function_arn)
        return any(
            p.function_arn == function_arn
            and p.principal == service
            and (p.source_arn is None or matches(p.source_arn, source_arn))
            and (p.source_account is None or p.source_account == self.arns.account)
            for p in self.permissions
        )

    @contextmanager
    def acting_as(self, key: str | None) -> Iterator[None]:
        """Calls in this block (this thread) are `key`'s (a function name or state machine ARN); None: the operator."""
        token = _acting.set(self.principals.get(key) if key else None)
        try:
            yield
        finally:
            _acting.reset(token)

    def check(self, principal: Principal, action: str, resource: str, operation: str = "", context=()) -> None:
        """Raise AccessDenied as AWS would if `principal` may not do `action` on `resource`."""
        request = Request(action, resource, tuple(context))
        allowed, by = principal.decide(action, resource, dict(context))
        self.record.note(principal.name, action, by, None if allowed else resource)
        if not allowed:
            raise access_denied(principal, request, operation or action.split(":", 1)[1], action.split(":", 1)[0])

    def allows(self, principal: Principal, action: str, resource: str) -> bool:
        try:
            self.check(principal, action, resource)
        except ClientError:
            return False
        return True

    def _on_call(self, params: dict[str, Any], model: Any, **_kwargs: Any) -> None:
        principal = _acting.get()
        if principal is None or getattr(model, "auth_type", None) == "none":
            return  # the operator's calls; unsigned operations (Cognito's InitiateAuth, ...) need no IAM grant
        prefix = model.service_model.signing_name
        for request in requests(prefix, model.name, params, self.arns):
            self.check(principal, request.action, request.resource, model.name, request.context)

    def install(self) -> None:
        """Check every botocore client's calls (sessions created from now on, and boto3's default session)."""
        if Authorizer.installed is None:
            botocore.handlers.BUILTIN_HANDLERS.append(("before-parameter-build.*.*", _dispatch))
            import boto3

            if boto3.DEFAULT_SESSION is not None:
                boto3.DEFAULT_SESSION.events.register("before-parameter-build.*.*", _dispatch)
        Authorizer.installed = self

    def uninstall(self) -> None:
        if Authorizer.installed is self:
            Authorizer.installed = _Idle()  # type: ignore[assignment]


class _Idle:
    def _on_call(self, **_kwargs: Any) -> None:
        return None


def _dispatch(**kwargs: Any) -> None:
    if Authorizer.installed is not None:
        Authorizer.installed._on_call(**kwargs)


_AWS_POLICY = re.compile(r":iam::aws:policy/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)")


def aws_policies_named(template: dict[str, Any]) -> set[str]:
    """The names of the AWS managed policies a (transformed) template mentions anywhere."""
    import json

    return set(_AWS_POLICY.findall(json.dumps(template)))


@contextmanager
def only_aws_policies(names: set[str]) -> Iterator[None]:
    """moto's IAM with only these AWS managed policies loaded, not all ~1,300 (each IAM backend parsed them all,
    a second or more per deploy). A policy outside `names` is then missing, as an unknown one is on AWS."""
    import json
    from unittest import mock

    import moto.iam.models as iam_models

    every = _aws_policies(iam_models.aws_managed_policies_data)
    kept = json.dumps({name: every[name] for name in sorted(names) if name in every})
    with mock.patch.object(iam_models, "aws_managed_policies_data", kept):
        yield


@lru_cache(maxsize=1)
def _aws_policies(data: str) -> dict[str, Any]:
    import json

    return json.loads(data)


def _managed_statements(iam_client: Any, arn: str) -> list[dict[str, Any]]:
    policy = iam_client.get_policy(PolicyArn=arn)["Policy"]
    version = iam_client.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    document = version["Document"]
    if isinstance(document, str):
        import json
        from urllib.parse import unquote

        document = json.loads(unquote(document))
    return _listed_statements(document)


def _listed_statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    statements = document.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def authorizer_for(stack: Any, iam_client: Any = None, principals: dict[str, Principal] | None = None) -> Authorizer:
    """The authorizer of a deployed stack: its `principals_of` (read now, or as read before for the same deploy:
    the local stack's snapshot keeps them), the ARNs of its secrets and its functions' resource-based policies."""
    secrets = {s.properties.get("Name", ""): s.physical_id for s in stack.of_type("AWS::SecretsManager::Secret")}
    from clinic_reviews_local.deployer import ACCOUNT

    principals = principals_of(stack, iam_client) if principals is None else principals
    return Authorizer(principals, Arns(stack.region, ACCOUNT, secrets), _permissions(stack))


def principals_of(stack: Any, iam_client: Any) -> dict[str, Principal]:
    """Each function, state machine and schedule of a deployed stack with its role's statements (inline policies as
    the SAM transform wrote them, managed policies as IAM holds them)."""
    roles: dict[str, tuple[str, list[Statement]]] = {}
    managed: dict[str, list[dict[str, Any]]] = {}  # each managed policy read from IAM once (most roles share a few)
    for role in stack.of_type("AWS::IAM::Role"):
        statements = []
        for policy in role.properties.get("Policies", []):
            for index, raw in enumerate(_listed_statements(policy["PolicyDocument"])):
                statements.append(Statement.read(f"{policy['PolicyName']}#{index}", raw))
        for arn in role.properties.get("ManagedPolicyArns", []):
            if arn not in managed:
                managed[arn] = _managed_statements(iam_client, arn)
            for index, raw in enumerate(managed[arn]):
                statements.append(Statement.read(f"managed:{arn.rsplit('/', 1)[-1]}#{index}", raw))
        roles[role.attributes["Arn"]] = (role.logical_id, statements)
    principals: dict[str, Principal] = {}
    for function in stack.of_type("AWS::Lambda::Function"):
        role_arn = function.properties["Role"]
        principals[function.physical_id] = Principal(function.logical_id, role_arn, roles[role_arn][1])
    for machine in stack.of_type("AWS::StepFunctions::StateMachine"):
        role_arn = machine.properties["RoleArn"]
        principals[machine.physical_id] = Principal(machine.logical_id, role_arn, roles[role_arn][1])
    for schedule in stack.of_type("AWS::Scheduler::Schedule"):
        role_arn = schedule.properties["Target"]["RoleArn"]
        principals[schedule.attributes["Arn"]] = Principal(schedule.logical_id, role_arn, roles[role_arn][1])
    return principals


@dataclass(frozen=True)
class Permission:
    """A statement of a function's resource-based policy (AWS::Lambda::Permission)."""

    function_arn: str
    principal: str
    source_arn: str | None
    source_account: str | None


def _permissions(stack: Any) -> list[Permission]:
    functions = {f.physical_id: f.attributes["Arn"] for f in stack.of_type("AWS::Lambda::Function")}
    found = []
    for deployed in stack.of_type("AWS::Lambda::Permission"):
        p = deployed.properties
        if p.get("Action") != "lambda:InvokeFunction":
            continue
        name = p["FunctionName"]
        found.append(Permission(functions.get(name, name), p["Principal"], p.get("SourceArn"), p.get("SourceAccount")))
    return found
