"""2GIS public reviews API 2.0: `branches/{id}/reviews`, paged by `meta.next_link`.

Hidden reviews (`is_hidden: true`, hidden by 2GIS moderation and not shown to the public) are
skipped by default with a recorded reason: nobody can read or answer them, so they must not start
an escalation. A fetcher that wants to close escalations of reviews hidden after they were stored
passes `include_hidden=True` and gets them with `"hidden": true` (and `hiding_reason`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

import httpx

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

SOURCE = "2gis"
API_ROOT = "https://public-api.reviews.2gis.com/2.0"
MAX_LIMIT = 50
#: Extra fields asked for: branch totals in `meta`, and why a review is hidden.
FIELDS = (
    "meta.branch_rating,meta.branch_reviews_count,meta.total_count,reviews.hiding_reason,reviews.is_verified"
)


def _author(user: Any) -> str | None:
    if not isinstance(user, Mapping):
        return None
    name = user.get("name")
    if not (isinstance(name, str) and name.strip()):
        parts = [user.get("first_name"), user.get("last_name")]
        name = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return name.strip() or None


def _reply(answer: Any) -> dict[str, Any] | None:
    if not isinstance(answer, Mapping):
        return None
    if not answer.get("date_created"):
        raise ItemError("official_answer without date_created")
    text = answer.get("text")
    reply: dict[str, Any] = {
        "text": text if isinstance(text, str) else "",
        "created_at": zulu(parse_instant(answer["date_created"])),
    }
    org = answer.get("org_name")
    if isinstance(org, str) and org.strip():
        reply["author"] = org.strip()
    return reply


def parse_review_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """One 2GIS review object -> a normalized review dict (raises ItemError/InvalidReview)."""
    review_id = item.get("id")
    if review_id in (None, ""):
        raise ItemError("no id")
    raw: dict[str, Any] = {
        "source": SOURCE,
        "external_id": str(review_id),
        "rating": item.get("rating"),
        "text": item.get("text") if isinstance(item.get("text"), str) else "",
        "author": _author(item.get("user")),
        "created_at": zulu(parse_instant(item.get("date_created"))),
        "reply": _reply(item.get("official_answer")),
        "url": item.get("url") if isinstance(item.get("url"), str) and item.get("url") else None,
    }
    if item.get("date_edited"):
        raw["edited_at"] = zulu(parse_instant(item["date_edited"]))
    if item.get("provider") and item.get("provider") != SOURCE:
        raw["provider"] = str(item["provider"])
    if item.get("is_hidden"):
        raw["hidden"] = True
        if item.get("hiding_reason"):
            raw["hiding_reason"] = str(item["hiding_reason"])
    return normalize(raw)


def parse_page(payload: Mapping[str, Any], *, include_hidden: bool = False) -> Page:
    """A reviews response -> Page (`next_page_token` is `meta.next_link`)."""
    if not isinstance(payload, Mapping):
        raise TypeError("a 2GIS reviews response must be a JSON object")
    items = payload.get("reviews") or []
    if not isinstance(items, list):
        raise TypeError("`reviews` must be a list")
    meta = payload.get("meta") if isinstance(payload.get("meta"), Mapping) else {}
    page = Page(next_page_token=meta.get("next_link") or None)
    for index, item in enumerate(items, start=1):
        ident = str(item["id"]) if isinstance(item, Mapping) and item.get("id") is not None else None
        if not isinstance(item, Mapping):
            page.errors.append(ParseProblem(index, "not an object"))
            continue
        if item.get("is_hidden") and not include_hidden:
            why = (
                f"hidden by 2GIS ({item['hiding_reason']})" if item.get("hiding_reason") else "hidden by 2GIS"
            )
            page.errors.append(ParseProblem(index, why, ident, kind="skipped"))
            continue
        try:
            page.reviews.append(parse_review_item(item))
        except (ItemError, InvalidReview) as exc:
            page.errors.append(ParseProblem(index, str(exc), ident))
    return page


class TwoGisReviewsClient:
    """Reads a branch's reviews, following `meta.next_link` only within the 2GIS API host."""

    def __init__(
        self,
        http: SourceHttp,
        api_key: str,
        *,
        locale: str = "ru_RU",
        max_pages: int = 40,
        include_hidden: bool = False,
        api_root: str = API_ROOT,
    ) -> None:
        if not api_key:
            raise ValueError("2GIS needs an API key")
        self._http = http
        self._key = api_key
        self.locale = locale
        self.max_pages = max_pages
        self.include_hidden = include_hidden
        self._root = api_root.rstrip("/")

    def list_reviews(
        self, branch_id: str, *, limit: int = MAX_LIMIT, sort_by: str = "date_edited"
    ) -> Iterator[FetchedPage]:
        """Yield each response (newest first by `sort_by`) with its parsed page; stop any time."""
        url: httpx.URL = httpx.URL(
            f"{self._root}/branches/{quote(str(branch_id), safe='')}/reviews",
            params={
                "limit": max(1, min(limit, MAX_LIMIT)),
                "sort_by": sort_by,
                "locale": self.locale,
                "fields": FIELDS,
                "key": self._key,
            },
        )
        for number in range(1, self.max_pages + 1):
            payload = self._http.request_json("GET", url)
            page = parse_page(payload or {}, include_hidden=self.include_hidden)
            yield FetchedPage(redact_key(payload), page)
            if not page.next_page_token:
                return
            url = self._next_url(page.next_page_token)
            if number == self.max_pages:
                log.warning("2gis: stopped after %d pages of branch %s", number, branch_id)

    def _next_url(self, link: str) -> httpx.URL:
        """The next page's URL, refusing other hosts and re-adding the key if 2GIS left it out."""
        url = httpx.URL(link)
        root = httpx.URL(self._root)
        if url.scheme != "https" or url.host != root.host:
            raise SourceError(SOURCE, f"next_link points outside {root.host}", retryable=False)
        if "key" not in url.params:
            url = url.copy_merge_params({"key": self._key})
        return url


def redact_key(payload: Any) -> Any:
    """The response with the API key removed from `meta.next_link` (safe to archive)."""
    meta = payload.get("meta") if isinstance(payload, Mapping) else None
    link = meta.get("next_link") if isinstance(meta, Mapping) else None
    if not isinstance(link, str) or "key=" not in link:
        return payload
    url = httpx.URL(link)
    params = [(k, v) for k, v in url.params.multi_items() if k != "key"]
    return {**payload, "meta": {**meta, "next_link": str(url.copy_with(params=params))}}
