"""Scheduled fetch in steady state: the AWS API calls and DynamoDB writes of a poll where nothing changed.

    .venv/bin/python bench/fetch_bench.py        (or `make bench`)

template.yaml is deployed into the embedded local AWS with the sample chain (3 clinics, 7 feeds:
Google locations, 2GIS branches, a VK wall post and a VK board topic). Fake platforms serve 1,000
reviews written over the last 10 days, the oldest of them still unanswered, so every poll re-reads
all 1,000 (the worst steady state: the cursors cannot cut the reading short). The first poll stores
them; the second is measured in a fresh container (caches empty, as after a cold start) and a third
in the warm one. Calls are counted with a botocore hook (infra/local/clinic_reviews_local/api_calls.py);
the schedule's own invocation of the function is not a call the function makes and is left out.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

START = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # Monday 10:00 in Moscow
CREDENTIALS = {
    "google": {"client_id": "bench", "client_secret": "bench", "refresh_token": "bench"},
    "2gis": {"key": "bench-key"},
    "vk": {"token": "bench-token"},
}
#: (platform, locator in the fake, reviews): 1,000 in all, over the sample policy's feeds.
FEEDS = [
    ("google", "4567891234567890123", 250),
    ("2gis", "70000001012345678", 150),
    ("vk", ("wall", 123456, 42), 100),
    ("2gis", "70000001012345679", 150),
    ("vk", ("board", 123456, 3001), 100),
    ("google", "4567891234567890124", 150),
    ("2gis", "70000001012345680", 100),
]
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")
TEXTS = [
    "Спасибо доктору, всё объяснили",
    "Хорошая клиника, чисто и без очереди",
    "Врач внимательный, рекомендую",
    "Нормально, но дороговато",
    "Great doctor, thank you!",
]


def _moments(count: int, rng: random.Random) -> list[datetime]:
    """Newest first, spread over the 10 days before START."""
    return sorted((START - timedelta(seconds=rng.randint(600, 10 * 86400)) for _ in range(count)), reverse=True)


def _google_pages(count: int, rng: random.Random, prefix: str) -> list[dict[str, Any]]:
    reviews = []
    for n, at in enumerate(_moments(count, rng)):
        stamp = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        item = {
            "name": f"accounts/108234567890/locations/{prefix}/reviews/g{prefix[-3:]}{n:05d}",
            "reviewId": f"g{prefix[-3:]}{n:05d}",
            "reviewer": {"displayName": f"Пациент {n}", "isAnonymous": n % 7 == 0},
            "starRating": ["FIVE", "FOUR", "FIVE", "THREE", "FIVE"][n % 5],
            "comment": TEXTS[n % len(TEXTS)],
            "createTime": stamp,
            "updateTime": stamp,
        }
        if n % 3 and n != count - 1:  # two in three answered; the oldest is not
            item["reviewReply"] = {"comment": "Спасибо за отзыв!", "updateTime": stamp}
        reviews.append(item)
    return [{"reviews": reviews[i : i + 50], "totalReviewCount": count} for i in range(0, count, 50)]


def _twogis_pages(count: int, rng: random.Random, branch: str) -> list[dict[str, Any]]:
    reviews = []
    for n, at in enumerate(_moments(count, rng)):
        local = at.astimezone(ZoneInfo("Asia/Novosibirsk")).isoformat()
        item = {
            "id": f"{branch[-3:]}{n:06d}",
            "text": TEXTS[n % len(TEXTS)],
            "rating": [5, 4, 5, 3, 5][n % 5],
            "provider": "2gis",
            "is_hidden": False,
            "url": f"https://2gis.ru/reviews/{branch}/review/{n}",
            "date_created": local,
            "date_edited": None,
            "user": {"name": f"Пациент {n}"},
            "official_answer": None,
        }
        if n % 3 and n != count - 1:
            item["official_answer"] = {"org_name": "Клиника", "text": "Спасибо!", "date_created": local}
        reviews.append(item)
    return [{"meta": {"code": 200, "total_count": count}, "reviews": reviews[i : i + 50]} for i in range(0, count, 50)]


def _vk_pages(count: int, rng: random.Random, kind: str, group: int, item_id: int) -> list[dict[str, Any]]:
    items = []
    for n, at in enumerate(_moments(count, rng)):
        comment: dict[str, Any] = {"id": 10_000 + n, "from_id": 1_000 + n, "date": int(at.timestamp()),
                                   "text": TEXTS[n % len(TEXTS)]}
        if kind == "wall":
            comment |= {"post_id": item_id, "owner_id": -group}
            thread = []
            if n % 3 and n != count - 1:
                thread.append({"id": 50_000 + n, "from_id": -group, "date": int(at.timestamp()) + 60,
                               "text": "Спасибо!", "post_id": item_id, "owner_id": -group, "reply_to_comment": 10_000 + n})
            comment["thread"] = {"count": len(thread), "items": thread}
        items.append(comment)
    profiles = [{"id": 1_000 + n, "first_name": "Пациент", "last_name": str(n)} for n in range(count)]
    pages = []
    for i in range(0, count, 100):
        pages.append({"response": {"count": count, "items": items[i : i + 100], "profiles": profiles[i : i + 100],
                                   "groups": [{"id": group, "name": "Клиника"}]}})
    return pages


def _platforms():
    from clinic_reviews_local.platforms import FakePlatforms

    rng = random.Random(20261207)
    fake = FakePlatforms()
    for platform, locator, count in FEEDS:
        if platform == "google":
            fake.load(platform, locator, *_google_pages(count, rng, locator))
        elif platform == "2gis":
            fake.load(platform, locator, *_twogis_pages(count, rng, locator))
        else:
            fake.load(platform, locator, *_vk_pages(count, rng, *locator))
    return fake


def _poll(aws, fake) -> dict[str, Any]:
    from clinic_reviews_local.api_calls import COUNTER

    before = len(fake.requests)
    COUNTER.reset()
    started = time.perf_counter()
    report = aws.run_schedule("FetchFunctionBusyHours")
    seconds = time.perf_counter() - started
    calls = COUNTER.snapshot()
    calls["lambda.Invoke"] -= 1  # the scheduler's invocation of the function, not a call it makes
    calls = Counter({name: n for name, n in calls.items() if n > 0})
    return {
        "report": report,
        "calls": dict(sorted(calls.items())),
        "total_calls": sum(calls.values()),
        "dynamodb_writes": sum(n for name, n in calls.items() if name.split(".")[1] in WRITES),
        "http_requests": len(fake.requests) - before,
        "seconds": round(seconds, 2),
    }


def run() -> dict[str, Any]:
    from clinic_reviews import clients
    from clinic_reviews.domain.policy import load_policy
    from clinic_reviews_local.stack import LocalStack
    from clinic_reviews_local.template import project_root

    with LocalStack(start=START) as aws:
        aws.put_policy(load_policy(project_root() / "samples" / "demo-policy.yaml"))
        fake = _platforms()
        aws.serve_http(fake.transport())
        aws.put_secret("SourcesSecret", CREDENTIALS)
        first = _poll(aws, fake)
        aws.advance_to(START + timedelta(minutes=15))
        clients.reset()  # a new container: no cached policy, secret, token or clients
        aws.serve_http(fake.transport())
        cold = _poll(aws, fake)
        aws.advance_to(START + timedelta(minutes=30))
        warm = _poll(aws, fake)
    return {"first": first, "steady_cold": cold, "steady_warm": warm}


def _line(name: str, poll: dict[str, Any]) -> str:
    r = poll["report"]
    return (
        f"{name:<22} reviews read {r['fetched']:>5}  pages {r['pages']:>3}  HTTP {poll['http_requests']:>3}  "
        f"sent to intake {r['sent']:>5}  AWS calls {poll['total_calls']:>5}  DynamoDB writes {poll['dynamodb_writes']:>5}"
        f"  ({poll['seconds']:.1f}s)"
    )


def main() -> dict[str, Any]:
    result = run()
    print("Scheduled fetch, 1,000 reviews over 7 feeds of 3 clinics (goal in steady state: <= 60 calls, 0 writes)")
    print(_line("first poll (stores)", result["first"]))
    print(_line("steady state, cold", result["steady_cold"]))
    print(_line("steady state, warm", result["steady_warm"]))
    for name in ("steady_cold", "steady_warm"):
        calls = ", ".join(f"{op} {n}" for op, n in result[name]["calls"].items()) or "none"
        print(f"  {name} calls by operation: {calls}")
    first = ", ".join(f"{op} {n}" for op, n in result["first"]["calls"].items())
    print(f"  first poll calls by operation: {first}")
    return {
        name: {k: v for k, v in poll.items() if k != "report"} | {"reviews_read": poll["report"]["fetched"]}
        for name, poll in result.items()
    }


if __name__ == "__main__":
    main()
