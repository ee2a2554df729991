"""LLM drafting through Bedrock `converse`, tested with botocore's Stubber (no network): the request,
the privacy check on the model's text, and the fall-back to the template draft."""

from __future__ import annotations

import subprocess
import sys

import boto3
import pytest
from botocore.stub import ANY, Stubber
from clinic_reviews.bedrock_drafts import BedrockDrafter
from clinic_reviews.domain.classification import classify
from clinic_reviews.domain.replies import ReplyContext

CONTACT = "+7 800 000-00-00"
CONTEXT = ReplyContext(contact=CONTACT)
REVIEW = "Администратор нахамила, ждали час. Мой телефон 8 999 123-45-67"


def answer(text: str) -> dict:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 10, "outputTokens": 20, "totalTokens": 30},
        "metrics": {"latencyMs": 100},
    }


@pytest.fixture
def client():
    client = boto3.client("bedrock-runtime", region_name="eu-central-1", aws_access_key_id="x",
                          aws_secret_access_key="x")
    with Stubber(client) as stubber:
        client.stubber = stubber
        yield client


def test_a_clean_model_reply_is_used(client) -> None:
    text = f"Здравствуйте! Спасибо за отзыв и простите нас. Если вы были у нас, позвоните: {CONTACT}."
    client.stubber.add_response(
        "converse", answer(text),
        {"modelId": "test-model", "system": ANY, "messages": ANY, "inferenceConfig": ANY},
    )
    drafter = BedrockDrafter(client, "test-model")
    draft = drafter.draft("k", REVIEW, classify(REVIEW, 1), CONTEXT, author="Мария Иванова")
    client.stubber.assert_no_pending_responses()
    assert draft.source == "bedrock" and draft.text == text and draft.check.ok
    assert draft.case == "negative_1"


def test_the_prompt_carries_the_checklist_and_no_personal_data(client) -> None:
    captured: dict = {}
    client.meta.events.register(
        "provide-client-params.bedrock-runtime.Converse", lambda params, **_: captured.update(params)
    )
    client.stubber.add_response("converse", answer("Спасибо за отзыв!"))
    BedrockDrafter(client, "m").draft("k", REVIEW, classify(REVIEW, 1), CONTEXT, author="Мария Иванова")
    system = captured["system"][0]["text"]
    user = captured["messages"][0]["content"][0]["text"]
    assert "если вы были у нас" in system and CONTACT in system
    assert "8 999 123-45-67" not in user and "нахамила" in user


def test_a_model_reply_that_leaks_falls_back_to_the_template(client) -> None:
    client.stubber.add_response("converse", answer("Мария, нам жаль, что ваш визит 12 декабря не удался."))
    draft = BedrockDrafter(client, "m").draft("k", REVIEW, classify(REVIEW, 1), CONTEXT, author="Мария Иванова")
    assert draft.source == "template" and draft.check.ok
    assert "failed the check" in draft.notes[0] and "name: Мария" in draft.notes[0]
    assert draft.to_json()["notes"] == draft.notes


def test_a_failed_call_falls_back_to_the_template(client) -> None:
    client.stubber.add_client_error("converse", "ThrottlingException", "slow down", 429)
    draft = BedrockDrafter(client, "m").draft("k", REVIEW, classify(REVIEW, 1), CONTEXT)
    assert draft.source == "template" and draft.check.ok
    assert draft.notes == ["bedrock: ThrottlingException; template draft used"]


def test_bedrock_is_not_imported_unless_the_flag_is_on() -> None:
    code = (
        "import sys, io, json; from clinic_reviews.cli import main; "
        "sys.stdin = io.TextIOWrapper(io.BytesIO(b'{\"id\":\"a\",\"text\":\"ok\",\"rating\":5}\\n')); "
        "main(['draft']); print('bedrock' if 'clinic_reviews.bedrock_drafts' in sys.modules else 'off', "
        "file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stderr.strip().endswith("off")
