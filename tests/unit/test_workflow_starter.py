"""The workflow starter (clinic_reviews/workflow.py) makes its Step Functions client when it first starts an execution:
a request that starts none (a re-poll of unchanged reviews) makes none."""

from __future__ import annotations


class _Client:
    class exceptions:  # noqa: N801 - botocore's attribute name
        class ExecutionAlreadyExists(Exception):
            pass

    def __init__(self):
        self.started: list[str] = []

    def start_execution(self, stateMachineArn: str, name: str, input: str) -> None:  # noqa: N803, A002 - botocore's names
        if name in self.started:
            raise self.exceptions.ExecutionAlreadyExists(name)
        self.started.append(name)


def test_the_client_is_made_at_the_first_start_and_kept(monkeypatch):
    from clinic_reviews import compose

    made: list[_Client] = []

    def client(service: str, *args, **kwargs) -> _Client:
        assert service == "stepfunctions"
        made.append(_Client())
        return made[-1]

    monkeypatch.setattr(compose, "client", client)
    starter = compose.workflow("arn:aws:states:eu-central-1:123456789012:stateMachine:escalation")
    assert made == []  # built with the function's services: no client yet
    assert starter.start("esc-1", {"i": 0}) is True
    assert starter.start("esc-1", {"i": 0}) is False  # already started: counted as started, nothing new
    assert starter.start("esc-2", {"i": 0}) is True
    assert len(made) == 1 and made[0].started == ["esc-1", "esc-2"]
