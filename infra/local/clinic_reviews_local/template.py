"""Reading template.yaml and turning it into plain CloudFormation with the SAM translator, offline."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

ARTIFACT_BUCKET = "clinic-reviews-local-artifacts"
CODE_KEY = "functions.zip"


class TemplateError(RuntimeError):
    """The template cannot be read, transformed or deployed locally."""


class _CfnLoader(yaml.SafeLoader):
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


def transform(root: Path, parameters: dict[str, Any]) -> dict[str, Any]:
    """template.yaml of `root`, SAM-transformed into plain CloudFormation."""
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.translator.transform import transform as sam_transform

    template = _localize(load_template(root / "template.yaml"), root)
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
