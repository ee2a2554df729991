"""The demo's screenshots in the background Chromium (clinic_reviews_local.browser): the caller goes on once the page
itself is served; the page's own requests reach the stack when the caller asks for the result."""

from __future__ import annotations

from clinic_reviews_local.browser import screenshot, started_early

from .conftest import wait_for


def test_the_feedback_page_shot_in_the_background_and_its_open_counted_after(site, tmp_path):
    target = tmp_path / "feedback.png"
    with site() as s, started_early():
        shot = screenshot(s.aws, {"/f/": "FeedbackFunction"}, s.path, target)
        assert wait_for(lambda: shot.held_back == [f"POST {s.path}/seen"])  # the page's script reported itself ...
        assert s.figures()["opened"] == 0  # ... and it waits while the caller goes on
        assert shot.result() is None
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert s.figures()["opened"] == 1  # ... and sent through the stack by result()
        assert shot.result() is None  # asked again: the same answer, nothing sent twice
        assert s.figures()["opened"] == 1


def test_without_the_background_browser_the_shot_is_taken_at_once(site, tmp_path):
    target = tmp_path / "feedback.png"
    with site() as s:
        shot = screenshot(s.aws, {"/f/": "FeedbackFunction"}, s.path, target)
        assert shot.held_back == [] and shot.result() is None  # done before returning, its requests sent
        assert target.is_file() and s.figures()["opened"] == 1
