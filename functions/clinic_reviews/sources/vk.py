"""VK: comments on the clinic community's wall posts and board topics (`wall.getComments`,
`board.getComments`, API v5.199, usually with `extended=1`).

A comment by a user is a review (no rating: sentiment comes from the text). A comment by the
community itself (`from_id` = -group_id) is never a review: it is the `reply` of the comment it
answers (its thread parent, `reply_to_comment`, or the `[post123|…]` / `[id123|…]` mention VK puts
in front of an answer). When several answers exist, the earliest is the reply (first response).

`external_id` is the comment id as a string (the contract). Wall comment ids are unique per wall
and board comment ids per community; the two spaces can collide, so `vk_kind` ("wall"/"board") and
`vk_thread` (post/topic id) are kept as extra keys.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from clinic_reviews.sources.http import SourceError, SourceHttp, TransientError
from clinic_reviews.sources.parsing import (
    FetchedPage,
    InvalidReview,
    ItemError,
    Page,
    ParseProblem,
    from_unix,
    normalize,
    zulu,
)

log = logging.getLogger(__name__)

SOURCE = "vk"
API_ROOT = "https://api.vk.com/method"
API_VERSION = "5.199"
MAX_COUNT = 100
THREAD_ITEMS = 10
#: Error codes worth another attempt right away: unknown (1), too many per second (6), internal (10).
RETRY_NOW = frozenset({1, 6, 10})
#: Rate limits that will pass later, not within this run: flood control (9), method quota (29).
RETRY_LATER = frozenset({9, 29})

_MENTION = re.compile(r"\[(id|club|public|post|event)(\d+)\|([^\]]*)\]")
_LEADING_MENTION = re.compile(r"^\s*\[(id|post)(\d+)\|[^\]]*\]")


@dataclass(frozen=True)
class VkThread:
    """Where the comments come from: a wall post or a board topic of community `group_id` (> 0)."""

    kind: Literal["wall", "board"]
    group_id: int | None = None
    item_id: int | None = None


def raise_for_error(body: Any) -> None:
    """Turn a VK `{"error": {...}}` body into TransientError (retry now) or SourceError."""
    if not isinstance(body, Mapping) or "error" not in body:
        if isinstance(body, Mapping) and "response" in body:
            return
        raise SourceError(SOURCE, "response without `response` or `error`", retryable=False)
    error = body["error"] if isinstance(body["error"], Mapping) else {}
    code = error.get("error_code")
    message = str(error.get("error_msg") or "unknown error")[:120]
    reason = f"VK error {code}: {message}"
    if code in RETRY_NOW:
        raise TransientError(reason)
    raise SourceError(SOURCE, reason, retryable=code in RETRY_LATER)


def plain_text(text: str) -> str:
    """VK markup `[id1|Анна]` / `[club2|Клиника]` / `[post3|Анна]` -> the shown text."""
    return _MENTION.sub(lambda m: m.group(3), text)


@dataclass
class _Comment:
    item: Mapping[str, Any]
    number: int
    parent: int | None
    kind: str
    thread_id: int | None


@dataclass
class _Directory:
    people: dict[int, str] = field(default_factory=dict)
    communities: dict[int, str] = field(default_factory=dict)

    def add(self, response: Mapping[str, Any]) -> None:
        for profile in response.get("profiles") or []:
            if isinstance(profile, Mapping) and isinstance(profile.get("id"), int):
                name = " ".join(
                    str(profile.get(k) or "").strip() for k in ("first_name", "last_name")
                ).strip()
                if name:
                    self.people[profile["id"]] = name
        for group in response.get("groups") or []:
            if isinstance(group, Mapping) and isinstance(group.get("id"), int) and group.get("name"):
                self.communities[group["id"]] = str(group["name"])


def _response(payload: Any) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise TypeError("a VK response must be a JSON object")
    try:
        raise_for_error(payload)
    except TransientError as exc:
        raise SourceError(SOURCE, exc.reason, retryable=True) from None
    response = payload["response"]
    if not isinstance(response, Mapping) or not isinstance(response.get("items", []), list):
        raise TypeError("`response.items` must be a list")
    return response


def _flatten(responses: Iterable[Mapping[str, Any]], thread: VkThread | None) -> list[_Comment]:
    comments: list[_Comment] = []
    for response in responses:
        for item in response.get("items") or []:
            if not isinstance(item, Mapping):
                comments.append(_Comment({}, len(comments) + 1, None, "?", None))
                continue
            kind = thread.kind if thread else ("wall" if "post_id" in item or "thread" in item else "board")
            thread_id = item.get("post_id") if kind == "wall" else None
            if thread_id is None and thread is not None:
                thread_id = thread.item_id
            comments.append(_Comment(item, len(comments) + 1, None, kind, thread_id))
            sub = item.get("thread") if isinstance(item.get("thread"), Mapping) else {}
            for child in sub.get("items") or []:
                if isinstance(child, Mapping):
                    comments.append(_Comment(child, len(comments) + 1, item.get("id"), kind, thread_id))
    return comments


def _url(comment: _Comment, group_id: int | None) -> str | None:
    item = comment.item
    if comment.kind == "wall":
        owner = item.get("owner_id") or (-group_id if group_id else None)
        if owner is None or comment.thread_id is None:
            return None
        url = f"https://vk.com/wall{owner}_{comment.thread_id}?reply={item['id']}"
        return f"{url}&thread={comment.parent}" if comment.parent else url
    if group_id is None or comment.thread_id is None:
        return None
    return f"https://vk.com/topic-{group_id}_{comment.thread_id}?post={item['id']}"


def _user_review(comment: _Comment, directory: _Directory, group_id: int | None) -> dict[str, Any]:
    item = comment.item
    if not isinstance(item.get("id"), int) or not isinstance(item.get("from_id"), int):
        raise ItemError("comment without integer id/from_id")
    review: dict[str, Any] = {
        "source": SOURCE,
        "external_id": str(item["id"]),
        "rating": None,
        "text": plain_text(item.get("text") or ""),
        "author": directory.people.get(item["from_id"]),
        "created_at": zulu(from_unix(item.get("date"))),
        "reply": None,
        "url": _url(comment, group_id),
        "vk_kind": comment.kind,
        "vk_thread": comment.thread_id,
    }
    if comment.parent is not None:
        review["in_reply_to"] = str(comment.parent)
    return review


def parse_pages(payloads: Iterable[Any], *, thread: VkThread | None = None) -> Page:
    """Several responses of one post/topic parsed together, so answers on another page still match.

    Raises SourceError for a VK error body, TypeError for a body that is not a VK response.
    """
    responses = [_response(p) for p in payloads]
    directory = _Directory()
    for response in responses:
        directory.add(response)
    group_id = thread.group_id if thread else None
    page = Page()
    users: dict[int, _Comment] = {}
    reviews: dict[int, dict[str, Any]] = {}
    answers: list[_Comment] = []
    for comment in _flatten(responses, thread):
        item = comment.item
        ident = str(item["id"]) if item.get("id") is not None else None
        from_id = item.get("from_id")
        if not item:
            page.errors.append(ParseProblem(comment.number, "not an object"))
        elif item.get("deleted"):
            page.errors.append(ParseProblem(comment.number, "deleted comment", ident, "skipped"))
        elif isinstance(from_id, int) and from_id < 0:
            if group_id is None or -from_id == group_id:
                answers.append(comment)
            else:
                page.errors.append(
                    ParseProblem(comment.number, "comment by another community", ident, "skipped")
                )
        elif item.get("id") not in reviews:  # a comment repeated on the next page is read once
            try:
                reviews[item["id"]] = _user_review(comment, directory, group_id)
                users[item["id"]] = comment
            except ItemError as exc:
                page.errors.append(ParseProblem(comment.number, str(exc), ident))
    for answer in answers:
        _attach(answer, reviews, users, directory, page)
    for comment_id, review in reviews.items():
        try:
            page.reviews.append(normalize(review))
        except InvalidReview as exc:
            page.errors.append(ParseProblem(users[comment_id].number, str(exc), review["external_id"]))
    return page


def _target(answer: _Comment, users: Mapping[int, _Comment]) -> int | None:
    """The comment a community comment answers, or None if it answers none."""
    item = answer.item
    replied = item.get("reply_to_comment")
    if isinstance(replied, int):
        return replied
    mention = _LEADING_MENTION.match(item.get("text") or "")
    if mention and mention.group(1) == "post":
        return int(mention.group(2))
    if answer.parent is not None:
        return answer.parent
    if mention and mention.group(1) == "id":
        author, date = int(mention.group(2)), item.get("date") or 0
        earlier = [
            c for c in users.values() if c.item["from_id"] == author and (c.item.get("date") or 0) <= date
        ]
        return max(earlier, key=lambda c: c.item.get("date") or 0).item["id"] if earlier else None
    return None


def _attach(
    answer: _Comment,
    reviews: dict[int, dict[str, Any]],
    users: Mapping[int, _Comment],
    directory: _Directory,
    page: Page,
) -> None:
    """Make `answer` the reply of the comment it answers (the earliest answer wins)."""
    item = answer.item
    ident = str(item.get("id")) if item.get("id") is not None else None
    target = _target(answer, users)
    if target is None:
        page.errors.append(
            ParseProblem(answer.number, "community's own comment, not an answer", ident, "skipped")
        )
        return
    try:
        created = zulu(from_unix(item.get("date")))
    except ItemError as exc:
        page.errors.append(ParseProblem(answer.number, f"community answer: {exc}", ident))
        return
    reply: dict[str, Any] = {"text": plain_text(item.get("text") or ""), "created_at": created}
    name = directory.communities.get(-item["from_id"])
    if name:
        reply["author"] = name
    review = reviews.get(target)
    if review is None:
        page.orphan_replies.append({"external_id": str(target), "reply": reply})
        return
    if review["reply"] is None or reply["created_at"] < review["reply"]["created_at"]:
        review["reply"] = reply


def parse_page(payload: Any, *, offset: int = 0, thread: VkThread | None = None) -> Page:
    """One `wall.getComments`/`board.getComments` response -> Page; next offset when more remain."""
    page = parse_pages([payload], thread=thread)
    response = payload["response"]
    items = response.get("items") or []
    total = response.get("count")
    following = offset + len(items)
    if items and isinstance(total, int) and following < total:
        page.next_page_token = str(following)
    return page


class RateLimiter:
    """At most `calls` requests in any `period` seconds (VK: 3 per second per token)."""

    def __init__(
        self,
        calls: int = 3,
        period: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.calls = calls
        self.period = period
        self._clock = clock
        self._sleep = sleep
        self._sent: list[float] = []

    def wait(self) -> None:
        """Block until one more request fits in the window, then record it."""
        now = self._clock()
        self._sent = [t for t in self._sent if now - t < self.period]
        if len(self._sent) >= self.calls:
            delay = self.period - (now - self._sent[0])
            if delay > 0:
                self._sleep(delay)
            now = self._clock()
            self._sent = [t for t in self._sent if now - t < self.period]
        self._sent.append(now)


@dataclass
class VkRead:
    """Everything read from one post or topic: raw responses (archive them) and the parsed result."""

    payloads: list[Any]
    page: Page


class VkClient:
    """Calls the VK API with a community (or service) token, within VK's request rate."""

    def __init__(
        self,
        http: SourceHttp,
        access_token: str,
        *,
        limiter: RateLimiter | None = None,
        max_pages: int = 20,
        api_root: str = API_ROOT,
    ) -> None:
        if not access_token:
            raise ValueError("VK needs an access token")
        self._http = http
        self._token = access_token
        self._limiter = limiter or RateLimiter()
        self.max_pages = max_pages
        self._root = api_root.rstrip("/")

    def call(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """One API call (POST, so the token stays out of URLs); returns the whole body."""
        form = {**{k: _form(v) for k, v in params.items()}, "access_token": self._token, "v": API_VERSION}
        return self._http.request_json(
            "POST", f"{self._root}/{method}", form=form, check=raise_for_error, before=self._limiter.wait
        )

    def wall_posts(self, group_id: int, count: int = 20) -> list[dict[str, Any]]:
        """The community's latest wall posts (`id`, `date`, `comments.count`): what to poll."""
        body = self.call("wall.get", {"owner_id": -abs(group_id), "count": min(count, MAX_COUNT)})
        return list(body["response"].get("items") or [])

    def board_topics(self, group_id: int, count: int = 20) -> list[dict[str, Any]]:
        """The community's board topics, most recently updated first (`id`, `updated`, `comments`)."""
        body = self.call(
            "board.getTopics", {"group_id": abs(group_id), "count": min(count, MAX_COUNT), "order": 1}
        )
        return list(body["response"].get("items") or [])

    def wall_comments(self, group_id: int, post_id: int, *, since: int | None = None) -> VkRead:
        """Comments on a community wall post, newest first, with complete reply threads.

        Stops paging once a page reaches a comment dated at or before `since` (unix seconds): pass
        the oldest still-open review's date, not the last seen one, to see late replies.
        """
        thread = VkThread("wall", abs(group_id), post_id)
        params = {
            "owner_id": -abs(group_id),
            "post_id": post_id,
            "sort": "desc",
            "extended": 1,
            "preview_length": 0,
            "thread_items_count": THREAD_ITEMS,
            "count": MAX_COUNT,
        }
        return self._read("wall.getComments", params, thread, since)

    def board_comments(self, group_id: int, topic_id: int, *, since: int | None = None) -> VkRead:
        """Comments in a board topic, newest first (see `wall_comments` for `since`)."""
        thread = VkThread("board", abs(group_id), topic_id)
        params = {
            "group_id": abs(group_id),
            "topic_id": topic_id,
            "sort": "desc",
            "extended": 1,
            "count": MAX_COUNT,
        }
        return self._read("board.getComments", params, thread, since)

    def pages(self, method: str, params: Mapping[str, Any], thread: VkThread) -> Iterator[FetchedPage]:
        """Yield FetchedPage per offset page (each parsed alone); the caller may stop any time."""
        offset = 0
        for _ in range(self.max_pages):
            body = self.call(method, {**params, "offset": offset})
            if thread.kind == "wall":
                self._complete_threads(body, thread)
            page = parse_page(body, offset=offset, thread=thread)
            yield FetchedPage(body, page)
            if page.next_page_token is None:
                return
            offset = int(page.next_page_token)
        log.warning("vk: stopped after %d pages of %s %s", self.max_pages, thread.kind, thread.item_id)

    def _read(self, method: str, params: Mapping[str, Any], thread: VkThread, since: int | None) -> VkRead:
        payloads: list[Any] = []
        for fetched in self.pages(method, params, thread):
            payloads.append(fetched.payload)
            dates = [
                i.get("date")
                for i in fetched.payload["response"].get("items") or []
                if isinstance(i, Mapping)
            ]
            if since is not None and any(isinstance(d, int) and d <= since for d in dates):
                break
        return VkRead(payloads, parse_pages(payloads, thread=thread))

    def _complete_threads(self, body: dict[str, Any], thread: VkThread) -> None:
        """Fetch the rest of any reply thread VK cut short, so the raw page is self-contained."""
        response = body["response"]
        for item in response.get("items") or []:
            sub = item.get("thread") if isinstance(item, Mapping) else None
            if not isinstance(sub, dict) or len(sub.get("items") or []) >= (sub.get("count") or 0):
                continue
            children: list[Any] = []
            for _ in range(self.max_pages):
                part = self.call(
                    "wall.getComments",
                    {
                        "owner_id": -abs(thread.group_id or 0),
                        "post_id": thread.item_id,
                        "comment_id": item["id"],
                        "sort": "asc",
                        "extended": 1,
                        "preview_length": 0,
                        "count": MAX_COUNT,
                        "offset": len(children),
                    },
                )["response"]
                children.extend(part.get("items") or [])
                _merge_people(response, part)
                if not part.get("items") or len(children) >= (part.get("count") or 0):
                    break
            sub["items"] = children


def _merge_people(into: dict[str, Any], other: Mapping[str, Any]) -> None:
    for key in ("profiles", "groups"):
        known = {p.get("id") for p in into.get(key) or [] if isinstance(p, Mapping)}
        extra = [p for p in other.get(key) or [] if isinstance(p, Mapping) and p.get("id") not in known]
        if extra:
            into[key] = [*(into.get(key) or []), *extra]


def _form(value: Any) -> str:
    return str(int(value)) if isinstance(value, bool) else str(value)
