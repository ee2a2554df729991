"""What integrators see on the bus matches the published schemas; long texts survive the item limit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from .conftest import review
from .test_intake_flow import _tap

SCHEMAS = Path(__file__).resolve().parents[2] / "infra" / "schemas"


@pytest.fixture(scope="module")
def validators():
    resources = {p.name: json.loads(p.read_text()) for p in SCHEMAS.glob("*.json")}
    registry = Registry().with_resources(
        (uri, Resource.from_contents(schema)) for name, schema in resources.items()
        for uri in (name, schema["$id"])
    )
    found = {}
    for name, schema in resources.items():
        Draft202012Validator.check_schema(schema)
        found[name.removesuffix(".v1.json")] = Draft202012Validator(schema, registry=registry)
    return found


def test_every_event_on_the_bus_matches_its_schema(aws, validators):
    tap = _tap(aws)
    reply = {"text": "Спасибо, что написали", "created_at": "2026-12-07T08:00:00Z"}
    aws.invoke("IntakeFunction", {"reviews": [review(), review("p", rating=5, text="Отлично!")]})
    aws.invoke("IntakeFunction", {"reviews": [review(reply=reply), review("p", rating=4, text="Хорошо")]})
    events = tap()
    kinds = {e["detail-type"] for e in events}
    assert {"review.received", "review.updated", "review.answered", "review.escalated"} <= kinds
    for event in events:
        assert event["source"] == "clinic-reviews"
        errors = sorted(validators[event["detail-type"]].iter_errors(event["detail"]), key=str)
        assert not errors, f"{event['detail-type']}: {errors[0].message}"
        assert "author" not in json.dumps(event["detail"], ensure_ascii=False)
        assert "Иванова" not in json.dumps(event["detail"], ensure_ascii=False)


def test_the_inbound_schema_accepts_what_the_intake_accepts(validators):
    errors = list(validators["reviews.submitted"].iter_errors({"reviews": [review()]}))
    assert not errors


def test_a_very_long_text_is_cut_in_the_item_and_kept_whole_in_s3(aws):
    from clinic_reviews import compose
    from clinic_reviews.domain.review import ReviewKey
    from clinic_reviews.settings import get_settings

    text = ("Очень долго ждали приёма, администратор грубила. " * 4200)[:200_000]
    report = aws.invoke("IntakeFunction", {"reviews": [review("long", text=text)]})
    assert report["new"] == 1
    record = compose.Table(get_settings()).reviews.get(ReviewKey("msk-arbat", "yandex", "long"))
    assert len(record.review.text) < len(text) and record.text_s3_key
    assert compose.Table(get_settings()).reviews.full_text(record) == text
    assert aws.sent_sms()  # the alert went out as for any negative
