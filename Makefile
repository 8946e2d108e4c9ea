# The two commands a new user runs: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= confkg-data

.PHONY: demo test lint bench bench-memory bytecode clean chromium virtuoso

$(BIN)/confkg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,scale]'
	@$(MAKE) --no-print-directory bytecode
	@touch $@

# An editable install leaves confkg's own modules uncompiled, and where PYTHONDONTWRITEBYTECODE is
# set (as on our CI machines) every process compiles them again: about 0.1 s for the command and
# for each --jobs worker. A stale file is only ignored (Python checks the source's time).
bytecode:
	@$(BIN)/python -m compileall -q src

demo: $(BIN)/confkg
	$(BIN)/confkg build seeds/articles --store $(STORE)
	@echo
	@echo "== queries/conferences.rq"
	$(BIN)/confkg query -f queries/conferences.rq --store $(STORE)
	@echo
	@echo "== queries/officials.rq"
	$(BIN)/confkg query -f queries/officials.rq --store $(STORE)

test: $(BIN)/confkg chromium virtuoso
	$(BIN)/python -m pytest -q

# The browser test drives Debian's chromium (Playwright's own browser download is not
# reachable here); install it when it is missing.
chromium:
	@[ -x /usr/bin/chromium ] || { \
	  echo "installing Debian's chromium for the browser test"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# The remote-store test runs against Virtuoso Open Source from Debian; where it cannot be
# installed the test says so and skips.
virtuoso:
	@command -v virtuoso-t >/dev/null 2>&1 || { \
	  echo "installing Debian's virtuoso-opensource for the remote-store test"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  { $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	      --no-install-recommends virtuoso-opensource >/dev/null; } || echo "virtuoso not installed: its test will skip"; }

# About 8 minutes on 2 cores: writes bench/results/latest.json and latest.md (see bench/run.py).
bench: $(BIN)/confkg bytecode
	$(BIN)/python bench/run.py

# The peak memory of one `confkg build --jobs 2` of ARTICLES generated articles (about 50 minutes
# for 100,000 on 2 cores): writes bench/results/memory-$(ARTICLES).json.
ARTICLES ?= 100000
bench-memory: $(BIN)/confkg bytecode
	$(BIN)/python bench/run.py --memory $(ARTICLES)

lint: $(BIN)/confkg
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

clean:
	rm -rf $(STORE) build *.egg-info src/*.egg-info .pytest_cache
