"""Optional reply drafts written by a model on Amazon Bedrock (`converse`), behind a flag that is off by
default (setting LLM_DRAFTS, CLI `draft --llm`); nothing imports this module unless the flag is on.

The prompt comes from domain/replies/prompt.py; the model's text goes through the same privacy check
as a template draft. When the call fails (after botocore's bounded retries and timeouts) or the text
fails the check, the template draft is returned instead, with a note saying why, so a manager always
gets a draft that passed the check.
"""

from __future__ import annotations

from typing import Any

from clinic_reviews.domain.classification import Classification
from clinic_reviews.domain.replies import Draft, ReplyContext, ReplyDrafter
from clinic_reviews.domain.replies.drafts import staff_mentions, tidy
from clinic_reviews.domain.replies.prompt import build_prompt
from clinic_reviews.domain.reply_check import check_reply

DEFAULT_MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
CONNECT_TIMEOUT, READ_TIMEOUT, MAX_ATTEMPTS = 3, 20, 3


def bedrock_client(region: str | None = None) -> Any:
    """A bedrock-runtime client with short timeouts and at most MAX_ATTEMPTS attempts per call."""
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        retries={"max_attempts": MAX_ATTEMPTS, "mode": "standard"},
    )
    return boto3.client("bedrock-runtime", region_name=region, config=config)


class BedrockDrafter:
    """Drafts with a Bedrock model; falls back to `fallback` (templates) on any failure."""

    def __init__(
        self,
        client: Any,
        model_id: str = DEFAULT_MODEL,
        fallback: ReplyDrafter | None = None,
        max_tokens: int = 400,
        temperature: float = 0.5,
    ) -> None:
        self.client = client
        self.model_id = model_id
        self.fallback = fallback or ReplyDrafter()
        self.max_tokens = max_tokens
        self.temperature = temperature

    def draft(
        self,
        key: str,
        text: str,
        classification: Classification,
        context: ReplyContext | None = None,
        author: str | None = None,
    ) -> Draft:
        context = context or ReplyContext()
        template = self.fallback.draft(key, text, classification, context, author)
        prompt = build_prompt(text, classification, context, author)
        try:
            written = self._converse(prompt.system, prompt.user)
        except Exception as exc:  # noqa: BLE001 -- any failure of the optional path falls back
            return _with_note(template, f"bedrock: {type(exc).__name__}; template draft used")
        if not written:
            return _with_note(template, "bedrock: empty answer; template draft used")
        staff = staff_mentions(text, classification.staff) if template.case == "positive" else []
        allowed = [*context.allowed(), *staff, *classification.staff]
        verdict = check_reply(written, author=author, review=text, allowed=allowed)
        if not verdict.ok:
            reasons = "; ".join(verdict.reasons())
            return _with_note(template, f"bedrock draft failed the check ({reasons}); template draft used")
        return Draft(key, template.case, prompt.lang, written, verdict, tuple(staff),
                     needs_legal=template.needs_legal, source="bedrock")

    def _converse(self, system: str, user: str) -> str:
        response = self.client.converse(
            modelId=self.model_id,
            system=[{"text": system}],
            messages=[{"role": "user", "content": [{"text": user}]}],
            inferenceConfig={"maxTokens": self.max_tokens, "temperature": self.temperature},
        )
        content = response.get("output", {}).get("message", {}).get("content", [])
        return tidy("".join(part.get("text", "") for part in content))


def _with_note(draft: Draft, note: str) -> Draft:
    return Draft(draft.key, draft.case, draft.lang, draft.text, draft.check, draft.staff,
                 draft.needs_legal, draft.source, [*draft.notes, note])
