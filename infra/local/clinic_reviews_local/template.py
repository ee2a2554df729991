"""Reading template.yaml and turning it into plain CloudFormation with the SAM translator, offline."""

from __future__ import annotations

import copy
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import yaml

ARTIFACT_BUCKET = "clinic-reviews-local-artifacts"
CODE_KEY = "functions.zip"


class TemplateError(RuntimeError):
    """The template cannot be read, transformed or deployed locally."""


#: libyaml's parser under PyYAML's safe constructors where PyYAML was built with it (the same documents: the
#: pure-Python parser took a fifth of a second per read of template.yaml; tests/unit/test_yaml_loaders.py).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CfnLoader(SAFE_LOADER):
    """YAML with CloudFormation's short-form tags (!Ref, !GetAtt, !Sub, ...)."""


def _construct(tag: str):
    name = "Ref" if tag == "Ref" else ("Condition" if tag == "Condition" else f"Fn::{tag}")

    def construct(loader: yaml.Loader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if tag == "GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {name: value}

    return construct


for _tag in ("Ref", "GetAtt", "Sub", "Join", "If", "Not", "Equals", "And", "Or", "Select", "Split",
             "FindInMap", "Base64", "GetAZs", "ImportValue", "Condition", "Cidr", "ToJsonString"):
    _CfnLoader.add_constructor(f"!{_tag}", _construct(_tag))


def project_root(start: Path | None = None) -> Path:
    """The folder holding template.yaml: from this package's location, else upwards from `start`/cwd."""
    candidates = [Path(__file__).resolve().parents[3]]
    here = (start or Path.cwd()).resolve()
    candidates += [here, *here.parents]
    for folder in candidates:
        if (folder / "template.yaml").is_file() and (folder / "statemachines").is_dir():
            return folder
    raise TemplateError("template.yaml not found: run from the clinic-reviews checkout")


def load_template(path: Path) -> dict[str, Any]:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateError(f"cannot read {path}: {exc}") from exc


def _localize(template: dict[str, Any], root: Path) -> dict[str, Any]:
    """Do what `sam build`/`sam deploy` do to local paths: code to an S3 object, ASL files inlined."""
    template = copy.deepcopy(template)
    globals_fn = template.get("Globals", {}).get("Function", {})
    if "CodeUri" in globals_fn:
        globals_fn["CodeUri"] = f"s3://{ARTIFACT_BUCKET}/{CODE_KEY}"
    for logical_id, resource in template.get("Resources", {}).items():
        props = resource.get("Properties", {})
        if resource.get("Type") == "AWS::Serverless::Function" and isinstance(props.get("CodeUri"), str):
            props["CodeUri"] = f"s3://{ARTIFACT_BUCKET}/{CODE_KEY}"
        if resource.get("Type") == "AWS::Serverless::LayerVersion" and isinstance(props.get("ContentUri"), str):
            props["ContentUri"] = f"s3://{ARTIFACT_BUCKET}/{CODE_KEY}"  # locally the venv provides the layer
        if resource.get("Type") == "AWS::Serverless::StateMachine" and isinstance(props.get("DefinitionUri"), str):
            asl_path = root / props.pop("DefinitionUri")
            try:
                props["Definition"] = json.loads(asl_path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise TemplateError(f"{logical_id}: cannot read {asl_path}: {exc}") from exc
    return template


class _NoManagedPolicies:
    """The translator's managed-policy lookup, offline: SAM still resolves its built-in policies."""

    def load(self) -> dict[str, str]:
        return {}


def transform(root: Path, parameters: dict[str, Any], cache: Path | None = None) -> dict[str, Any]:
    """template.yaml of `root`, SAM-transformed into plain CloudFormation.

    With `cache` (a folder), the result is kept there under a hash of everything it is made from: the
    template with its ASL files inlined, the parameters, the region and the translator's version. A change
    to any of them is another key, so a kept result is never stale; a miss transforms and keeps.
    """
    template = _localize(load_template(root / "template.yaml"), root)
    if cache is None:
        return _sam_transform(template, parameters)
    from importlib.metadata import version

    inputs = [template, parameters, os.environ.get("AWS_DEFAULT_REGION"), version("aws-sam-translator")]
    key = hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()
    kept = cache / f"{key}.json"
    try:
        return json.loads(kept.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    result = _sam_transform(template, parameters)
    cache.mkdir(parents=True, exist_ok=True)
    partial = kept.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(result), encoding="utf-8")
    partial.replace(kept)  # whole or not at all, whoever else is writing it
    return json.loads(kept.read_text(encoding="utf-8"))


def _sam_transform(template: dict[str, Any], parameters: dict[str, Any]) -> dict[str, Any]:
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.translator.transform import transform as sam_transform

    try:
        return sam_transform(template, parameters, _NoManagedPolicies())
    except InvalidDocumentException as exc:
        causes = "; ".join(str(cause) for cause in getattr(exc, "causes", [])) or str(exc)
        raise TemplateError(f"SAM transform failed: {causes}") from exc


def main(argv: list[str] | None = None) -> int:
    """`python -m clinic_reviews_local.template OUT.json`: the SAM-transformed template (what checkov reads)."""
    import os
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m clinic_reviews_local.template OUT.json", file=sys.stderr)
        return 2
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
    out = Path(args[0])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(transform(project_root(), {"SenderEmail": "reviews@example.com"}), indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
