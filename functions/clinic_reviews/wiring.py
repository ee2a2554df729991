"""Builds the services a handler needs from Settings and boto3 clients, once per container."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config

from clinic_reviews import clock
from clinic_reviews.settings import get_settings
from clinic_reviews.store import models

#: Every AWS call: short timeouts, bounded retries with backoff (botocore "standard" mode).
AWS_CONFIG = Config(connect_timeout=5, read_timeout=15, retries={"max_attempts": 3, "mode": "standard"})


def client(service: str) -> Any:
    return boto3.client(service, config=AWS_CONFIG)


def reset() -> None:
    """Forget every cached client and service (tests and the local stack call it after a redeploy)."""
    for cached in (
        review_repository, policy_repository, intake_service, blob_store, escalation_service, digest_service, delivery
    ):
        cached.cache_clear()
    get_settings.cache_clear()


def _bind_table() -> None:
    models.bind(get_settings().require("table_name"))


@lru_cache(maxsize=1)
def blob_store():
    from clinic_reviews.store.blobs import BlobStore

    bucket = get_settings().archive_bucket
    return BlobStore(client("s3"), bucket) if bucket else None


@lru_cache(maxsize=1)
def review_repository():
    from clinic_reviews.store.reviews import ReviewRepository

    _bind_table()
    return ReviewRepository(blob_store(), get_settings().max_inline_text)


@lru_cache(maxsize=1)
def policy_repository():
    from clinic_reviews.store.policies import PolicyRepository

    _bind_table()
    return PolicyRepository()


def event_publisher():
    from clinic_reviews.events import EventPublisher

    settings = get_settings()
    return EventPublisher(client("events"), settings.require("bus_name"), settings.event_source)


@lru_cache(maxsize=1)
def intake_service():
    from clinic_reviews.services.intake import IntakeService
    from clinic_reviews.workflow import WorkflowStarter

    settings = get_settings()
    return IntakeService(
        review_repository(),
        policy_repository(),
        event_publisher(),
        WorkflowStarter(client("stepfunctions"), settings.require("escalation_state_machine_arn")),
        clock.now,
    )


@lru_cache(maxsize=1)
def escalation_service():
    from clinic_reviews.services.escalation import EscalationService
    from clinic_reviews.store.counters import Counters

    return EscalationService(
        review_repository(), policy_repository(), delivery(), Counters(), event_publisher(), clock.now
    )


def senders():
    from clinic_reviews.notify.senders import Senders

    return Senders(client("sns"), client("ses"), get_settings().require("sender_email"))


@lru_cache(maxsize=1)
def digest_service():
    from clinic_reviews.services.digest import DigestService

    return DigestService(review_repository(), policy_repository(), delivery(), blob_store(), clock.now)


@lru_cache(maxsize=1)
def delivery():
    from clinic_reviews.notify.delivery import Delivery

    return Delivery(senders(), get_settings().require("table_name"), client("dynamodb"))
