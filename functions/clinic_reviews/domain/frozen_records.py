"""`record`: `dataclass(frozen=True)` with its comparison, hash and repr made without compiling source text.

`dataclasses` compiles each generated method from source text (`exec`), six per frozen class: `__init__`,
`__setattr__`, `__delattr__`, `__eq__`, `__hash__`, `__repr__`. On the HTTP handlers' import path that is
0.6-0.8 ms a class (docs/notes.md, issue-18l). `record` lets `dataclass` compile `__init__` only (the
frozen one, assigning through `object.__setattr__`) and gives the other five as closures over the class's
fields, made without a compiler: the same results, the same rules for which fields count and for methods the
class defines itself, and `__dataclass_params__` saying eq and repr as `dataclass(frozen=True)` would.
The frozen guards come in through `dataclasses._frozen_get_del_attr` (3.11 and 3.12 call it while processing a
frozen class), swapped for the call under a lock; where that helper is not the expected one (a later Python),
`dataclass` compiles its own guards and only eq, hash and repr are saved. tests/unit/test_frozen_records.py
compares every record on those paths with the plain dataclass of the same class.
"""

from __future__ import annotations

import _thread
import copy
import dataclasses
import threading
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, overload

T = TypeVar("T", bound=type)
_MISSING = object()


@overload
def record(cls: T, /) -> T: ...
@overload
def record(*, kw_only: bool = False) -> Callable[[T], T]: ...
def record(cls: Any = None, /, *, kw_only: bool = False) -> Any:
    """Decorate a class as `@dataclass(frozen=True)` (or `@dataclass(frozen=True, kw_only=True)`) would."""

    def wrap(cls: T) -> T:
        return _frozen(cls, kw_only)

    return wrap if cls is None else wrap(cls)


def _frozen(cls: T, kw_only: bool) -> T:
    class_hash = cls.__dict__.get("__hash__", _MISSING)
    explicit_hash = not (class_hash is _MISSING or (class_hash is None and "__eq__" in cls.__dict__))
    with _SWAP:
        if _SWAPPABLE:
            dataclasses._frozen_get_del_attr = _guards  # type: ignore[attr-defined]
        try:
            cls = dataclasses.dataclass(cls, frozen=True, eq=False, repr=False, kw_only=kw_only)
        finally:
            if _SWAPPABLE:
                dataclasses._frozen_get_del_attr = _COMPILED_GUARDS  # type: ignore[attr-defined]
    params = copy.copy(cls.__dataclass_params__)  # type: ignore[attr-defined]
    params.eq = params.repr = True
    cls.__dataclass_params__ = params  # type: ignore[attr-defined]
    fields = dataclasses.fields(cls)
    if "__repr__" not in cls.__dict__:
        _attach(cls, "__repr__", _repr([f.name for f in fields if f.repr]))
    if "__eq__" not in cls.__dict__:
        _attach(cls, "__eq__", _eq(_values([f.name for f in fields if f.compare])))
    if not explicit_hash:
        hashed = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
        _attach(cls, "__hash__", _hash(_values(hashed)))
    return cls


def _guards(cls: type, fields: list[dataclasses.Field[Any]], globals: Any) -> tuple[Callable[..., None], ...]:
    """What `dataclasses._frozen_get_del_attr` returns, as closures: assigning or deleting a field, or any
    attribute of an instance of exactly `cls`, raises `FrozenInstanceError`."""
    names = tuple(f.name for f in fields)

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __setattr__, __delattr__


_SWAP = threading.Lock()
_COMPILED_GUARDS = getattr(dataclasses, "_frozen_get_del_attr", None)
_SWAPPABLE = getattr(_COMPILED_GUARDS, "__code__", None) is not None and (
    _COMPILED_GUARDS.__code__.co_varnames[:3] == _guards.__code__.co_varnames[:3]  # type: ignore[union-attr]
)


def _attach(cls: type, name: str, method: Callable[..., Any]) -> None:
    method.__name__ = name
    method.__qualname__ = f"{cls.__qualname__}.{name}"
    setattr(cls, name, method)


def _values(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple `(self.a, self.b, ...)` that dataclass's generated methods build."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        get = attrgetter(names[0])
        return lambda record: (get(record),)
    return lambda record: ()


def _eq(values: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any, Any], Any]:
    def eq(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return eq


def _hash(values: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], int]:
    def hash_(self: Any) -> int:
        return hash(values(self))

    return hash_


def _repr(names: list[str]) -> Callable[[Any], str]:
    running: set[tuple[int, int]] = set()

    def repr_(self: Any) -> str:
        key = id(self), _thread.get_ident()
        if key in running:
            return "..."
        running.add(key)
        try:
            return self.__class__.__qualname__ + "(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in names) + ")"
        finally:
            running.discard(key)

    return repr_
