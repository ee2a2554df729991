"""CPU of the local stack's start (`with LocalStack(): pass`), deploying and restoring its snapshot (docs/demo.md).

    nice -n 10 .venv/bin/python bench/start_bench.py [--runs 3]

Each start runs in a fresh interpreter, as `make demo` does, with its own snapshot folder: the first start of a run
deploys template.yaml (no snapshot yet) and writes one, the next ones restore it. Printed: the median
`time.process_time` of each kind (the SAM transform is cached in .cache as usual), their ratio, and the AWS calls
each kind makes (the deploy's through botocore, counted at `before-call`), the snapshot's size.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

_ONE_START = """
import json, sys, time
from pathlib import Path
import botocore.client
from clinic_reviews_local import stack

stack.SNAPSHOTS = Path(sys.argv[1])
calls = []
real = botocore.client.BaseClient._make_api_call
def counted(self, name, params):
    calls.append(name)
    return real(self, name, params)
botocore.client.BaseClient._make_api_call = counted
restoring = any(stack.SNAPSHOTS.glob("*.pickle"))
started = time.process_time()
with stack.LocalStack():
    pass
print(json.dumps({"kind": "restore" if restoring else "deploy", "cpu": time.process_time() - started,
                  "calls": len(calls)}))
"""


def _start(folder: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", _ONE_START, str(folder)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(sys.argv[1:])
    seen: dict[str, list[dict]] = {"deploy": [], "restore": []}
    snapshot_bytes = 0
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            for _ in range(2):  # a deploy, then a restore of what it wrote
                found = _start(Path(folder))
                seen[found["kind"]].append(found)
            snapshot_bytes = sum(p.stat().st_size for p in Path(folder).glob("*.pickle"))
    report = {
        kind: {"cpu_s_median": round(statistics.median(r["cpu"] for r in runs), 3),
               "aws_calls": sorted({r["calls"] for r in runs})}
        for kind, runs in seen.items()
    }
    report["restore_to_deploy_cpu"] = round(report["restore"]["cpu_s_median"] / report["deploy"]["cpu_s_median"], 2)
    report["snapshot_kb"] = round(snapshot_bytes / 1024)
    print(f"start: deploy {report['deploy']['cpu_s_median']} s CPU ({report['deploy']['aws_calls']} calls), "
          f"restore {report['restore']['cpu_s_median']} s ({report['restore']['aws_calls']} calls): "
          f"x{report['restore_to_deploy_cpu']}; snapshot {report['snapshot_kb']} KB")
    return report


if __name__ == "__main__":
    main()
