"""What a handler's cold start must not import: libraries only some requests need are imported by the code
that needs them (the 1.5x `import boto3` goal of issue 18; `make bench` measures the times)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from clinic_reviews.cost.inventory import read_template

ROOT = Path(__file__).resolve().parents[2]
#: Never at import: tracing SDK (only with Tracing=Active, on the first traced call), spreadsheets, charts,
#: the Russian morphology dictionaries, the HTTP client of the platforms and chats.
NEVER = ("aws_xray_sdk", "openpyxl", "matplotlib", "pymorphy3", "httpx")
#: Handlers whose requests never build a pydantic model before they read one: pydantic is imported there
#: by the code that validates (policy, review), not at import.
NO_PYDANTIC = {"DigestFunction", "FeedbackSendFunction", "FetchFunction", "ImportFunction", "InboundSmsFunction",
               "IntakeFunction", "LearnFunction", "ReportFunction", "TelegramFunction", "VisitsFunction"}
_PROBE = "import importlib, json, sys; importlib.import_module(sys.argv[1]); print(json.dumps(sorted(sys.modules)))"


def _handlers() -> dict[str, str]:
    resources = read_template(ROOT / "template.yaml")["Resources"]
    return {name: r["Properties"]["Handler"].rpartition(".")[0]
            for name, r in sorted(resources.items()) if r["Type"] == "AWS::Serverless::Function"}


@pytest.mark.parametrize("function", sorted(_handlers()))
def test_a_handler_imports_only_what_every_request_needs(function):
    env = {"AWS_DEFAULT_REGION": "eu-central-1", "AWS_LAMBDA_FUNCTION_NAME": function,
           "POWERTOOLS_SERVICE_NAME": "clinic-reviews", "PATH": "/usr/bin:/bin",
           **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"}}
    out = subprocess.run([sys.executable, "-c", _PROBE, _handlers()[function]], capture_output=True, text=True,
                         env=env, check=True)
    loaded = {name.split(".")[0] for name in json.loads(out.stdout)}
    forbidden = set(NEVER) | ({"pydantic", "pydantic_core"} if function in NO_PYDANTIC else set())
    found = sorted(loaded & forbidden)
    assert not found, f"{function} imports {', '.join(found)} at cold start"
