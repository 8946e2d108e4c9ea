# The two commands a new user runs: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= confkg-data

.PHONY: demo test lint bench clean

$(BIN)/confkg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

demo: $(BIN)/confkg
	$(BIN)/confkg build seeds/articles --store $(STORE)
	@echo
	@echo "== queries/conferences.rq"
	$(BIN)/confkg query -f queries/conferences.rq --store $(STORE)
	@echo
	@echo "== queries/officials.rq"
	$(BIN)/confkg query -f queries/officials.rq --store $(STORE)

test: $(BIN)/confkg
	$(BIN)/python -m pytest -q

lint: $(BIN)/confkg
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

clean:
	rm -rf $(STORE) build *.egg-info src/*.egg-info .pytest_cache
