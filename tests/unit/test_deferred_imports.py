"""moto's EC2 and Batch are not imported by the local stack's start, and still work when asked for
(clinic_reviews_local/deferred_imports.py). Each check runs in a fresh interpreter: this one may have imported them."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

_SETUP = """
import json, os, sys
os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                   "AWS_DEFAULT_REGION": "eu-central-1"})
import boto3
from moto import mock_aws
from clinic_reviews_local import moto_speedups
"""


def _fresh(code: str) -> dict:
    """Run `code` after _SETUP in a new interpreter; it prints one JSON line, returned."""
    done = subprocess.run([sys.executable, "-c", _SETUP + textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_speedups_import_step_functions_and_ssm_without_ec2_or_batch():
    seen = _fresh("""
        with mock_aws(), moto_speedups.install():
            boto3.client("ssm").put_parameter(Name="/p", Value="v", Type="String")
            import moto.stepfunctions.parser.backend.execution_worker  # what the speedups patch
            print(json.dumps({"ssm": "moto.ssm.models" in sys.modules,
                              "sfn": "moto.stepfunctions.parser.asl.component.state.exec.state_task.service."
                                     "state_task_service_batch" in sys.modules,
                              "loaded": sorted(m for m in ("moto.ec2.models", "moto.batch.models") if m in sys.modules)}))
    """)
    assert seen == {"ssm": True, "sfn": True, "loaded": []}


def test_ec2_batch_and_ssm_targets_work_through_the_stand_ins():
    seen = _fresh("""
        from clinic_reviews_local import deferred_imports
        with mock_aws(), deferred_imports.deferred() as installed:
            from moto.ssm.models import ec2_backends as seen_by_ssm  # bound while moto.ec2 was a stand-in
            ec2 = boto3.client("ec2")
            image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
            ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1,
                              TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "role", "Value": "web"}]}])
            ssm = boto3.client("ssm")  # SSM looks the targets up in EC2 through the name it bound
            command = ssm.send_command(DocumentName="AWS-RunShellScript", Parameters={"commands": ["true"]},
                                       Targets=[{"Key": "tag:role", "Values": ["web"]}])["Command"]
            batch = boto3.client("batch").describe_compute_environments()["computeEnvironments"]
            from moto.ec2 import ec2_backends
            print(json.dumps({"installed": installed, "targets": command["TargetCount"], "batch": batch,
                              "later": type(seen_by_ssm).__name__, "real": type(ec2_backends).__name__,
                              "same": seen_by_ssm.resolve() is ec2_backends}))
    """)
    assert seen == {"installed": ["moto.batch", "moto.ec2"], "targets": 1, "batch": [], "later": "Later",
                    "real": "BackendDict", "same": True}


def test_stand_ins_never_used_are_taken_out_on_close():
    seen = _fresh("""
        import moto
        from clinic_reviews_local import deferred_imports
        with deferred_imports.deferred():
            inside = type(sys.modules["moto.batch"]).__name__
        import moto.batch
        print(json.dumps({"inside": inside, "after": type(sys.modules["moto.batch"]).__name__,
                          "backends": type(moto.batch.batch_backends).__name__}))
    """)
    assert seen == {"inside": "DeferredPackage", "after": "module", "backends": "BackendDict"}


def test_what_waits_for_a_module_is_installed_right_after_its_import_and_closed_with_the_block(tmp_path, monkeypatch):
    import importlib
    from contextlib import contextmanager

    from clinic_reviews_local.deferred_imports import when_imported

    (tmp_path / "later_probe_a.py").write_text("VALUE = 1\n")
    (tmp_path / "later_probe_b.py").write_text("VALUE = 2\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    events = []

    def install(name):
        @contextmanager
        def installed():
            events.append(("in", name, sys.modules[name].VALUE))  # the module's own code has run
            yield
            events.append(("out", name))

        return installed

    with when_imported("later_probe_a", install("later_probe_a")), when_imported("later_probe_b", install("later_probe_b")):
        assert events == []  # nothing imported them yet
        importlib.import_module("later_probe_a")
        assert events == [("in", "later_probe_a", 1)]
        with when_imported("later_probe_a", install("later_probe_a")):  # already imported: at once
            assert events[-1] == ("in", "later_probe_a", 1) and len(events) == 2
        assert events[-1] == ("out", "later_probe_a")
    assert events[-1] == ("out", "later_probe_a") and ("in", "later_probe_b", 2) not in events  # b: never installed
    importlib.import_module("later_probe_b")  # after the block: nothing waits any more
    assert ("in", "later_probe_b", 2) not in events
    from clinic_reviews_local import deferred_imports

    assert deferred_imports._after_import not in sys.meta_path and not deferred_imports._after_import.waiting
