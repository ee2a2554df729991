"""Browser fixtures: headless Chromium (Debian's, driven by playwright) and the landing page on localhost.

The tests skip, with the reason, only where the browser cannot be had: `make browser` (which `make test`
runs first) installs Debian's chromium and the pinned playwright.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

#: Monday 2026-12-07, 12:00 in Moscow.
START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "browser"


@pytest.fixture(scope="session")
def browser():
    from clinic_reviews_local.browser import chromium, unavailable

    reason = unavailable()
    if reason:
        pytest.skip(f"browser tests skipped: {reason}")
    try:
        with chromium() as started:
            yield started
    except RuntimeError as exc:
        pytest.skip(f"browser tests skipped: {exc}")


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


class Site:
    """The local stack with one visit whose SMS went out, and the landing page served on localhost."""

    def __init__(self, aws, server, path: str):
        self.aws = aws
        self.server = server
        self.path = path

    @property
    def url(self) -> str:
        return self.server.url + self.path

    def figures(self) -> dict:
        from clinic_reviews import compose
        from clinic_reviews.services.feedback import feedback_figures
        from clinic_reviews.settings import get_settings

        return feedback_figures(compose.Table(get_settings()).feedback, "zdorovie", "2026-12")["total"]


@pytest.fixture
def site(policy):
    @contextmanager
    def make(chain_policy=None, language="ru"):
        from clinic_reviews_local.http import LocalHttpServer
        from clinic_reviews_local.stack import LocalStack

        with LocalStack(start=START) as aws:
            aws.put_policy(chain_policy or policy)
            aws.put_events("visit.completed", {
                "clinic_id": "msk-arbat", "visit_id": "V-1", "visit_end": "2026-12-07T11:30:00+03:00",
                "patient_phone": "+79161234567", "consent": True, "language": language,
            })
            aws.advance_to(datetime(2026, 12, 7, 9, 30, tzinfo=UTC))
            [(_, text)] = [m for m in aws.sent_sms() if "/f/" in m[1]]
            path = "/f/" + re.search(r"/f/([A-Za-z0-9_-]{28})", text).group(1)
            with LocalHttpServer(aws, {"/f/": "FeedbackFunction"}) as server:
                yield Site(aws, server, path)

    return make


def wait_for(condition, timeout: float = 10.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()
