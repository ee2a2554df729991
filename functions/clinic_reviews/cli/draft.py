"""`clinic-reviews draft`: reviews as JSONL on stdin, reply drafts with their privacy verdict on stdout.

    clinic-reviews draft [--policy FILE] [--contact TEXT] [--signature TEXT] [--templates DIR] [--llm]

In: `{"id", "text", "rating", "lang"?, "author"?, "clinic_id"?}` per line. Out, one line per input line
in order: `{"id", "draft", "check": {"ok", "problems": [{"kind", "span", "text"}]}, "triage",
"sentiment", "case", "lang", "needs_legal", "source"}`. A bad line yields `{"id", "error": "line N:
reason"}` and the same message on stderr; the rest is still drafted. Exit status 0.

The reply contact, signature and template folder come from the policy's `replies:` section; the
options override it. `--llm` (or LLM_DRAFTS=true) drafts with Amazon Bedrock (`--model-id`, or
BEDROCK_MODEL_ID), falling back to the templates; without it Bedrock is never imported.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import IO, Any

from clinic_reviews.cli import UsageError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `draft`."""
    parser = subparsers.add_parser(
        "draft", help="reply drafts: reviews JSONL on stdin -> drafts JSONL on stdout",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("--policy", type=Path, help="the chain's policy (replies: contact, signature, templates)")
    parser.add_argument("--contact", help="public contact line for a private talk with the clinic manager")
    parser.add_argument("--signature", help="closing line of every reply")
    parser.add_argument("--templates", type=Path, help="folder of the chain's own templates (ru/…, en/…)")
    parser.add_argument("--lang", choices=("ru", "en"), help="language of replies to reviews in other languages")
    parser.add_argument("--llm", action="store_true", help="draft with Amazon Bedrock (falls back to templates)")
    parser.add_argument("--model-id", help="Bedrock model id (default: BEDROCK_MODEL_ID or a small model)")
    parser.add_argument("--region", help="AWS region of Bedrock")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    drafter, context, clinics = build(args)
    stdout = sys.stdout
    if hasattr(stdout, "reconfigure"):
        stdout.reconfigure(encoding="utf-8")
    return draft_stream(sys.stdin.buffer, stdout, sys.stderr, drafter, context, clinics)


def build(args: argparse.Namespace) -> tuple[Any, Any, dict[str, str]]:
    """The drafter, the reply context and clinic names, from the policy and the options."""
    from clinic_reviews.domain.policy import PolicyError, load_policy
    from clinic_reviews.domain.replies import ReplyContext, ReplyDrafter

    contact = signature = templates = None
    lang, clinics = "ru", {}
    if args.policy is not None:
        try:
            policy = load_policy(args.policy)
        except PolicyError as exc:
            raise UsageError(f"draft: --policy: {exc}") from None
        lang = policy.chain.language
        clinics = {c.id: c.name for c in policy.clinics}
        if policy.replies is not None:
            contact, signature = policy.replies.contact, policy.replies.signature
            if policy.replies.templates:
                templates = (args.policy.parent / policy.replies.templates).resolve()
    context = ReplyContext(
        contact=args.contact or contact,
        signature=args.signature or signature,
        default_lang=args.lang or lang,
    )
    folder = args.templates or templates
    drafter = ReplyDrafter(read_templates(folder) if folder else None)
    if args.llm or os.environ.get("LLM_DRAFTS", "").lower() in ("1", "true", "yes"):
        from clinic_reviews.bedrock_drafts import DEFAULT_MODEL, BedrockDrafter, bedrock_client

        model = args.model_id or os.environ.get("BEDROCK_MODEL_ID") or DEFAULT_MODEL
        drafter = BedrockDrafter(bedrock_client(args.region), model, fallback=drafter)
    return drafter, context, clinics


def read_templates(folder: Path) -> dict[str, str]:
    """`{"ru/negative_1.txt.j2": source, ...}` of every template under `folder`."""
    if not folder.is_dir():
        raise UsageError(f"draft: templates folder {folder} does not exist")
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*.j2"))
    }


def draft_stream(lines, out: IO[str], err: IO[str], drafter: Any, context: Any, clinics: dict[str, str]) -> int:
    """Drafts each line as it arrives; bad lines become error lines. Returns the exit status."""
    from dataclasses import replace

    from clinic_reviews.cli.classify import InvalidLine, parse_line
    from clinic_reviews.domain.classification import classify

    for number, raw in enumerate(lines, start=1):
        record_id: Any = None
        try:
            record = parse_line(raw)
            record_id = record["id"]
            extra = _extra(raw, record_id)
            reading = classify(record["text"], record["rating"], record["lang"])
            clinic = clinics.get(extra["clinic_id"] or "")
            local = replace(context, clinic=clinic) if clinic else context
            key = f"{extra['clinic_id'] or ''}#{record_id}"
            draft = drafter.draft(key, record["text"], reading, local, extra["author"])
            row = {
                "id": record_id,
                "draft": draft.text,
                "check": draft.check.to_json(),
                "triage": reading.triage,
                "sentiment": reading.sentiment,
                **{k: v for k, v in draft.to_json().items() if k not in ("draft", "check")},
            }
        except InvalidLine as exc:
            row = _error(number, exc.record_id, str(exc), err)
        except Exception as exc:  # noqa: BLE001 -- one bad review must not cost the rest of the input
            row = _error(number, record_id, f"drafting failed ({type(exc).__name__}: {exc})", err)
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    out.flush()
    return 0


def _extra(raw: bytes | str, record_id: str) -> dict[str, str | None]:
    from clinic_reviews.cli.classify import InvalidLine

    record = json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    extra = {}
    for name in ("author", "clinic_id"):
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            raise InvalidLine(f"{name}: must be a string", record_id)
        extra[name] = value
    return extra


def _error(number: int, record_id: Any, reason: str, err: IO[str]) -> dict[str, Any]:
    print(f"draft: line {number}: {reason}", file=err)
    return {"id": record_id, "error": f"line {number}: {reason}"}
