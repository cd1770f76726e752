# The project's entry points. `make test` is what CI runs (.ci/run calls it).
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := .venv/bin/python
PYTEST_FLAGS ?= -q -p no:cacheprovider

.PHONY: help bootstrap lint typecheck test test-fast test-slow demo demo-stop bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

bootstrap: ## create .venv and .tools/bin (pinned Pulumi CLI); idempotent
	@bash tools/bootstrap.sh

lint: bootstrap ## ruff
	@.venv/bin/ruff check .

typecheck: bootstrap ## mypy --strict on the product code
	@.venv/bin/mypy

test-fast: bootstrap ## unit and contract tests only (no Pulumi CLI runs)
	@.venv/bin/pytest $(PYTEST_FLAGS) -m "not e2e"

test: lint typecheck ## everything CI runs: lint, types, unit, contract and end-to-end tests
	@.venv/bin/pytest $(PYTEST_FLAGS)

demo: bootstrap ## start the sandbox and `pulumi up` the example personas into the local `sandbox` stack
	@$(PY) -m harness.demo

demo-stop: ## stop the demo sandbox
	@$(PY) -m harness.demo stop

bench: bootstrap ## benchmark preview/up/refresh at 10/100/500 personas; writes BENCHMARKS.md
	@$(PY) -m bench

clean: ## remove local state (the CLI cache outside the checkout is kept)
	rm -rf .demo .bench .tools .mypy_cache .ruff_cache
