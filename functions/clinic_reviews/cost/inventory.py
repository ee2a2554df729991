"""The stack's billable resources, counted from template.yaml as `sam deploy` creates them with the
parameters' defaults (conditions evaluated), and kept as inventory.json beside this module for the
deployed report function, which has no template. `python -m clinic_reviews.cost.inventory` rewrites it;
a unit test fails when it no longer matches template.yaml.
"""

from __future__ import annotations

import calendar
import json
import re
import sys
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

SNAPSHOT = Path(__file__).with_name("inventory.json")


class InventoryError(ValueError):
    """template.yaml holds something the inventory cannot count."""


@dataclass(frozen=True)
class Schedule:
    name: str  # function.event
    function: str
    expression: str
    per_month: float  # runs in an average month
    hours_per_month: float  # hours of the month in which it runs at least once


@dataclass(frozen=True)
class Inventory:
    functions: dict[str, dict[str, Any]]  # logical id -> {"memory_mb", "architecture"}
    secrets: int
    kms_keys: int
    alarm_metrics: int
    alarms: int
    dashboards: int
    state_machines: int
    schedules: list[Schedule] = field(default_factory=list)
    tables_with_pitr: int = 0
    sqs_event_sources: int = 0  # Lambda polls each queue even when it is empty
    tracing: bool = True

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Inventory:
        return cls(**{**data, "schedules": [Schedule(**s) for s in data.get("schedules", [])]})


# ---------------------------------------------------------------- reading the template
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser where PyYAML has it
    """CloudFormation's short tags (!Ref X, !If [...]) read as their long forms ({"Ref": X}, {"Fn::If": [...]})."""


def _tagged(loader: _Loader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}": value}


_Loader.add_multi_constructor("!", _tagged)


def read_template(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)


class _Defaults:
    """Parameters at their defaults and the conditions they make true."""

    def __init__(self, template: dict[str, Any]):
        self.parameters = {k: v.get("Default", "") for k, v in (template.get("Parameters") or {}).items()}
        self._conditions = template.get("Conditions") or {}

    def value(self, node: Any) -> Any:
        if isinstance(node, dict) and "Ref" in node and node["Ref"] in self.parameters:
            return self.parameters[node["Ref"]]
        return node

    def holds(self, condition: Any) -> bool:
        if isinstance(condition, str):
            return self.holds(self._conditions[condition])
        (op, args), = condition.items()
        if op == "Condition":
            return self.holds(args)
        if op == "Fn::Equals":
            return str(self.value(args[0])) == str(self.value(args[1]))
        if op == "Fn::Not":
            return not self.holds(args[0])
        if op == "Fn::And":
            return all(self.holds(a) for a in args)
        if op == "Fn::Or":
            return any(self.holds(a) for a in args)
        raise InventoryError(f"condition {op} is not understood")


# ---------------------------------------------------------------- schedules
_FIELDS = ((0, 59), (0, 23), (1, 31), (1, 12), (1, 7))  # minutes, hours, day of month, month, day of week
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}


def _values(text: str, low: int, high: int) -> set[int] | None:
    """One cron field as the set of values it matches; None for `*`/`?` (everything)."""
    if text in ("*", "?"):
        return None
    found: set[int] = set()
    for part in text.upper().split(","):
        for name, number in _DAYS.items():
            part = part.replace(name, str(number))
        base, _, step = part.partition("/")
        if base == "*":
            start, end = low, high
        elif "-" in base:
            start, end = (int(x) for x in base.split("-"))
        else:
            start = int(base)
            end = high if step else start
        found.update(range(start, end + 1, int(step or 1)))
    if not found or min(found) < low or max(found) > high:
        raise InventoryError(f"cron field {text!r} is out of range")
    return found


def runs_per_month(expression: str) -> tuple[float, float]:
    """How often an EventBridge schedule expression fires in an average month (over a non-leap year), and in
    how many hours of it."""
    rate = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)", expression.strip())
    if rate:
        minutes = int(rate[1]) * {"m": 1, "h": 60, "d": 1440}[rate[2][0]]
        runs = 365 * 1440 / minutes / 12
        return runs, min(runs, 365 * 24 / 12)
    cron = re.fullmatch(r"cron\((.+)\)", expression.strip())
    if not cron or len(cron[1].split()) != 6:
        raise InventoryError(f"schedule expression {expression!r} is not understood")
    try:
        minutes, hours, days, months, weekdays = (
            _values(text, *bounds) for text, bounds in zip(cron[1].split()[:5], _FIELDS)
        )
    except ValueError as exc:
        raise InventoryError(f"schedule expression {expression!r}: {exc}") from None
    per_hour = len(minutes or range(60))
    hours_a_day = len(hours or range(24))
    days_fired = 0
    for month in range(1, 13):
        for day in range(1, calendar.monthrange(2027, month)[1] + 1):
            weekday = date(2027, month, day).isoweekday() % 7 + 1  # cron: 1 = Sunday
            if (months is None or month in months) and (days is None or day in days) and (
                weekdays is None or weekday in weekdays
            ):
                days_fired += 1
    return days_fired * hours_a_day * per_hour / 12, days_fired * hours_a_day / 12


# ---------------------------------------------------------------- counting
def _alarm_metrics(properties: dict[str, Any]) -> int:
    """Alarm metrics as CloudWatch bills them: a metric-math alarm pays for every metric it reads."""
    if "Metrics" in properties:
        return sum(1 for m in properties["Metrics"] if "MetricStat" in m)
    return 1


def count(template: dict[str, Any]) -> Inventory:
    defaults = _Defaults(template)
    globals_ = (template.get("Globals") or {}).get("Function") or {}
    resources = {
        name: r for name, r in (template.get("Resources") or {}).items()
        if "Condition" not in r or defaults.holds(r["Condition"])
    }

    def of(kind: str) -> dict[str, dict[str, Any]]:
        return {name: r.get("Properties") or {} for name, r in resources.items() if r["Type"] == kind}

    functions, schedules, sqs_event_sources = {}, [], 0
    for name, p in sorted(of("AWS::Serverless::Function").items()):
        architecture = (p.get("Architectures") or globals_.get("Architectures") or ["x86_64"])[0]
        functions[name] = {"memory_mb": int(p.get("MemorySize", globals_.get("MemorySize", 128))),
                           "architecture": architecture}
        for event_name, event in sorted((p.get("Events") or {}).items()):
            if event["Type"] in ("Schedule", "ScheduleV2"):
                expression = str(defaults.value(event["Properties"]["ScheduleExpression"]))
                runs, hours = runs_per_month(expression)
                schedules.append(Schedule(f"{name}.{event_name}", name, expression, round(runs, 2), round(hours, 2)))
            sqs_event_sources += event["Type"] == "SQS"
    alarms = of("AWS::CloudWatch::Alarm")
    tables = of("AWS::DynamoDB::Table")
    return Inventory(
        functions=functions,
        secrets=len(of("AWS::SecretsManager::Secret")),
        kms_keys=len(of("AWS::KMS::Key")),
        alarm_metrics=sum(_alarm_metrics(p) for p in alarms.values()),
        alarms=len(alarms),
        dashboards=len(of("AWS::CloudWatch::Dashboard")),
        state_machines=len(of("AWS::Serverless::StateMachine")) + len(of("AWS::StepFunctions::StateMachine")),
        schedules=schedules,
        tables_with_pitr=sum(
            1 for p in tables.values()
            if (p.get("PointInTimeRecoverySpecification") or {}).get("PointInTimeRecoveryEnabled")
        ),
        sqs_event_sources=sqs_event_sources,
        tracing=str(defaults.value(globals_.get("Tracing", ""))).lower() == "active",
    )


def from_template(path: Path) -> Inventory:
    return count(read_template(path))


def template_path() -> Path | None:
    """template.yaml of the checkout this package runs from, if it does (not in a Lambda package)."""
    candidate = Path(__file__).resolve().parents[3] / "template.yaml"
    return candidate if candidate.is_file() else None


def current() -> Inventory:
    """From template.yaml where there is one, else the snapshot packaged with the code."""
    path = template_path()
    if path is not None:
        return from_template(path)
    return Inventory.from_json(json.loads(SNAPSHOT.read_text(encoding="utf-8")))


def write_snapshot(path: Path = SNAPSHOT) -> Inventory:
    source = template_path()
    if source is None:
        raise InventoryError("template.yaml not found: run from the clinic-reviews checkout")
    inventory = from_template(source)
    path.write_text(json.dumps(inventory.to_json(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return inventory


if __name__ == "__main__":
    written = write_snapshot()
    print(f"{SNAPSHOT}: {len(written.functions)} functions, {written.secrets} secrets, {written.kms_keys} KMS keys, "
          f"{written.alarm_metrics} alarm metrics", file=sys.stderr)
