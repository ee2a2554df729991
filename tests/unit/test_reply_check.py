"""The privacy check of replies: every problem kind is caught, the checklist's own phrasing passes, and a
manager-edited reply with personal data fails closed."""

from __future__ import annotations

import pytest
from clinic_reviews.domain.reply_check import KINDS, Problem, Verdict, check_reply

CONTACT = "+7 800 000-00-00, care@zdorovie.example.org"


def kinds(verdict: Verdict) -> list[str]:
    return [p.kind for p in verdict.problems]


def texts(verdict: Verdict, kind: str) -> list[str]:
    return [p.text for p in verdict.problems if p.kind == kind]


def test_a_checklist_reply_passes() -> None:
    reply = (
        "Здравствуйте! Спасибо за отзыв. Нам очень жаль, приносим извинения. Если вы были у нас, "
        f"пожалуйста, свяжитесь с руководителем клиники: {CONTACT}.\n\nС уважением, команда клиники"
    )
    verdict = check_reply(reply, author="Мария Иванова", allowed=[CONTACT])
    assert verdict == Verdict(True, [])
    assert verdict.to_json() == {"ok": True, "problems": []}


def test_english_checklist_reply_passes() -> None:
    reply = f"Hello, thank you for your review. If you visited us, please contact the clinic manager: {CONTACT}."
    assert check_reply(reply, author="John Smith", allowed=[CONTACT]).ok


@pytest.mark.parametrize(
    "reply, name",
    [
        ("Ивановой мы уже позвонили.", "Ивановой"),  # a declined surname, first in the sentence
        ("Спасибо, что написали про доктора Ивановой.", "Ивановой"),
        ("Мы благодарны вам, Ольга!", "Ольга"),
        ("Уважаемая Мария Петровна, нам жаль.", "Мария"),
        ("Уважаемая Мария Петровна, нам жаль.", "Петровна"),
        ("Передадим всё Сергею Викторовичу.", "Сергею"),
        ("Dear Anna, we are sorry.", "Anna"),
        ("Hi Tom, thanks for the review.", "Tom"),
        ("Thank you, Anna, for the kind words.", "Anna"),
    ],
)
def test_personal_names_are_caught(reply: str, name: str) -> None:
    verdict = check_reply(reply)
    assert not verdict.ok
    assert name in texts(verdict, "name")


def test_the_authors_name_in_any_case_form() -> None:
    for reply in ("Анна, спасибо!", "Спасибо, Анне передадим привет.", "Благодарим Анну за отзыв."):
        verdict = check_reply(reply, author="Анна К.")
        assert texts(verdict, "name"), reply
    verdict = check_reply("Thank you, john!", author="John Smith")
    assert texts(verdict, "name") == ["john"]
    assert texts(check_reply("Спасибо, kotik_88!", author="kotik_88"), "name") == ["kotik_88"]


def test_names_the_review_mentions_are_caught_in_english_too() -> None:
    review = "My son Jacob was seen quickly and the staff were lovely."
    verdict = check_reply("We are glad Jacob felt comfortable.", review=review)
    assert texts(verdict, "name") == ["Jacob"]


def test_common_words_that_can_be_names_pass_at_the_start_of_a_sentence() -> None:
    assert check_reply("Надежда на лучшее есть всегда. Вера в команду тоже.").ok
    assert check_reply("Любовь к своему делу — главное для нас.").ok


def test_praised_staff_may_be_named_in_any_case_form() -> None:
    reply = "Обязательно передадим вашу благодарность доктору Ивановой."
    assert not check_reply(reply).ok
    assert check_reply(reply, allowed=["Иванова"]).ok
    assert check_reply("We will pass your thanks to Dr. Smith.", allowed=["Dr. Smith"],
                       review="Dr. Smith was great").ok


@pytest.mark.parametrize(
    "phone",
    ["+7 (999) 123-45-67", "8 999 123 45 67", "89991234567", "+79991234567", "123-45-67", "(555) 123-4567"],
)
def test_phone_numbers_are_caught(phone: str) -> None:
    verdict = check_reply(f"Позвоните нам по номеру {phone}, пожалуйста.")
    assert kinds(verdict) == ["phone"]
    assert texts(verdict, "phone") == [phone]


def test_the_clinics_own_contact_is_allowed_and_anything_else_is_not() -> None:
    reply = f"Свяжитесь с нами: {CONTACT}. Или с Аней: +7 912 345-67-89, anya@mail.example."
    verdict = check_reply(reply, allowed=[CONTACT])
    assert sorted(kinds(verdict)) == ["email", "name", "phone"]


@pytest.mark.parametrize(
    "reply, fragment",
    [
        ("Нам жаль, что ваш визит 12 декабря прошёл плохо.", "12 декабря"),
        ("Вы были у нас 05.12.2026, мы помним.", "05.12.2026"),
        ("Запись была на 15:30.", "15:30"),
        ("Вчера вы приходили к нам.", "Вчера"),
        ("Мы видели вас в понедельник.", "в понедельник"),
        ("Sorry about your appointment on December 12.", "December 12"),
        ("We saw you on 3 March at 3pm.", "3 March"),
        ("We saw you on Monday.", "on Monday"),
    ],
)
def test_dates_and_times_are_caught(reply: str, fragment: str) -> None:
    assert fragment in texts(check_reply(reply), "date")


@pytest.mark.parametrize(
    "reply",
    [
        "Вы были у нас на приёме, и нам жаль.",
        "Нам жаль, что ваш визит прошёл плохо.",
        "Ваш лечащий врач свяжется с вами.",
        "Вам назначили не то лечение?",
        "Ваши анализы уже готовы.",
        "We are sorry about your appointment.",
        "When you came in, the queue was long.",
        "Your test results are ready.",
    ],
)
def test_words_confirming_a_visit_are_caught(reply: str) -> None:
    assert "visit" in kinds(check_reply(reply))


def test_conditional_phrasing_does_not_confirm_a_visit() -> None:
    assert check_reply("Если вы были у нас, напишите нам в личные сообщения.").ok
    assert check_reply("If you visited us, please send us a private message.").ok


@pytest.mark.parametrize(
    "reply, term",
    [
        ("Гастрит — это неприятно.", "Гастрит"),
        ("Желаем скорее поправиться после ОРВИ.", "ОРВИ"),
        ("Результаты МРТ мы перепроверим.", "МРТ"),
        ("Антибиотики назначает врач.", "Антибиотики"),
        ("После гастроскопии так бывает.", "гастроскопии"),
        ("Sorry to hear about the diabetes.", "diabetes"),
        ("Your antibiotics were changed.", "antibiotics"),
        ("A blood test takes a day.", "blood test"),
    ],
)
def test_diagnoses_medicines_and_procedures_are_caught(reply: str, term: str) -> None:
    assert term in texts(check_reply(reply), "medical")


def test_a_manager_edited_reply_with_a_name_fails_closed_with_its_reasons() -> None:
    draft = "Здравствуйте! Спасибо за отзыв. Если вы были у нас, свяжитесь с нами: +7 800 000-00-00."
    assert check_reply(draft, author="Елена Соколова", allowed=["+7 800 000-00-00"]).ok
    edited = "Елена, здравствуйте! Ваш приём у доктора перенесли на 14 декабря из-за ОРВИ у врача."
    verdict = check_reply(edited, author="Елена Соколова", allowed=["+7 800 000-00-00"])
    assert not verdict.ok
    assert {"name", "visit", "date", "medical"} <= set(kinds(verdict))
    assert all(f"{p.kind}: {p.text}" in verdict.reasons() for p in verdict.problems)
    for problem in verdict.problems:
        start, end = problem.span
        assert edited[start:end] == problem.text


def test_an_empty_reply_fails() -> None:
    for reply in ("", "   \n"):
        verdict = check_reply(reply)
        assert not verdict.ok and kinds(verdict) == ["empty"]


def test_problem_kinds_are_the_documented_ones() -> None:
    assert set(KINDS) == {"name", "phone", "email", "medical", "date", "visit", "empty"}
    assert Problem("phone", (1, 2), "x").to_json() == {"kind": "phone", "span": [1, 2], "text": "x"}
