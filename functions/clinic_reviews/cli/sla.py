"""`clinic-reviews sla due`: the business-time deadline of one review (CONTRACTS.md, "sla due")."""

from __future__ import annotations

import argparse
from datetime import datetime

from clinic_reviews.cli import UsageError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `sla` with its sub-command `due`."""
    sla = subparsers.add_parser("sla", help="business-time deadlines")
    commands = sla.add_subparsers(dest="sla_command", metavar="COMMAND", required=True)
    due = commands.add_parser("due", help="print the due moment of a review received at --received")
    due.add_argument("--received", required=True, help="ISO 8601 moment with an offset or Z")
    due.add_argument("--within", required=True, help="90m, 1h, 1h30m, 8h, 24h, 0m, Nbd, eod or now")
    due.add_argument("--tz", required=True, help="the clinic's IANA time zone, e.g. Europe/Moscow")
    due.add_argument("--open", default="09:00-21:00", help="opening hours HH:MM-HH:MM (default 09:00-21:00)")
    due.add_argument("--days", default="mon-sun", help="open days: mon-fri, mon-sat or mon-sun (default)")
    due.add_argument("--country", default="RU", help="public holidays of country CC, or none (default RU)")
    due.set_defaults(run=run_due)


def parse_moment(text: str, prefix: str) -> datetime:
    """An ISO 8601 moment that carries an offset or `Z`; UsageError (message starting `prefix`) otherwise."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{prefix}: --received is not an ISO 8601 moment: {text!r}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise UsageError(f"{prefix}: --received needs a UTC offset or Z, e.g. 2026-12-08T10:00:00+03:00")
    return moment


def run_due(args: argparse.Namespace) -> int:
    """Print the due moment, seconds precision, with the UTC offset of --tz."""
    from clinic_reviews.domain.business_time import BusinessCalendar, parse_within

    received = parse_moment(args.received, "sla due")
    try:
        calendar = BusinessCalendar.from_cli(args.tz, args.open, args.days, args.country)
        rule = parse_within(args.within)
        due = calendar.due(received, rule)
    except ValueError as exc:
        raise UsageError(f"sla due: {exc}") from None
    print(due.isoformat(timespec="seconds"))
    return 0
