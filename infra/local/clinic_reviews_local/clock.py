"""A virtual clock for the local stack: Wait states and handlers read it, tests and the demo move it.

moto's Step Functions interpreter really sleeps in Wait states. Here a Wait blocks until the virtual
clock reaches its timestamp, and `advance_to` releases the waits in timestamp order, letting the
stack settle after each, so a whole day of deadlines replays in a moment and every handler sees the
time its step would have run at on AWS. A state's retry interval elapses on the clock too (a retried task
waits like a Wait state), and Powertools' idempotency reads it (patch_powertools): its in-progress window and
its records' expiry are measured in the same time as the retries that must outlast them.
"""

from __future__ import annotations

import datetime as dt
import threading
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from unittest import mock

from clinic_reviews.domain.review import to_utc

POLL_SECONDS = 0.05
#: Powertools' idempotency modules that read `datetime.now()` (aws-lambda-powertools 3.x).
_POWERTOOLS_TIME_READERS = (
    "aws_lambda_powertools.utilities.idempotency.base",
    "aws_lambda_powertools.utilities.idempotency.persistence.base",
    "aws_lambda_powertools.utilities.idempotency.persistence.dynamodb",
    "aws_lambda_powertools.utilities.idempotency.persistence.datarecord",
)


class VirtualClock:
    def __init__(self, start: datetime):
        self._now = to_utc(start)
        self._cond = threading.Condition()
        self._waiting: dict[int, datetime] = {}  # thread id -> target

    def now(self) -> datetime:
        with self._cond:
            return self._now

    @property
    def waiters(self) -> int:
        with self._cond:
            return len(self._waiting)

    def next_wake(self) -> datetime | None:
        with self._cond:
            return min(self._waiting.values(), default=None)

    def set(self, moment: datetime) -> None:
        """Move the clock to `moment` (never backwards) without settling; see LocalStack.advance_to.

        A wait it releases stops counting as a waiter at once, before its thread wakes: `waiters` counts
        only threads that are really blocked, so the stack settles without sleeping to let them run."""
        with self._cond:
            self._now = max(self._now, to_utc(moment))
            for ident, target in list(self._waiting.items()):
                if target <= self._now:
                    del self._waiting[ident]
            self._cond.notify_all()

    def wait_until(self, target: datetime, still_running) -> None:
        """Block the calling thread until the clock reaches `target` or `still_running()` turns false."""
        target = to_utc(target)
        ident = threading.get_ident()
        with self._cond:
            if self._now >= target:
                return  # already due: never counted as waiting
            self._waiting[ident] = target
            try:
                while self._now < target and still_running():
                    self._cond.wait(POLL_SECONDS)
            finally:
                self._waiting.pop(ident, None)

    def patch_step_functions(self) -> ExitStack:
        """Route moto's Wait states and retry back-offs through this clock (undone on close)."""
        from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
        from moto.stepfunctions.parser.asl.component.state.wait.wait_function import timestamp, wait_function

        clock = self

        def timestamp_wait_seconds(self_fn, env) -> int:
            self_fn.string.eval(env=env)
            text = env.stack.pop()
            moment = self_fn._from_timestamp_string(timestamp=text)
            if moment is None:
                from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
                    FailureEventException,
                )

                raise FailureEventException(self_fn._create_failure_event(env, text))
            clock.wait_until(moment.replace(tzinfo=UTC), env.is_running)
            return 0

        def wait_interval(self_fn, env, wait_seconds: int) -> None:
            if wait_seconds > 0:
                clock.wait_until(clock.now() + timedelta(seconds=wait_seconds), env.is_running)

        retrying = threading.local()  # the execution whose retrier is waiting (its thread's)
        original_retrier = retrier_decl.RetrierDecl._eval_body

        def retrier_body(self_retrier, env) -> None:
            retrying.env = env
            try:
                original_retrier(self_retrier, env)
            finally:
                retrying.env = None

        class _ClockSleep:
            """moto's retrier sleeps its interval (jitter and back-off applied): here on the virtual clock."""

            @staticmethod
            def sleep(seconds: float) -> None:
                env = getattr(retrying, "env", None)
                if seconds > 0:
                    clock.wait_until(clock.now() + timedelta(seconds=seconds), env.is_running if env else lambda: True)

            def __getattr__(self, name):
                import time

                return getattr(time, name)

        stack = ExitStack()
        stack.enter_context(mock.patch.object(timestamp.Timestamp, "_get_wait_seconds", timestamp_wait_seconds))
        stack.enter_context(mock.patch.object(wait_function.WaitFunction, "_wait_interval", wait_interval))
        stack.enter_context(mock.patch.object(retrier_decl.RetrierDecl, "_eval_body", retrier_body))
        stack.enter_context(mock.patch.object(retrier_decl, "time", _ClockSleep()))
        return stack

    def patch_powertools(self) -> ExitStack:
        """Powertools' idempotency reads `datetime.now()` for a record's expiry and its in-progress window (the
        invocation's remaining time from now): give it this clock, as every handler has (undone on close)."""
        import importlib

        clock = self

        class _VirtualDatetime(dt.datetime):
            @classmethod
            def now(cls, tz=None):
                moment = clock.now()
                return moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)

        class _Module:
            datetime = _VirtualDatetime

            def __getattr__(self, name):
                return getattr(dt, name)

        stack = ExitStack()
        for name in _POWERTOOLS_TIME_READERS:
            module = importlib.import_module(name)
            if getattr(module, "dt", None) is not dt:
                raise RuntimeError(f"{name} no longer reads the time as `dt.datetime.now()`: see clock.patch_powertools")
            stack.enter_context(mock.patch.object(module, "dt", _Module()))
        return stack
