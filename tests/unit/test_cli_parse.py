"""`clinic-reviews parse`: the CONTRACTS.md output shape, stderr reports and exit codes."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from clinic_reviews.cli import main

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sources"
ZULU = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, Any]], list[str]]:
    code = main(["parse", *args])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err.splitlines()


def assert_contract(review: dict[str, Any]) -> None:
    assert isinstance(review["source"], str)
    assert isinstance(review["external_id"], str) and review["external_id"]
    assert review["rating"] is None or (isinstance(review["rating"], int) and 1 <= review["rating"] <= 5)
    assert isinstance(review["text"], str)
    assert review["author"] is None or isinstance(review["author"], str)
    assert ZULU.match(review["created_at"])
    if review["reply"] is not None:
        assert isinstance(review["reply"]["text"], str) and ZULU.match(review["reply"]["created_at"])


@pytest.mark.parametrize(
    ("platform", "name", "count"),
    [
        ("google", "google_reviews_page1.json", 5),
        ("google", "google_reviews_page2.json", 1),
        ("2gis", "twogis_reviews_page1.json", 2),
        ("2gis", "twogis_reviews_page2.json", 2),
        ("vk", "vk_wall_comments_extended.json", 4),
        ("vk", "vk_board_comments.json", 2),
        ("csv", "yandex_export.csv", 3),
        ("csv", "youscan_export.csv", 2),
        ("json", "reviews_import.json", 2),
        ("jsonl", "reviews_import.jsonl", 2),
    ],
)
def test_every_fixture_prints_contract_lines(
    capsys: pytest.CaptureFixture[str], platform: str, name: str, count: int
) -> None:
    code, reviews, _ = run(capsys, "--platform", platform, str(FIXTURES / name))
    assert code == 0 and len(reviews) == count
    for review in reviews:
        assert_contract(review)
        assert "clinic_id" not in review or platform in ("json", "jsonl")


def test_google_output(capsys: pytest.CaptureFixture[str]) -> None:
    _, reviews, err = run(capsys, "--platform", "google", str(FIXTURES / "google_reviews_page1.json"))
    assert err == []
    first = reviews[0]
    assert first["external_id"] == "AIe9_BGx1Qm" and first["created_at"] == "2026-11-20T07:15:42Z"
    assert reviews[1]["author"] is None and reviews[2]["text"] == "" and reviews[3]["rating"] is None
    assert reviews[3]["text"] == "Klinika czysta, ale ceny są za wysokie."


def test_bad_items_go_to_stderr_with_their_number(capsys: pytest.CaptureFixture[str]) -> None:
    code, reviews, err = run(capsys, "--platform", "google", str(FIXTURES / "google_reviews_page2.json"))
    assert code == 0 and len(reviews) == 1
    assert err == ["item 2 (AIe9_BGx7Ws): invalid: missing timestamp"]


def test_an_array_of_pages_is_read_in_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pages = [json.loads((FIXTURES / f"google_reviews_page{n}.json").read_text()) for n in (1, 2)]
    both = tmp_path / "pages.json"
    both.write_text(json.dumps(pages))
    code, reviews, err = run(capsys, "--platform", "google", str(both))
    assert code == 0 and len(reviews) == 6 and err[0].startswith("page 2: item 2")


def test_2gis_hidden_review_is_reported_or_kept(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(FIXTURES / "twogis_reviews_page1.json")
    _, reviews, err = run(capsys, "--platform", "2gis", path)
    assert len(reviews) == 2 and err == ["item 3 (151234569): skipped: hidden by 2GIS (spam)"]
    _, reviews, err = run(capsys, "--platform", "2gis", "--include-hidden", path)
    assert len(reviews) == 3 and reviews[2]["hidden"] is True and err == []


def test_vk_community_answers_are_replies_not_lines(capsys: pytest.CaptureFixture[str]) -> None:
    _, reviews, err = run(capsys, "--platform", "vk", str(FIXTURES / "vk_wall_comments_extended.json"))
    assert {r["external_id"] for r in reviews} == {"508", "503", "504", "501"}
    assert next(r for r in reviews if r["external_id"] == "503")["reply"]["author"] == "Клиника Здоровье"
    assert any("deleted comment" in line for line in err)


def test_vk_error_response_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, reviews, err = run(capsys, "--platform", "vk", str(FIXTURES / "vk_error_too_many.json"))
    assert code == 2 and reviews == [] and len(err) == 1 and "VK error 6" in err[0]


def test_csv_rejects_go_to_stderr_and_exit_is_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, reviews, err = run(
        capsys, "--platform", "csv", "--source", "yandex", str(FIXTURES / "yandex_export.csv")
    )
    assert code == 0 and [r["source"] for r in reviews] == ["yandex"] * 3
    assert [line.split(":")[0] for line in err] == ["line 5", "line 6", "line 7"]


def test_import_tz_option(capsys: pytest.CaptureFixture[str]) -> None:
    _, reviews, _ = run(capsys, "--platform", "csv", "--tz", "UTC", str(FIXTURES / "yandex_export.csv"))
    assert reviews[0]["created_at"] == "2026-11-20T10:15:00Z"


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    raw = (FIXTURES / "reviews_import.jsonl").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    code, reviews, _ = run(capsys, "--platform", "jsonl", "-")
    assert code == 0 and len(reviews) == 2


@pytest.mark.parametrize(
    "args",
    [
        ["--platform", "google", "/no/such/file.json"],
        ["--platform", "yelp", "x.json"],
        ["--platform", "google"],
        ["--platform", "google", "--source", "yandex", str(FIXTURES / "google_reviews_page1.json")],
        ["--platform", "csv", "--tz", "Mars/Olympus", str(FIXTURES / "yandex_export.csv")],
        ["--platform", "csv", "--source", "myspace", str(FIXTURES / "yandex_export.csv")],
        ["--platform", "google", str(FIXTURES / "yandex_export.csv")],
        ["--platform", "2gis", str(FIXTURES / "reviews_import.jsonl")],
        ["--platform", "json", str(FIXTURES / "reviews_import.jsonl")],
        ["--platform", "csv", str(FIXTURES / "google_reviews_page1.json")],
    ],
)
def test_bad_arguments_or_unreadable_files_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, reviews, err = run(capsys, *args)
    assert code == 2 and reviews == [] and len(err) == 1


def test_truncated_api_response_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cut = tmp_path / "cut.json"
    cut.write_bytes((FIXTURES / "google_reviews_page1.json").read_bytes()[:700])
    code, _, err = run(capsys, "--platform", "google", str(cut))
    assert code == 2 and "not a JSON response" in err[0]


def test_xlsx_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["created_at", "source", "rating", "text"])
    book.active.append(["2026-11-20T10:00:00+03:00", "napopravka", 3, "Нормально"])
    path = tmp_path / "napopravka.xlsx"
    book.save(path)
    code, reviews, _ = run(capsys, "--platform", "xlsx", str(path))
    assert (
        code == 0
        and reviews[0]["source"] == "napopravka"
        and reviews[0]["created_at"] == "2026-11-20T07:00:00Z"
    )


def test_the_installed_command_end_to_end() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "clinic_reviews",
            "parse",
            "--platform",
            "2gis",
            str(FIXTURES / "twogis_reviews_page2.json"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["external_id"] for r in lines] == ["151234500", "151234501"]
    missing = subprocess.run(
        [sys.executable, "-m", "clinic_reviews", "parse", "--platform", "vk", "/no/file"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
