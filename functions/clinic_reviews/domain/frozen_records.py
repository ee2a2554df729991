"""`record`: `dataclass(frozen=True)` that compiles less when the class is made.

`dataclasses` compiles each generated method from source text (`exec`), six per frozen class: `__init__`,
`__setattr__`, `__delattr__`, `__eq__`, `__hash__`, `__repr__`: 0.4-0.6 ms a class on 3.11, 51 classes on the
HTTP handlers' import paths (docs/notes.md, issue-18l). `record` lets `dataclass` compile `__init__` only (the
frozen one, assigning through `object.__setattr__`). The frozen guards are closures over the class and its field
names, which raise only, so their speed does not matter; they come in through `dataclasses._frozen_get_del_attr`
(3.11 and 3.12 call it while processing a frozen class), swapped for the call under a lock. Where that helper is
not the expected one (a later Python), `dataclass` compiles its own guards. `__eq__`, `__hash__` and `__repr__`
compile on their first call the source `dataclass` would have compiled and put it in their place, so a record
hashed in a loop costs what a dataclass costs. The rules for which fields count and for methods the class
defines itself are `dataclass`'s, and `__dataclass_params__` says eq and repr as `dataclass(frozen=True)` would.
tests/unit/test_frozen_records.py compares every record with the plain dataclass of the same class body.
"""

from __future__ import annotations

import _thread
import copy
import dataclasses
import functools
import threading
from collections.abc import Callable
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
        shown = ", ".join(f"{f.name}={{self.{f.name}!r}}" for f in fields if f.repr)
        _compiled_on_first_call(cls, "__repr__", "self", f'return self.__class__.__qualname__ + f"({shown})"')
    if "__eq__" not in cls.__dict__:
        compared = [f.name for f in fields if f.compare]
        _compiled_on_first_call(cls, "__eq__", "self, other", "if other.__class__ is self.__class__:",
                                f" return {_tuple('self', compared)}=={_tuple('other', compared)}",
                                "return NotImplemented")
    if not explicit_hash:
        hashed = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
        _compiled_on_first_call(cls, "__hash__", "self", f"return hash({_tuple('self', hashed)})")
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


def _tuple(name: str, fields: list[str]) -> str:
    return f"({','.join(f'{name}.{f}' for f in fields)},)" if fields else "()"


def _compiled_on_first_call(cls: type, name: str, params: str, *lines: str) -> None:
    """Give `cls` a method that compiles `def name(params): lines` (the source `dataclass` would compile: field
    names are identifiers) on its first call, installs it in `cls` in its own place, and runs it: later calls
    cost what `dataclass`'s own method costs."""

    def first_call(self: Any, *args: Any) -> Any:
        namespace: dict[str, Any] = {}
        exec("".join([f"def {name}({params}):\n", *(f" {line}\n" for line in lines)]), {}, namespace)  # noqa: S102
        method = namespace[name]
        method.__qualname__ = f"{cls.__qualname__}.{name}"
        if name == "__repr__":
            method = _cut_recursion(method)
        setattr(cls, name, method)
        return method(self, *args)

    first_call.__name__ = name
    first_call.__qualname__ = f"{cls.__qualname__}.{name}"
    setattr(cls, name, first_call)


def _cut_recursion(repr_: Callable[[Any], str]) -> Callable[[Any], str]:
    """`repr_` answering "..." for an instance whose repr is already being made on this thread, as dataclass's."""
    running: set[tuple[int, int]] = set()

    @functools.wraps(repr_)
    def guarded(self: Any) -> str:
        key = id(self), _thread.get_ident()
        if key in running:
            return "..."
        running.add(key)
        try:
            return repr_(self)
        finally:
            running.discard(key)

    return guarded
