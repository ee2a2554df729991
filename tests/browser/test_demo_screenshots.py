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


def _png_width(path) -> int:
    return int.from_bytes(path.read_bytes()[16:20], "big")  # the IHDR chunk's width


def test_the_tabs_of_the_shots_announced_are_opened_ahead_and_chromium_closes_after_the_last(site, tmp_path):
    from clinic_reviews_local import browser

    with site() as s, started_early(shots=2):
        background = browser._background
        assert background.submit(lambda started: len(started.contexts)).result() == 2  # opened while the caller worked
        first = screenshot(s.aws, {"/f/": "FeedbackFunction"}, s.path, tmp_path / "first.png")
        assert first.result() is None and _png_width(tmp_path / "first.png") == 390
        assert background.submit(lambda started: len(started.contexts)).result() == 1  # the shot took one, closed it
        wide = {"width": 1100, "height": 900}
        second = screenshot(s.aws, {"/f/": "FeedbackFunction"}, s.path, tmp_path / "second.png", wide)
        assert second.result() is None and _png_width(tmp_path / "second.png") == 1100  # the tab took the viewport
        late = screenshot(s.aws, {"/f/": "FeedbackFunction"}, s.path, tmp_path / "late.png")
        assert late.result() == "Chromium was closed after the screenshots it was started for"
        assert not (tmp_path / "late.png").exists()
