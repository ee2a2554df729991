"""`clinic-reviews chaos [--reviews FILE] [--fault-rate P] [--seed N] --out DIR`: faults everywhere, invariants kept.

The demo's timeline (the bundled sample by default) runs twice in the embedded AWS: once without faults, once with
every AWS call of the functions and every platform call failing with probability P (throttling, 5xx, timeouts,
in the order seed N draws). DIR/chaos.json says which invariants held; exit 0 when all held, 1 otherwise.
docs/nothing-lost.md (chaos) says what is faulted and how each invariant is checked.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from clinic_reviews.cli import UsageError


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"must be at least 0 and below 1: {text}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text}")
    return value


def register(subparsers) -> None:
    parser = subparsers.add_parser("chaos", help="replay the demo with seeded faults and check the invariants",
                                   description=__doc__)
    parser.add_argument("--reviews", type=Path, help="normalized reviews with clinic_id, one JSON object a line "
                        "(default: the bundled sample; a file of one's own gets the demo's default policy)")
    parser.add_argument("--fault-rate", type=_rate, default=0.1, help="probability each call fails (default 0.1)")
    parser.add_argument("--seed", type=_seed, default=0, help="seed of the faults' order (default 0)")
    parser.add_argument("--out", type=Path, required=True, help="output folder: chaos.json, fault-free/, faulted/")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        from clinic_reviews_local.chaos import run_chaos
        from clinic_reviews_local.demo import DemoError
    except ImportError:
        raise UsageError("chaos needs the local extra: pip install -e '.[local]'") from None
    if args.reviews is not None and not args.reviews.is_file():
        raise UsageError(f"--reviews: no such file: {args.reviews}")
    try:
        result = run_chaos(args.reviews, args.fault_rate, args.seed, args.out)
    except DemoError as exc:
        raise UsageError(str(exc)) from None
    broken = [name for name, verdict in result["invariants"].items() if not verdict["holds"]]
    print(f"chaos: seed {result['seed']}, fault rate {result['fault_rate']}, {result['faults_injected']} faults "
          f"injected; {len(result['invariants']) - len(broken)} of {len(result['invariants'])} invariants hold "
          f"({result['seconds']['fault_free']} s fault-free, {result['seconds']['faulted']} s faulted)")
    for name, verdict in result["invariants"].items():
        print(f"  {'ok  ' if verdict['holds'] else 'FAIL'} {name}: {verdict['detail']}")
    print(f"  {args.out.resolve() / 'chaos.json'}")
    return 1 if broken else 0
