"""The fetch service with fakes: cursors, steady state, error isolation, archive, intake, time budget."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta

import pytest
from clinic_reviews.domain.classification import classify
from clinic_reviews.domain.fetch import Cursor
from clinic_reviews.domain.intake import assess
from clinic_reviews.domain.review import parse_review
from clinic_reviews.services.fetch import FetchService
from clinic_reviews.services.intake import IntakeReport, Rejection
from clinic_reviews.sources.feeds import FeedFailed, FeedRead
from clinic_reviews.sources.http import SourceError

NOW = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
GOOGLE = ("msk-arbat", "google", "108234567890/4567891234567890123")
TWOGIS = ("msk-arbat", "2gis", "70000001012345678")
VK = ("msk-arbat", "vk", "wall-123456_42")


def review(external_id: str, created: str, *, source: str = "google", rating: int | None = 5, reply: bool = False,
           text: str = "Спасибо", **extra) -> dict:
    data = {"source": source, "external_id": external_id, "rating": rating, "text": text, "author": None,
            "created_at": created, "reply": {"text": "Спасибо!", "created_at": created} if reply else None}
    if source == "google":
        data["updated_at"] = created
    return data | extra


class FakePolicies:
    def __init__(self, policy):
        self.policy = policy

    def chain(self, chain_id):
        if chain_id != self.policy.chain.id:
            raise LookupError(chain_id)
        return self.policy


class FakeCursors:
    def __init__(self):
        self.items: dict = {}
        self.saved: list[Cursor] = []

    def get_many(self, keys):
        return {k: self.items[k] for k in keys if k in self.items}

    def save(self, cursor):
        self.items[cursor.key] = cursor
        self.saved.append(cursor)


class FakeReviews:
    def __init__(self):
        self.records: dict = {}
        self.reads = 0

    def get_many(self, keys):
        self.reads += 1
        return {k: self.records[k] for k in keys if k in self.records}


class FakeIntake:
    """Stores what it is given with the real domain decision; can be told to fail."""

    def __init__(self, reviews: FakeReviews, policy):
        self.reviews, self.policy = reviews, policy
        self.batches: list[list[dict]] = []
        self.fail = False

    def ingest(self, items):
        self.batches.append(list(items))
        if self.fail:
            raise RuntimeError("table unreachable")
        report = IntakeReport(received=len(items))
        for index, item in enumerate(items):
            try:
                incoming = parse_review(item)
            except ValueError as exc:
                report.rejected.append(Rejection(index, str(exc)))
                continue
            existing = self.reviews.records.get(incoming.key)
            clinic = self.policy.clinic(incoming.clinic_id)
            outcome = assess(incoming, classify(incoming.text, incoming.rating, incoming.lang), existing,
                             chain_id="zdorovie", clinic_tz=clinic.timezone, now=NOW,
                             backfill_window=timedelta(hours=72))
            setattr(report, outcome.action, getattr(report, outcome.action) + 1)
            if outcome.record is not None:
                record = outcome.record
                if outcome.escalate:
                    record = record.evolve(escalation="esc-test")
                self.reviews.records[incoming.key] = record
        return report


class FakeFeed:
    def __init__(self, key, pages=(), error=None, partial=None):
        self.clinic, self.platform, self.locator = key
        self.pages = [list(p) for p in pages]
        self.error, self.partial = error, partial
        self.stops: list = []
        self.orphans: list = []

    def read(self, stop):
        self.stops.append(stop)
        if self.error is not None:
            raise FeedFailed(self.error, self.partial or FeedRead())
        read = FeedRead(complete=True)
        for page in self.pages:
            read.payloads.append({"page": page})
            read.reviews.extend(page)
        read.orphan_replies = list(self.orphans)
        return read


class FakeFeeds:
    def __init__(self):
        self.by_key: dict = {}

    def add(self, feed):
        self.by_key[(feed.clinic, feed.platform, feed.locator)] = feed
        return feed

    def feeds(self, source):
        found = []
        for locator in source.feeds:
            for key, feed in self.by_key.items():
                if key[1:] == (source.platform, locator):
                    found.append(feed)
                    break
            else:
                found.append(FakeFeed(("?", source.platform, locator)))
        return found


class FakeArchive:
    def __init__(self):
        self.objects: dict[str, bytes] = {}

    def put_gzip(self, key, data, content_type="application/json"):
        self.objects[key] = gzip.compress(data)


@pytest.fixture
def world(policy):
    reviews = FakeReviews()
    env = {
        "cursors": FakeCursors(),
        "reviews": reviews,
        "intake": FakeIntake(reviews, policy),
        "feeds": FakeFeeds(),
        "archive": FakeArchive(),
    }
    env["service"] = FetchService(FakePolicies(policy), env["cursors"], reviews, env["archive"], env["intake"],
                                  env["feeds"], lambda: NOW)
    return env


def test_first_run_stores_everything_and_a_second_run_sends_and_writes_nothing(world):
    feeds = world["feeds"]
    feeds.add(FakeFeed(GOOGLE, [[review("g1", "2026-12-07T06:00:00Z", rating=1, text="Нахамили"),
                                 review("g2", "2026-12-06T06:00:00Z", reply=True)]]))
    feeds.add(FakeFeed(TWOGIS, [[review("t1", "2026-12-05T06:00:00Z", source="2gis")]]))
    first = world["service"].run("zdorovie")
    assert first.total("new") == 3 and first.failed == [] and len(world["archive"].objects) == 2
    saved = len(world["cursors"].saved)
    archived = len(world["archive"].objects)
    second = world["service"].run("zdorovie")
    assert second.total("sent") == 0 and second.total("unchanged") == 3
    assert len(world["cursors"].saved) == saved and len(world["archive"].objects) == archived
    assert len(world["intake"].batches) == 2  # only the first run's two feeds with reviews


def test_the_cursor_mark_is_the_oldest_open_review_and_the_next_read_stops_there(world):
    google = world["feeds"].add(FakeFeed(GOOGLE, [[
        review("g1", "2026-12-07T06:00:00Z", reply=True),
        review("g2", "2026-12-05T06:00:00Z"),  # open: no reply
        review("g3", "2026-12-01T06:00:00Z", reply=True),
        review("g4", "2026-10-01T06:00:00Z"),  # open, but older than the open window
    ]]))
    world["service"].run("zdorovie")
    cursor = world["cursors"].items[GOOGLE]
    assert (cursor.mark, cursor.newest) == ("2026-12-05T06:00:00Z", "2026-12-07T06:00:00Z")
    world["service"].run("zdorovie")
    assert google.stops == ["2026-09-08T07:00:00Z", "2026-12-05T06:00:00Z"]  # first: 90 days back


def test_with_nothing_open_the_mark_is_the_newest_review(world):
    world["feeds"].add(FakeFeed(TWOGIS, [[review("t1", "2026-12-06T06:00:00Z", source="2gis", reply=True,
                                                 edited_at="2026-12-06T08:00:00Z")]]))
    world["service"].run("zdorovie")
    assert world["cursors"].items[TWOGIS].mark == "2026-12-06T08:00:00Z"  # 2GIS orders by date_edited


def test_one_failing_feed_never_stops_the_others_and_keeps_its_cursor(world):
    world["cursors"].items[TWOGIS] = Cursor(*TWOGIS, mark="2026-12-01T00:00:00Z", newest="2026-12-02T00:00:00Z")
    world["feeds"].add(FakeFeed(TWOGIS, error=SourceError("2gis", "HTTP 500 (after 4 attempts)", retryable=True)))
    world["feeds"].add(FakeFeed(GOOGLE, [[review("g1", "2026-12-06T06:00:00Z")]]))
    report = world["service"].run("zdorovie")
    failed = [f for f in report.feeds if f.status == "failed"]
    assert [(f.platform, f.error, f.failures) for f in failed] == [("2gis", "HTTP 500 (after 4 attempts)", 1)]
    cursor = world["cursors"].items[TWOGIS]
    assert cursor.mark == "2026-12-01T00:00:00Z" and cursor.failures == 1 and cursor.last_error.startswith("HTTP 500")
    assert report.total("new") == 1
    again = world["service"].run("zdorovie")
    assert again.max_failures == 2


def test_pages_read_before_a_failure_are_archived_and_stored(world):
    partial = FeedRead(payloads=[{"page": 1}], reviews=[review("g1", "2026-12-06T06:00:00Z")])
    world["feeds"].add(FakeFeed(GOOGLE, error=SourceError("google", "HTTP 503 (after 4 attempts)", True), partial=partial))
    report = world["service"].run("zdorovie")
    result = next(f for f in report.feeds if f.platform == "google" and f.clinic_id == "msk-arbat")
    assert result.status == "failed" and result.new == 1 and result.archived
    assert world["cursors"].items[GOOGLE].mark is None  # not advanced: the next run reads it all again


def test_an_intake_failure_fails_the_feed_and_leaves_its_cursor(world):
    world["feeds"].add(FakeFeed(GOOGLE, [[review("g1", "2026-12-06T06:00:00Z")]]))
    world["intake"].fail = True
    report = world["service"].run("zdorovie")
    result = next(f for f in report.feeds if f.locator == GOOGLE[2])
    assert result.status == "failed" and "could not store 1" in result.error
    assert world["cursors"].items[GOOGLE].mark is None


def test_a_changed_review_is_sent_and_an_unchanged_one_is_not(world):
    google = world["feeds"].add(FakeFeed(GOOGLE, [[review("g1", "2026-12-06T06:00:00Z"),
                                                   review("g2", "2026-12-05T06:00:00Z")]]))
    world["service"].run("zdorovie")
    google.pages = [[review("g1", "2026-12-06T06:00:00Z", text="Спасибо, всё отлично"),
                     review("g2", "2026-12-05T06:00:00Z")]]
    report = world["service"].run("zdorovie")
    assert report.total("sent") == 1 and report.total("changed") == 1
    assert [item["external_id"] for item in world["intake"].batches[-1]] == ["g1"]


def test_a_stored_negative_without_escalation_is_sent_again(world):
    world["feeds"].add(FakeFeed(GOOGLE, [[review("g1", "2026-12-07T06:00:00Z", rating=1, text="Ужасно")]]))
    world["service"].run("zdorovie")
    key = next(iter(world["reviews"].records))
    world["reviews"].records[key] = world["reviews"].records[key].evolve(escalation=None)  # a crash after the write
    report = world["service"].run("zdorovie")
    assert report.total("sent") == 1


def test_a_vk_answer_to_a_comment_on_an_older_page_marks_it_answered(world):
    vk = world["feeds"].add(FakeFeed(VK, [[review("501", "2026-12-06T06:00:00Z", source="vk", rating=None,
                                                  text="Где результаты?")]]))
    world["service"].run("zdorovie")
    vk.pages = [[]]
    vk.orphans = [{"external_id": "501", "reply": {"text": "Отправили на почту", "created_at": "2026-12-07T06:30:00Z"}}]
    report = world["service"].run("zdorovie")
    assert report.total("changed") == 1
    record = next(r for k, r in world["reviews"].records.items() if k.external_id == "501")
    assert record.status == "answered" and record.review.reply.text == "Отправили на почту"


def test_archived_objects_hold_the_raw_pages_as_a_json_array(world):
    world["feeds"].add(FakeFeed(GOOGLE, [[review("g1", "2026-12-06T06:00:00Z")], [review("g2", "2026-12-05T06:00:00Z")]]))
    report = world["service"].run("zdorovie")
    key = next(f.archived for f in report.feeds if f.locator == GOOGLE[2])
    assert key.startswith("raw/google/2026-12-07/msk-arbat/108234567890_4567891234567890123-070000-")
    pages = json.loads(gzip.decompress(world["archive"].objects[key]))
    assert [len(p["page"]) for p in pages] == [1, 1]


def test_clinics_beyond_the_time_budget_are_returned(world, policy):
    service = FetchService(FakePolicies(policy), world["cursors"], world["reviews"], world["archive"],
                           world["intake"], world["feeds"], lambda: NOW, clinics_per_batch=1)
    left = iter([300.0, 290.0, 50.0])
    report = service.run("zdorovie", time_left=lambda: next(left), reserve=60)
    assert report.clinics == ["msk-arbat"] and report.remaining == ["ekb-center", "vvo-svetlanskaya"]
    only = service.run("zdorovie", ["ekb-center", "nowhere"])
    assert only.clinics == ["ekb-center"] and only.unknown_clinics == ["nowhere"]


def test_an_unknown_chain_fails_the_run(world):
    with pytest.raises(LookupError):
        world["service"].run("other-chain")
