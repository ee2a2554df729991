"""The stack's secrets: SSM Parameter Store SecureString parameters, one per separation of duties.

Standard parameters cost nothing a month (six Secrets Manager secrets cost $2.40) and are encrypted with the
account's AWS-managed `aws/ssm` key (no KMS key to pay for). CloudFormation cannot create SecureString
parameters, so `clinic-reviews secrets init --stage S` makes the missing ones after the first deploy: random
keys where the stack generates them, placeholders where you put a value (docs/deploy.md). Each function
may read only the parameters it needs (template.yaml, SSMParameterReadPolicy), as with the secrets before:

| key | what | read by |
|---|---|---|
| sources | the platforms' credentials (JSON, you put it) | fetch, cases (replies), telegram |
| webhook | HMAC key of the generic webhook | webhook |
| links | HMAC key of alert and feedback links | escalate, feedback send, feedback page |
| console | HMAC key of the console's tokens | cases |
| telegram | the bot's token (you put it) and the webhook's secret token (JSON) | escalate, telegram |
| phone-salt | salt of patients' phone hashes (never rotated) | visits, inbound SMS |
"""

from __future__ import annotations

import json
import secrets as random  # the standard library
from typing import Any

#: key -> the value `secrets init` puts when the parameter is missing (a callable: generated)
PARAMETERS: dict[str, Any] = {
    "sources": lambda: json.dumps({"google": {"client_id": "", "client_secret": "", "refresh_token": ""},
                                   "2gis": {"key": ""}, "vk": {"token": ""}}),
    "webhook": lambda: random.token_urlsafe(36),
    "links": lambda: random.token_urlsafe(36),
    "console": lambda: random.token_urlsafe(48),
    "telegram": lambda: json.dumps({"bot_token": "", "webhook_secret": random.token_urlsafe(36)}),
    "phone-salt": lambda: random.token_urlsafe(36),
}
#: The template's former secret resources, by the names the local stack and its callers still use.
LOGICAL_IDS = {"SourcesSecret": "sources", "WebhookSecret": "webhook", "LinkSecret": "links",
               "ConsoleSecret": "console", "TelegramSecret": "telegram", "PhoneSaltSecret": "phone-salt"}


def parameter_name(stage: str, key: str) -> str:
    if key not in PARAMETERS:
        raise KeyError(f"no secret {key!r}; expected one of {', '.join(PARAMETERS)}")
    return f"/clinic-reviews/{stage}/{key}"


def ensure_parameters(ssm_client, stage: str) -> list[str]:
    """Create every missing parameter of the stage (existing ones are never overwritten); the names created."""
    created = []
    for key, initial in PARAMETERS.items():
        name = parameter_name(stage, key)
        try:
            ssm_client.put_parameter(Name=name, Value=initial(), Type="SecureString", Overwrite=False,
                                     Description=f"clinic-reviews {stage}: {key} (clinic_reviews/stack_secrets.py)")
            created.append(name)
        except ssm_client.exceptions.ParameterAlreadyExists:
            pass
    return created
