"""The `clinic-reviews classify` contract: JSONL in, one JSONL line out per line, same order, bad lines
reported (output and stderr) without aborting the rest, exit 0."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from clinic_reviews.cli import main
from clinic_reviews.cli.classify import classify_stream, parse_line
from clinic_reviews.domain.classification import TOPICS, classify

REQUIRED = {"id", "sentiment", "score", "topics", "triage", "mismatch"}
EXTRAS = {"text_sentiment", "legal", "staff", "kind", "lang"}


def run_lines(lines: list[str]) -> tuple[list[dict], str]:
    out, err = io.StringIO(), io.StringIO()
    assert classify_stream([line.encode() for line in lines], out, err, classify) == 0
    return [json.loads(row) for row in out.getvalue().splitlines()], err.getvalue()


def test_one_output_line_per_input_line_in_order() -> None:
    ids = [f"r{i}" for i in range(30)]
    lines = [
        json.dumps({"id": i, "text": "Отлично" if n % 2 else "Хамство", "rating": None}) + "\n"
        for n, i in enumerate(ids)
    ]
    rows, err = run_lines(lines)
    assert [row["id"] for row in rows] == ids
    assert err == ""
    for row in rows:
        assert set(row) >= REQUIRED | EXTRAS
        assert row["sentiment"] in ("negative", "neutral", "positive")
        assert -1 <= row["score"] <= 1
        assert set(row["topics"]) <= set(TOPICS)
        assert row["triage"] in (1, 2, 3, None)
        assert (row["triage"] is None) == (row["sentiment"] != "negative")
        assert isinstance(row["mismatch"], bool)


@pytest.mark.parametrize(
    ("line", "row_id", "reason"),
    [
        ("not json\n", None, "not JSON"),
        ("\n", None, "blank line"),
        ("   \n", None, "blank line"),
        ("[1, 2]\n", None, "expected a JSON object"),
        ('"text"\n', None, "expected a JSON object"),
        ('{"text": "x"}\n', None, "id: missing"),
        ('{"id": 5, "text": "x"}\n', None, "id: must be a string"),
        ('{"id": "a"}\n', "a", "text: missing"),
        ('{"id": "a", "text": 5}\n', "a", "text: must be a string"),
        ('{"id": "a", "text": "x", "rating": 0}\n', "a", "outside 1..5"),
        ('{"id": "a", "text": "x", "rating": 6}\n', "a", "outside 1..5"),
        ('{"id": "a", "text": "x", "rating": "5"}\n', "a", "rating: must be a number"),
        ('{"id": "a", "text": "x", "rating": true}\n', "a", "rating: must be a number"),
        ('{"id": "a", "text": "x", "rating": NaN}\n', "a", "rating: must be a number"),
        ('{"id": "a", "text": "x", "lang": 7}\n', "a", "lang: must be a string"),
    ],
)
def test_bad_line_becomes_an_error_line_and_a_message(line: str, row_id: str | None, reason: str) -> None:
    good = json.dumps({"id": "ok", "text": "Отлично", "rating": 5}) + "\n"
    rows, err = run_lines([good, line, good])
    assert [row["id"] for row in rows] == ["ok", row_id, "ok"]
    assert rows[1]["error"].startswith("line 2: ") and reason in rows[1]["error"]
    assert set(rows[1]) == {"id", "error"}
    assert "line 2" in err and reason in err
    assert rows[2]["sentiment"] == "positive"


def test_invalid_utf8_is_a_bad_line() -> None:
    out, err = io.StringIO(), io.StringIO()
    classify_stream([b'{"id": "a", "text": "\xff"}\n', b'{"id": "b", "text": "ok"}\n'], out, err, classify)
    rows = [json.loads(row) for row in out.getvalue().splitlines()]
    assert rows[0] == {"id": None, "error": "line 1: not UTF-8"}
    assert rows[1]["id"] == "b"


def test_a_classifier_failure_costs_only_its_line() -> None:
    def flaky(text: str, rating: float | None, lang: str | None):
        if text == "boom":
            raise RuntimeError("bug")
        return classify(text, rating, lang)

    out, err = io.StringIO(), io.StringIO()
    lines = [b'{"id": "a", "text": "boom"}\n', b'{"id": "b", "text": "ok"}\n']
    assert classify_stream(lines, out, err, flaky) == 0
    rows = [json.loads(row) for row in out.getvalue().splitlines()]
    assert rows[0] == {"id": "a", "error": "line 1: classification failed (RuntimeError)"}
    assert rows[1]["id"] == "b"


def test_optional_fields() -> None:
    assert parse_line('{"id": "a", "text": "x"}') == {"id": "a", "text": "x", "rating": None, "lang": None}
    assert parse_line('{"id": "a", "text": "x", "rating": 4.5, "lang": "ru"}')["rating"] == 4.5


def test_extra_keys_carry_the_rest_of_the_reading() -> None:
    line = json.dumps(
        {
            "id": "x",
            "text": "Спасибо доктору Соколовой, подам в суд на регистратуру",
            "rating": 1,
            "lang": "ru",
        },
        ensure_ascii=False,
    )
    (row,), _ = run_lines([line])
    assert row["staff"] == ["Соколова"] and row["legal"] is True and row["lang"] == "ru"
    assert row["kind"] == "review" and row["text_sentiment"] in ("negative", "neutral", "positive")


def test_registered_as_a_subcommand(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b'{"id": "1", "text": "", "rating": 5}\nbad\n'), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    assert main(["classify"]) == 0
    captured = capsys.readouterr()
    rows = [json.loads(row) for row in captured.out.splitlines()]
    assert rows[0]["sentiment"] == "positive" and rows[1]["error"] == "line 2: not JSON (Expecting value)"
    assert "line 2" in captured.err


def test_command_line_end_to_end() -> None:
    lines = [
        {"id": "1", "text": "Администратор нахамила, ждали приёма больше часа", "rating": None},
        {"id": "2", "text": "Огромное спасибо доктору Соколовой, всё объяснила", "rating": None},
        {"id": "3", "text": "Rude receptionist and a two-hour wait", "rating": None},
        {"id": "4", "text": "", "rating": 5},
        {"id": "5", "text": "Нормально", "rating": 3},
    ]
    stdin = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines) + "{oops\n"
    proc = subprocess.run(
        [sys.executable, "-m", "clinic_reviews", "classify"],
        input=stdin.encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0
    rows = [json.loads(row) for row in proc.stdout.decode("utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["1", "2", "3", "4", "5", None]
    assert [r.get("sentiment") for r in rows[:5]] == [
        "negative",
        "positive",
        "negative",
        "positive",
        "neutral",
    ]
    assert "line 6" in proc.stderr.decode("utf-8")


def test_streams_line_by_line() -> None:
    out, err = io.StringIO(), io.StringIO()

    def lines():
        yield b'{"id": "1", "text": "ok"}\n'
        assert out.getvalue().count("\n") == 1, "the first line must be answered before the second is read"
        yield b'{"id": "2", "text": "ok"}\n'

    assert classify_stream(lines(), out, err, classify) == 0
    assert out.getvalue().count("\n") == 2
