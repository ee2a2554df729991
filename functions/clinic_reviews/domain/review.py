"""The normalized review: the one shape every source is turned into and every later step reads.

Checked by plain code, not pydantic: the webhook, import and fetch functions check every review they receive,
and pydantic's import and model building were most of their cold start (issue 18; tests/unit/test_review_checks.py
compares these checks with the pydantic model they replaced on good, bad and hostile inputs).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from clinic_reviews.domain.safe_text import identifier_problem, strip_controls, text_problem

#: Sources the product knows. Connectors and imports map their platform onto one of these.
SOURCES = (
    "google",
    "yandex",
    "2gis",
    "prodoctorov",
    "napopravka",
    "vk",
    "telegram",
    "site",
    "email",
    "call_center",
    "front_desk",
    "youscan",
    "usedesk",
    "visit_feedback",
    "other",
)

MAX_ID_LENGTH = 200


class InvalidReview(ValueError):
    """A review failed validation; the message names the field and the reason."""


def to_utc(value: datetime) -> datetime:
    """A timezone-aware UTC datetime with fractional seconds dropped."""
    if value.tzinfo is None:
        raise ValueError("needs a UTC offset or Z")
    try:
        return value.astimezone(UTC).replace(microsecond=0)
    except OverflowError:  # year 1 or 9999 pushed over the edge by its offset
        raise ValueError("out of range") from None


def iso_z(value: datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SSZ`: the one timestamp format stored, emitted and given to Step Functions."""
    return to_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_z_or_none(value: datetime | None) -> str | None:
    return None if value is None else iso_z(value)


def from_iso(value: str | None) -> datetime | None:
    """A stored timestamp back to an aware datetime (`...Z` or with an offset); None stays None."""
    return None if value is None else datetime.fromisoformat(value.replace("Z", "+00:00"))


_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt _](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?",
    re.ASCII,
)
_CLINIC_ID = re.compile(r"[A-Za-z0-9_.-]+")
_LANG = re.compile(r"[a-z]{2}")
_REQUIRED = object()


class _Invalid(ValueError):
    """One field's problem; the message never holds the value."""


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid("Input should be a valid string")
    return value


def _optional(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else check(value)


def _free_text(value: Any) -> str:
    """Free text: refused with a lone surrogate, control characters (but tab and newline) removed."""
    problem = text_problem(_text(value))
    if problem:
        raise _Invalid(problem)
    return strip_controls(value)


def _identifier(value: Any, min_length: int = 0, max_length: int | None = None, pattern: re.Pattern | None = None) -> str:
    """An id, source, URL or language: refused with a lone surrogate or any control character."""
    problem = identifier_problem(value) if isinstance(value, str) else None
    if problem:
        raise _Invalid(problem)
    value = _text(value)
    if len(value) < min_length:
        raise _Invalid(f"String should have at least {min_length} character{'s' if min_length > 1 else ''}")
    if max_length is not None and len(value) > max_length:
        raise _Invalid(f"String should have at most {max_length} characters")
    if pattern is not None and not pattern.fullmatch(value):
        raise _Invalid(f"String should match pattern '^{pattern.pattern}$'")
    return value


def _source(value: Any) -> str:
    value = _identifier(value)
    if value not in SOURCES:
        raise _Invalid(f"unknown source {value!r}; expected one of {', '.join(SOURCES)}")
    return value


def _external_id(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return _identifier(value, 1, MAX_ID_LENGTH)


def _rating(value: Any) -> int | None:
    """A whole number of stars from 1 to 5, or None; 4.0 is 4, True and "4" are refused."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Invalid("must be a number from 1 to 5 or null")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Invalid("Input should be a finite number")
        if not value.is_integer():
            raise _Invalid("Input should be a valid integer, got a number with a fractional part")
        value = int(value)
    if value < 1:
        raise _Invalid("Input should be greater than or equal to 1")
    if value > 5:
        raise _Invalid("Input should be less than or equal to 5")
    return value


def _moment(value: Any) -> datetime:
    """ISO 8601 text (`2026-12-07T10:15:30.5+03:00`, `Z`, a space for the T) or an aware datetime, in UTC
    seconds. A bare number is not read as epoch seconds; a date or time without a UTC offset is refused."""
    if isinstance(value, str):
        value = _parse_datetime(value)
    elif not isinstance(value, datetime):
        raise _Invalid("must be an ISO 8601 date with a UTC offset")
    try:
        return to_utc(value)
    except ValueError as exc:
        raise _Invalid(str(exc)) from None


def _parse_datetime(text: str) -> datetime:
    match = _DATETIME.fullmatch(text)
    if match is None:
        raise _Invalid("Input should be a valid datetime")
    year, month, day, hour, minute, second, zulu, sign, off_h, off_m = match.groups()
    offset = None
    if zulu:
        offset = UTC
    elif sign:
        if int(off_h) > 23 or int(off_m) > 59:
            raise _Invalid("Input should be a valid datetime")
        offset = timezone((-1 if sign == "-" else 1) * timedelta(hours=int(off_h), minutes=int(off_m)))
    try:
        return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                        tzinfo=offset)
    except ValueError:
        raise _Invalid("Input should be a valid datetime") from None


def _reply(value: Any) -> Reply | None:
    if value is None or isinstance(value, Reply):
        return value
    if not isinstance(value, Mapping):
        raise _Invalid("Input should be a valid dictionary or instance of Reply")
    values, problems = _checked(value, _REPLY_FIELDS, "reply.")
    if problems:
        raise _Problems(problems)
    return Reply._trusted(values)


class _Problems(ValueError):
    """Problems of a nested object, each already `path: reason`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _checked(data: Mapping[str, Any], fields: dict[str, tuple[Any, Callable[[Any], Any]]],
             prefix: str = "") -> tuple[dict[str, Any], list[str]]:
    """Each field of `data` through its check, in field order: (values, `field: reason` problems).
    Unknown keys are ignored; a missing field takes its default or is `Field required`."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, (default, check) in fields.items():
        if name not in data:
            if default is _REQUIRED:
                problems.append(f"{prefix}{name}: Field required")
            else:
                values[name] = default
            continue
        try:
            values[name] = check(data[name])
        except _Problems as exc:
            problems.extend(exc.problems)
        except _Invalid as exc:
            problems.append(f"{prefix}{name}: {exc}")
    return values, problems


class _Checked:
    """A frozen record whose fields are checked like an input on construction (`_FIELDS`: name -> (default,
    check)); `_trusted` builds one from values already checked (the store's own items)."""

    _FIELDS: dict[str, tuple[Any, Callable[[Any], Any]]] = {}

    def __init__(self, **values: Any) -> None:
        checked, problems = _checked(values, self._FIELDS)
        if problems:
            raise InvalidReview("; ".join(problems))
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    @classmethod
    def _trusted(cls, values: Mapping[str, Any]):
        record = object.__new__(cls)
        for name, (default, _) in cls._FIELDS.items():
            object.__setattr__(record, name, values.get(name, None if default is _REQUIRED else default))
        return record

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(tuple(self._values().values()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self._values().items())})"

    def _values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._FIELDS}

    def evolve(self, **changes: Any):
        """A copy with `changes`, checked again."""
        return type(self)(**{**self._values(), **changes})


class Reply(_Checked):
    """The clinic's public answer as seen on the platform."""

    text: str
    created_at: datetime
    author: str | None


class Review(_Checked):
    """A patient's review of one clinic on one source, as normalized by a connector or import.

    Constructing one checks every field (ReviewKey's parts are identifiers, free text loses control characters,
    `created_at` becomes UTC seconds) and raises InvalidReview naming each bad field without its value;
    `Review.trusted(...)` rebuilds one from the store, where it was checked on the way in."""

    source: str
    external_id: str
    clinic_id: str
    rating: int | None
    text: str
    author: str | None
    created_at: datetime
    reply: Reply | None
    url: str | None
    lang: str | None

    @classmethod
    def trusted(cls, **values: Any) -> Review:
        """A review from values checked before (the store's items): nothing is checked again."""
        return cls._trusted(values)

    @property
    def key(self) -> ReviewKey:
        return ReviewKey(self.clinic_id, self.source, self.external_id)

    def content_hash(self) -> str:
        """Hash of what a re-fetch can change; equal hashes mean nothing to write."""
        return hashlib.sha256(json.dumps(self.content(), sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]

    def content(self) -> dict[str, Any]:
        reply = self.reply
        return {
            "rating": self.rating,
            "text": self.text,
            "author": self.author,
            "url": self.url,
            "reply": None if reply is None else {"text": reply.text, "created_at": iso_z(reply.created_at)},
        }

    def to_json(self) -> dict[str, Any]:
        """The review as a JSON-ready dict (UTC `...Z` timestamps)."""
        data = self._values()
        data["created_at"] = iso_z(self.created_at)
        if self.reply is not None:
            data["reply"] = {"text": self.reply.text, "created_at": iso_z(self.reply.created_at), "author": self.reply.author}
        return data


def _text_or_empty(value: Any) -> str:
    return "" if value is None else _free_text(value)


_REPLY_FIELDS = {
    "text": ("", _text_or_empty),
    "created_at": (_REQUIRED, _moment),
    "author": (None, _optional(_free_text)),
}
Reply._FIELDS = _REPLY_FIELDS
Review._FIELDS = {
    "source": (_REQUIRED, _source),
    "external_id": (_REQUIRED, _external_id),
    "clinic_id": (_REQUIRED, lambda v: _identifier(v, 1, 64, _CLINIC_ID)),
    "rating": (None, _rating),
    "text": ("", _text_or_empty),
    "author": (None, _optional(_free_text)),
    "created_at": (_REQUIRED, _moment),
    "reply": (None, _reply),
    "url": (None, _optional(_identifier)),
    "lang": (None, _optional(lambda v: _identifier(v, pattern=_LANG))),
}
#: The fields of a review, in order (what a parser may give).
FIELDS = tuple(Review._FIELDS)


class ReviewKey(tuple):
    """(clinic_id, source, external_id): a review's identity across fetches."""

    __slots__ = ()

    def __new__(cls, clinic_id: str, source: str, external_id: str) -> ReviewKey:
        return super().__new__(cls, (clinic_id, source, external_id))

    clinic_id = property(lambda self: self[0])
    source = property(lambda self: self[1])
    external_id = property(lambda self: self[2])

    def token(self) -> str:
        """A short stable identifier (execution names, links, idempotency keys)."""
        return hashlib.sha256("\x1f".join(self).encode()).hexdigest()[:24]


def parse_review(data: Any) -> Review:
    """Check one raw mapping into a Review, or raise InvalidReview naming every bad field (never its value)."""
    if not isinstance(data, Mapping):
        raise InvalidReview(f"expected a JSON object, got {type(data).__name__}")
    return Review(**{name: data[name] for name in FIELDS if name in data})
