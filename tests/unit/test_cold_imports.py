"""What a handler's cold start must not import: libraries only some requests need are imported by the code
that needs them (the 1.5x `import boto3` goal of issue 18; `make bench` measures the times)."""

from __future__ import annotations

import functools
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
#: No handler imports pydantic or YAML at start: stored policies and reviews are read by plain code (domain/spec.py,
#: domain/review.py; issue 18c), the console's requests are checked by console/api.py and its OpenAPI document is
#: built on request (console/api_doc.py; issue 18e); the visits function imports pydantic when a visit arrives.
PYDANTIC_AT_START: set[str] = set()
#: Powertools pieces no handler imports at start: its resolvers (every resolver kind, asyncio, OpenAPI exceptions and
#: models; the function URLs route with http_routes.py) and its event data classes (every event kind; the S3 and SNS
#: records are read by event_records.py).
POWERTOOLS_NEVER = ("aws_lambda_powertools.event_handler", "aws_lambda_powertools.utilities.data_classes")
#: Libraries a function's requests never use at all (so not at start either).
NEVER_USED = {"FeedbackFunction": {"phonenumbers"}}  # the page reads a stored hash, it never parses a phone
#: Imported by the requests that need them, not at start (a package, or a module by its full name): the console's
#: JSON API renders no page (jinja2 and the templates come with the first console page) and only its analytics take
#: a median (statistics); an escalation step renders messages (jinja2) and builds e-mails (the e-mail package's MIME
#: classes) only when its tier alerts, not for an answered review or in quiet hours.
LATER = {"CasesFunction": {"jinja2", "statistics"}, "EscalateFunction": {"jinja2", "email.mime"}}
#: The HTTP handlers (a manager or a patient waits for their cold start) make their frozen records with
#: domain/frozen_records.py's `record`, which compiles one method a class where `dataclass(frozen=True)` compiles six
#: (issue 18l); a frozen dataclass on their import path is made in full.
RECORDS_ONLY = ("AckFunction", "CasesFunction", "FeedbackFunction")
_PROBE = """
import dataclasses, gc, importlib, json, sys
importlib.import_module(sys.argv[1])
full = sorted(f"{c.__module__}.{c.__qualname__}" for name, m in list(sys.modules.items())
              if name.startswith("clinic_reviews") for c in vars(m).values()
              if isinstance(c, type) and c.__module__ == name and dataclasses.is_dataclass(c)
              and c.__dataclass_params__.frozen and "frozen_records" not in c.__setattr__.__code__.co_filename)
print(json.dumps({"modules": sorted(sys.modules), "frozen": gc.get_freeze_count(), "full_dataclasses": full}))
"""


def _handlers() -> dict[str, str]:
    resources = read_template(ROOT / "template.yaml")["Resources"]
    return {name: r["Properties"]["Handler"].rpartition(".")[0]
            for name, r in sorted(resources.items()) if r["Type"] == "AWS::Serverless::Function"}


@functools.cache
def _probe(function: str) -> dict:
    """What importing the function's handler in a fresh interpreter loaded, and how many objects it froze."""
    env = {"AWS_DEFAULT_REGION": "eu-central-1", "AWS_LAMBDA_FUNCTION_NAME": function,
           "POWERTOOLS_SERVICE_NAME": "clinic-reviews", "PATH": "/usr/bin:/bin",
           **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"}}
    out = subprocess.run([sys.executable, "-c", _PROBE, _handlers()[function]], capture_output=True, text=True,
                         env=env, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize("function", sorted(_handlers()))
def test_a_handler_imports_only_what_every_request_needs(function):
    modules = _probe(function)["modules"]
    loaded = {name.split(".")[0] for name in modules}
    forbidden = set(NEVER) | (set() if function in PYDANTIC_AT_START else {"pydantic", "pydantic_core", "yaml"})
    forbidden |= NEVER_USED.get(function, set()) | LATER.get(function, set())
    found = sorted(loaded & forbidden) + sorted(name for name in forbidden if "." in name and name in modules)
    found += [name for name in POWERTOOLS_NEVER if name in modules]
    assert not found, f"{function} imports {', '.join(found)} at cold start"


@pytest.mark.parametrize("function", sorted(_handlers()))
def test_no_full_collection_scans_boto3_at_start(function):
    """clients.py freezes what exists once boto3 is imported: a full collection during the rest of the import (if
    one comes) scans only the handler's own objects (issue 18e)."""
    found = _probe(function)
    assert found["frozen"] > 20_000, f"{function}: boto3's objects are not frozen ({found['frozen']})"


@pytest.mark.parametrize("function", RECORDS_ONLY)
def test_the_http_handlers_make_their_frozen_records_with_record(function):
    full = _probe(function)["full_dataclasses"]
    assert not full, f"{function} makes frozen dataclasses in full at start: {', '.join(full)} (use domain.frozen_records.record)"


#: What each function's composition root (its handler's `services()` & co, built by the first request whatever it
#: asks) must not import either: an escalation step builds the Telegram bot (httpx, its TLS context, the message
#: templates) only when a tier sends a chat message (compose.chat_sender).
LATER_THAN_BUILT = {"EscalateFunction": {"jinja2", "httpx", "email.mime"}}


@functools.cache
def _built(function: str) -> dict:
    sys.path.insert(0, str(ROOT / "bench"))
    from coldstart_bench import composition_imports, functions

    return composition_imports(_handlers()[function], functions()[function])


@pytest.mark.parametrize("function", sorted(LATER_THAN_BUILT))
def test_a_composition_root_builds_only_what_every_request_needs(function):
    found = _built(function)
    modules = set(found["at_start"]) | set(found["built"])
    later = LATER_THAN_BUILT[function]
    loaded = sorted(name for name in later if name in modules or any(m.startswith(f"{name}.") for m in modules))
    assert "services" in found["builders"], f"{function}: no services() was built"
    assert not loaded, f"{function}'s composition root imports {', '.join(loaded)}"


_READ = """
import json, sys
from clinic_reviews.domain.policy import Policy
from clinic_reviews.domain.review import parse_review
policy = Policy.from_json(sys.stdin.read())
policy.clinic(policy.clinics[0].id).calendar
parse_review({"source": "yandex", "external_id": "1", "clinic_id": "c", "rating": 2, "created_at": "2026-12-07T10:00:00Z"})
print(json.dumps(sorted(sys.modules)))
"""


def test_reading_a_stored_policy_and_checking_a_review_need_no_pydantic():
    """What the five request paths of issue 18c do on every request: pydantic and YAML stay where a policy is
    written (`load_policy`), so importing them later cannot have moved their cost into the first request; the
    holiday calendars wait for the first deadline (a page showing a clinic's name never loads them)."""
    from clinic_reviews.domain.policy import load_policy

    stored = load_policy(ROOT / "samples" / "demo-policy.yaml").to_json()
    out = subprocess.run([sys.executable, "-c", _READ], input=stored, capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"}})
    loaded = {name.split(".")[0] for name in json.loads(out.stdout)}
    assert not loaded & {"pydantic", "pydantic_core", "yaml", "holidays"}  # holidays: when a deadline needs them
