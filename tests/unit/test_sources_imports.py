"""Import files: CSV/JSON/JSONL/XLSX, column aliases, dates, stable ids and per-row rejects."""

from __future__ import annotations

import io
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from clinic_reviews.domain.review import parse_review
from clinic_reviews.sources.imports import (
    ImportFormatError,
    Reject,
    canonical_column,
    parse_moment,
    parse_rating,
    read_import,
    sniff_delimiter,
    stable_id,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sources"
MSK = ZoneInfo("Europe/Moscow")


def data(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_yandex_csv_with_bom_semicolons_and_multiline_text() -> None:
    result = read_import(data("yandex_export.csv"), "csv", source="yandex")
    assert [r["author"] for r in result.reviews] == ["Светлана", "Гость", None]
    first = result.reviews[0]
    assert first["source"] == "yandex" and first["rating"] == 5
    assert first["text"] == "Прекрасный педиатр 👶, всё подробно рассказала.\nСпасибо!"
    assert first["created_at"] == "2026-11-20T07:15:00Z"  # 10:15 Moscow
    assert first["reply"] == {"text": "Спасибо, Светлана!", "created_at": "2026-11-20T09:00:00Z"}
    assert first["url"] == "https://yandex.ru/maps/org/1/reviews?review=aa1"


def test_bad_rows_are_reported_with_their_line_and_the_rest_import() -> None:
    result = read_import(data("yandex_export.csv"), "csv", source="yandex")
    assert [r.line for r in result.rejects] == [5, 6, 7]  # header is line 1, the first record spans 2-3
    reasons = [r.reason for r in result.rejects]
    assert (
        "rating" in reasons[0] and "unreadable date" in reasons[1] and "no text and no rating" in reasons[2]
    )


def test_reply_without_its_own_date_is_flagged() -> None:
    last = read_import(data("yandex_export.csv"), "csv", source="yandex").reviews[-1]
    assert last["reply"]["created_at"] == last["created_at"] and last["reply_time_unknown"] is True


def test_missing_ids_are_stable_hashes() -> None:
    once = read_import(data("yandex_export.csv"), "csv", source="yandex").reviews
    again = read_import(data("yandex_export.csv"), "csv", source="yandex").reviews
    ids = [r["external_id"] for r in once]
    assert ids == [r["external_id"] for r in again]
    assert len(set(ids)) == 3 and all(i.startswith("import-") for i in ids)
    assert stable_id("yandex", "2026-01-01T00:00:00Z", None, "a") != stable_id(
        "yandex", "2026-01-01T00:00:00Z", None, "b"
    )


def test_time_zone_of_local_dates_is_configurable() -> None:
    result = read_import(data("yandex_export.csv"), "csv", source="yandex", tz="Asia/Yekaterinburg")
    assert result.reviews[0]["created_at"] == "2026-11-20T05:15:00Z"


def test_youscan_csv_maps_source_domains() -> None:
    result = read_import(data("youscan_export.csv"), "csv")
    assert [r["source"] for r in result.reviews] == ["vk", "prodoctorov"]
    assert result.reviews[0]["text"] == 'Кто был в клинике "Здоровье"? Стоит идти к ЛОРу?'
    assert result.reviews[0]["created_at"] == "2026-11-20T06:12:00Z"
    assert result.rejects == [Reject(3, "source: unknown 'otzovik.com'; pass a default source")]


def test_unknown_source_value_falls_back_to_the_default_and_keeps_the_origin() -> None:
    result = read_import(data("youscan_export.csv"), "csv", source="youscan")
    assert result.rejects == []
    otzovik = result.reviews[1]
    assert otzovik["source"] == "youscan" and otzovik["origin"] == "otzovik.com"
    assert "sentiment" not in otzovik  # unknown columns are dropped


def test_json_array_with_nested_reply_clinic_and_lang() -> None:
    result = read_import(data("reviews_import.json"), "json")
    site, call = result.reviews
    assert site["external_id"] == "form-1001" and site["clinic_id"] == "msk-01" and site["lang"] == "ru"
    assert site["reply"]["created_at"] == "2026-11-20T07:05:00Z"
    assert call["source"] == "call_center" and call["created_at"] == "2026-11-20T08:00:00Z"
    assert [(r.line, r.reason) for r in result.rejects] == [
        (3, "expected an object, got str"),
        (4, "missing date"),
    ]


def test_jsonl_line_numbers_count_blank_lines_and_duplicates_are_rejected() -> None:
    result = read_import(data("reviews_import.jsonl"), "jsonl")
    usedesk, prodoctorov = result.reviews
    assert usedesk["text"] == "Жалоба на администратора\n\nАдминистратор отказалась выдать справку."
    assert prodoctorov["rating"] == 4 and prodoctorov["created_at"] == "2026-11-18T09:00:00Z"
    lines = {r.line: r.reason for r in result.rejects}
    assert set(lines) == {4, 5, 6}
    assert lines[4].startswith("invalid JSON") and "unknown" in lines[5] and "duplicate of line 1" in lines[6]


@pytest.mark.parametrize(
    ("name", "fmt", "count"),
    [("yandex_export.csv", "csv", 3), ("reviews_import.json", "json", 2), ("reviews_import.jsonl", "jsonl", 3)],
)
def test_every_imported_review_validates(name: str, fmt: str, count: int) -> None:
    reviews = read_import(data(name), fmt, source="other").reviews
    assert len(reviews) == count
    for review in reviews:
        assert parse_review({"clinic_id": "c1", **review}).external_id == review["external_id"]


def test_windows_1251_and_comma_delimiter() -> None:
    text = "Дата,Текст,Оценка\n01.12.2026 09:00,Хорошо,5\n"
    result = read_import(text.encode("cp1251"), "csv", source="napopravka")
    assert result.reviews[0]["text"] == "Хорошо" and result.reviews[0]["created_at"] == "2026-12-01T06:00:00Z"


def test_separate_time_column_completes_a_date() -> None:
    text = "Дата;Время;Комментарий\n01.12.2026;14:30;Долго ждали\n"
    result = read_import(text.encode(), "csv", source="call_center")
    assert result.reviews[0]["created_at"] == "2026-12-01T11:30:00Z"


def test_row_with_extra_fields_is_rejected() -> None:
    text = "date,text\n2026-12-01T10:00:00Z,ok\n2026-12-01T11:00:00Z,broken,extra\n"
    result = read_import(text.encode(), "csv", source="site")
    assert len(result.reviews) == 1 and result.rejects[0].line == 3 and "fields" in result.rejects[0].reason


def test_header_without_a_date_column_is_a_format_error() -> None:
    with pytest.raises(ImportFormatError, match="date column"):
        read_import(b"author;text\nA;B\n", "csv")


@pytest.mark.parametrize(("body", "fmt"), [(b"", "csv"), (b"{not json", "json"), (b'{"a": 1}', "json")])
def test_unreadable_files_are_format_errors(body: bytes, fmt: str) -> None:
    with pytest.raises(ImportFormatError):
        read_import(body, fmt)


def test_unknown_format_or_default_source_is_refused() -> None:
    with pytest.raises(ImportFormatError):
        read_import(b"", "pdf")
    with pytest.raises(ImportFormatError, match="unknown source"):
        read_import(data("reviews_import.json"), "json", source="myspace")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20T10:00:00+05:00", "2026-11-20T05:00:00+00:00"),
        ("2026-11-20T10:00:00.123456789Z", "2026-11-20T10:00:00+00:00"),
        ("2026-11-20 10:00", "2026-11-20T07:00:00+00:00"),
        ("20.11.2026 10:00", "2026-11-20T07:00:00+00:00"),
        ("20.11.2026 10:00:30", "2026-11-20T07:00:30+00:00"),
        ("20.11.2026", "2026-11-19T21:00:00+00:00"),
        (1795852800, "2026-11-28T08:00:00+00:00"),
        (1795852800000, "2026-11-28T08:00:00+00:00"),
        (datetime(2026, 11, 20, 10, 0), "2026-11-20T07:00:00+00:00"),
    ],
)
def test_parse_moment(value: object, expected: str) -> None:
    assert parse_moment(value, MSK).isoformat() == expected


@pytest.mark.parametrize("value", ["", None, "yesterday", "32.01.2026 10:00", True])
def test_parse_moment_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        parse_moment(value, MSK)


@pytest.mark.parametrize(
    ("value", "expected"), [(5, 5), ("4", 4), ("4.0", 4), ("3,0", 3), ("", None), (None, None)]
)
def test_parse_rating(value: object, expected: int | None) -> None:
    assert parse_rating(value) == expected


@pytest.mark.parametrize("value", ["4.5", "0", "6", "five", True])
def test_parse_rating_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        parse_rating(value)


@pytest.mark.parametrize(
    ("header", "canonical"),
    [
        (" Дата публикации ", "created_at"),
        ("Текст отзыва", "text"),
        ("Оценка", "rating"),
        ("ID", "external_id"),
        ("Reply date", "reply_created_at"),
        ("Телефон", None),
        ("reply_text", "reply_text"),
    ],
)
def test_canonical_column(header: str, canonical: str | None) -> None:
    assert canonical_column(header) == canonical


def test_sniff_delimiter() -> None:
    assert (
        sniff_delimiter("a;b;c") == ";" and sniff_delimiter("a,b") == "," and sniff_delimiter("a\tb") == "\t"
    )
    assert sniff_delimiter("single") == ","


def test_xlsx_first_sheet() -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Дата", "Автор", "Оценка", "Отзыв", "Источник"])
    sheet.append([datetime(2026, 11, 20, 9, 0), "Анна", 5, "Спасибо 😊", "ПроДокторов"])
    sheet.append([None, None, None, None, None])
    sheet.append(["не дата", "Олег", 2, "Плохо", "napopravka"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = read_import(buffer.getvalue(), "xlsx")
    [review] = result.reviews
    assert review["source"] == "prodoctorov" and review["created_at"] == "2026-11-20T06:00:00Z"
    assert review["text"] == "Спасибо 😊"
    assert result.rejects == [Reject(4, "unreadable date 'не дата'")]


def test_xlsx_without_openpyxl_is_a_clear_format_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(ImportFormatError, match="openpyxl"):
        read_import(b"PK...", "xlsx")


def test_broken_xlsx_is_a_format_error() -> None:
    pytest.importorskip("openpyxl")
    with pytest.raises(ImportFormatError, match="XLSX"):
        read_import(b"not a zip", "xlsx")
