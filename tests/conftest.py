"""Shared fixtures: paths and a few ready-made reviews."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def policy():
    from clinic_reviews.domain.policy import load_policy

    return load_policy(ROOT / "samples" / "demo-policy.yaml")


# ---------------------------------------------------------------- least privilege (infra/local/.../grants.py)
def pytest_addoption(parser):
    parser.addoption(
        "--unused-grants", action="store_true",
        help="after the run, fail if template.yaml grants a function an action no integration test used",
    )


class _GrantsOfWorkers:
    """xdist: each worker writes the grants its local stacks used into one folder the controller reads."""

    def __init__(self, folder: Path):
        self.folder = folder

    def pytest_configure_node(self, node):
        node.workerinput["grants_folder"] = str(self.folder)


def pytest_configure(config):
    if hasattr(config, "workerinput") or not config.getoption("--unused-grants"):
        return
    import tempfile

    config._grants_folder = Path(tempfile.mkdtemp(prefix="clinic-reviews-grants-"))
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_GrantsOfWorkers(config._grants_folder))


def pytest_sessionfinish(session, exitstatus):
    import json

    config = session.config
    folder = config.workerinput.get("grants_folder") if hasattr(config, "workerinput") else None
    if folder:
        from clinic_reviews_local.iam import GRANTS

        (Path(folder) / f"{config.workerinput['workerid']}.json").write_text(json.dumps(GRANTS.as_dict()))
        return
    folder = getattr(config, "_grants_folder", None)
    if folder is None:
        return
    from clinic_reviews_local.iam import GRANTS

    records = [GRANTS.as_dict()] + [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]
    config._grants_report = _grants_report(records)
    if config._grants_report["unused"] and session.exitstatus == 0:
        session.exitstatus = 1


def _grants_report(records):
    import os
    from collections import Counter, defaultdict
    from unittest import mock

    from clinic_reviews_local.grants import granted, unused
    from clinic_reviews_local.stack import INBOUND_DOMAIN, REGION, SENDER

    calls: Counter = Counter()
    for record in records:
        for principal, action, count in record["calls"]:
            calls[(principal, action)] += count
    used = [tuple(entry) for record in records for entry in record["used"]]
    with mock.patch.dict(os.environ, {"AWS_DEFAULT_REGION": REGION}):
        grants = granted(ROOT, {"SenderEmail": SENDER, "Stage": "local", "InboundEmailRecipient": INBOUND_DOMAIN})
    operations = defaultdict(list)
    for (principal, action), count in sorted(calls.items()):
        operations[principal].append(f"{action} x{count}")
    return {"unused": [str(g) for g in unused(grants, used)], "operations": dict(operations)}


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    report = getattr(config, "_grants_report", None)
    if report is None:
        return
    terminalreporter.section("AWS calls by function (IAM evaluation of the local stack)")
    for principal, operations in sorted(report["operations"].items()):
        terminalreporter.write_line(f"{principal}: {', '.join(operations)}")
    if report["unused"]:
        terminalreporter.section("granted but never used (FAILED: remove the grant or add it to ALLOWED_UNUSED)")
        for line in report["unused"]:
            terminalreporter.write_line(line)
