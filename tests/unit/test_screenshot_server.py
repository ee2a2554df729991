"""The demo's screenshot server (clinic_reviews_local.browser): only the page itself goes through the stack while
the demo waits; what the page asks for afterwards never touches the stack until `Shot.result()`."""

from __future__ import annotations

import urllib.error
import urllib.request
from concurrent.futures import Future
from pathlib import Path

from clinic_reviews_local.browser import Shot, _FirstPageServer


class Stack:
    """The local stack's HTTP entry, recorded (`aws.http` as LocalHttpServer calls it)."""

    def __init__(self):
        self.calls: list[tuple[str, str, str]] = []

    def http(self, logical_id, method, path, body, headers):
        self.calls.append((logical_id, method, path))
        return 200, {"content-type": "text/html"}, b"<html>page</html>"


def _ask(url: str, method: str = "GET") -> int:
    request = urllib.request.Request(url, method=method, data=b"{}" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_page_goes_through_the_stack_the_rest_waits_for_the_result():
    stack = Stack()
    server = _FirstPageServer(stack, {"/f/": "FeedbackFunction"}, "/f/token").__enter__()
    assert _ask(server.url + "/f/token") == 200 and server.page_served.done()
    assert _ask(server.url + "/f/token/seen", "POST") == 204  # the page's own report: kept
    assert _ask(server.url + "/f/style.css") == 404  # not served: the page must be self-contained
    assert _ask(server.url + "/favicon.ico") == 404  # Chromium's own probe
    assert stack.calls == [("FeedbackFunction", "GET", "/f/token")]  # nothing else touched the stack yet
    done: Future = Future()
    done.set_result(None)
    reason = Shot(Path("feedback.png"), done, server).result()
    assert stack.calls[1:] == [("FeedbackFunction", "POST", "/f/token/seen")]  # sent after the screenshot
    assert reason == "the page asked for what it was not served: /f/style.css"


def test_a_chromium_failure_is_the_reason_and_the_page_requests_still_reach_the_stack():
    stack = Stack()
    server = _FirstPageServer(stack, {"/": "CasesFunction"}, "/console").__enter__()
    _ask(server.url + "/console")
    _ask(server.url + "/api/seen", "POST")
    failed: Future = Future()
    failed.set_exception(RuntimeError("Chromium at /usr/bin/chromium did not start: gone\nmore"))
    assert Shot(Path("console.png"), failed, server).result() == "Chromium at /usr/bin/chromium did not start: gone"
    assert [call[1] for call in stack.calls] == ["GET", "POST"]
