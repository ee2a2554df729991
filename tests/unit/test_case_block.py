"""The case block of the digest and the report: added before the end of the page, nothing for a quiet period."""

from __future__ import annotations

from clinic_reviews.domain.cases import CaseAnalytics, ClinicCauses
from clinic_reviews.notify.case_block import add_case_block

PAGE = "<html><body><div>digest</div></body></html>"


def test_a_quiet_period_adds_nothing():
    assert add_case_block(PAGE, "text", CaseAnalytics(), "ru", {}, "07.12.2026") == (PAGE, "text")


def test_the_block_in_both_languages_escaped():
    figures = CaseAnalytics(
        opened=3, closed=2, turned=1, median_take_minutes=75, median_reply_minutes=130, bonuses=1, bonus_cost=700,
        systemic_by_clinic=(ClinicCauses("msk-arbat", (("front_desk", 2),), ("<b>скрипт</b>",)),),
    )
    html, text = add_case_block(PAGE, "text", figures, "ru", {"msk-arbat": "Здоровье на Арбате"}, "07.12.2026")
    assert html.index("Работа со случаями") < html.index("</div></body>")
    assert "50%" in html and "1 ч 15 мин" in html and "700 ₽" in html and "ресепшн и телефон (2)" in html
    assert "<b>скрипт</b>" not in html and "&lt;b&gt;скрипт&lt;/b&gt;" in html
    assert text.startswith("text\n\nРАБОТА СО СЛУЧАЯМИ · 07.12.2026")
    html_en, text_en = add_case_block(PAGE, "", figures, "en", {}, "12.2026")
    assert "Negatives turned (target 60–70%)" in html_en and "Sorry bonuses: 1, 700" in text_en
