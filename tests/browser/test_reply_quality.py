"""The reply's checklist score in the console before it is posted, in real headless Chromium (docs/insights.md)."""

from __future__ import annotations

import pytest

from .test_case_console import console, press  # noqa: F401  (the fixture and the keyboard helper)

expect = pytest.importorskip("playwright.sync_api", reason="playwright (the browser extra) is not installed").expect


def test_the_score_and_what_is_missing_before_posting(browser, console, screenshots):  # noqa: F811
    with console() as (aws, server):
        page = browser.new_page(viewport={"width": 1000, "height": 900}, locale="ru-RU")
        page.goto(server.url + "/console/login")
        press(page, page.get_by_role("button", name="Анна Смирнова — менеджер по отзывам, все клиники"))
        page.wait_for_url(server.url + "/console")
        press(page, page.get_by_role("listitem").first.get_by_role("link"))
        page.wait_for_url("**/console/cases/*")
        press(page, page.get_by_role("button", name="Взять случай"))
        page.wait_for_url("**?done=taken")
        # the draft's score, shown before anything is posted
        quality = page.locator("#quality")
        draft_score = int(page.locator("#quality-score").inner_text())
        assert "Качество ответа" in quality.inner_text() and 0 <= draft_score <= 100
        assert "✓ благодарность" in quality.inner_text() and "✓ не подтверждать, что автор — пациент" in quality.inner_text()
        page.screenshot(path=str(screenshots / "console-reply-quality-draft.png"), full_page=True)
        original = page.get_by_label("Ответ (черновик, можно править)").input_value()
        # a curt edit: checked again without posting, and the page says what it lacks
        page.get_by_label("Ответ (черновик, можно править)").fill("Спасибо за отзыв.")
        press(page, page.get_by_role("button", name="Проверить ответ"))
        expect(page.locator("#quality")).to_contain_text("не хватает")  # waits for the checked page
        text = page.locator("#quality").inner_text()
        assert "извинение" in text and "контакт для личного разговора" in text and "объём ответа" in text
        assert int(page.locator("#quality-score").inner_text()) < draft_score
        assert page.get_by_label("Ответ (черновик, можно править)").input_value() == "Спасибо за отзыв."
        assert page.locator("#status").inner_text() == "взят"  # nothing recorded, nothing posted
        page.screenshot(path=str(screenshots / "console-reply-quality-edit.png"), full_page=True)
        # the draft again, approved: the reply log says who posted it
        page.get_by_label("Ответ (черновик, можно править)").fill(original)
        press(page, page.get_by_role("button", name="Утвердить: опубликую вручную"))
        page.wait_for_url("**?done=reply")
        from datetime import timedelta

        from clinic_reviews import compose
        from clinic_reviews.settings import get_settings

        now = aws.clock.now()
        (posted,) = list(compose.Table(get_settings()).replies.between("zdorovie", now - timedelta(hours=1), now + timedelta(hours=1)))
        assert posted.who == "Анна Смирнова" and posted.text.replace("\r\n", "\n") == original  # a form sends CRLF
