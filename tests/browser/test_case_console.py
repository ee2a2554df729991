"""The case console in real headless Chromium: sign in, open → take → approve the reply → close, by keyboard."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from clinic_reviews_local.browser import PHONE

from .conftest import START, wait_for

expect = pytest.importorskip("playwright.sync_api", reason="playwright (the browser extra) is not installed").expect


@pytest.fixture
def console(policy):
    @contextmanager
    def make():
        from clinic_reviews_local.http import LocalHttpServer
        from clinic_reviews_local.stack import LocalStack

        with LocalStack(start=START, dev_login=True) as aws:
            aws.put_policy(policy)
            aws.invoke("IntakeFunction", {"reviews": [{
                "clinic_id": "msk-arbat", "source": "yandex", "external_id": "b-1", "rating": 1,
                "text": "Администратор нахамила, ждали приёма больше часа", "author": "Мария Иванова",
                "created_at": "2026-12-07T08:55:00Z", "url": "https://yandex.example/reviews/b-1",
            }]})
            with LocalHttpServer(aws, {"/": "CasesFunction"}) as server:
                yield aws, server

    return make


def press(page, locator) -> None:
    """Reach the control with Tab alone (it is in the tab order) and press Enter on it."""
    locator.focus()
    assert locator.evaluate("el => el.tabIndex >= 0 && !el.disabled")
    page.keyboard.press("Enter")


def test_a_whole_case_on_a_phone_in_russian(browser, console, screenshots):
    with console() as (aws, server):
        page = browser.new_page(viewport=PHONE, locale="ru-RU")
        page.goto(server.url + "/console")
        assert page.url.endswith("/console/login")
        assert "Только для локального запуска" in page.get_by_role("note").inner_text()
        press(page, page.get_by_role("button", name="Анна Смирнова — менеджер по отзывам, все клиники"))
        page.wait_for_url(server.url + "/console")
        assert page.get_by_role("heading", level=1).inner_text() == "Очередь случаев"
        item = page.get_by_role("listitem").first
        assert "осталось" in item.inner_text() and "Здоровье на Арбате" in item.inner_text()
        page.screenshot(path=str(screenshots / "console-queue-phone.png"), full_page=True)
        # open
        press(page, item.get_by_role("link"))
        page.wait_for_url("**/console/cases/*")
        assert "Мария" not in page.get_by_role("region", name="Отзыв").inner_text()  # no author's name
        assert "ожидание" in page.get_by_role("region", name="Разбор").inner_text()
        # take
        press(page, page.get_by_role("button", name="Взять случай"))
        page.wait_for_url("**?done=taken")
        assert page.get_by_role("status").first.inner_text() == "Случай взят."
        assert page.locator("#status").inner_text() == "взят"
        # the draft and its privacy check; an edit that names the patient is refused
        draft = page.get_by_label("Ответ (черновик, можно править)")
        assert "Здравствуйте" in draft.input_value()
        assert "Проверка приватности пройдена" in page.locator("#check").inner_text()
        original = draft.input_value()
        draft.fill("Мария, ждём вас в понедельник 14 декабря")
        press(page, page.get_by_role("button", name="Утвердить: опубликую вручную"))
        alert = page.locator("#check")
        expect(alert).to_contain_text("Проверка приватности не пройдена")  # waits for the refused POST's page
        assert "date" in alert.inner_text()
        assert page.locator("#status").inner_text() == "взят"  # nothing recorded
        # approve the draft
        page.get_by_label("Ответ (черновик, можно править)").fill(original)
        press(page, page.get_by_role("button", name="Утвердить: опубликую вручную"))
        page.wait_for_url("**?done=reply")
        assert page.locator("#status").inner_text() == "ответили публично"
        page.screenshot(path=str(screenshots / "console-case-phone.png"), full_page=True)
        # close with outcome and root cause (keyboard: selects and the checkbox)
        page.get_by_label("Итог").select_option("patient_satisfied")
        page.get_by_label("Причина", exact=True).select_option("front_desk")
        page.get_by_label("Системная причина").focus()
        page.keyboard.press("Space")
        page.get_by_label("Что меняем, чтобы не повторилось").fill("Разобрать с администраторами скрипт приёма")
        press(page, page.get_by_role("button", name="Закрыть случай"))
        page.wait_for_url("**/console?done=closed")
        assert page.get_by_role("status").first.inner_text() == "Случай закрыт."
        assert "Открытых случаев нет." in page.locator("main").inner_text()
        page.screenshot(path=str(screenshots / "console-closed-phone.png"), full_page=True)

        from clinic_reviews import compose
        from clinic_reviews.domain.review import ReviewKey
        from clinic_reviews.settings import get_settings

        record = compose.Table(get_settings()).reviews.get(ReviewKey("msk-arbat", "yandex", "b-1"))
        assert record.status == "answered"  # the escalation stops at its next tier step
        log = compose.Table(get_settings()).cases.log(ReviewKey("msk-arbat", "yandex", "b-1").token())
        assert [(e.event, e.actor, e.via) for e in log][1:] == [
            ("case.taken", "review_manager", "console"),
            ("case.action_recorded", "review_manager", "console"),
            ("case.closed", "review_manager", "console"),
        ]
        closed = log[-1].case
        assert (closed.outcome, closed.root_cause.topic, closed.root_cause.systemic) == ("patient_satisfied", "front_desk", True)
        aws.advance_to(datetime(2026, 12, 9, 20, 0, tzinfo=UTC))
        assert wait_for(lambda: aws.executions()[0]["status"] == "SUCCEEDED")
        assert len(aws.sent_sms()) == 1  # only the first alert


def test_english_and_a_laptop_queue_screenshot(browser, console, screenshots):
    with console() as (aws, server):
        page = browser.new_page(viewport={"width": 1100, "height": 800})
        page.goto(server.url + "/console/login?lang=en")
        press(page, page.get_by_role("button", name="Сергей Волков — director, all clinics"))
        page.wait_for_url(server.url + "/console")
        assert page.get_by_role("heading", level=1).inner_text() == "Case queue"
        assert " left" in page.get_by_role("listitem").first.inner_text()
        page.screenshot(path=str(screenshots / "console-queue-en.png"), full_page=True)
        press(page, page.get_by_role("button", name="Sign out"))
        page.wait_for_url("**/console/login")
        page.goto(server.url + "/console")
        assert page.url.endswith("/console/login")


def test_a_clinic_manager_signs_in_with_her_password_and_sees_only_her_clinic(browser, console, screenshots):
    from clinic_reviews_local.users import add_user

    with console() as (aws, server):
        aws.invoke("IntakeFunction", {"reviews": [{
            "clinic_id": "ekb-center", "source": "2gis", "external_id": "e-1", "rating": 1,
            "text": "Грубый администратор в регистратуре", "author": "Пётр", "created_at": "2026-12-07T08:50:00Z",
        }]})
        add_user(aws, "o.kuznetsova", "Ekaterinburg-2026", "review_manager", ["ekb-center"], "Ольга Кузнецова")
        page = browser.new_page(viewport=PHONE, locale="ru-RU")
        page.goto(server.url + "/console")
        assert page.url.endswith("/console/login")
        page.get_by_label("Имя пользователя").fill("o.kuznetsova")
        page.get_by_label("Пароль").fill("Ekaterinburg-2025")
        press(page, page.get_by_role("button", name="Войти", exact=True))
        expect(page.get_by_role("alert")).to_contain_text("wrong user name or password")
        page.get_by_label("Имя пользователя").fill("o.kuznetsova")
        page.get_by_label("Пароль").fill("Ekaterinburg-2026")
        press(page, page.get_by_role("button", name="Войти", exact=True))
        page.wait_for_url(server.url + "/console")
        items = page.get_by_role("listitem")
        assert items.count() == 1
        assert "Здоровье, Екатеринбург" in items.first.inner_text()
        assert "Арбат" not in page.locator("main").inner_text()  # the Moscow case is not hers
        page.screenshot(path=str(screenshots / "console-signed-in-manager.png"), full_page=True)
