"""The case API's plain checks (console/api.py) answer as the pydantic models of its OpenAPI document
(console/api_doc.py) that Powertools validated with: the same values for good input, the same problems
(`field: pydantic's message`) for bad input, on a table and on random hostile bodies. Where the checks are
stricter on purpose, the difference is pinned here. The document lists exactly the /api routes the handler serves."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from clinic_reviews.console import api, api_doc
from clinic_reviews.domain.cases import Action, Case, RootCause
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from .. import strategies


def _pydantic(model: str, data: Any) -> tuple[str, Any]:
    """What Powertools made of the body `data` with the document's model, as ("ok", values) or ("invalid",
    [(loc, message), ...]): no body is missing, a list's first item stood for the body."""
    if data is None:
        return "invalid", [((), "Field required")]
    if isinstance(data, list) and data:
        data = data[0]
    try:
        return "ok", api_doc.BODIES[model].model_validate(data).model_dump()
    except ValidationError as exc:
        return "invalid", [(tuple(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]


def _ours(model: str, data: Any) -> tuple[str, Any]:
    try:
        return "ok", api.body(model, data)
    except api.Invalid as exc:
        return "invalid", exc.problems


def _stricter(model: str, data: Any) -> bool:
    """Input Powertools read leniently and the checks refuse on purpose: a list whose first item is the body, a
    whole number sent as `true`/`false`, or as text that is not plain digits (`"5.0"`, `"1_0"`)."""
    if isinstance(data, list) and data:
        return True
    values = [data.get("bonus_value")] if model == "ActionIn" and isinstance(data, dict) else []
    return any(isinstance(v, bool) or (isinstance(v, str) and not re.fullmatch(r"\s*[+-]?[0-9]+\s*", v))
               for v in values)


def _huge_float(data: Any) -> bool:
    """A whole number beyond 64 bits sent as a float: pydantic says "Unable to parse input string as an integer,
    exceeded maximum size", the checks say it is above the field's maximum."""
    return isinstance(data, dict) and isinstance(data.get("bonus_value"), float) and abs(data["bonus_value"]) >= 2**63


ACTION_TABLE = [
    {"kind": "patient_called"}, {"kind": " patient_called"}, {"kind": "PATIENT_CALLED"}, {"kind": 5}, {"kind": None},
    {}, {"kind": "sorry_bonus", "bonus_kind": "taxi", "bonus_value": 500},
    {"kind": "sorry_bonus", "bonus_kind": "limo", "bonus_value": -1, "note": 7, "extra": 1, "more": None},
    {"kind": "sorry_bonus", "bonus_value": "500"}, {"kind": "sorry_bonus", "bonus_value": " 42 "},
    {"kind": "sorry_bonus", "bonus_value": "+7"}, {"kind": "sorry_bonus", "bonus_value": "-7"},
    {"kind": "sorry_bonus", "bonus_value": 5.0}, {"kind": "sorry_bonus", "bonus_value": 5.5},
    {"kind": "sorry_bonus", "bonus_value": float("nan")}, {"kind": "sorry_bonus", "bonus_value": float("inf")},
    {"kind": "sorry_bonus", "bonus_value": 10**40}, {"kind": "sorry_bonus", "bonus_value": 1_000_000},
    {"kind": "sorry_bonus", "bonus_value": 1_000_001}, {"kind": "sorry_bonus", "bonus_value": "x"},
    {"kind": "sorry_bonus", "bonus_value": "٥"}, {"kind": "sorry_bonus", "bonus_value": []},
    {"kind": "sorry_bonus", "bonus_value": {"a": 1}}, {"kind": "sorry_bonus", "bonus_value": None},
    {"kind": "patient_called", "note": "  called, will come \u00a0"}, {"kind": "patient_called", "note": "x" * 500},
    {"kind": "patient_called", "note": "x" * 501}, {"kind": "patient_called", "note": " " + "x" * 500 + " "},
    {"kind": "patient_called", "note": "\x1cnote\x1f"}, {"kind": "patient_called", "note": "\ud800"},
    {"kind": "patient_called", "note": ""}, {"kind": "patient_called", "note": "   "},
    {"kind": "patient_called", "note": ["a"]}, {"kind": "patient_called", "note": True},
    [], "kind", 5, {"kind": "patient_called", "": 1, "a.b": 2},
]
REPLY_TABLE = [
    {}, {"text": "Спасибо"}, {"text": None}, {"text": " x "}, {"text": "x" * 8000}, {"text": "x" * 8001},
    {"text": 1}, {"by_hand": True}, {"by_hand": False}, {"by_hand": "yes"}, {"by_hand": "YES"}, {"by_hand": "off"},
    {"by_hand": " true "}, {"by_hand": "maybe"}, {"by_hand": 1}, {"by_hand": 0}, {"by_hand": 2}, {"by_hand": 1.0},
    {"by_hand": 0.5}, {"by_hand": float("nan")}, {"by_hand": None}, {"by_hand": []}, {"by_hand": {}},
    {"by_hand": 2.0}, {"by_hand": -1}, {"by_hand": 10**30}, {"by_hand": 1e30},
    {"text": "a", "by_hand": True, "mode": "x"}, [], None,
]
CLOSE_TABLE = [
    {"outcome": "patient_satisfied", "root_cause": {"topic": "doctor", "systemic": False}},
    {"outcome": "rating_raised", "root_cause": {"topic": "billing", "systemic": "yes", "fix_note": " new price list "}},
    {"outcome": "happy", "root_cause": {"topic": "mood", "systemic": "perhaps", "fix_note": 1, "x": 2}},
    {"outcome": "no_response"}, {"outcome": "no_response", "root_cause": None}, {"outcome": "no_response", "root_cause": []},
    {"outcome": "no_response", "root_cause": "doctor"}, {"outcome": "no_response", "root_cause": {}},
    {"root_cause": {"topic": "doctor", "systemic": True}, "extra": 1}, {},
]
TABLE = ([("ActionIn", d) for d in ACTION_TABLE] + [("ReplyIn", d) for d in REPLY_TABLE]
         + [("CloseIn", d) for d in CLOSE_TABLE])
#: The table's inputs that the checks refuse on purpose while pydantic read them.
PINNED_STRICTER = [("ActionIn", {"kind": "sorry_bonus", "bonus_value": True}),
                   ("ActionIn", {"kind": "sorry_bonus", "bonus_value": "5.0"}),
                   ("ActionIn", {"kind": "sorry_bonus", "bonus_value": "1_0"}),
                   ("ActionIn", [{"kind": "patient_called"}])]


@pytest.mark.parametrize(("model", "data"), TABLE)
def test_the_checks_answer_as_the_documented_models(model, data):
    assert _ours(model, data) == _pydantic(model, data)


@pytest.mark.parametrize(("model", "data"), PINNED_STRICTER)
def test_stricter_on_purpose(model, data):
    assert _pydantic(model, data)[0] == "ok"
    verdict, problems = _ours(model, data)
    assert verdict == "invalid" and [loc for loc, _ in problems] == [() if isinstance(data, list) else ("bonus_value",)]


FIELDS = {"ActionIn": ["kind", "note", "bonus_kind", "bonus_value"], "ReplyIn": ["text", "by_hand"],
          "CloseIn": ["outcome", "root_cause"]}
GOOD = st.sampled_from(["patient_called", "sorry_bonus", "taxi", "doctor", "patient_satisfied", "yes", "no", "true",
                        "0", "1", " 12 ", "+3", "1e3", "1_0", "  "])
VALUES = strategies.json_values(strategies.any_text(max_size=12) | GOOD, max_leaves=6)
ROOT_CAUSES = st.fixed_dictionaries({}, optional={"topic": st.sampled_from(["doctor", "mood"]) | VALUES,
                                                  "systemic": VALUES, "fix_note": VALUES})


@st.composite
def bodies(draw):
    model = draw(st.sampled_from(sorted(FIELDS)))
    keys = st.sampled_from(FIELDS[model]) | strategies.any_text(max_size=5)
    value = VALUES if model != "CloseIn" else VALUES | ROOT_CAUSES
    data = draw(st.dictionaries(keys, value, max_size=5) | VALUES)
    return model, data


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(bodies())
def test_random_hostile_bodies_get_the_models_answer(case):
    model, data = case
    ours, theirs = _ours(model, data), _pydantic(model, data)
    if ours != theirs and _huge_float(data) and ours[0] == theirs[0] == "invalid":  # the same fields, clearer words
        assert [loc for loc, _ in ours[1]] == [loc for loc, _ in theirs[1]]
    elif ours != theirs:  # only where the checks refuse on purpose what Powertools let through or named otherwise
        assert ours[0] == "invalid" and _stricter(model, data), (ours, theirs)


DATES = ["2026-12-07", "2026-02-29", "2024-02-29", "2026-13-01", "yesterday", "", "2026-12-7", " 2026-12-07",
         "2026-12-07T00:00:00", "20261207", "1700000000", "2026-W49-1", "２０２６-12-07", "0000-01-01"]


@pytest.mark.parametrize("text", DATES)
def test_a_day_is_read_as_pydantic_read_it_or_refused_on_purpose(text):
    try:
        theirs = TypeAdapter(date).validate_python(text)
    except ValidationError:
        theirs = None
    try:
        ours = api.day(text)
    except ValueError as exc:
        assert "YYYY-MM-DD" in str(exc)
        ours = None
    assert ours == theirs or (ours is None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))  # stricter: the day only


def test_query_problems_name_every_parameter():
    with pytest.raises(api.Invalid) as found:
        api.queries({"end": "soon", "clinic": "c" * 65}, ("start", api.day, True), ("end", api.day, True),
                    ("clinic", api.CLINIC_QUERY, False))
    assert found.value.answer().body() == {
        "message": "invalid request: query.start: Field required; query.end: Input should be a valid date in the "
                   "format YYYY-MM-DD; query.clinic: String should have at most 64 characters",
        "problems": ["query.start: Field required", "query.end: Input should be a valid date in the format YYYY-MM-DD",
                     "query.clinic: String should have at most 64 characters"]}
    assert api.queries({"clinic": " a "}, ("clinic", api.CLINIC_QUERY, False)) == [" a "]  # not stripped, as before
    assert api.queries({}, ("clinic", api.CLINIC_QUERY, False)) == [None]


def test_a_missing_or_odd_body_is_named_as_before():
    assert _ours("ActionIn", None) == ("invalid", [((), "Field required")])
    assert api.Invalid([((), "Field required")]).answer().message == "invalid request: body: Field required"
    assert api.Invalid([(("root_cause", "topic"), "Field required")]).answer().message == \
        "invalid request: root_cause.topic: Field required"


def test_a_case_is_shown_as_the_documented_model_showed_it():
    at = datetime(2026, 12, 7, 10, tzinfo=UTC)
    case = Case("c1", "chain", "msk", "yandex", "42", at, None, status="closed", owner="anna", owner_name="Анна",
                taken_at=at, outcome="patient_satisfied", root_cause=RootCause("doctor", True, "talked"),
                actions=(Action("patient_called", at, "anna", "Анна"),
                         Action("sorry_bonus", at, "anna", "Анна", "taxi home", "taxi", 500)))
    for shown in (case, Case("c2", "chain", "msk", "2gis", "7", at, at)):
        expected = api_doc.CaseOut.model_validate(shown.to_json()).model_dump()
        assert api.case_out(shown) == expected
        assert list(api.case_out(shown)) == list(expected)  # the document's order


def test_the_document_lists_every_api_route_the_handler_serves():
    from clinic_reviews.handlers import cases

    document = json.loads(api_doc.openapi_document())
    documented = {(method.upper(), re.sub(r"\{(\w+)\}", r"<\1>", path))
                  for path, operations in document["paths"].items() for method in operations}
    served = {(method, path) for method, path in cases.app.routes if path.startswith("/api")}
    assert served == documented
    assert api_doc.BODIES.keys() == api.BODIES.keys()
