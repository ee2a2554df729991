"""Pure fetch rules (domain/fetch.py), the per-clinic `sources:` of the policy, and the feeds over fake platforms."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from clinic_reviews.domain.fetch import (
    Cursor,
    already_archived,
    needs_intake,
    next_marks,
    order_key,
    page_hashes,
    reached,
    stop_at,
    with_reply,
)
from clinic_reviews.domain.policy import PolicyError, load_policy
from clinic_reviews.sources.feeds import FeedFactory, FeedFailed
from clinic_reviews.sources.http import RetryPolicy, SourceHttp, make_client
from clinic_reviews.sources.vk import RateLimiter
from clinic_reviews_local.platforms import FakePlatforms

NOW = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
PIPE = Path(__file__).parents[1] / "fixtures" / "sources" / "pipeline"
ROOT = Path(__file__).parents[2]


# ------------------------------------------------------------------ rules
def test_order_keys_per_platform():
    assert order_key("google", {"created_at": "a", "updated_at": "b"}) == "b"
    assert order_key("2gis", {"created_at": "a"}) == "a"
    assert order_key("2gis", {"created_at": "a", "edited_at": "c"}) == "c"
    assert order_key("vk", {"created_at": "a", "updated_at": "b"}) == "a"


def test_reached_is_strictly_before_the_mark():
    page = [{"created_at": "2026-12-05T00:00:00Z"}]
    assert not reached("vk", page, "2026-12-05T00:00:00Z")  # an equal key may continue on the next page
    assert reached("vk", page, "2026-12-05T00:00:01Z")
    assert not reached("vk", page, None)


def test_stop_at_uses_the_mark_or_the_first_window():
    assert stop_at(None, NOW) == "2026-09-08T07:00:00Z"
    assert stop_at(Cursor("c", "vk", "x", mark="2026-12-01T00:00:00Z"), NOW) == "2026-12-01T00:00:00Z"


def test_next_marks_keep_the_oldest_open_review_within_the_window():
    reviews = [
        {"created_at": "2026-12-06T00:00:00Z", "reply": None},
        {"created_at": "2026-12-04T00:00:00Z", "reply": {"text": "x"}},
        {"created_at": "2026-12-02T00:00:00Z", "reply": None},
        {"created_at": "2026-10-01T00:00:00Z", "reply": None},  # too old to wait for a reply
    ]
    assert next_marks("vk", reviews, None, NOW) == ("2026-12-02T00:00:00Z", "2026-12-06T00:00:00Z")
    answered = [dict(r, reply={"text": "x"}) for r in reviews]
    previous = Cursor("c", "vk", "x", newest="2026-12-07T00:00:00Z")
    assert next_marks("vk", answered, previous, NOW) == ("2026-12-07T00:00:00Z", "2026-12-07T00:00:00Z")
    assert next_marks("vk", [], None, NOW) == (None, None)


def test_pages_already_archived_are_not_archived_again():
    one, two = {"reviews": [1]}, {"reviews": [2]}
    cursor = Cursor("c", "google", "x", page_hashes=page_hashes([one, two]))
    assert already_archived(cursor, page_hashes([one]))
    assert not already_archived(cursor, page_hashes([one, {"reviews": [3]}]))
    assert not already_archived(None, page_hashes([one]))
    assert page_hashes([{"a": 1, "b": 2}]) == page_hashes([{"b": 2, "a": 1}])


def test_cursor_state_ignores_the_write_time():
    a = Cursor("c", "vk", "x", mark="m", updated_at="t1")
    assert a.same_state(a.evolve(updated_at="t2")) and not a.same_state(a.evolve(failures=1))
    assert not a.same_state(None)


def _record(reply=None, rating=1, **changes):
    from clinic_reviews.domain.classification import classify
    from clinic_reviews.domain.intake import assess
    from clinic_reviews.domain.review import parse_review

    review = parse_review({"clinic_id": "c1", "source": "vk", "external_id": "1", "rating": rating,
                           "text": "Нахамили", "created_at": "2026-12-07T06:00:00Z", "reply": reply})
    outcome = assess(review, classify(review.text, review.rating, None), None, chain_id="ch", clinic_tz="UTC",
                     now=NOW, backfill_window=timedelta(hours=72))
    return review, outcome.record.evolve(**changes)


def test_needs_intake_only_for_new_changed_or_unescalated_open_negatives():
    review, record = _record(escalation="esc-1")
    assert needs_intake(review, None)
    assert not needs_intake(review, record)
    assert needs_intake(review, record.evolve(escalation=None))  # the intake starts it now
    assert needs_intake(review.evolve(text="Изменил отзыв"), record)


def test_with_reply_builds_the_answered_review_once():
    _, record = _record(escalation="esc-1")
    answered = with_reply(record, {"text": "Разберёмся", "created_at": "2026-12-07T06:30:00Z"})
    assert answered["reply"]["text"] == "Разберёмся" and answered["external_id"] == "1"
    _, replied = _record(reply={"text": "Уже ответили", "created_at": "2026-12-07T06:10:00Z"})
    assert with_reply(replied, {"text": "x", "created_at": "2026-12-07T06:30:00Z"}) is None
    assert with_reply(record.evolve(text_s3_key="texts/x"), {"text": "x", "created_at": "2026-12-07T06:30:00Z"}) is None


# ------------------------------------------------------------------ policy
def _raw():
    import yaml

    return yaml.safe_load((ROOT / "samples" / "demo-policy.yaml").read_text(encoding="utf-8"))


def test_the_sample_policy_lists_sources_and_survives_json():
    from clinic_reviews.domain.policy import Policy

    policy = load_policy(_raw())
    arbat = policy.clinic("msk-arbat")
    assert [s.platform for s in arbat.sources] == ["google", "2gis", "vk"]
    assert arbat.sources[2].feeds == ["wall-123456_42"]
    again = Policy.from_json(policy.to_json())
    assert again.clinic("msk-arbat").sources == arbat.sources


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ({"platform": "yelp", "id": "1"}, "clinics[0].sources[0]: Input tag 'yelp' found using 'platform'"),
        ({"platform": "google", "account_id": "1"}, "clinics[0].sources[0].google.location_id: required"),
        ({"platform": "2gis", "branch_id": "abc"}, "clinics[0].sources[0].2gis.branch_id: String should match"),
        ({"platform": "vk", "group_id": 1}, "clinics[0].sources[0].vk: give either wall_posts or board_topics"),
        ({"platform": "vk", "group_id": 1, "wall_posts": [1], "board_topics": [2]}, "clinics[0].sources[0].vk: give either"),
        ({"platform": "2gis", "branch_id": "1", "key": "secret"}, "clinics[0].sources[0].2gis.key: unknown field"),
    ],
)
def test_bad_sources_name_their_path(source, expected):
    raw = _raw()
    raw["clinics"][0]["sources"] = [source]
    with pytest.raises(PolicyError) as caught:
        load_policy(raw)
    assert any(p.startswith(expected) for p in caught.value.problems), caught.value.problems


def test_a_source_listed_twice_or_two_vk_entries_are_refused():
    raw = _raw()
    raw["clinics"][0]["sources"] = [{"platform": "2gis", "branch_id": 7}, {"platform": "2gis", "branch_id": "7"}]
    with pytest.raises(PolicyError, match="a source is listed twice"):
        load_policy(raw)
    raw["clinics"][0]["sources"] = [{"platform": "vk", "group_id": 1, "wall_posts": [1]},
                                    {"platform": "vk", "group_id": 2, "board_topics": [2]}]
    with pytest.raises(PolicyError, match="one vk entry per clinic"):
        load_policy(raw)


# ------------------------------------------------------------------ feeds over fake platforms
CREDENTIALS = {"google": {"client_id": "c", "client_secret": "s", "refresh_token": "r"}, "2gis": {"key": "k"},
               "vk": {"token": "t"}}


def _factory(fake: FakePlatforms, credentials=CREDENTIALS) -> FeedFactory:
    def http(platform):
        return SourceHttp(platform, make_client(transport=fake.transport()), policy=RetryPolicy(max_attempts=3),
                          sleep=lambda s: None)

    return FeedFactory(lambda: credentials, http, lambda: RateLimiter(3, 1.0, sleep=lambda s: None))


def _sources():
    return {s.platform: s for s in load_policy(_raw()).clinic("msk-arbat").sources}


def _fake() -> FakePlatforms:
    fake = FakePlatforms()
    fake.load("google", "4567891234567890123", PIPE / "google_page1.json", PIPE / "google_page2.json")
    fake.load("2gis", "70000001012345678", PIPE / "twogis_page1.json", PIPE / "twogis_page2.json")
    fake.load("vk", ("wall", 123456, 42), PIPE / "vk_wall_post42.json")
    return fake


def test_google_feed_reads_until_a_page_reaches_the_mark():
    fake = _fake()
    [feed] = _factory(fake).feeds(_sources()["google"])
    everything = feed.read("2026-09-01T00:00:00Z")
    assert len(everything.payloads) == 2 and len(everything.reviews) == 5 and everything.complete
    first_page = feed.read("2026-12-06T00:00:00Z")
    assert len(first_page.payloads) == 1 and first_page.complete
    assert fake.count("oauth") == 1  # the access token is cached


def fake_link(fake: FakePlatforms) -> str:
    """The next_link the fake 2GIS served (it echoes the key, as the real API's links carry it)."""
    request = httpx.Request("GET", "https://public-api.reviews.2gis.com/2.0/branches/70000001012345678/reviews?key=k")
    return json.loads(fake.transport().handle_request(request).read())["meta"]["next_link"]


def test_twogis_feed_skips_hidden_reviews_and_redacts_the_key():
    fake = _fake()
    [feed] = _factory(fake).feeds(_sources()["2gis"])
    read = feed.read(None)
    assert [p.kind for p in read.problems] == ["skipped"] and len(read.reviews) == 4
    assert "key=" in fake_link(fake) and "key=" not in json.dumps(read.payloads)  # redacted before archiving


def test_vk_feed_parses_pages_together_and_reports_orphan_answers():
    fake = FakePlatforms()
    page = json.loads((PIPE / "vk_wall_post42.json").read_text(encoding="utf-8"))
    older = copy.deepcopy(page)
    older["response"]["items"] = [i for i in page["response"]["items"] if i["id"] == 9002]
    newer = copy.deepcopy(page)
    newer["response"]["items"] = [i for i in page["response"]["items"] if i["id"] != 9002]
    newer["response"]["items"].append({"id": 9010, "from_id": -123456, "date": 1796630400, "post_id": 42,
                                       "owner_id": -123456, "text": "[id777|Ирина], ответили вам в личные сообщения.",
                                       "reply_to_comment": 8000, "thread": {"count": 0, "items": []}})
    fake.load("vk", ("wall", 123456, 42), newer, older)
    [feed] = _factory(fake).feeds(_sources()["vk"])
    read = feed.read(None)
    assert len(read.payloads) == 2 and {r["external_id"] for r in read.reviews} == {"9001", "9002", "9005"}
    assert read.orphan_replies[0]["external_id"] == "8000"


def test_a_failure_part_way_keeps_the_pages_read_before_it():
    fake = _fake()
    [feed] = _factory(fake).feeds(_sources()["google"])
    fake.google["4567891234567890123"][1] = "not a page"  # the second page is broken
    with pytest.raises(FeedFailed) as caught:
        feed.read(None)
    assert len(caught.value.partial.payloads) == 1 and len(caught.value.partial.reviews) == 3
    assert caught.value.cause.retryable is False


def test_a_platform_error_is_a_source_error_without_content():
    fake = _fake()
    fake.fail("2gis", httpx.Response(403, json={"meta": {"code": 403, "message": "key blocked for user@x"}}))
    [feed] = _factory(fake).feeds(_sources()["2gis"])
    with pytest.raises(FeedFailed) as caught:
        feed.read(None)
    assert caught.value.cause.reason == "HTTP 403" and caught.value.cause.retryable is False


def test_missing_credentials_make_feeds_that_fail_on_read():
    factory = _factory(_fake(), credentials={"google": {"client_id": "c"}})
    [google] = factory.feeds(_sources()["google"])
    with pytest.raises(FeedFailed, match="lacks client_secret, refresh_token"):
        google.read(None)
    [vk] = factory.feeds(_sources()["vk"])
    with pytest.raises(FeedFailed, match="no vk credentials"):
        vk.read(None)

    def unreadable():
        raise RuntimeError("AccessDenied")

    broken = FeedFactory(unreadable, lambda p: None)
    [feed] = broken.feeds(_sources()["2gis"])
    with pytest.raises(FeedFailed, match="sources secret unreadable"):
        feed.read(None)
