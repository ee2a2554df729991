"""Import files for sources without an API: CSV, JSON array, JSONL and (with openpyxl) XLSX.

Yandex Maps, ProDoctorov, NaPopravka, YouScan and Usedesk exports, the site form and the call-centre
log all arrive as a table. Headers are matched case-insensitively against the canonical names and
their aliases (`COLUMN_ALIASES`, documented in docs/sources.md); unknown columns are dropped (they
may hold phone numbers). Every bad row becomes a `Reject(line, reason)`; the rest still import.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from clinic_reviews.domain.review import SOURCES
from clinic_reviews.domain.safe_text import BadJson, parse_json
from clinic_reviews.sources.parsing import InvalidReview, normalize, zulu

FORMATS = ("csv", "json", "jsonl", "xlsx")
DEFAULT_TZ = "Europe/Moscow"
CANONICAL = (
    "source",
    "external_id",
    "clinic_id",
    "rating",
    "text",
    "author",
    "created_at",
    "reply_text",
    "reply_created_at",
    "url",
    "lang",
)

#: Header aliases (compared after `header_key`): the English and Russian column names YouScan, Usedesk,
#: aggregator and call-centre exports are assumed to use (not verified against vendor docs; extend
#: here). `subject` is joined in front of `text`; `created_time` completes a date-only `created_at`.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "source": ("platform", "channel", "площадка", "источник", "ресурс", "канал"),
    "external_id": (
        "id",
        "review_id",
        "mention_id",
        "ticket_id",
        "id_отзыва",
        "id_упоминания",
        "номер_обращения",
        "id_обращения",
        "номер_тикета",
    ),
    "clinic_id": ("clinic", "branch_id", "location_id", "код_клиники", "код_филиала", "id_клиники"),
    "rating": ("stars", "score", "rate", "оценка", "рейтинг", "звезды"),
    "text": (
        "comment",
        "review",
        "message",
        "body",
        "content",
        "full_text",
        "mention_text",
        "текст",
        "отзыв",
        "текст_отзыва",
        "комментарий",
        "сообщение",
        "текст_упоминания",
        "текст_обращения",
        "содержание",
    ),
    "subject": ("title", "тема", "заголовок"),
    "author": (
        "name",
        "author_name",
        "user",
        "client",
        "автор",
        "имя",
        "имя_автора",
        "пользователь",
        "клиент",
        "пациент",
        "фио",
    ),
    "created_at": (
        "date",
        "datetime",
        "created",
        "published",
        "published_at",
        "publication_date",
        "date_created",
        "дата",
        "дата_публикации",
        "дата_создания",
        "дата_и_время",
        "дата_обращения",
        "дата_звонка",
    ),
    "created_time": ("time", "время", "время_публикации", "время_звонка"),
    "reply_text": (
        "reply",
        "answer",
        "response",
        "official_answer",
        "ответ",
        "ответ_клиники",
        "текст_ответа",
        "официальный_ответ",
    ),
    "reply_created_at": ("reply_date", "answer_date", "response_date", "replied_at", "дата_ответа"),
    "url": ("link", "permalink", "ссылка", "ссылка_на_отзыв", "ссылка_на_упоминание", "url_упоминания"),
    "lang": ("language", "язык"),
}

#: Values of the `source` column (after `value_key`) -> the product's source names.
SOURCE_ALIASES: dict[str, str] = {
    "google_maps": "google",
    "google_business": "google",
    "google.com": "google",
    "гугл": "google",
    "yandex_maps": "yandex",
    "yandex.ru": "yandex",
    "яндекс": "yandex",
    "яндекс_карты": "yandex",
    "яндекс.карты": "yandex",
    "2gis.ru": "2gis",
    "2гис": "2gis",
    "дубльгис": "2gis",
    "prodoctorov.ru": "prodoctorov",
    "продокторов": "prodoctorov",
    "napopravka.ru": "napopravka",
    "напоправку": "napopravka",
    "vk.com": "vk",
    "вконтакте": "vk",
    "вк": "vk",
    "t.me": "telegram",
    "телеграм": "telegram",
    "сайт": "site",
    "форма_на_сайте": "site",
    "website": "site",
    "e_mail": "email",
    "почта": "email",
    "call_centre": "call_center",
    "колл_центр": "call_center",
    "звонок": "call_center",
    "reception": "front_desk",
    "ресепшн": "front_desk",
    "регистратура": "front_desk",
    "другое": "other",
}

_ALIAS_INDEX = {alias: name for name, aliases in COLUMN_ALIASES.items() for alias in (name, *aliases)}
_ALIAS_INDEX.update({name: name for name in CANONICAL})
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_FRACTION = re.compile(r"(\.\d{1,6})\d+")


@dataclass(frozen=True)
class Reject:
    """A row that was not imported: its line (row) number and why."""

    line: int
    reason: str


@dataclass
class ImportResult:
    """Normalized review dicts plus the rejected rows."""

    reviews: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)


class ImportFormatError(ValueError):
    """The file as a whole cannot be read (encoding, format, no usable header, missing openpyxl)."""


def header_key(name: Any) -> str:
    """`" Дата публикации "` -> `"дата_публикации"`."""
    text = str(name or "").strip().lower().replace("ё", "е")
    return re.sub(r"[\s\-_/]+", "_", text).strip("_")


def canonical_column(name: Any) -> str | None:
    """The canonical field a header stands for, or None for a column to drop."""
    return _ALIAS_INDEX.get(header_key(name))


def zone(name: str) -> ZoneInfo:
    """An IANA zone or ImportFormatError."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportFormatError(f"unknown time zone {name!r}") from None


def parse_moment(value: Any, tz: ZoneInfo) -> datetime:
    """ISO 8601 (offset or local), `DD.MM.YYYY[ HH:MM[:SS]]` (local), a datetime, or unix seconds."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(int(seconds), tz=UTC)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        dotted = _DOTTED.match(text)
        try:
            if dotted:
                d, m, y, hh, mm, ss = dotted.groups()
                moment = datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
            else:
                moment = datetime.fromisoformat(_FRACTION.sub(r"\1", text.replace("z", "Z")))
        except ValueError:
            raise ValueError(f"unreadable date {text!r}") from None
    else:
        raise ValueError("missing date")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC).replace(microsecond=0)


def parse_rating(value: Any) -> int | None:
    """`5`, `"4"`, `"4.0"`, `"4,0"` -> int; blank -> None; anything else -> ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("rating: must be a number from 1 to 5")  # noqa: TRY004 - a row error, reported
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise ValueError(f"rating: not a number ({str(value)[:20]!r})") from None
    if not number.is_integer() or not 1 <= number <= 5:
        raise ValueError("rating: must be a whole number from 1 to 5")
    return int(number)


def map_source(value: Any, default: str | None) -> tuple[str, str | None]:
    """(source, unmapped original value or None); ValueError when neither value nor default serves."""
    text = str(value).strip() if value is not None else ""
    if not text:
        if default:
            return default, None
        return "other", None
    key = header_key(text)
    if key in SOURCES:
        return key, None
    if key in SOURCE_ALIASES:
        return SOURCE_ALIASES[key], None
    if default:
        return default, text
    raise ValueError(f"source: unknown {text[:40]!r}; pass a default source")


def stable_id(source: str, created_at: str, author: str | None, text: str) -> str:
    """A deterministic id for rows without one: the same row always hashes the same."""
    digest = hashlib.sha256(json.dumps([source, created_at, author or "", text], ensure_ascii=False).encode())
    return f"import-{digest.hexdigest()[:32]}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def canonical_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """Rename a row's keys to canonical names; unknown keys dropped, a nested `reply` kept."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key == "reply" and isinstance(value, Mapping):
            out.setdefault("reply_text", value.get("text"))
            out.setdefault("reply_created_at", value.get("created_at"))
            continue
        name = canonical_column(key)
        if name is not None and (name not in out or out[name] in (None, "")):
            out[name] = value
    return out


def normalize_row(
    row: Mapping[str, Any], *, source: str | None = None, tz: ZoneInfo | str = DEFAULT_TZ
) -> dict[str, Any]:
    """One import row (any alias names) -> a normalized review dict, or ValueError/InvalidReview."""
    zone_info = zone(tz) if isinstance(tz, str) else tz
    data = canonical_row(row)
    source_name, origin = map_source(data.get("source"), source)
    created_value = data.get("created_at")
    if isinstance(created_value, str) and data.get("created_time") and _DOTTED.match(created_value.strip()):
        created_value = f"{created_value.strip()} {_text(data['created_time'])}"
    created = zulu(parse_moment(created_value, zone_info))
    text = _text(data.get("text"))
    subject = _text(data.get("subject"))
    if subject and subject not in text:
        text = f"{subject}\n\n{text}" if text else subject
    rating = parse_rating(data.get("rating"))
    if not text and rating is None:
        raise ValueError("empty: no text and no rating")
    author = _text(data.get("author")) or None
    raw: dict[str, Any] = {
        "source": source_name,
        "external_id": _text(data.get("external_id")) or stable_id(source_name, created, author, text),
        "rating": rating,
        "text": text,
        "author": author,
        "created_at": created,
        "reply": None,
        "url": _text(data.get("url")) or None,
        "lang": _text(data.get("lang")).lower() or None,
    }
    if _text(data.get("clinic_id")):
        raw["clinic_id"] = _text(data["clinic_id"])
    reply_text = _text(data.get("reply_text"))
    if reply_text:
        if data.get("reply_created_at") not in (None, ""):
            reply_at = zulu(parse_moment(data["reply_created_at"], zone_info))
        else:
            reply_at = created
            raw["reply_time_unknown"] = True
        raw["reply"] = {"text": reply_text, "created_at": reply_at}
    if origin:
        raw["origin"] = origin
    return normalize(raw)


def import_rows(
    rows: Iterable[tuple[int, Any]], *, source: str | None = None, tz: ZoneInfo | str = DEFAULT_TZ
) -> ImportResult:
    """Normalize numbered rows; bad rows and repeated ids become rejects, blank rows are ignored."""
    zone_info = zone(tz) if isinstance(tz, str) else tz
    if source is not None and source not in SOURCES:
        raise ImportFormatError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    result = ImportResult()
    seen: dict[tuple[Any, str, str], int] = {}
    for line, row in rows:
        if isinstance(row, Reject):
            result.rejects.append(row)
            continue
        if not isinstance(row, Mapping):
            result.rejects.append(Reject(line, f"expected an object, got {type(row).__name__}"))
            continue
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row.values()):
            continue
        try:
            review = normalize_row(row, source=source, tz=zone_info)
        except (ValueError, InvalidReview) as exc:
            result.rejects.append(Reject(line, str(exc)))
            continue
        key = (review.get("clinic_id"), review["source"], review["external_id"])
        if key in seen:
            result.rejects.append(Reject(line, f"duplicate of line {seen[key]} ({review['external_id']})"))
            continue
        seen[key] = line
        result.reviews.append(review)
    return result


def format_for(filename: str) -> str | None:
    """The import format a file name suggests (`.csv`, `.json`, `.jsonl`/`.ndjson`, `.xlsx`)."""
    suffix = filename.lower().rpartition(".")[2]
    return {
        "csv": "csv",
        "txt": "csv",
        "json": "json",
        "jsonl": "jsonl",
        "ndjson": "jsonl",
        "xlsx": "xlsx",
    }.get(suffix)


def read_import(
    data: bytes, fmt: str, *, source: str | None = None, tz: ZoneInfo | str = DEFAULT_TZ
) -> ImportResult:
    """Read one import file's bytes in format `fmt`; raises ImportFormatError if unreadable as a whole."""
    readers = {"csv": csv_rows, "json": json_rows, "jsonl": jsonl_rows, "xlsx": xlsx_rows}
    if fmt not in readers:
        raise ImportFormatError(f"unknown import format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return import_rows(readers[fmt](data), source=source, tz=tz)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM); Windows-1251 as the fallback Russian Excel still writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1251")
        except UnicodeDecodeError:
            raise ImportFormatError("file is neither UTF-8 nor Windows-1251 text") from None


def sniff_delimiter(header_line: str) -> str:
    """`;`, `,` or tab: whichever the header line holds most of (headers rarely contain commas)."""
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def csv_rows(data: bytes) -> Iterator[tuple[int, Any]]:
    """(line where the record starts, {header: value}) for each CSV record after the header."""
    text = decode_text(data)
    first = text.lstrip("\r\n").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first))
    header: list[str] | None = None
    consumed = 0
    for record in reader:
        start, consumed = consumed + 1, reader.line_num
        if header is None:
            if not any(cell.strip() for cell in record):
                continue
            header = _check_header(record)
            continue
        if len(record) > len(header) and any(cell.strip() for cell in record[len(header) :]):
            yield start, Reject(start, f"{len(record)} fields, header has {len(header)}")
            continue
        yield start, dict(zip(header, record))
    if header is None:
        raise ImportFormatError("empty file: no header row")


def _check_header(cells: list[Any]) -> list[str]:
    header = [str(c or "").strip() for c in cells]
    known = {canonical_column(h) for h in header}
    if "created_at" not in known or not known & {"text", "rating"}:
        raise ImportFormatError(
            "header needs a date column and a text or rating column "
            f"(e.g. {', '.join(CANONICAL)}); got {', '.join(h for h in header if h)[:200]}"
        )
    return header


def json_rows(data: bytes) -> Iterator[tuple[int, Any]]:
    """(element number, element) for a JSON array, or for `{"reviews": [...]}`."""
    try:
        document = parse_json(decode_text(data))
    except BadJson as exc:
        raise ImportFormatError(f"not valid JSON ({exc})") from None
    if isinstance(document, Mapping) and isinstance(document.get("reviews"), list):
        document = document["reviews"]
    if not isinstance(document, list):
        raise ImportFormatError('a JSON import must be an array of objects (or {"reviews": [...]})')
    yield from enumerate(document, start=1)


def jsonl_rows(data: bytes) -> Iterator[tuple[int, Any]]:
    """(line number, object) per non-blank line; a line that is not JSON becomes a Reject."""
    for number, line in enumerate(decode_text(data).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, parse_json(line)
        except BadJson as exc:
            yield number, Reject(number, f"invalid JSON: {exc}")


def xlsx_rows(data: bytes) -> Iterator[tuple[int, Any]]:
    """(sheet row number, {header: value}) from the first worksheet; needs openpyxl."""
    try:
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException
    except ImportError:
        raise ImportFormatError(
            "XLSX import needs the openpyxl package; save the sheet as CSV instead"
        ) from None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFormatError(f"not a readable XLSX file ({type(exc).__name__})") from None
    try:
        sheet = workbook.worksheets[0]
        header: list[str] | None = None
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if header is None:
                if not any(v not in (None, "") for v in values):
                    continue
                header = _check_header(list(values))
                continue
            yield number, dict(zip(header, values))
        if header is None:
            raise ImportFormatError("empty sheet: no header row")
    finally:
        workbook.close()
