"""What one Lambda container keeps between invocations: its environment and the objects built from it.

On AWS a process is one function's container, so there is exactly one: the default, over `os.environ`.
The embedded local AWS runs every function in one process; it gives each function its own container
(`running(...)`), so a function sees only its own environment and never reuses a client, a service or a
cached secret that another function built.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(eq=False)
class Container:
    """One function's container: its name, its environment, and what it has built (by factory)."""

    name: str
    environ: Mapping[str, str]
    built: dict[Callable[..., Any], Any] = field(default_factory=dict)

    def provide(self, factory: Callable[[], T], value: T) -> None:
        """From now on the `cached` factory answers `value` in this container (a test swaps one function's
        collaborator: `aws.in_function(...)`)."""
        self.built[getattr(factory, "__wrapped__", factory)] = value

    def forget(self, factory: Callable[..., Any]) -> None:
        self.built.pop(getattr(factory, "__wrapped__", factory), None)


_DEFAULT = Container("default", os.environ)
_current: ContextVar[Container] = ContextVar("clinic_reviews_container", default=_DEFAULT)
_known: list[Container] = [_DEFAULT]
_lock = threading.RLock()


#: Fakes of outside services by port name (e.g. "http:sources"), seen by every container of this process. Empty on
#: AWS; the local stack installs its fakes here (`use_fake`) and composition reads them (`fake`).
_fakes: dict[str, Any] = {}


def use_fake(port: str, value: Any | None) -> Any | None:
    """Serve `port` with `value` (None: the real service again) and forget what was built with the previous one;
    returns the previous fake (to restore it)."""
    with _lock:
        previous = _fakes.pop(port, None)
        if value is not None:
            _fakes[port] = value
        for known in _known:
            known.built.clear()
    return previous


def fake(port: str) -> Any | None:
    """The fake installed for `port`, or None (always None on AWS)."""
    return _fakes.get(port)


def use_default_environment(environ: Mapping[str, str] | None) -> None:
    """What code outside any function's container reads (the local stack's operator; None: `os.environ`)."""
    with _lock:
        _DEFAULT.environ = os.environ if environ is None else environ
        _DEFAULT.built.clear()


def current() -> Container:
    return _current.get()


@contextmanager
def running(container: Container) -> Iterator[Container]:
    """Run the block (in this thread) as `container` (the local runtime, per invocation)."""
    with _lock:
        if container not in _known:
            _known.append(container)
    token = _current.set(container)
    try:
        yield container
    finally:
        _current.reset(token)


def cached(factory: Callable[[], T]) -> Callable[[], T]:
    """`factory()` once per container (what `lru_cache(maxsize=1)` is on AWS); `.cache_clear()` forgets it
    in every container."""

    @wraps(factory)
    def once() -> T:
        built = current().built
        if factory not in built:
            built[factory] = factory()
        return built[factory]

    def cache_clear() -> None:
        with _lock:
            for container in _known:
                container.built.pop(factory, None)

    once.cache_clear = cache_clear  # type: ignore[attr-defined]
    return once


def forget_all() -> None:
    """Forget everything every container built (after a redeploy)."""
    with _lock:
        for container in _known:
            container.built.clear()
        del _known[1:]
