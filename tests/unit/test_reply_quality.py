"""Reply quality (domain/reply_quality.py): the checklist item by item, near-duplicates by MinHash, the rows."""

from __future__ import annotations

from clinic_reviews.domain.reply_quality import (
    ReplyInput,
    near_duplicates,
    quality_rows,
    score_replies,
    signature,
    similarity,
)

REVIEW = "Администратор нахамила, ждали приёма больше часа. Мой телефон +7 916 123-45-67"
GOOD = ("Здравствуйте. Спасибо, что написали, и простите нас: так встречать людей нельзя, и час ожидания "
        "сверх записи недопустим. Мы уже разбираем смену с руководителем. Позвоните, пожалуйста, нашему "
        "менеджеру по +7 800 000-00-00 — хотим разобраться лично.")
TEMPLATE = ("Здравствуйте! Благодарим за обратную связь. Нам очень жаль, что у вас остались негативные впечатления. "
            "Пожалуйста, свяжитесь с нами по телефону +7 800 000-00-00, мы обязательно разберёмся.")


def reply(ref: str, text: str, **extra) -> ReplyInput:
    return ReplyInput(ref=ref, text=text, review_text=REVIEW, negative=True, author="Мария Иванова",
                      clinic_id="msk-arbat", **extra)


def test_a_good_reply_meets_every_item():
    (score,) = score_replies([reply("a", GOOD, on_time=True)])
    assert score.missing() == [] and score.score == 100 and not score.templated


def test_each_missing_item_is_named():
    (curt,) = score_replies([reply("a", "Спасибо за отзыв.")])
    assert set(curt.missing()) == {"apology", "private_contact", "length"} and curt.score < 70
    (bad,) = score_replies([reply(
        "b", "ВЫ САМИ опоздали!! Мы проверили: вы были у нас на приёме 5 декабря, ваш гастрит не повод грубить. "
             "Звоните +7 916 123-45-67, если хотите, нам очень жаль, спасибо." + " Подробнее." * 5, on_time=False,
    )])
    assert {"no_patient_confirmation", "no_personal_data", "tone", "on_time"} <= set(bad.missing())


def test_the_authors_own_name_and_the_clinics_line_are_not_personal_data():
    text = "Мария, здравствуйте. " + GOOD
    (score,) = score_replies([reply("a", text)])
    assert score.checklist["no_personal_data"] and score.checklist["private_contact"]


def test_a_positive_review_needs_no_apology_or_contact():
    (score,) = score_replies([ReplyInput("p", "Спасибо за тёплые слова! Передадим врачу.", "Всё отлично", False)])
    assert score.checklist["apology"] is None and score.checklist["private_contact"] is None and score.score == 100


def test_near_duplicates_are_found_across_small_edits_and_not_between_different_replies():
    edited = TEMPLATE.replace("разберёмся", "разберемся").replace("Здравствуйте!", "Добрый день!")
    sigs = {"t1": signature(TEMPLATE), "t2": signature(edited), "g": signature(GOOD)}
    assert similarity(sigs["t1"], sigs["t2"]) >= 0.7 and similarity(sigs["t1"], sigs["g"]) < 0.3
    found = near_duplicates(sigs)
    assert found["t1"] == {"t2"} and not found.get("g")
    scores = {s.ref: s for s in score_replies([reply("t1", TEMPLATE), reply("g", GOOD)], corpus={"old": sigs["t2"]})}
    assert scores["t1"].templated and scores["t1"].duplicate_of == ("old",) and not scores["g"].templated


def test_rows_rank_by_score_then_speed_and_give_checklist_shares():
    scores = score_replies([
        reply("a", GOOD, who="Анна", minutes=30), reply("b", TEMPLATE, who="Ольга", minutes=10),
        reply("c", TEMPLATE + " Ждём.", who="Ольга", minutes=50),
    ])
    people = quality_rows(scores)
    assert [r.who for r in people] == ["Анна", "Ольга"]
    assert people[1].replies == 2 and people[1].templated_share == 1.0 and people[1].median_minutes == 30
    assert people[1].checklist["personal"] == 0.0 and people[0].checklist["personal"] == 1.0
    (clinic,) = quality_rows(scores, by="clinic")
    assert clinic.who == "*" and clinic.replies == 3 and clinic.templated_share == round(2 / 3, 3)
