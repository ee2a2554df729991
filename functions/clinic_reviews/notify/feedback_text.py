"""The post-visit SMS: the clinic, one question, the signed link and how to opt out, in two segments.

No incentive is ever offered (paid or rewarded reviews break the platforms' rules, docs/feedback.md),
and nothing personal is in it: the patient's name and the visit's details stay out.
"""

from __future__ import annotations

from clinic_reviews.notify.sms_text import segments

MAX_SEGMENTS = 2

#: From the friendliest to the shortest; the first that fits two segments is sent.
_VARIANTS = {
    "ru": (
        "{clinic}: как прошёл ваш визит? Оцените, пожалуйста: {link} Не присылать такие SMS: ответьте STOP",
        "{clinic}: как прошёл визит? Оцените: {link} Отказ от SMS: STOP",
        "{clinic}: оцените визит {link} Отказ: STOP",
        "Оцените визит: {link} Отказ: STOP",
    ),
    "en": (
        "{clinic}: how was your visit? Please rate it: {link} Reply STOP to get no more of these messages",
        "{clinic}: how was your visit? Rate it: {link} Reply STOP to opt out",
        "{clinic}: rate your visit {link} STOP to opt out",
        "Rate your visit: {link} STOP to opt out",
    ),
}


class SmsTooLong(ValueError):
    """Even the shortest text does not fit: the link's base URL is too long (set FeedbackBaseUrl)."""


def feedback_sms(clinic: str, lang: str, link: str) -> str:
    """The request SMS in `lang` (ru or en) that fits MAX_SEGMENTS segments."""
    for variant in _VARIANTS.get(lang, _VARIANTS["ru"]):
        text = variant.format(clinic=clinic.strip(), link=link)
        if segments(text) <= MAX_SEGMENTS:
            return text
    raise SmsTooLong(f"the feedback link ({len(link)} characters) leaves no room for the text in {MAX_SEGMENTS} SMS segments")
