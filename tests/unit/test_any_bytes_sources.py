"""Any bytes into the import readers, the platform parsers and the webhook's signature check (hypothesis).

Each property: no exception but the documented one, and every good item among the junk is kept.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from clinic_reviews.domain.safe_text import BadJson, parse_json
from clinic_reviews.sources import google, twogis, vk
from clinic_reviews.sources.http import SourceError
from clinic_reviews.sources.imports import ImportFormatError, read_import
from clinic_reviews.sources.webhook import InvalidSignature, parse_webhook, sign, verify_signature
from hypothesis import given, settings
from hypothesis import strategies as st

from .. import strategies

any_text = strategies.any_text()
json_values = strategies.json_values(any_text)
SETTINGS = settings(max_examples=120, deadline=None)


def _dumps(value) -> bytes:
    return json.dumps(value).encode()  # ASCII with \\u escapes: lone surrogates survive into the reader


# ------------------------------------------------------------------ import files
GOOD_ROW = {"external_id": "ok-{n}", "rating": 2, "text": "долго ждали", "created_at": "2026-12-01T10:00:00+03:00",
            "clinic_id": "msk-arbat", "source": "yandex"}


@SETTINGS
@given(st.binary(max_size=400), st.sampled_from(["csv", "json", "jsonl", "xlsx"]))
def test_an_import_file_of_random_bytes_is_rows_and_rejects_or_one_format_error(data, fmt):
    try:
        result = read_import(data, fmt)
    except ImportFormatError as exc:
        assert str(exc)  # a reason for the sender
        return
    for review in result.reviews:
        assert json.dumps(review, ensure_ascii=False).encode("utf-8")  # storable as UTF-8


@SETTINGS
@given(st.lists(st.tuples(st.booleans(), json_values), min_size=1, max_size=10))
def test_good_jsonl_rows_are_kept_whatever_lines_surround_them(lines):
    raw, good = [], []
    for is_good, junk in lines:
        if is_good:
            raw.append(_dumps({**GOOD_ROW, "external_id": f"ok-{len(raw)}"}))
            good.append(f"ok-{len(raw) - 1}")
        else:
            raw.append(_dumps(junk))
    result = read_import(b"\n".join(raw), "jsonl")
    assert set(good) <= {r["external_id"] for r in result.reviews}
    assert len(result.reviews) + len(result.rejects) <= len(raw)  # an empty object is a blank row: skipped


@SETTINGS
@given(st.lists(st.tuples(st.booleans(), json_values), min_size=1, max_size=8))
def test_a_webhook_body_keeps_its_good_items(items):
    body = [{**GOOD_ROW, "external_id": f"ok-{i}"} if is_good else junk for i, (is_good, junk) in enumerate(items)]
    result = parse_webhook(_dumps(body))
    kept = {r["external_id"] for r in result.reviews}
    assert {f"ok-{i}" for i, (is_good, _) in enumerate(items) if is_good} <= kept


@SETTINGS
@given(st.binary(max_size=300))
def test_json_of_any_bytes_is_a_value_or_bad_json(data):
    try:
        value = parse_json(data)
    except BadJson as exc:
        assert str(exc)
    else:
        assert isinstance(value, (dict, list, str, int, float, bool, type(None)))


def test_json_too_deep_or_too_long_is_bad_json():
    for data in (b"[" * 100_000, b"1" * 5000):
        with pytest.raises(BadJson):
            parse_json(data)


# ------------------------------------------------------------------ platform responses
def _google_item(n: int) -> dict:
    return {"reviewId": f"ok-{n}", "starRating": "ONE", "comment": "грубо", "createTime": "2026-12-01T10:00:00Z",
            "reviewer": {"displayName": "Анна"}}


def _twogis_item(n: int) -> dict:
    return {"id": f"ok-{n}", "rating": 1, "text": "грубо", "date_created": "2026-12-01T10:00:00+03:00",
            "user": {"name": "Анна"}}


def _vk_item(n: int) -> dict:
    return {"id": 1000 + n, "from_id": 7, "date": 1764583200, "text": "грубо"}


def _pages(kind: str, items: list) -> dict:
    if kind == "vk":
        return {"response": {"count": len(items), "items": items, "profiles": [], "groups": []}}
    return {"reviews": items}


PARSERS = {"google": (google.parse_page, _google_item), "2gis": (twogis.parse_page, _twogis_item),
           "vk": (vk.parse_page, _vk_item)}


@SETTINGS
@given(st.sampled_from(sorted(PARSERS)), json_values)
def test_a_platform_response_of_any_shape_is_a_page_or_a_documented_error(kind, payload):
    parse, _ = PARSERS[kind]
    try:
        page = parse(payload)
    except (TypeError, SourceError) as exc:  # the whole response has the wrong shape (docs/sources.md)
        assert str(exc)
        return
    for review in page.reviews:
        assert json.dumps(review, ensure_ascii=False).encode("utf-8")  # storable as UTF-8


@SETTINGS
@given(st.sampled_from(sorted(PARSERS)), st.lists(st.tuples(st.booleans(), json_values), min_size=1, max_size=8))
def test_good_platform_items_are_kept_among_junk_items(kind, items):
    parse, good_item = PARSERS[kind]
    payload = [good_item(i) if is_good else junk for i, (is_good, junk) in enumerate(items)]
    page = parse(json.loads(_dumps(_pages(kind, payload))))
    kept = {r["external_id"] for r in page.reviews}
    wanted = {good_item(i)["reviewId" if kind == "google" else "id"] for i, (g, _) in enumerate(items) if g}
    assert {str(w) for w in wanted} <= kept


# ------------------------------------------------------------------ webhook signature
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@SETTINGS
@given(any_text, st.binary(max_size=100))
def test_a_signature_header_of_any_text_is_refused_cleanly(header, body):
    with pytest.raises(InvalidSignature):
        verify_signature(b"secret", body, header, NOW)


def test_a_valid_signature_still_passes_and_a_non_ascii_one_is_refused():
    body = b'{"text": "ok"}'
    header = sign(b"secret", body, int(NOW.timestamp()))
    assert verify_signature(b"secret", body, header, NOW) == int(NOW.timestamp())
    with pytest.raises(InvalidSignature):
        verify_signature(b"secret", body, header[:-2] + "é1", NOW)
    with pytest.raises(InvalidSignature):
        verify_signature(b"secret", body, "t=²³,v1=" + "a" * 64, NOW)
