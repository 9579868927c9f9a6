# The two commands of the README, and the checks CI runs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test check lint typecheck layers unit format openapi benchmarks vendor-assets messages clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

## Set everything up, build the demo region in SQLite and serve http://127.0.0.1:8000
demo: $(VENV)/.installed
	$(BIN)/sidestream demo

## Set everything up and pass every check and test (SQLite and PostgreSQL)
test: check unit

check: lint typecheck layers

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(VENV)/.installed
	$(BIN)/mypy

layers: $(VENV)/.installed
	$(BIN)/lint-imports

unit: $(VENV)/.installed
	$(BIN)/pytest

format: $(VENV)/.installed
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

## Rewrite docs/reference/openapi.json from the API (a test fails while it differs)
openapi: $(VENV)/.installed
	$(BIN)/python -m tests.docs.test_openapi

## Speed, memory and accuracy figures (see benchmarks/README.md)
benchmarks: $(VENV)/.installed
	$(BIN)/python -m benchmarks.matching_speed
	$(BIN)/python -m benchmarks.prospecting_accuracy
	$(BIN)/python -m benchmarks.allocation_speed
	$(BIN)/python -m benchmarks.network_design_speed
	$(BIN)/python -m benchmarks.web_load

## Re-fetch the vendored browser libraries from npm at their pinned versions
vendor-assets:
	bash scripts/update_vendor_assets.sh

LOCALES := src/sidestream/entrypoints/web/locales

## Extract the pages' English text and merge it into the Finnish catalogue (then translate it)
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k gettext_noop -k add:2 -k fail:2 -k single:2 \
		-k field_error:2 -k phrase -k Forbidden \
		-k Conflict -k ProblemKind:3 --no-location --sort-output \
		--project sidestream -o $(LOCALES)/sidestream.pot .
	$(BIN)/pybabel update -i $(LOCALES)/sidestream.pot -d $(LOCALES) -D sidestream -l fi \
		--no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .import_linter_cache
