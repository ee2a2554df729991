"""Frozen records a chain writes (its policy): checked by pydantic where they are written, built without it where
they are read.

A `Spec` is a frozen dataclass whose fields declare their checks beside them (`Annotated[str, Rule(min_length=1)]`,
`Rule(before=...)`, `Rule(after=...)`). `check(cls, data)` validates input with pydantic (imported then, not
before) and keeps which fields were written; `cls.build(data)` rebuilds one from data checked before (what
the table stores: `to_data()`, only the written fields) with no pydantic at all, so a function that only reads a
policy never imports it (issue 18, cold start: pydantic's import and model building were most of it).
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any, Literal, Self, get_args, get_origin


class Rule:
    """A field's checks for pydantic: `pydantic.Field` constraints, and plain functions run before or after
    pydantic's own check of the type (a ValueError there is the field's error)."""

    def __init__(self, before: typing.Callable[[Any], Any] | None = None,
                 after: typing.Callable[[Any], Any] | None = None, **constraints: Any) -> None:
        self.before, self.after, self.constraints = before, after, constraints

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic import Field
        from pydantic_core import core_schema

        schema = handler(typing.Annotated[source, Field(**self.constraints)] if self.constraints else source)
        if self.after is not None:
            schema = core_schema.no_info_after_validator_function(self.after, schema)
        if self.before is not None:
            schema = core_schema.no_info_before_validator_function(self.before, schema)
        return schema


class Spec:
    """Base of the policy's records (use with `@dataclass(frozen=True, kw_only=True)`)."""

    __pydantic_config__: typing.ClassVar[dict[str, Any]] = {"extra": "forbid", "str_strip_whitespace": True}

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        names = {f.name for f in fields(cls)}

        def remember_written(data: Any, validate: Any) -> Any:
            record = validate(data)
            if isinstance(data, Mapping) and isinstance(record, cls):
                object.__setattr__(record, "_written", frozenset(k for k in data if k in names))
            return record

        return core_schema.no_info_wrap_validator_function(remember_written, handler(source))

    @property
    def fields_set(self) -> frozenset[str]:
        """The fields the chain wrote (the others took their defaults)."""
        written = self.__dict__.get("_written")
        return frozenset(f.name for f in fields(self)) if written is None else written  # type: ignore[arg-type]

    @classmethod
    def build(cls, data: Mapping[str, Any]) -> Self:
        """One from data checked before (`to_data()` of one): nothing is checked again but its shape."""
        if not isinstance(data, Mapping):
            raise TypeError(f"{cls.__name__}: expected a mapping, got {type(data).__name__}")
        hints = _hints(cls)
        record = cls(**{name: _build(hints[name], value) for name, value in data.items()})
        object.__setattr__(record, "_written", frozenset(data))
        return record

    def to_data(self) -> dict[str, Any]:
        """The written fields, JSON-ready (what `build` takes back)."""
        return {f.name: _data(getattr(self, f.name)) for f in fields(self) if f.name in self.fields_set}  # type: ignore[arg-type]

    def evolve(self, **changes: Any) -> Self:
        """A copy with `changes` (they count as written)."""
        record = replace(self, **changes)  # type: ignore[type-var]
        object.__setattr__(record, "_written", self.fields_set | frozenset(changes))
        return record


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _build(hint: Any, value: Any) -> Any:
    origin = get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        kinds = [a for a in get_args(hint) if a is not type(None)]
        if len(kinds) == 1:
            return _build(kinds[0], value)
        specs = [a for a in kinds if isinstance(a, type) and issubclass(a, Spec)]
        return _tagged(specs, value).build(value) if specs and isinstance(value, Mapping) else value
    if origin is list:
        return [_build(get_args(hint)[0], item) for item in value]
    if origin is dict:
        return {key: _build(get_args(hint)[1], item) for key, item in value.items()}
    if isinstance(hint, type) and issubclass(hint, Spec):
        return hint.build(value)
    return value


def _tagged(specs: list[type[Spec]], value: Mapping[str, Any]) -> type[Spec]:
    """The one of `specs` whose `Literal` tag field (`platform`) has the value's tag."""
    for spec in specs:
        for name, hint in _hints(spec).items():
            if get_origin(hint) is Literal and value.get(name) in get_args(hint):
                return spec
    raise TypeError(f"no record of {', '.join(s.__name__ for s in specs)} matches {sorted(value)}")


def _data(value: Any) -> Any:
    if isinstance(value, Spec):
        return value.to_data()
    if isinstance(value, list):
        return [_data(item) for item in value]
    if isinstance(value, dict):
        return {key: _data(item) for key, item in value.items()}
    return value


def check(cls: type[Any], data: Any) -> Any:
    """`data` validated by pydantic into `cls` (raises pydantic's ValidationError)."""
    return _adapter(cls).validate_python(data)


@functools.cache
def _adapter(cls: type[Any]) -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(cls)
