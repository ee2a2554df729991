"""The Lambda package (functions/requirements.txt) ships exactly the runtime dependencies of pyproject.toml."""

import tomllib


def _names(lines):
    return {line.split("==")[0].split(">=")[0].strip().lower() for line in lines if line.strip()}


def test_lambda_requirements_match_pyproject(root):
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    shipped = [
        line for line in (root / "functions" / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert _names(shipped) == _names(project) - {"boto3"}
    pinned = {line.split("==")[0]: line for line in shipped}
    for requirement in project:
        name = requirement.split("==")[0]
        if name in pinned:
            assert pinned[name] == requirement, f"{name}: {pinned[name]} vs {requirement}"


def test_charts_layer_matches_the_charts_extra(root):
    extras = tomllib.loads((root / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    layer = [
        line.strip() for line in (root / "layers" / "charts" / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert layer == extras["charts"]
    assert not _names(layer) & _names(tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"])


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
