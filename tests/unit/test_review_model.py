from datetime import UTC, datetime

import pytest
from clinic_reviews.domain.review import InvalidReview, ReviewKey, iso_z, parse_review

BASE = {
    "source": "yandex",
    "external_id": "r-1",
    "clinic_id": "msk-arbat",
    "rating": 2,
    "text": "Долго ждали",
    "author": "Анна",
    "created_at": "2026-12-07T10:15:30.123+03:00",
}


def test_valid_review_is_normalized_to_utc_seconds():
    review = parse_review(BASE)
    assert review.created_at == datetime(2026, 12, 7, 7, 15, 30, tzinfo=UTC)
    assert iso_z(review.created_at) == "2026-12-07T07:15:30Z"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rating": 7}, "rating"),
        ({"rating": True}, "rating"),
        ({"source": "myspace"}, "source"),
        ({"created_at": "2026-12-07T10:00:00"}, "created_at"),
        ({"created_at": "yesterday"}, "created_at"),
        ({"external_id": ""}, "external_id"),
        ({"clinic_id": "msk arbat"}, "clinic_id"),
        ({"lang": "russian"}, "lang"),
    ],
)
def test_invalid_field_is_named(change, field):
    with pytest.raises(InvalidReview) as info:
        parse_review({**BASE, **change})
    assert str(info.value).startswith(f"{field}:")


def test_error_message_never_echoes_the_value():
    with pytest.raises(InvalidReview) as info:
        parse_review({**BASE, "rating": "+79161234567"})
    assert "79161234567" not in str(info.value)


def test_missing_fields_are_all_named():
    with pytest.raises(InvalidReview) as info:
        parse_review({"text": "x"})
    message = str(info.value)
    for field in ("source", "external_id", "clinic_id", "created_at"):
        assert f"{field}: Field required" in message


def test_not_an_object():
    with pytest.raises(InvalidReview, match="expected a JSON object"):
        parse_review(["a"])


def test_numbers_and_nulls_are_coerced_where_harmless():
    review = parse_review({**BASE, "external_id": 12345, "rating": 4.0, "text": None})
    assert review.external_id == "12345" and review.rating == 4 and review.text == ""


def test_content_hash_ignores_fetch_details_but_sees_edits_and_replies():
    review = parse_review(BASE)
    assert parse_review({**BASE, "lang": "ru"}).content_hash() == review.content_hash()
    assert parse_review({**BASE, "text": "Долго ждали!"}).content_hash() != review.content_hash()
    replied = parse_review({**BASE, "reply": {"text": "Извините", "created_at": "2026-12-07T12:00:00Z"}})
    assert replied.content_hash() != review.content_hash()


def test_key_token_is_stable_and_distinct():
    a = ReviewKey("msk-arbat", "yandex", "r-1")
    assert a.token() == ReviewKey("msk-arbat", "yandex", "r-1").token()
    assert a.token() != ReviewKey("msk-arbat", "2gis", "r-1").token()
    assert parse_review(BASE).key == a
