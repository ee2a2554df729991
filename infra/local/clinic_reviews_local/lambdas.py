"""Running the deployed Lambda functions in this process.

moto would run Lambda code in Docker; here every invocation of a deployed function (from boto3, from
a Step Functions task, from an SQS or DynamoDB stream event source mapping (streams.py), from an EventBridge
rule or a schedule) calls
the function's real handler, named by its `Handler` in template.yaml, with the function's environment.
Invocations run one at a time (a lock), like a function with reserved concurrency 1, which keeps
the local stack deterministic. Asynchronous invocations are queued and run by `drain()`.
"""

from __future__ import annotations

import contextvars
import importlib
import json
import os
import threading
import traceback
import uuid
from collections import Counter, deque
from contextlib import ExitStack
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from unittest import mock

import boto3
from clinic_reviews import clock
from clinic_reviews import container as containers
from clinic_reviews.container import Container

from clinic_reviews_local.api_calls import paused
from clinic_reviews_local.deployer import ACCOUNT, Stack
from clinic_reviews_local.iam import Authorizer
from clinic_reviews_local.streams import STREAM_ACTIONS, StreamMapping
from clinic_reviews_local.template import TemplateError

#: Environment every in-process function gets on top of its own (no X-Ray daemon, no EMF on stdout).
LOCAL_ENVIRONMENT = {
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "POWERTOOLS_DEV": "false",
}
#: An asynchronous invocation (EventBridge, SNS, S3, Scheduler) that fails is tried again twice (Lambda's default
#: MaximumRetryAttempts); after that the error stays in `errors`, where AWS would use the function's DLQ.
ASYNC_ATTEMPTS = 3
#: Lambda waits this long before each of those retries (seconds; AWS docs, "How Lambda handles errors and retries
#: with asynchronous invocation"). `drain()` does not wait; the chaos timeline's digest does (chaos.py).
ASYNC_RETRY_DELAYS = (60, 120)


def _forget_metrics() -> None:
    """With POWERTOOLS_METRICS_DISABLED, Powertools keeps metrics instead of printing them: drop them
    after each invocation, as the end of a Lambda invocation would (they are shared between instances)."""
    from aws_lambda_powertools import Metrics

    Metrics().clear_metrics()


@dataclass
class LocalFunction:
    """One deployed function: its handler, limits, the environment template.yaml gives it (Globals and its own,
    resolved) and its container (what it has built between invocations; see clinic_reviews.container)."""

    name: str
    arn: str
    handler: str
    timeout: int
    memory: int
    environment: dict[str, str] = field(default_factory=dict)
    container: Container | None = None

    def load(self):
        module_name, _, attribute = self.handler.rpartition(".")
        try:
            return getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as exc:
            raise TemplateError(f"{self.name}: handler {self.handler} cannot be loaded: {exc}") from exc


class LambdaContext:
    """What the Lambda runtime passes as `context`."""

    def __init__(self, function: LocalFunction):
        self.function_name = function.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = function.arn
        self.memory_limit_in_mb = function.memory
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function.name}"
        self.log_stream_name = "local"
        self._timeout_ms = function.timeout * 1000

    def get_remaining_time_in_millis(self) -> int:
        return self._timeout_ms


@dataclass
class SqsMapping:
    function: str
    queue_url: str
    queue_arn: str
    batch_size: int
    partial_failures: bool


class LocalLambdas:
    def __init__(self, stack: Stack, authorizer: Authorizer):
        self.authorizer = authorizer
        self.functions: dict[str, LocalFunction] = {}
        self.invocations: Counter[str] = Counter()
        self.errors: list[tuple[str, str]] = []
        self._lock = threading.RLock()
        self._async: deque[tuple[str, Any, int]] = deque()  # (function, payload, attempt)
        self._mappings: list[SqsMapping] = []
        self._streams: list[StreamMapping] = []
        self._stack = stack
        self._clients: dict[str, Any] = {}
        self._register(stack)

    # ------------------------------------------------------------------ registration
    def _register(self, stack: Stack) -> None:
        operator: dict[str, str] = {}
        for deployed in stack.of_type("AWS::Lambda::Function"):
            p = deployed.properties
            variables = {k: str(v) for k, v in (p.get("Environment") or {}).get("Variables", {}).items()}
            function = LocalFunction(
                name=deployed.physical_id,
                arn=deployed.attributes["Arn"],
                handler=p["Handler"],
                timeout=int(p.get("Timeout", 3)),
                memory=int(p.get("MemorySize", 128)),
                environment={**variables, **LOCAL_ENVIRONMENT},
            )
            function.container = Container(function.name, function.environment)
            self.functions[function.name] = function
            for key, value in variables.items():
                operator.setdefault(key, value)
        #: What the local stack itself (the operator: `put_policy`, the demo's readers) reads through Settings.
        self.environment = {**operator, **LOCAL_ENVIRONMENT}
        queues = {q.attributes["Arn"]: q for q in stack.of_type("AWS::SQS::Queue")}
        streams = {t.attributes.get("StreamArn") for t in stack.of_type("AWS::DynamoDB::Table")} - {None}
        for deployed in stack.of_type("AWS::Lambda::EventSourceMapping"):
            p = deployed.properties
            if p["EventSourceArn"] in streams:
                self._add_stream(deployed.logical_id, p)
                continue
            queue = queues.get(p["EventSourceArn"])
            if queue is None:
                raise TemplateError(f"{deployed.logical_id}: only SQS and DynamoDB stream event sources run locally")
            self._check_poller(deployed.logical_id, self._resolve_name(p["FunctionName"]), queue.attributes["Arn"])
            self._mappings.append(
                SqsMapping(
                    function=self._resolve_name(p["FunctionName"]),
                    queue_url=queue.physical_id,
                    queue_arn=queue.attributes["Arn"],
                    batch_size=int(p.get("BatchSize", 10)),
                    partial_failures="ReportBatchItemFailures" in p.get("FunctionResponseTypes", []),
                )
            )

    def _add_stream(self, logical_id: str, properties: dict[str, Any]) -> None:
        """A DynamoDB stream source (streams.py). Lambda reads the stream with the function's role and sends a failed
        batch's range to the on-failure queue with it: like CreateEventSourceMapping, refuse a role that may not."""
        mapping = StreamMapping.of(self._resolve_name(properties["FunctionName"]), properties)
        principal = self.authorizer.principals[mapping.function]
        needed = [(a, mapping.stream_arn) for a in STREAM_ACTIONS]
        if mapping.on_failure:
            needed.append(("sqs:SendMessage", mapping.on_failure))
        for action, resource in needed:
            if not self.authorizer.allows(principal, action, resource):
                raise TemplateError(f"{logical_id}: the role of {principal.name} may not {action} on {resource}")
        self._streams.append(mapping)

    def _check_poller(self, logical_id: str, function: str, queue_arn: str) -> None:
        """Lambda polls an SQS event source with the function's role: like CreateEventSourceMapping on AWS,
        refuse a role that may not receive and delete the queue's messages."""
        principal = self.authorizer.principals[function]
        for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"):
            if not self.authorizer.allows(principal, action, queue_arn):
                raise TemplateError(f"{logical_id}: the role of {principal.name} may not {action} on {queue_arn}")

    def _service_invokes(self, service: str, function_arn: str, source_arn: str, payload: Any) -> None:
        """An asynchronous invocation by an AWS service, if the function's resource-based policy allows it; else
        the service's delivery fails (recorded in `errors`), as on AWS."""
        if self.authorizer.service_may_invoke(service, function_arn, source_arn):
            self.invoke_async(function_arn, payload)
        else:
            self.errors.append((service, f"AccessDenied: {service} may not invoke {function_arn} for {source_arn}"))

    def _resolve_name(self, name_or_arn: str) -> str:
        name = name_or_arn.split(":function:", 1)[-1].split(":", 1)[0]
        if name not in self.functions:
            raise KeyError(f"no deployed function {name_or_arn!r}")
        return name

    # ------------------------------------------------------------------ invoking
    def invoke(self, name_or_arn: str, payload: Any) -> tuple[Any, bool]:
        """Run the handler; returns (result or error payload, failed)."""
        function = self.functions[self._resolve_name(name_or_arn)]
        with (
            self._lock,
            containers.running(function.container),
            self.authorizer.acting_as(function.name),
        ):
            self.invocations[function.name] += 1
            try:
                result = function.load()(payload, LambdaContext(function))
                return json.loads(json.dumps(result)), False
            except Exception as exc:  # what the Lambda runtime reports as an unhandled function error
                self.errors.append((function.name, f"{type(exc).__name__}: {exc}"))
                return {
                    "errorMessage": str(exc),
                    "errorType": type(exc).__name__,
                    "stackTrace": traceback.format_exception(exc)[-5:],
                }, True
            finally:
                _forget_metrics()

    def invoke_async(self, name_or_arn: str, payload: Any) -> None:
        """Queue an asynchronous invocation: a failed attempt is retried, ASYNC_ATTEMPTS in all, as Lambda does."""
        self._async.append((self._resolve_name(name_or_arn), payload, 1))

    def drain(self, sqs_client: Any, max_rounds: int = 1000) -> int:
        """Run queued async invocations and poll the SQS event sources until nothing is left."""
        ran = 0
        for _ in range(max_rounds):
            progressed = False
            while self._async:
                name, payload, attempt = self._async.popleft()
                _result, failed = self.invoke(name, payload)
                if failed and attempt < ASYNC_ATTEMPTS:
                    self._async.append((name, payload, attempt + 1))
                ran += 1
                progressed = True
            for mapping in self._mappings:
                while self._poll(sqs_client, mapping):
                    ran += 1
                    progressed = True
            for stream in self._streams:
                while stream.poll(self._client, clock.now(), self.invoke):
                    ran += 1
                    progressed = True
            if not progressed:
                return ran
        raise RuntimeError("the local event sources did not drain: a message keeps failing without a DLQ?")

    def _poll(self, sqs: Any, mapping: SqsMapping) -> bool:
        if not visible_messages(mapping.queue_arn):
            return False  # an empty receive, not made (saves the calls of an idle poll)
        with paused():
            messages = sqs.receive_message(
                QueueUrl=mapping.queue_url,
                MaxNumberOfMessages=min(mapping.batch_size, 10),
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
                WaitTimeSeconds=0,
            ).get("Messages", [])
        if not messages:
            return False
        event = {"Records": [self._sqs_record(m, mapping) for m in messages]}
        result, failed = self.invoke(mapping.function, event)
        if failed:
            retry = {m["MessageId"] for m in messages}
        elif mapping.partial_failures and isinstance(result, dict):
            retry = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        else:
            retry = set()
        with paused():
            for message in messages:
                if message["MessageId"] in retry:
                    sqs.change_message_visibility(
                        QueueUrl=mapping.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                    )
                else:
                    sqs.delete_message(QueueUrl=mapping.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return True

    def _sqs_record(self, message: dict[str, Any], mapping: SqsMapping) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": message.get("MD5OfBody"),
            "eventSource": "aws:sqs",
            "eventSourceARN": mapping.queue_arn,
            "awsRegion": self._stack.region,
        }

    def _client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = boto3.client(service, region_name=self._stack.region)
        return self._clients[service]

    @property
    def pending(self) -> int:
        return len(self._async)

    # ------------------------------------------------------------------ moto hooks
    def patch_moto(self) -> ExitStack:
        """Route moto's Lambda invocations, EventBridge Lambda targets, SNS Lambda subscriptions and S3 notifications to
        `invoke` (undone on close)."""
        import moto.s3.notifications as s3_notifications
        from moto.awslambda_simple.models import LambdaSimpleBackend
        from moto.events.models import Rule
        from moto.sns.models import Subscription as SnsSubscription

        from clinic_reviews_local.deferred_imports import STEP_FUNCTIONS, when_imported

        runtime = self

        def backend_invoke(self_backend, function_name, qualifier, body, headers, response_headers):
            payload = json.loads(body) if body else {}
            if headers.get("X-Amz-Invocation-Type") == "Event":
                runtime.invoke_async(function_name, payload)
                return b""
            result, failed = runtime.invoke(function_name, payload)
            if failed:
                response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps(result).encode()

        original_send = Rule.send_to_targets

        def send_to_targets(self_rule, original_event, transform_input=True):
            if not self_rule.event_pattern.matches_event(original_event):
                return None
            lambda_targets = [t for t in self_rule.targets if ":lambda:" in t["Arn"]]
            others = [t for t in self_rule.targets if ":lambda:" not in t["Arn"]]
            for target in lambda_targets:
                runtime._service_invokes("events.amazonaws.com", target["Arn"], self_rule.arn, dict(original_event))
            if others:
                saved = self_rule.targets
                self_rule.targets = others
                try:
                    return original_send(self_rule, original_event, transform_input)
                finally:
                    self_rule.targets = saved
            return None

        original_publish = SnsSubscription.publish

        def sns_publish(self_sub, message, message_id, subject=None, message_attributes=None, *args, **kwargs):
            # moto would run a Lambda subscriber in Docker; SNS invokes it asynchronously with this event.
            if self_sub.protocol != "lambda":
                return original_publish(self_sub, message, message_id, subject, message_attributes, *args, **kwargs)
            event = sns_event(self_sub, message, message_id, subject, message_attributes)
            runtime._service_invokes("sns.amazonaws.com", self_sub.endpoint, self_sub.topic.arn, event)
            return None

        def s3_invoke(account_id, event_body, fn_arn, region_name):
            # moto would run the function in Docker and swallow every error; S3 invokes asynchronously.
            bucket_arn = event_body["Records"][0]["s3"]["bucket"]["arn"]
            runtime._service_invokes("s3.amazonaws.com", fn_arn, bucket_arn, event_body)

        stack = ExitStack()
        # os.environ holds only what every function gets alike (Powertools' switches): code that reads a
        # resource's name from os.environ instead of its Settings finds nothing, here as on AWS it would
        # find only its own function's variables.
        stack.enter_context(mock.patch.dict(os.environ, LOCAL_ENVIRONMENT))
        containers.use_default_environment(self.environment)
        stack.callback(containers.use_default_environment, None)
        stack.enter_context(mock.patch.object(s3_notifications, "_invoke_awslambda", s3_invoke))
        stack.enter_context(mock.patch.object(LambdaSimpleBackend, "invoke", backend_invoke))
        stack.enter_context(mock.patch.object(Rule, "send_to_targets", send_to_targets))
        stack.enter_context(mock.patch.object(SnsSubscription, "publish", sns_publish))
        stack.enter_context(when_imported(STEP_FUNCTIONS, self._patch_workflows))  # when a workflow is first used
        for function in self.functions.values():
            function.load()  # fail at deploy time if a handler is missing
        return stack

    def _patch_workflows(self) -> ExitStack:
        """An execution's calls (its Lambda tasks) are made with its state machine's role, in its threads too."""
        from moto.stepfunctions.parser.asl.component.program import program as sfn_program
        from moto.stepfunctions.parser.asl.component.state.exec import execute_state as sfn_execute_state
        from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

        runtime = self
        original_logic = ExecutionWorker._execution_logic

        def execution_logic(self_worker):
            with runtime.authorizer.acting_as(self_worker._evaluation_details.state_machine_details.arn):
                return original_logic(self_worker)

        stack = ExitStack()
        stack.enter_context(mock.patch.object(ExecutionWorker, "_execution_logic", execution_logic))
        # an execution evaluates its program, and each task state, in threads of their own: carry the acting
        # principal (the state machine) into them
        stack.enter_context(mock.patch.object(sfn_program, "threading", SimpleNamespace(Thread=_ContextThread)))
        stack.enter_context(mock.patch.object(sfn_execute_state, "Thread", _ContextThread))
        return stack


def visible_messages(queue_arn: str) -> bool:
    """Whether moto's queue holds a message a receive would return now (a look at the emulator's own state)."""
    from moto.sqs.models import sqs_backends

    _, _, _, region, account, name = queue_arn.split(":", 5)
    return bool(sqs_backends[account][region].queues[name].messages)


class _ContextThread(threading.Thread):
    """A thread that runs in a copy of its creator's context (contextvars), as asyncio tasks do."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._context = contextvars.copy_context()

    def run(self) -> None:
        self._context.run(super().run)


def sns_event(subscription: Any, message: str, message_id: str, subject: str | None, attributes: Any) -> dict[str, Any]:
    """The event SNS passes to a subscribed function (one record)."""
    from datetime import UTC, datetime

    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": subscription.arn,
                "Sns": {
                    "Type": "Notification",
                    "MessageId": message_id,
                    "TopicArn": subscription.topic.arn,
                    "Subject": subject,
                    "Message": message,
                    "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "SignatureVersion": "1",
                    "Signature": "local",
                    "SigningCertUrl": "",
                    "UnsubscribeUrl": "",
                    "MessageAttributes": {
                        name: {"Type": value.get("DataType", "String"), "Value": value.get("StringValue")}
                        for name, value in (attributes or {}).items()
                    },
                },
            }
        ]
    }


__all__ = ["LocalLambdas", "LocalFunction", "LambdaContext", "ACCOUNT"]
