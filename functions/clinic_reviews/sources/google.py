"""Google Business Profile API v4: `accounts.locations.reviews` list and reply, and OAuth.

`parse_page` is pure: one `ListReviewsResponse` dict in, a `Page` out. The client pages through
`nextPageToken` (newest `updateTime` first) and yields each raw response with its parsed form.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

from clinic_reviews.sources.http import SourceError, SourceHttp
from clinic_reviews.sources.parsing import (
    FetchedPage,
    InvalidReview,
    ItemError,
    Page,
    ParseProblem,
    normalize,
    parse_instant,
    zulu,
)

log = logging.getLogger(__name__)

SOURCE = "google"
API_ROOT = "https://mybusiness.googleapis.com/v4"
TOKEN_URL = "https://oauth2.googleapis.com/token"
MAX_PAGE_SIZE = 50
MAX_REPLY_BYTES = 4096

STAR_RATINGS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5, "STAR_RATING_UNSPECIFIED": None}

#: Markers Google puts around machine translations in `comment` (English; Russian seen in RU UIs).
TRANSLATED_MARKERS = ("(Translated by Google)", "(Переведено Google)")
ORIGINAL_MARKERS = ("(Original)", "(Оригинал)")


def original_text(comment: str) -> str:
    """The reviewer's own words from a comment Google may have annotated with a translation.

    Handles `<original>\\n\\n(Translated by Google)\\n<translation>`,
    `(Translated by Google) <translation>\\n\\n(Original)\\n<original>`, and a comment carrying
    only the translation marker (then the translation is all there is, and is kept).
    """
    translated = _find(comment, TRANSLATED_MARKERS)
    original = _find(comment, ORIGINAL_MARKERS)
    if translated is None and original is None:
        return comment
    if original is not None:
        start = original[0] + original[1]
        end = translated[0] if translated is not None and translated[0] > original[0] else len(comment)
        return comment[start:end].strip()
    assert translated is not None
    before = comment[: translated[0]].strip()
    return before or comment[translated[0] + translated[1] :].strip()


def _find(text: str, markers: tuple[str, ...]) -> tuple[int, int] | None:
    hits = [(text.find(m), len(m)) for m in markers if m in text]
    return min(hits) if hits else None


def parse_review_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """One v4 `Review` resource -> a normalized review dict (raises ItemError/InvalidReview)."""
    review_id = item.get("reviewId") or str(item.get("name") or "").rpartition("/reviews/")[2]
    if not review_id:
        raise ItemError("no reviewId")
    star = item.get("starRating", "STAR_RATING_UNSPECIFIED")
    if star not in STAR_RATINGS:
        raise ItemError(f"unknown starRating {star!r}")
    reviewer = item.get("reviewer") or {}
    author = None if reviewer.get("isAnonymous") else (reviewer.get("displayName") or None)
    comment = item.get("comment")
    created = parse_instant(item.get("createTime"))
    updated = parse_instant(item["updateTime"]) if item.get("updateTime") else created
    raw: dict[str, Any] = {
        "source": SOURCE,
        "external_id": review_id,
        "rating": STAR_RATINGS[star],
        "text": original_text(comment) if isinstance(comment, str) else "",
        "author": author,
        "created_at": zulu(created),
        "reply": _reply(item.get("reviewReply")),
        "updated_at": zulu(updated),
    }
    return normalize(raw)


def _reply(reply: Any) -> dict[str, Any] | None:
    if not isinstance(reply, Mapping):
        return None
    text = reply.get("comment")
    return {
        "text": original_text(text) if isinstance(text, str) else "",
        "created_at": zulu(parse_instant(reply.get("updateTime"))),
    }


def parse_page(payload: Mapping[str, Any]) -> Page:
    """A `ListReviewsResponse` -> Page; a bad item becomes a ParseProblem, never an exception."""
    if not isinstance(payload, Mapping):
        raise TypeError("a reviews.list response must be a JSON object")
    items = payload.get("reviews") or []
    if not isinstance(items, list):
        raise TypeError("`reviews` must be a list")
    page = Page(next_page_token=payload.get("nextPageToken") or None)
    for index, item in enumerate(items, start=1):
        ident = item.get("reviewId") if isinstance(item, Mapping) else None
        try:
            if not isinstance(item, Mapping):
                raise ItemError("not an object")
            page.reviews.append(parse_review_item(item))
        except (ItemError, InvalidReview) as exc:
            page.errors.append(ParseProblem(index, str(exc), ident))
    return page


class GoogleTokenProvider:
    """Access tokens from a stored refresh token, cached until shortly before expiry.

    `secret` is the dict read from the sources parameter by the caller:
    `{"client_id", "client_secret", "refresh_token"}`.
    """

    def __init__(
        self,
        http: SourceHttp,
        secret: Mapping[str, str],
        *,
        clock: Callable[[], float] = time.time,
        leeway: float = 60.0,
    ) -> None:
        missing = [k for k in ("client_id", "client_secret", "refresh_token") if not secret.get(k)]
        if missing:
            raise ValueError(f"Google OAuth secret lacks {', '.join(missing)}")
        self._http = http
        self._secret = dict(secret)
        self._clock = clock
        self._leeway = leeway
        self._token: str | None = None
        self._expires_at = 0.0

    def __call__(self) -> str:
        if self._token is None or self._clock() >= self._expires_at - self._leeway:
            self._refresh()
        assert self._token is not None
        return self._token

    def invalidate(self) -> None:
        """Forget the cached token (after a 401)."""
        self._token = None

    def _refresh(self) -> None:
        body = self._http.request_json(
            "POST",
            TOKEN_URL,
            form={
                "grant_type": "refresh_token",
                "client_id": self._secret["client_id"],
                "client_secret": self._secret["client_secret"],
                "refresh_token": self._secret["refresh_token"],
            },
        )
        token = body.get("access_token") if isinstance(body, Mapping) else None
        if not isinstance(token, str) or not token:
            raise SourceError(SOURCE, "OAuth token response without access_token", retryable=False)
        expires_in = body.get("expires_in", 3600)
        self._token = token
        self._expires_at = self._clock() + float(expires_in if isinstance(expires_in, (int, float)) else 3600)


class GoogleReviewsClient:
    """Reads a location's reviews page by page and posts replies."""

    def __init__(
        self,
        http: SourceHttp,
        access_token_provider: Callable[[], str],
        *,
        max_pages: int = 50,
        api_root: str = API_ROOT,
    ) -> None:
        self._http = http
        self._token = access_token_provider
        self.max_pages = max_pages
        self._root = api_root.rstrip("/")

    def list_reviews(
        self, account_id: str, location_id: str, page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[FetchedPage]:
        """Yield each response (newest `updateTime` first) with its parsed page.

        The caller archives `payload`, stores `page.reviews` and may stop iterating early (cursor).
        Stops after `max_pages`, logging a warning; the last page then still has a token.
        """
        url = f"{self._location(account_id, location_id)}/reviews"
        params: dict[str, Any] = {
            "pageSize": max(1, min(page_size, MAX_PAGE_SIZE)),
            "orderBy": "updateTime desc",
        }
        for number in range(1, self.max_pages + 1):
            payload = self._authorized("GET", url, params=dict(params))
            page = parse_page(payload or {})
            yield FetchedPage(payload, page)
            if not page.next_page_token:
                return
            params["pageToken"] = page.next_page_token
            if number == self.max_pages:
                log.warning("google: stopped after %d pages of %s", number, location_id)

    def put_reply(self, account_id: str, location_id: str, review_id: str, text: str) -> dict[str, Any]:
        """Create or replace the owner's reply (PUT is idempotent, so retries are safe).

        Returns `{"text", "created_at"}` as Google stored it; `created_at` is None only if the
        response did not carry `updateTime`.
        """
        if not text.strip():
            raise ValueError("a reply needs text")
        if len(text.encode("utf-8")) > MAX_REPLY_BYTES:
            raise ValueError(f"a Google reply is limited to {MAX_REPLY_BYTES} bytes")
        url = f"{self._location(account_id, location_id)}/reviews/{quote(review_id, safe='')}/reply"
        body = self._authorized("PUT", url, json_body={"comment": text})
        reply = _reply(body) if isinstance(body, Mapping) and body.get("updateTime") else None
        return reply or {"text": text, "created_at": None}

    def _location(self, account_id: str, location_id: str) -> str:
        account = quote(str(account_id).removeprefix("accounts/"), safe="")
        location = quote(str(location_id).rpartition("/")[2], safe="")
        return f"{self._root}/accounts/{account}/locations/{location}"

    def _authorized(self, method: str, url: str, **kwargs: Any) -> Any:
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self._token()}"}
            try:
                return self._http.request_json(method, url, headers=headers, **kwargs)
            except SourceError as exc:
                invalidate = getattr(self._token, "invalidate", None)
                if exc.status == 401 and attempt == 1 and invalidate is not None:
                    invalidate()
                    continue
                raise
        raise AssertionError("unreachable")
