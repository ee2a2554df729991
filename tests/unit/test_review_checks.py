"""The review's plain checks (domain/review.py) against the pydantic model they replaced (issue 18, cold start).

`Reference` below is that model as it was. Every input of the table, and random hostile mappings, must get the
same answer from both: the same normalized review, or errors naming the same fields with the same reasons
(pydantic's date-parsing explanations are not copied: both just say the datetime is not valid). Two answers
differ on purpose and are pinned in `TIGHTER`: a bare number in a string is not read as epoch seconds (the
old `_date_text` meant to refuse it and missed the string form) and bytes are not text.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from clinic_reviews.domain.review import SOURCES, InvalidReview, Reply, Review, parse_review, to_utc
from clinic_reviews.domain.safe_text import identifier_problem, strip_controls, text_problem
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


def _free(value: Any) -> Any:
    if isinstance(value, str):
        if text_problem(value):
            raise ValueError(text_problem(value))
        return strip_controls(value)
    return value


def _ident(value: Any) -> Any:
    if isinstance(value, str) and identifier_problem(value):
        raise ValueError(identifier_problem(value))
    return value


def _date(value: Any) -> Any:
    if not isinstance(value, (str, datetime)):
        raise ValueError("must be an ISO 8601 date with a UTC offset")
    return value


class RefReply(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    text: str = ""
    created_at: datetime
    author: str | None = None
    _utc = field_validator("created_at")(lambda cls, v: to_utc(v))
    _text = field_validator("text", "author")(lambda cls, v: _free(v))
    _date = field_validator("created_at", mode="before")(lambda cls, v: _date(v))
    _empty = field_validator("text", mode="before")(lambda cls, v: "" if v is None else v)


class Reference(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    source: str
    external_id: str = Field(min_length=1, max_length=200)
    clinic_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    rating: int | None = Field(default=None, ge=1, le=5)
    text: str = ""
    author: str | None = None
    created_at: datetime
    reply: RefReply | None = None
    url: str | None = None
    lang: str | None = Field(default=None, pattern=r"^[a-z]{2}$")

    @field_validator("source")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in SOURCES:
            raise ValueError(f"unknown source {value!r}; expected one of {', '.join(SOURCES)}")
        return value

    @field_validator("external_id", mode="before")
    @classmethod
    def _id_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("rating", mode="before")
    @classmethod
    def _whole(cls, value: Any) -> Any:
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ValueError("must be a number from 1 to 5 or null")
        return int(value) if isinstance(value, float) and value.is_integer() else value

    _empty = field_validator("text", mode="before")(lambda cls, v: "" if v is None else v)
    _utc = field_validator("created_at")(lambda cls, v: to_utc(v))
    _text = field_validator("text", "author")(lambda cls, v: _free(v))
    _date = field_validator("created_at", mode="before")(lambda cls, v: _date(v))
    _ids = field_validator("source", "external_id", "clinic_id", "url", "lang", mode="before")(lambda cls, v: _ident(v))


_NUMBER = re.compile(r"\s*[-+]?[0-9.eE+-]+\s*")
_PARSING = re.compile(r"Input should be a valid datetime.*")


def reference(data: dict) -> dict | str:
    try:
        found = Reference.model_validate(data)
    except ValidationError as exc:
        return "; ".join(".".join(map(str, e["loc"])) + ": " + _PARSING.sub("Input should be a valid datetime",
                         e["msg"].removeprefix("Value error, ").replace("RefReply", "Reply")) for e in exc.errors(include_url=False, include_input=False))
    out = found.model_dump()
    if found.reply is not None:
        out["reply"] = found.reply.model_dump()
    return out


def checked(data: dict) -> dict | str:
    try:
        found = parse_review(data)
    except InvalidReview as exc:
        return str(exc)
    out = found._values()
    if found.reply is not None:
        out["reply"] = found.reply._values()
    return out


BASE = {"source": "yandex", "external_id": "r-1", "clinic_id": "msk-arbat", "created_at": "2026-12-07T10:15:30Z"}
PLUS3 = timezone(timedelta(hours=3))
CHANGES = [
    {}, {"rating": 1}, {"rating": 5.0}, {"rating": 4.5}, {"rating": 0}, {"rating": 6}, {"rating": -0.0}, {"rating": True},
    {"rating": "4"}, {"rating": float("nan")}, {"rating": float("inf")}, {"rating": 10**30}, {"rating": None},
    {"text": None}, {"text": 5}, {"text": "a\ud800"}, {"text": "a\x00b\r\nc\rd\te\x85"}, {"author": None}, {"author": ""},
    {"author": "Анна\x07"}, {"author": ["x"]}, {"source": "myspace"}, {"source": "yandex "}, {"source": None}, {"source": "vk\x00"},
    {"external_id": 12345}, {"external_id": True}, {"external_id": 1.0}, {"external_id": ""}, {"external_id": "x" * 200},
    {"external_id": "x" * 201}, {"external_id": "  x "}, {"external_id": "a\ud800"}, {"clinic_id": "msk arbat"},
    {"clinic_id": ""}, {"clinic_id": "a\n"}, {"clinic_id": "a" * 65}, {"clinic_id": 5}, {"clinic_id": "é"},
    {"lang": "ru"}, {"lang": "RU"}, {"lang": ""}, {"lang": "rus"}, {"lang": None}, {"url": 5}, {"url": ""},
    {"url": "https://x\x01"}, {"reply": None}, {"reply": "x"}, {"reply": {"text": None}}, {"reply": [1]},
    {"reply": {"created_at": "2026-12-07T10:15:30Z", "extra": 1, "text": 3}},
    {"reply": {"created_at": "2026-12-07T12:00:00+03:00", "text": "Извините\x00", "author": "Клиника"}},
    {"created_at": "2026-12-07t10:15:30z"}, {"created_at": "2026-12-07 10:15:30+03:00"},
    {"created_at": "2026-12-07_10:15:30+0300"}, {"created_at": "2026-12-07T10:15:30+03"}, {"created_at": "2026-12-07T10:15Z"},
    {"created_at": "2026-12-07T10Z"}, {"created_at": "2026-12-07"}, {"created_at": "2026-12-07T10:15:30.1234567Z"},
    {"created_at": "2026-12-07T10:15:30,5Z"}, {"created_at": "2026-12-07T10:15:60Z"}, {"created_at": "20261207T101530Z"},
    {"created_at": "2026-W01-1T10:00Z"}, {"created_at": "0000-01-01T00:00:00Z"}, {"created_at": "9999-12-31T23:59:59-01:00"},
    {"created_at": "0001-01-01T00:00:00+01:00"}, {"created_at": "2026-02-30T10:00:00Z"}, {"created_at": " 2026-12-07T10:15:30Z"},
    {"created_at": "2026-12-07T10:15:30Z "}, {"created_at": "2026-12-07T24:00:00Z"}, {"created_at": "2026-12-07T10:15:30+24:00"},
    {"created_at": "2026-12-07T10:15:30+23:59"}, {"created_at": "2026-12-07T10:15:30.Z"}, {"created_at": "2026-12-07T10:15:30-00:00"},
    {"created_at": "2026-12-07T10:15:30+03:00:00"}, {"created_at": "2026-12-07T1:15:30Z"}, {"created_at": "２０２６-12-07T10:15:30Z"},
    {"created_at": "2026-12-07T10:15:30"}, {"created_at": "yesterday"}, {"created_at": ""}, {"created_at": 1700000000},
    {"created_at": None}, {"created_at": date(2026, 1, 1)}, {"created_at": datetime(2026, 1, 1)},
    {"created_at": datetime(2026, 1, 1, 1, 2, 3, 456, tzinfo=PLUS3)}, {"created_at": datetime(1, 1, 1, tzinfo=PLUS3)},
    {"unknown": 1, "text": "extra keys are ignored"},
    {"source": 1, "external_id": None, "clinic_id": "", "rating": "x", "created_at": 5, "lang": 7},
]
MISSING = [["source"], ["external_id"], ["clinic_id"], ["created_at"], ["source", "created_at"], list(BASE)]
TIGHTER = [{"created_at": "1700000000"}, {"source": b"yandex"}, {"text": bytearray(b"x")}]


@pytest.mark.parametrize("change", CHANGES, ids=repr)
def test_the_checks_answer_as_the_pydantic_model_did(change):
    data = {**BASE, **change}
    assert checked(data) == reference(data)


@pytest.mark.parametrize("missing", MISSING, ids=repr)
def test_missing_fields_are_named_as_before(missing):
    data = {k: v for k, v in BASE.items() if k not in missing}
    assert checked(data) == reference(data)


@pytest.mark.parametrize("change", TIGHTER, ids=repr)
def test_what_is_refused_on_purpose_now(change):
    data = {**BASE, **change}
    assert isinstance(reference(data), dict)
    assert isinstance(checked(data), str)


_ANY = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(), st.binary(max_size=4).map(list),
                 st.sampled_from(["2026-12-07T10:15:30+03:00", "google", "msk", "ru", "https://x.example/r"]),
                 st.datetimes(timezones=st.sampled_from([None, UTC, PLUS3])))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([*BASE, "rating", "text", "author", "reply", "url", "lang"]), _ANY))
def test_random_hostile_mappings_get_the_same_answer(change):
    data = {**BASE, **change}
    assume(not (isinstance(data["created_at"], str) and _NUMBER.fullmatch(data["created_at"])))  # TIGHTER
    assert checked(data) == reference(data)


def test_direct_construction_checks_and_trusted_does_not():
    with pytest.raises(InvalidReview, match="rating: Input should be less than or equal to 5"):
        Review(**{**BASE, "rating": 9})
    stored = Review.trusted(**{**BASE, "created_at": datetime(2026, 12, 7, tzinfo=UTC)})
    assert stored.rating is None and stored.text == "" and stored.reply is None
    assert Review(**BASE) == parse_review(BASE) and hash(Review(**BASE)) == hash(parse_review(BASE))
    with pytest.raises(AttributeError):
        stored.text = "changed"  # type: ignore[misc]
    assert parse_review(BASE).evolve(text="edited").text == "edited"
    assert Reply(created_at="2026-12-07T10:15:30Z").text == ""
