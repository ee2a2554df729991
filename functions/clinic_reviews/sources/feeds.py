"""Feeds: what the scheduled fetch reads, one per cursor (a Google location, a 2GIS branch, a VK post/topic).

A feed reads newest first until a page reaches the stop mark (see domain/fetch.py) or the last
page, and returns every raw response (to archive) with the parsed reviews. A failure part-way raises
`FeedFailed` carrying what was read before it, so those pages are still archived and stored.

`FeedFactory` builds feeds from a clinic's source configuration and the chain's credentials (the
dict in the sources SecureString parameter: `{"google": {"client_id", "client_secret", "refresh_token"},
"2gis": {"key"}, "vk": {"token"}}`). HTTP goes through `SourceHttp` (timeouts, bounded retries).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from clinic_reviews.domain.fetch import reached
from clinic_reviews.domain.review import iso_z
from clinic_reviews.sources import google, twogis, vk
from clinic_reviews.sources.http import SourceError, SourceHttp
from clinic_reviews.sources.parsing import FetchedPage, ParseProblem

log = logging.getLogger(__name__)


@dataclass
class FeedRead:
    """What one feed returned: raw responses, parsed reviews (no clinic_id yet) and item problems.

    `complete` is True when the read reached the stop mark or the last page (not cut by `max_pages`).
    """

    payloads: list[Any] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    orphan_replies: list[dict[str, Any]] = field(default_factory=list)
    complete: bool = False


class FeedFailed(Exception):
    """A feed failed part-way; `partial` is what was read before the failure, `cause` the SourceError."""

    def __init__(self, cause: SourceError, partial: FeedRead) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.partial = partial


class Feed(Protocol):
    platform: str
    locator: str

    def read(self, stop: str | None) -> FeedRead: ...


def as_source_error(platform: str, exc: Exception) -> SourceError:
    """Any failure of a read as a SourceError whose reason carries no response content."""
    if isinstance(exc, SourceError):
        return exc
    if isinstance(exc, (TypeError, KeyError, ValueError, AttributeError)):
        return SourceError(platform, f"unexpected response shape ({type(exc).__name__})", retryable=False)
    return SourceError(platform, f"{type(exc).__name__}", retryable=True)


def _read_pages(platform: str, pages: Iterator[FetchedPage], stop: str | None) -> FeedRead:
    """Consume newest-first pages until one reaches `stop` or the last page."""
    read = FeedRead()
    try:
        for fetched in pages:
            read.payloads.append(fetched.payload)
            read.reviews.extend(fetched.page.reviews)
            read.problems.extend(fetched.page.errors)
            if reached(platform, fetched.page.reviews, stop) or not fetched.page.next_page_token:
                read.complete = True
                break
    except Exception as exc:  # noqa: BLE001 - isolated per feed, reported without content
        raise FeedFailed(as_source_error(platform, exc), read) from None
    return read


@dataclass
class GoogleFeed:
    client: google.GoogleReviewsClient
    account_id: str
    location_id: str
    platform: str = "google"

    @property
    def locator(self) -> str:
        return f"{self.account_id}/{self.location_id}"

    def read(self, stop: str | None) -> FeedRead:
        return _read_pages(self.platform, self.client.list_reviews(self.account_id, self.location_id), stop)


@dataclass
class TwoGisFeed:
    client: twogis.TwoGisReviewsClient
    branch_id: str
    platform: str = "2gis"

    @property
    def locator(self) -> str:
        return self.branch_id

    def read(self, stop: str | None) -> FeedRead:
        return _read_pages(self.platform, self.client.list_reviews(self.branch_id), stop)


@dataclass
class VkFeed:
    """Comments of one wall post or board topic; pages are parsed together (answers on other pages)."""

    client: vk.VkClient
    kind: str  # wall | board
    group_id: int
    item_id: int
    platform: str = "vk"

    @property
    def locator(self) -> str:
        return f"{self.kind}-{self.group_id}_{self.item_id}"

    def _method(self) -> tuple[str, dict[str, Any]]:
        if self.kind == "wall":
            return "wall.getComments", {
                "owner_id": -self.group_id,
                "post_id": self.item_id,
                "sort": "desc",
                "extended": 1,
                "preview_length": 0,
                "thread_items_count": vk.THREAD_ITEMS,
                "count": vk.MAX_COUNT,
            }
        return "board.getComments", {
            "group_id": self.group_id,
            "topic_id": self.item_id,
            "sort": "desc",
            "extended": 1,
            "count": vk.MAX_COUNT,
        }

    def read(self, stop: str | None) -> FeedRead:
        method, params = self._method()
        thread = vk.VkThread(self.kind, self.group_id, self.item_id)  # type: ignore[arg-type]
        read = FeedRead()
        try:
            for fetched in self.client.pages(method, params, thread):
                read.payloads.append(fetched.payload)
                items = fetched.payload["response"].get("items") or []
                dates = [iso_z_unix(i.get("date")) for i in items if isinstance(i, Mapping)]
                if (stop and any(d is not None and d < stop for d in dates)) or not fetched.page.next_page_token:
                    read.complete = True
                    break
            page = vk.parse_pages(read.payloads, thread=thread)
        except Exception as exc:  # noqa: BLE001
            partial = FeedRead(payloads=read.payloads)
            try:
                partial_page = vk.parse_pages(read.payloads, thread=thread)
                partial.reviews, partial.problems = partial_page.reviews, partial_page.errors
            except Exception:  # noqa: BLE001 - the partial pages themselves are broken: archive them only
                log.warning("vk: pages read before the failure cannot be parsed; archived only")
            raise FeedFailed(as_source_error(self.platform, exc), partial) from None
        read.reviews, read.problems, read.orphan_replies = page.reviews, page.errors, page.orphan_replies
        return read


def iso_z_unix(value: Any) -> str | None:
    """VK's unix date as `...Z`, None when absent."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return iso_z(datetime.fromtimestamp(value, tz=UTC))


@dataclass
class BrokenFeed:
    """A feed that cannot even be built (no credentials): reading it fails with the reason."""

    platform: str
    locator: str
    error: SourceError

    def read(self, stop: str | None) -> FeedRead:
        raise FeedFailed(self.error, FeedRead())


class FeedFactory:
    """Builds the feeds of a source configuration; clients are reused while the credentials stay the same."""

    def __init__(
        self,
        credentials: Callable[[], Mapping[str, Any]],
        http: Callable[[str], SourceHttp],
        vk_limiter: Callable[[], vk.RateLimiter] = vk.RateLimiter,
    ) -> None:
        self._credentials = credentials
        self._http = http
        self._vk_limiter = vk_limiter
        self._clients: dict[tuple[str, str], Any] = {}

    def feeds(self, source: Any) -> list[Feed]:
        """One feed per locator of `source` (a policy SourceConfig); a feed that cannot be built fails on read."""
        try:
            client = self._client(source.platform)
        except SourceError as exc:
            return [BrokenFeed(source.platform, locator, exc) for locator in source.feeds]
        if source.platform == "google":
            return [GoogleFeed(client, source.account_id, source.location_id)]
        if source.platform == "2gis":
            return [TwoGisFeed(client, source.branch_id)]
        kind, ids = ("wall", source.wall_posts) if source.wall_posts else ("board", source.board_topics)
        return [VkFeed(client, kind, source.group_id, item) for item in ids]

    def _client(self, platform: str) -> Any:
        try:
            secret = self._credentials()
        except Exception as exc:  # noqa: BLE001 - every feed reports it; nothing else stops
            raise SourceError(platform, f"sources secret unreadable ({type(exc).__name__})", retryable=True) from None
        section = secret.get(platform) if isinstance(secret, Mapping) else None
        if not isinstance(section, Mapping):
            raise SourceError(platform, f"no {platform} credentials in the sources secret", retryable=False)
        fingerprint = repr(sorted((k, str(v)) for k, v in section.items()))
        cache_key = (platform, fingerprint)
        if cache_key not in self._clients:
            self._clients[cache_key] = self._build(platform, section)
        return self._clients[cache_key]

    def _build(self, platform: str, section: Mapping[str, Any]) -> Any:
        try:
            if platform == "google":
                http = self._http(platform)
                return google.GoogleReviewsClient(http, google.GoogleTokenProvider(http, section))
            if platform == "2gis":
                return twogis.TwoGisReviewsClient(self._http(platform), str(section.get("key") or ""))
            if platform == "vk":
                return vk.VkClient(self._http(platform), str(section.get("token") or ""), limiter=self._vk_limiter())
        except ValueError as exc:  # a credential is missing: the message names it, never its value
            raise SourceError(platform, str(exc), retryable=False) from None
        raise SourceError(platform, "no connector for this platform", retryable=False)
