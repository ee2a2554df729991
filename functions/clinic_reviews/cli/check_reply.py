"""`clinic-reviews check-reply`: the privacy check of one reply (stdin), before it is posted.

    clinic-reviews check-reply [--author NAME] [--review FILE] [--allow TEXT ...] [--policy FILE] < reply.txt

Prints the verdict as JSON, `{"ok", "problems": [{"kind", "span", "text"}]}`, and exits 1 when the
reply fails (0 when it passes, 2 on bad arguments). `--allow` texts (the clinic's contact line, a
praised doctor's name) may appear; the policy's `replies.contact` and `replies.signature` always may.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from clinic_reviews.cli import UsageError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `check-reply`."""
    parser = subparsers.add_parser(
        "check-reply", help="privacy check of a reply on stdin (exit 1 when it fails)",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("--author", help="the review author's name as the platform shows it")
    parser.add_argument("--review", type=Path, help="file with the review's text (names in it are flagged)")
    parser.add_argument("--allow", action="append", default=[], help="text the reply may contain (repeatable)")
    parser.add_argument("--policy", type=Path, help="the chain's policy (replies.contact and signature allowed)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from clinic_reviews.domain.reply_check import check_reply

    allowed = list(args.allow)
    if args.policy is not None:
        from clinic_reviews.domain.policy import PolicyError, load_policy

        try:
            policy = load_policy(args.policy)
        except PolicyError as exc:
            raise UsageError(f"check-reply: --policy: {exc}") from None
        if policy.replies is not None:
            allowed += [x for x in (policy.replies.contact, policy.replies.signature) if x]
        allowed += [c.name for c in policy.clinics]
    review = None
    if args.review is not None:
        try:
            review = args.review.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"check-reply: --review: {exc.strerror or exc}") from None
    text = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    verdict = check_reply(text, author=args.author, review=review, allowed=allowed)
    stdout = sys.stdout
    if hasattr(stdout, "reconfigure"):
        stdout.reconfigure(encoding="utf-8")
    stdout.write(json.dumps(verdict.to_json(), ensure_ascii=False) + "\n")
    for reason in verdict.reasons():
        print(f"check-reply: {reason}", file=sys.stderr)
    return 0 if verdict.ok else 1
