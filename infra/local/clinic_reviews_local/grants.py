"""Least privilege, measured: which statements of template.yaml's roles the integration runs never used.

The IAM evaluation (iam.py) records, for every call a function or state machine makes, the statement and
action pattern that allowed it. After the whole integration suite, every action pattern of every inline
statement of a function's or state machine's role must have been used by some run, or be listed in
`ALLOWED_UNUSED` with its reason. Managed policies SAM attaches for the runtime (logs, X-Ray) are not ours.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clinic_reviews_local.template import transform

#: (principal or "*", action pattern) granted on purpose although no integration run makes that call, and why.
ALLOWED_UNUSED: dict[tuple[str, str], str] = {
    ("*", "sqs:SendMessage"): "SAM's DeadLetterQueuePolicy: the Lambda service sends a failed asynchronous event to"
    " the function's DLQ with its role; the local runtime records failed invocations instead",
    ("DigestFunction", "dynamodb:DeleteItem"): "Powertools idempotency deletes the in-progress record of a send"
    " that failed, so that the retry sends; no digest test fails a send",
    ("ReportFunction", "dynamodb:DeleteItem"): "as for the digest: idempotency clean-up after a failed send",
    ("DigestFunction", "s3:GetObject"): "the digest links long texts with URLs presigned by this role: the reader's"
    " GET uses the grant, the function makes no call",
    ("ImportFunction", "dynamodb:UpdateItem"): "the intake's edits and escalations; no imported test file holds an"
    " edit or a review that escalates",
    ("ImportFunction", "states:StartExecution"): "the intake starting an escalation (as above)",
    ("ImportFunction", "s3:PutObject"): "the intake keeps texts over 32,000 characters under texts/ (the rejects"
    " beside an import file use the same action)",
    ("WebhookFunction", "s3:PutObject"): "the intake keeps texts over 32,000 characters under texts/",
    ("CasesFunction", "ssm:GetParameter"): "posting a reply to Google reads the platform credentials"
    " (/sources); no integration test posts to Google (the console's key is the same action)",
    ("TelegramFunction", "ssm:GetParameter"): "as for the console: a reply posted to Google from the"
    " bot reads /sources (the bot's token is the same action)",
    ("IntakeFunction", "s3:GetObject"): "intake's quarantine checks whether a poison item was put aside already;"
    " the same IntakeService is tested through FetchFunction (tests/integration/test_quarantine.py)",
    ("IntakeFunction", "s3:PutObject"): "intake's quarantine puts a poison item aside (as above)",
    ("ImportFunction", "s3:GetObject"): "the intake's chain adaptation and quarantine (tested through the intake"
    " and fetch functions); the import file itself is read with the same action",
    ("WebhookFunction", "s3:GetObject"): "the intake's chain adaptation and quarantine (as above)",
    **{
        (function, "events:PutEvents"): "the intake's quarantine announces a poison item (`review.quarantined`)"
        " on the bus directly (nothing was stored for the outbox to carry); tested through FetchFunction"
        for function in ("IntakeFunction", "ImportFunction", "WebhookFunction", "FeedbackFunction")
    },
    ("LearnFunction", "s3:GetObject"): "a rated review over 32,000 characters keeps its text under texts/; no"
    " learning test holds one",
}


@dataclass(frozen=True)
class Grant:
    principal: str  # logical id of the function or state machine
    grant: str  # "<PolicyName>#<statement index>"
    action: str  # one action pattern of the statement

    def __str__(self) -> str:
        return f"{self.principal}: {self.action} ({self.grant})"


def granted(root: Path, parameters: dict[str, Any]) -> list[Grant]:
    """Every (principal, statement, action pattern) the SAM-transformed template allows."""
    resources = transform(root, parameters)["Resources"]
    users: dict[str, str] = {}
    for logical_id, resource in resources.items():
        props = resource.get("Properties", {})
        role = props.get("Role") if resource["Type"] == "AWS::Lambda::Function" else (
            props.get("RoleArn") if resource["Type"] == "AWS::StepFunctions::StateMachine" else None
        )
        if isinstance(role, dict) and "Fn::GetAtt" in role:
            users[role["Fn::GetAtt"][0]] = logical_id
    found = []
    for role_id, principal in users.items():
        for policy in resources[role_id]["Properties"].get("Policies", []):
            statements = policy["PolicyDocument"]["Statement"]
            for index, statement in enumerate([statements] if isinstance(statements, dict) else statements):
                if statement.get("Effect", "Allow") != "Allow":
                    continue
                actions = statement.get("Action", [])
                for action in [actions] if isinstance(actions, str) else actions:
                    found.append(Grant(principal, f"{policy['PolicyName']}#{index}", action))
    return found


def unused(grants: Iterable[Grant], used: Iterable[Iterable[str]]) -> list[Grant]:
    """The grants no recorded call used and no `ALLOWED_UNUSED` entry explains."""
    seen = {tuple(entry) for entry in used}
    return [
        g for g in grants
        if (g.principal, g.grant, g.action) not in seen
        and (g.principal, g.action) not in ALLOWED_UNUSED
        and ("*", g.action) not in ALLOWED_UNUSED
    ]
