# clinic-reviews: the two commands of the README, and the rest.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out/demo
STAMP  := $(VENV)/.installed
BROWSER_STAMP := $(VENV)/.browser
CHROMIUM ?= /usr/bin/chromium
export SAM_CLI_TELEMETRY=0

.PHONY: demo test install lint checkov bench eval train clean console browser cost-measure package chaos-table

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Headless Chromium for the browser tests and the demo's screenshot: Debian's chromium (apt-get, only
## when $(CHROMIUM) is missing) and the pinned playwright of the `browser` extra. It never fails the
## build: without a browser the browser tests skip saying why, and the demo says it took no screenshot.
browser: $(BROWSER_STAMP)
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "browser: installing Debian's chromium"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "browser: could not install Debian's chromium with apt-get; browser tests will be skipped"; \
	fi

$(BROWSER_STAMP): $(STAMP) pyproject.toml
	@$(BIN)/python -m pip install --quiet -e ".[browser]" && touch $@ \
	  || echo "browser: could not install playwright (the browser extra); browser tests will be skipped"

## The whole system locally on the bundled sample: writes $(OUT)/digest.html and friends.
demo: $(STAMP) browser
	$(BIN)/clinic-reviews demo --out $(OUT)

## The case console on the demo's state (run `make demo` first): http://127.0.0.1:$(CONSOLE_PORT)/console,
## demo users listed on start; Ctrl-C saves the state and writes $(OUT)/next-digest.html (docs/cases.md).
CONSOLE_PORT ?= 8480
console: $(STAMP)
	$(BIN)/python -m clinic_reviews_local.console --out $(OUT) --port $(CONSOLE_PORT)

## Unit, integration (template.yaml deployed into moto), browser (headless Chromium) and lint checks;
## --unused-grants fails the run when template.yaml grants a function an action no integration test used.
test: $(STAMP) browser
	$(BIN)/python -m pytest -n 2 --dist loadfile --unused-grants

lint: $(STAMP) checkov
	$(BIN)/cfn-lint template.yaml
	$(BIN)/sam validate --lint --region eu-central-1
	$(BIN)/ruff check functions infra tests bench

## checkov on the SAM-transformed template (skips and their reasons: .checkov.yaml). Its own venv: checkov
## pins dependencies (boto3, pydantic, ...) that the project's would conflict with.
CHECKOV_VERSION := 3.3.30
CHECKOV_VENV    := .venv-checkov
CHECKOV_STAMP   := $(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION)

$(CHECKOV_STAMP):
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet checkov==$(CHECKOV_VERSION)
	touch $@

checkov: $(STAMP) $(CHECKOV_STAMP)
	$(BIN)/python -m clinic_reviews_local.template out/checkov/template.json
	$(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml -f out/checkov/template.json

## Benchmarks: API calls per review, throughput, render times (printed, never asserted).
bench: $(STAMP)
	$(BIN)/python bench/run.py

## The text model from the committed data (data/, docs/classifier-model.md): scikit-learn in the venv only.
train: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[train]"
	$(BIN)/python bench/train.py

## What `clinic-reviews cost` reads: the calls, units and invocations per review, poll, digest and report measured
## on the embedded AWS (functions/clinic_reviews/cost/measured.json, about 3 minutes) and the resources of
## template.yaml (inventory.json). Commit both after changing the template or what a function calls.
## `clinic-reviews chaos` on the bundled sample at 0.05 and 0.2 for seeds 1-10 (about 20 min on 2 cores):
## the table of docs/nothing-lost.md.
chaos-table: $(STAMP)
	$(BIN)/python bench/chaos_table.py --rates 0.05 0.2 --seeds 10 --jobs 2 --out out/chaos

cost-measure: $(STAMP)
	$(BIN)/python bench/cost_bench.py --write
	$(BIN)/python -m clinic_reviews.cost.inventory

## `sam build` (Python 3.12 from pyenv or PATH, nothing installed; the layers from pip's arm64 wheels), then the
## size of every function and layer unzipped and zipped, what they must not hold, and each packaged handler's
## import time against `import boto3` (infra/package.py), PACKAGE_RUNS runs each (CI runs the default).
PACKAGE_RUNS ?= 5
package: $(STAMP)
	$(BIN)/python infra/package.py --runs $(PACKAGE_RUNS)

## Classifier on held-out labelled data (NHS test split; Russian set when present): rules, model and
## combined, chain-adaptation gain, throughput, cold start and the Lambda package size.
eval: $(STAMP)
	$(BIN)/python bench/eval.py

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) out .pytest_cache .hypothesis
