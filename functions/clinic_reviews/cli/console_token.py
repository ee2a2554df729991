"""`clinic-reviews console-token`: a script token for the case API, or revoke them all (docs/cases.md, sign-in).

    clinic-reviews console-token --secret-id clinic-reviews/prod/console --table <TableName> --chain zdorovie \\
        --user crm-sync --name "CRM sync" --role review_manager --clinic ekb-center [--clinic ...] [--hours 12]
    clinic-reviews console-token --revoke --table <TableName> --chain zdorovie

People sign in to the console through the user pool; these tokens are for scripts calling the API with
`Authorization: Bearer <token>`. A token lives at most 24 hours, names its clinics (there is no "every
clinic" token) and carries the chain's current script-token generation, read from the table: `--revoke`
adds one to it, and the API refuses every token issued before within a minute. Reads the signing key from
Secrets Manager with your AWS credentials (or `--key-file` for a key on disk).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path

from clinic_reviews.cli import UsageError

ROLES = ("review_manager", "head_of_client_service", "director", "legal")
MAX_HOURS = 24


def register(subparsers) -> None:
    parser = subparsers.add_parser("console-token", help="issue a script token for the case API, or revoke them all",
                                   description=__doc__.splitlines()[0])
    parser.add_argument("--secret-id", help="the ConsoleSecret's name or ARN (clinic-reviews/<stage>/console)")
    parser.add_argument("--key-file", type=Path, help="the signing key in a file instead of Secrets Manager")
    parser.add_argument("--table", help="the stack's table (TableName output): the current generation, --revoke")
    parser.add_argument("--region", help="AWS region of the secret and the table")
    parser.add_argument("--chain", required=True, help="the chain id (the stack's ChainId)")
    parser.add_argument("--revoke", action="store_true", help="refuse every script token issued so far")
    parser.add_argument("--user", help="a stable id of the script (shown in the audit log)")
    parser.add_argument("--name", help="the script's name as the audit log shows it")
    parser.add_argument("--role", choices=ROLES)
    parser.add_argument("--clinic", action="append", default=[], help="a clinic the token may see (repeat; required)")
    parser.add_argument("--hours", type=float, default=12.0, help=f"how long it works (default 12, at most {MAX_HOURS})")
    parser.set_defaults(run=run)


def _generations(args: argparse.Namespace):
    import os

    from clinic_reviews.store import models
    from clinic_reviews.store.script_tokens import ScriptTokenGenerations

    models.bind(args.table, args.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"))
    return ScriptTokenGenerations(ttl=0)


def run(args: argparse.Namespace) -> int:
    from clinic_reviews.console.auth import User, issue

    if args.revoke:
        if not args.table:
            raise UsageError("console-token: --revoke needs --table")
        generation = _generations(args).revoke(args.chain)
        print(f"script tokens of {args.chain} revoked: generation {generation}")
        return 0
    missing = [f"--{name}" for name in ("user", "name", "role") if not getattr(args, name)]
    if missing:
        raise UsageError(f"console-token: {', '.join(missing)} required")
    if not args.clinic or "*" in args.clinic:
        raise UsageError("console-token: name the clinics with --clinic (a script token never covers every clinic)")
    if not 0 < args.hours <= MAX_HOURS:
        raise UsageError(f"console-token: --hours must be between 0 and {MAX_HOURS}")
    if bool(args.secret_id) == bool(args.key_file):
        raise UsageError("console-token: give exactly one of --secret-id and --key-file")
    if args.key_file:
        try:
            key = args.key_file.read_bytes().strip()
        except OSError as exc:
            raise UsageError(f"console-token: --key-file: {exc.strerror}") from None
    else:
        import boto3

        client = boto3.client("secretsmanager", region_name=args.region)
        key = client.get_secret_value(SecretId=args.secret_id)["SecretString"].encode()
    generation = _generations(args).current(args.chain) if args.table else 0
    user = User(args.user, args.name, args.role, tuple(args.clinic), args.chain)
    print(issue(user, key, datetime.now(UTC), timedelta(hours=args.hours), generation))
    return 0
