# Front door of the credit-management backend. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv from PATH, else a private copy installed from PyPI into .tools/
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
PYTEST_ARGS ?=

# apt needs root: sudo when not root
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Node.js projects with a package-lock.json: the official AsyncAPI parser (a contract test runs
# it) and the example agency client (the end-to-end suite runs it). `npm ci` installs exactly
# the locked versions; install scripts are not run.
NODE_PROJECTS := tools/asyncapi-validate deploy/examples/agency-client
NODE_STAMPS := $(addsuffix /node_modules/.package-lock.json,$(NODE_PROJECTS))

.PHONY: help install node-install run test lint typecheck unit e2e bench letters contracts clean browsers console

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(CURDIR)/.tools/bin/uv:
	python3 -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/pip install --quiet "uv>=0.5"

install: $(UV) ## install Python and every package of the workspace into .venv
	$(UV) sync --frozen --all-packages --python 3.11

node-install: $(NODE_STAMPS) ## install the Node.js tools from their lockfiles (npm ci)

%/node_modules/.package-lock.json: %/package-lock.json %/package.json
	@command -v npm >/dev/null || { echo "Node.js 20 and npm are needed for $*"; exit 1; }
	cd $* && npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

contracts: install ## regenerate the event schemas, golden samples and deploy/asyncapi.json
	$(UV) run --frozen python -m contracts.schemas --write

run: install ## start the whole system locally (broker, SMTP sink, four services, ops console on :8000); Ctrl-C stops it
	$(UV) run --frozen devstack run $(RUN_ARGS)

lint: install ## ruff
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

typecheck: install console ## mypy --strict, tsc (the ops console)
	$(UV) run --frozen mypy shared/eventkit/src shared/contracts/src shared/devstack/src services/*-service/src
	npm --prefix services/ops-console run --silent typecheck

browsers: ## Debian's Chromium and ChromeDriver for the browser tests (apt, only when missing)
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then :; else \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
			--no-install-recommends chromium chromium-driver fonts-dejavu-core; fi

console: install ## build the ops console from its lockfile (npm ci and vite build only when needed)
	$(UV) run --frozen devstack build-console

test: lint typecheck browsers console node-install ## lint, type-check and run the whole test suite
	$(UV) run --frozen pytest -q $(PYTEST_ARGS)

unit: install node-install ## the tests without the end-to-end ones
	$(UV) run --frozen pytest -q --ignore=tests/e2e $(PYTEST_ARGS)

e2e: install node-install ## the end-to-end tests (real processes, real broker)
	$(UV) run --frozen pytest -q tests/e2e $(PYTEST_ARGS)

bench: install ## benchmarks (figures and ratios printed)
	$(UV) run --frozen python -m bench

letters: install ## every legal pack × step × language as e-mail text and PDF in .data/letters (index.html)
	$(UV) run --frozen python -m gallery --out .data/letters

clean: ## remove local data, caches and the virtualenv
	rm -rf .data .venv .tools .mypy_cache .ruff_cache .pytest_cache $(addsuffix /node_modules,$(NODE_PROJECTS))
