"""The landing page as HTML: labels, languages, escaping, no external assets, a CSP that matches its script."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest
from clinic_reviews.notify.feedback_page import CSP, HEADERS, SCRIPT, render_page
from clinic_reviews.services.feedback import FeedbackView, PublicLink

LINKS = (
    PublicLink("yandex", "Яндекс Карты", "https://yandex.example.org/maps/org/1"),
    PublicLink("2gis", "2ГИС", "https://2gis.example.org/firm/1"),
)


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.labels_for: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "label" and attributes.get("for"):
            self.labels_for.add(attributes["for"])


def parse(html: str) -> _Collect:
    collected = _Collect()
    collected.feed(html)
    return collected


def ask(**overrides) -> FeedbackView:
    return FeedbackView(**{"state": "ask", "lang": "ru", "clinic": "Здоровье на Арбате", "links": LINKS, **overrides})


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize(
    "view",
    [ask(), ask(state="answered", rating=2, offer_director=True, comment_sent=True), ask(state="answered", rating=5)],
)
def test_every_form_control_has_a_label(lang, view) -> None:
    page = parse(render_page("main", lang, "/f/TOKEN", view))
    controls = [a for tag, a in page.tags if tag in ("input", "textarea", "select") and a.get("type") != "hidden"]
    assert controls or view.rating == 5  # a happy answer leaves only the opt-out button
    for control in controls:
        assert control["id"] in page.labels_for, control
    assert ("html", {"lang": lang}) in page.tags


def test_the_question_page() -> None:
    html = render_page("main", "ru", "/f/TOKEN", ask())
    assert "<h1 id=\"title\">Как прошёл ваш визит?</h1>" in html
    assert html.count('type="radio"') == 5 and "1 из 5: очень плохо" in html and "5 из 5: отлично" in html
    assert 'action="/f/TOKEN"' in html and 'data-base="/f/TOKEN"' in html
    assert "Яндекс Карты" in html and "2ГИС" in html  # public links before any rating: nobody is gated


def test_the_unhappy_answer_offers_the_director_and_the_links() -> None:
    html = render_page("main", "en", "/f/TOKEN", ask(state="answered", lang="en", rating=2, offer_director=True))
    assert "Tell the director directly" in html and 'action="/f/TOKEN/director"' in html
    assert "Please ask the director to call me back" in html and "A public review" in html


def test_names_from_the_policy_are_escaped() -> None:
    html = render_page("main", "ru", "/f/TOKEN", ask(clinic='<script>alert("x")</script>'))
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_no_external_assets_and_the_only_script_is_the_hashed_one() -> None:
    html = render_page("main", "ru", "/f/TOKEN", ask())
    page = parse(html)
    assert not [a for tag, a in page.tags if tag in ("img", "link", "iframe") or (tag == "script" and a.get("src"))]
    scripts = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    assert scripts == [SCRIPT]
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in CSP and "default-src 'none'" in CSP and "form-action 'self'" in CSP
    assert HEADERS["Referrer-Policy"] == "no-referrer" and HEADERS["Cache-Control"] == "no-store"
    assert "http" not in re.sub(r'href="https://[^"]+"', "", html)  # only the clinic's public links leave the page


@pytest.mark.parametrize("page", ["invalid", "expired"])
def test_refusal_pages_are_polite_and_scriptless(page) -> None:
    html = render_page(page, "ru")
    assert "<script" not in html and "<form" not in html
    assert ("Ссылка не действует" if page == "invalid" else "Срок действия ссылки истёк") in html
