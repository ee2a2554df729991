"""`clinic-reviews policy check|put`: validate a chain's policy, and store it in a deployed table."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from clinic_reviews.cli import UsageError


def register(subparsers) -> None:
    parser = subparsers.add_parser("policy", help="validate a chain policy or store it in the deployed table")
    actions = parser.add_subparsers(dest="action", required=True)
    check = actions.add_parser("check", help="validate a policy file and print its clinics and ladder")
    check.add_argument("--file", required=True, help="policy YAML or JSON")
    check.set_defaults(run=run_check)
    put = actions.add_parser("put", help="validate and store a policy (uses your AWS credentials)")
    put.add_argument("--file", required=True, help="policy YAML or JSON")
    put.add_argument("--table", required=True, help="the stack's TableName output")
    put.add_argument("--region", help="AWS region (default: from your AWS configuration)")
    put.set_defaults(run=run_put)


def _load(path: str):
    from clinic_reviews.domain.policy import PolicyError, load_policy

    try:
        return load_policy(path)
    except (PolicyError, OSError) as exc:
        raise UsageError(f"policy: {path}: {exc}") from None


def run_check(args: argparse.Namespace) -> int:
    policy = _load(args.file)
    print(f"{policy.chain.id}: {policy.chain.name} ({policy.chain.timezone}), {len(policy.clinics)} clinics")
    for clinic in policy.clinics:
        print(f"  {clinic.id}: {clinic.name} ({clinic.timezone})")
    print("  ladder: " + " → ".join(f"{tier.id} ({tier.within})" for tier in policy.ladder))
    return 0


def run_put(args: argparse.Namespace) -> int:
    from clinic_reviews.store import models
    from clinic_reviews.store.policies import PolicyRepository

    policy = _load(args.file)
    models.bind(args.table, args.region)
    PolicyRepository().put(policy, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    print(f"stored policy of chain {policy.chain.id} ({len(policy.clinics)} clinics) in {args.table}")
    return 0
