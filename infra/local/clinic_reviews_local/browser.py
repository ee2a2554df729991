"""Headless Chromium for the browser tests and the demo's screenshot: Debian's chromium driven by playwright.

`make browser` installs both (Debian's `chromium` with apt-get when it is missing, and the pinned
playwright of the `browser` extra); playwright's own browser download is never used. Without them,
`unavailable()` says why, and callers skip (tests) or go on without a screenshot (the demo).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clinic_reviews_local.http import LocalHttpServer

CHROMIUM = os.environ.get("CLINIC_REVIEWS_CHROMIUM", "/usr/bin/chromium")
#: Headless (playwright adds the flag) on a machine with no screen and a closed network: no sandbox (root), no GPU, no QUIC, no
#: background connections (they are refused here, many at a time), no first-run or update work.
FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
#: A phone-sized window: the page is mobile first.
PHONE = {"width": 390, "height": 844}
#: The pages' language (the sample chain's; a shot may ask for another).
LOCALE = "ru-RU"


def unavailable() -> str | None:
    """Why no browser can be started here, or None when playwright and Chromium are both present. Looks for playwright
    without importing it (the import is Chromium's thread's, off the demo's path)."""
    from importlib.util import find_spec

    if find_spec("playwright") is None:
        return "playwright is not installed (`make browser` installs the pinned `browser` extra)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (`make browser` installs Debian's chromium with apt-get)"
    return None


@contextmanager
def chromium() -> Iterator[Any]:
    """A started headless Chromium (a playwright Browser); RuntimeError saying why when it cannot start."""
    reason = unavailable()
    if reason:
        raise RuntimeError(reason)
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(FLAGS), timeout=60_000)
        except Error as exc:
            raise RuntimeError(f"Chromium at {CHROMIUM} did not start: {str(exc).splitlines()[0]}") from None
        try:
            yield browser
        finally:
            browser.close()


class Background:
    """Chromium started once, in a thread of its own, while the caller goes on (the demo starts it before
    deploying, so its start-up overlaps the replay). playwright's sync API belongs to the thread that started it:
    `submit(job)` queues `job(browser)` in that thread, so jobs run in the caller's order.

    `shots`: how many screenshots the caller will take, when it knows. Their tabs (a context and a page each, the
    slowest step of a shot) are opened right after the start, while the caller is busy, and Chromium closes as soon
    as the last of them is taken, while the caller goes on (a later job finds it closed and says so)."""

    def __init__(self, shots: int | None = None):
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")  # one thread, reused
        self._open = ExitStack()
        self._left = shots
        self._tabs: list[Any] = []
        self._browser = self._thread.submit(self._start)

    def _start(self) -> Any:
        browser = self._open.enter_context(chromium())
        self._tabs = [browser.new_context(viewport=PHONE, locale=LOCALE).new_page() for _ in range(self._left or 0)]
        return browser

    def submit(self, job: Callable[[Any], Any]) -> Future:
        """`job(browser)` in Chromium's thread, after the jobs before it; the future raises RuntimeError when
        Chromium did not start (why) or was closed after its `shots`."""
        return self._thread.submit(self._run, job)

    def _run(self, job: Callable[[Any], Any]) -> Any:
        browser = self._browser.result()
        if not browser.is_connected():
            raise RuntimeError("Chromium was closed after the screenshots it was started for")
        return job(browser)

    def tab(self, browser: Any, viewport: dict[str, int], locale: str) -> Any:
        """A page of `viewport` and `locale` in a context of its own (in Chromium's thread): one opened ahead if any."""
        if self._tabs and locale == LOCALE:
            page = self._tabs.pop(0)
            if viewport != PHONE:
                page.set_viewport_size(viewport)
            return page
        return browser.new_context(viewport=viewport, locale=locale).new_page()

    def done_with(self, page: Any) -> None:
        """A shot's page is done with (in Chromium's thread); after the last of `shots`, Chromium closes next."""
        page.context.close()
        if self._left is not None:
            self._left -= 1
            if self._left == 0:
                self._thread.submit(self._open.close)

    def close(self) -> None:
        self._thread.submit(self._open.close).result()
        self._thread.shutdown()


_background: Background | None = None


@contextmanager
def started_early(shots: int | None = None) -> Iterator[None]:
    """Start Chromium now in the background for the screenshots taken inside the block; closed at its end, or right
    after the last of `shots` (when the caller knows how many it will take). Without a browser nothing starts
    (`screenshot` then says why)."""
    global _background
    if unavailable() or _background is not None:
        yield
        return
    _background = Background(shots)
    try:
        yield
    finally:
        background, _background = _background, None
        background.close()


class _FirstPageServer(LocalHttpServer):
    """The page's own request goes through the stack while the caller waits (`page_served`); after it the caller
    goes on, so nothing else may touch the stack: a later GET is answered 404 and noted in `missed` (the pages are
    self-contained; Chromium's own /favicon.ico probe is not noted), any other request is answered 204 and kept in
    `deferred` for the caller to send through the stack when the screenshot is done."""

    FAVICON = "/favicon.ico"

    def __init__(self, aws, routes: dict[str, str], path: str):
        super().__init__(aws, routes)
        self._path = path
        self.page_served: Future = Future()
        self.missed: list[str] = []
        self.deferred: list[tuple[str, str, bytes | None, dict[str, str]]] = []

    def dispatch(self, method, path, body, headers):
        if not self.page_served.done() and method == "GET" and path == self._path:
            try:
                return super().dispatch(method, path, body, headers)
            finally:
                self.page_served.set_result(None)
        if method != "GET":
            self.deferred.append((method, path, body, headers))
            return 204, {}, b""
        if path != self.FAVICON:
            self.missed.append(path)
        return 404, {"content-type": "text/plain"}, b"not found"

    def send_deferred(self) -> None:
        """The held requests, through the stack in the order the page made them (in the caller's thread)."""
        for method, path, body, headers in self.deferred:
            super().dispatch(method, path, body, headers)


@dataclass
class Shot:
    """A screenshot of `target`, taken or under way in Chromium's thread. `result()` waits for it, sends the requests
    the page made after loading through the stack (in the caller's thread) and returns why no PNG was saved, or None."""

    target: Path
    _job: Future | None = None
    _server: _FirstPageServer | None = None
    _reason: str | None = None
    _done: bool = False

    @property
    def held_back(self) -> list[str]:
        """The requests the page made after loading, not yet sent through the stack ("POST /f/.../seen")."""
        return [] if self._server is None or self._done else [f"{m} {p}" for m, p, _, _ in self._server.deferred]

    def result(self) -> str | None:
        if self._done:
            return self._reason
        self._done = True
        try:
            self._job.result()
        except Exception as exc:  # noqa: BLE001 - whatever stopped Chromium is the reason; a screenshot never fails the demo
            self._reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        finally:
            self._server.__exit__(None, None, None)
        self._server.send_deferred()
        if self._reason is None and self._server.missed:
            self._reason = f"the page asked for what it was not served: {', '.join(self._server.missed)}"
        return self._reason


def screenshot(aws, routes: dict[str, str], path: str, target: Path, viewport: dict[str, int] = PHONE,
               locale: str = LOCALE, cookies: list[dict[str, str]] | None = None) -> Shot:
    """Serve `routes` of the local stack, open `path` in Chromium, save a full-page PNG at `target`.

    Inside `started_early()` the caller goes on as soon as the page itself has been served, while Chromium
    renders it (the screenshot is off the caller's path); outside it, Chromium starts for this shot and the call
    returns when it is done. `Shot.result()` says why not (None when saved): no browser, or Chromium failing or
    timing out. A screenshot never fails the demo.
    """
    reason = unavailable()
    if reason:
        return Shot(target, _reason=reason, _done=True)

    def shoot(background: Background, browser: Any, url: str) -> None:
        page = background.tab(browser, viewport, locale)
        try:
            if cookies:
                page.context.add_cookies([{**cookie, "url": url} for cookie in cookies])
            page.goto(url + path)
            page.screenshot(path=str(target), full_page=True)
        finally:
            background.done_with(page)

    if _background is None:  # no browser started early: one for this shot, done before returning
        with started_early():
            shot = screenshot(aws, routes, path, target, viewport, locale, cookies)
            shot.result()
            return shot
    background = _background
    server = _FirstPageServer(aws, routes, path).__enter__()
    job = background.submit(lambda browser: shoot(background, browser, server.url))
    wait([job, server.page_served], return_when=FIRST_COMPLETED)
    return Shot(target, job, server)
