# Civic — `make run` to try it, `make test` to check it. Both set up .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
STAMP  := $(VENV)/.installed

.PHONY: install run serve test lint bench messages clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/civic db upgrade
	$(BIN)/civic fixtures load demo
	@echo ""
	@echo "Civic is starting on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	$(BIN)/uvicorn app:app --host $(HOST) --port $(PORT) --proxy-headers

serve: install
	$(BIN)/uvicorn app:app --host $(HOST) --port $(PORT) --proxy-headers

lint: install
	$(BIN)/ruff check .

test: install
	$(BIN)/ruff check .
	$(BIN)/pytest

bench: install
	$(BIN)/python -m bench

# Extract translatable strings and merge them into the catalogues (then translate civic/locale/*/LC_MESSAGES/messages.po).
messages: install
	$(BIN)/pybabel extract --ignore-dirs '.* __pycache__' -F babel.cfg -k N_ -k gettext:2 -k ngettext:1,2 -o civic/locale/messages.pot --omit-header .
	$(BIN)/pybabel update -i civic/locale/messages.pot -d civic/locale --no-fuzzy-matching

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
