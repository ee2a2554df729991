"""Topics from the fixed vocabulary, in Russian and English, for complaints and for praise."""

from __future__ import annotations

import pytest
from clinic_reviews.domain.classification import TOPICS, classify


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        # front desk and phone manner
        ("Администратор нахамила", "front_desk"),
        ("В регистратуре грубят и отвечают через губу", "front_desk"),
        ("Оператор колл-центра бросила трубку", "front_desk"),
        ("Так и не перезвонили", "front_desk"),
        ("The receptionist was rude", "front_desk"),
        ("Front desk staff were dismissive", "front_desk"),
        ("Nobody called me back", "front_desk"),
        # waiting, in the clinic and on the phone
        ("Ждали приёма больше часа", "waiting"),
        ("Огромная очередь в коридоре", "waiting"),
        ("Невозможно дозвониться", "waiting"),
        ("Врач опоздал на 40 минут", "waiting"),
        ("Waited two hours past my appointment time", "waiting"),
        ("I was on hold for 45 minutes", "waiting"),
        # prices and billing
        ("Очень дорого", "billing"),
        ("Навязывают кучу ненужных анализов", "billing"),
        ("Развод на деньги", "billing"),
        ("Выставили счёт за услуги, которые не оказывали, требую вернуть деньги", "billing"),
        ("Way overpriced", "billing"),
        ("They overcharged me", "billing"),
        ("Unnecessary tests, pure upselling", "billing"),
        # the doctor
        ("Врач равнодушная, даже не осмотрела", "doctor"),
        ("Лечение не помогло", "doctor"),
        ("Поставили неправильный диагноз", "doctor"),
        ("The doctor didn't help at all", "doctor"),
        ("Misdiagnosed my son", "doctor"),
        # scheduling
        ("Отменили приём без предупреждения", "scheduling"),
        ("Врач не пришёл", "scheduling"),
        ("Третий раз переносят операцию", "scheduling"),
        ("My appointment was cancelled", "scheduling"),
        ("The doctor never showed up", "scheduling"),
        # cleanliness and comfort
        ("В туалете грязно", "cleanliness"),
        ("Душно, негде сесть", "cleanliness"),
        ("Кофе в автомате ужасный", "cleanliness"),
        ("The place was filthy", "cleanliness"),
        ("The waiting room was freezing", "cleanliness"),
        # test results and diagnostics
        ("Потеряли анализы", "diagnostics"),
        ("Результаты не пришли", "diagnostics"),
        ("Долго ждала результаты биопсии", "diagnostics"),
        ("Lost my blood samples", "diagnostics"),
        ("Test results were late", "diagnostics"),
    ],
)
def test_complaint_topics(text: str, topic: str) -> None:
    assert topic in classify(text, None).topics


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Огромное спасибо доктору Соколовой", "doctor"),
        ("Внимательный, грамотный специалист", "doctor"),
        ("Администратор Марина — умничка", "front_desk"),
        ("Девушки на ресепшене очень милые", "front_desk"),
        ("Приняли вовремя, без очереди", "waiting"),
        ("Цены адекватные, недорого", "billing"),
        ("Удобная онлайн-запись", "scheduling"),
        ("Чисто и уютно", "cleanliness"),
        ("МРТ сделали быстро, современное оборудование", "diagnostics"),
        ("Dr. Patel is amazing", "doctor"),
        ("Super friendly receptionist", "front_desk"),
        ("No wait at all", "waiting"),
        ("Fair prices", "billing"),
        ("Easy to book online", "scheduling"),
        ("Spotless clinic", "cleanliness"),
        ("Results came back quickly", "diagnostics"),
    ],
)
def test_praise_has_topics_too(text: str, topic: str) -> None:
    result = classify(text, None)
    assert result.text_sentiment == "positive"
    assert topic in result.topics


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        ("Записалась к врачу, ждала два часа", ("waiting",)),  # the doctor is only where she waited
        ("Администратор нахамила, ждали приёма больше часа", ("front_desk", "waiting")),
        ("Rude receptionist and a two-hour wait", ("waiting", "front_desk")),
    ],
)
def test_a_bare_mention_is_not_a_topic(text: str, topics: tuple[str, ...]) -> None:
    assert set(classify(text, None).topics) == set(topics)


@pytest.mark.parametrize(
    "text", ["Ужасная клиника", "Всё супер, спасибо!", "С Новым годом!", "Terrible experience", "Excellent!"]
)
def test_other_when_nothing_specific(text: str) -> None:
    assert classify(text, None).topics == ("other",)


@pytest.mark.parametrize("text", ["", "  ", "!!!"])
def test_no_topics_without_content(text: str) -> None:
    assert classify(text, 1).topics == ()


def test_question_topics_come_from_what_it_mentions() -> None:
    assert "scheduling" in classify("Как записаться к неврологу на субботу?", None).topics
    assert classify("Can I get my lab results by email?", None).topics == ("diagnostics",)


def test_topics_are_from_the_vocabulary_without_duplicates_strongest_first() -> None:
    text = (
        "Администратор нахамила, ждали два часа, врач не пришёл, приём отменили, а за отмену взяли деньги. "
        "В туалете грязно. Анализы потеряли. Хамство, хамство и ещё раз хамство!"
    )
    topics = classify(text, 1).topics
    assert len(topics) == len(set(topics))
    assert set(topics) <= set(TOPICS)
    assert topics[0] == "front_desk"
    assert {"waiting", "scheduling", "cleanliness", "diagnostics", "billing"} <= set(topics)
