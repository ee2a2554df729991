"""Import files and webhook bodies into the intake (services/imports.py), with fakes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clinic_reviews.services.imports import ImportService, parse_key
from clinic_reviews.services.intake import IntakeReport, Rejection
from clinic_reviews.store.policies import UnknownClinic

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sources"


class FakePolicies:
    def __init__(self, policy):
        self.policy = policy

    def for_clinic(self, clinic_id):
        try:
            return self.policy, self.policy.clinic(clinic_id)
        except KeyError:
            raise UnknownClinic(f"clinic_id: unknown clinic {clinic_id!r}") from None


class FakeIntake:
    def __init__(self, reject_ids=(), fail_ids=()):
        self.items: list[dict] = []
        self.reject_ids, self.fail_ids = set(reject_ids), set(fail_ids)

    def ingest(self, items):
        report = IntakeReport(received=len(items))
        for index, item in enumerate(items):
            if item["external_id"] in self.reject_ids:
                report.rejected.append(Rejection(index, "clinic_id: unknown clinic 'x'"))
            elif item["external_id"] in self.fail_ids:
                report.failed.append(Rejection(index, "ConditionalCheckFailed: could not store the review"))
            else:
                self.items.append(item)
                report.new += 1
        return report


class FakeObjects:
    def __init__(self, files):
        self.files = dict(files)
        self.reads: list[str] = []

    def get_bytes(self, key):
        self.reads.append(key)
        return self.files[key]

    def put_bytes(self, key, data, content_type):
        self.files[key] = data


def rejects(objects, key):
    return [json.loads(line) for line in objects.files[key + ".rejects.jsonl"].decode().splitlines()]


@pytest.fixture
def service(policy):
    intake = FakeIntake()
    return ImportService(FakePolicies(policy), intake, lambda: None), intake


def test_keys_name_the_clinic_and_optionally_the_source():
    assert parse_key("imports/msk-arbat/yandex/x.csv").source == "yandex"
    assert parse_key("imports/msk-arbat/x.csv").clinic_id == "msk-arbat"
    for bad in ("imports/x.csv", "imports/a/b/c/d.csv", "other/a/x.csv", "imports/a/myspace/x.csv"):
        with pytest.raises(ValueError):
            parse_key(bad)


def test_a_yandex_copy_is_imported_in_the_clinic_zone_with_rejects_by_line(service):
    svc, intake = service
    key = "imports/ekb-center/yandex/export.csv"
    objects = FakeObjects({key: (FIXTURES / "yandex_export.csv").read_bytes()})
    report = svc.import_object(objects, key)
    assert report.new == 3 and [r["line"] for r in rejects(objects, key)] == [5, 6, 7]
    assert {i["clinic_id"] for i in intake.items} == {"ekb-center"} and {i["source"] for i in intake.items} == {"yandex"}
    first = next(i for i in intake.items if i["author"] == "Светлана")
    assert first["created_at"] == "2026-11-20T05:15:00Z"  # 10:15 in Yekaterinburg (UTC+5)


def test_intake_rejections_are_reported_with_the_row_line(service, policy):
    intake = FakeIntake(reject_ids={"pd-77"})
    svc = ImportService(FakePolicies(policy), intake, lambda: None)
    key = "imports/msk-arbat/reviews.jsonl"
    objects = FakeObjects({key: (FIXTURES / "reviews_import.jsonl").read_bytes()})
    svc.import_object(objects, key)
    found = {r["line"]: r for r in rejects(objects, key)}
    assert found[3]["external_id"] == "pd-77" and "unknown clinic" in found[3]["reason"]
    assert {4, 5, 6} <= set(found)  # the truncated line, the unknown source, the duplicate


def test_failed_rows_are_counted_not_rejected(policy):
    intake = FakeIntake(fail_ids={"T-5501"})
    svc = ImportService(FakePolicies(policy), intake, lambda: None)
    key = "imports/msk-arbat/reviews.jsonl"
    objects = FakeObjects({key: (FIXTURES / "reviews_import.jsonl").read_bytes()})
    report = svc.import_object(objects, key)
    assert report.failed == 1 and all(r.get("external_id") != "T-5501" for r in rejects(objects, key))


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("imports/spb-nevsky/x.csv", "unknown clinic 'spb-nevsky'"),
        ("imports/msk-arbat/x.pdf", "unknown file type"),
        ("imports/x.csv", "put files at imports/<clinic_id>/<file>"),
    ],
)
def test_a_file_that_cannot_be_read_is_one_reject_on_line_0(service, key, reason):
    svc, intake = service
    objects = FakeObjects({key: b"whatever"})
    svc.import_object(objects, key)
    [only] = rejects(objects, key)
    assert only["line"] == 0 and reason in only["reason"] and intake.items == []


def test_too_large_files_are_refused_before_reading(service):
    svc, _ = service
    objects = FakeObjects({"imports/msk-arbat/big.csv": b""})
    svc.import_object(objects, "imports/msk-arbat/big.csv", size=100 * 2**20)
    assert objects.reads == [] and "split it" in rejects(objects, "imports/msk-arbat/big.csv")[0]["reason"]


def test_rejects_files_are_not_imported(service):
    svc, _ = service
    objects = FakeObjects({})
    report = svc.import_object(objects, "imports/msk-arbat/x.csv.rejects.jsonl")
    assert report.skipped and objects.files == {}


def test_webhook_bodies_use_item_positions_and_the_given_clinic(service):
    svc, intake = service
    body = json.dumps({"reviews": [
        {"source": "site", "text": "Не перезвонили", "created_at": "2026-12-07T10:00:00"},
        {"source": "site", "rating": 9, "created_at": "2026-12-07T10:00:00"},
        {"source": "site", "text": "Спасибо", "created_at": "2026-12-07T11:00:00", "clinic_id": "vvo-svetlanskaya"},
    ]}, ensure_ascii=False).encode()
    report = svc.receive_webhook(body, clinic_id="msk-arbat")
    assert report.new == 2 and [r["line"] for r in report.rejects] == [2]
    assert [i["clinic_id"] for i in intake.items] == ["msk-arbat", "vvo-svetlanskaya"]
    assert intake.items[0]["created_at"] == "2026-12-07T07:00:00Z"  # Moscow time of msk-arbat
    [reject] = svc.receive_webhook(b"{not json").rejects
    assert reject["line"] == 0 and reject["reason"].startswith("body is not JSON: Expecting property name")
    with pytest.raises(ValueError, match="unknown clinic"):
        svc.receive_webhook(body, clinic_id="nowhere")
