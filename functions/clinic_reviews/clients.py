"""The shared primitives every function builds with: boto3 clients with our timeouts, and the secret reader.

What each function builds from them is in its handler (`services()`), from the pieces in `compose.py`.
"""

from __future__ import annotations

import gc
from typing import Any

import boto3
from botocore.config import Config

from clinic_reviews import container
from clinic_reviews.settings import get_settings

# boto3's ~40k objects (and the runtime's before them) live as long as the process: they are moved out of the
# collector's sight. The full collection that a handler's import reached (CPython's first one comes after about
# 85k net allocations of tracked objects) scanned them all and freed nothing (measured: 0 objects collected, about
# 0.1x `import boto3` of the console's start; issue 18e, docs/notes.md). Everything created later is collected
# as before.
gc.freeze()

#: Every AWS call: short timeouts, bounded retries with backoff (botocore "standard" mode).
AWS_CONFIG = Config(connect_timeout=5, read_timeout=15, retries={"max_attempts": 3, "mode": "standard"})
#: Powertools idempotency's own writes (the in-progress record, its completion, its deletion after a failed send).
#: A completion lost after the message went out leaves the record in progress for its window, and the retry after
#: it sends again (notify/delivery.py): worth six attempts instead of four (botocore's `max_attempts` counts
#: retries; at 20 % failures per attempt 1 completion in 15,625 is lost instead of 1 in 625), back-off <= 31 s.
IDEMPOTENCY_CONFIG = AWS_CONFIG.merge(Config(retries={"total_max_attempts": 6, "mode": "standard"}))
#: Secrets (platform credentials, the webhook key) are re-read at most this often per container.
SECRET_MAX_AGE = 300


def client(service: str, region: str | None = None, config: Config = AWS_CONFIG) -> Any:
    """A boto3 client, made when it is first used (`OnFirstUse`)."""
    return OnFirstUse(lambda: boto3.client(service, config=config, **({"region_name": region} if region else {})))


class OnFirstUse:
    """A boto3 client made when it is first used. A function composes all its services when its first request
    arrives, and a client costs a few milliseconds of CPU to make: a request that never calls a service (a re-poll
    of unchanged reviews publishes no event and archives nothing; nothing to send) makes no client for it. Two
    threads using it first at once may each make one; one is kept (a client is cheap to drop)."""

    __slots__ = ("_make", "_made")

    def __init__(self, make: Any):
        self._make = make
        self._made = None

    def __getattr__(self, name: str) -> Any:
        made = self._made
        if made is None:
            made = self._made = self._make()
        return getattr(made, name)


@container.cached
def _parameters():
    """Powertools' SSM provider over the stack's SecureString parameters (stack_secrets.py)."""
    from aws_lambda_powertools.utilities.parameters import SSMProvider

    return SSMProvider(boto3_client=client("ssm"))


def secret(setting: str, transform: str | None = None) -> Any:
    """The decrypted value of the parameter a `*_secret_name` setting names, cached for SECRET_MAX_AGE seconds."""
    return _parameters().get(get_settings().require(setting), transform=transform, decrypt=True, max_age=SECRET_MAX_AGE)


def secret_bytes(setting: str) -> bytes:
    """A secret used as a key (HMAC keys, the phone salt)."""
    return str(secret(setting)).encode()


def reset() -> None:
    """Forget every client, service and cached secret of every container (the local stack after a redeploy or
    a changed secret)."""
    from aws_lambda_powertools.utilities import parameters

    container.forget_all()
    parameters.clear_caches()
