"""Imports: a file dropped into the imports bucket, and a signed webhook call, into the intake.

Files go to `imports/<clinic_id>/<file>` or `imports/<clinic_id>/<source>/<file>` (the middle
folder is the default source for rows without one, e.g. `yandex` for a Yandex Maps copy). Dates
without an offset are read in the clinic's time zone. Every bad row is reported, with its line, in
`<file>.rejects.jsonl` next to the file (empty when everything was imported); the rest is stored.
Importing the same file again stores nothing twice (stable ids, content hashes).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from aws_lambda_powertools import Logger

from clinic_reviews.domain.review import SOURCES
from clinic_reviews.domain.safe_text import BadJson, parse_json
from clinic_reviews.sources import imports, webhook
from clinic_reviews.sources.imports import ImportFormatError, ImportResult, Reject

logger = Logger(child=True)

PREFIX = "imports/"
REJECTS_SUFFIX = ".rejects.jsonl"
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_WEBHOOK_BYTES = 1024 * 1024
INTAKE_CHUNK = 100
_READERS = {"csv": imports.csv_rows, "json": imports.json_rows, "jsonl": imports.jsonl_rows, "xlsx": imports.xlsx_rows}


class Objects(Protocol):
    def get_bytes(self, key: str) -> bytes: ...

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None: ...


@dataclass
class ImportReport:
    """What one file or webhook call did; rejects are `{"line", "reason", "external_id"?}`, never row content."""

    key: str | None = None
    clinic_id: str | None = None
    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    rejects: list[dict[str, Any]] = field(default_factory=list)
    rejects_key: str | None = None
    skipped: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ImportTarget:
    clinic_id: str
    source: str | None
    filename: str


def parse_key(key: str) -> ImportTarget:
    """`imports/<clinic>/<file>` or `imports/<clinic>/<source>/<file>`; ValueError naming the expected layout."""
    parts = key.removeprefix(PREFIX).split("/") if key.startswith(PREFIX) else []
    layout = "put files at imports/<clinic_id>/<file> or imports/<clinic_id>/<source>/<file>"
    if len(parts) not in (2, 3) or not all(parts):
        raise ValueError(f"unexpected key: {layout}")
    source = parts[1] if len(parts) == 3 else None
    if source is not None and source not in SOURCES:
        raise ValueError(f"unknown source folder {source!r}; expected one of {', '.join(SOURCES)}")
    return ImportTarget(parts[0], source, parts[-1])


class ImportService:
    def __init__(self, policies: Any, intake: Any, now: Callable[[], datetime]):
        self._policies = policies
        self._intake = intake
        self._now = now

    # ------------------------------------------------------------------ files
    def import_object(self, objects: Objects, key: str, size: int | None = None) -> ImportReport:
        """Import one dropped file and write its rejects next to it."""
        report = ImportReport(key=key)
        if key.endswith((REJECTS_SUFFIX, "/")) or not key.startswith(PREFIX):
            report.skipped = "not an import file"
            return report
        try:
            target = parse_key(key)
            report.clinic_id = target.clinic_id
            _, clinic = self._clinic(target.clinic_id)
            fmt = imports.format_for(target.filename)
            if fmt is None:
                raise ImportFormatError("unknown file type; use .csv, .json, .jsonl or .xlsx")
            if size is not None and size > MAX_FILE_BYTES:
                raise ImportFormatError(f"file larger than {MAX_FILE_BYTES // 2**20} MB; split it")
            data = objects.get_bytes(key)
            if len(data) > MAX_FILE_BYTES:
                raise ImportFormatError(f"file larger than {MAX_FILE_BYTES // 2**20} MB; split it")
            rows = list(_READERS[fmt](data))
            result = imports.import_rows(rows, source=target.source, tz=clinic.timezone)
            self._store(result, _lines(rows, result), target.clinic_id, report)
        except (ValueError, ImportFormatError) as exc:
            report.rejects.append({"line": 0, "reason": str(exc)[:300]})
        report.rejects_key = key + REJECTS_SUFFIX
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in report.rejects).encode()
        objects.put_bytes(report.rejects_key, body, "application/x-ndjson; charset=utf-8")
        return report

    # ------------------------------------------------------------------ webhook
    def receive_webhook(
        self,
        body: bytes,
        *,
        clinic_id: str | None = None,
        source: str | None = None,
    ) -> ImportReport:
        """A verified webhook body: one review, an array, or `{"reviews": [...]}`; `clinic_id` for items without one."""
        report = ImportReport(clinic_id=clinic_id)
        tz = imports.DEFAULT_TZ
        if clinic_id:
            tz = self._clinic(clinic_id)[1].timezone
        if len(body) > MAX_WEBHOOK_BYTES:
            raise ValueError(f"body larger than {MAX_WEBHOOK_BYTES // 1024} KB")
        if source is not None and source not in SOURCES:
            raise ValueError(f"unknown source {source!r}")
        result = webhook.parse_webhook(body, source=source, tz=tz)
        items = _webhook_items(body)
        lines = _lines(list(enumerate(items, start=1)), result) if items is not None else [None] * len(result.reviews)
        self._store(result, lines, clinic_id, report)
        return report

    # ------------------------------------------------------------------ shared
    def _clinic(self, clinic_id: str):
        try:
            return self._policies.for_clinic(clinic_id)
        except LookupError as exc:
            raise ValueError(str(exc)) from None

    def _store(self, result: ImportResult, lines: list[int | None], clinic_id: str | None, report: ImportReport) -> None:
        report.rows = len(result.reviews) + len(result.rejects)
        report.rejects += [{"line": r.line, "reason": r.reason} for r in result.rejects]
        items = [{**r, "clinic_id": r.get("clinic_id") or clinic_id} for r in result.reviews]
        for start in range(0, len(items), INTAKE_CHUNK):
            chunk = items[start : start + INTAKE_CHUNK]
            outcome = self._intake.ingest(chunk)
            report.new += outcome.new
            report.changed += outcome.changed
            report.unchanged += outcome.unchanged
            for rejection in outcome.rejected + outcome.quarantined:
                position = start + rejection.index
                report.rejects.append(
                    {"line": lines[position], "external_id": items[position]["external_id"], "reason": rejection.reason}
                )
            report.failed += len(outcome.failed)
        report.rejects.sort(key=lambda r: (r["line"] is None, r["line"] or 0))
        if report.failed:  # the handler fails the invocation: it is retried, and nothing stored is stored twice
            logger.warning("import rows not stored", extra={"clinic_id": clinic_id, "failed": report.failed})


def _webhook_items(body: bytes) -> list[Any] | None:
    """The items of a webhook body as `parse_webhook` reads them (None when it is not JSON)."""
    try:
        document = parse_json(body)
    except BadJson:
        return None
    if isinstance(document, Mapping) and isinstance(document.get("reviews"), list):
        return document["reviews"]
    if isinstance(document, list):
        return document
    return [document] if isinstance(document, Mapping) else None


def _lines(rows: Iterable[tuple[int, Any]], result: ImportResult) -> list[int | None]:
    """The line of each imported review: the rows that were neither blank nor rejected, in order."""
    rejected = {r.line for r in result.rejects}
    lines = [
        line
        for line, row in rows
        if not isinstance(row, Reject)
        and line not in rejected
        and isinstance(row, Mapping)
        and not all(v is None or (isinstance(v, str) and not v.strip()) for v in row.values())
    ]
    return lines if len(lines) == len(result.reviews) else [None] * len(result.reviews)
