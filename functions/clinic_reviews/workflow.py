"""Starting the escalation workflow (statemachines/escalation.asl.json), exactly once per review."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from clinic_reviews.domain.review import ReviewKey, iso_z


def execution_name(key: ReviewKey) -> str:
    """Deterministic Standard-workflow name: a second start for the same review is refused by AWS."""
    return f"esc-{key.token()}"


def thank_execution_name(key: ReviewKey) -> str:
    """The one-tier reminder to thank the author of a positive review."""
    return f"thx-{key.token()}"


def escalation_input(key: ReviewKey, chain_id: str, tiers: Sequence[Any]) -> dict[str, Any]:
    """The execution input: the review's key and the ladder, each tier with its UTC due moment."""
    return {
        "review": {"clinic_id": key.clinic_id, "source": key.source, "external_id": key.external_id},
        "chain_id": chain_id,
        "tiers": [
            {"id": t.id, "due": iso_z(t.due), "send_at": iso_z(t.send_at or t.due), "urgent": bool(t.urgent)}
            for t in tiers
        ],
        "count": len(tiers),
        "i": 0,
    }


class WorkflowStarter:
    """Starts escalation executions; an execution that already exists counts as started."""

    def __init__(self, sfn_client: Any, state_machine_arn: str):
        self._sfn = sfn_client
        self._arn = state_machine_arn

    def start(self, name: str, payload: dict[str, Any]) -> bool:
        """Start the execution; False when it had already been started."""
        try:
            self._sfn.start_execution(stateMachineArn=self._arn, name=name, input=json.dumps(payload))
        except self._sfn.exceptions.ExecutionAlreadyExists:
            return False
        return True
