"""The demo's first run and re-run (`clinic-reviews demo`, issue 18: at most 20 s and 5 s on 2 cores): wall time, the
demo process's own CPU, its waits, and Chromium's CPU.

    .venv/bin/python bench/demo_bench.py [--reruns 3] [--fresh]

Each run is `clinic-reviews demo` in a fresh interpreter on the bundled sample, as `make demo` runs it, in a folder of
its own: a first run, then each re-run on a copy of the first run's folder (so every re-run restores the same state).
The project's `.cache` is used as `make demo` uses it; `--fresh` empties it first, as `rm -rf .cache` does, so the
first run deploys and compiles everything (the protocol of docs/demo.md). Printed per run: wall seconds, the demo
process's CPU (all its threads), its waits (wall minus that CPU: Chromium, the process's start and exit), and the CPU
of its finished children (Chromium and playwright's driver; counted once they exit, so it can come out low).
The machine's load average is printed too: wall times mean something only on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_ONE_RUN = """
import json, resource, sys, time
from clinic_reviews.cli import main
status = main(["demo", "--out", sys.argv[1]])
me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"status": status, "cpu": me.ru_utime + me.ru_stime, "children": children.ru_utime + children.ru_stime}))
"""


def _run(out: Path) -> dict:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _ONE_RUN, str(out)], capture_output=True, text=True, cwd=ROOT,
                          check=True)
    wall = time.perf_counter() - started
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return {"wall": round(wall, 2), "cpu": round(found["cpu"], 2), "waits": round(wall - found["cpu"], 2),
            "chromium": round(found["children"], 2), "load": round(os.getloadavg()[0], 1)}


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=3)
    parser.add_argument("--fresh", action="store_true", help="empty .cache first, as `rm -rf .cache` does")
    args = parser.parse_args(sys.argv[1:])
    if args.fresh:
        shutil.rmtree(ROOT / ".cache", ignore_errors=True)
    with tempfile.TemporaryDirectory() as folder:
        first = Path(folder) / "first"
        runs = {"first": _run(first), "reruns": []}
        for number in range(args.reruns):
            again = Path(folder) / f"again-{number}"
            shutil.copytree(first, again)
            runs["reruns"].append(_run(again))
    for kind, found in [("first run", [runs["first"]]), *[("re-run", [r]) for r in runs["reruns"]]]:
        row = found[0]
        print(f"{kind:9}  wall {row['wall']:6.2f} s  demo CPU {row['cpu']:5.2f} s  waits {row['waits']:5.2f} s  "
              f"Chromium CPU {row['chromium']:5.2f} s  (load {row['load']})")
    if runs["reruns"]:
        runs["rerun_median_wall"] = statistics.median(r["wall"] for r in runs["reruns"])
        runs["rerun_median_cpu"] = statistics.median(r["cpu"] for r in runs["reruns"])
        print(f"re-run median: wall {runs['rerun_median_wall']:.2f} s, demo CPU {runs['rerun_median_cpu']:.2f} s "
              "(targets: first run <= 20 s, re-run <= 5 s wall, on a quiet machine)")
    return runs


if __name__ == "__main__":
    main()
