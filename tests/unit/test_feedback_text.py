"""The request SMS: two segments at most, a link, a way out, and never an incentive."""

from __future__ import annotations

import re

import pytest
from clinic_reviews.notify.feedback_text import SmsTooLong, feedback_sms
from clinic_reviews.notify.sms_text import segments

SHORT = "https://r.zdorovie.example/f/EOOzndSVvtZEAO4SzL4kK00Lbw0W"
FUNCTION_URL = "https://4d96ef1c8acc4f9a95d23150f7da6f8b.lambda-url.eu-central-1.on.aws/f/EOOzndSVvtZEAO4SzL4kK00Lbw0W"
INCENTIVES = re.compile(r"(?i)бонус|скидк|подар|рубл|₽|деньг|баллы|приз|discount|bonus|gift|reward|cash|prize|points")


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("clinic", ["Здоровье", "Здоровье на Арбате", "Клиника семейной медицины «Здоровье» на Светланской, 12"])
@pytest.mark.parametrize("link", [SHORT, FUNCTION_URL])
def test_fits_two_segments_with_the_whole_link_and_stop(lang, clinic, link) -> None:
    text = feedback_sms(clinic, lang, link)
    assert segments(text) <= 2
    assert link in text and "STOP" in text
    assert not INCENTIVES.search(text)


def test_a_short_link_leaves_room_for_the_clinic_and_the_question() -> None:
    assert feedback_sms("Здоровье на Арбате", "ru", SHORT).startswith("Здоровье на Арбате: как прошёл визит? Оцените:")
    assert feedback_sms("Zdorovie", "en", SHORT).startswith("Zdorovie: how was your visit? Please rate it:")
    assert feedback_sms("Здоровье на Арбате", "ru", FUNCTION_URL).startswith("Оцените визит:")  # set FeedbackBaseUrl


def test_an_absurdly_long_base_url_is_a_configuration_error() -> None:
    with pytest.raises(SmsTooLong):
        feedback_sms("Здоровье", "ru", "https://" + "x" * 200 + "/f/token")
