"""The signed generic webhook: HMAC verification and body parsing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from clinic_reviews.sources.webhook import InvalidSignature, parse_webhook, sign, verify_signature

SECRET = b"whsec_test_0123456789"
NOW = 1_795_852_800
BODY = json.dumps(
    {
        "source": "site",
        "external_id": "form-77",
        "text": "Не перезвонили по заявке",
        "created_at": "2026-11-28T08:00:00Z",
    },
    ensure_ascii=False,
).encode()


def test_a_fresh_correct_signature_passes() -> None:
    assert verify_signature(SECRET, BODY, sign(SECRET, BODY, NOW), now=NOW + 10) == NOW
    assert verify_signature(SECRET, BODY, sign(SECRET, BODY, NOW), now=datetime.fromtimestamp(NOW, tz=UTC)) == NOW


def test_the_mac_is_over_timestamp_dot_body() -> None:
    import hashlib
    import hmac

    mac = hmac.new(SECRET, f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert verify_signature(SECRET, BODY, f"t={NOW},v1={mac}", now=NOW) == NOW
    with pytest.raises(InvalidSignature, match="mismatch"):  # the same MAC over the body alone does not pass
        verify_signature(SECRET, BODY, f"t={NOW},v1={hmac.new(SECRET, BODY, hashlib.sha256).hexdigest()}", now=NOW)


@pytest.mark.parametrize(
    ("body", "header", "now", "reason"),
    [
        (BODY + b" ", None, NOW, "mismatch"),
        (BODY, f"t={NOW},v1={'0' * 64}", NOW, "mismatch"),
        (BODY, None, NOW + 301, "stale"),
        (BODY, None, NOW - 301, "stale"),
        (BODY, "v1=abc", NOW, "malformed"),
        (BODY, "t=abc,v1=abc", NOW, "malformed"),
        (BODY, "", NOW, "malformed"),
    ],
)
def test_bad_signatures_are_refused(body: bytes, header: str | None, now: int, reason: str) -> None:
    with pytest.raises(InvalidSignature, match=reason):
        verify_signature(SECRET, body, header if header is not None else sign(SECRET, BODY, NOW), now=now)


def test_signature_by_another_secret_is_refused() -> None:
    with pytest.raises(InvalidSignature):
        verify_signature(SECRET, BODY, sign(b"other", BODY, NOW), now=NOW)


def test_rotation_accepts_any_listed_mac() -> None:
    old = sign(b"old-secret", BODY, NOW).split(",")[1]
    header = f"{sign(SECRET, BODY, NOW)},{old}"
    assert verify_signature(SECRET, BODY, header, now=NOW) == NOW
    assert verify_signature(b"old-secret", BODY, header, now=NOW) == NOW
    with pytest.raises(InvalidSignature, match="mismatch"):
        verify_signature(b"another-secret", BODY, header, now=NOW)


def test_empty_secret_is_refused() -> None:
    with pytest.raises(InvalidSignature, match="secret"):
        verify_signature(b"", BODY, sign(b"", BODY, NOW), now=NOW)


def test_custom_tolerance() -> None:
    assert verify_signature(SECRET, BODY, sign(SECRET, BODY, NOW), now=NOW + 500, tolerance=600) == NOW
    with pytest.raises(InvalidSignature, match="stale"):
        verify_signature(SECRET, BODY, sign(SECRET, BODY, NOW), now=NOW + 601, tolerance=600)


def test_single_review_body() -> None:
    result = parse_webhook(BODY)
    [review] = result.reviews
    assert review["source"] == "site" and review["external_id"] == "form-77" and result.rejects == []


def test_list_body_with_a_bad_item() -> None:
    body = json.dumps(
        {
            "reviews": [
                {
                    "source": "call_center",
                    "text": "Грубили по телефону",
                    "created_at": "28.11.2026 11:00",
                    "rating": "1",
                },
                {"source": "call_center", "text": "", "created_at": "28.11.2026 12:00"},
            ]
        }
    ).encode()
    result = parse_webhook(body)
    assert result.reviews[0]["created_at"] == "2026-11-28T08:00:00Z" and result.reviews[0]["rating"] == 1
    assert [(r.line, r.reason) for r in result.rejects] == [(2, "empty: no text and no rating")]


def test_array_body_and_default_source() -> None:
    body = json.dumps([{"text": "Спасибо!", "date": "2026-11-28T09:00:00+03:00"}]).encode()
    assert parse_webhook(body, source="site").reviews[0]["source"] == "site"


@pytest.mark.parametrize("body", [b"not json", b"42", b"\xff\xfe"])
def test_unusable_body_is_one_reject(body: bytes) -> None:
    result = parse_webhook(body)
    assert result.reviews == [] and [r.line for r in result.rejects] == [0]
