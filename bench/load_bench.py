"""Load: a year of a 16-clinic chain's reviews through intake AND fetch on the embedded AWS (issue 16, item 6).

    nice -n 10 .venv/bin/python bench/load_bench.py [N] [--budget SECONDS]      (default 3,000 reviews)

template.yaml is deployed with samples/policy.yaml (16 clinics in four time zones; a Google location and
a 2GIS branch each, a VK wall for every third: 38 feeds). The virtual clock then lives through a year, a day at a
time. N reviews are written over the year, with the bundled sample's mix of sources (yandex 39, prodoctorov 29,
2gis 17, google 12, napopravka 7, site 4, vk 3, call centre 3, e-mail 2 in 116) and languages (its texts), and
ratings 60 % positive, 25 % negative, 15 % neutral, a tenth without text. A fifth carry a reply when first seen;
15 % get their reply two days after they were first seen (a change: the answered path, item and history).

- Google, 2GIS and VK reviews appear on fake platforms (clinic_reviews_local/platforms.py) and come in through
  the scheduled FetchFunction, run once a virtual day: paging newest first up to each feed's cursor, the open
  window re-read, the stored reviews batch-read, cursors written.
- The other sources come in through the IntakeFunction in batches of ten, as the webhook, import and mail
  functions hand them over; a late reply is the same review sent again with it.
- Every review reaches the system four days after it was written, past the chain's 72-hour backfill window: it
  is stored and announced (the outbox: the table's stream, OutboxFunction, the bus) but starts no escalation
  workflow. This measures intake, fetch and storage, not escalation (`clinic-reviews chaos` and the demo do).

At each checkpoint (10,000, 30,000, 100,000, and N) it prints, for the slice since the last one: wall and CPU time
per 1,000 reviews (CPU time depends less on what else runs on the machine), AWS calls per review (the functions' own calls; the local pollers' are not counted), and the
process's resident and peak memory (moto's tables live in it: the stored data is in that figure) with the
stream's length; at the end, the growth of each figure from the first checkpoint to the last. It stops at a
checkpoint once the budget is spent and says so. docs/load.md has the figures.
"""

from __future__ import annotations

import bisect
import json
import os
import random
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "samples" / "policy.yaml"
START = datetime(2025, 12, 1, 6, 0, tzinfo=UTC)
DAYS = 365
STEP = timedelta(days=1)
ARRIVAL = timedelta(days=4)  # past the chain's 72 h backfill window
LATE_REPLY = timedelta(days=2)  # after the review was first seen
CHECKPOINTS = (1_000, 3_000, 10_000, 30_000, 100_000)
#: The bundled sample's sources (samples/reviews.jsonl, 116 reviews).
SOURCE_MIX = {"yandex": 39, "prodoctorov": 29, "2gis": 17, "google": 12, "napopravka": 7, "site": 4, "vk": 3,
              "call_center": 3, "email": 2}
FETCHED = ("google", "2gis", "vk")
BATCH = 10
CREDENTIALS = {
    "google": {"client_id": "bench", "client_secret": "bench", "refresh_token": "bench"},
    "2gis": {"key": "bench-key"},
    "vk": {"token": "bench-token"},
}
_STARS = {1: "ONE", 2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE"}


@dataclass
class Planned:
    """One review of the year: where it comes from, when it is written, seen, and answered."""

    number: int
    clinic: str
    source: str
    created: datetime
    rating: int | None
    text: str
    reply_at: datetime | None  # when its reply is written (None: never)

    @property
    def arrives(self) -> datetime:
        return self.created + ARRIVAL

    def intake_item(self, now: datetime) -> dict[str, Any]:
        item = {"clinic_id": self.clinic, "source": self.source, "external_id": f"load-{self.number}",
                "rating": self.rating, "text": self.text, "author": f"Пациент {self.number}", "created_at": _z(self.created)}
        if self.reply_at is not None and self.reply_at <= now:
            item["reply"] = {"text": "Спасибо за отзыв!", "created_at": _z(self.reply_at)}
        return item


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _texts() -> dict[str, list[str]]:
    """The sample's texts by sentiment bucket (from their ratings), both languages."""
    buckets: dict[str, list[str]] = {"negative": [], "neutral": [], "positive": []}
    for raw in (ROOT / "samples" / "reviews.jsonl").read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if not isinstance(data, dict):
            continue
        rating, text = data.get("rating"), data.get("text")
        if isinstance(rating, int) and 1 <= rating <= 5 and isinstance(text, str) and text:
            buckets["negative" if rating <= 2 else "neutral" if rating == 3 else "positive"].append(text)
    return buckets


def plan(n: int, clinics: list[str], vk_clinics: list[str], seed: int = 16) -> list[Planned]:
    """N reviews over the year, oldest first."""
    rng, texts = random.Random(seed), _texts()
    sources, weights = list(SOURCE_MIX), list(SOURCE_MIX.values())
    spacing = DAYS * 86400 / n
    out = []
    for i in range(n):
        created = START - ARRIVAL + timedelta(seconds=int(i * spacing + rng.random() * spacing))
        source = rng.choices(sources, weights)[0]
        kind = rng.choices(("positive", "negative", "neutral"), (60, 25, 15))[0]
        rating = {"positive": rng.choice((4, 5)), "negative": rng.choice((1, 2)), "neutral": 3}[kind]
        text = "" if rng.random() < 0.1 and source != "vk" else rng.choice(texts[kind])
        roll = rng.random()
        reply_at = created + timedelta(hours=5) if roll < 0.2 else created + ARRIVAL + LATE_REPLY if roll < 0.35 else None
        clinic = rng.choice(vk_clinics) if source == "vk" else clinics[i % len(clinics)]
        out.append(Planned(i, clinic, source, created, None if source == "vk" else rating, text, reply_at))
    return out


# ---------------------------------------------------------------------------------------------- the platforms
class Feed(Sequence):
    """One platform feed as the fake platforms page it: newest first, pages built from the items when asked."""

    def __init__(self, page_size: int, order: Callable[[dict], Any], page: Callable[[list[dict], int], dict]):
        self.items: list[dict] = []  # oldest first by `order`
        self._size, self._order, self._page = page_size, order, page

    def add(self, item: dict) -> None:
        bisect.insort(self.items, item, key=self._order)

    def move(self, item: dict) -> None:
        """Re-place an item whose ordering key changed."""
        self.items.remove(item)
        self.add(item)

    def __len__(self) -> int:
        return -(-len(self.items) // self._size)

    def __getitem__(self, index: int) -> dict:
        if not 0 <= index < len(self):
            raise IndexError(index)
        end = len(self.items) - index * self._size
        return self._page(self.items[max(0, end - self._size) : end][::-1], len(self.items))


@dataclass
class Platforms:
    """The chain's 38 feeds on the fake platforms, filled as the year goes by."""

    fake: Any
    google: dict[str, tuple[str, Feed]] = field(default_factory=dict)  # clinic -> (location, feed)
    twogis: dict[str, Feed] = field(default_factory=dict)
    vk: dict[str, tuple[int, int, Feed]] = field(default_factory=dict)  # clinic -> (group, post, feed)
    _placed: dict[int, tuple[Feed, dict]] = field(default_factory=dict)  # review number -> where it is

    @classmethod
    def of(cls, policy: Any) -> Platforms:
        from clinic_reviews_local.platforms import FakePlatforms

        platforms = cls(FakePlatforms())
        for clinic in policy.clinics:
            for source in clinic.sources:
                if source.platform == "google":
                    feed = Feed(50, lambda r: r["updateTime"], lambda items, total: {"reviews": items, "totalReviewCount": total})
                    platforms.google[clinic.id] = (source.location_id, feed)
                    platforms.fake.google[source.location_id] = feed
                elif source.platform == "2gis":
                    feed = Feed(50, lambda r: r["date_created"], lambda items, total: {"meta": {"code": 200, "total_count": total}, "reviews": items})
                    platforms.twogis[clinic.id] = feed
                    platforms.fake.twogis[source.branch_id] = feed
                elif source.platform == "vk":
                    feed = Feed(100, lambda r: r["date"], _vk_page(source.group_id))
                    platforms.vk[clinic.id] = (source.group_id, source.wall_posts[0], feed)
                    platforms.fake.vk[("wall", source.group_id, source.wall_posts[0])] = feed
        return platforms

    def publish(self, review: Planned, now: datetime) -> None:
        replied = review.reply_at is not None and review.reply_at <= now
        if review.source == "google":
            location, feed = self.google[review.clinic]
            item = {"name": f"accounts/108234567890/locations/{location}/reviews/l{review.number}",
                    "reviewId": f"l{review.number}", "reviewer": {"displayName": f"Пациент {review.number}"},
                    "starRating": _STARS[review.rating], "createTime": _z(review.created), "updateTime": _z(review.created)}
            if review.text:
                item["comment"] = review.text
        elif review.source == "2gis":
            feed = self.twogis[review.clinic]
            item = {"id": f"l{review.number}", "text": review.text, "rating": review.rating, "provider": "2gis",
                    "is_hidden": False, "url": f"https://2gis.ru/reviews/l{review.number}", "date_created": _z(review.created),
                    "date_edited": None, "user": {"name": f"Пациент {review.number}"}, "official_answer": None}
        else:
            group, post, feed = self.vk[review.clinic]
            item = {"id": 10_000_000 + review.number, "from_id": 1_000_000 + review.number, "text": review.text,
                    "date": int(review.created.timestamp()), "post_id": post, "owner_id": -group,
                    "thread": {"count": 0, "items": []}}
        feed.add(item)
        self._placed[review.number] = (feed, item)
        if replied:
            self.answer(review)

    def answer(self, review: Planned) -> None:
        feed, item = self._placed[review.number]
        written = review.reply_at
        if review.source == "google":
            item["reviewReply"] = {"comment": "Спасибо за отзыв!", "updateTime": _z(written)}
            item["updateTime"] = _z(written)  # a reply moves a Google review up (orderBy=updateTime desc)
            feed.move(item)
        elif review.source == "2gis":
            item["official_answer"] = {"org_name": "Клиника", "text": "Спасибо!", "date_created": _z(written)}
        else:
            reply = {"id": 50_000_000 + review.number, "from_id": item["owner_id"], "date": int(written.timestamp()),
                     "text": "Спасибо!", "post_id": item["post_id"], "owner_id": item["owner_id"],
                     "reply_to_comment": item["id"]}
            item["thread"] = {"count": 1, "items": [reply]}


def _vk_page(group: int) -> Callable[[list[dict], int], dict]:
    def page(items: list[dict], total: int) -> dict:
        profiles = [{"id": i["from_id"], "first_name": "Пациент", "last_name": str(i["from_id"])} for i in items]
        return {"response": {"count": total, "items": items, "profiles": profiles, "groups": [{"id": group, "name": "Клиника"}]}}

    return page


# ---------------------------------------------------------------------------------------------- measuring
def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _stream_records(aws: Any) -> int:
    """Records the table's stream holds now (moto's shard; DynamoDB Streams keeps 24 hours)."""
    from clinic_reviews_local.deployer import ACCOUNT
    from clinic_reviews_local.stack import REGION
    from moto.dynamodb.models import dynamodb_backends

    shard = dynamodb_backends[ACCOUNT][REGION].get_table(aws.physical("ReviewsTable")).stream_shard
    return len(shard.items) if shard is not None else 0


@dataclass
class Meter:
    """Figures per slice between checkpoints."""

    marks: list[int]
    rows: list[dict] = field(default_factory=list)
    calls: Counter = field(default_factory=Counter)
    _since: float = field(default_factory=time.perf_counter)
    _cpu: float = field(default_factory=time.process_time)
    _from: int = 0

    def due(self, stored: int) -> bool:
        return bool(self.marks) and stored >= self.marks[0]

    def row(self, stored: int, aws: Any, invoked: int) -> dict:
        """`invoked`: this bench's own invocations of the functions in the slice (not calls the functions make)."""
        from clinic_reviews_local.api_calls import COUNTER

        now, count = time.perf_counter(), COUNTER.snapshot()
        count["lambda.Invoke"] -= invoked
        self.calls += count
        reviews = stored - self._from
        row = {
            "reviews": stored,
            "seconds_per_1000": round((now - self._since) / reviews * 1000, 1),
            "cpu_seconds_per_1000": round((time.process_time() - self._cpu) / reviews * 1000, 1),  # less load-bound
            "aws_calls_per_review": round(sum(count.values()) / reviews, 2),
            "rss_mb": round(_rss_mb()),
            "peak_rss_mb": round(_peak_mb()),
            "stream_records": _stream_records(aws),
        }
        self.rows.append(row)
        print(json.dumps(row), flush=True)
        COUNTER.reset()
        self._since, self._cpu, self._from = time.perf_counter(), time.process_time(), stored
        while self.marks and stored >= self.marks[0]:
            self.marks.pop(0)
        return row


def growth(rows: list[dict]) -> dict:
    """Last slice against the first measured slice of at least 10,000 reviews (or the first)."""
    base = next((r for r in rows if r["reviews"] >= 10_000), rows[0])
    last = rows[-1]
    return {
        "from": base["reviews"], "to": last["reviews"],
        "seconds_per_1000": round(last["seconds_per_1000"] / base["seconds_per_1000"], 2),
        "cpu_seconds_per_1000": round(last["cpu_seconds_per_1000"] / base["cpu_seconds_per_1000"], 2),
        "aws_calls_per_review": round(last["aws_calls_per_review"] / base["aws_calls_per_review"], 2),
    }


# ---------------------------------------------------------------------------------------------- the year
def main(n: int = 3_000, budget: float | None = None) -> list[dict]:
    from clinic_reviews.domain.policy import load_policy
    from clinic_reviews_local.api_calls import COUNTER
    from clinic_reviews_local.stack import LocalStack

    policy = load_policy(POLICY)
    clinics = [c.id for c in policy.clinics]
    vk_clinics = [c.id for c in policy.clinics if any(s.platform == "vk" for s in c.sources)]
    year = plan(n, clinics, vk_clinics)
    replies = sorted((r for r in year if r.reply_at is not None and r.reply_at > r.arrives), key=lambda r: r.reply_at)
    meter = Meter([c for c in CHECKPOINTS if c < n] + [n])
    started = time.perf_counter()
    with LocalStack(start=START, parameters={"ChainId": policy.chain.id}) as aws:
        aws.put_policy(policy)
        platforms = Platforms.of(policy)
        aws.serve_http(platforms.fake.transport())
        aws.put_secret("SourcesSecret", CREDENTIALS)
        COUNTER.reset()
        meter._since, meter._cpu = time.perf_counter(), time.process_time()
        arrived = answered = invoked = 0
        moment = START
        while arrived < n:
            moment += STEP
            aws.advance_to(moment)
            to_intake: list[dict] = []
            while arrived < n and year[arrived].arrives <= moment:
                review = year[arrived]
                if review.source in FETCHED:
                    platforms.publish(review, moment)
                else:
                    to_intake.append(review.intake_item(moment))
                arrived += 1
            while answered < len(replies) and replies[answered].reply_at <= moment:
                review = replies[answered]
                if review.number < arrived:  # seen already: the reply is a change
                    if review.source in FETCHED:
                        platforms.answer(review)
                    else:
                        to_intake.append(review.intake_item(moment))
                answered += 1
            for start in range(0, len(to_intake), BATCH):
                report = aws.invoke("IntakeFunction", {"reviews": to_intake[start : start + BATCH]})
                assert not report["rejected"] and not report["failed"], report
                invoked += 1
            fetched = aws.run_schedule("FetchFunctionBusyHours")
            assert not fetched.get("failed"), fetched
            invoked += 1
            if meter.due(arrived):
                meter.row(arrived, aws, invoked)
                invoked = 0
                if budget is not None and time.perf_counter() - started > budget and arrived < n:
                    print(f"budget of {budget:.0f} s spent after {arrived} reviews; stopping", flush=True)
                    break
    if meter.rows:
        print(json.dumps({"growth": growth(meter.rows)}), flush=True)
        top = ", ".join(f"{op} {count / max(1, meter.rows[-1]['reviews']):.3f}" for op, count in meter.calls.most_common(8))
        print(f"calls per review by operation: {top}", flush=True)
    return meter.rows


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    budget = None
    if "--budget" in sys.argv:
        budget = float(sys.argv[sys.argv.index("--budget") + 1])
        args = [a for a in args if a != sys.argv[sys.argv.index("--budget") + 1]]
    main(int(args[0]) if args else 3_000, budget)
