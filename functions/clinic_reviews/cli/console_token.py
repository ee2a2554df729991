"""`clinic-reviews console-token`: issue a console/API token for one person (the production sign-in, docs/cases.md).

    clinic-reviews console-token --parameter /clinic-reviews/prod/console --chain zdorovie \\
        --user o.kuznetsova --name "Ольга Кузнецова" --role review_manager --clinic ekb-center [--hours 12]

Reads the signing key from its SSM SecureString parameter with your AWS credentials (or `--key-file` for a key on disk)
and prints the token. The person pastes it on the console's sign-in page, or sends it as
`Authorization: Bearer <token>` to the API. `--clinic` repeats; without it the token covers every clinic.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path

from clinic_reviews.cli import UsageError

ROLES = ("review_manager", "head_of_client_service", "director", "legal")


def register(subparsers) -> None:
    parser = subparsers.add_parser("console-token", help="issue a case-console token for one person",
                                   description=__doc__.splitlines()[0])
    parser.add_argument("--parameter", help="the console key's SSM parameter (/clinic-reviews/<stage>/console)")
    parser.add_argument("--key-file", type=Path, help="the signing key in a file instead of SSM")
    parser.add_argument("--region", help="AWS region of the parameter")
    parser.add_argument("--chain", required=True, help="the chain id (the stack's ChainId)")
    parser.add_argument("--user", required=True, help="a stable user id (shown in the audit log)")
    parser.add_argument("--name", required=True, help="the person's name as the console shows it")
    parser.add_argument("--role", required=True, choices=ROLES)
    parser.add_argument("--clinic", action="append", default=[], help="a clinic the person sees (repeat); none: all")
    parser.add_argument("--hours", type=float, default=12.0, help="how long the token works (default 12, at most 720)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from clinic_reviews.console.auth import User, issue

    if not 0 < args.hours <= 720:
        raise UsageError("console-token: --hours must be between 0 and 720")
    if bool(args.parameter) == bool(args.key_file):
        raise UsageError("console-token: give exactly one of --parameter and --key-file")
    if args.key_file:
        try:
            key = args.key_file.read_bytes().strip()
        except OSError as exc:
            raise UsageError(f"console-token: --key-file: {exc.strerror}") from None
    else:
        import boto3

        client = boto3.client("ssm", region_name=args.region)
        key = client.get_parameter(Name=args.parameter, WithDecryption=True)["Parameter"]["Value"].encode()
    user = User(args.user, args.name, args.role, tuple(args.clinic) or ("*",), args.chain)
    print(issue(user, key, datetime.now(UTC), timedelta(hours=args.hours)))
    return 0
