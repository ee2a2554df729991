"""Every workflow step that runs a function (each of them delivers through Powertools idempotency) retries
IdempotencyAlreadyInProgressError only after the record's in-progress window has passed: the first interval is
longer than the function's timeout (and the delivery's cap, notify/delivery.WINDOW_MS), with no jitter that could
shorten it, and the retrier comes before any catch-all one (Step Functions uses the first retrier that matches)."""

from __future__ import annotations

import json

import pytest
from clinic_reviews.notify.delivery import WINDOW_MS
from clinic_reviews_local.template import load_template, project_root

IN_PROGRESS = "IdempotencyAlreadyInProgressError"


def _workflow_tasks() -> list[tuple[str, str, dict, int]]:
    """(state machine, state, state definition, timeout of the function it invokes) for each Lambda task."""
    root = project_root()
    template = load_template(root / "template.yaml")
    resources = template["Resources"]
    default_timeout = template["Globals"]["Function"]["Timeout"]
    found = []
    for name, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::StateMachine":
            continue
        properties = resource["Properties"]
        definition = json.loads((root / properties["DefinitionUri"]).read_text(encoding="utf-8"))
        functions = {key: value["Fn::GetAtt"][0] for key, value in properties.get("DefinitionSubstitutions", {}).items()
                     if isinstance(value, dict) and "Fn::GetAtt" in value}
        for state_name, state in definition["States"].items():
            target = str(state.get("Parameters", {}).get("FunctionName", ""))
            if state.get("Type") != "Task" or not target.startswith("${"):
                continue
            function = resources[functions[target[2:-1]]]["Properties"]
            found.append((name, state_name, state, int(function.get("Timeout", default_timeout))))
    return found


def test_the_workflows_have_lambda_tasks_to_check():
    assert {(machine, state) for machine, state, _s, _t in _workflow_tasks()} >= {
        ("EscalationStateMachine", "EscalateTier"), ("FeedbackStateMachine", "SendRequest")}


@pytest.mark.parametrize("machine, state_name, state, timeout", _workflow_tasks(),
                         ids=lambda value: value if isinstance(value, str) else "")
def test_a_step_left_in_progress_is_retried_after_its_window(machine, state_name, state, timeout):
    retriers = state.get("Retry", [])
    matching = [i for i, r in enumerate(retriers) if IN_PROGRESS in r["ErrorEquals"]]
    assert matching, f"{machine}.{state_name} does not retry {IN_PROGRESS}"
    first = matching[0]
    catch_all = [i for i, r in enumerate(retriers) if {"States.ALL", "States.TaskFailed"} & set(r["ErrorEquals"])]
    assert not catch_all or first < catch_all[0], f"{machine}.{state_name}: a catch-all retrier comes first"
    retrier = retriers[first]
    window = min(timeout, WINDOW_MS / 1000)
    assert retrier.get("IntervalSeconds", 1) > window, f"{machine}.{state_name} retries inside the {window:.0f} s window"
    assert retrier.get("JitterStrategy", "NONE") == "NONE", f"{machine}.{state_name}: jitter may shorten the interval"
    assert retrier.get("MaxAttempts", 3) >= 2
