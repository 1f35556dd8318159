# duban: the two commands of the quick start are `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/duban
PORT ?= 8000

.PHONY: setup demo port-free test test-sqlite test-postgres lint check fuzz fuzz-short bench bench-smoke score newcomer

# pip's own progress (no -q): the first install takes minutes
$(BIN)/duban: pyproject.toml
	@echo "== 建虚拟环境 $(VENV) 并安装依赖（首次需要几分钟）"
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --progress-bar on --upgrade pip
	$(BIN)/pip install --progress-bar on -e '.[dev]'
	touch $(BIN)/duban

ECHARTS := duban/ui/static/vendor/echarts.min.js
ECHARTS_VERSION := 5.6.0
NO_CHARTS := 调度台的图表改为表格显示（装好 Node.js/npm 后重新运行 make setup 即有图表）

setup: $(BIN)/duban $(ECHARTS)

# ECharts for the dashboard charts, served locally (CSP: self only); pages show tables without it,
# so neither a missing npm nor a failed download stops the build
$(ECHARTS):
	@if ! command -v npm >/dev/null 2>&1; then echo "没有 npm，不下载 ECharts：$(NO_CHARTS)"; \
	elif mkdir -p $(dir $@) build/echarts && (cd build/echarts \
	  && npm pack --silent echarts@$(ECHARTS_VERSION) >/dev/null \
	  && tar -xzf echarts-$(ECHARTS_VERSION).tgz package/dist/echarts.min.js); then \
	  cp build/echarts/package/dist/echarts.min.js $@ && echo "ECharts $(ECHARTS_VERSION) 已放到 $@"; \
	else echo "ECharts 下载失败（npm pack）：$(NO_CHARTS)"; fi

# a busy port is said before anything is built (duban demo says it again when run by hand)
port-free:
	@$(PY) -c 'import socket, sys; s = socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(("127.0.0.1", $(PORT))) == 0)' \
	  || { echo "错误：端口 $(PORT) 已被占用（127.0.0.1:$(PORT) 上已有服务在运行）；换一个端口：make demo PORT=8001"; exit 2; }

demo: port-free setup
	$(BIN)/duban demo --port $(PORT)

# ruff, then the layers of docs/DESIGN.md (import-linter, [tool.importlinter] in pyproject.toml)
lint: setup
	$(BIN)/ruff check duban tests bench fuzz tools
	$(BIN)/lint-imports

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

# the suite runs in TEST_WORKERS processes (pytest-xdist; auto = one per CPU core); a test file stays in
# one process (--dist loadfile), so a file's servers, ports and databases never meet their own twins;
# the 25 slowest tests are listed (where CI time goes)
TEST_WORKERS ?= auto
XDIST = -n $(TEST_WORKERS) --dist loadfile --durations=25

test-sqlite: setup
	$(BIN)/pytest $(XDIST)

# PostgreSQL at PG_URL, or a throw-away cluster from the installed binaries, or skipped with one line
# (tools/with_postgres.py; DUBAN_REQUIRE_POSTGRES=1 fails instead of skipping)
test-postgres: setup
	$(BIN)/python tools/with_postgres.py $(PG_URL) -- $(BIN)/pytest $(XDIST) -m '(django_db or postgres) and not browser'

# every part runs and reports even when an earlier one fails; the status fails if any did
TEST_PARTS := lint check fuzz-short test-sqlite test-postgres bench-smoke
test: setup
	@failed=""; for part in $(TEST_PARTS); do \
	  echo "== make $$part"; start=$$(date +%s); \
	  $(MAKE) --no-print-directory $$part || failed="$$failed $$part"; \
	  echo "== make $$part：$$(( $$(date +%s) - start )) 秒"; \
	done; \
	if [ -n "$$failed" ]; then echo "make test：失败的部分：$$failed（其余通过）"; exit 1; fi; \
	echo "make test：全部通过（$(TEST_PARTS)）"

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

# a newcomer's first hour, checked: fresh clone into a temporary folder, the README's demo command,
# a login as every demo account, the 督办 check (tools/newcomer.py)
newcomer:
	$(PY) tools/newcomer.py
