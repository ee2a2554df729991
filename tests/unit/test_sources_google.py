"""Google Business Profile v4: parsing reviews.list pages, paging, OAuth and replies."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx
from clinic_reviews.domain.review import parse_review
from clinic_reviews.sources.google import (
    API_ROOT,
    TOKEN_URL,
    GoogleReviewsClient,
    GoogleTokenProvider,
    original_text,
    parse_page,
)
from clinic_reviews.sources.http import RetryPolicy, SourceError, SourceHttp, make_client

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sources"
REVIEWS_URL = f"{API_ROOT}/accounts/108234567890/locations/4567891234567890123/reviews"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def by_id(reviews: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["external_id"]: r for r in reviews}


def make_http() -> SourceHttp:
    return SourceHttp("google", make_client(), policy=RetryPolicy(max_attempts=2), sleep=lambda s: None)


def test_first_page_maps_every_field() -> None:
    page = parse_page(load("google_reviews_page1.json"))
    assert page.errors == []
    assert page.next_page_token == "CkEKHgoadXBkYXRlX3RpbWUSCAjR2NH-BRDAlwYSGgoU"
    reviews = by_id(page.reviews)
    assert list(reviews) == ["AIe9_BGx1Qm", "AIe9_BGx2Rn", "AIe9_BGx3So", "AIe9_BGx4Tp", "AIe9_BGx5Uq"]

    praised = reviews["AIe9_BGx1Qm"]
    assert praised["source"] == "google" and praised["rating"] == 5
    assert praised["author"] == "Анна Смирнова"
    assert "🙏" in praised["text"] and "Соколовой" in praised["text"]
    assert praised["created_at"] == "2026-11-20T07:15:42Z"  # nine fractional digits dropped
    assert praised["reply"] == {
        "text": "Анна, спасибо за тёплые слова! Передадим доктору.",
        "created_at": "2026-11-20T08:01:05Z",
    }


def test_anonymous_reviewer_has_no_author() -> None:
    review = by_id(parse_page(load("google_reviews_page1.json")).reviews)["AIe9_BGx2Rn"]
    assert review["author"] is None
    assert review["rating"] == 1 and review["reply"] is None


def test_rating_only_review_has_empty_text() -> None:
    review = by_id(parse_page(load("google_reviews_page1.json")).reviews)["AIe9_BGx3So"]
    assert review["text"] == "" and review["rating"] == 4


def test_unspecified_rating_is_null_and_translation_is_dropped() -> None:
    review = by_id(parse_page(load("google_reviews_page1.json")).reviews)["AIe9_BGx4Tp"]
    assert review["rating"] is None
    assert review["text"] == "Klinika czysta, ale ceny są za wysokie."


def test_edited_review_keeps_update_time_and_original_text() -> None:
    review = by_id(parse_page(load("google_reviews_page1.json")).reviews)["AIe9_BGx5Uq"]
    assert review["created_at"] == "2026-11-10T15:00:00Z"
    assert review["updated_at"] == "2026-11-16T10:20:30Z"
    assert review["text"].startswith("Отменили приём за час") and "Translated" not in review["text"]
    assert review["reply"]["created_at"] == "2026-11-16T11:00:00Z"


def test_second_page_ends_paging_and_reports_a_broken_item() -> None:
    page = parse_page(load("google_reviews_page2.json"))
    assert page.next_page_token is None
    assert [r["external_id"] for r in page.reviews] == ["AIe9_BGx6Vr"]
    only = page.reviews[0]
    assert only["text"] == "Normal, nothing special."  # only a translation marker: the text is kept
    assert only["created_at"] == "2026-11-05T11:00:00Z"  # +03:00 converted to UTC
    [problem] = page.errors
    assert problem.item == 2 and problem.external_id == "AIe9_BGx7Ws" and problem.kind == "invalid"


@pytest.mark.parametrize(("name", "count"), [("google_reviews_page1.json", 5), ("google_reviews_page2.json", 1)])
def test_every_parsed_review_validates_with_a_clinic_id(name: str, count: int) -> None:
    reviews = parse_page(load(name)).reviews
    assert len(reviews) == count
    for review in reviews:
        assert "clinic_id" not in review
        assert parse_review({**review, "clinic_id": "msk-01"}).external_id == review["external_id"]


def test_a_reply_added_later_changes_the_stored_content() -> None:
    latest = by_id(parse_page(load("google_reviews_page1.json")).reviews)["AIe9_BGx5Uq"]
    earlier_payload = copy.deepcopy(load("google_reviews_page1.json"))
    earlier_item = next(r for r in earlier_payload["reviews"] if r["reviewId"] == "AIe9_BGx5Uq")
    del earlier_item["reviewReply"]
    earlier = by_id(parse_page(earlier_payload).reviews)["AIe9_BGx5Uq"]
    assert earlier["reply"] is None
    before = parse_review({**earlier, "clinic_id": "c1"})
    after = parse_review({**latest, "clinic_id": "c1"})
    assert before.key == after.key and before.content_hash() != after.content_hash()


def test_unknown_star_rating_is_a_problem_not_a_crash() -> None:
    payload = {"reviews": [{"reviewId": "x1", "starRating": "SIX", "createTime": "2026-01-01T00:00:00Z"}]}
    page = parse_page(payload)
    assert page.reviews == [] and "starRating" in page.errors[0].reason


def test_empty_response_is_an_empty_last_page() -> None:
    page = parse_page({})
    assert page.reviews == [] and page.next_page_token is None


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("Всё отлично", "Всё отлично"),
        ("Очень чисто\n\n(Translated by Google)\nVery clean", "Очень чисто"),
        ("(Translated by Google) Very clean\n\n(Original)\nОчень чисто", "Очень чисто"),
        ("(Original)\nОчень чисто\n\n(Translated by Google)\nVery clean", "Очень чисто"),
        ("(Translated by Google) Very clean", "Very clean"),
        ("(Переведено Google) Very clean\n\n(Оригинал)\nОчень чисто", "Очень чисто"),
    ],
)
def test_original_text(comment: str, expected: str) -> None:
    assert original_text(comment) == expected


@respx.mock
def test_client_pages_through_next_page_token() -> None:
    first, second = load("google_reviews_page1.json"), load("google_reviews_page2.json")
    route = respx.get(REVIEWS_URL).mock(
        side_effect=[httpx.Response(200, json=first), httpx.Response(200, json=second)]
    )
    client = GoogleReviewsClient(make_http(), lambda: "tok-1")
    pages = list(client.list_reviews("108234567890", "4567891234567890123"))
    assert [len(p.page.reviews) for p in pages] == [5, 1]
    assert pages[0].payload == first  # the raw response, for archiving
    one, two = route.calls
    assert one.request.headers["Authorization"] == "Bearer tok-1"
    assert (
        one.request.url.params["pageSize"] == "50" and one.request.url.params["orderBy"] == "updateTime desc"
    )
    assert "pageToken" not in one.request.url.params
    assert two.request.url.params["pageToken"] == first["nextPageToken"]


@respx.mock
def test_client_accepts_resource_names_and_can_stop_early() -> None:
    route = respx.get(REVIEWS_URL).mock(
        return_value=httpx.Response(200, json=load("google_reviews_page1.json"))
    )
    client = GoogleReviewsClient(make_http(), lambda: "t")
    iterator = client.list_reviews("accounts/108234567890", "locations/4567891234567890123")
    next(iterator)
    assert route.call_count == 1  # nothing more is fetched until asked


@respx.mock
def test_max_pages_guard_stops_endless_paging() -> None:
    route = respx.get(REVIEWS_URL).mock(
        return_value=httpx.Response(200, json={"reviews": [], "nextPageToken": "again"})
    )
    client = GoogleReviewsClient(make_http(), lambda: "t", max_pages=3)
    assert len(list(client.list_reviews("108234567890", "4567891234567890123"))) == 3
    assert route.call_count == 3


@respx.mock
def test_token_provider_refreshes_once_and_caches_until_expiry() -> None:
    route = respx.post(TOKEN_URL).mock(
        side_effect=[
            httpx.Response(200, json={"access_token": "ya29.a", "expires_in": 3599, "token_type": "Bearer"}),
            httpx.Response(200, json={"access_token": "ya29.b", "expires_in": 3599, "token_type": "Bearer"}),
        ]
    )
    now = [1_000_000.0]
    provider = GoogleTokenProvider(
        make_http(),
        {"client_id": "cid", "client_secret": "cs", "refresh_token": "1//rt"},
        clock=lambda: now[0],
    )
    assert provider() == "ya29.a" and provider() == "ya29.a"
    assert route.call_count == 1
    form = parse_qs(route.calls[0].request.content.decode())
    assert form == {
        "grant_type": ["refresh_token"],
        "client_id": ["cid"],
        "client_secret": ["cs"],
        "refresh_token": ["1//rt"],
    }
    now[0] += 3599 - 30  # inside the leeway: refresh
    assert provider() == "ya29.b" and route.call_count == 2


@respx.mock
def test_revoked_refresh_token_is_a_permanent_error() -> None:
    respx.post(TOKEN_URL).mock(return_value=httpx.Response(400, json={"error": "invalid_grant"}))
    provider = GoogleTokenProvider(
        make_http(), {"client_id": "c", "client_secret": "s", "refresh_token": "r"}
    )
    with pytest.raises(SourceError) as caught:
        provider()
    assert not caught.value.retryable and "invalid_grant" in caught.value.reason


def test_token_provider_needs_the_whole_secret() -> None:
    with pytest.raises(ValueError, match="refresh_token"):
        GoogleTokenProvider(make_http(), {"client_id": "c", "client_secret": "s"})


@respx.mock
def test_expired_access_token_is_refreshed_after_a_401() -> None:
    respx.post(TOKEN_URL).mock(
        side_effect=[
            httpx.Response(200, json={"access_token": "old", "expires_in": 3600}),
            httpx.Response(200, json={"access_token": "new", "expires_in": 3600}),
        ]
    )
    route = respx.get(REVIEWS_URL).mock(
        side_effect=[
            httpx.Response(401, json={"error": {"status": "UNAUTHENTICATED"}}),
            httpx.Response(200, json={"reviews": []}),
        ]
    )
    http = make_http()
    provider = GoogleTokenProvider(http, {"client_id": "c", "client_secret": "s", "refresh_token": "r"})
    list(GoogleReviewsClient(http, provider).list_reviews("108234567890", "4567891234567890123"))
    assert [c.request.headers["Authorization"] for c in route.calls] == ["Bearer old", "Bearer new"]


@respx.mock
def test_put_reply_sends_the_comment_and_returns_the_stored_reply() -> None:
    url = f"{REVIEWS_URL}/AIe9_BGx2Rn/reply"
    route = respx.put(url).mock(
        return_value=httpx.Response(
            200, json={"comment": "Приносим извинения", "updateTime": "2026-11-20T09:00:00.1Z"}
        )
    )
    client = GoogleReviewsClient(make_http(), lambda: "t")
    reply = client.put_reply("108234567890", "4567891234567890123", "AIe9_BGx2Rn", "Приносим извинения")
    assert reply == {"text": "Приносим извинения", "created_at": "2026-11-20T09:00:00Z"}
    assert json.loads(route.calls[0].request.content) == {"comment": "Приносим извинения"}


def test_put_reply_refuses_empty_or_oversized_text() -> None:
    client = GoogleReviewsClient(make_http(), lambda: "t")
    with pytest.raises(ValueError):
        client.put_reply("a", "l", "r", "   ")
    with pytest.raises(ValueError, match="4096"):
        client.put_reply("a", "l", "r", "я" * 2049)
