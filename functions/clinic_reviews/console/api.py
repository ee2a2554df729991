"""The case API's wire format in plain code: request bodies and query parameters checked, responses shaped.

The checks answer as the pydantic models of console/api_doc.py did when Powertools validated with them (same
fields, defaults, limits, and pydantic's messages: `invalid request: kind: Input should be ...`), without
importing pydantic at the console's cold start (issue 18e; tests/unit/test_console_api.py compares both on a
table of inputs and on random hostile ones). Stricter on purpose, and pinned there: a whole number may be sent
as a number or as digits, not as `true`, `"5.0"` or `"1_0"`; a date is `YYYY-MM-DD` only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from clinic_reviews.domain import cases as rules
from clinic_reviews.domain.frozen_records import record
from clinic_reviews.http_errors import HttpError

Loc = tuple[str, ...]
#: What pydantic's `str_strip_whitespace` strips (Unicode White_Space; Python's `str.strip()` also strips
#: the separators U+001C..U+001F, which pydantic keeps).
_WHITESPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
              "\u2028\u2029\u202f\u205f\u3000"
_SURROGATE = re.compile("[\ud800-\udfff]")
_UNICODE = "Input should be a valid string, unable to parse raw data as a unicode string"  # text with a lone surrogate
_DIGITS = re.compile(r"[+-]?[0-9]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TRUE = {"1", "on", "t", "true", "y", "yes"}
_FALSE = {"0", "off", "f", "false", "n", "no"}
_MISSING = object()


class Invalid(Exception):
    """Bad input: each problem is `(location, message)`; answered 422 `invalid request: where: message; ...`."""

    def __init__(self, problems: list[tuple[Loc, str]]):
        super().__init__(problems)
        self.problems = problems

    def answer(self) -> HttpError:
        found = [f"{'.'.join(loc) or 'body'}: {message}" for loc, message in self.problems]
        return HttpError(422, "invalid request: " + "; ".join(found), found)


Check = Callable[[Any], Any]  # the value read, or a ValueError whose text is pydantic's message


def _scalar(check: Check) -> Check:
    """A check of one value that, as pydantic, refuses text with a lone surrogate whatever the field's type."""

    def checked(value: Any) -> Any:
        if isinstance(value, str) and _SURROGATE.search(value):
            raise ValueError(_UNICODE)
        return check(value)

    return checked


def one_of(*values: str) -> Check:
    quoted = [f"'{v}'" for v in values]
    message = "Input should be " + (quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1])

    @_scalar
    def check(value: Any) -> str:
        if isinstance(value, str) and value in values:
            return value
        raise ValueError(message)

    return check


def text(max_length: int, strip: bool = True) -> Check:
    @_scalar
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError("Input should be a valid string")
        value = value.strip(_WHITESPACE) if strip else value
        if len(value) > max_length:
            raise ValueError(f"String should have at most {max_length} character{'s' if max_length != 1 else ''}")
        return value

    return check


def whole(low: int, high: int) -> Check:
    @_scalar
    def check(value: Any) -> int:
        if isinstance(value, float) and not isinstance(value, bool):
            if not math.isfinite(value):
                raise ValueError("Input should be a finite number")
            if not value.is_integer():
                raise ValueError("Input should be a valid integer, got a number with a fractional part")
            value = int(value)
        elif isinstance(value, str):
            digits = value.strip(_WHITESPACE)
            if not _DIGITS.fullmatch(digits):
                raise ValueError("Input should be a valid integer, unable to parse string as an integer")
            value = int(digits)
        elif not isinstance(value, int) or isinstance(value, bool):
            raise ValueError("Input should be a valid integer")
        if value < low:
            raise ValueError(f"Input should be greater than or equal to {low}")
        if value > high:
            raise ValueError(f"Input should be less than or equal to {high}")
        return value

    return check


@_scalar
def yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    if isinstance(value, str) or (isinstance(value, int) and -2**63 <= value < 2**63):
        raise ValueError("Input should be a valid boolean, unable to interpret input")
    raise ValueError("Input should be a valid boolean")


def optional(check: Check) -> Check:
    return lambda value: None if value is None else check(value)


@record
class Field:
    check: Check
    default: Any = _MISSING  # _MISSING: required


def read(fields: dict[str, Field], name: str, data: Any, loc: Loc = ()) -> dict[str, Any]:
    """The checked values of a JSON object with exactly these fields (`name`: its model's, for the message);
    Invalid with every problem found, in pydantic's order (fields as declared, then unknown keys)."""
    if not isinstance(data, dict):
        raise Invalid([(loc, f"Input should be a valid dictionary or instance of {name}")])
    if any(not isinstance(key, str) or _SURROGATE.search(key) for key in data):  # pydantic reads no field then
        raise Invalid([(loc, _UNICODE)])
    values, problems = {}, []
    for key, field in fields.items():
        if key not in data:
            if field.default is _MISSING:
                problems.append(((*loc, key), "Field required"))
            values[key] = field.default
            continue
        try:
            values[key] = field.check(data[key])
        except ValueError as exc:
            problems.append(((*loc, key), str(exc)))
        except Invalid as exc:
            problems.extend(exc.problems)
    problems += [((*loc, str(key)), "Extra inputs are not permitted") for key in data if key not in fields]
    if problems:
        raise Invalid(problems)
    return values


# ------------------------------------------------------------------------------------------------ request bodies
ACTION_KINDS = ("patient_called", "sorry_bonus", "escalated_to_legal")
BONUS_KINDS = ("discount", "free_visit", "taxi", "gift", "refund", "other")
OUTCOMES = ("patient_satisfied", "rating_raised", "no_response")
TOPICS = ("front_desk", "waiting", "billing", "doctor", "scheduling", "cleanliness", "diagnostics", "other")
MAX_REPLY = 8000

ACTION = {
    "kind": Field(one_of(*ACTION_KINDS)),
    "note": Field(optional(text(rules.MAX_NOTE)), None),
    "bonus_kind": Field(optional(one_of(*BONUS_KINDS)), None),
    "bonus_value": Field(optional(whole(0, rules.MAX_BONUS_VALUE)), None),
}
REPLY = {"text": Field(optional(text(MAX_REPLY)), None), "by_hand": Field(yes_no, False)}
ROOT_CAUSE = {
    "topic": Field(one_of(*TOPICS)),
    "systemic": Field(yes_no),
    "fix_note": Field(optional(text(rules.MAX_NOTE)), None),
}


def _root_cause(value: Any) -> dict[str, Any]:
    return read(ROOT_CAUSE, "RootCauseIn", value, ("root_cause",))


CLOSE = {"outcome": Field(one_of(*OUTCOMES)), "root_cause": Field(_root_cause)}
#: Body readers by the model name the OpenAPI document gives them.
BODIES: dict[str, dict[str, Field]] = {"ActionIn": ACTION, "ReplyIn": REPLY, "RootCauseIn": ROOT_CAUSE, "CloseIn": CLOSE}


def body(model: str, data: Any) -> dict[str, Any]:
    """A request body (parsed JSON; None when there was none) read as `model`; Invalid when it is not one."""
    if data is None:
        raise Invalid([((), "Field required")])
    return read(BODIES[model], model, data)


# ------------------------------------------------------------------------------------------------ query parameters
def queries(params: dict[str, str], *wanted: tuple[str, Check, bool]) -> list[Any]:
    """Query parameters `(name, check, required)` checked (None when absent and not required); Invalid naming
    `query.<name>` for every problem found."""
    values, problems = [], []
    for name, check, required in wanted:
        if name not in params:
            if required:
                problems.append((("query", name), "Field required"))
            values.append(None)
            continue
        try:
            values.append(check(params[name]))
        except ValueError as exc:
            problems.append((("query", name), str(exc)))
    if problems:
        raise Invalid(problems)
    return values


@_scalar
def day(value: str) -> date:
    """A calendar day written `YYYY-MM-DD`."""
    try:
        if _DATE.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise ValueError("Input should be a valid date in the format YYYY-MM-DD")


CLINIC_QUERY = text(64, strip=False)  # the document's `maxLength: 64`; not stripped (not a body model's field)


# ------------------------------------------------------------------------------------------------ responses
ACTION_OUT = ("kind", "at", "by", "by_name", "note", "bonus_kind", "bonus_value", "reply_mode")
CASE_OUT = ("id", "chain_id", "clinic_id", "source", "external_id", "status", "legal", "private", "owner",
            "owner_name", "opened_at", "due_at", "taken_at", "first_reply_at", "first_contact_at", "resolved_at",
            "closed_at", "outcome", "root_cause", "actions", "version")


def case_out(case: Any) -> dict[str, Any]:
    """A case as the API shows it (CaseOut: every field, in the document's order; an action's absent fields null)."""
    data = case.to_json()
    shown = {name: data.get(name) for name in CASE_OUT}
    shown["actions"] = [{name: action.get(name) for name in ACTION_OUT} for action in data["actions"]]
    return shown
