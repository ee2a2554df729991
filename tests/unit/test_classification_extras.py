"""The legal flag, staff named in reviews, and the kind of message."""

from __future__ import annotations

import pytest
from clinic_reviews.domain.classification import classify


@pytest.mark.parametrize(
    "text",
    [
        "Подам в суд!",
        "Буду судиться",
        "Обращусь в прокуратуру",
        "Напишу жалобу в Росздравнадзор",
        "Жалоба в Минздрав уже отправлена",
        "Сообщу в Роспотребнадзор",
        "Заявление в полицию написано",
        "Расскажу всё журналистам и на телевидении",
        "Мой адвокат с вами свяжется",
        "Проконсультировалась с юристом",
        "I will sue you",
        "My lawyer will contact you",
        "See you in court",
        "Reporting you to the health department",
        "I will contact the local news",
        "Filing a malpractice claim with my attorney",
    ],
)
def test_legal_threats_are_flagged(text: str) -> None:
    assert classify(text, 1).legal


@pytest.mark.parametrize(
    "text",
    [
        "Администратор нахамила",
        "Судя по отзывам, клиника хорошая",
        "Отличный врач",
        "The doctor was rude",
        "Суточный мониторинг давления сделали быстро",
    ],
)
def test_ordinary_reviews_are_not_legal(text: str) -> None:
    assert not classify(text, None).legal


@pytest.mark.parametrize(
    ("text", "staff"),
    [
        ("Огромное спасибо доктору Соколовой, всё объяснила", ("Соколова",)),
        ("Врач Иванов очень внимательный", ("Иванов",)),
        ("Спасибо врачу Иванову", ("Иванов",)),
        ("Администратор Марина — умничка", ("Марина",)),
        ("Спасибо администратору Марине", ("Марина",)),
        ("Спасибо Анне Петровне за терпение", ("Анна Петровна",)),
        ("Лечилась у Соколовой Анны Петровны", ("Соколова Анна Петровна",)),
        ("Стоматолог Иванова Мария — золотые руки", ("Иванова Мария",)),
        ("Спасибо врачу-терапевту Кузнецову", ("Кузнецов",)),
        ("Благодарю доктора Смирнова и медсестру Ольгу", ("Смирнов", "Ольга")),
        ("Принимала Петрова И.И., всё отлично", ("Петрова И.И.",)),
        ("Dr. Smith was great", ("Smith",)),
        ("Thanks to Dr John Smith", ("John Smith",)),
        ("Nurse Anna was so gentle", ("Anna",)),
        ("Highly recommend Dr. O'Brien", ("O'Brien",)),
        ("Dr. Patel and nurse Kate were fantastic", ("Patel", "Kate")),
        ("Врач очень внимательный", ()),
        ("Спасибо! Всё отлично", ()),
        ("The doctor was great. Thank you", ()),
    ],
)
def test_staff_names(text: str, staff: tuple[str, ...]) -> None:
    assert classify(text, 5).staff == staff


def test_staff_is_found_in_complaints_too() -> None:
    assert classify("Администратор Ольга нахамила", 1).staff == ("Ольга",)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Подскажите, работаете ли вы 1 января?", "question"),
        ("Сколько стоит консультация эндокринолога?", "question"),
        ("Есть ли у вас детский эндокринолог? Заранее спасибо.", "question"),
        ("Do you accept Blue Cross insurance?", "question"),
        ("What time do you open on Saturdays?", "question"),
        ("Почему врач не пришёл?!", "review"),
        ("Это нормально вообще, ждать два часа?", "review"),
        ("Предлагаю сделать онлайн-запись", "suggestion"),
        ("Было бы хорошо, если бы в холле поставили кулер", "suggestion"),
        ("Хотелось бы, чтобы в клинике был пандус", "suggestion"),
        ("Please add more evening slots", "suggestion"),
        ("It would be nice to have weekend hours", "suggestion"),
        ("Врач отличный. Предлагаю добавить парковку", "review"),  # praise with a wish: a review
        ("Хамство! Предлагаю уволить администратора", "review"),  # a complaint with a wish: a review
        ("С Новым годом!", "greeting"),
        ("С наступающим! Здоровья всем сотрудникам", "greeting"),
        ("Поздравляю с днём медицинского работника!", "greeting"),
        ("Happy New Year to the whole team!", "greeting"),
        ("Merry Christmas!", "greeting"),
        ("С Новым годом! А администратор опять нахамила", "review"),
        ("Отличная клиника", "review"),
        ("", "review"),
    ],
)
def test_kind(text: str, kind: str) -> None:
    assert classify(text, None).kind == kind


def test_a_question_is_neutral_even_when_polite() -> None:
    result = classify("Подскажите, пожалуйста, работаете ли вы 1 января? Спасибо!", None)
    assert result.kind == "question"
    assert result.sentiment == "neutral" and result.text_sentiment == "neutral" and result.triage is None


def test_a_wish_is_not_praise() -> None:
    result = classify("Хотелось бы, чтобы администраторы были вежливее", None)
    assert result.text_sentiment != "positive"
