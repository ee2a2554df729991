"""The local stack keeps SAM-transformed templates between runs under a hash of their inputs: a kept one is
the translator's own output, and any change to the template, an ASL file or a parameter is a new one."""

from __future__ import annotations

import os
import shutil
from unittest import mock

from clinic_reviews_local.template import project_root, transform


def _copy_of_project(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(project_root() / "template.yaml", root / "template.yaml")
    shutil.copytree(project_root() / "statemachines", root / "statemachines")
    return root


def test_a_kept_transform_is_the_translators_and_a_change_makes_a_new_one(tmp_path):
    root, cache = _copy_of_project(tmp_path), tmp_path / "cache"
    params = {"SenderEmail": "a@b.example"}
    with mock.patch.dict(os.environ, {"AWS_DEFAULT_REGION": "eu-central-1"}):
        fresh = transform(root, params)
        assert transform(root, params, cache=cache) == fresh
        assert transform(root, params, cache=cache) == fresh  # read back
        assert len(list(cache.iterdir())) == 1

        assert transform(root, {"SenderEmail": "c@d.example"}, cache=cache) == fresh  # SAM keeps the Ref
        assert len(list(cache.iterdir())) == 2  # but other parameters are another key
        asl = next((root / "statemachines").glob("*.asl.json"))
        asl.write_text(asl.read_text(encoding="utf-8").replace('"Comment": "', '"Comment": "changed ', 1), encoding="utf-8")
        changed_asl = transform(root, params, cache=cache)
        assert changed_asl != fresh and changed_asl == transform(root, params)

        template = root / "template.yaml"
        template.write_text(template.read_text(encoding="utf-8").replace("    Timeout: 30", "    Timeout: 31", 1),
                            encoding="utf-8")
        changed_template = transform(root, params, cache=cache)
        assert changed_template == transform(root, params) and changed_template != changed_asl
        assert len(list(cache.iterdir())) == 4  # one per distinct input, nothing half-written left
