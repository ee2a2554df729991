"""Completed visits from a CSV file (the upload path of docs/feedback.md), as `visit.completed` details.

The header names the columns (any order; `;` or `,` separated, UTF-8 with or without BOM):
`clinic_id, visit_id, visit_end, patient_phone, patient_timezone, language, consent, doctor, service`.
`phone` is accepted for `patient_phone`; `clinic_id` may be left out when the file lies under
`visits/<clinic_id>/`. `consent` reads yes/no, true/false, 1/0, да/нет; anything else (or nothing) is
not consent. Rows are validated later, one by one, by the same rules as events.
"""

from __future__ import annotations

import csv
import io
from typing import Any

COLUMNS = (
    "clinic_id", "visit_id", "visit_end", "patient_phone", "patient_timezone", "language", "consent", "doctor", "service",
)
ALIASES = {"phone": "patient_phone", "timezone": "patient_timezone", "lang": "language", "end": "visit_end"}
REQUIRED = ("visit_id", "visit_end", "patient_phone", "consent")
MAX_ROWS = 2_000  # a file is read within one invocation (about 5 calls a row, 300 s)
_YES = {"yes", "y", "true", "1", "да", "д"}
_NO = {"no", "n", "false", "0", "нет", "н", ""}


class VisitFileError(ValueError):
    """The file as a whole cannot be read (not CSV, no header, a required column missing)."""


def _consent(value: str) -> Any:
    text = value.strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    return value  # left for validation to refuse by name


def read_visits(data: bytes, clinic_id: str | None = None) -> list[dict[str, Any]]:
    """The rows of a visits CSV as event details (empty cells dropped); VisitFileError for the file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise VisitFileError("the file is not UTF-8 text") from None
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise VisitFileError("the file is empty") from None
    names = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if "clinic_id" not in names and clinic_id is None:
        missing.insert(0, "clinic_id")
    if missing:
        raise VisitFileError(f"missing column(s): {', '.join(missing)}")
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise VisitFileError(f"more than {MAX_ROWS} rows: split the file")
        row: dict[str, Any] = {"_line": number}
        for name, cell in zip(names, cells):
            if name in COLUMNS and cell.strip():
                row[name] = cell.strip()
        row.setdefault("clinic_id", clinic_id)
        row["consent"] = _consent(row.get("consent", ""))
        rows.append(row)
    return rows
