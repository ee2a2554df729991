"""The normalized review: the one shape every source is turned into and every later step reads."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

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


def _free_text(value: Any) -> Any:
    """Free text: refused with a lone surrogate, control characters (but tab and newline) removed."""
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise ValueError(problem)
        return strip_controls(value)
    return value


def _identifier(value: Any) -> Any:
    """An id, source, URL or language: refused with a lone surrogate or any control character."""
    if isinstance(value, str):
        problem = identifier_problem(value)
        if problem:
            raise ValueError(problem)
    return value


def _date_text(value: Any) -> Any:
    """A date is ISO 8601 text (or a datetime from code): a bare number is not read as epoch seconds."""
    if not isinstance(value, (str, datetime)):
        raise ValueError("must be an ISO 8601 date with a UTC offset")
    return value


class Reply(BaseModel):
    """The clinic's public answer as seen on the platform."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    text: str = ""
    created_at: datetime
    author: str | None = None

    _utc = field_validator("created_at")(lambda cls, v: to_utc(v))
    _text = field_validator("text", "author")(lambda cls, v: _free_text(v))
    _date = field_validator("created_at", mode="before")(lambda cls, v: _date_text(v))

    @field_validator("text", mode="before")
    @classmethod
    def _text_or_empty(cls, value: Any) -> Any:
        return "" if value is None else value


class Review(BaseModel):
    """A patient's review of one clinic on one source, as normalized by a connector or import."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=False)

    source: str
    external_id: str = Field(min_length=1, max_length=MAX_ID_LENGTH)
    clinic_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    rating: int | None = Field(default=None, ge=1, le=5)
    text: str = ""
    author: str | None = None
    created_at: datetime
    reply: Reply | None = None
    url: str | None = None
    lang: str | None = Field(default=None, pattern=r"^[a-z]{2}$")

    @field_validator("source")
    @classmethod
    def _known_source(cls, value: str) -> str:
        if value not in SOURCES:
            raise ValueError(f"unknown source {value!r}; expected one of {', '.join(SOURCES)}")
        return value

    @field_validator("external_id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("rating", mode="before")
    @classmethod
    def _whole_rating(cls, value: Any) -> Any:
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ValueError("must be a number from 1 to 5 or null")
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    @field_validator("text", mode="before")
    @classmethod
    def _text_or_empty(cls, value: Any) -> Any:
        return "" if value is None else value

    _utc = field_validator("created_at")(lambda cls, v: to_utc(v))
    _text = field_validator("text", "author")(lambda cls, v: _free_text(v))
    _date = field_validator("created_at", mode="before")(lambda cls, v: _date_text(v))
    _ids = field_validator("source", "external_id", "clinic_id", "url", "lang", mode="before")(
        lambda cls, v: _identifier(v)
    )

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
        data = self.model_dump(mode="python")
        data["created_at"] = iso_z(self.created_at)
        if self.reply is not None:
            data["reply"] = {"text": self.reply.text, "created_at": iso_z(self.reply.created_at), "author": self.reply.author}
        return data


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
    """Validate one raw mapping into a Review, or raise InvalidReview naming the first bad field."""
    if not isinstance(data, dict):
        raise InvalidReview(f"expected a JSON object, got {type(data).__name__}")
    try:
        return Review.model_validate(data)
    except ValidationError as exc:
        raise InvalidReview(describe_validation_error(exc)) from None


def describe_validation_error(exc: ValidationError) -> str:
    """One line per problem, `field: reason`, without echoing the (possibly personal) input value."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False):
        field = ".".join(str(p) for p in err["loc"]) or "(root)"
        message = err["msg"].removeprefix("Value error, ")
        parts.append(f"{field}: {message}")
    return "; ".join(parts)
