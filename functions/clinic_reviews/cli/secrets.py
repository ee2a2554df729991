"""`clinic-reviews secrets init --stage S`: create the stack's missing SecureString parameters (after the first
deploy; existing values are kept). clinic_reviews/stack_secrets.py lists them and who reads which."""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    parser = subparsers.add_parser("secrets", help="create the deployed stack's secrets (SSM SecureString)")
    actions = parser.add_subparsers(dest="action", required=True)
    init = actions.add_parser("init", help="create the missing parameters: random keys, placeholders to fill in")
    init.add_argument("--stage", required=True, help="the stack's Stage parameter (dev, prod, ...)")
    init.add_argument("--region", help="AWS region (default: from your AWS configuration)")
    init.set_defaults(run=run_init)


def run_init(args: argparse.Namespace) -> int:
    import boto3

    from clinic_reviews.stack_secrets import PARAMETERS, ensure_parameters, parameter_name

    created = set(ensure_parameters(boto3.client("ssm", region_name=args.region), args.stage))
    for key in PARAMETERS:
        name = parameter_name(args.stage, key)
        print(f"{name}: {'created' if name in created else 'kept'}")
    return 0
