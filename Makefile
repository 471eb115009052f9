# Every target bootstraps .venv with the pinned dependencies first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test test-fast browser lint docs generate check-generated api-diff bench clean install lock

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@mkdir -p .cache
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m synapse_ext.demo

# One test process per core (pytest-xdist); a file's tests stay in one process, so its
# module-scoped fakes and servers start once. The schemathesis module runs on its own after
# the rest: its generated tests share one node id, which xdist cannot hand out.
# `make test PYTEST_ARGS=...` runs just those tests, in one process.
SCHEMATHESIS := tests/mockserver/test_schemathesis.py
test: $(STAMP) browser
ifeq ($(strip $(PYTEST_ARGS)),)
	$(CHROMIUM_TRIED) $(BIN)/python -m pytest -n auto --dist loadfile --ignore=$(SCHEMATHESIS)
	$(BIN)/python -m pytest $(SCHEMATHESIS)
else
	$(CHROMIUM_TRIED) $(BIN)/python -m pytest $(PYTEST_ARGS)
endif

# The dashboard's browser test (tests/mockserver/test_dashboard_browser.py) drives headless
# Chromium: Debian's package is installed when it is missing and apt-get can be used (as
# root), in at most CHROMIUM_INSTALL_TIMEOUT seconds (300 by default; the mirror may be down);
# otherwise this says so and the test skips, the one skip CI allows (tests/conftest.py:
# ALLOWED_SKIPS). The test then does not try the install again (SYNAPSE_TESTS_CHROMIUM_TRIED).
CHROMIUM_TRIED := SYNAPSE_TESTS_CHROMIUM_TRIED=1
browser: $(STAMP)
	@$(BIN)/python -m tests.mockserver.chromium

# The edit loop: the modules not marked slow (module-level `pytestmark = pytest.mark.slow`:
# real servers, subprocesses, clusters, crash and soak runs); `make test` runs them all.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadfile -m "not slow" $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The documentation site (mkdocs.yml), strict, into site/; first, every public name of
# synapse_ext and mockserver must have a docstring.
docs: $(STAMP)
	$(BIN)/python scripts/check_docstrings.py
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

generate: $(STAMP)
	$(BIN)/python scripts/generate.py

check-generated: $(STAMP)
	$(BIN)/python scripts/generate.py --check

api-diff: $(STAMP)
	$(BIN)/python scripts/api_diff.py $(API_DIFF_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .cache .pytest_cache .mypy_cache .ruff_cache site

lock: $(STAMP)
	@{ head -n 2 constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e'; } > constraints.txt.new
	@mv constraints.txt.new constraints.txt
