# duban: the two commands of the quick start are `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/duban

.PHONY: setup demo test test-sqlite test-postgres lint check fuzz fuzz-short bench bench-smoke score

$(BIN)/duban: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(BIN)/duban

ECHARTS := duban/ui/static/vendor/echarts.min.js
ECHARTS_VERSION := 5.6.0

setup: $(BIN)/duban $(ECHARTS)

# ECharts for the dashboard charts, served locally (CSP: self only); pages show tables without it
$(ECHARTS):
	mkdir -p $(dir $@) build/echarts
	cd build/echarts && npm pack --silent echarts@$(ECHARTS_VERSION) >/dev/null && tar -xzf echarts-$(ECHARTS_VERSION).tgz package/dist/echarts.min.js
	cp build/echarts/package/dist/echarts.min.js $@

demo: setup
	$(BIN)/duban demo

lint: setup
	$(BIN)/ruff check duban tests bench fuzz

# static security checks: bandit (no high-severity finding) and Django's deploy checks on production settings
check: setup
	$(BIN)/bandit -q -r duban --severity-level high
	DJANGO_SETTINGS_MODULE=duban.web.settings_production DUBAN_ALLOWED_HOSTS=duban.example.gov.cn \
	  DUBAN_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  $(BIN)/duban check --deploy --fail-level WARNING

fuzz-short: setup
	$(BIN)/python fuzz/fuzz_ingest.py --seconds 60 --derandomize

fuzz: setup
	$(BIN)/python fuzz/fuzz_ingest.py --seconds 3600

test-sqlite: setup
	$(BIN)/pytest

test-postgres: setup
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -m '(django_db or postgres) and not browser'

test: lint check fuzz-short test-sqlite test-postgres bench-smoke

# duban bench --quick on a tiny synthetic province: every figure printed, no submission lost (not timed)
SMOKE := var/bench-smoke
bench-smoke: setup
	rm -rf $(SMOKE) && mkdir -p $(SMOKE)
	DUBAN_HOME=$(SMOKE) $(BIN)/duban migrate -v0
	DUBAN_HOME=$(SMOKE) $(BIN)/duban synth --cities 1 --counties 1 --tasks-per-plan 4 --until 2023-06-30
	DUBAN_HOME=$(SMOKE) $(BIN)/duban bench --quick --check --workdir $(SMOKE)/run

bench: setup
	$(BIN)/python bench/parse_bench.py
	$(BIN)/python bench/page_bench.py

score: setup
	$(BIN)/duban score
