"""`clinic-reviews cost`: the chain's monthly AWS bill for running this product (docs/cost.md)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from clinic_reviews.cli import UsageError

DEFAULT_POLICY = "samples/policy.yaml"


def _positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not number >= 0 or number == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {value!r}")
    return number


def _share(value: str) -> float:
    number = _positive(value)
    if number > 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {value!r}")
    return number


def register(subparsers) -> None:
    parser = subparsers.add_parser("cost", help="the chain's monthly AWS bill at list prices, per clinic")
    parser.add_argument("--policy", default=DEFAULT_POLICY, help=f"chain policy YAML/JSON (default {DEFAULT_POLICY})")
    parser.add_argument("--reviews-per-clinic", type=_positive, default=100.0, help="reviews a clinic a month (100)")
    parser.add_argument("--negative-share", type=_share, default=0.3, help="share of negative reviews (0.3)")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    parser.set_defaults(run=run)


def _policy_path(value: str) -> Path:
    path = Path(value)
    if not path.is_file() and value == DEFAULT_POLICY:
        from clinic_reviews.cost.inventory import template_path

        template = template_path()
        if template is not None:
            path = template.parent / DEFAULT_POLICY
    return path


def run(args: argparse.Namespace) -> int:
    from clinic_reviews.cost import inventory
    from clinic_reviews.cost.estimate import Workload, estimate, load_measured
    from clinic_reviews.domain.policy import PolicyError, load_policy

    try:
        policy = load_policy(_policy_path(args.policy))
    except (PolicyError, OSError) as exc:
        raise UsageError(f"cost: policy {args.policy}: {exc}") from None
    workload = Workload.of_policy(policy, args.reviews_per_clinic, args.negative_share)
    result = estimate(inventory.current(), workload, load_measured())
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        print(table(result, policy.chain.id))
    return 0


def table(result, chain_id: str) -> str:
    data = result.to_json()
    lines = [
        f"chain {chain_id}: {data['clinics']} clinics, {data['feeds']} feeds, {data['reviews_per_month']:g} reviews "
        f"a month ({data['negative_share']:.0%} negative); {data['region']}, list prices of {data['prices_as_of']}",
        "",
        f"  {'service':<26}{'USD a month':>12}",
    ]
    lines += [f"  {service:<26}{usd:>12.2f}" for service, usd in data["by_service"].items()]
    lines += [
        f"  {'':-<38}",
        f"  {'fixed (idle stack)':<26}{data['fixed_usd']:>12.2f}",
        f"  {'variable (the reviews)':<26}{data['variable_usd']:>12.2f}",
        f"  {'per chain':<26}{data['per_chain_month_usd']:>12.2f}",
        f"  {'per clinic':<26}{data['per_clinic_month_usd']:>12.2f}   "
        f"(commercial tools: about ${data['commercial_per_clinic_month_usd']:.0f} a clinic)",
        f"  {'with always-free tiers':<26}{data['with_free_tier_usd']:>12.2f}   per chain, if the account has them to spare",
        "",
        "SMS apart: " + (f"{data['sms_parts']:g} alert parts to {data['sms_country']} = ${data['sms_usd']:.2f} a month"
                         if data["sms_usd"] is not None else f"no price for {data['sms_country']} in the table"),
        "",
        "assumptions:",
    ]
    lines += [f"  - {line}" for line in data["assumptions"]]
    return "\n".join(lines)
