"""Counting words: "1 отзыв, 2 отзыва, 5 отзывов" and "1 review, 2 reviews"."""

from __future__ import annotations


def ru_form(n: int, one: str, few: str, many: str) -> str:
    """The Russian form agreeing with `n` (11-14 take the "many" form)."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


#: word -> (ru one, ru few, ru many, en one, en many)
WORDS = {
    "review": ("отзыв", "отзыва", "отзывов", "review", "reviews"),
    "request": ("обращение", "обращения", "обращений", "request", "requests"),
    "negative": ("негатив", "негатива", "негативов", "negative", "negatives"),
    "open_negative": ("открытый негатив", "открытых негатива", "открытых негативов", "open negative", "open negatives"),
    "minute": ("минута", "минуты", "минут", "minute", "minutes"),
    "clinic": ("клиника", "клиники", "клиник", "clinic", "clinics"),
}


def count(n: int, word: str, lang: str = "ru") -> str:
    """`n` followed by `word` in the agreeing form: count(5, "review") == "5 отзывов"."""
    forms = WORDS[word]
    if lang == "en":
        return f"{n} {forms[3] if n == 1 else forms[4]}"
    return f"{n} {ru_form(n, *forms[:3])}"
