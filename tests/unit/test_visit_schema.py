"""The published visit.completed schema and the code that reads the events agree."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from clinic_reviews.domain.feedback import InvalidVisit
from clinic_reviews.domain.visit import Visit, parse_visit

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "infra" / "schemas" / "visit.completed.v1.json").read_text(encoding="utf-8")
)
EXAMPLE = {
    "schema_version": "1",
    "clinic_id": "msk-arbat",
    "visit_id": "V-2026-000123",
    "visit_end": "2026-12-07T11:30:00+03:00",
    "patient_phone": "+79161234567",
    "patient_timezone": "Europe/Moscow",
    "language": "ru",
    "consent": True,
    "doctor": "Иванова А. А.",
    "service": "консультация терапевта",
}


def validate(detail: dict) -> None:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(detail)


def test_the_example_is_valid_for_both() -> None:
    validate(EXAMPLE)
    assert parse_visit(EXAMPLE).visit_id == "V-2026-000123"


def test_the_schema_names_exactly_the_fields_the_code_reads() -> None:
    assert set(SCHEMA["properties"]) - {"schema_version"} == set(Visit.model_fields)
    required = {name for name, field in Visit.model_fields.items() if field.is_required()}
    assert set(SCHEMA["required"]) == required


@pytest.mark.parametrize(
    "change",
    [{"consent": "yes"}, {"language": "de"}, {"visit_end": 1765096200}, {"patient_name": "Мария"},
     {"clinic_id": "msk arbat"}],
)
def test_what_the_schema_refuses(change) -> None:
    with pytest.raises(jsonschema.ValidationError):
        validate({**EXAMPLE, **change})
    if "patient_name" not in change:  # extra fields are ignored by the code, refused by the contract
        with pytest.raises(InvalidVisit):
            parse_visit({**EXAMPLE, **change})
