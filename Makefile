# Every target sets up .venv when it is missing or pyproject.toml changed; it is quick otherwise.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LINT_PATHS := src tests $(wildcard benchmarks)

.PHONY: demo serve test test-fast lint bench pictures screenshots setup clean

demo: $(STAMP)
	$(BIN)/qualify demo -o out

# The web portal over the demo's database (made by `make demo` if there is none yet).
serve: $(STAMP)
	test -f out/demo.db || $(BIN)/qualify demo -o out
	$(BIN)/qualify --db sqlite:///out/demo.db serve

# One picture of each packet kind, from the demo's PDFs, for docs/packets.md.
pictures: demo
	$(BIN)/python scripts/packet_pictures.py out docs/pictures

# Each role's main page in the portal at 1280 and 375 px, for docs/portal.md (drives Chromium).
screenshots: $(STAMP)
	$(BIN)/python scripts/portal_screenshots.py docs/screenshots

test: lint
	$(BIN)/pytest -q

# The tests not marked slow: for the edit-test loop (the whole suite runs in `make test`).
test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy src

bench: $(STAMP)
	$(BIN)/python -m benchmarks
	$(BIN)/python -m benchmarks.portal

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/system-packages.sh
	bash scripts/system-packages.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
