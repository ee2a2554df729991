import pytest
from clinic_reviews.domain.plural import count


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, "0 отзывов"), (1, "1 отзыв"), (2, "2 отзыва"), (4, "4 отзыва"), (5, "5 отзывов"), (11, "11 отзывов"),
     (12, "12 отзывов"), (14, "14 отзывов"), (21, "21 отзыв"), (22, "22 отзыва"), (25, "25 отзывов"),
     (101, "101 отзыв"), (111, "111 отзывов")],
)
def test_russian_forms(n, expected):
    assert count(n, "review") == expected


def test_english_forms():
    assert count(1, "review", "en") == "1 review"
    assert count(2, "open_negative", "en") == "2 open negatives"
