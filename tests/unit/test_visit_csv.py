"""Visits from a CSV file: columns by header, aliases, the clinic from the folder, consent words."""

from __future__ import annotations

import pytest
from clinic_reviews.domain.visit_csv import VisitFileError, read_visits


def test_rows_become_event_details() -> None:
    data = (
        "\ufeffclinic_id,visit_id,visit_end,phone,consent,language,doctor\n"
        "msk-arbat,V-1,2026-12-07T11:30:00+03:00,8 916 123-45-67,да,ru,Иванова А. А.\n"
        "\n"
        "msk-arbat,V-2,2026-12-07T12:00:00+03:00,+79161234568,no,,\n"
    ).encode()
    rows = read_visits(data)
    assert rows == [
        {"_line": 2, "clinic_id": "msk-arbat", "visit_id": "V-1", "visit_end": "2026-12-07T11:30:00+03:00",
         "patient_phone": "8 916 123-45-67", "consent": True, "language": "ru", "doctor": "Иванова А. А."},
        {"_line": 4, "clinic_id": "msk-arbat", "visit_id": "V-2", "visit_end": "2026-12-07T12:00:00+03:00",
         "patient_phone": "+79161234568", "consent": False},
    ]


def test_semicolons_and_the_clinic_from_the_folder() -> None:
    data = b"visit_id;visit_end;patient_phone;consent\nV-3;2026-12-07T11:30:00+03:00;+79161234567;yes\n"
    [row] = read_visits(data, clinic_id="ekb-center")
    assert row["clinic_id"] == "ekb-center" and row["consent"] is True


def test_unknown_consent_words_are_left_for_validation_to_refuse() -> None:
    data = b"clinic_id,visit_id,visit_end,patient_phone,consent\nc,V,2026-12-07T11:30:00Z,+79161234567,maybe\n"
    assert read_visits(data)[0]["consent"] == "maybe"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"visit_id,visit_end,consent\nV,2026,yes\n", "patient_phone"),
        (b"visit_id,visit_end,patient_phone,consent\n", "clinic_id"),
        ("visit_id;x".encode("cp1251") + "\xff".encode("latin-1"), "not UTF-8"),
    ],
)
def test_files_that_cannot_be_read(data, reason) -> None:
    with pytest.raises(VisitFileError) as caught:
        read_visits(data)
    assert reason in str(caught.value)
