"""A restored local stack imports moto's Step Functions interpreter only when a workflow is first used, and a
workflow then runs as in a deployed stack: its state machine put back, its waits on the virtual clock, its Lambda
tasks with the machine's role (deferred_imports.when_imported, snapshot.LATER). Fresh interpreters: this one may
have imported the interpreter already."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
from datetime import UTC, datetime, timedelta
from clinic_reviews.domain.policy import load_policy
from clinic_reviews_local.deferred_imports import STEP_FUNCTIONS
from clinic_reviews_local.stack import LocalStack

START = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # Monday, 10:00 in Moscow
REVIEW = {"clinic_id": "msk-arbat", "source": "yandex", "external_id": "later-1", "rating": 1,
          "text": "Администратор нахамила, ждали приёма больше часа", "author": "Мария",
          "created_at": "2026-12-07T06:55:00Z", "url": "https://yandex.example/reviews/later-1"}
with LocalStack(start=START) as aws:
    seen = {"at_start": STEP_FUNCTIONS in sys.modules}
    if sys.argv[1] == "workflow":
        aws.put_policy(load_policy(sys.argv[2]))
        aws.invoke("IntakeFunction", {"reviews": [REVIEW]})  # a negative: its escalation workflow starts
        first = len(aws.sent_sms())
        aws.advance_to(START + timedelta(days=3))  # past every deadline of the ladder, on the virtual clock
        [execution] = aws.executions()
        from clinic_reviews_local.iam import GRANTS
        seen |= {"sms": [first, len(aws.sent_sms())], "status": execution["status"],
                 "tasks": aws.lambdas.invocations[aws.physical("EscalateFunction")],
                 "invoked_by": sorted({p for (p, action) in GRANTS.calls if action == "lambda:InvokeFunction"})}
print(json.dumps(seen))
"""


def _fresh(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_restored_stack_imports_the_interpreter_when_a_workflow_runs_and_the_workflow_runs_as_deployed(root):
    _fresh("start")  # deploys (and keeps the snapshot) when this code's stack was never kept
    assert _fresh("start") == {"at_start": False}  # restored: nothing asked for a workflow
    seen = _fresh("workflow", str(root / "samples" / "demo-policy.yaml"))
    assert seen["at_start"] is False
    assert seen["sms"][0] == 1 and seen["sms"][1] > 1  # the first tier at once, the later ones at their deadlines
    assert seen["status"] == "SUCCEEDED" and seen["tasks"] > 1
    assert any("EscalationStateMachine" in name for name in seen["invoked_by"]), seen  # the tasks ran with its role
