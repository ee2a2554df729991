"""Triage of negatives: 1 apology, 2 explain and remedy, 3 call the patient (DOMAIN.md)."""

from __future__ import annotations

import pytest
from clinic_reviews.domain.classification import classify


@pytest.mark.parametrize(
    "text",
    [
        "Администратор нахамила",
        "Ждали приёма больше часа",
        "В туалете грязно, бахил нет",
        "Кофе в автомате отвратительный",
        "Невозможно дозвониться, трубку никто не берёт",
        "Врач хамил и торопился",
        "Rude receptionist",
        "Waited two hours past my appointment time",
        "The bathroom was filthy",
        "The doctor rushed me out the door",
    ],
)
def test_simple_grievance_is_1(text: str) -> None:
    assert classify(text, 1).triage == 1


@pytest.mark.parametrize(
    "text",
    [
        "Слишком дорого",
        "Навязывают ненужные анализы",
        "Выставили счёт дважды, верните деньги",
        "Отменили приём в день визита",
        "Врач не пришёл, никто не предупредил",
        "Результаты анализов задержали на неделю",
        "Потеряли анализы",
        "Потеряли мою медкарту",
        "Way too expensive",
        "They overcharged me",
        "My appointment was cancelled without notice",
        "My test results were late",
        "Lost my blood samples",
    ],
)
def test_clear_objection_with_a_remedy_is_2(text: str) -> None:
    assert classify(text, 2).triage == 2


@pytest.mark.parametrize(
    "text",
    [
        "Врач не помог, деньги на ветер",
        "Поставили неправильный диагноз",
        "После лечения стало только хуже",
        "Врач даже не осмотрела",
        "Ничего не объяснил, выписал кучу лекарств",
        "Ужасный врач",
        "Ужасная клиника",
        "The doctor didn't help at all, waste of money",
        "Misdiagnosed my son",
        "It got worse after the treatment",
        "Terrible experience",
    ],
)
def test_unclear_or_about_care_is_3(text: str) -> None:
    assert classify(text, 1).triage == 3


def test_the_most_serious_grievance_decides() -> None:
    assert classify("Администратор нахамила, а приём отменили", 1).triage == 2
    assert classify("Администратор нахамила, а врач не помог", 1).triage == 3


@pytest.mark.parametrize("rating", [1, 2, 1.5])
def test_rating_only_negative_is_3(rating: float) -> None:
    assert classify("", rating).triage == 3


def test_legal_threat_is_3() -> None:
    assert classify("Администратор нахамила, подам в суд", 1).triage == 3


def test_negative_text_without_rating_is_triaged() -> None:
    assert classify("Администратор нахамила", None).triage == 1


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("Администратор нахамила", 5),
        ("Администратор нахамила", 3),
        ("Отлично", None),
        ("Нормально", None),
        ("Подскажите, сколько стоит приём?", None),
        ("", 3),
        ("", 4),
    ],
)
def test_no_triage_unless_negative(text: str, rating: int | None) -> None:
    assert classify(text, rating).triage is None


def test_glowing_text_with_one_star_is_unclear() -> None:
    assert classify("Замечательный доктор, всё объяснил", 1).triage == 3
