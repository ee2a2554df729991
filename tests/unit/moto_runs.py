"""One AWS scenario run in a fresh embedded moto, with or without the local stack's patches, to compare answers."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from unittest import mock

from moto import mock_aws

ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "eu-central-1"}


def answers(scenario: Callable[[], list], patches: Callable[[], AbstractContextManager] | None = None) -> list:
    """What `scenario()` saw (responses without their metadata), inside `patches()` when given."""
    with mock.patch.dict(os.environ, ENV), mock_aws(), (patches or nullcontext)():
        seen = scenario()
    for answer in seen:
        if isinstance(answer, dict):
            answer.pop("ResponseMetadata", None)
    return seen
