"""The month's real bill from Cost Explorer, for the monthly report beside the estimate (docs/cost.md).

Only where the stack runs on AWS, with `CostExplorer=true` (the template parameter, which also grants
ce:GetCostAndUsage) and the stack tag `clinic-reviews:stack=<Stage>` activated as a cost allocation tag.
One request a month ($0.01). A failure is logged and the report goes out without the figure.
"""

from __future__ import annotations

from datetime import date

TAG = "clinic-reviews:stack"


def month_cost(ce_client, first: date, stage: str) -> float:
    """Unblended cost in USD of everything tagged with this stack, for the month starting at `first`."""
    end = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    answer = ce_client.get_cost_and_usage(
        TimePeriod={"Start": first.isoformat(), "End": end.isoformat()},
        Granularity="MONTHLY",
        Metrics=["UnblendedCost"],
        Filter={"Tags": {"Key": TAG, "Values": [stage], "MatchOptions": ["EQUALS"]}},
    )
    return sum(float(r["Total"]["UnblendedCost"]["Amount"]) for r in answer["ResultsByTime"])
