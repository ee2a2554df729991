"""`clinic-reviews parse`: one raw API response or import file -> normalized JSONL (CONTRACTS.md, "parse")."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from clinic_reviews.cli import UsageError

API_PLATFORMS = ("google", "2gis", "vk")
IMPORT_PLATFORMS = ("csv", "json", "jsonl", "xlsx")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `parse`."""
    parser = subparsers.add_parser(
        "parse",
        help="normalize a raw API response or an import file to JSONL",
        description="Reads one raw API response (google, 2gis, vk; a JSON array of responses is read as "
        "consecutive pages) or an import file (csv, json, jsonl, xlsx) and prints one normalized review "
        "per line. Rejected items go to stderr with their line/item number and reason.",
    )
    parser.add_argument("--platform", required=True, choices=API_PLATFORMS + IMPORT_PLATFORMS)
    parser.add_argument("--source", help="imports: source for rows without one (e.g. yandex, prodoctorov)")
    parser.add_argument(
        "--tz", default=None, help="imports: zone of dates without an offset (default Europe/Moscow)"
    )
    parser.add_argument(
        "--include-hidden", action="store_true", help="2gis: keep hidden reviews as hidden: true"
    )
    parser.add_argument("file", metavar="FILE", help="the file to read, or - for stdin")
    parser.set_defaults(run=run)


def _read(path: str) -> bytes:
    try:
        if path == "-":
            return sys.stdin.buffer.read()
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise UsageError(f"parse: cannot read {path}: {exc.strerror or exc}") from None


def _emit(reviews: list[dict[str, Any]]) -> None:
    out = sys.stdout
    for review in reviews:
        out.write(json.dumps(review, ensure_ascii=False) + "\n")
    out.flush()


def _report(messages: list[str]) -> None:
    for message in messages:
        print(message.replace("\n", " "), file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Print normalized reviews; exit 0 once the file was read, 2 if it could not be."""
    if args.platform in API_PLATFORMS and (args.source or args.tz):
        raise UsageError("parse: --source and --tz apply to import platforms only")
    data = _read(args.file)
    if args.platform in IMPORT_PLATFORMS:
        return _run_import(args, data)
    return _run_api(args, data)


def _run_import(args: argparse.Namespace, data: bytes) -> int:
    from clinic_reviews.sources.imports import DEFAULT_TZ, ImportFormatError, read_import

    try:
        result = read_import(data, args.platform, source=args.source, tz=args.tz or DEFAULT_TZ)
    except ImportFormatError as exc:
        raise UsageError(f"parse: {args.file}: {exc}") from None
    _emit(result.reviews)
    _report([f"line {r.line}: {r.reason}" for r in result.rejects])
    return 0


def _run_api(args: argparse.Namespace, data: bytes) -> int:
    from clinic_reviews.sources import google, twogis, vk
    from clinic_reviews.sources.http import SourceError
    from clinic_reviews.sources.parsing import Page

    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" (line {exc.lineno}: {exc.msg})" if isinstance(exc, json.JSONDecodeError) else ""
        raise UsageError(f"parse: {args.file} is not a JSON response{where}") from None
    payloads = document if isinstance(document, list) else [document]
    pages: list[Page] = []
    try:
        if args.platform == "vk":
            pages.append(vk.parse_pages(payloads))
        else:
            for payload in payloads:
                if args.platform == "google":
                    pages.append(google.parse_page(payload))
                else:
                    pages.append(twogis.parse_page(payload, include_hidden=args.include_hidden))
    except SourceError as exc:
        raise UsageError(f"parse: {args.file}: {exc.reason}") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise UsageError(f"parse: {args.file}: not a {args.platform} response ({exc})") from None
    messages: list[str] = []
    seen: set[str] = set()
    for number, page in enumerate(pages, start=1):
        prefix = f"page {number}: " if len(pages) > 1 else ""
        fresh = [r for r in page.reviews if r["external_id"] not in seen]
        seen.update(r["external_id"] for r in fresh)
        _emit(fresh)
        messages += [prefix + problem.describe() for problem in page.errors]
        messages += [
            f"{prefix}reply to comment {o['external_id']}, which is not in this file"
            for o in page.orphan_replies
        ]
    _report(messages)
    return 0
