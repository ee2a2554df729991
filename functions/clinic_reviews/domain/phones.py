"""Patients' phone numbers: normalized to E.164 with `phonenumbers`, and hashed for de-duplication.

A number written the national way (`8 916 123-45-67` in Russia) is read in the clinic's country. Only
numbers that can receive an SMS are accepted (mobile, or "fixed line or mobile" where a country's
plan cannot tell). The salted hash is what the store keeps for opt-outs and "asked recently": the
salt lives in an SSM SecureString parameter, so the hash cannot be reversed by trying every number.
"""

from __future__ import annotations

import hashlib
import hmac

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

_SMS_CAPABLE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
MAX_RAW_LENGTH = 40


class InvalidPhone(ValueError):
    """The number cannot be read or cannot receive an SMS. The message never repeats the number."""


def normalize_phone(raw: object, default_region: str | None = "RU") -> str:
    """The E.164 form (`+79161234567`) of `raw`, read in `default_region` when it has no `+` prefix."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise InvalidPhone("phone must be text")
    text = str(raw).strip()
    if not text:
        raise InvalidPhone("phone is empty")
    if len(text) > MAX_RAW_LENGTH:
        raise InvalidPhone("phone is too long")
    try:
        number = phonenumbers.parse(text, (default_region or "ZZ").upper())
    except NumberParseException:
        raise InvalidPhone("phone cannot be read as a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("phone is not a valid number")
    if phonenumbers.number_type(number) not in _SMS_CAPABLE:
        raise InvalidPhone("phone is not a mobile number (an SMS cannot reach it)")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def phone_hash(salt: bytes, e164: str) -> str:
    """A keyed hash of an E.164 number: equal numbers give equal hashes, and nothing else does."""
    return hmac.new(salt, b"phone\x1f" + e164.encode(), hashlib.sha256).hexdigest()[:40]

