"""Seeded fault injection for `clinic-reviews chaos`: AWS calls and platform HTTP fail as they really do.

What is faulted, each with probability `rate`, in the order a seeded `random.Random` draws:
- every AWS API call a deployed function or state machine makes (the acting principal of iam.py), on every
  attempt botocore makes: ThrottlingException (DynamoDB: ProvisionedThroughputExceededException; S3: 503
  SlowDown; query services: Throttling), 500 InternalServerError, 503 ServiceUnavailable, or a connect timeout
  (S3: 400 RequestTimeout); Step Functions' Lambda invocations get Lambda's own errors (_SERVICE_ERRORS).
  The error is answered instead of moto's (moto's request stub is wrapped), so nothing was applied: the call
  is retried by the client's own retry configuration and, when that is exhausted, the error reaches the
  product's code;
- every platform HTTP call (Google, 2GIS and VK connectors, the Telegram Bot API): 429 with Retry-After, 500,
  503, or a connect timeout, answered before the local stand-in sees the request.
Not faulted: the operator's calls (deploying the template, storing the policy and secrets, the demo's own
reads of results) and AWS's own deliveries (Scheduler and S3 invoking a function, SQS polling): those are
not calls of our code.

`lose_responses` names operations (e.g. `sns.Publish`) whose next call is applied and then answered with a
500, as when a response is lost on the way back: the client retries a call that already took effect. Not part
of the seeded mix (an SMS publish cannot be made idempotent at AWS); tests use it to break idempotency once.

botocore's retry back-off does not sleep here (the delays asked for are recorded): the virtual clock does not
move during a client's retries (a call's whole retry loop takes a few seconds on AWS). Step Functions' retry
intervals do elapse on it (clock.py).
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any
from unittest import mock

import botocore.endpoint
import botocore.handlers
import httpx
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectTimeoutError
from moto.core.botocore_stubber import BotocoreStubber

from clinic_reviews_local.iam import acting_principal

AWS_KINDS = ("throttle", "500", "503", "timeout")
HTTP_KINDS = ("429", "500", "503", "timeout")


class _Raw:
    """The raw body botocore reads a response from."""

    def __init__(self, body: bytes):
        self._body = body

    def stream(self, **_kwargs: Any) -> Iterator[bytes]:
        yield self._body


#: Services whose own errors differ from the common ones. Lambda (invoked by Step Functions' task, whose client
#: does not retry: the state's Retry does) answers its documented TooManyRequestsException and ServiceException;
#: a timeout there is the service's too, not a connection of ours.
_SERVICE_ERRORS = {
    "dynamodb": {"throttle": (400, "ProvisionedThroughputExceededException")},
    "s3": {"throttle": (503, "SlowDown"), "timeout": (400, "RequestTimeout")},
    "lambda": {"throttle": (429, "TooManyRequestsException"), "500": (500, "ServiceException"),
               "503": (500, "ServiceException"), "timeout": (500, "ServiceException")},
}


def _error(service: str, protocol: str, kind: str) -> tuple[int, str] | None:
    """(status, code) AWS answers for this kind of fault; None: a connect timeout (no answer at all)."""
    special = _SERVICE_ERRORS.get(service, {})
    if kind in special:
        return special[kind]
    if kind == "throttle":
        return 400, "Throttling" if protocol == "query" else "ThrottlingException"
    if kind == "500":
        return 500, "InternalFailure" if protocol == "query" else "InternalServerError"
    if kind == "503":
        return 503, "ServiceUnavailable"
    return None


def error_response(url: str, status: int, code: str, protocol: str, kind: str) -> AWSResponse:
    """An AWS error answer in the service's protocol, as botocore parses and retries it."""
    message = f"injected by clinic-reviews chaos ({kind})"
    headers = {"x-amzn-RequestId": "chaos", "x-amzn-ErrorType": code}
    if protocol in ("json", "rest-json"):
        body = json.dumps({"__type": code, "message": message})
        headers["Content-Type"] = "application/x-amz-json-1.0"
    elif protocol == "query":
        body = (f"<ErrorResponse><Error><Type>Receiver</Type><Code>{code}</Code><Message>{message}</Message>"
                "</Error><RequestId>chaos</RequestId></ErrorResponse>")
        headers["Content-Type"] = "text/xml"
    else:  # rest-xml (S3)
        body = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>chaos</RequestId></Error>"
        headers["Content-Type"] = "application/xml"
    return AWSResponse(url, status, headers, _Raw(body.encode()))


class FaultInjector:
    """Draws faults at `rate` from a generator seeded with `seed`; counts what it injected by target and kind."""

    def __init__(self, rate: float, seed: int, lose_responses: tuple[str, ...] = ()):
        self.rate = rate
        self.seed = seed
        self.lose_responses = Counter(lose_responses)
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.injected: Counter[str] = Counter()
        self.backoff_asked: list[float] = []
        self._model = threading.local()

    @property
    def total(self) -> int:
        return sum(self.injected.values())

    def _draw(self, kinds: tuple[str, ...]) -> str | None:
        with self._lock:
            if self._random.random() >= self.rate:
                return None
            return self._random.choice(kinds)

    # ------------------------------------------------------------------ AWS
    def _before_call(self, model: Any, **_kwargs: Any) -> None:
        """Remember which operation this thread is sending, and whether our code (not the operator) makes it."""
        self._model.current = model if acting_principal() is not None else None

    def _stub(self, stub: Any, event_name: str, request: Any, **kwargs: Any) -> AWSResponse | None:
        """moto's request stub, wrapped: a drawn fault answers instead of it (nothing applied)."""
        model = getattr(self._model, "current", None)
        if model is None or event_name.rsplit(".", 1)[-1] != model.name:  # the operator's, or a session without the hook
            return _MOTO_STUB(stub, event_name, request, **kwargs)
        service = model.service_model.service_name
        operation = f"{service}.{model.name}"
        with self._lock:
            lost = self.lose_responses[operation] > 0
            if lost:
                self.lose_responses[operation] -= 1
        if lost:
            _MOTO_STUB(stub, event_name, request, **kwargs)
            kind = "500"
        else:
            kind = self._draw(AWS_KINDS)
            if kind is None:
                return _MOTO_STUB(stub, event_name, request, **kwargs)
        with self._lock:
            self.injected[f"aws:{operation}:{'lost-response' if lost else kind}"] += 1
        answer = _error(service, model.service_model.protocol, kind)
        if answer is None:
            raise ConnectTimeoutError(endpoint_url=request.url)
        return error_response(request.url, *answer, model.service_model.protocol, kind)

    @contextmanager
    def active(self) -> Iterator[FaultInjector]:
        """Fault our code's AWS calls inside the block (sessions created inside and boto3's default session)."""
        global _active
        install()
        _active = self
        injector = self

        def stub(self_stub: Any, event_name: str, request: Any, **kwargs: Any) -> AWSResponse | None:
            return injector._stub(self_stub, event_name, request, **kwargs)

        try:
            with (
                mock.patch.object(botocore.endpoint, "time", SimpleNamespace(sleep=self.backoff_asked.append)),
                mock.patch.object(BotocoreStubber, "__call__", stub),
            ):
                yield self
        finally:
            _active = None

    # ------------------------------------------------------------------ platform HTTP
    def http(self, inner: httpx.BaseTransport, target: str) -> httpx.BaseTransport:
        """`inner` (a local stand-in) behind a link that fails at the rate: 429/500/503 or a connect timeout."""

        def handle(request: httpx.Request) -> httpx.Response:
            kind = self._draw(HTTP_KINDS)
            if kind is None:
                return inner.handle_request(request)
            with self._lock:
                self.injected[f"http:{target}:{kind}"] += 1
            if kind == "timeout":
                raise httpx.ConnectTimeout("injected by clinic-reviews chaos (timeout)", request=request)
            headers = {"Retry-After": "1"} if kind == "429" else {}
            return httpx.Response(int(kind), headers=headers, json={"error": f"injected by clinic-reviews chaos ({kind})"})

        return httpx.MockTransport(handle)


_MOTO_STUB = BotocoreStubber.__call__
_active: FaultInjector | None = None
_installed = False


def _on_before_call(**kwargs: Any) -> None:
    if _active is not None:
        _active._before_call(**kwargs)


def install() -> None:
    """Note the operation of every call of every botocore session made from now on (and of boto3's default one)."""
    global _installed
    if _installed:
        return
    handlers = botocore.handlers.BUILTIN_HANDLERS
    handlers.append(("before-call.*.*", _on_before_call))
    import boto3

    if boto3.DEFAULT_SESSION is not None:
        boto3.DEFAULT_SESSION.events.register("before-call.*.*", _on_before_call)
    _installed = True
