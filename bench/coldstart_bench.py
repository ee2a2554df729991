"""Cold start: every handler's import, in a fresh interpreter, against `import boto3` in the same run.

    .venv/bin/python bench/coldstart_bench.py [RUNS]      (or `make bench`; RUNS defaults to 5)

Each import runs in its own new interpreter (`python -I`, nothing cached but the OS's file cache, awscrt
hidden as on Lambda), RUNS times,
interleaved with the `import boto3` baseline so that the machine's load weighs on both alike; the median of
each is reported with their ratio (the goal: at most 1.5 for every handler). The ratio of the imports' CPU
time is printed beside it: on a loaded machine the wall time also counts waiting for a core, and moved by
±0.2x between runs at load 10 on 2 cores where the CPU ratio moved by about ±0.1x (issue 18e). The environment is a Lambda's
(AWS_LAMBDA_FUNCTION_NAME, LAMBDA_TASK_ROOT set) with tracing as the template sets it by default (off).
`make package` uses `import_seconds` to time the built artifacts the same way.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GOAL = 1.5
#: The Lambda runtime has no awscrt (this venv has it for the SAM CLI, and s3transfer would import it).
_TIMER = """
import importlib.abc, sys, time
class NoCrt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("awscrt", "_awscrt"):
            raise ImportError(name)
sys.meta_path.insert(0, NoCrt())
sys.path[:0] = [p for p in sys.argv[2:] if p]
started, cpu = time.perf_counter(), time.process_time()
__import__(sys.argv[1])
print(time.perf_counter() - started, time.process_time() - cpu)
"""


def lambda_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """A Lambda-like environment: region, Powertools' service, the markers Powertools uses to detect Lambda."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TZ", "SYSTEMROOT")}
    return {
        **keep,
        "AWS_DEFAULT_REGION": "eu-central-1",
        "AWS_REGION": "eu-central-1",
        "AWS_LAMBDA_FUNCTION_NAME": "clinic-reviews-coldstart",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "LAMBDA_TASK_ROOT": str(ROOT / "functions"),
        "POWERTOOLS_SERVICE_NAME": "clinic-reviews",
        "POWERTOOLS_METRICS_NAMESPACE": "ClinicReviews",
        **(extra or {}),
    }


def import_times(module: str, python: str = sys.executable, path: list[str] | None = None,
                 env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall, CPU) seconds `import module` takes in a new interpreter (`path` goes first on sys.path)."""
    out = subprocess.run(
        [python, "-I", "-c", _TIMER, module, *(path or [])],
        capture_output=True, text=True, env=env or lambda_environment(), check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"import {module} failed: {out.stderr.strip().splitlines()[-1:]}")
    wall, cpu = out.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def import_seconds(module: str, **options: Any) -> float:
    """Wall seconds `import module` takes in a new interpreter."""
    return import_times(module, **options)[0]


def handlers() -> dict[str, str]:
    """Function logical id -> handler module, from template.yaml."""
    from clinic_reviews.cost.inventory import read_template

    resources = read_template(ROOT / "template.yaml")["Resources"]
    return {
        name: r["Properties"]["Handler"].rpartition(".")[0]
        for name, r in sorted(resources.items()) if r["Type"] == "AWS::Serverless::Function"
    }


Medians = tuple[float, dict[str, float]]  # (`import boto3`, {name: its handler's import})


def measure(modules: dict[str, str], runs: int, **options: Any) -> tuple[Medians, Medians]:
    """Wall and CPU medians, each (`import boto3`, {name: import of its module}), the baseline interleaved with each."""
    baseline: list[tuple[float, float]] = []
    found: dict[str, list[tuple[float, float]]] = {name: [] for name in modules}
    for _ in range(runs):
        for name, module in modules.items():
            baseline.append(import_times("boto3", **options))
            found[name].append(import_times(module, **options))

    def medians(i: int) -> Medians:
        return (statistics.median(t[i] for t in baseline),
                {name: statistics.median(t[i] for t in times) for name, times in found.items()})

    return medians(0), medians(1)


def report(wall: Medians, cpu: Medians, modules: dict[str, str], title: str) -> int:
    """Print each handler's wall time and its ratios (wall, CPU) to `import boto3`; the number over the goal (wall)."""
    (boto3_seconds, medians), (boto3_cpu, cpu_medians) = wall, cpu
    print(f"{title}: import boto3 {boto3_seconds * 1000:.0f} ms wall, {boto3_cpu * 1000:.0f} ms CPU (medians); "
          f"goal: every handler <= {GOAL}x")
    over = 0
    for name, seconds in medians.items():
        ratio = seconds / boto3_seconds
        over += ratio > GOAL
        flag = "" if ratio <= GOAL else "  OVER"
        print(f"  {name:<22} {modules[name]:<42} {seconds * 1000:6.0f} ms  {ratio:4.2f}x  "
              f"(CPU {cpu_medians[name] / boto3_cpu:4.2f}x){flag}")
    print(f"  {len(medians) - over} of {len(medians)} handlers within {GOAL}x of import boto3 (wall)")
    return over


def main() -> dict[str, Any]:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    modules = handlers()
    wall, cpu = measure(modules, runs)
    report(wall, cpu, modules, f"handler imports in fresh interpreters, median of {runs}")
    (boto3_seconds, medians), (boto3_cpu, cpu_medians) = wall, cpu
    return {"boto3_ms": round(boto3_seconds * 1000), "ratios": {k: round(v / boto3_seconds, 2) for k, v in medians.items()},
            "cpu_ratios": {k: round(v / boto3_cpu, 2) for k, v in cpu_medians.items()}}


if __name__ == "__main__":
    main()
