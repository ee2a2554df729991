"""LocalStack: template.yaml deployed into an in-process moto, with handlers, workflows and a virtual clock.

    with LocalStack(start=datetime(2026, 12, 8, 7, 0, tzinfo=UTC)) as aws:
        aws.put_policy(load_policy("samples/demo-policy.yaml"))
        aws.invoke("IntakeFunction", {"reviews": [...]})
        aws.advance_to(datetime(2026, 12, 8, 18, 0, tzinfo=UTC))  # deadlines fire in order
        aws.sent_sms()
"""

from __future__ import annotations

import atexit
import email
import email.policy
import functools
import gc
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import httpx

from clinic_reviews_local import (
    dynamodb_expressions,
    dynamodb_items,
    moto_speedups,
    request_headers,
    response_serializer,
    streams,
)
from clinic_reviews_local.api_calls import COUNTER, paused
from clinic_reviews_local.clock import VirtualClock
from clinic_reviews_local.deferred_imports import STEP_FUNCTIONS, when_imported
from clinic_reviews_local.deployer import ACCOUNT, Deployer, Stack
from clinic_reviews_local.expiry import Expiry, Swept, track_object_times
from clinic_reviews_local.iam import Authorizer, authorizer_for, aws_policies_named, only_aws_policies
from clinic_reviews_local.lambdas import LocalLambdas
from clinic_reviews_local.snapshot import SNAPSHOTS, Snapshots, snapshot_key
from clinic_reviews_local.telegram import FakeTelegram
from clinic_reviews_local.template import TemplateError, project_root, transform
from clinic_reviews_local.users import DEMO_PASSWORD, add_demo_users, jwks_transport

REGION = "eu-central-1"
SENDER = "reviews@clinic-reviews.example"
#: The domain whose mail the local stack's receipt rule takes (the sample policy's mailboxes are at it).
INBOUND_DOMAIN = "mail.zdorovie.example.org"
SETTLE_TIMEOUT = 120.0
#: The cyclic garbage collector's thresholds while a stack runs. The embedded AWS keeps millions of long-lived objects
#: (moto's backends, botocore's parsed models) that every full collection walks again; with Python's (700, 10, 10)
#: the collector was about a fifth of a demo re-run's CPU (docs/notes.md, issue-18f). Collections still run, rarer.
GC_THRESHOLDS = (20_000, 20, 20)
#: SAM-transformed templates kept between runs, keyed by a hash of their inputs (template.transform).
TRANSFORM_CACHE = Path(".cache") / "sam-transform"
#: The messages' jinja2 templates compiled by an earlier run (compiled_templates.py).
TEMPLATE_CACHE = Path(".cache") / "jinja2"
_FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "TZ": "UTC",
}


@functools.cache
def _freeze_at_exit() -> None:
    """Once a process has run a stack: at its exit the interpreter's last collection would walk every object the
    embedded AWS left behind (1.1 s after a demo, a tenth of its re-run); frozen, they are left to the OS. Nothing
    of theirs needs finalizing: the stack closes what it opened, and atexit handlers registered before this one
    (logging's flush among them) still run after it."""
    atexit.register(gc.freeze)


def _refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError(f"outbound HTTP is disabled in the local stack ({request.url.host})", request=request)


#: The source connectors' transport until a test or demo serves fixtures: nothing reaches the internet.
_REFUSE_ALL = httpx.MockTransport(_refuse)


@dataclass(frozen=True)
class SentEmail:
    source: str
    destinations: list[str]
    subject: str
    text: str
    html: str
    raw: str


class LocalStack:
    def __init__(
        self,
        start: datetime | None = None,
        parameters: dict[str, Any] | None = None,
        root: Path | None = None,
        stack_name: str = "clinic-reviews-local",
        dev_login: bool = False,
    ):
        """`dev_login=True` turns on the console's one-click demo-user sign-in: a setting of this local stack
        only (CONSOLE_DEV_PASSWORD in the local runtime, the demo users' password in the local user pool,
        created by `put_policy`), never a template parameter (docs/cases.md)."""
        self.root = root or project_root()
        self.dev_login = dev_login
        self.parameters = {"SenderEmail": SENDER, "Stage": "local", "InboundEmailRecipient": INBOUND_DOMAIN,
                           **(parameters or {})}
        self.stack_name = stack_name
        self.clock = VirtualClock(start or datetime.now(UTC))
        self._exit = ExitStack()
        self.stack: Stack | None = None
        self.lambdas: LocalLambdas | None = None
        self._clients: dict[str, Any] = {}

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> LocalStack:
        try:
            self._start()
        except BaseException:
            self._exit.close()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self._stop_executions()
        finally:
            self._exit.close()

    def _start(self) -> None:
        from unittest import mock

        from clinic_reviews import clients, clock, compose, container
        from moto import mock_aws

        self._exit.callback(gc.set_threshold, *gc.get_threshold())
        gc.set_threshold(*GC_THRESHOLDS)
        _freeze_at_exit()
        self._exit.enter_context(mock.patch.dict(os.environ, _FAKE_CREDENTIALS))
        time.tzset()
        self._exit.callback(time.tzset)
        mocked = mock_aws(
            config={
                "stepfunctions": {"execute_state_machine": True},
                "lambda": {"use_docker": False},
                "iam": {"load_aws_managed_policies": True},
            }
        )
        mocked.start()
        self._exit.callback(mocked.stop)
        self._exit.enter_context(moto_speedups.install())
        self._exit.enter_context(dynamodb_items.installed())  # per item of every DynamoDB request
        self._exit.enter_context(dynamodb_expressions.installed())  # update expressions parsed once per text
        self._exit.enter_context(response_serializer.installed())  # per member of every response
        self._exit.enter_context(request_headers.installed())  # moto checks no signature
        self._exit.enter_context(streams.retention(self.clock.now))
        COUNTER.install()
        self.session = boto3.Session(region_name=REGION)
        self._exit.enter_context(track_object_times(self.clock.now))
        from clinic_reviews_local import compiled_templates  # jinja2: imported when a stack starts, as before

        self._exit.enter_context(compiled_templates.kept(self.root / TEMPLATE_CACHE))
        template = transform(self.root, self.parameters, cache=self.root / TRANSFORM_CACHE)
        self._exit.enter_context(only_aws_policies(aws_policies_named(template)))  # before IAM's first use
        with paused():
            self.stack, self.authorizer = self._deployed(template)
        self.expiry = Expiry(
            REGION,
            [d.physical_id for d in self.stack.of_type("AWS::DynamoDB::Table")],
            [d.physical_id for d in self.stack.of_type("AWS::S3::Bucket")],
        )
        self.authorizer.install()
        self._exit.callback(self.authorizer.uninstall)
        self.lambdas = LocalLambdas(self.stack, self.authorizer)
        self._exit.enter_context(self.lambdas.patch_moto())
        if self.dev_login:  # in the console function's environment only, on top of what template.yaml gives it
            self.lambdas.functions[self.physical("CasesFunction")].environment["CONSOLE_DEV_PASSWORD"] = DEMO_PASSWORD
        self._exit.enter_context(when_imported(STEP_FUNCTIONS, self.clock.patch_step_functions))
        self._exit.enter_context(self.clock.patch_powertools())
        clock.use(self.clock.now)
        self._exit.callback(clock.use, None)
        # Outbound HTTP is served by fakes through the one seam for them (container.use_fake): nothing leaves.
        for port in (compose.SOURCES_HTTP, compose.TELEGRAM_HTTP, compose.POOL_HTTP):
            self._exit.callback(container.use_fake, port, container.fake(port))
        self.serve_http(_REFUSE_ALL)
        self.telegram = FakeTelegram()  # the Telegram Bot API, answered locally (docs/cases.md)
        self.telegram.install(self)
        # the user pool's keys, as moto publishes them
        container.use_fake(compose.POOL_HTTP, compose.HttpFake(lambda: jwks_transport))
        clients.reset()
        self._exit.callback(clients.reset)
        COUNTER.reset()

    def _deployed(self, template: dict[str, Any]) -> tuple[Stack, Authorizer]:
        """template.yaml deployed as `sam deploy` and `clinic-reviews secrets init` leave it, and its principals as IAM
        holds them; or the same restored from the snapshot of an identical deploy (snapshot.py). A deploy is kept."""
        from clinic_reviews.stack_secrets import ensure_parameters

        snapshots = Snapshots(self.root / SNAPSHOTS)
        key = snapshot_key(template, self.parameters, self.stack_name)
        restored = snapshots.restore(key, later=self._exit)  # the Step Functions backend when moto imports it
        if restored is not None:
            stack, principals = restored
            return stack, authorizer_for(stack, principals=principals)
        stack = Deployer(self.session, self.stack_name, REGION).deploy(template, self.parameters)
        self.client("ses").verify_email_identity(EmailAddress=self.parameters["SenderEmail"])
        ensure_parameters(self.client("ssm"), self.parameters["Stage"])  # `clinic-reviews secrets init`
        for rule_set in stack.of_type("AWS::SES::ReceiptRuleSet"):  # `aws ses set-active-receipt-rule-set`
            self.client("ses").set_active_receipt_rule_set(RuleSetName=rule_set.physical_id)
        authorizer = authorizer_for(stack, self.client("iam"))
        snapshots.save(key, (stack, authorizer.principals))
        return stack, authorizer

    def _stop_executions(self) -> None:
        if self.stack is None or not self.workflows_used:
            return
        sfn = self.client("stepfunctions")
        with paused():
            for machine in self.stack.of_type("AWS::StepFunctions::StateMachine"):
                for page in sfn.get_paginator("list_executions").paginate(
                    stateMachineArn=machine.physical_id, statusFilter="RUNNING"
                ):
                    for execution in page["executions"]:
                        sfn.stop_execution(executionArn=execution["executionArn"], cause="local stack closing")

    # ------------------------------------------------------------------ access
    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(service, region_name=REGION)
        return self._clients[service]

    def physical(self, logical_id: str) -> str:
        return self.stack.physical(logical_id)

    @contextmanager
    def in_function(self, logical_id: str) -> Iterator[Any]:
        """Run the block in a deployed function's container (yielded): what its handler's `services()` builds there
        is what that function's invocations use; a test swaps one collaborator with `container.provide(...)`, not
        by patching a global."""
        from clinic_reviews import container

        with container.running(self.lambdas.functions[self.physical(logical_id)].container) as running:
            yield running

    @property
    def outputs(self) -> dict[str, Any]:
        return self.stack.outputs

    # ------------------------------------------------------------------ outbound HTTP
    def serve_http(self, transport: Any) -> None:
        """Answer the source connectors' HTTP with `transport` (an httpx transport, e.g. MockTransport or a
        respx router's). Until called, every request fails as unreachable: nothing leaves this process.
        Retry back-off does not sleep; the delays asked for are recorded in `http_sleeps`."""
        from clinic_reviews import compose, container

        self.http_sleeps: list[float] = []
        container.use_fake(compose.SOURCES_HTTP, compose.HttpFake(lambda: transport, self.http_sleeps.append))

    def _secret_name(self, logical_id: str) -> str:
        from clinic_reviews.stack_secrets import LOGICAL_IDS, parameter_name

        return parameter_name(self.parameters["Stage"], LOGICAL_IDS[logical_id])

    def secret_value(self, logical_id: str) -> str:
        """A secret's value (`SourcesSecret`, `TelegramSecret`, ...: clinic_reviews/stack_secrets.py)."""
        with paused():
            answer = self.client("ssm").get_parameter(Name=self._secret_name(logical_id), WithDecryption=True)
        return answer["Parameter"]["Value"]

    def put_secret(self, logical_id: str, value: Any) -> None:
        """Set a secret's value (a dict is stored as JSON), as `aws ssm put-parameter --overwrite` does."""
        from clinic_reviews import clients

        text = value if isinstance(value, str) else json.dumps(value)
        with paused():
            self.client("ssm").put_parameter(Name=self._secret_name(logical_id), Value=text, Type="SecureString",
                                             Overwrite=True)
        clients.reset()  # every container reads secrets (and builds with them) again

    def drop_file(self, key: str, data: bytes, bucket_logical_id: str = "ImportsBucket") -> None:
        """Put an object (an import file) into a deployed bucket; its S3 notifications run, then settle."""
        with paused():  # the upload is the user's, not the system's
            self.client("s3").put_object(Bucket=self.physical(bucket_logical_id), Key=key, Body=data)
        self.settle()

    def receive_email(self, raw: bytes, recipients: list[str], verdicts: Any = None) -> list[str]:
        """A mail arrives at SES for `recipients`: the active receipt rule set stores it (SES's headers and the
        given `mail.Verdicts` prepended), its S3 notifications run, then settle. The keys written."""
        from clinic_reviews_local.mail import Verdicts, deliver

        with paused():  # SES's own writes, not a function's
            keys = deliver(self.client, REGION, raw, recipients, self.clock.now(), verdicts or Verdicts())
        self.settle()
        return keys

    def read_object(self, key: str, bucket_logical_id: str = "ImportsBucket") -> bytes:
        with paused():
            return self.client("s3").get_object(Bucket=self.physical(bucket_logical_id), Key=key)["Body"].read()

    # ------------------------------------------------------------------ driving
    def invoke(self, logical_id: str, payload: Any) -> Any:
        """Invoke a deployed function synchronously through the Lambda API, then settle."""
        response = self.client("lambda").invoke(
            FunctionName=self.physical(logical_id), Payload=json.dumps(payload).encode()
        )
        body = json.loads(response["Payload"].read() or b"null")
        self.settle()
        if response.get("FunctionError"):
            raise RuntimeError(f"{logical_id} failed: {body.get('errorType')}: {body.get('errorMessage')}")
        return body

    def http(self, logical_id: str, method: str, path: str, body: bytes | str | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """A request to a function's URL, as the Lambda Function URL service would pass it."""
        from clinic_reviews_local.http import decode_response, function_url_event

        result = self.invoke(logical_id, function_url_event(method, path, body, headers))
        return decode_response(result)

    def send_to_queue(self, logical_id: str, body: Any) -> None:
        self.client("sqs").send_message(QueueUrl=self.physical(logical_id), MessageBody=json.dumps(body))

    def put_events(self, detail_type: str, detail: Any) -> None:
        self.client("events").put_events(
            Entries=[
                {
                    "Source": "integrator.local",
                    "DetailType": detail_type,
                    "Detail": json.dumps(detail),
                    "EventBusName": self.outputs["BusName"],
                }
            ]
        )

    def run_schedule(self, logical_id: str) -> Any:
        """Fire an EventBridge Scheduler schedule now: its target gets its input, as at the scheduled time."""
        schedule = self.stack.resources[logical_id]
        target = schedule.properties["Target"]
        payload = json.loads(target.get("Input") or "{}")
        # EventBridge Scheduler invokes the target with the schedule's role (Target.RoleArn)
        self.authorizer.check(self.authorizer.principals[schedule.attributes["Arn"]], "lambda:InvokeFunction", target["Arn"])
        return self.invoke_arn(target["Arn"], payload)

    def invoke_arn(self, arn: str, payload: Any) -> Any:
        for deployed in self.stack.of_type("AWS::Lambda::Function"):
            if deployed.attributes["Arn"] == arn:
                return self.invoke(deployed.logical_id, payload)
        raise TemplateError(f"no local function with ARN {arn}")

    def settle(self, timeout: float = SETTLE_TIMEOUT) -> None:
        """Run queued work until every workflow is finished or waiting on the clock."""
        sqs = self.client("sqs")
        deadline = time.monotonic() + timeout
        while True:
            self.lambdas.drain(sqs)
            running = self.running_executions()
            if not self.lambdas.pending and running <= self.clock.waiters:
                return  # every execution is finished or blocked on the clock (VirtualClock.set)
            if time.monotonic() > deadline:
                raise TimeoutError(f"{running} workflow executions did not settle within {timeout:.0f}s")
            time.sleep(0.005)

    def advance_to(self, moment: datetime, on_step=None) -> None:
        """Move the virtual clock to `moment`, releasing due waits in time order and settling after each.

        `on_step()`, when given, runs after each settled step, while the clock still reads that step's time.
        """
        self.settle()
        while True:
            wake = self.clock.next_wake()
            if wake is None or wake > moment:
                break
            self.clock.set(wake)
            self.settle()
            if on_step:
                on_step()
        self.clock.set(moment)
        self.settle()
        self.expire()
        if on_step:
            on_step()

    def expire(self) -> Swept:
        """Delete what AWS would have by now: items past their TTL, objects past their lifecycle rule (expiry.py)."""
        return self.expiry.sweep(self.clock.now())

    # ------------------------------------------------------------------ observing
    @property
    def workflows_used(self) -> bool:
        """Whether moto's Step Functions interpreter was imported: moto imports it when a workflow is first created,
        started or looked at (deferred_imports.STEP_FUNCTIONS). Until then no execution runs, and a restored deploy
        (snapshot.py) started none."""
        return STEP_FUNCTIONS in sys.modules

    def running_executions(self) -> int:
        if not self.workflows_used:
            return 0
        from moto.stepfunctions.parser.api import ExecutionStatus
        from moto.stepfunctions.parser.models import stepfunctions_parser_backends

        backend = stepfunctions_parser_backends[ACCOUNT][REGION]
        return len(backend._get_executions(ExecutionStatus.RUNNING))

    def executions(self, logical_id: str = "EscalationStateMachine") -> list[dict[str, Any]]:
        if not self.workflows_used:
            return []
        sfn = self.client("stepfunctions")
        found = []
        with paused():
            for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=self.physical(logical_id)):
                found.extend(page["executions"])
        return found

    def execution_history(self, execution_arn: str) -> list[dict[str, Any]]:
        sfn = self.client("stepfunctions")
        events = []
        with paused():
            for page in sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn):
                events.extend(page["events"])
        return events

    def sent_sms(self, start: int = 0) -> list[tuple[str, str]]:
        """SMS published through SNS so far (from the `start`-th on)."""
        from moto.sns.models import sns_backends

        return list(sns_backends[ACCOUNT][REGION].sms_messages.values())[start:]

    def sent_emails(self, start: int = 0) -> list[SentEmail]:
        """Raw e-mails SES sent so far (from the `start`-th on), parsed."""
        from moto.ses.models import ses_backends

        found = []
        for message in ses_backends[ACCOUNT][REGION].sent_messages[start:]:
            raw = getattr(message, "raw_data", None)
            if raw is None:
                continue
            parsed = email.message_from_string(raw, policy=email.policy.default)
            text = parsed.get_body(("plain",))
            html = parsed.get_body(("html",))
            found.append(
                SentEmail(
                    source=message.source,
                    destinations=list(dict.fromkeys(message.destinations)),
                    subject=str(parsed["Subject"]),
                    text=text.get_content() if text else "",
                    html=html.get_content() if html else "",
                    raw=raw,
                )
            )
        return found

    # ------------------------------------------------------------------ configuration
    def put_policy(self, policy) -> None:
        """Store a chain policy, as `clinic-reviews policy put` does on AWS."""
        from clinic_reviews import compose
        from clinic_reviews.settings import get_settings

        with paused():
            compose.Table(get_settings()).policies.put(policy, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        if self.dev_login:
            add_demo_users(self, policy)
