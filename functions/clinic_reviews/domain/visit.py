"""A completed visit as the clinic's information system reports it (infra/schemas/visit.completed.v1.json).

Only the visits function reads visits; this pydantic model is kept apart from domain/feedback.py so the
feedback page, which never reads one, does not import pydantic (issue 18, cold start).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator

from clinic_reviews.domain.business_time import zone
from clinic_reviews.domain.feedback import LANGUAGES, InvalidVisit
from clinic_reviews.domain.review import to_utc


class Visit(BaseModel):
    """A completed visit as the clinic's information system reports it (infra/schemas/visit.completed.v1.json).

    The phone is kept raw here: it is read in the clinic's country (`domain/phones.py`) by the service.
    """

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)

    clinic_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    visit_id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:/#-]+$")
    visit_end: datetime
    patient_phone: str = Field(min_length=1, max_length=40)
    patient_timezone: str | None = None
    language: str | None = None
    consent: StrictBool
    doctor: str | None = Field(default=None, max_length=120)
    service: str | None = Field(default=None, max_length=120)

    _utc = field_validator("visit_end")(lambda cls, v: to_utc(v))

    @field_validator("visit_end", mode="before")
    @classmethod
    def _iso_text(cls, value: Any) -> Any:
        if not isinstance(value, (str, datetime)):
            raise ValueError("must be an ISO 8601 date-time with its UTC offset")  # noqa: TRY004
        return value

    @field_validator("visit_id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("patient_phone", mode="before")
    @classmethod
    def _phone_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("patient_timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        zone(value)
        return value

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: Any) -> Any:
        if value in (None, ""):
            return None
        code = str(value).strip().lower()[:2]
        if code not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
        return code


def parse_visit(data: Any) -> Visit:
    """A validated Visit from an event's detail (or a CSV row), else InvalidVisit naming the bad fields."""
    if not isinstance(data, dict):
        raise InvalidVisit(f"expected a JSON object, got {type(data).__name__}")
    try:
        return Visit.model_validate(data)
    except ValidationError as exc:
        raise InvalidVisit(describe_validation_error(exc)) from None


def describe_validation_error(exc: ValidationError) -> str:
    """One line per problem, `field: reason`, without echoing the (possibly personal) input value."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False):
        field = ".".join(str(p) for p in err["loc"]) or "(root)"
        message = err["msg"].removeprefix("Value error, ")
        parts.append(f"{field}: {message}")
    return "; ".join(parts)
