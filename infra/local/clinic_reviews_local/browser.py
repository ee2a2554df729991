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


def unavailable() -> str | None:
    """Why no browser can be started here, or None when playwright and Chromium are both present."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
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
    `submit(job)` queues `job(browser)` in that thread, so jobs run in the caller's order."""

    def __init__(self):
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")  # one thread, reused
        self._open = ExitStack()
        self._browser = self._thread.submit(self._start)

    def _start(self) -> Any:
        return self._open.enter_context(chromium())

    def submit(self, job: Callable[[Any], Any]) -> Future:
        """`job(browser)` in Chromium's thread, after the jobs before it; the future raises RuntimeError when
        Chromium did not start (why)."""
        return self._thread.submit(lambda: job(self._browser.result()))

    def close(self) -> None:
        self._thread.submit(self._open.close).result()
        self._thread.shutdown()


_background: Background | None = None


@contextmanager
def started_early() -> Iterator[None]:
    """Start Chromium now in the background for the screenshots taken inside the block; closed at its end.
    Without a browser nothing starts (`screenshot` then says why)."""
    global _background
    if unavailable() or _background is not None:
        yield
        return
    _background = Background()
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
               locale: str = "ru-RU", cookies: list[dict[str, str]] | None = None) -> Shot:
    """Serve `routes` of the local stack, open `path` in Chromium, save a full-page PNG at `target`.

    Inside `started_early()` the caller goes on as soon as the page itself has been served, while Chromium
    renders it (the screenshot is off the caller's path); outside it, Chromium starts for this shot and the call
    returns when it is done. `Shot.result()` says why not (None when saved): no browser, or Chromium failing or
    timing out. A screenshot never fails the demo.
    """
    reason = unavailable()
    if reason:
        return Shot(target, _reason=reason, _done=True)

    def shoot(browser: Any, url: str) -> None:
        context = browser.new_context(viewport=viewport, locale=locale)
        if cookies:
            context.add_cookies([{**cookie, "url": url} for cookie in cookies])
        page = context.new_page()
        page.goto(url + path)
        page.screenshot(path=str(target), full_page=True)
        context.close()

    if _background is None:  # no browser started early: one for this shot, done before returning
        with started_early():
            shot = screenshot(aws, routes, path, target, viewport, locale, cookies)
            shot.result()
            return shot
    server = _FirstPageServer(aws, routes, path).__enter__()
    job = _background.submit(lambda browser: shoot(browser, server.url))
    wait([job, server.page_served], return_when=FIRST_COMPLETED)
    return Shot(target, job, server)
