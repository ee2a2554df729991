"""Builds the services a handler needs from Settings and boto3 clients, once per container."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from clinic_reviews import clock, container
from clinic_reviews.settings import get_settings
from clinic_reviews.store import models

#: Every AWS call: short timeouts, bounded retries with backoff (botocore "standard" mode).
AWS_CONFIG = Config(connect_timeout=5, read_timeout=15, retries={"max_attempts": 3, "mode": "standard"})
#: Secrets (platform credentials, the webhook key) are re-read at most this often per container.
SECRET_MAX_AGE = 300


@dataclass
class SourceHttpHooks:
    """Outbound HTTP of the source connectors. On AWS both stay None: the network and real sleeps.

    The local stack and tests install a transport factory (an httpx MockTransport or respx router
    serving tests/fixtures/sources) and a sleep that returns at once, so nothing reaches the internet.
    """

    transport: Callable[[], Any] | None = None
    sleep: Callable[[float], None] | None = None


source_http_hooks = SourceHttpHooks()
#: The same hooks for the Telegram Bot API (the local stack installs its fake Telegram here).
chat_http_hooks = SourceHttpHooks()


def client(service: str) -> Any:
    return boto3.client(service, config=AWS_CONFIG)


def reset() -> None:
    """Forget every client, service and cached secret of every container (tests and the local stack call it
    after a redeploy)."""
    from aws_lambda_powertools.utilities import parameters

    container.forget_all()
    parameters.clear_caches()


def _bind_table() -> None:
    models.bind(get_settings().require("table_name"))


@container.cached
def blob_store():
    from clinic_reviews.store.blobs import BlobStore

    bucket = get_settings().archive_bucket
    return BlobStore(client("s3"), bucket) if bucket else None


@container.cached
def review_repository():
    from clinic_reviews.store.reviews import ReviewRepository

    _bind_table()
    return ReviewRepository(blob_store(), get_settings().max_inline_text)


@container.cached
def policy_repository():
    from clinic_reviews.store.policies import PolicyRepository

    _bind_table()
    return PolicyRepository()


def event_publisher():
    from clinic_reviews.events import EventPublisher

    settings = get_settings()
    return EventPublisher(client("events"), settings.require("bus_name"), settings.event_source)


@container.cached
def intake_service():
    from clinic_reviews.services.adaptation import AdaptationCache
    from clinic_reviews.services.intake import IntakeService
    from clinic_reviews.workflow import WorkflowStarter

    settings = get_settings()
    return IntakeService(
        review_repository(),
        policy_repository(),
        WorkflowStarter(client("stepfunctions"), settings.require("escalation_state_machine_arn")),
        clock.now,
        cases=case_opener(),
        adaptations=AdaptationCache(blob_store()),
        quarantine=quarantine(),
    )


def quarantine():
    from clinic_reviews.store.counters import Counters
    from clinic_reviews.store.quarantine import Quarantine

    return Quarantine(blob_store(), event_publisher(), Counters(), clock.now)


@container.cached
def adaptation_service():
    from clinic_reviews.services.adaptation import AdaptationService

    blobs = blob_store()
    if blobs is None:
        raise RuntimeError("the learn function needs ARCHIVE_BUCKET")
    return AdaptationService(review_repository(), blobs, clock.now)


@container.cached
def escalation_service():
    from clinic_reviews.services.escalation import EscalationService
    from clinic_reviews.store.counters import Counters

    return EscalationService(
        review_repository(), policy_repository(), delivery(), Counters(), clock.now, link_maker()
    )


def link_maker():
    """Signed acknowledgement links, when the deployment has a link secret and a public URL."""
    from clinic_reviews.services.links import LinkMaker
    from clinic_reviews.store.links import LinkRepository

    settings = get_settings()
    if not (settings.link_secret_name and settings.public_base_url):
        return None
    _bind_table()
    return LinkMaker(link_secret, settings.public_base_url, LinkRepository())


def senders():
    from clinic_reviews.notify.senders import Senders

    return Senders(client("sns"), client("ses"), get_settings().sender_email)


@container.cached
def digest_service():
    from clinic_reviews.services.digest import DigestService
    from clinic_reviews.store.counters import Counters

    return DigestService(
        review_repository(), policy_repository(), delivery(), blob_store(), clock.now, case_repository(),
        counters=Counters(),
        insights=insight_service(),
    )


# ---------------------------------------------------------------- systemic problems, reply quality (docs/insights.md)
@container.cached
def reply_log():
    from clinic_reviews.store.replies import ReplyLogRepository

    _bind_table()
    return ReplyLogRepository()


@container.cached
def insight_report():
    from clinic_reviews.services.insight_report import InsightReport

    return InsightReport(reply_quality_service(), policy_repository(), spike_repository(), case_repository(), clock.now)


@container.cached
def reply_quality_service():
    from clinic_reviews.services.reply_quality import ReplyQualityService

    return ReplyQualityService(review_repository(), policy_repository(), reply_log(), clock.now)


@container.cached
def spike_repository():
    from clinic_reviews.store.spikes import SpikeRepository

    _bind_table()
    return SpikeRepository()


@container.cached
def insight_service():
    from clinic_reviews.services.insights import InsightService

    return InsightService(
        review_repository(), policy_repository(), spike_repository(), delivery(), event_publisher(), clock.now,
        case_repository(),
    )


@container.cached
def report_service():
    from clinic_reviews.services.report import ReportService

    return ReportService(
        review_repository(), policy_repository(), delivery(), blob_store(), clock.now, case_repository(),
        feedback=feedback_repository(), insights=insight_report(), cost=report_cost,
    )


def report_cost(policy, report, first) -> tuple[dict, float | None]:
    """The month's cost estimate (`clinic-reviews cost` on its real figures) and, with COST_EXPLORER=true on
    AWS, Cost Explorer's figure for the stack's tag; an unavailable figure is logged and left out."""
    from botocore.exceptions import BotoCoreError, ClientError

    from clinic_reviews.cost.estimate import for_month
    from clinic_reviews.observability import logger

    settings = get_settings()
    current = report.total.current
    estimate = for_month(policy, current.count, current.negative_share).to_json()
    actual = None
    if settings.cost_explorer:
        from clinic_reviews.cost.explorer import month_cost

        try:
            actual = month_cost(boto3.client("ce", region_name="us-east-1", config=AWS_CONFIG), first, settings.require("stage"))
        except (BotoCoreError, ClientError) as exc:
            logger.warning("Cost Explorer figure unavailable", extra={"reason": type(exc).__name__})
    return estimate, actual


@container.cached
def delivery():
    from clinic_reviews.notify.delivery import Delivery

    settings = get_settings()
    chat = chat_sender if settings.telegram_secret_name else None  # only functions given the bot's secret chat
    return Delivery(senders(), settings.require("table_name"), client("dynamodb"), chat=chat)


# ---------------------------------------------------------------- review sources
def source_http(platform: str):
    """The HTTP layer of one platform's connector (timeouts, bounded retries; hooks applied)."""
    from clinic_reviews.sources.http import SourceHttp, make_client

    hooks = source_http_hooks
    transport = hooks.transport() if hooks.transport is not None else None
    options = {"sleep": hooks.sleep} if hooks.sleep is not None else {}
    return SourceHttp(platform, make_client(transport=transport), **options)


@container.cached
def secrets():
    """Powertools' SSM provider over the stack's SecureString parameters (stack_secrets.py)."""
    from aws_lambda_powertools.utilities.parameters import SSMProvider

    return SSMProvider(boto3_client=client("ssm"))


def secret(setting: str, transform: str | None = None) -> Any:
    """The decrypted value of the parameter a `*_secret_name` setting names, cached for SECRET_MAX_AGE seconds."""
    return secrets().get(get_settings().require(setting), transform=transform, decrypt=True, max_age=SECRET_MAX_AGE)


def sources_credentials() -> dict[str, Any]:
    """The chain's platform credentials (JSON in the `/clinic-reviews/<stage>/sources` parameter)."""
    return secret("sources_secret_name", transform="json")


def webhook_secret() -> bytes:
    return str(secret("webhook_secret_name")).encode()


@container.cached
def feed_factory():
    from clinic_reviews.sources.feeds import FeedFactory
    from clinic_reviews.sources.vk import RateLimiter

    def vk_limiter() -> RateLimiter:
        sleep = source_http_hooks.sleep
        return RateLimiter(3, 1.0, sleep=sleep) if sleep is not None else RateLimiter(3, 1.0)

    return FeedFactory(sources_credentials, source_http, vk_limiter)


@container.cached
def cursor_repository():
    from clinic_reviews.store.cursors import CursorRepository

    _bind_table()
    return CursorRepository()


@container.cached
def fetch_service():
    from clinic_reviews.services.fetch import FetchService

    return FetchService(
        policy_repository(),
        cursor_repository(),
        review_repository(),
        blob_store(),
        intake_service(),
        feed_factory(),
        clock.now,
        clinics_per_batch=get_settings().fetch_clinics_per_batch,
    )


@container.cached
def import_service():
    from clinic_reviews.services.imports import ImportService

    return ImportService(policy_repository(), intake_service(), clock.now)


def objects(bucket: str):
    """Files of one bucket (the imports bucket named by an S3 event)."""
    from clinic_reviews.store.blobs import BlobStore

    return BlobStore(client("s3"), bucket)


def link_secret() -> bytes:
    """The HMAC key of acknowledgement and feedback links."""
    return str(secret("link_secret_name")).encode()


@container.cached
def ack_service():
    from clinic_reviews.services.ack import AckService
    from clinic_reviews.store.links import LinkRepository

    _bind_table()
    return AckService(LinkRepository(), review_repository(), policy_repository(), clock.now)


# ---------------------------------------------------------------- post-visit feedback (docs/feedback.md)
@container.cached
def feedback_repository():
    from clinic_reviews.store.feedback import FeedbackRepository

    _bind_table()
    return FeedbackRepository()


def phone_salt() -> bytes:
    """The salt of patients' phone hashes (never rotated, or opt-outs are forgotten)."""
    return str(secret("phone_salt_secret_name")).encode()


@container.cached
def visit_service():
    from clinic_reviews.services.feedback import VisitService
    from clinic_reviews.workflow import WorkflowStarter

    starter = WorkflowStarter(client("stepfunctions"), get_settings().require("feedback_state_machine_arn"))
    return VisitService(feedback_repository(), policy_repository(), starter, phone_salt, clock.now)


@container.cached
def feedback_sender():
    from clinic_reviews.services.feedback import FeedbackSender

    base_url = get_settings().require("feedback_base_url")
    return FeedbackSender(feedback_repository(), policy_repository(), delivery(), link_secret, base_url, clock.now)


@container.cached
def feedback_page():
    from clinic_reviews.services.feedback import FeedbackPage

    return FeedbackPage(feedback_repository(), policy_repository(), intake_service, link_secret, clock.now)


@container.cached
def inbound_sms():
    from clinic_reviews.services.feedback import InboundSms

    return InboundSms(feedback_repository(), phone_salt, clock.now)


# ---------------------------------------------------------------- cases, console and the Telegram bot (docs/cases.md)
@container.cached
def case_repository():
    from clinic_reviews.store.cases import CaseRepository

    _bind_table()
    return CaseRepository()


def case_opener():
    from clinic_reviews.services.cases import CaseOpener

    return CaseOpener(case_repository())


def _google_client(config):
    """The Google connector's client for one location (the fetch's credentials and HTTP hooks)."""
    feed = feed_factory().feeds(config)[0]
    if not hasattr(feed, "client"):
        feed.read(None)  # a feed that cannot be built raises its reason
    return feed.client


@container.cached
def case_service():
    from clinic_reviews.services.cases import CaseService, ReplyPoster

    settings = get_settings()
    poster = ReplyPoster(_google_client if settings.sources_secret_name else None)
    return CaseService(
        case_repository(), review_repository(), policy_repository(), clock.now, poster,
        reply_log=reply_log(),
    )


def console_secret() -> bytes:
    """The HMAC key the console's JWTs are signed with."""
    return str(secret("console_secret_name")).encode()


def telegram_secret() -> dict[str, Any]:
    """`{"bot_token", "webhook_secret"}` of the chain's Telegram bot."""
    return secret("telegram_secret_name", transform="json")


@container.cached
def telegram_client():
    from clinic_reviews.notify.telegram import TelegramClient
    from clinic_reviews.sources.http import SourceHttp, make_client

    hooks = chat_http_hooks
    transport = hooks.transport() if hooks.transport is not None else None
    options = {"sleep": hooks.sleep} if hooks.sleep is not None else {}
    http = SourceHttp("telegram", make_client(transport=transport), **options)
    return TelegramClient(http, lambda: str(telegram_secret().get("bot_token") or ""))


def chat_sender(request: dict[str, Any]) -> str:
    """Delivery's `chat` channel: one Telegram message (with the case's buttons when it names a case)."""
    from clinic_reviews.notify.telegram import case_keyboard

    keyboard = case_keyboard(request["case_id"], request.get("lang", "ru")) if request.get("case_id") else None
    return telegram_client().send_message(request["to"], request["text"], keyboard)


@container.cached
def chat_service():
    from clinic_reviews.services.chat import ChatService

    _bind_table()
    return ChatService(
        case_service(), case_repository(), policy_repository(), telegram_client(), get_settings().require("table_name"),
        client("dynamodb"),
    )


# ------------------------------------------------------------------ sign-in (console/pool.py, docs/cases.md)
#: The HTTP client of the pool's JWKS (the local stack answers with moto's keys here).
pool_http_hooks = SourceHttpHooks()


def pool():
    from clinic_reviews.console.pool import Pool

    settings = get_settings()
    region = client("cognito-idp").meta.region_name
    return Pool(region, settings.require("user_pool_id"), settings.require("user_pool_client_id"))


def _get_json(url: str) -> Any:
    import httpx

    transport = pool_http_hooks.transport() if pool_http_hooks.transport is not None else None
    with httpx.Client(timeout=httpx.Timeout(5.0, connect=3.0), transport=transport) as http:
        response = http.get(url)
        response.raise_for_status()
        return response.json()


@container.cached
def pool_keys():
    """The pool's signing keys, cached for an hour by this warm function."""
    from clinic_reviews.console.pool import PoolKeys

    return PoolKeys(pool().jwks_url, _get_json)


def pool_sign_in():
    from clinic_reviews.console.pool import PoolSignIn

    return PoolSignIn(client("cognito-idp"), pool())


@container.cached
def script_token_generations():
    from clinic_reviews.store.script_tokens import ScriptTokenGenerations

    _bind_table()
    return ScriptTokenGenerations()
