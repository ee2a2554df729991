"""A complaint inside praise is still a complaint (issue #17, item 6): the complaint part and its topics."""

from __future__ import annotations

import pytest
from clinic_reviews.domain.classification import TOPICS, classify
from clinic_reviews.domain.classification.complaint import TEXT_CHARS
from hypothesis import given, settings
from hypothesis import strategies as st

MIXED = [
    # text, rating, the complaint's topics, its words
    ("Everything was fine, but the administrator was rude", 5, ("front_desk",), "but the administrator was rude"),
    ("Всё хорошо, но администратор нагрубил", 5, ("front_desk",), "но администратор нагрубил"),
    ("Всё понравилось, кроме администратора", 5, ("front_desk",), "кроме администратора"),
    ("Всё понравилось, кроме администратора", None, ("front_desk",), "кроме администратора"),
    ("Врач отличный, только ждать пришлось долго", 5, ("waiting",), "только ждать пришлось долго"),
    ("Всё отлично. Администратор нахамила.", 4, ("front_desk",), "Администратор нахамила"),
    ("Great doctor, very attentive. The wait was two hours though.", 5, ("waiting",), "The wait was two hours though"),
    ("Отличный врач, но очень дорого", 5, ("billing",), "но очень дорого"),
    ("Everything was great except the wait", 5, ("waiting",), "except the wait"),
    ("Администратор нагрубил, но врач отличный", None, ("front_desk",), "Администратор нагрубил"),
    ("Хорошая клиника, но цены кусаются", 4, ("billing",), "но цены кусаются"),
    ("Отличный врач! Правда, в регистратуре нахамили.", 5, ("front_desk",), "в регистратуре нахамили"),
    ("Everything was fine, however the results were late", 5, ("diagnostics",), "however the results were late"),
    (
        "The doctor was not bad at all, but the receptionist was rude",
        4,
        ("front_desk",),
        "but the receptionist was rude",
    ),
    ("Всё хорошо, но записали не к тому врачу и приём отменили", 3, ("scheduling",), None),
    ("Врач отличный, но другой врач нахамил", 5, ("doctor",), "но другой врач нахамил"),
    # a flaw named outright; the words kept are those of the part that blames most
    ("Делал МРТ. Чисто, аппарат новый. Минус — парковки нет.", 4, ("cleanliness",), "парковки нет"),
    ("Great doctor. Only downside: the waiting room is small and it was crowded.", 4, ("waiting",), None),
    (
        "Медсестра Анна — золото, кровь из вены взяла так, что я даже не поняла когда. "
        "Минус звезда за очередь в процедурный, минут 15 постояла.",
        4,
        ("waiting",),
        "Минус звезда за очередь в процедурный",
    ),
]

NO_COMPLAINT = [
    # clean praise, negation, wishes, "не только ..., но и", a fear that did not come true
    ("Great clinic, friendly staff, highly recommend", 5),
    ("Всё отлично, врач внимательный, спасибо!", 5),
    ("Всё хорошо, никто не грубил, ждать не пришлось", 5),
    ("Everything was fine, and nobody was rude", 5),
    ("Everything was fine, the receptionist was not rude at all", None),
    ("Не только врач хороший, но и администратор вежливый", 5),
    ("Врач хороший, но хотелось бы, чтобы администраторы были вежливее", 5),
    ("Думала будет больно, но всё прошло отлично", 5),
    ("Не ожидала, но всё прошло отлично", None),
    ("Очереди нет, приняли вовремя, цены адекватные", 5),
    ("No wait at all, lovely doctor", None),
    ("Спасибо доктору Соколовой, всё объяснила", None),
    ("", 5),
    ("👍", 5),
    # a bad thing said to be absent or apologised for; another place's failings; blame that names nothing
    ("Объясняет спокойно, без этого врачебного высокомерия", 5),
    ("Great doctor, without any rudeness", 5),
    ("Администратор нашла окно и ещё извинилась за ожидание", 5),
    ("Врач хороший, а вот в районной поликлинике нахамили", 5),
    ("Дерматолог лучшая! В трёх местах лечили непонятно от чего, она разобралась с первого раза", 5),
    ("Great doctor, much better than other clinics where they were rude", 5),
    ("Очень доволен, обещал оставить отзыв на сайте", None),
]

CLEAN_COMPLAINTS = [
    # the whole review is the complaint: negative, triaged, no separate complaint part
    ("Хамство администратора, ждали час", None),
    ("Rude receptionist, waited two hours", None),
    ("Всё хорошо, но администратор нагрубил", 1),
    ("Everything was fine, but the administrator was rude", 2),
]


@pytest.mark.parametrize(("text", "rating", "topics", "words"), MIXED)
def test_a_complaint_inside_praise_is_flagged_with_its_topic(text, rating, topics, words) -> None:
    result = classify(text, rating)
    assert result.sentiment != "negative"
    assert result.complaint is not None, "silently positive"
    assert set(topics) <= set(result.complaint.topics)
    if words is not None:
        assert result.complaint.text == words


@pytest.mark.parametrize(("text", "rating"), NO_COMPLAINT)
def test_plain_praise_has_no_complaint_part(text, rating) -> None:
    assert classify(text, rating).complaint is None


@pytest.mark.parametrize(("text", "rating"), CLEAN_COMPLAINTS)
def test_a_negative_review_is_the_complaint_itself(text, rating) -> None:
    result = classify(text, rating)
    assert result.sentiment == "negative"
    assert result.triage in (1, 2, 3)
    assert result.complaint is None


def test_the_complaint_part_travels_in_the_classification_json() -> None:
    data = classify("Всё хорошо, но администратор нагрубил", 5).to_json()
    assert data["sentiment"] == "positive"
    assert data["complaint"] == {"topics": ["front_desk"], "text": "но администратор нагрубил"}
    assert classify("Всё отлично", 5).to_json()["complaint"] is None


def test_a_long_complaint_part_is_cut() -> None:
    text = "Врач отличный, но администратор нагрубил " + "и ещё очень долго " * 40
    result = classify(text, 5)
    assert result.complaint is not None and len(result.complaint.text) <= TEXT_CHARS


VOCABULARY = (
    "всё хорошо отлично но однако только кроме администратор нагрубил не грубил ждали долго дорого врач "
    "хотелось бы вежливее everything fine great but however except only the wait rude not receptionist "
    "nobody was doctor expensive , . ! ?"
)
WORDS = VOCABULARY.split(" ")


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(st.text(max_size=200), st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join)),
    rating=st.one_of(st.none(), st.integers(1, 5)),
)
def test_a_complaint_part_is_words_of_the_text_with_known_topics(text: str, rating: int | None) -> None:
    result = classify(text, rating)
    part = result.complaint
    if part is None:
        return
    assert result.sentiment != "negative"
    assert part.topics and set(part.topics) <= set(TOPICS)
    assert part.text.rstrip("…") in text
    assert len(part.text) <= TEXT_CHARS
