"""`clinic-reviews demo` on a user's own file: bad lines rejected with their numbers, a re-run sends nothing."""

from __future__ import annotations

import json

from clinic_reviews.cli import main


def _lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_demo_on_a_file_twice(tmp_path, root):
    reviews = tmp_path / "reviews.jsonl"
    good = {
        "clinic_id": "msk-arbat", "source": "yandex", "rating": 1, "author": "Пётр",
        "text": "Грубый администратор, ждал 40 минут", "created_at": "2026-12-07T07:10:00Z",
    }
    reviews.write_text("\n".join([
        json.dumps({**good, "external_id": "d-1"}, ensure_ascii=False),
        '{"clinic_id": "msk-arbat", "source": "yandex", "external_id": "cut',
        json.dumps({**good, "external_id": "d-2", "rating": 5, "text": "Спасибо доктору Соколовой!"}, ensure_ascii=False),
        json.dumps({**good, "external_id": "d-3", "rating": 0}, ensure_ascii=False),
        json.dumps({**good, "external_id": "d-4", "clinic_id": "nowhere"}, ensure_ascii=False),
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["demo", "--reviews", str(reviews), "--out", str(out)]) == 0
    for name in ("digest.html", "digest.txt", "sms.jsonl", "events.jsonl", "reviews.jsonl", "summary.json",
                 "rejected.jsonl", "escalations.jsonl"):
        assert (out / name).is_file(), name
    assert [r["line"] for r in _lines(out / "rejected.jsonl")] == [2, 4, 5]
    reasons = {r["line"]: r["reason"] for r in _lines(out / "rejected.jsonl")}
    assert reasons[2].startswith("not JSON") and reasons[4].startswith("rating:") and "nowhere" in reasons[5]
    assert len(_lines(out / "reviews.jsonl")) == 2
    sms = (out / "sms.jsonl").read_text(encoding="utf-8")
    assert len(sms.splitlines()) >= 1 and "Пётр" not in sms
    first = json.loads((out / "summary.json").read_text())
    assert first["stored_reviews"] == 2 and first["escalated_reviews"] == 1

    assert main(["demo", "--reviews", str(reviews), "--out", str(out)]) == 0
    second = json.loads((out / "summary.json").read_text())
    assert second["sent_this_run"] == {"sms": 0, "emails": 0}
    assert second["intake"]["new"] == 0 and second["intake"]["changed"] == 0
    assert (out / "sms.jsonl").read_text(encoding="utf-8") == sms
    assert second["escalated_reviews"] == 1
