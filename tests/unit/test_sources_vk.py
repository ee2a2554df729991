"""VK wall/board comments: community answers as replies, errors, offset paging and the rate limit."""

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
from clinic_reviews.sources.http import RetryPolicy, SourceError, SourceHttp, TransientError, make_client
from clinic_reviews.sources.vk import (
    API_VERSION,
    RateLimiter,
    VkClient,
    VkThread,
    parse_page,
    parse_pages,
    plain_text,
    raise_for_error,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sources"
METHOD = "https://api.vk.com/method/"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def by_id(reviews: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["external_id"]: r for r in reviews}


def form(call: Any) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(call.request.content.decode()).items()}


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_client_vk(clock: FakeClock | None = None, **kwargs: Any) -> VkClient:
    clock = clock or FakeClock()
    http = SourceHttp("vk", make_client(), policy=RetryPolicy(max_attempts=3), sleep=clock.sleep)
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    return VkClient(http, "vk1.a.token", limiter=limiter, **kwargs)


def test_wall_comments_become_reviews_and_community_answers_become_replies() -> None:
    page = parse_page(load("vk_wall_comments_extended.json"))
    reviews = by_id(page.reviews)
    assert list(reviews) == ["508", "503", "504", "501"]
    assert all(r["rating"] is None and r["source"] == "vk" for r in page.reviews)

    angry = reviews["503"]
    assert angry["author"] == "Мария Петрова" and "😡" in angry["text"]
    assert angry["created_at"] == "2026-11-27T12:00:00Z"
    assert angry["reply"]["text"].startswith("Мария, приносим извинения")  # [id222|Мария] -> Мария
    assert angry["reply"]["created_at"] == "2026-11-27T14:00:00Z"
    assert angry["reply"]["author"] == "Клиника Здоровье"
    assert angry["url"] == "https://vk.com/wall-123456_42?reply=503"

    assert reviews["501"]["reply"]["text"] == "Анна, спасибо за отзыв! Передадим доктору."


def test_community_comments_are_never_reviews() -> None:
    page = parse_page(load("vk_wall_comments_extended.json"))
    ids = {r["external_id"] for r in page.reviews}
    assert not ids & {"502", "505", "506"}
    skipped = {p.external_id: p.reason for p in page.errors}
    assert skipped == {"507": "deleted comment", "506": "community's own comment, not an answer"}
    assert all(p.kind == "skipped" for p in page.errors)


def test_thread_reply_by_another_user_is_its_own_review() -> None:
    other = by_id(parse_page(load("vk_wall_comments_extended.json")).reviews)["504"]
    assert other["author"] == "Олег Кузнецов" and other["in_reply_to"] == "503"
    assert other["reply"] is None
    assert other["url"] == "https://vk.com/wall-123456_42?reply=504&thread=503"


def test_author_without_profile_is_null_and_markup_is_plain() -> None:
    question = by_id(parse_page(load("vk_wall_comments_extended.json")).reviews)["508"]
    assert question["author"] is None
    assert question["text"] == "Клиника Здоровье, когда будут готовы результаты анализов?"


def test_without_extended_there_are_no_names() -> None:
    payload = load("vk_wall_comments_extended.json")
    del payload["response"]["profiles"], payload["response"]["groups"]
    page = parse_page(payload)
    assert all(r["author"] is None for r in page.reviews)
    assert "author" not in by_id(page.reviews)["503"]["reply"]


def test_the_earliest_community_answer_is_the_reply() -> None:
    payload = load("vk_wall_comments_extended.json")
    thread = payload["response"]["items"][3]["thread"]
    late = copy.deepcopy(thread["items"][1])
    late.update(id=599, date=late["date"] + 86400, text="Повторно: ждём вас в ЛС")
    thread["items"].append(late)  # processed after the first answer: must not replace it
    reply = by_id(parse_page(payload).reviews)["503"]["reply"]
    assert reply["created_at"] == "2026-11-27T14:00:00Z" and reply["text"].startswith("Мария, приносим")


def test_answer_to_a_thread_comment_goes_to_that_comment() -> None:
    payload = load("vk_wall_comments_extended.json")
    payload["response"]["items"][3]["thread"]["items"][1]["reply_to_comment"] = 504
    reviews = by_id(parse_page(payload).reviews)
    assert reviews["504"]["reply"] is not None and reviews["503"]["reply"] is None


def test_comment_by_another_community_is_skipped_when_the_group_is_known() -> None:
    payload = load("vk_wall_comments_extended.json")
    payload["response"]["items"][2]["from_id"] = -999
    page = parse_page(payload, thread=VkThread("wall", 123456, 42))
    assert {p.external_id: p.reason for p in page.errors}["506"] == "comment by another community"


def test_board_answers_match_by_post_mention_and_orphans_are_reported() -> None:
    page = parse_page(load("vk_board_comments.json"), thread=VkThread("board", 123456, 555))
    reviews = by_id(page.reviews)
    assert list(reviews) == ["12", "10"]
    assert reviews["10"]["author"] == "Ирина Лебедева"
    assert reviews["10"]["reply"]["text"].startswith("Ирина, добрый день!")
    assert reviews["10"]["url"] == "https://vk.com/topic-123456_555?post=10"
    assert reviews["10"]["vk_kind"] == "board" and reviews["10"]["vk_thread"] == 555
    assert reviews["12"]["reply"] is None
    [orphan] = page.orphan_replies
    assert orphan["external_id"] == "3" and orphan["reply"]["text"].startswith("Павел, проверили")


def test_answer_on_another_page_is_matched_when_pages_are_parsed_together() -> None:
    payload = load("vk_board_comments.json")
    newer, older = copy.deepcopy(payload), copy.deepcopy(payload)
    newer["response"]["items"] = payload["response"]["items"][:3]  # the answer to 10 is here
    older["response"]["items"] = payload["response"]["items"][3:]  # comment 10 is here
    alone = parse_page(older)
    assert by_id(alone.reviews)["10"]["reply"] is None
    together = by_id(parse_pages([newer, older]).reviews)
    assert together["10"]["reply"] is not None


@pytest.mark.parametrize(("name", "count"), [("vk_wall_comments_extended.json", 4), ("vk_board_comments.json", 2)])
def test_every_review_validates(name: str, count: int) -> None:
    reviews = parse_page(load(name)).reviews
    assert len(reviews) == count
    for review in reviews:
        assert parse_review({**review, "clinic_id": "spb-3"}).external_id == review["external_id"]


@pytest.mark.parametrize(
    ("count", "offset", "expected"), [(250, 0, "5"), (5, 0, None), (7, 2, None), (8, 2, "7")]
)
def test_next_offset(count: int, offset: int, expected: str | None) -> None:
    payload = load("vk_wall_comments_extended.json")
    payload["response"]["count"] = count
    assert parse_page(payload, offset=offset).next_page_token == expected


@pytest.mark.parametrize(("code", "retryable"), [(6, True), (9, True), (29, True), (5, False), (15, False)])
def test_error_responses_are_source_errors(code: int, retryable: bool) -> None:
    payload = {"error": {"error_code": code, "error_msg": "message", "request_params": []}}
    with pytest.raises(SourceError) as caught:
        parse_page(payload)
    assert caught.value.retryable is retryable and f"VK error {code}" in caught.value.reason


def test_error_fixture_is_retryable_now_for_the_client() -> None:
    with pytest.raises(TransientError):
        raise_for_error(load("vk_error_too_many.json"))
    raise_for_error({"response": {"items": []}})


def test_plain_text() -> None:
    assert plain_text("[id1|Анна], [club2|Клиника] и [post3|Павел]") == "Анна, Клиника и Павел"


def test_rate_limiter_allows_three_per_second() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, 1.0, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        limiter.wait()
    assert clock.sleeps == []
    limiter.wait()
    assert clock.sleeps == [1.0]
    clock.now += 5
    limiter.wait()
    assert clock.sleeps == [1.0]


@respx.mock
def test_client_pages_by_offset_with_token_in_the_body() -> None:
    first = load("vk_wall_comments_extended.json")
    first["response"]["count"] = 6
    second = {
        "response": {
            "count": 6,
            "items": [
                {
                    "id": 400,
                    "from_id": 111,
                    "date": 1795700000,
                    "text": "Старый отзыв",
                    "post_id": 42,
                    "owner_id": -123456,
                    "thread": {"count": 0, "items": []},
                }
            ],
            "profiles": [],
            "groups": [],
        }
    }
    route = respx.post(f"{METHOD}wall.getComments").mock(
        side_effect=[httpx.Response(200, json=first), httpx.Response(200, json=second)]
    )
    read = make_client_vk().wall_comments(123456, 42)
    assert len(read.payloads) == 2
    assert [r["external_id"] for r in read.page.reviews] == ["508", "503", "504", "501", "400"]
    sent = [form(c) for c in route.calls]
    assert sent[0]["access_token"] == "vk1.a.token" and sent[0]["v"] == API_VERSION == "5.199"
    assert (
        sent[0]["owner_id"] == "-123456" and sent[0]["extended"] == "1" and sent[0]["preview_length"] == "0"
    )
    assert [s["offset"] for s in sent] == ["0", "5"]
    assert all("access_token" not in str(c.request.url) for c in route.calls)


@respx.mock
def test_client_stops_once_it_reaches_since() -> None:
    first = load("vk_wall_comments_extended.json")
    first["response"]["count"] = 500
    route = respx.post(f"{METHOD}wall.getComments").mock(return_value=httpx.Response(200, json=first))
    read = make_client_vk().wall_comments(123456, 42, since=1795780800)
    assert route.call_count == 1 and len(read.payloads) == 1


@respx.mock
def test_client_retries_too_many_requests_and_respects_the_rate() -> None:
    clock = FakeClock()
    board = load("vk_board_comments.json")
    route = respx.post(f"{METHOD}board.getComments").mock(
        side_effect=[
            httpx.Response(200, json=load("vk_error_too_many.json")),
            httpx.Response(200, json=load("vk_error_too_many.json")),
            httpx.Response(200, json=board),
        ]
    )
    read = make_client_vk(clock).board_comments(123456, 555)
    assert route.call_count == 3
    assert [r["external_id"] for r in read.page.reviews] == ["12", "10"]
    assert read.page.orphan_replies[0]["external_id"] == "3"
    assert form(route.calls[0])["group_id"] == "123456" and form(route.calls[0])["topic_id"] == "555"


@respx.mock
def test_client_gives_up_on_permanent_errors() -> None:
    respx.post(f"{METHOD}board.getComments").mock(
        return_value=httpx.Response(200, json={"error": {"error_code": 15, "error_msg": "Access denied"}})
    )
    with pytest.raises(SourceError) as caught:
        make_client_vk().board_comments(123456, 555)
    assert not caught.value.retryable


@respx.mock
def test_rate_limit_holds_across_many_calls() -> None:
    clock = FakeClock()
    respx.post(f"{METHOD}wall.get").mock(
        return_value=httpx.Response(200, json={"response": {"count": 0, "items": []}})
    )
    client = make_client_vk(clock)
    stamps = []
    for _ in range(7):
        client.wall_posts(123456)
        stamps.append(clock.now)
    assert all(stamps[i + 3] - stamps[i] >= 1.0 for i in range(len(stamps) - 3))


@respx.mock
def test_incomplete_thread_is_completed_before_parsing() -> None:
    page = load("vk_wall_comments_extended.json")
    top = page["response"]["items"][3]
    top["thread"]["count"] = 3
    top["thread"]["items"] = top["thread"]["items"][:1]  # VK cut the thread: the answer is missing
    full_thread = {
        "response": {
            "count": 3,
            "items": load("vk_wall_comments_extended.json")["response"]["items"][3]["thread"]["items"]
            + [{"id": 509, "from_id": 333, "date": 1795790000, "text": "спасибо", "reply_to_comment": 505}],
            "profiles": [{"id": 333, "first_name": "Олег", "last_name": "Кузнецов"}],
            "groups": [],
        }
    }
    route = respx.post(f"{METHOD}wall.getComments").mock(
        side_effect=lambda request: httpx.Response(
            200, json=full_thread if b"comment_id" in request.content else page
        )
    )
    read = make_client_vk().wall_comments(123456, 42)
    assert route.call_count == 2
    assert form(route.calls[1])["comment_id"] == "503"
    assert by_id(read.page.reviews)["503"]["reply"] is not None
    assert len(read.payloads[0]["response"]["items"][3]["thread"]["items"]) == 3  # archived complete


def test_a_comment_repeated_on_the_next_page_is_read_once() -> None:
    payload = load("vk_board_comments.json")
    shifted = copy.deepcopy(payload)
    shifted["response"]["items"] = payload["response"]["items"][3:]  # offset moved by a new comment
    page = parse_pages([payload, shifted])
    assert [r["external_id"] for r in page.reviews] == ["12", "10"]
