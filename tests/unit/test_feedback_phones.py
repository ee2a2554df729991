"""Patients' phone numbers: E.164 with phonenumbers, SMS-capable only, salted hashes, nothing echoed."""

from __future__ import annotations

import pytest
from clinic_reviews.domain.phones import InvalidPhone, normalize_phone, phone_hash


@pytest.mark.parametrize(
    "raw",
    ["+7 916 123-45-67", "8 (916) 123-45-67", "89161234567", "9161234567", "+7(916)1234567", " +79161234567 ", 79161234567],
)
def test_russian_mobile_numbers_in_any_usual_writing_become_e164(raw) -> None:
    assert normalize_phone(raw, "RU") == "+79161234567"


def test_a_number_with_a_country_code_ignores_the_clinic_country() -> None:
    assert normalize_phone("+1 202 555 0143", "RU") == "+12025550143"
    assert normalize_phone("+7 916 123 45 67", "DE") == "+79161234567"
    assert normalize_phone("+79161234567", None) == "+79161234567"


def test_the_national_form_is_read_in_the_clinic_country() -> None:
    assert normalize_phone("0151 23456789", "DE") == "+4915123456789"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("+7 495 123-45-67", "not a mobile number"),  # a Moscow landline cannot get an SMS
        ("12345", "not a valid number"),
        ("+44 7700 900123", "not a valid number"),  # reserved for drama, never assigned
        ("call me", "cannot be read"),
        ("", "empty"),
        ("+7" + "9" * 50, "too long"),
        (None, "must be text"),
        (True, "must be text"),
    ],
)
def test_numbers_that_cannot_get_an_sms_are_refused_without_echoing_them(raw, reason) -> None:
    with pytest.raises(InvalidPhone) as caught:
        normalize_phone(raw, "RU")
    assert reason in str(caught.value)
    if isinstance(raw, str) and raw.strip():
        assert raw.strip() not in str(caught.value)
        assert "495" not in str(caught.value)


def test_the_hash_is_stable_salted_and_hides_the_number() -> None:
    number = normalize_phone("8 916 123-45-67", "RU")
    same = phone_hash(b"salt-1", number)
    assert same == phone_hash(b"salt-1", normalize_phone("+7 (916) 123 45 67", "RU"))
    assert same != phone_hash(b"salt-2", number)
    assert same != phone_hash(b"salt-1", "+79161234568")
    assert "9161234567" not in same and len(same) == 40
