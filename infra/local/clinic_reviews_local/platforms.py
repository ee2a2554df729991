"""Fake review platforms for the local stack: Google Business Profile, 2GIS and VK over an httpx transport.

The fetch function's connectors talk HTTP as on AWS; `LocalStack.serve_http(platforms.transport())`
answers them from pages held here (fixture files or generated pages), never from the internet.

- Google: `POST oauth2.googleapis.com/token` and `GET …/accounts/{a}/locations/{l}/reviews`, paged by
  `pageToken` (`nextPageToken` is set to `page-<n>` here).
- 2GIS: `GET public-api.reviews.2gis.com/2.0/branches/{id}/reviews`, paged by `meta.next_link`.
- VK: `POST api.vk.com/method/wall.getComments|board.getComments`, paged by `offset`.

A locator with no pages answers an empty list. Faults are queued per platform: an `httpx.Response`
(429, 500 …), an exception (`httpx.ReadTimeout`), `TRUNCATED` (the page body cut in half) or
`MALFORMED` (an HTML error page with status 200); `repeat=True` keeps answering the fault.
"""

from __future__ import annotations

import copy
import json
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

GOOGLE_HOST = "mybusiness.googleapis.com"
OAUTH_HOST = "oauth2.googleapis.com"
TWOGIS_HOST = "public-api.reviews.2gis.com"
VK_HOST = "api.vk.com"

TRUNCATED = "truncated"
MALFORMED = "malformed"


@dataclass
class _Fault:
    answer: Any
    repeat: bool = False


@dataclass
class FakePlatforms:
    google: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # location id -> pages
    twogis: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # branch id -> pages
    vk: dict[tuple[str, int, int], list[dict[str, Any]]] = field(default_factory=dict)  # (wall|board, group, item)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (platform, path) per request served
    _faults: dict[str, deque[_Fault]] = field(default_factory=dict)

    # ------------------------------------------------------------------ configuring
    def load(self, platform: str, locator: Any, *pages: Path | dict[str, Any]) -> None:
        """Pages of one locator (a Google location id, a 2GIS branch id, a VK (kind, group, item)), newest first."""
        loaded = [json.loads(p.read_text(encoding="utf-8")) if isinstance(p, Path) else copy.deepcopy(p) for p in pages]
        {"google": self.google, "2gis": self.twogis, "vk": self.vk}[platform][locator] = loaded

    def fail(self, platform: str, *answers: Any, repeat: bool = False) -> None:
        """The next requests to `platform` (google, oauth, 2gis, vk) get `answers`, in order."""
        queue = self._faults.setdefault(platform, deque())
        queue.extend(_Fault(a, repeat) for a in answers)

    def heal(self, platform: str | None = None) -> None:
        """Forget queued faults (of one platform, or all)."""
        if platform is None:
            self._faults.clear()
        else:
            self._faults.pop(platform, None)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._handle)

    def count(self, platform: str) -> int:
        return sum(1 for p, _ in self.requests if p == platform)

    # ------------------------------------------------------------------ serving
    def _handle(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        platform = {OAUTH_HOST: "oauth", GOOGLE_HOST: "google", TWOGIS_HOST: "2gis", VK_HOST: "vk"}.get(host)
        if platform is None:
            return httpx.Response(404, json={"error": "unknown host"})
        self.requests.append((platform, request.url.path))
        body = {"oauth": self._oauth, "google": self._google, "2gis": self._twogis, "vk": self._vk}[platform](request)
        fault = self._next_fault(platform)
        if fault is None:
            return httpx.Response(200, content=_encode(body), headers={"Content-Type": "application/json"})
        if isinstance(fault, httpx.Response):
            return fault
        if isinstance(fault, Exception):
            raise fault
        if fault == TRUNCATED:
            data = _encode(body)
            return httpx.Response(200, content=data[: len(data) // 2], headers={"Content-Type": "application/json"})
        if fault == MALFORMED:
            return httpx.Response(200, content=b"<html><body>Service temporarily unavailable</body></html>")
        raise ValueError(f"unknown fault {fault!r}")

    def _next_fault(self, platform: str) -> Any:
        queue = self._faults.get(platform)
        if not queue:
            return None
        fault = queue[0]
        if not fault.repeat:
            queue.popleft()
        return fault.answer

    def _oauth(self, request: httpx.Request) -> dict[str, Any]:
        return {"access_token": "local-access-token", "expires_in": 3599, "token_type": "Bearer"}

    def _google(self, request: httpx.Request) -> dict[str, Any]:
        location = request.url.path.split("/locations/")[1].split("/")[0]
        pages = self.google.get(location, [])
        index = _index(request.url.params.get("pageToken"))
        if index >= len(pages):
            return {}
        page = copy.deepcopy(pages[index])
        page.pop("nextPageToken", None)
        if index + 1 < len(pages):
            page["nextPageToken"] = f"page-{index + 1}"
        return page

    def _twogis(self, request: httpx.Request) -> dict[str, Any]:
        branch = request.url.path.split("/branches/")[1].split("/")[0]
        pages = self.twogis.get(branch, [])
        index = int(request.url.params.get("page", "0"))
        if index >= len(pages):
            return {"meta": {"code": 200, "total_count": 0, "next_link": None}, "reviews": []}
        page = copy.deepcopy(pages[index])
        meta = page.setdefault("meta", {"code": 200})
        key = request.url.params.get("key", "")
        meta["next_link"] = (  # like the real API's, the link carries the caller's key
            f"https://{TWOGIS_HOST}/2.0/branches/{branch}/reviews?limit=50&sort_by=date_edited&page={index + 1}&key={key}"
            if index + 1 < len(pages)
            else None
        )
        return page

    def _vk(self, request: httpx.Request) -> dict[str, Any]:
        form = dict(httpx.QueryParams(request.content.decode()))
        method = request.url.path.rsplit("/", 1)[-1]
        if method == "wall.getComments":
            key = ("wall", abs(int(form["owner_id"])), int(form["post_id"]))
        elif method == "board.getComments":
            key = ("board", int(form["group_id"]), int(form["topic_id"]))
        else:
            return {"error": {"error_code": 3, "error_msg": "Unknown method passed"}}
        pages = self.vk.get(key, [])
        total = sum(len(p["response"]["items"]) for p in pages)
        offset, seen = int(form.get("offset", "0")), 0
        for page in pages:
            if seen == offset:
                body = copy.deepcopy(page)
                body["response"]["count"] = total
                return body
            seen += len(page["response"]["items"])
        return {"response": {"count": total, "items": [], "profiles": [], "groups": []}}


def _index(token: str | None) -> int:
    if not token:
        return 0
    return int(token.removeprefix("page-"))


def _encode(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()
