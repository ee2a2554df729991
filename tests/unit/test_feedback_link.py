"""The SMS link: 28 URL-safe characters, HMAC-signed, expiring, and nothing personal in it."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime, timedelta

import pytest
from clinic_reviews.domain.feedback import (
    TOKEN_LENGTH,
    InvalidToken,
    link_url,
    read_token,
    request_ref,
    sign_token,
)

SECRET = b"link-secret-of-the-deployment"
EXPIRES = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)


@pytest.fixture
def ref() -> str:
    return request_ref("msk-arbat", "V-2026-000123")


def test_a_token_round_trips_and_is_short(ref) -> None:
    token = sign_token(SECRET, ref, EXPIRES)
    assert len(token) == TOKEN_LENGTH == 28
    assert set(token) <= set(string.ascii_letters + string.digits + "-_")
    parsed = read_token(SECRET, token)
    assert parsed.ref == ref and parsed.expires_at == EXPIRES
    url = link_url("https://r.zdorovie.example/", token)
    assert url == f"https://r.zdorovie.example/f/{token}" and len(url) < 60


def test_the_ref_is_one_per_visit_and_reveals_neither_clinic_nor_visit() -> None:
    ref = request_ref("msk-arbat", "V-2026-000123")
    assert ref == request_ref("msk-arbat", "V-2026-000123")
    assert ref != request_ref("msk-arbat", "V-2026-000124")
    assert ref != request_ref("ekb-center", "V-2026-000123")
    token = sign_token(SECRET, ref, EXPIRES)
    for secret_part in ("msk", "arbat", "000123", "V-2026"):
        assert secret_part not in token


def test_the_expiry_is_rounded_up_to_the_hour(ref) -> None:
    parsed = read_token(SECRET, sign_token(SECRET, ref, EXPIRES + timedelta(minutes=1)))
    assert parsed.expires_at == EXPIRES + timedelta(hours=1)


def test_expired_means_at_or_after_the_expiry(ref) -> None:
    parsed = read_token(SECRET, sign_token(SECRET, ref, EXPIRES))
    assert not parsed.expired(EXPIRES - timedelta(seconds=1))
    assert parsed.expired(EXPIRES)
    assert parsed.expired(EXPIRES + timedelta(days=30))


def test_every_single_character_changed_is_rejected(ref) -> None:
    token = sign_token(SECRET, ref, EXPIRES)
    alphabet = string.ascii_letters + string.digits + "-_"
    assert len(token) > len(ref)  # the reference and its MAC
    for position in range(len(token)):
        for replacement in {alphabet[(alphabet.index(token[position]) + shift) % 64] for shift in (1, 17, 40)}:
            tampered = token[:position] + replacement + token[position + 1:]
            with pytest.raises(InvalidToken):
                read_token(SECRET, tampered)


def test_a_longer_expiry_cannot_be_grafted_onto_a_real_link(ref) -> None:
    short = sign_token(SECRET, ref, EXPIRES)
    longer = sign_token(SECRET, ref, EXPIRES + timedelta(days=365))
    grafted = longer[:16] + short[16:]  # the ref and expiry of one (12 bytes), the MAC of the other
    assert grafted not in (short, longer)
    with pytest.raises(InvalidToken):
        read_token(SECRET, grafted)


def test_another_deployment_key_is_rejected(ref) -> None:
    with pytest.raises(InvalidToken):
        read_token(b"another-key", sign_token(SECRET, ref, EXPIRES))


@pytest.mark.parametrize("garbage", ["", "short", "x" * 27, "x" * 29, "é" * 28, "+/+/" * 7, "=" * 28, None, 42])
def test_malformed_tokens_are_rejected(garbage) -> None:
    with pytest.raises(InvalidToken):
        read_token(SECRET, garbage)


def test_tokens_never_collide_with_the_ack_links_format(ref) -> None:
    from clinic_reviews.domain.links import is_well_formed

    assert not is_well_formed(sign_token(SECRET, ref, EXPIRES))
    assert re.fullmatch(r"[A-Za-z0-9_-]{28}", sign_token(SECRET, ref, EXPIRES))
