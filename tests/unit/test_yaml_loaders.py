"""template.yaml is read with libyaml's parser (PyYAML's C extension) where PyYAML has it: the documents are the
ones PyYAML's own pure-Python parser gives, with the same CloudFormation tag constructors."""

from __future__ import annotations

import pytest
import yaml
from clinic_reviews.cost import inventory
from clinic_reviews_local import template

TEMPLATE = template.project_root() / "template.yaml"


def _pure_python_twin(loader: type) -> type:
    """PyYAML's pure-Python SafeLoader with the same CloudFormation tags (`!Ref`, ...) added."""
    twin = type("PureTwin", (yaml.SafeLoader,), {})
    for tag, construct in loader.yaml_constructors.items():
        if tag and tag.startswith("!"):
            twin.add_constructor(tag, construct)
    for prefix, construct in loader.yaml_multi_constructors.items():
        if prefix.startswith("!"):
            twin.add_multi_constructor(prefix, construct)
    return twin


@pytest.mark.parametrize("loader, read", [
    (template._CfnLoader, template.load_template),
    (inventory._Loader, inventory.read_template),
], ids=["local stack", "cost inventory"])
def test_the_template_reads_as_pure_python_pyyaml_reads_it(loader, read):
    expected = yaml.load(TEMPLATE.read_text(encoding="utf-8"), Loader=_pure_python_twin(loader))
    assert read(TEMPLATE) == expected
    assert expected["Resources"]["IntakeFunction"]["Properties"]["Environment"]  # tags and all were read


def test_libyaml_is_used_when_pyyaml_has_it():
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML was built without libyaml here")
    assert issubclass(template._CfnLoader, yaml.CSafeLoader)
    assert issubclass(inventory._Loader, yaml.CSafeLoader)
