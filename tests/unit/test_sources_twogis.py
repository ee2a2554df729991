"""2GIS reviews API 2.0: parsing pages, hidden reviews, next_link paging."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from clinic_reviews.domain.review import parse_review
from clinic_reviews.sources.http import RetryPolicy, SourceError, SourceHttp, make_client
from clinic_reviews.sources.parsing import reached_cursor
from clinic_reviews.sources.twogis import TwoGisReviewsClient, parse_page, redact_key

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sources"
BRANCH = "70000001012345678"
FIRST_URL = f"https://public-api.reviews.2gis.com/2.0/branches/{BRANCH}/reviews"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def make_http() -> SourceHttp:
    return SourceHttp("2gis", make_client(), policy=RetryPolicy(max_attempts=2), sleep=lambda s: None)


def test_first_page_maps_reviews_and_answers() -> None:
    page = parse_page(load("twogis_reviews_page1.json"))
    assert page.next_page_token.startswith(f"{FIRST_URL}?limit=3")
    first, _second = page.reviews
    assert first["external_id"] == "151234567" and first["source"] == "2gis"
    assert first["rating"] == 5 and first["author"] == "Игорь" and "👍" in first["text"]
    assert first["created_at"] == "2026-11-20T07:05:11Z"  # +07:00 to UTC, microseconds dropped
    assert first["reply"] == {
        "text": "Игорь, спасибо! Рады, что всё прошло хорошо.",
        "created_at": "2026-11-20T09:00:00Z",
        "author": "Клиника «Здоровье»",
    }
    assert first["url"].endswith("/review/151234567")
    assert "edited_at" not in first


def test_edited_review_keeps_edit_time() -> None:
    edited = parse_page(load("twogis_reviews_page1.json")).reviews[1]
    assert edited["created_at"] == "2026-11-12T02:00:00Z"
    assert edited["edited_at"] == "2026-11-19T14:30:45Z"
    assert edited["reply"] is None and edited["author"] == "Елена К."


def test_hidden_review_is_skipped_with_its_reason() -> None:
    page = parse_page(load("twogis_reviews_page1.json"))
    assert "151234569" not in {r["external_id"] for r in page.reviews}
    [problem] = page.errors
    assert problem.kind == "skipped" and problem.external_id == "151234569" and "spam" in problem.reason


def test_hidden_review_can_be_kept_flagged() -> None:
    page = parse_page(load("twogis_reviews_page1.json"), include_hidden=True)
    hidden = {r["external_id"]: r for r in page.reviews}["151234569"]
    assert hidden["hidden"] is True and hidden["hiding_reason"] == "spam"
    assert page.errors == []


def test_last_page_with_late_answer_blank_author_and_null_text() -> None:
    page = parse_page(load("twogis_reviews_page2.json"))
    assert page.next_page_token is None and page.errors == []
    answered, rating_only = page.reviews
    assert answered["author"] is None  # empty name
    assert answered["reply"]["created_at"] == "2026-11-14T05:00:00Z"  # answered two weeks later
    assert rating_only["text"] == "" and rating_only["rating"] == 4
    assert rating_only["author"] == "Dmitry S." and rating_only["provider"] == "flamp"


@pytest.mark.parametrize(("name", "count"), [("twogis_reviews_page1.json", 3), ("twogis_reviews_page2.json", 2)])
def test_all_reviews_validate(name: str, count: int) -> None:
    reviews = parse_page(load(name), include_hidden=True).reviews
    assert len(reviews) == count
    for review in reviews:
        assert parse_review({**review, "clinic_id": "nsk-2"}).external_id == review["external_id"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"rating": 0}, "rating"),
        ({"date_created": None}, "timestamp"),
        ({"id": None}, "no id"),
        ({"official_answer": {"text": "Спасибо"}}, "official_answer"),
    ],
)
def test_bad_items_become_problems(change: dict[str, Any], reason: str) -> None:
    payload = load("twogis_reviews_page2.json")
    payload["reviews"][0].update(change)
    page = parse_page(payload)
    assert len(page.reviews) == 1
    assert reason in page.errors[0].reason and page.errors[0].item == 1


def test_reached_cursor_on_newest_first_pages() -> None:
    page = parse_page(load("twogis_reviews_page2.json"))
    assert reached_cursor(page, "2026-11-01T04:00:00Z")
    assert not reached_cursor(page, "2026-10-01T00:00:00Z")
    assert not reached_cursor(page, None)


def test_archived_payload_has_no_api_key() -> None:
    payload = load("twogis_reviews_page1.json")
    clean = redact_key(payload)
    assert "test-2gis-key" not in json.dumps(clean)
    assert "offset_date=" in clean["meta"]["next_link"]
    assert payload["meta"]["next_link"].endswith("key=test-2gis-key")  # the input is not mutated


@respx.mock
def test_client_follows_next_link_to_the_end() -> None:
    first, second = load("twogis_reviews_page1.json"), load("twogis_reviews_page2.json")
    route = respx.get(url__startswith=FIRST_URL).mock(
        side_effect=[httpx.Response(200, json=first), httpx.Response(200, json=second)]
    )
    client = TwoGisReviewsClient(make_http(), "secret-key")
    pages = list(client.list_reviews(BRANCH))
    assert [len(p.page.reviews) for p in pages] == [2, 2]
    one, two = (c.request.url for c in route.calls)
    assert one.params["key"] == "secret-key" and one.params["limit"] == "50"
    assert one.params["sort_by"] == "date_edited" and one.params["locale"] == "ru_RU"
    assert "reviews.hiding_reason" in one.params["fields"]
    assert two.params["offset_date"] == "2026-11-15T10:00:00+07:00"
    assert "test-2gis-key" not in json.dumps(pages[0].payload)


@respx.mock
def test_client_adds_the_key_when_next_link_lacks_it() -> None:
    first = load("twogis_reviews_page1.json")
    first["meta"]["next_link"] = f"{FIRST_URL}?limit=50&offset_date=2026-11-01"
    route = respx.get(url__startswith=FIRST_URL).mock(
        side_effect=[
            httpx.Response(200, json=first),
            httpx.Response(200, json=load("twogis_reviews_page2.json")),
        ]
    )
    list(TwoGisReviewsClient(make_http(), "k2").list_reviews(BRANCH))
    assert route.calls[1].request.url.params["key"] == "k2"


@respx.mock
def test_client_refuses_a_next_link_to_another_host() -> None:
    first = load("twogis_reviews_page1.json")
    first["meta"]["next_link"] = "https://evil.example/steal"
    respx.get(url__startswith=FIRST_URL).mock(return_value=httpx.Response(200, json=first))
    with pytest.raises(SourceError, match="outside"):
        list(TwoGisReviewsClient(make_http(), "k").list_reviews(BRANCH))


@respx.mock
def test_client_stops_at_max_pages() -> None:
    looping = load("twogis_reviews_page1.json")
    route = respx.get(url__startswith=FIRST_URL).mock(return_value=httpx.Response(200, json=looping))
    pages = list(TwoGisReviewsClient(make_http(), "k", max_pages=2).list_reviews(BRANCH))
    assert len(pages) == 2 and route.call_count == 2


@respx.mock
def test_server_errors_surface_as_source_error() -> None:
    respx.get(url__startswith=FIRST_URL).mock(return_value=httpx.Response(503))
    with pytest.raises(SourceError) as caught:
        list(TwoGisReviewsClient(make_http(), "k").list_reviews(BRANCH))
    assert caught.value.retryable and caught.value.source == "2gis"
