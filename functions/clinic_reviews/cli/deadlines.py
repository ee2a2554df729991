"""`clinic-reviews deadlines`: the whole escalation ladder of one review under a chain's policy."""

from __future__ import annotations

import argparse
import json

from clinic_reviews.cli import UsageError
from clinic_reviews.cli.sla import parse_moment


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `deadlines`."""
    parser = subparsers.add_parser("deadlines", help="print who is alerted about a review, how and when")
    parser.add_argument("--config", required=True, help="the chain's policy, YAML or JSON")
    parser.add_argument("--clinic", required=True, help="clinic id from the policy")
    parser.add_argument("--received", required=True, help="ISO 8601 moment with an offset or Z")
    parser.add_argument("--legal", action="store_true", help="the review is flagged legal")
    parser.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print one line per tier and recipient: tier, who, channel, due (clinic-local, with offset)."""
    from clinic_reviews.domain.ladder import plan_escalation
    from clinic_reviews.domain.policy import PolicyError, load_policy

    received = parse_moment(args.received, "deadlines")
    try:
        policy = load_policy(args.config)
        tiers = plan_escalation(policy, args.clinic, received, legal=args.legal)
    except PolicyError as exc:
        raise UsageError(f"deadlines: {exc}") from None
    rows = []
    for tier in tiers:
        for person in tier.recipients:
            rows.append(
                {
                    "tier": tier.id,
                    "index": tier.index,
                    "urgent": tier.urgent,
                    "contact": person.contact_id,
                    "name": person.name,
                    "channel": person.channel,
                    "address": person.address,
                    "due": tier.due_local.isoformat(timespec="seconds"),
                    "send_at": tier.to_json()["send_at"],
                }
            )
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    table = [(r["tier"], f"{r['name']} ({r['contact']})", r["channel"], r["due"]) for r in rows]
    widths = [max((len(row[i]) for row in table), default=0) for i in range(3)]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[3])
    return 0
