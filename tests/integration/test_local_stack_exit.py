"""A process that ran the local stack leaves its objects to the OS at exit (stack.py `_freeze_at_exit`): the
interpreter's last collection would walk them all (1.1 s after a demo)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import atexit, gc, sys
seen = {}
atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > seen["before"] + 10_000))  # runs last
from clinic_reviews_local.stack import LocalStack
if sys.argv[1] == "stack":
    with LocalStack():
        pass
seen["before"] = gc.get_freeze_count()  # what the imports froze themselves (boto3's objects: clients.py)
"""


def _run(kind: str) -> str:
    done = subprocess.run([sys.executable, "-c", PROBE, kind], capture_output=True, text=True, timeout=300, check=True)
    return done.stdout


def test_the_objects_are_frozen_at_exit_only_after_a_stack_ran():
    assert "frozen at exit: True" in _run("stack")
    assert "frozen at exit: False" in _run("none")
