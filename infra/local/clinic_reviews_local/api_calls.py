"""Counting AWS API calls with a botocore event hook (the measure behind `make bench`).

The hook is added to botocore's built-in handlers, so every session created afterwards (boto3's,
pynamodb's, Powertools') reports its calls. The local stack's own plumbing (the SQS poller, the
deployer) runs inside `paused()` and is not counted: on AWS that work is not a call we pay for.
"""

from __future__ import annotations

import threading
from collections import Counter
from contextlib import contextmanager

import botocore.handlers

_state = threading.local()


class ApiCallCounter:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._installed = False

    def _on_call(self, model, **_kwargs) -> None:
        if getattr(_state, "paused", False):
            return
        with self._lock:
            self.calls[f"{model.service_model.service_name}.{model.name}"] += 1

    def install(self) -> None:
        """Count calls of every botocore session created from now on, and of boto3's default session."""
        if not self._installed:
            botocore.handlers.BUILTIN_HANDLERS.append(("before-call.*.*", self._on_call))
            import boto3

            if boto3.DEFAULT_SESSION is not None:
                boto3.DEFAULT_SESSION.events.register("before-call.*.*", self._on_call)
            self._installed = True

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()

    def snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self.calls)


@contextmanager
def paused():
    """Calls made inside are not counted (this thread only)."""
    previous = getattr(_state, "paused", False)
    _state.paused = True
    try:
        yield
    finally:
        _state.paused = previous


#: The one counter of this process: sessions keep their hooks, so it is installed once and reset per run.
COUNTER = ApiCallCounter()
