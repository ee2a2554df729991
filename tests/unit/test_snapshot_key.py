"""The local stack's snapshot is keyed by everything that decides a deploy, and the folder keeps the newest few
(clinic_reviews_local/snapshot.py; tests/integration/test_local_stack_snapshot.py restores one)."""

from __future__ import annotations

import os

from clinic_reviews_local import snapshot

TEMPLATE = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 30}}}}


def test_template_parameters_name_and_code_each_change_the_key(tmp_path):
    code = tmp_path / "deployer.py"
    code.write_text("print('deploy')\n")
    key = snapshot.snapshot_key(TEMPLATE, {"Stage": "local"}, "s", [code])
    assert snapshot.snapshot_key(TEMPLATE, {"Stage": "local"}, "s", [code]) == key
    other = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 31}}}}
    assert snapshot.snapshot_key(other, {"Stage": "local"}, "s", [code]) != key
    assert snapshot.snapshot_key(TEMPLATE, {"Stage": "prod"}, "s", [code]) != key
    assert snapshot.snapshot_key(TEMPLATE, {"Stage": "local"}, "t", [code]) != key
    code.write_text("print('deploy differently')\n")
    assert snapshot.snapshot_key(TEMPLATE, {"Stage": "local"}, "s", [code]) != key


def test_the_key_reads_the_local_stack_code_the_secrets_initialization_and_the_library_versions(monkeypatch):
    names = {path.name for path in snapshot.sources()}
    assert {"deployer.py", "resolver.py", "stack.py", "iam.py", "snapshot.py", "stack_secrets.py"} <= names
    import moto

    assert f"moto-{moto.__version__}.dist-info" in snapshot.installed()
    key = snapshot.snapshot_key(TEMPLATE, {}, "s")
    monkeypatch.setattr(snapshot, "installed", lambda: ["moto-9.9.9.dist-info"])
    assert snapshot.snapshot_key(TEMPLATE, {}, "s") != key


def test_a_save_keeps_only_the_newest_snapshots(tmp_path, monkeypatch):
    monkeypatch.setattr(snapshot, "moto_backends", lambda: {})
    store = snapshot.Snapshots(tmp_path)
    for index in range(snapshot.KEEP + 2):
        store.save(f"k{index}", {"n": index})
        os.utime(tmp_path / f"k{index}.pickle", (index, index))  # distinct ages, oldest first
    store.save("last", {"n": "last"})
    kept = sorted(p.stem for p in tmp_path.glob("*.pickle"))
    assert len(kept) == snapshot.KEEP and "last" in kept and "k0" not in kept and "k1" not in kept
    assert not list(tmp_path.glob("*.tmp"))
    assert store.restore("last") == {"n": "last"} and store.restore("k0") is None
