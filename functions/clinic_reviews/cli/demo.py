"""`clinic-reviews demo [--reviews FILE.jsonl] [--policy FILE.yaml] --out DIR`: the whole system, locally."""

from __future__ import annotations

import argparse
from pathlib import Path

from clinic_reviews.cli import UsageError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the whole system locally (embedded AWS) on a file of reviews",
        description=__doc__,
    )
    parser.add_argument("--reviews", type=Path, help="normalized reviews, one JSON object a line, each with clinic_id "
                        "(default: the bundled sample)")
    parser.add_argument("--policy", type=Path, help="the chain policy (default: samples/policy.yaml)")
    parser.add_argument("--out", type=Path, required=True, help="output folder; a second run on it re-fetches")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        from clinic_reviews_local.demo import DemoError, run_demo
    except ImportError:
        raise UsageError("demo needs the local extra: pip install -e '.[local]'") from None
    if args.reviews is not None and not args.reviews.is_file():
        raise UsageError(f"--reviews: no such file: {args.reviews}")
    try:
        summary = run_demo(args.reviews, args.out, args.policy)
    except DemoError as exc:
        raise UsageError(str(exc)) from None
    out = args.out.resolve()
    print(f"demo: {summary['run']}, {summary['wall_seconds']} s")
    print(f"  input lines {summary['input_lines']}, rejected {summary['rejected_lines']}, "
          f"stored reviews {summary['stored_reviews']}, escalated {summary['escalated_reviews']}")
    print(f"  sent this run: {summary['sent_this_run']['sms']} SMS, {summary['sent_this_run']['emails']} e-mails; "
          f"AWS API calls {summary['aws_api_calls']['total']} "
          f"({summary['aws_api_calls']['per_delivered_review']} per delivered review)")
    print(f"  open {out / 'digest.html'} (the morning digest) and {out / 'report.html'} (the monthly report)")
    print(f"  everything else in {out}/ (summary.json, sms.jsonl, emails/, events.jsonl, reviews.jsonl, "
          "escalations.jsonl, rejected.jsonl)")
    cases = summary.get("cases")
    if cases:  # the case console (docs/cases.md)
        print(f"  cases through the API: {cases['closed_now']} closed, {cases['open']} open ({cases['overdue']} overdue); "
              f"{out / 'cases.json'}, {out / 'next-digest.html'}")
        if cases["screenshot"]:
            print(f"  console queue screenshot: {cases['screenshot']}")
        else:
            print(f"  console queue screenshot skipped: {cases['screenshot_skipped']}")
        print("  open the console: make console")
    return 0
