"""The post-visit landing page in real headless Chromium, served by the local stack on localhost."""

from __future__ import annotations

from clinic_reviews_local.browser import PHONE

from .conftest import wait_for


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two `rgb(r, g, b)` colours."""

    def luminance(colour: str) -> float:
        channels = [int(part) / 255 for part in colour[colour.index("(") + 1 : colour.index(")")].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_rate_two_stars_then_see_the_director_and_the_public_links(browser, site, screenshots, policy):
    with site() as s:
        page = browser.new_page(viewport=PHONE)
        response = page.goto(s.url)
        assert response.status == 200
        assert page.get_by_role("heading", level=1).inner_text() == "Как прошёл ваш визит?"
        assert wait_for(lambda: s.figures()["opened"] == 1)  # the page's script reported a real browser
        page.screenshot(path=str(screenshots / "feedback-question.png"), full_page=True)
        page.get_by_label("2 из 5: плохо").check()
        page.get_by_label("Комментарий (необязательно)").fill("Ждала приёма 40 минут, врач торопился")
        page.get_by_role("button", name="Отправить оценку").click()
        page.wait_for_url(s.url)
        assert page.get_by_role("heading", level=1).inner_text() == "Спасибо за оценку!"
        assert "Ваша оценка: 2 из 5." in page.get_by_role("status").first.inner_text()
        director = page.get_by_role("region", name="Написать директору напрямую")
        assert director.is_visible()
        assert director.get_by_label("Прошу директора перезвонить мне").is_visible()
        public = page.get_by_role("region", name="Открытый отзыв")
        names = [name.strip() for name in public.get_by_role("link").all_inner_texts()]
        clinic_links = policy.clinic("msk-arbat").public_links
        assert [n.split("(")[0].strip() for n in names] == ["Яндекс Карты", "2ГИС", "Google Карты", "ПроДокторов"]
        assert [a.get_attribute("href") for a in public.get_by_role("link").all()] == list(clinic_links.values())
        page.screenshot(path=str(screenshots / "feedback-unhappy.png"), full_page=True)
        figures = s.figures()
        assert (figures["rated"], figures["private_complaints"], figures["opened"]) == (1, 1, 1)
        # a click on a public link is counted by the page's script (the platform itself is not reached here)
        page.context.route("https://**", lambda route: route.abort())
        with page.context.expect_page():
            public.get_by_role("link", name="Яндекс Карты").click()
        assert wait_for(lambda: s.figures()["public_clicks"] == 1)
        # the director: a call-back request
        director.get_by_label("Прошу директора перезвонить мне").check()
        director.get_by_role("button", name="Отправить директору").click()
        page.wait_for_url(s.url)
        assert "Вам перезвонят" in page.get_by_role("region", name="Написать директору напрямую").inner_text()
        assert s.figures()["callbacks"] == 1
        assert any(e["name"].startswith("esc-") for e in s.aws.executions())  # the director is alerted


def test_keyboard_only(browser, site):
    with site() as s:
        page = browser.new_page(viewport=PHONE)
        page.goto(s.url)

        def focused() -> str:
            return page.evaluate(
                "() => { const e = document.activeElement; return e.id || e.getAttribute('data-source') || "
                "e.textContent.trim() || e.tagName; }"
            )

        order = []
        for _ in range(9):
            page.keyboard.press("Tab")
            order.append(focused())
        # language, the star group (one stop), the comment, send, the public links, opting out
        assert order == ["English", "rating-1", "comment", "Отправить оценку", "yandex", "2gis", "google",
                         "prodoctorov", "Больше не присылать мне такие SMS"]
        outline = page.evaluate(
            "() => getComputedStyle(document.querySelector('label[for=rating-1]')).outlineStyle"
        )
        assert outline == "none"  # not focused now
        for _ in range(7):  # back from "opting out" to the stars
            page.keyboard.press("Shift+Tab")
        assert focused() == "rating-1"
        assert page.evaluate("() => getComputedStyle(document.querySelector('label[for=rating-1]')).outlineStyle") == "solid"
        page.keyboard.press("ArrowRight")  # arrows move within the group and choose
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowLeft")
        assert page.evaluate("() => document.querySelector('input[name=rating]:checked').value") == "2"
        page.keyboard.press("Tab")
        page.keyboard.type("Долго ждала")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_url(s.url)
        assert page.get_by_role("heading", level=1).inner_text() == "Спасибо за оценку!"
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert focused() == "message"  # straight into the director form
        assert s.figures()["rated"] == 1


def test_accessible_on_a_phone(browser, site):
    with site() as s:
        page = browser.new_page(viewport={"width": 320, "height": 640})
        page.goto(s.url)
        assert page.evaluate("() => document.documentElement.lang") == "ru"
        assert page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth")  # no sideways scroll
        for n in range(1, 6):
            box = page.locator(f"label[for=rating-{n}]").bounding_box()
            assert box["width"] >= 44 and box["height"] >= 44  # touch targets
        stars = page.get_by_role("group", name="Оцените визит от 1 до 5 звёзд")  # a fieldset with its legend
        assert stars.is_visible()
        assert stars.get_by_role("radio").count() == 5
        styles = page.evaluate("""() => {
            const css = (selector, property) => getComputedStyle(document.querySelector(selector))[property];
            return {
                body: [css('body', 'color'), css('body', 'backgroundColor')],
                hint: [css('.hint', 'color'), css('body', 'backgroundColor')],
                clinic: [css('.clinic', 'color'), css('body', 'backgroundColor')],
                star: [css('.stars .star', 'color'), css('.stars label', 'backgroundColor')],
                number: [css('.stars .num', 'color'), css('.stars label', 'backgroundColor')],
                button: [css('button[type=submit]', 'color'), css('button[type=submit]', 'backgroundColor')],
                link: [css('a[data-source]', 'color'), css('a[data-source]', 'backgroundColor')],
                optout: [css('button.quiet', 'color'), css('body', 'backgroundColor')],
            };
        }""")
        for name, (foreground, background) in styles.items():
            assert contrast(foreground, background) >= 4.5, (name, foreground, background)
        assert page.evaluate("() => [...document.querySelectorAll('img, link[rel=stylesheet], script[src]')].length") == 0


def test_works_without_javascript_and_in_english(browser, site):
    with site(language="en") as s:
        context = browser.new_context(java_script_enabled=False, viewport=PHONE)
        page = context.new_page()
        page.goto(s.url)
        assert page.get_by_role("heading", level=1).inner_text() == "How was your visit?"
        page.get_by_label("5 of 5: excellent").check()
        page.get_by_role("button", name="Send my rating").click()
        page.wait_for_url(s.url)
        assert page.get_by_role("heading", level=1).inner_text() == "Thank you for your rating!"
        assert page.get_by_role("region", name="A public review").is_visible()
        assert page.get_by_role("region", name="Tell the director directly").count() == 0
        page.get_by_role("link", name="Русский").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Спасибо за оценку!"
        assert s.figures()["opened"] == 1 and s.figures()["rated"] == 1  # the answer itself counts the open
        context.close()


def test_a_tampered_link_and_opting_out(browser, site, screenshots):
    with site() as s:
        page = browser.new_page(viewport=PHONE)
        token = s.path.rsplit("/", 1)[1]
        tampered = s.server.url + "/f/" + token[:-1] + ("A" if token[-1] != "A" else "B")
        response = page.goto(tampered)
        assert response.status == 404
        assert page.get_by_role("heading", level=1).inner_text() == "Ссылка не действует"
        page.goto(s.url)
        page.get_by_role("button", name="Больше не присылать мне такие SMS").click()
        assert "больше не придут" in page.get_by_role("status").inner_text()
        assert s.figures()["opt_outs"] == 1
        page.screenshot(path=str(screenshots / "feedback-opted-out.png"), full_page=True)
