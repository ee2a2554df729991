"""`record` gives a class exactly what `dataclass(frozen=True)` gives it (domain/frozen_records.py).

Every record on the HTTP handlers' import paths is compared with its plain twin: the same class body decorated
by `dataclass(frozen=True)`. A property test does the same for random field layouts and values.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import math
import pickle
import pkgutil
from pathlib import Path
from typing import Any

import clinic_reviews
import pytest
from clinic_reviews.domain.frozen_records import record
from clinic_reviews.domain.policy import load_policy
from hypothesis import given, settings
from hypothesis import strategies as st

_ADDED = {"__init__", "__setattr__", "__delattr__", "__eq__", "__hash__", "__repr__", "__dataclass_fields__",
          "__dataclass_params__", "__match_args__", "__dict__", "__weakref__"}


def _records() -> list[type]:
    """Every class decorated by `record` in the package (the handlers' import paths and what imports them)."""
    found = []
    for info in pkgutil.walk_packages(clinic_reviews.__path__, "clinic_reviews."):
        if ".handlers." in info.name or info.name.endswith("__main__"):
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional extra (charts, the local stack's tools) is not installed
            continue
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__ and _is_record(value):
                found.append(value)
    return sorted(found, key=lambda c: (c.__module__, c.__qualname__))


def _is_record(cls: type) -> bool:
    eq = cls.__dict__.get("__setattr__")
    return dataclasses.is_dataclass(cls) and getattr(getattr(eq, "__code__", None), "co_filename", "").endswith(
        "frozen_records.py"
    )


def _own(cls: type, name: str, value: Any) -> bool:
    """Whether `name` in the class's namespace was written in its body (not added by `dataclass` or `record`)."""
    if name not in _ADDED:
        return True
    code = getattr(value, "__code__", None)
    return code is not None and code.co_filename == inspect.getfile(cls)


def _twin(cls: type) -> type:
    """The same class body decorated by `dataclass(frozen=True)`."""
    body = {k: v for k, v in cls.__dict__.items() if _own(cls, k, v)}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        body[f.name] = dataclasses.field(default=f.default, default_factory=f.default_factory, init=f.init,
                                         repr=f.repr, hash=f.hash, compare=f.compare, metadata=f.metadata,
                                         kw_only=f.kw_only)
    twin = type(cls)(cls.__name__, cls.__bases__, body)
    twin.__qualname__ = cls.__qualname__
    return dataclasses.dataclass(frozen=True)(twin)


#: Records whose `__post_init__` refuses any text: built from real values.
_REAL = {
    "Policy": lambda: {f.name: getattr(_SAMPLE, f.name) for f in dataclasses.fields(_SAMPLE)},
    "VkSource": lambda: {"platform": "vk", "group_id": 7, "wall_posts": [1, 2]},
}
_SAMPLE = load_policy(Path(__file__).resolve().parents[2] / "samples" / "demo-policy.yaml")


def _values(cls: type, salt: str) -> dict[str, Any]:
    if cls.__name__ in _REAL:
        return _REAL[cls.__name__]()
    return {f.name: f"{f.name}-{salt}" for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]


def _hashed(value: Any) -> Any:
    """The hash, or what hashing raised (a record holding a list or dict is unhashable, as its twin is)."""
    try:
        return hash(value)
    except TypeError as error:
        return str(error)


def _guard(action: Any, *args: Any, **kwargs: Any) -> tuple[type, str]:
    with pytest.raises(Exception) as caught:
        action(*args, **kwargs)
    return caught.type, str(caught.value)


def _compare(cls: type, twin: type, made: dict[str, Any], changes: list[dict[str, Any]]) -> None:
    a, b, ta, tb = cls(**made), cls(**made), twin(**made), twin(**made)
    assert repr(a) == repr(ta)
    assert (a == b, a != b, a.__eq__(object())) == (ta == tb, ta != tb, ta.__eq__(object()))
    assert (cls.__hash__ is None) == (twin.__hash__ is None)
    assert _hashed(a) == _hashed(b) == _hashed(ta)
    assert dataclasses.asdict(a) == dataclasses.asdict(ta)
    for change in changes:
        try:
            c = dataclasses.replace(a, **change)
        except Exception as error:  # a __post_init__ refused the change: so does the twin's
            assert _guard(dataclasses.replace, ta, **change) == (type(error), str(error))
            continue
        tc = dataclasses.replace(ta, **change)
        assert (a == c, repr(c)) == (ta == tc, repr(tc)), change
        assert (_hashed(a) == _hashed(c), _hashed(c)) == (_hashed(ta) == _hashed(tc), _hashed(tc)), change
    for back in (pickle.loads(pickle.dumps(a)), copy.copy(a), copy.deepcopy(a)):
        assert type(back) is cls and back == a and vars(back) == vars(a)
        assert _hashed(back) == _hashed(a)
    some = dataclasses.fields(cls)[0].name if dataclasses.fields(cls) else "absent"  # type: ignore[arg-type]
    for name in (some, "not_a_field"):
        assert _guard(setattr, a, name, 1) == _guard(setattr, ta, name, 1)
        assert _guard(delattr, a, name) == _guard(delattr, ta, name)


RECORDS = _records()


def test_the_records_on_the_handlers_paths_are_found():
    names = {f"{c.__module__}.{c.__qualname__}" for c in RECORDS}
    assert {"clinic_reviews.domain.policy.Policy", "clinic_reviews.store.reviews.Sighting",
            "clinic_reviews.domain.cases.Case", "clinic_reviews.domain.feedback.Token"} <= names
    assert len(RECORDS) >= 50


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: f"{c.__module__.removeprefix('clinic_reviews.')}.{c.__name__}")
def test_a_record_is_its_frozen_dataclass(cls):
    twin = _twin(cls)
    assert [(f.name, f.type, f.default, f.default_factory, f.init, f.repr, f.hash, f.compare, f.kw_only)
            for f in dataclasses.fields(cls)] == [  # type: ignore[arg-type]
        (f.name, f.type, f.default, f.default_factory, f.init, f.repr, f.hash, f.compare, f.kw_only)
        for f in dataclasses.fields(twin)]  # type: ignore[arg-type]
    assert str(inspect.signature(cls)) == str(inspect.signature(twin))
    assert repr(cls.__dataclass_params__) == repr(twin.__dataclass_params__)  # type: ignore[attr-defined]
    assert cls.__match_args__ == twin.__match_args__  # type: ignore[attr-defined]
    assert cls.__doc__ == twin.__doc__
    made = _values(cls, "a")
    try:
        cls(**made)
    except Exception as error:  # a __post_init__ that checks its values: the twin refuses them alike
        assert _guard(twin, **made) == (type(error), str(error))
        return
    changes = [{name: f"{name}-b"} for name in made] + [{name: _values(cls, "b")[name]} for name in made]
    _compare(cls, twin, made, changes)


_FIELD = st.fixed_dictionaries({
    "repr": st.booleans(), "compare": st.booleans(), "hash": st.sampled_from([None, True, False]),
    "default": st.sampled_from([dataclasses.MISSING, 0, "x", None]),
})
_VALUE = st.one_of(st.integers(), st.text(max_size=5), st.none(), st.just(math.nan), st.floats(allow_nan=False),
                   st.tuples(st.integers(), st.text(max_size=3)))


@settings(max_examples=60, deadline=None)
@given(layout=st.lists(_FIELD, max_size=5), kw_only=st.booleans(), data=st.data())
def test_random_layouts_behave_as_the_frozen_dataclass(layout, kw_only, data):
    def body() -> dict[str, Any]:
        spec: dict[str, Any] = {"__annotations__": {f"f{i}": "object" for i in range(len(layout))},
                                "__module__": __name__}
        for i, f in enumerate(layout):
            spec[f"f{i}"] = dataclasses.field(**f)
        return spec

    if not kw_only and any(f["default"] is not dataclasses.MISSING for f in layout):
        first = next(i for i, f in enumerate(layout) if f["default"] is not dataclasses.MISSING)
        layout = [dict(f, default=0) if i > first and f["default"] is dataclasses.MISSING else f
                  for i, f in enumerate(layout)]
    cls = record(kw_only=kw_only)(type("Random", (), body()))
    twin = dataclasses.dataclass(frozen=True, kw_only=kw_only)(type("Random", (), body()))
    assert str(inspect.signature(cls)) == str(inspect.signature(twin))
    names = [f"f{i}" for i in range(len(layout))]
    made = {name: data.draw(_VALUE) for name in names}
    other = {name: data.draw(_VALUE) for name in names}
    a, b, ta, tb = cls(**made), cls(**other), twin(**made), twin(**other)
    assert (repr(a), a == b, a == a, hash(a) == hash(b)) == (repr(ta), ta == tb, ta == ta, hash(ta) == hash(tb))
    assert hash(a) == hash(ta) and hash(b) == hash(tb)
    assert _guard(setattr, a, "f0", 1) == _guard(setattr, ta, "f0", 1)


def test_a_recursive_repr_is_cut_as_dataclass_cuts_it():
    @record
    class Node:
        items: list

    @dataclasses.dataclass(frozen=True)
    class Plain:
        items: list

    node, plain = Node([]), Plain([])
    node.items.append(node)
    plain.items.append(plain)
    assert repr(node) == repr(plain).replace("Plain", "Node") == "test_a_recursive_repr_is_cut_as_dataclass_cuts_it.<locals>.Node(items=[...])"


def test_a_method_the_class_defines_itself_is_kept():
    @record
    class Own:
        x: int

        def __repr__(self) -> str:
            return "own"

        def __eq__(self, other: object) -> bool:
            return True

    @dataclasses.dataclass(frozen=True)
    class Twin:
        x: int

        def __eq__(self, other: object) -> bool:
            return True

    @record
    class Hashed:
        x: int

        def __hash__(self) -> int:
            return 7

    assert repr(Own(1)) == "own" and Own(1) == Own(2)
    assert hash(Own(1)) == hash(Twin(1))
    assert hash(Hashed(1)) == 7 and Hashed(1) == Hashed(1) and Hashed(1) != Hashed(2)


def test_a_frozen_subclass_and_post_init_work_as_with_dataclass():
    @record
    class Base:
        x: int

    @record
    class Child(Base):
        y: int = 0

        def __post_init__(self) -> None:
            object.__setattr__(self, "y", self.y + 1)

    child = Child(1, 2)
    assert (child, repr(child).rsplit(".", 1)[1]) == (Child(1, 2), "Child(x=1, y=3)")
    with pytest.raises(TypeError, match="cannot inherit non-frozen dataclass from a frozen one"):
        dataclasses.dataclass(type("Loose", (Base,), {"__annotations__": {"z": "int"}}))
