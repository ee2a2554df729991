"""Headless Chromium for the browser tests and the demo's screenshot: Debian's chromium driven by playwright.

`make browser` installs both (Debian's `chromium` with apt-get when it is missing, and the pinned
playwright of the `browser` extra); playwright's own browser download is never used. Without them,
`unavailable()` says why, and callers skip (tests) or go on without a screenshot (the demo).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from typing import Any

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
    `run(job)` runs `job(browser)` in that thread while the caller waits, so what a job does happens in the
    caller's order."""

    def __init__(self):
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")  # one thread, reused
        self._open = ExitStack()
        self._browser = self._thread.submit(self._start)

    def _start(self) -> Any:
        return self._open.enter_context(chromium())

    def run(self, job: Callable[[Any], Any]) -> Any:
        """`job(browser)` in Chromium's thread; RuntimeError when Chromium did not start (why)."""
        return self._thread.submit(lambda: job(self._browser.result())).result()

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


def screenshot(aws, routes: dict[str, str], path: str, target, viewport: dict[str, int] = PHONE,
               locale: str = "ru-RU", cookies: list[dict[str, str]] | None = None) -> str | None:
    """Serve `routes` of the local stack, open `path` in Chromium, save a full-page PNG at `target`.

    Returns why not (None when saved): no browser, or Chromium failing or timing out. A screenshot
    never fails the demo. Inside `started_early()` the browser started there is used.
    """
    from clinic_reviews_local.http import LocalHttpServer

    reason = unavailable()
    if reason:
        return reason
    from playwright.sync_api import Error

    def shoot(browser: Any, url: str) -> None:
        context = browser.new_context(viewport=viewport, locale=locale)
        if cookies:
            context.add_cookies([{**cookie, "url": url} for cookie in cookies])
        page = context.new_page()
        page.goto(url + path)
        page.screenshot(path=str(target), full_page=True)
        context.close()

    try:
        with LocalHttpServer(aws, routes) as server:
            if _background is not None:
                _background.run(lambda browser: shoot(browser, server.url))
            else:
                with chromium() as browser:
                    shoot(browser, server.url)
    except (RuntimeError, Error) as exc:
        return str(exc).splitlines()[0]
    return None
