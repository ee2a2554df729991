"""template.yaml passes cfn-lint and `sam validate --lint` offline (no credentials needed)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: it comes with the dev extra (pip install -e '.[dev]')")
    return found


def _run(args, root):
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": "eu-central-1"}
    return subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=120, env=env)


def test_cfn_lint_is_clean(root):
    result = _run([_tool("cfn-lint"), "template.yaml"], root)
    assert result.returncode == 0, result.stdout + result.stderr


def test_sam_validate_lint_is_clean(root):
    result = _run([_tool("sam"), "validate", "--lint", "--region", "eu-central-1"], root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout + result.stderr
