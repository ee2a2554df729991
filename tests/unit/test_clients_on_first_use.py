"""boto3 clients are made when first used (clinic_reviews/clients.py `OnFirstUse`): a function's composition root
names every service it may call, and a request that calls none of some makes no client for them."""

from __future__ import annotations


class _StepFunctions:
    class exceptions:  # noqa: N801 - botocore's attribute name
        class ExecutionAlreadyExists(Exception):
            pass

    def __init__(self):
        self.started: list[str] = []

    def start_execution(self, stateMachineArn: str, name: str, input: str) -> None:  # noqa: N803, A002 - botocore's names
        if name in self.started:
            raise self.exceptions.ExecutionAlreadyExists(name)
        self.started.append(name)


def test_a_client_is_made_at_its_first_use_and_kept(monkeypatch):
    from clinic_reviews import clients, compose

    made: list[tuple[str, _StepFunctions]] = []

    def boto3_client(service: str, **kwargs) -> _StepFunctions:
        made.append((service, _StepFunctions()))
        assert kwargs["config"] is clients.AWS_CONFIG  # our timeouts and retries, as before
        return made[-1][1]

    monkeypatch.setattr(clients.boto3, "client", boto3_client)
    starter = compose.workflow("arn:aws:states:eu-central-1:123456789012:stateMachine:escalation")
    assert made == []  # composed: no client yet
    assert starter.start("esc-1", {"i": 0}) is True
    assert starter.start("esc-1", {"i": 0}) is False  # the client's own exception class, through the wrapper
    assert starter.start("esc-2", {"i": 0}) is True
    assert [service for service, _ in made] == ["stepfunctions"] and made[0][1].started == ["esc-1", "esc-2"]
