# clinic-reviews: the two commands of the README, and the rest.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out/demo
STAMP  := $(VENV)/.installed
export SAM_CLI_TELEMETRY=0

.PHONY: demo test install lint bench eval clean console

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## The whole system locally on the bundled sample: writes $(OUT)/digest.html and friends.
demo: $(STAMP)
	$(BIN)/clinic-reviews demo --out $(OUT)

## Unit, integration (template.yaml deployed into moto) and lint checks.
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/cfn-lint template.yaml
	$(BIN)/sam validate --lint --region eu-central-1
	$(BIN)/ruff check functions infra tests bench

## Benchmarks: API calls per review, throughput, render times (printed, never asserted).
bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
