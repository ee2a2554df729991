"""The pieces a function's services are built from, each from explicit settings and clients.

Every handler has one `services()` (cached per container) that builds what it needs from these pieces; reading
it shows which resources the function touches. Nothing here is cached or global: the only seam for fakes is
`container.fake(port)` (the local stack serves outbound HTTP through it; on AWS there are none).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, cached_property
from typing import Any

from clinic_reviews import clock, container
from clinic_reviews.clients import IDEMPOTENCY_CONFIG, client, secret, secret_bytes
from clinic_reviews.domain.frozen_records import record
from clinic_reviews.settings import Settings
from clinic_reviews.store import models

#: Ports of outbound HTTP the local stack fakes (`container.use_fake(port, HttpFake(...))`).
SOURCES_HTTP, TELEGRAM_HTTP, POOL_HTTP = "http:sources", "http:telegram", "http:pool"


@record
class HttpFake:
    """Outbound HTTP served locally: a factory of an httpx transport (MockTransport, a respx router) and a sleep
    that returns at once (retry back-off recorded, not slept)."""

    transport: Callable[[], Any]
    sleep: Callable[[float], None] | None = None


def _http_options(port: str) -> tuple[Any, dict[str, Any]]:
    served = container.fake(port)
    if served is None:
        return None, {}
    return served.transport(), ({"sleep": served.sleep} if served.sleep is not None else {})


# ---------------------------------------------------------------- storage
def archive(settings: Settings):
    """The archive bucket (raw pages, long texts, reports), or None where the function is not given one."""
    from clinic_reviews.store.blobs import BlobStore

    return BlobStore(client("s3"), settings.archive_bucket) if settings.archive_bucket else None


def bucket(name: str):
    """Files of one bucket (the one an S3 event names)."""
    from clinic_reviews.store.blobs import BlobStore

    return BlobStore(client("s3"), name)


class Table:
    """The deployed DynamoDB table (TABLE_NAME) and the repositories over it; long review texts go to the
    archive bucket when the function has one."""

    def __init__(self, settings: Settings) -> None:
        self.name = settings.require("table_name")
        models.bind(self.name)
        self.archive = archive(settings)
        self._max_inline_text = settings.max_inline_text

    @cached_property
    def reviews(self):
        from clinic_reviews.store.reviews import ReviewRepository

        return ReviewRepository(self.archive, self._max_inline_text)

    @cached_property
    def policies(self):
        from clinic_reviews.store.policies import PolicyRepository

        return PolicyRepository()

    @cached_property
    def cases(self):
        from clinic_reviews.store.cases import CaseRepository

        return CaseRepository()

    @cached_property
    def cursors(self):
        from clinic_reviews.store.cursors import CursorRepository

        return CursorRepository()

    @cached_property
    def feedback(self):
        from clinic_reviews.store.feedback import FeedbackRepository

        return FeedbackRepository()

    @cached_property
    def links(self):
        from clinic_reviews.store.links import LinkRepository

        return LinkRepository()

    @cached_property
    def replies(self):
        from clinic_reviews.store.replies import ReplyLogRepository

        return ReplyLogRepository()

    @cached_property
    def spikes(self):
        from clinic_reviews.store.spikes import SpikeRepository

        return SpikeRepository()

    @cached_property
    def contacts(self):
        """Senders of mails, beside their reviews (store/contacts.py)."""
        from clinic_reviews.store.contacts import SenderContactRepository

        return SenderContactRepository()

    @cached_property
    def script_tokens(self):
        from clinic_reviews.store.script_tokens import ScriptTokenGenerations

        return ScriptTokenGenerations()

    def counters(self):
        from clinic_reviews.store.counters import Counters

        return Counters()


# ---------------------------------------------------------------- the bus and workflows
def bus(settings: Settings):
    """The event bus (BUS_NAME)."""
    from clinic_reviews.events import EventPublisher

    return EventPublisher(client("events"), settings.require("bus_name"), settings.event_source)


def workflow(state_machine_arn: str):
    """Starts executions of one state machine."""
    from clinic_reviews.workflow import WorkflowStarter

    return WorkflowStarter(client("stepfunctions"), state_machine_arn)


# ---------------------------------------------------------------- reviews in
def intake(settings: Settings, table: Table):
    """Intake: stores reviews in the table with their events (the outbox), opens cases, puts poison items aside
    (announced on the bus, BUS_NAME), starts the escalation workflow (ESCALATION_STATE_MACHINE_ARN)."""
    from clinic_reviews.services.adaptation import AdaptationCache
    from clinic_reviews.services.cases import CaseOpener
    from clinic_reviews.services.intake import IntakeService

    events = bus(settings)
    escalation = workflow(settings.require("escalation_state_machine_arn"))
    return IntakeService(
        table.reviews, table.policies, escalation, clock.now,
        cases=CaseOpener(table.cases),
        adaptations=AdaptationCache(table.archive),
        quarantine=quarantine(table, events),
    )


def imports(settings: Settings, table: Table):
    """Files and webhook calls into intake (the same reviews path as a fetch)."""
    from clinic_reviews.services.imports import ImportService

    return ImportService(table.policies, intake(settings, table), clock.now)


def quarantine(table: Table, events):
    from clinic_reviews.store.quarantine import Quarantine

    return Quarantine(table.archive, events, table.counters(), clock.now)


def source_http(platform: str):
    """The HTTP layer of one platform's connector (timeouts, bounded retries; the local fake when installed)."""
    from clinic_reviews.sources.http import SourceHttp, make_client

    transport, options = _http_options(SOURCES_HTTP)
    return SourceHttp(platform, make_client(transport=transport), **options)


def feeds():
    """Connectors of the review platforms, with the chain's credentials (SOURCES_SECRET_NAME)."""
    from clinic_reviews.sources.feeds import FeedFactory
    from clinic_reviews.sources.vk import RateLimiter

    def vk_limiter() -> RateLimiter:
        served = container.fake(SOURCES_HTTP)
        return RateLimiter(3, 1.0, sleep=served.sleep) if served is not None and served.sleep else RateLimiter(3, 1.0)

    return FeedFactory(lambda: secret("sources_secret_name", transform="json"), source_http, vk_limiter)


def google_replies(sources) -> Callable[[Any], Any]:
    """The Google connector's client for one location (to post replies), built as a fetch builds it."""

    def google_client(config):
        feed = sources.feeds(config)[0]
        if not hasattr(feed, "client"):
            feed.read(None)  # a feed that cannot be built raises its reason
        return feed.client

    return google_client


# ---------------------------------------------------------------- cases (docs/cases.md)
def case_service(settings: Settings, table: Table):
    """Cases: the table (cases, reviews, policies, replies; their events leave with the writes); replies posted to Google with the chain's
    credentials when the function has them (SOURCES_SECRET_NAME)."""
    from clinic_reviews.services.cases import CaseService, ReplyPoster

    poster = ReplyPoster(google_replies(feeds()) if settings.sources_secret_name else None)
    return CaseService(
        table.cases, table.reviews, table.policies, clock.now, poster, reply_log=table.replies
    )


def get_json(url: str) -> Any:
    """GET a JSON document (the user pool's keys; the local fake of POOL_HTTP when installed)."""
    import httpx

    transport, _ = _http_options(POOL_HTTP)
    with httpx.Client(timeout=httpx.Timeout(5.0, connect=3.0), transport=transport) as http:
        response = http.get(url)
        response.raise_for_status()
        return response.json()


# ---------------------------------------------------------------- people out: SMS, e-mail, chat
@record
class Sending:
    """A service that sends, and its Delivery (the handler gives the Delivery's idempotency its Lambda context)."""

    service: Any
    delivery: Any


def delivery(settings: Settings, chat: Callable[[dict[str, Any]], str] | None = None):
    """SMS (SNS) and e-mail (SES, from SENDER_EMAIL), idempotent through the table; `chat`: Telegram messages."""
    from clinic_reviews.notify.delivery import Delivery
    from clinic_reviews.notify.senders import Senders

    senders = Senders(client("sns"), client("ses"), settings.sender_email)
    return Delivery(senders, settings.require("table_name"), client("dynamodb", config=IDEMPOTENCY_CONFIG), chat=chat)


def telegram():
    """The Telegram Bot API client with the bot's token (TELEGRAM_SECRET_NAME)."""
    from clinic_reviews.notify.telegram import TelegramClient
    from clinic_reviews.sources.http import SourceHttp, make_client

    transport, options = _http_options(TELEGRAM_HTTP)
    http = SourceHttp("telegram", make_client(transport=transport), **options)
    return TelegramClient(http, lambda: str(secret("telegram_secret_name", transform="json").get("bot_token") or ""))


def chat_sender(make_bot: Callable[[], Any]) -> Callable[[dict[str, Any]], str]:
    """Delivery's `chat` channel: one Telegram message (with the case's buttons when it names a case). The bot
    (`make_bot()`: httpx, its TLS context, the message templates) is built by the first message: most escalation
    steps send none (answered reviews, quiet hours, SMS and e-mail tiers)."""
    bot = cache(make_bot)

    def send(request: dict[str, Any]) -> str:
        from clinic_reviews.notify.telegram import case_keyboard

        keyboard = case_keyboard(request["case_id"], request.get("lang", "ru")) if request.get("case_id") else None
        return bot().send_message(request["to"], request["text"], keyboard)

    return send


def link_maker(settings: Settings, table: Table):
    """Signed acknowledgement links, when the function has a link secret and a public URL."""
    from clinic_reviews.services.links import LinkMaker

    if not (settings.link_secret_name and settings.public_base_url):
        return None
    return LinkMaker(lambda: secret_bytes("link_secret_name"), settings.public_base_url, table.links)


# ---------------------------------------------------------------- reports: systemic problems, reply quality
def reply_quality(table: Table):
    from clinic_reviews.services.reply_quality import ReplyQualityService

    return ReplyQualityService(table.reviews, table.policies, table.replies, clock.now)


def insights(table: Table, sending, events):
    from clinic_reviews.services.insights import InsightService

    return InsightService(table.reviews, table.policies, table.spikes, sending, events, clock.now, table.cases)


def insight_report(table: Table):
    from clinic_reviews.services.insight_report import InsightReport

    return InsightReport(reply_quality(table), table.policies, table.spikes, table.cases, clock.now)
