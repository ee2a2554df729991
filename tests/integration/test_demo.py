"""`clinic-reviews demo` on a user's own file: bad lines rejected with their numbers, a re-run sends nothing."""

from __future__ import annotations

import json

from clinic_reviews.cli import main


def _email(path):
    import email
    import email.policy

    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def _lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_demo_on_a_file_twice(tmp_path, root):
    reviews = tmp_path / "reviews.jsonl"
    good = {
        "clinic_id": "msk-arbat", "source": "yandex", "rating": 1, "author": "Пётр",
        "text": "Грубый администратор, ждал 40 минут", "created_at": "2026-12-07T07:10:00Z",
    }
    reviews.write_bytes(b"\n".join([
        json.dumps({**good, "external_id": "d-1"}, ensure_ascii=False).encode(),
        b'{"clinic_id": "msk-arbat", "source": "yandex", "external_id": "cut',
        json.dumps({**good, "external_id": "d-2", "rating": 5, "text": "Спасибо доктору Соколовой!"}, ensure_ascii=False).encode(),
        json.dumps({**good, "external_id": "d-3", "rating": 0}, ensure_ascii=False).encode(),
        json.dumps({**good, "external_id": "d-4", "clinic_id": "nowhere", "text": "Ужасно\u0000 грубо"}).encode(),
        b"\xff\xfe not UTF-8",
        json.dumps({**good, "external_id": "d-5", "rating": "5"}).encode(),
        json.dumps({**good, "external_id": "d-6", "text": "\ud83d"}).encode(),
    ]) + b"\n")
    out = tmp_path / "out"
    assert main(["demo", "--reviews", str(reviews), "--out", str(out)]) == 0  # no --policy: the file's clinics
    for name in ("digest.html", "digest.txt", "sms.jsonl", "events.jsonl", "reviews.jsonl", "summary.json",
                 "rejected.jsonl", "escalations.jsonl", "cases.json", "next-digest.html"):
        assert (out / name).is_file(), name
    assert [r["line"] for r in _lines(out / "rejected.jsonl")] == [2, 4, 6, 7, 8]
    reasons = {r["line"]: r["reason"] for r in _lines(out / "rejected.jsonl")}
    assert reasons[2].startswith("not JSON") and reasons[4].startswith("rating:")
    assert reasons[6].startswith("not UTF-8") and reasons[7].startswith("rating:") and "surrogate" in reasons[8]
    stored = _lines(out / "reviews.jsonl")
    assert len(stored) == 3 and {r["clinic_id"] for r in stored} == {"msk-arbat", "nowhere"}
    assert any(r["text"] == "Ужасно грубо" for r in stored)  # the NUL is gone
    sms = (out / "sms.jsonl").read_text(encoding="utf-8")
    assert len(sms.splitlines()) >= 1 and "Пётр" not in sms
    first = json.loads((out / "summary.json").read_text())
    assert first["stored_reviews"] == 3 and first["escalated_reviews"] == 2
    assert first["default_policy"] == {"timezone": "Europe/Moscow", "clinics": ["msk-arbat", "nowhere"]}
    subject, _, text = (out / "digest.txt").read_text(encoding="utf-8").partition("\n\n")
    [sent] = [m for m in map(_email, (out / "emails").glob("*.eml")) if m["Subject"] == subject]  # the digest e-mail
    assert text == sent.get_body(("plain",)).get_content()  # the files are the DigestFunction's e-mail, both parts
    assert (out / "digest.html").read_text(encoding="utf-8") == sent.get_body(("html",)).get_content()
    events = (out / "events.jsonl").read_text(encoding="utf-8")
    kinds = {json.loads(line)["detail-type"] for line in events.splitlines()}
    assert {"review.received", "case.opened", "case.closed"} <= kinds  # the case step's events are there too

    assert main(["demo", "--reviews", str(reviews), "--out", str(out)]) == 0
    # the restored table is not news to the outbox: no stored change is published again
    assert (out / "events.jsonl").read_text(encoding="utf-8") == events
    second = json.loads((out / "summary.json").read_text())
    assert second["sent_this_run"] == {"sms": 0, "emails": 0}
    assert second["intake"]["new"] == 0 and second["intake"]["changed"] == 0
    assert (out / "sms.jsonl").read_text(encoding="utf-8") == sms
    assert second["escalated_reviews"] == 2
