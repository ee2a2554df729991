"""`clinic-reviews digest` and `clinic-reviews report` on a saved local state (what `make demo` leaves)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from clinic_reviews.cli import main

from .conftest import START, review


@pytest.fixture(scope="module")
def state_folder(tmp_path_factory, policy):
    """A demo-like output folder: a few reviews stored, the state saved at 08:00 next morning in Moscow."""
    from clinic_reviews_local.stack import LocalStack
    from clinic_reviews_local.state import save_state

    folder = tmp_path_factory.mktemp("demo")
    end = datetime(2026, 12, 8, 5, 0, tzinfo=UTC)
    with LocalStack(start=START) as aws:
        aws.put_policy(policy)
        aws.invoke("IntakeFunction", {"reviews": [
            review("c-1"),
            review("c-2", source="google", rating=5, text="Спасибо доктору Соколовой!"),
            review("c-3", clinic_id="ekb-center", source="2gis", rating=4, text="Хорошо, но ждали",
                   created_at="2026-12-07T07:30:00Z"),
        ]})
        aws.advance_to(end)
        save_state(folder, aws, START, end)
    return folder


def test_digest_command_writes_the_digest_of_the_demo_day(state_folder, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["digest", "--date", "2026-12-07", "--out", str(out), "--state", str(state_folder)]) == 0
    html = (out / "digest.html").read_text(encoding="utf-8")
    text = (out / "digest.txt").read_text(encoding="utf-8")
    assert text.startswith("Сеть клиник «Здоровье» · сводка за 07.12.2026 · 1 открытый негатив")
    assert "3 обращения" in html and "ПРОСРОЧЕН" in html and "Здоровье, Екатеринбург" in html
    assert "digest of 2026-12-07 for zdorovie" in capsys.readouterr().out


def test_digest_command_defaults_to_the_day_before_the_demo_ended(state_folder, capsys):
    assert main(["digest", "--out", str(state_folder)]) == 0
    assert "сводка за 07.12.2026" in (state_folder / "digest.txt").read_text(encoding="utf-8")


def test_report_command_writes_html_with_inline_charts_and_pngs(state_folder, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["report", "--month", "2026-12", "--out", str(out), "--state", str(state_folder)]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") >= 3 and "cid:" not in html
    assert "Отчёт за декабрь 2026" in html and "прошлого месяца для сравнения нет" in html
    pngs = sorted(p.name for p in (out / "report").glob("*.png"))
    assert "volume.png" in pngs and "bottlenecks.png" in pngs
    assert (out / "report.txt").read_text(encoding="utf-8").startswith("Сеть клиник «Здоровье» · отчёт за декабрь 2026")
    assert "report for 2026-12 of zdorovie" in capsys.readouterr().out


def test_a_month_with_nothing_still_gets_a_report(state_folder, tmp_path):
    out = tmp_path / "out"
    assert main(["report", "--month", "2026-10", "--out", str(out), "--state", str(state_folder)]) == 0
    assert "За месяц обращений не было." in (out / "report.html").read_text(encoding="utf-8")
    assert list((out / "report").glob("*.png")) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["digest", "--date", "07.12.2026"], "not a date like 2026-12-07"),
        (["report", "--month", "2026-13"], "not a month like 2026-12"),
        (["report", "--chain", "nope"], "no chain 'nope' in the state"),
    ],
)
def test_bad_arguments_are_one_line_with_status_2(state_folder, argv, message, capsys):
    assert main([*argv, "--state", str(state_folder), "--out", str(state_folder)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_folder_without_a_demo_state_says_what_to_run(tmp_path, capsys):
    assert main(["digest", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no demo state" in err and "clinic-reviews demo --out" in err and err.count("\n") == 1
