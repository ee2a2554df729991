"""Every test can fail: a check over the syntax trees of the suite itself (docs/testing.md).

A test function must contain an assertion: an `assert`, `pytest.raises`/`warns`/`fail`, a Playwright
`expect(...)`, a mock's `assert_*` method, or a call to a helper of the suite that itself asserts.
These shapes are refused outright: `assert x or True` (holds whatever x is), an assertion on a
constant (`assert "text"`, `assert (x, "message")`), and an assertion inside `try` whose handler
swallows `AssertionError`. A test whose every assertion sits in a loop over a collection that may be
empty must also assert outside the loop (on the collection's length, for instance): a loop over a
literal list, tuple or `range(N)` cannot be empty and is fine.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]

#: Calls that are assertions by themselves (the last name of the called attribute or function).
ASSERTING_CALLS = {"raises", "warns", "fail", "expect", "deprecated_call"}

#: test name (module::function) -> why it is allowed without an assertion of its own.
ALLOWLIST: dict[str, str] = {}


@dataclass(frozen=True)
class Finding:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def _call_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _is_assert_call(node: ast.AST, helpers: set[str]) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = _call_name(node)
    return name is not None and (name in ASSERTING_CALLS or name.startswith("assert_") or name in helpers)


def _asserts(function: ast.AST, helpers: set[str]) -> bool:
    return any(isinstance(node, ast.Assert) or _is_assert_call(node, helpers) for node in ast.walk(function))


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _parsed() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in sorted(TESTS.rglob("*.py"))}


def asserting_helpers(trees: dict[Path, ast.Module]) -> set[str]:
    """Names of the suite's non-test functions that assert, directly or through another such helper."""
    candidates = [f for tree in trees.values() for f in _functions(tree) if not f.name.startswith("test_")]
    helpers: set[str] = set()
    while True:
        found = {f.name for f in candidates if f.name not in helpers and _asserts(f, helpers)}
        if not found:
            return helpers
        helpers |= found


def _always_true(test: ast.expr) -> str | None:
    if isinstance(test, ast.Constant) and test.value:
        return "asserts a constant that is always true"
    if isinstance(test, ast.Tuple) and test.elts:
        return "asserts a non-empty tuple, which is always true"
    if isinstance(test, ast.JoinedStr) and any(isinstance(v, ast.Constant) and v.value for v in test.values):
        return "asserts a non-empty f-string, which is always true"
    for node in ast.walk(test):
        is_or = isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or)
        if is_or and any(isinstance(v, ast.Constant) and v.value for v in node.values):
            return "asserts `... or <true constant>`, which holds whatever the rest is"
    return None


def _swallows_assertion(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    caught = {n.id if isinstance(n, ast.Name) else getattr(n, "attr", "") for n in names}
    swallows = caught & {"AssertionError", "Exception", "BaseException"}
    reraises = any(isinstance(node, ast.Raise) for node in ast.walk(handler))
    return bool(swallows) and not reraises


def _swallowed_assertion(block: ast.Try) -> bool:
    guarded = any(isinstance(n, ast.Assert) for stmt in block.body for n in ast.walk(stmt))
    return guarded and any(_swallows_assertion(h) for h in block.handlers)


def _cannot_be_empty(iterable: ast.expr) -> bool:
    if isinstance(iterable, ast.List | ast.Tuple | ast.Set | ast.Dict):
        return bool(getattr(iterable, "elts", None) or getattr(iterable, "keys", None))
    if isinstance(iterable, ast.Call) and _call_name(iterable) in {"range", "enumerate", "zip", "sorted"}:
        args = iterable.args
        if _call_name(iterable) == "range":
            return len(args) == 1 and isinstance(args[0], ast.Constant) and args[0].value > 0
        return bool(args) and all(_cannot_be_empty(a) for a in args)
    if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Attribute):
        # `{...}.items()` and the like over a literal
        return iterable.func.attr in {"items", "keys", "values"} and _cannot_be_empty(iterable.func.value)
    return False


def _assertions_only_in_maybe_empty_loops(function: ast.AST, helpers: set[str]) -> bool:
    """True when every assertion of the test sits inside a `for` over something that may be empty."""
    guarded: set[int] = set()
    for loop in ast.walk(function):
        if isinstance(loop, ast.For | ast.AsyncFor) and not _cannot_be_empty(loop.iter):
            for stmt in loop.body:
                guarded |= {id(n) for n in ast.walk(stmt)}
    found = [n for n in ast.walk(function) if isinstance(n, ast.Assert) or _is_assert_call(n, helpers)]
    return bool(found) and all(id(n) in guarded for n in found)


def findings(trees: dict[Path, ast.Module]) -> list[Finding]:
    helpers = asserting_helpers(trees)
    found: list[Finding] = []
    for path, tree in trees.items():
        module = path.relative_to(TESTS.parent).as_posix()
        for function in _functions(tree):
            where = f"{module}::{function.name}"
            for node in ast.walk(function):
                if isinstance(node, ast.Assert) and (why := _always_true(node.test)):
                    found.append(Finding(f"{module}:{node.lineno}", why))
                if isinstance(node, ast.Try) and _swallowed_assertion(node):
                    found.append(Finding(f"{module}:{node.lineno}", "an assertion inside try/except that swallows it"))
            if not function.name.startswith("test_") or where in ALLOWLIST:
                continue
            if not _asserts(function, helpers):
                found.append(Finding(where, "asserts nothing (no assert, pytest.raises or asserting helper)"))
            elif _assertions_only_in_maybe_empty_loops(function, helpers):
                found.append(Finding(where, "asserts only inside loops over collections that may be empty"))
    return found


def test_every_test_in_the_suite_can_fail() -> None:
    problems = findings(_parsed())
    assert not problems, "tests that cannot fail:\n" + "\n".join(map(str, problems))


def test_allowlisted_tests_still_exist() -> None:
    names = {
        f"{path.relative_to(TESTS.parent).as_posix()}::{f.name}" for path, tree in _parsed().items() for f in _functions(tree)
    }
    assert not set(ALLOWLIST) - names


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def test_a():\n    parse('x')\n", "asserts nothing"),
        ("def test_a():\n    assert f() == 0 or True\n", "or <true constant>"),
        ("def test_a():\n    assert 'always'\n", "constant"),
        ("def test_a():\n    assert (f(), 'message')\n", "tuple"),
        ("def test_a():\n    try:\n        assert f()\n    except AssertionError:\n        pass\n", "swallows"),
        ("def test_a():\n    for r in parse():\n        assert r.ok\n", "loops over collections that may be empty"),
    ],
)
def test_the_check_refuses_each_shape(source: str, expected: str) -> None:
    problems = findings({TESTS / "unit" / "scratch_test.py": ast.parse(source)})
    assert len(problems) == 1 and expected in problems[0].what


@pytest.mark.parametrize(
    "source",
    [
        "def test_a():\n    assert f() == 1\n",
        "def test_a():\n    with pytest.raises(ValueError):\n        f()\n",
        "def check(x):\n    assert x\n\ndef test_a():\n    check(1)\n",
        "def test_a():\n    expect(page).to_have_title('x')\n",
        "def test_a():\n    m.assert_called_once_with(1)\n",
        "def test_a():\n    for name in ('a', 'b'):\n        assert f(name)\n",
        "def test_a():\n    rows = parse()\n    assert len(rows) == 2\n    for r in rows:\n        assert r.ok\n",
    ],
)
def test_the_check_accepts_real_assertions(source: str) -> None:
    assert findings({TESTS / "unit" / "scratch_test.py": ast.parse(source)}) == []
