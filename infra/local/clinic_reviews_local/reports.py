"""The digest and the monthly report as files, from the embedded local AWS (the demo, `clinic-reviews digest|report`).

`restored(folder)` starts a LocalStack, loads what a demo run saved in `folder/.state/state.json`
(the table: reviews, the policy; the archive bucket) and sets the virtual clock to the moment that run
ended, so a digest or report rendered later shows what the demo's own run would have shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from clinic_reviews_local.api_calls import paused
from clinic_reviews_local.state import STATE_FILE, load_state


class NoState(RuntimeError):
    """The folder holds no saved demo state (or one of an older format)."""


@dataclass
class Restored:
    aws: object
    chains: list[str]
    end: datetime


@contextmanager
def restored(folder: Path) -> Iterator[Restored]:
    from clinic_reviews_local.stack import LocalStack

    state = load_state(folder)
    if state is None:
        raise NoState(f"no demo state in {folder / STATE_FILE}: run `clinic-reviews demo --out {folder}` first")
    chains = sorted(
        item["sk"]["S"].removeprefix("CHAIN#")
        for item in state.items
        if item.get("pk", {}).get("S") == "POLICY" and item.get("sk", {}).get("S", "").startswith("CHAIN#")
    )
    with LocalStack(start=state.end) as aws:
        state.restore(aws)
        yield Restored(aws, chains, state.end)


def write_digest(out: Path, chain_id: str, day: date) -> list[Path]:
    """digest.html and digest.txt (the chain's), and digest-<clinic>.html/.txt for each clinic with its own recipients."""
    from clinic_reviews.handlers import digest as digest_handler

    out.mkdir(parents=True, exist_ok=True)
    with paused():
        messages = digest_handler.services().service.build_all(chain_id, day)
    written = []
    for message in messages:
        stem = "digest" if message.clinic_id is None else f"digest-{message.clinic_id}"
        html, text = out / f"{stem}.html", out / f"{stem}.txt"
        html.write_text(message.email.html, encoding="utf-8")
        text.write_text(f"{message.email.subject}\n\n{message.email.text}", encoding="utf-8")
        written += [html, text]
    return written


def write_report(out: Path, chain_id: str, day: date) -> list[Path]:
    """report.html (charts inline, opens anywhere), report.txt and report/<chart>.png for the month of `day`."""
    from clinic_reviews.domain.report import month_start
    from clinic_reviews.handlers import report as report_handler

    out.mkdir(parents=True, exist_ok=True)
    with paused():
        output = report_handler.services().service.build(chain_id, month_start(day))
    html, text, charts = out / "report.html", out / "report.txt", out / "report"
    html.write_text(output.documents.archive_html, encoding="utf-8")
    text.write_text(f"{output.documents.subject}\n\n{output.documents.text}", encoding="utf-8")
    charts.mkdir(exist_ok=True)
    for old in charts.glob("*.png"):
        old.unlink()
    written = [html, text]
    for chart in output.charts:
        path = charts / chart.filename
        path.write_bytes(chart.png)
        written.append(path)
    return written


def write_insights(out: Path, chain_id: str, day: date, since: date | None = None, until: date | None = None) -> Path:
    """insights.json (CONTRACTS.md, docs/insights.md): the systemic problems of the window ending on `day`,
    and the quality of the replies posted from `since` to `until` (default: `day`), by person and by clinic."""
    import json

    from clinic_reviews import compose
    from clinic_reviews.domain.reply_quality import quality_rows
    from clinic_reviews.services.day_reads import DayReads
    from clinic_reviews.settings import get_settings

    out.mkdir(parents=True, exist_ok=True)
    since, until = since or day, until or day
    settings = get_settings()
    table = compose.Table(settings)
    reads = DayReads(table.reviews, table.cases)  # the spike window and the replies' corpus: mostly the same days
    with paused():
        analysis = compose.insights(table, compose.delivery(settings), compose.bus(settings)).analyse(chain_id, day, reads)
        scores = compose.reply_quality(table).scores(chain_id, since, until, reads=reads)
    body = {
        "chain_id": chain_id,
        "day": day.isoformat(),
        "systemic": [item.to_json() for item in analysis.items],
        "reply_quality": [row.to_json() for row in (*quality_rows(scores), *quality_rows(scores, by="clinic"))],
        "replies_period": {"start": since.isoformat(), "end": until.isoformat(), "replies": len(scores)},
    }
    path = out / "insights.json"
    path.write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
