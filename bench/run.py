"""`make bench`: runs every benchmark module in bench/ and prints what each reports.

A benchmark is a module named `*_bench.py` (or `bench_*.py`) with a `main()` function. Each runs in
its own interpreter (one may pin the CPU, another starts moto), in name order. `main()` prints its
own report; a dict it returns is printed as JSON too, an int is its exit status. Benchmarks are
printed, never asserted: the runner fails only when one crashes.

    .venv/bin/python bench/run.py [NAME ...]     # e.g. `fetch` runs only fetch_bench.py
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

_RUN_ONE = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("bench_module", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
sys.argv = sys.argv[1:2]
result = module.main()
if isinstance(result, dict):
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
sys.exit(result if isinstance(result, int) else 0)
"""


def modules(names: list[str]) -> list[Path]:
    found = sorted({*HERE.glob("*_bench.py"), *HERE.glob("bench_*.py")})
    if names:
        found = [p for p in found if any(n in p.stem for n in names)]
    return found


def main(argv: list[str]) -> int:
    failed = []
    for path in modules(argv):
        print(f"=== {path.name}", flush=True)
        started = time.perf_counter()
        status = subprocess.call([sys.executable, "-c", _RUN_ONE, str(path)], cwd=HERE.parent)
        print(f"=== {path.name}: {'ok' if status == 0 else f'exit {status}'} in {time.perf_counter() - started:.1f}s\n")
        if status:
            failed.append(path.name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
