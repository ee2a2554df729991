"""`clinic-reviews report [--month YYYY-MM] [--out DIR] [--state DIR]`: a monthly report from a demo's saved state.

Runs in the embedded local AWS: restores what `clinic-reviews demo --out DIR` saved in
DIR/.state/state.json and writes report.html (charts inline), report.txt and report/<chart>.png into
--out. Needs the local extra (pip install -e '.[local]').
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta

from clinic_reviews.cli import UsageError
from clinic_reviews.cli.digest import add_folders, local_reports, pick_chain


def _month(text: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month like 2026-12: {text!r}") from None


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "report", help="write the monthly report (HTML with charts) from a demo's saved state", description=__doc__
    )
    parser.add_argument("--month", type=_month, help="the month (default: the month of the demo's digest day)")
    add_folders(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    reports = local_reports("report")
    try:
        with reports.restored(args.state or args.out) as state:
            from clinic_reviews import compose
            from clinic_reviews.settings import get_settings

            chain_id = pick_chain(state.chains, args.chain, "report")
            zone = ZoneInfo(compose.Table(get_settings()).policies.chain(chain_id).chain.timezone)
            month = args.month or (state.end.astimezone(zone) - timedelta(days=1)).date().replace(day=1)
            written = reports.write_report(args.out, chain_id, month)
    except reports.NoState as exc:
        raise UsageError(f"report: {exc}") from None
    print(f"report for {month.strftime('%Y-%m')} of {chain_id}:")
    for path in written:
        print(f"  {path}")
    return 0
