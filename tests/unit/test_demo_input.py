"""The demo's reader on any bytes: every good line kept, every bad line rejected with its number and reason."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from clinic_reviews_local.demo_input import MAX_LINE_BYTES, default_policy, read_input
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NOW = datetime(2026, 12, 6, tzinfo=UTC)
GOOD = {"clinic_id": "clinic-a", "source": "yandex", "rating": 1, "author": "Пётр",
        "text": "Грубый администратор", "created_at": "2026-12-05T07:10:00Z"}
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def _line(data) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def _good(n: int) -> bytes:
    return _line({**GOOD, "external_id": f"good-{n}"})


HOSTILE = {
    "not UTF-8": b"\xff\xfe caf\xe9",
    "string rating": _line({**GOOD, "external_id": "s", "rating": "5"}),
    "lone surrogate": b'{"clinic_id":"clinic-a","source":"yandex","external_id":"x","text":"\\ud83d",'
                      b'"created_at":"2026-12-05T07:10:00Z"}',
    "NUL in id": _line({**GOOD, "external_id": "a\u0000b"}),
    "deep nesting": b"[" * 50_000,
    "not an object": b"[1, 2]",
    "empty": b"   ",
    "huge number": b'{"rating": ' + b"9" * 5000 + b"}",
    "year 9999 with an offset": _line({**GOOD, "external_id": "y", "created_at": "9999-12-31T23:59:59-05:00"}),
    "far future": _line({**GOOD, "external_id": "f", "created_at": "2031-01-01T00:00:00Z"}),
    "epoch number as date": _line({**GOOD, "external_id": "e", "created_at": 12}),
    "cut off": b'{"clinic_id": "clinic-a", "external_id": "cut',
    "boolean rating": _line({**GOOD, "external_id": "b", "rating": True}),
    "NaN rating": b'{"clinic_id":"clinic-a","source":"yandex","external_id":"n","rating":NaN,'
                  b'"created_at":"2026-12-05T07:10:00Z"}',
    "text object": _line({**GOOD, "external_id": "t", "text": {"a": 1}}),
    "bad clinic id": _line({**GOOD, "external_id": "c", "clinic_id": "a b"}),
    "bad seen_at": _line({**GOOD, "external_id": "z", "seen_at": "yesterday"}),
    "over-long line": b'{"text": "' + b"a" * (MAX_LINE_BYTES + 10) + b'"}',
}


def test_every_kind_of_bad_line_is_rejected_with_its_number_and_the_good_ones_kept(tmp_path):
    path = tmp_path / "reviews.jsonl"
    lines, bad = [], {}
    for n, (kind, raw) in enumerate(HOSTILE.items()):
        lines.append(_good(n))
        lines.append(raw)
        bad[len(lines)] = kind
    lines.append(_line({**GOOD, "external_id": "ctl", "text": "Спасибо\x00 доктору\x07!\r\nВсё"}))
    path.write_bytes(b"\n".join(lines))  # no newline after the last line
    data = read_input(path, now=NOW)
    assert data.lines == len(lines)
    assert {r["line"] for r in data.rejected} == set(bad), {r["line"]: r["reason"] for r in data.rejected}
    assert [n for n, _ in data.reviews] == [n for n in range(1, len(lines) + 1) if n not in bad]
    reasons = {bad[r["line"]]: r["reason"] for r in data.rejected}
    assert reasons["not UTF-8"].startswith("not UTF-8")
    assert reasons["string rating"].startswith("rating:")
    assert "surrogate" in reasons["lone surrogate"]
    assert reasons["NUL in id"].startswith("external_id: control")
    assert reasons["deep nesting"] == "not JSON: nested too deeply"
    assert reasons["far future"] == "created_at: too far in the future"
    assert reasons["epoch number as date"].startswith("created_at:")
    assert reasons["over-long line"].startswith("line longer than")
    assert all("a" * 50 not in r for r in reasons.values())  # reasons never echo the line
    cleaned = data.reviews[-1][1]["text"]
    assert cleaned == "Спасибо доктору!\nВсё"


def test_a_byte_order_mark_on_the_first_line_is_not_a_bad_line(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + _good(1) + b"\r\n" + _good(2) + b"\r\n")
    data = read_input(path, now=NOW)
    assert [n for n, _ in data.reviews] == [1, 2] and not data.rejected


def test_the_default_policy_is_made_of_the_files_clinics(tmp_path):
    policy = default_policy(["clinic-a", "msk.2"], "Asia/Yekaterinburg")
    assert [c.id for c in policy.clinics] == ["clinic-a", "msk.2"]
    assert policy.chain.timezone == "Asia/Yekaterinburg"
    assert {c.timezone for c in policy.clinics} == {"Asia/Yekaterinburg"}
    assert default_policy([]).chain.timezone == "Europe/Moscow" and len(default_policy([]).clinics) == 1


def test_a_policy_given_rejects_clinics_it_lacks(tmp_path):
    path = tmp_path / "reviews.jsonl"
    path.write_bytes(_good(1) + b"\n" + _line({**GOOD, "external_id": "x", "clinic_id": "nowhere"}) + b"\n")
    data = read_input(path, now=NOW)
    data.keep_clinics({"clinic-a"})
    assert [n for n, _ in data.reviews] == [1]
    assert data.rejected == [{"line": 2, "reason": "clinic_id: unknown clinic 'nowhere' (not in the policy)"}]


#: Text with what breaks naive code: lone surrogates and control characters among ordinary characters.
#: (st.text never draws surrogates, hence a list of characters.)
any_text = st.lists(st.characters() | st.characters(categories=["Cs"]) | st.characters(max_codepoint=0x1F),
                    max_size=20).map("".join)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=12,
)
#: A good review with random text and author and up to two other fields replaced by anything.
review_like = st.tuples(
    any_text, any_text,
    st.dictionaries(st.sampled_from(["clinic_id", "source", "external_id", "rating", "created_at", "reply", "seen_at"]),
                    json_values, max_size=2),
).map(lambda t: {**GOOD, "external_id": "r", "text": t[0], "author": t[1], **t[2]})
bad_lines = st.one_of(
    st.binary(max_size=200).filter(lambda b: b"\n" not in b and b"\r" not in b),
    json_values.map(lambda v: json.dumps(v).encode()),
    review_like.map(lambda v: json.dumps(v).encode()),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.booleans(), bad_lines), min_size=1, max_size=12))
def test_any_bytes_never_raise_and_every_good_line_is_kept(tmp_path, lines):
    """Good lines interleaved with random bytes, random JSON and random review-shaped objects."""
    raw, good_numbers = [], []
    for is_good, junk in lines:
        raw.append(_good(len(raw)) if is_good else junk.replace(b"\n", b" ").replace(b"\r", b" "))
        if is_good:
            good_numbers.append(len(raw))
    path = tmp_path / "any.jsonl"
    path.write_bytes(b"\n".join(raw) + b"\n")
    data = read_input(path, now=NOW)
    kept = [n for n, _ in data.reviews]
    assert set(good_numbers) <= set(kept)
    assert sorted(kept + [r["line"] for r in data.rejected]) == list(range(1, len(raw) + 1))
    for _, review in data.reviews:  # what is kept can be written as UTF-8 JSON without control characters
        text = json.dumps(review, ensure_ascii=False)
        text.encode("utf-8")
        assert not CONTROL.search(json.loads(text).get("text", ""))
