"""`clinic-reviews demo [--reviews FILE.jsonl] [--policy FILE.yaml | --tz ZONE] --out DIR`: the whole system, locally.

Without --policy, the clinics of FILE become clinics of a default chain policy (samples/default-policy.yaml)
in --tz (Europe/Moscow); summary.json lists them.
"""

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
    parser.add_argument("--policy", type=Path, help="the chain policy (default: samples/demo-policy.yaml for the bundled "
                        "sample, a default policy made of the file's clinics for --reviews)")
    parser.add_argument("--tz", help="time zone of the default policy's clinics (IANA name; default Europe/Moscow)")
    parser.add_argument("--out", type=Path, required=True, help="output folder; a second run on it re-fetches")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        from clinic_reviews_local.demo import DemoError, run_demo
    except ImportError:
        raise UsageError("demo needs the local extra: pip install -e '.[local]'") from None
    if args.reviews is not None and not args.reviews.is_file():
        raise UsageError(f"--reviews: no such file: {args.reviews}")
    if args.tz is not None:
        _check_zone(args.tz)
        if args.policy is not None:
            raise UsageError("--tz is for the default policy; the zones of --policy are in the policy")
    try:
        summary = run_demo(args.reviews, args.out, args.policy, args.tz)
    except DemoError as exc:
        raise UsageError(str(exc)) from None
    out = args.out.resolve()
    print(f"demo: {summary['run']}, {summary['wall_seconds']} s")
    made = summary.get("default_policy")
    if made:
        print(f"  default policy ({made['timezone']}) with the file's clinics: {', '.join(made['clinics'])}")
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


def _check_zone(name: str) -> None:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(name)
    except (ValueError, OSError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        raise UsageError(f"--tz: unknown time zone {name!r}") from None
