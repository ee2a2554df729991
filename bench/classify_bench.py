"""Classifier benchmark: reviews per second on one core and the Lambda-style cold start.

    .venv/bin/python bench/classify_bench.py [--reviews 20000]     (or: make bench)

Throughput runs the development set (tests/data/classification_dev.jsonl) repeated to ~20,000 reviews,
language left to detection, in one thread pinned to one CPU where the OS allows. It is counted per
second of this process's CPU time (what one core delivers, whatever else the machine runs) and per
wall-clock second, twice: with empty lemma caches (the first pass meets every word for the first
time) and warm. Cold start is measured in fresh interpreters (best of five): importing the package and
classifying one Russian review, which loads the pymorphy3 dictionaries.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "tests" / "data" / "classification_dev.jsonl"
COLD = (
    "import time; w, c = time.perf_counter(), time.process_time(); "
    "from clinic_reviews.domain.classification import classify; "
    "classify('Администратор нахамила, ждали приёма больше часа', None); "
    "print(time.perf_counter() - w, time.process_time() - c)"
)


def _pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to CPU {core}"
    return "not pinned"


def _cold_start(runs: int = 5) -> tuple[float, float]:
    """Best of `runs` fresh interpreters: (wall seconds, CPU seconds) for import + first classify."""
    best = (float("inf"), float("inf"))
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", COLD], capture_output=True, text=True, check=True).stdout
        wall, cpu = (float(x) for x in out.split())
        best = (min(best[0], wall), min(best[1], cpu))
    return best


def _throughput(texts: list[tuple[str, float | None]]) -> str:
    from clinic_reviews.domain.classification import classify

    cpu, wall = time.process_time(), time.perf_counter()
    for text, rating in texts:
        classify(text, rating)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return f"{len(texts) / cpu:,.0f} reviews per CPU-second ({len(texts) / wall:,.0f} per wall-clock second)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=20_000)
    args = parser.parse_args(argv)

    wall, cpu = _cold_start()
    print(f"cold start (import + first classify): {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU")

    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [(row["text"], row["rating"]) for row in rows]
    repeated = (texts * (args.reviews // len(texts) + 1))[: args.reviews]
    print(f"{len(repeated)} reviews ({len(rows)} distinct, dev set), {_pin_to_one_core()}")

    from clinic_reviews.domain.classification.morphology import en_stem, ru_lemmas
    from clinic_reviews.domain.classification.tokens import _word_specs, ru_keys

    _throughput(texts[:1])  # load the dictionaries outside the timing
    for cache in (ru_lemmas, ru_keys, en_stem, _word_specs):
        cache.cache_clear()
    print(f"first pass over the dev set, empty lemma caches: {_throughput(texts)}")
    print(f"throughput, one core: {_throughput(repeated)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
