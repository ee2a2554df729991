"""Logs never carry secrets or personal data (issue 15): the demo, run at DEBUG, logs no secret, phone number,
review author's name or password, from our code or from a library it uses in the functions (httpx, botocore,
pynamodb, ...). The local stand-ins (moto) are not part of what deploys and are left out of the capture."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest

pytestmark = pytest.mark.integration


def _leaves(value) -> list[str]:
    """The strings inside a secret's value (a JSON document or a plain string)."""
    try:
        value = json.loads(value)
    except (TypeError, ValueError):
        return [value]
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(json.dumps(item) if not isinstance(item, str) else item)]
    return [value] if isinstance(value, str) else []


class _NotMoto(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith(("moto", "werkzeug", "flask"))


def test_the_demo_at_debug_logs_no_secret_phone_or_author(tmp_path, root, monkeypatch):
    from clinic_reviews import observability
    from clinic_reviews.cli import main
    from clinic_reviews_local import demo
    from clinic_reviews_local.api_calls import paused
    from clinic_reviews_local.stack import LocalStack
    from clinic_reviews_local.users import DEMO_PASSWORD

    secrets: list[str] = [DEMO_PASSWORD]

    class RecordingStack(LocalStack):
        """The demo's stack, reading every secret's final value before it goes away."""

        def __exit__(self, *exc_info):
            client = self.client("ssm")  # the stack's SecureString parameters (clinic_reviews/stack_secrets.py)
            with paused():
                for page in client.get_paginator("describe_parameters").paginate():
                    for entry in page["Parameters"]:
                        value = client.get_parameter(Name=entry["Name"], WithDecryption=True)["Parameter"]["Value"]
                        secrets.extend(_leaves(value))
            return super().__exit__(*exc_info)

    monkeypatch.setattr(demo, "LocalStack", RecordingStack)
    sample = (root / "samples" / "reviews.jsonl").read_text(encoding="utf-8").splitlines()
    named = [line for line in sample if '"author": "' in line and '"author": ""' not in line]
    lines = (named[:16] + [line for line in sample if line not in named][:14])
    reviews = tmp_path / "reviews.jsonl"
    reviews.write_text("\n".join(lines) + "\n", encoding="utf-8")
    authors = {json.loads(line).get("author") for line in lines if line.strip().startswith("{")} - {None, ""}
    phones = set(re.findall(r"\+7 9\d\d \d{3}-\d\d-\d\d", (root / "samples" / "demo-policy.yaml").read_text(encoding="utf-8")))
    phones |= {"+7 900 000-10-01", "+7 900 000-10-02"}  # the demo's visits (feedback_demo.py)
    phones |= {"+" + re.sub(r"\D", "", p) for p in phones}  # as stored and sent (E.164)
    assert len(authors) >= 5 and len(phones) >= 10

    captured = io.StringIO()
    handler = logging.StreamHandler(captured)
    handler.setLevel(logging.DEBUG)
    handler.addFilter(_NotMoto())
    root_logger = logging.getLogger()
    saved_level = root_logger.level
    root_logger.addHandler(handler)
    root_logger.setLevel(logging.DEBUG)
    observability.logger.setLevel("DEBUG")
    try:
        out = tmp_path / "out"
        assert main(["demo", "--reviews", str(reviews), "--policy", str(root / "samples" / "demo-policy.yaml"),
                     "--out", str(out)]) == 0
    finally:
        root_logger.removeHandler(handler)
        root_logger.setLevel(saved_level)
        observability.logger.setLevel("INFO")
    logs = captured.getvalue() + (out / "logs.jsonl").read_text(encoding="utf-8")
    assert len(logs) > 10_000  # DEBUG really was on
    secrets = [s for s in secrets if len(s) >= 8]
    assert len(secrets) >= 8
    assert [s for s in secrets if s in logs] == []
    assert [p for p in phones if p in logs] == []
    assert [a for a in authors if a in logs] == []
