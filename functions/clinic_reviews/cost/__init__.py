"""What the stack costs a chain a month: list prices (prices.py), the stack's billable resources counted from
template.yaml (inventory.py), the AWS calls the code makes per review as measured by `make cost-measure`
(measured.json) and the arithmetic that joins them (estimate.py). docs/cost.md."""
