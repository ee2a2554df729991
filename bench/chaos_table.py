"""The chaos table: `clinic-reviews chaos` at each fault rate for seeds 1..N, one row per run.

    python bench/chaos_table.py --rates 0.05 0.2 --seeds 10 --jobs 2 --out out/chaos

Each run is the real command (both replays, its own DIR/chaos.json), `--jobs` at a time (a replay waits on
its workflow threads more than it computes). Prints a Markdown table: faults injected, invariants held,
function errors, seconds per replay.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMAND = ROOT / ".venv" / "bin" / "clinic-reviews"


def run(rate: float, seed: int, out: Path, reviews: Path | None) -> dict:
    folder = out / f"rate-{rate}-seed-{seed}"
    argv = [str(COMMAND), "chaos", "--fault-rate", str(rate), "--seed", str(seed), "--out", str(folder)]
    if reviews is not None:
        argv += ["--reviews", str(reviews)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        return {"seed": seed, "fault_rate": rate, "error": done.stderr.strip().splitlines()[-1:]}
    result = json.loads((folder / "chaos.json").read_text(encoding="utf-8"))
    result["exit"] = done.returncode
    return result


def row(result: dict) -> str:
    if "error" in result:
        return f"| {result['fault_rate']} | {result['seed']} | - | error: {result['error']} | | | |"
    verdicts = result["invariants"]
    broken = [name for name, v in verdicts.items() if not v["holds"]]
    errors = sum(result["function_errors"]["faulted"].values())
    return (f"| {result['fault_rate']} | {result['seed']} | {result['faults_injected']} | "
            f"{len(verdicts) - len(broken)}/{len(verdicts)} {'(' + ', '.join(broken) + ')' if broken else ''} | "
            f"{errors} | {result['exit']} | {result['seconds']['fault_free']} / {result['seconds']['faulted']} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", type=float, nargs="+", default=[0.05, 0.2])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--reviews", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "chaos")
    args = parser.parse_args()
    runs = [(rate, seed) for rate in args.rates for seed in range(1, args.seeds + 1)]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(lambda r: run(r[0], r[1], args.out, args.reviews), runs))
    print("| fault rate | seed | faults injected | invariants held | function errors | exit | seconds fault-free / faulted |")
    print("|---|---|---|---|---|---|---|")
    for result in results:
        print(row(result))
    return 0 if all(r.get("exit") == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
