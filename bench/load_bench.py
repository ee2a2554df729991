"""Load: a year of reviews of a 16-clinic chain through the intake on the embedded AWS (issue 16).

`python bench/load_bench.py [N] [--budget SECONDS]` (default 3,000 reviews, as `make bench` runs it; no
budget) deploys template.yaml,
stores a 16-clinic default policy and sends N reviews, oldest first, to the IntakeFunction in batches of
ten: dates spread over the year before the clock (so all but the last days are backfill: stored and
announced, not escalated), a realistic mix (60 % positive, 25 % negative, 15 % neutral; Russian and
English texts of the sample; a tenth rating-only; a fifth with a reply). At each checkpoint it prints the
wall time per 1,000 reviews of the last slice, AWS calls per review of the last slice and the process's
peak resident memory (moto's tables live in it, so it grows with the data), so growth with the table's
size shows. It stops early when the budget is spent and says so.
"""

from __future__ import annotations

import json
import random
import resource
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLINICS = [f"clinic-{i:02d}" for i in range(1, 17)]
END = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
BATCH = 10
CHECKPOINTS = (1_000, 3_000, 10_000, 30_000, 100_000)
SOURCES = ("yandex", "2gis", "google", "prodoctorov", "napopravka", "site")


def _texts() -> dict[str, list[str]]:
    """Sample texts by sentiment bucket (from the bundled sample's ratings)."""
    buckets: dict[str, list[str]] = {"negative": [], "neutral": [], "positive": []}
    for raw in (ROOT / "samples" / "reviews.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            continue
        rating, text = data.get("rating") if isinstance(data, dict) else None, data.get("text") if isinstance(data, dict) else None
        if isinstance(rating, int) and isinstance(text, str) and text:
            buckets["negative" if rating <= 2 else "neutral" if rating == 3 else "positive"].append(text)
    return buckets


def reviews(n: int, seed: int = 16) -> list[dict]:
    rng, texts = random.Random(seed), _texts()
    out = []
    for i in range(n):
        created = END - timedelta(days=365) + timedelta(seconds=int(365 * 86400 * i / n))
        kind = rng.choices(("positive", "negative", "neutral"), (60, 25, 15))[0]
        rating = {"positive": rng.choice((4, 5)), "negative": rng.choice((1, 2)), "neutral": 3}[kind]
        review = {
            "clinic_id": CLINICS[i % len(CLINICS)], "source": rng.choice(SOURCES), "external_id": f"load-{i}",
            "rating": rating, "text": "" if rng.random() < 0.1 else rng.choice(texts[kind]),
            "author": f"Пациент {i}", "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if rng.random() < 0.2:
            review["reply"] = {"text": "Спасибо за отзыв!", "created_at": (created + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%SZ")}
        out.append(review)
    return out


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main(n: int = 3_000, budget: float | None = None) -> list[dict]:
    from clinic_reviews_local.api_calls import COUNTER
    from clinic_reviews_local.demo_input import default_policy
    from clinic_reviews_local.stack import LocalStack

    data = reviews(n)
    rows: list[dict] = []
    started = time.perf_counter()
    with LocalStack(start=END, parameters={"ChainId": "my-chain"}) as aws:
        aws.put_policy(default_policy(CLINICS))
        slice_start = time.perf_counter()
        COUNTER.reset()
        marks = [c for c in CHECKPOINTS if c <= n] or [n]
        for start in range(0, n, BATCH):
            report = aws.invoke("IntakeFunction", {"reviews": data[start : start + BATCH]})
            assert not report["rejected"] and not report["failed"], report
            done = start + BATCH
            if done in marks or done >= n:
                now = time.perf_counter()
                previous = rows[-1]["reviews"] if rows else 0
                calls = sum(COUNTER.snapshot().values())
                rows.append({
                    "reviews": done,
                    "seconds_per_1000": round((now - slice_start) / (done - previous) * 1000, 1),
                    "aws_calls_per_review": round(calls / (done - previous), 2),
                    "peak_rss_mb": round(_peak_mb(), 1),
                })
                print(json.dumps(rows[-1]), flush=True)
                COUNTER.reset()
                slice_start = now
                if budget is not None and now - started > budget and done < n:
                    print(f"budget of {budget:.0f} s spent after {done} reviews; stopping", flush=True)
                    break
    return rows


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    budget = None
    if "--budget" in sys.argv:
        budget = float(sys.argv[sys.argv.index("--budget") + 1])
        args = [a for a in args if a != sys.argv[sys.argv.index("--budget") + 1]]
    main(int(args[0]) if args else 3_000, budget)
