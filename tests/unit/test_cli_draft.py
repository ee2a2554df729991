"""`clinic-reviews draft` and `clinic-reviews check-reply`: the CLI contract (JSONL in and out, bad lines
reported with their number without aborting the rest, exit codes)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CLI = [sys.executable, "-m", "clinic_reviews"]


def run(args: list[str], stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], input=stdin.encode(), capture_output=True, check=False)


def test_draft_writes_one_line_per_review_and_reports_bad_lines(root) -> None:
    lines = [
        {"id": "r1", "text": "Администратор нахамила, ждали час", "rating": 1, "author": "Мария Иванова",
         "clinic_id": "msk-arbat"},
        "not json",
        {"id": "r2", "text": "Dr. Smith was wonderful", "rating": 5, "lang": "en"},
        {"id": "r3", "text": "ok", "rating": 7},
        {"id": "r4", "text": "Подскажите, до скольки вы работаете?", "rating": None, "author": 12},
        {"id": "r5", "text": "", "rating": 4},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n"
    result = run(["draft", "--policy", str(root / "samples" / "demo-policy.yaml"), "--contact", "+7 800 000-00-00"],
                 stdin)
    assert result.returncode == 0
    rows = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [row.get("id") for row in rows] == ["r1", None, "r2", "r3", "r4", "r5"]
    good = [rows[0], rows[2], rows[5]]
    for row in good:
        assert {"id", "draft", "check", "triage", "sentiment"} <= set(row)
        assert row["check"]["ok"] is True and row["check"]["problems"] == []
    assert rows[0]["triage"] == 1 and rows[0]["sentiment"] == "negative"
    assert "+7 800 000-00-00" in rows[0]["draft"] and "Здоровье на Арбате" in rows[0]["draft"]
    assert rows[2]["triage"] is None and rows[2]["sentiment"] == "positive" and "Dr. Smith" in rows[2]["draft"]
    assert rows[1]["error"].startswith("line 2: ")
    assert rows[3]["error"].startswith("line 4: rating")
    assert rows[4]["error"] == "line 5: author: must be a string"
    err = result.stderr.decode()
    assert "line 2" in err and "line 4" in err and "line 5" in err


def test_draft_uses_the_chains_templates_folder(tmp_path) -> None:
    (tmp_path / "ru").mkdir()
    (tmp_path / "ru" / "positive.txt.j2").write_text("Спасибо от всей команды!", encoding="utf-8")
    stdin = json.dumps({"id": "a", "text": "Всё отлично", "rating": 5}, ensure_ascii=False) + "\n"
    result = run(["draft", "--templates", str(tmp_path)], stdin)
    assert json.loads(result.stdout)["draft"] == "Спасибо от всей команды!"


def test_draft_refuses_a_missing_templates_folder(tmp_path) -> None:
    result = run(["draft", "--templates", str(tmp_path / "nope")], "")
    assert result.returncode == 2 and len(result.stderr.decode().strip().splitlines()) == 1


def test_check_reply_passes_a_clean_reply_and_fails_a_leaky_one() -> None:
    ok = run(["check-reply", "--allow", "+7 800 000-00-00"],
             "Спасибо за отзыв! Если вы были у нас, позвоните: +7 800 000-00-00.")
    assert ok.returncode == 0
    assert json.loads(ok.stdout) == {"ok": True, "problems": []}
    bad = run(["check-reply", "--author", "Мария Иванова"], "Мария, ваш визит 12 декабря и гастрит — не повод.")
    assert bad.returncode == 1
    verdict = json.loads(bad.stdout)
    assert verdict["ok"] is False
    assert [p["kind"] for p in verdict["problems"]] == ["name", "visit", "date", "medical"]
    assert "name: Мария" in bad.stderr.decode()


@pytest.mark.parametrize("args", [["check-reply", "--nope"], ["draft", "--lang", "de"]])
def test_bad_arguments_exit_2_with_one_line(args) -> None:
    result = run(args, "")
    assert result.returncode == 2
    assert len(result.stderr.decode().strip().splitlines()) == 1


def test_draft_takes_contact_signature_and_templates_from_the_policy(root, tmp_path) -> None:
    import yaml

    data = yaml.safe_load((root / "samples" / "demo-policy.yaml").read_text(encoding="utf-8"))
    data["replies"] = {"contact": "+7 800 555-00-00", "signature": "Команда «Здоровье»", "templates": "own"}
    (tmp_path / "policy.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (tmp_path / "own" / "ru").mkdir(parents=True)
    (tmp_path / "own" / "ru" / "greeting.txt.j2").write_text("И вас с праздником!", encoding="utf-8")
    reviews = [{"id": "a", "text": "Хамство на ресепшене", "rating": 1},
               {"id": "b", "text": "С Новым годом, дорогие врачи!", "rating": None}]
    stdin = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in reviews)
    result = run(["draft", "--policy", str(tmp_path / "policy.yaml")], stdin)
    first, second = (json.loads(line) for line in result.stdout.decode().splitlines())
    assert "+7 800 555-00-00" in first["draft"] and first["draft"].endswith("Команда «Здоровье»")
    assert first["check"]["ok"] is True
    assert second["draft"] == "И вас с праздником!"
