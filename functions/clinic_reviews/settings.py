"""The one typed settings object, read from the function's environment once, on first use."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict


class SettingsError(RuntimeError):
    """A setting the running code needs is missing from the environment."""


class Settings(BaseModel):
    """Names of the deployed resources and a few knobs, as template.yaml passes them to every function.

    Every field maps to the upper-case environment variable of the same name. Optional fields are
    checked where they are needed, through `require`, so a function that does not use one does not
    need it set.
    """

    model_config = ConfigDict(frozen=True)

    table_name: str | None = None
    bus_name: str | None = None
    escalation_state_machine_arn: str | None = None
    archive_bucket: str | None = None
    sender_email: str | None = None
    intake_queue_url: str | None = None
    link_secret_name: str | None = None
    sources_secret_name: str | None = None  # the chain's platform credentials (docs/sources.md)
    webhook_secret_name: str | None = None  # the generic webhook's HMAC key
    fetch_clinics_per_batch: int = 10
    public_base_url: str | None = None
    feedback_state_machine_arn: str | None = None  # post-visit feedback requests (docs/feedback.md)
    feedback_base_url: str | None = None  # where the SMS links of feedback requests point
    phone_salt_secret_name: str | None = None  # the salt of patients' phone hashes
    event_source: str = "clinic-reviews"
    stage: str = "dev"
    max_inline_text: int = 32_000
    llm_drafts: bool = False  # reply drafts by a Bedrock model (bedrock_drafts.py); off: templates only
    bedrock_model_id: str | None = None
    # cases (docs/cases.md)
    console_secret_name: str | None = None  # HMAC key of the script tokens (console/auth.py)
    user_pool_id: str | None = None  # the Cognito user pool people sign in with (console/pool.py)
    user_pool_client_id: str | None = None  # the console's app client of that pool
    console_dev_password: str | None = None  # local stack only: the demo users' password (one-click sign-in)
    chain_id: str | None = None  # the chain the console's dev login and the Telegram bot serve
    telegram_secret_name: str | None = None  # {"bot_token", "webhook_secret"} of the team's bot

    def require(self, field: str) -> str:
        value = getattr(self, field)
        if not value:
            raise SettingsError(f"{field.upper()} is not set in this function's environment")
        return value

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values = {name: env[name.upper()] for name in cls.model_fields if env.get(name.upper())}
        return cls(**values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings of this process (cached; `get_settings.cache_clear()` after changing the environment)."""
    return Settings.from_env()
