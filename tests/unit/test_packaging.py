"""What the Lambda package ships: the dependencies layer is exactly the runtime closure of pyproject.toml's
dependencies on python3.12 (less what the runtime provides), the charts layer the `charts` extra, and what the
layers' Makefiles remove is never imported."""

import importlib.metadata
import subprocess
import sys
import tomllib

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

#: Provided by the Lambda runtime (boto3 and what it needs), or declared but never imported (pymorphy3 lists
#: setuptools on Python 3.12 and finds its dictionaries through importlib.metadata).
RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer", "jmespath", "urllib3"}
NEVER_IMPORTED = {"setuptools"}
LAMBDA = {**default_environment(), "python_version": "3.12", "python_full_version": "3.12.1",
          "sys_platform": "linux", "platform_system": "Linux", "implementation_name": "cpython",
          "platform_python_implementation": "CPython"}
BLOCKER = """
import importlib.abc, re, sys
class Blocked(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if any(re.fullmatch(pattern, name) for pattern in {blocked!r}):
            raise ImportError(f"{{name}} is not in the Lambda package")
sys.meta_path.insert(0, Blocked())
"""
#: What layers/charts/Makefile removes (module name patterns).
CHARTS_REMOVED = {r"(matplotlib|numpy|PIL)(\..+)?\.tests(\..+)?"}


def _lines(path):
    return [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def _names(lines):
    return {canonicalize_name(line.split("==")[0].split(">=")[0].split("[")[0]) for line in lines}


def _closure(requirements):
    """Every distribution `requirements` pull in on the Lambda's Python, as this venv resolved them."""
    found, todo = set(), [Requirement(r) for r in requirements]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in found:
            continue
        found.add(name)
        for line in importlib.metadata.requires(requirement.name) or []:
            child = Requirement(line)
            extras = requirement.extras or {""}
            if child.marker is None or any(child.marker.evaluate({**LAMBDA, "extra": e}) for e in extras):
                todo.append(child)
    return found


def test_dependencies_layer_is_the_runtime_closure_of_the_project(root):
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    layer = _lines(root / "layers" / "dependencies" / "requirements.txt")
    closure = _closure(project)
    assert closure | {"s3transfer", "boto3"} >= RUNTIME_PROVIDED | NEVER_IMPORTED
    assert _names(layer) == closure - RUNTIME_PROVIDED - NEVER_IMPORTED
    for line in layer:  # the versions the tests ran with are the versions that deploy
        name, version = line.split("==")
        assert importlib.metadata.version(name) == version, f"{name}: layer {version}, venv {importlib.metadata.version(name)}"
    assert not (root / "functions" / "requirements.txt").exists(), "the functions ship their code only"


def test_charts_layer_matches_the_charts_extra(root):
    extras = tomllib.loads((root / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    layer = _lines(root / "layers" / "charts" / "requirements.txt")
    assert layer == extras["charts"]
    assert not _names(layer) & _names(tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"])


def _run_blocked(root, blocked, code):
    return subprocess.run([sys.executable, "-c", BLOCKER.format(blocked=set(blocked)) + code],
                          cwd=root, capture_output=True, text=True, timeout=300)


def test_the_report_charts_render_without_what_the_charts_layer_removes(root):
    """layers/charts/Makefile drops the libraries' test suites: the report's PNG charts render with every
    `*.tests` module blocked (and fail without fontTools, which shows the blocker works: it stays in the layer)."""
    test = "tests/unit/test_report.py::test_charts_are_cid_parts_in_the_email_and_data_uris_in_the_archive"
    code = f"import pytest; sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', '{test}']))"
    rendered = _run_blocked(root, CHARTS_REMOVED, code)
    assert rendered.returncode == 0, rendered.stdout[-2000:] + rendered.stderr[-2000:]
    assert _run_blocked(root, {r"fontTools(\..+)?"}, code).returncode != 0


def test_every_handler_imports_and_classifies_without_setuptools(root):
    handlers = sorted(p.stem for p in (root / "functions" / "clinic_reviews" / "handlers").glob("*.py"))
    code = (
        "import importlib\n"
        f"for name in {[h for h in handlers if h != '__init__']!r}:\n"
        "    importlib.import_module('clinic_reviews.handlers.' + name)\n"
        "from clinic_reviews.domain.classification import classify\n"
        "print(classify('Администратор нахамила, ждали два часа', None).sentiment)\n"
    )
    done = _run_blocked(root, {r"(setuptools|pkg_resources)(\..+)?"}, code)
    assert done.returncode == 0 and done.stdout.strip() == "negative", done.stderr[-2000:]


def test_local_harness_is_not_in_the_lambda_code(root):
    assert not (root / "functions" / "clinic_reviews_local").exists()
    for path in (root / "functions" / "clinic_reviews").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        # only local commands of the CLI may use the embedded AWS (imported inside their `run`)
        assert "clinic_reviews_local" not in text or path.parent.name == "cli", path
        assert "import moto" not in text and "from moto" not in text, path


def test_domain_code_is_pure(root):
    """domain/ reads no clock and talks to no AWS: time and data are passed in."""
    paths = list((root / "functions" / "clinic_reviews" / "domain").rglob("*.py"))
    assert len(paths) >= 20
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for forbidden in ("import boto3", "import botocore", "import httpx", "datetime.now(", "time.time("):
            assert forbidden not in text, f"{path.name}: {forbidden}"
