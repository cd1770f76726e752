# The project's entry points. `make test` and `make test-slow` are what CI runs (.ci/run calls both).
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := .venv/bin/python
PYTEST_FLAGS ?= -q -p no:cacheprovider

.PHONY: help bootstrap postgres lint typecheck test test-fast test-slow test-compat demo demo-stop demo-team bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

bootstrap: ## create .venv and .tools/bin (pinned Pulumi CLI); idempotent
	@bash tools/bootstrap.sh

postgres: bootstrap ## PostgreSQL server binaries for the team tests (apt-get install postgresql when missing; root)
	@$(PY) -m harness.postgres ensure >/dev/null

lint: bootstrap ## ruff
	@.venv/bin/ruff check .

typecheck: bootstrap ## mypy --strict on the product code
	@.venv/bin/mypy

test-fast: bootstrap ## unit and contract tests only (no Pulumi CLI runs)
	@.venv/bin/pytest $(PYTEST_FLAGS) -m "not e2e and not slow"

test: lint typecheck postgres ## lint, types, unit, contract and end-to-end tests (not the slow ones)
	@.venv/bin/pytest $(PYTEST_FLAGS) -m "not slow"

test-slow: postgres ## the slow tests: reliability (faults, killed deploys) and team (concurrency, promotion)
	@.venv/bin/pytest $(PYTEST_FLAGS) -m slow tests/reliability tests/team

test-compat: ## the e2e lifecycle against a second CLI release built from Go (PULUMI_COMPAT_VERSION, default v3.276.0); slow
	@bash tools/test-compat.sh

demo: bootstrap ## start the sandbox and `pulumi up` the example personas into the local `sandbox` stack
	@$(PY) -m harness.demo

demo-stop: ## stop the demo sandbox
	@$(PY) -m harness.demo stop

demo-team: postgres ## PostgreSQL state, dev and prod stacks, promote dev -> prod; removes it all after
	@$(PY) -m harness.demo_team

bench: postgres ## benchmark preview/up/refresh at 10/100/500 personas (file and postgres); BENCHMARKS.md
	@$(PY) -m bench

clean: ## remove local state (the CLI cache outside the checkout is kept)
	rm -rf .demo .bench .tools .mypy_cache .ruff_cache
