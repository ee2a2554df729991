"""`clinic-reviews digest [--date YYYY-MM-DD] [--out DIR] [--state DIR]`: a morning digest from a demo's saved state.

Runs in the embedded local AWS: restores what `clinic-reviews demo --out DIR` saved in
DIR/.state/state.json and writes digest.html and digest.txt (and digest-<clinic>.* for each clinic
with its own digest recipients) into --out. Needs the local extra (pip install -e '.[local]').
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path

from clinic_reviews.cli import UsageError

DEFAULT_FOLDER = Path("out/demo")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2026-12-07: {text!r}") from None


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "digest", help="write the morning digest of one day from a demo's saved state", description=__doc__
    )
    parser.add_argument("--date", type=_day, help="the clinic-local day (default: the day before the demo's end)")
    add_folders(parser)
    parser.set_defaults(run=run)


def add_folders(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=DEFAULT_FOLDER, help=f"where to write (default {DEFAULT_FOLDER})")
    parser.add_argument(
        "--state", type=Path, help="the demo output folder whose .state/state.json to read (default: --out)"
    )
    parser.add_argument("--chain", help="the chain id (default: the only chain in the state)")


def local_reports(command: str):
    """The local harness's reports module, or a one-line UsageError when the local extra is missing."""
    try:
        from clinic_reviews_local import reports
    except ImportError:
        raise UsageError(f"{command} needs the local extra: pip install -e '.[local]'") from None
    return reports


def pick_chain(chains: list[str], wanted: str | None, command: str) -> str:
    if wanted:
        if wanted not in chains:
            raise UsageError(f"{command}: no chain {wanted!r} in the state (it has {', '.join(chains) or 'none'})")
        return wanted
    if len(chains) != 1:
        raise UsageError(f"{command}: the state has chains {', '.join(chains) or 'none'}: name one with --chain")
    return chains[0]


def run(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    reports = local_reports("digest")
    try:
        with reports.restored(args.state or args.out) as state:
            from clinic_reviews import compose
            from clinic_reviews.settings import get_settings

            chain_id = pick_chain(state.chains, args.chain, "digest")
            zone = ZoneInfo(compose.Table(get_settings()).policies.chain(chain_id).chain.timezone)
            day = args.date or (state.end.astimezone(zone) - timedelta(days=1)).date()
            written = reports.write_digest(args.out, chain_id, day)
    except reports.NoState as exc:
        raise UsageError(f"digest: {exc}") from None
    print(f"digest of {day.isoformat()} for {chain_id}:")
    for path in written:
        print(f"  {path}")
    return 0
