"""`clinic-reviews sla due` and `clinic-reviews deadlines`, driven through `main`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clinic_reviews.cli import main

SAMPLE = str(Path(__file__).resolve().parents[2] / "samples" / "demo-policy.yaml")
CONTRACT = [
    ("2026-12-08T10:00:00+03:00", "1h", "Europe/Moscow", [], "2026-12-08T11:00:00+03:00"),
    (
        "2026-12-11T20:30:00+05:00",
        "1h",
        "Asia/Yekaterinburg",
        ["--days", "mon-fri"],
        "2026-12-14T09:30:00+05:00",
    ),
    ("2026-12-09T21:30:00+03:00", "eod", "Europe/Moscow", [], "2026-12-10T21:00:00+03:00"),
    ("2026-12-11T15:00:00+03:00", "2bd", "Europe/Moscow", ["--days", "mon-fri"], "2026-12-15T21:00:00+03:00"),
    ("2027-03-07T20:30:00+03:00", "1h", "Europe/Moscow", [], "2027-03-09T09:30:00+03:00"),
    ("2026-12-08T23:30:00Z", "1h", "Asia/Vladivostok", [], "2026-12-09T10:30:00+10:00"),
]


def sla(received: str, within: str, tz: str, *options: str) -> list[str]:
    return ["sla", "due", "--received", received, "--within", within, "--tz", tz, *options]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("received", "within", "tz", "options", "due"), CONTRACT)
def test_sla_due_contract(received, within, tz, options, due, capsys) -> None:
    assert run(sla(received, within, tz, *options), capsys) == (0, due + "\n", "")


def test_sla_due_options(capsys) -> None:
    argv = sla(
        "2027-03-07T20:30:00+03:00", "1h", "Europe/Moscow", "--country", "none", "--open", "08:00-20:00"
    )
    assert run(argv, capsys)[1] == "2027-03-08T09:00:00+03:00\n"
    argv = sla("2026-12-08T10:00:00.750+03:00", "now", "Europe/Berlin")
    assert run(argv, capsys)[1] == "2026-12-08T08:00:00+01:00\n"  # seconds precision, --tz offset
    argv = sla("2026-12-12T10:00:00+03:00", "1bd", "Europe/Moscow", "--days", "mon-sat")
    assert run(argv, capsys)[1] == "2026-12-14T21:00:00+03:00\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (sla("2026-12-08T10:00:00", "1h", "Europe/Moscow"), "needs a UTC offset"),
        (sla("yesterday", "1h", "Europe/Moscow"), "not an ISO 8601 moment"),
        (sla("2026-12-08T10:00:00Z", "1h", "Europe/Moskow"), "unknown time zone"),
        (sla("2026-12-08T10:00:00Z", "2d", "Europe/Moscow"), "unknown deadline"),
        (sla("2026-12-08T10:00:00Z", "1h", "Europe/Moscow", "--open", "21:00-09:00"), "not after opening"),
        (sla("2026-12-08T10:00:00Z", "1h", "Europe/Moscow", "--days", "weekdays"), "days must look like"),
        (sla("2026-12-08T10:00:00Z", "1h", "Europe/Moscow", "--country", "XX"), "no public holiday calendar"),
        (["sla", "due", "--received", "2026-12-08T10:00:00Z", "--tz", "Europe/Moscow"], "--within"),
        (["sla"], "required"),
        (["sla", "overdue"], "invalid choice"),
    ],
)
def test_sla_due_bad_arguments(argv, message, capsys) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1


def deadlines(*options: str) -> list[str]:
    return [
        "deadlines",
        "--config",
        SAMPLE,
        "--clinic",
        "ekb-center",
        "--received",
        "2026-12-11T20:30:00+05:00",
        *options,
    ]


def test_deadlines_table(capsys) -> None:
    code, out, _ = run(deadlines(), capsys)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 6  # three tiers, sms and e-mail each
    assert [line.split()[0] for line in lines] == ["manager"] * 2 + ["head"] * 2 + ["director"] * 2
    assert lines[0].split()[-2:] == ["sms", "2026-12-14T08:00:00+05:00"]
    assert "Ольга Кузнецова (review_manager)" in lines[0]
    assert lines[3].endswith("email  2026-12-14T20:00:00+05:00")


def test_deadlines_json_and_legal(capsys) -> None:
    code, out, _ = run(deadlines("--legal", "--json"), capsys)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [(r["tier"], r["channel"]) for r in rows[:2]] == [("legal", "email"), ("manager", "sms")]
    assert rows[0]["due"] == "2026-12-11T20:30:00+05:00" and rows[0]["urgent"] is True
    assert rows[-1]["tier"] == "director" and rows[-1]["index"] == 3
    assert rows[-1]["address"] == "director@zdorovie.example.org"
    assert rows[-1]["send_at"] == "2026-12-14T15:00:00Z"


def test_deadlines_bad_config(tmp_path, capsys) -> None:
    bad = Path(SAMPLE).read_text(encoding="utf-8")
    bad = bad.replace("timezone: Asia/Yekaterinburg", "timezone: Asia/Ekaterinburg")
    bad = bad.replace('phone: "+7 900 000-00-03"', 'phone: "8-900"')
    path = tmp_path / "policy.yaml"
    path.write_text(bad, encoding="utf-8")
    code, out, err = run(
        ["deadlines", "--config", str(path), "--clinic", "a", "--received", "2026-12-11T20:30:00Z"], capsys
    )
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "clinics[1].timezone: unknown time zone 'Asia/Ekaterinburg'" in err
    assert "contacts.director.phone: phone must be in international format" in err
    assert len(err.split("; ")) == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["deadlines", "--config", SAMPLE, "--clinic", "spb", "--received", "2026-12-11T20:30:00Z"],
            "unknown clinic",
        ),
        (
            ["deadlines", "--config", SAMPLE, "--clinic", "ekb-center", "--received", "2026-12-11"],
            "needs a UTC offset",
        ),
        (
            [
                "deadlines",
                "--config",
                "/nonexistent.yaml",
                "--clinic",
                "x",
                "--received",
                "2026-12-11T20:30:00Z",
            ],
            "cannot read",
        ),
        (["deadlines", "--clinic", "x", "--received", "2026-12-11T20:30:00Z"], "--config"),
    ],
)
def test_deadlines_bad_arguments(argv, message, capsys) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1
