PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TESTSTAMP := $(VENV)/.installed-test
VERSION := $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' ctctform/__init__.py)
IMAGE ?= ctctform:$(VERSION)

.PHONY: demo test lint dist image bench schemas clean

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=python3" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): $(VENV)/bin/python pyproject.toml
	$(PY) -m pip install --quiet -e .
	@touch $@

$(TESTSTAMP): $(VENV)/bin/python pyproject.toml
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@ $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/ctctform demo

test: $(TESTSTAMP)
	$(PY) -m pytest

lint: $(TESTSTAMP)
	$(VENV)/bin/ruff check ctctform tests benchmarks scripts action
	$(VENV)/bin/ruff format --check ctctform tests benchmarks scripts action
	$(VENV)/bin/mypy

# The sdist and the wheel built from it, as a release would make them; twine checks the metadata
# and that the README renders as the long description. A stale *.egg-info/SOURCES.txt would add
# files to the sdist, so it goes first.
dist: $(TESTSTAMP)
	rm -rf dist *.egg-info
	$(PY) -m build --outdir dist .
	$(VENV)/bin/twine check --strict dist/*

# The container image (Dockerfile: the wheel built in one stage, installed alone in the next).
image:
	docker build -t $(IMAGE) .

# Each prints its table and exits 1 when its bar is missed; all three run either way.
bench: $(STAMP)
	-$(PY) benchmarks/bench_plan.py
	-$(PY) benchmarks/bench_local.py
	-$(PY) benchmarks/bench_fleet.py

# The spec definitions come from the official spec (reference/, or SPEC=path/to/ctct-v3-swagger.yaml);
# without it the committed ctct-definitions.json is kept and the generated schemas are still rewritten.
SPEC ?= reference/ctct-v3-swagger.yaml
schemas: $(STAMP)
	@if [ -f "$(SPEC)" ]; then $(PY) scripts/extract_spec_definitions.py "$(SPEC)"; \
	else echo "$(SPEC) not found: keeping ctctform/schemas/ctct-definitions.json"; fi
	for doc in manifest fleet fleet-report plan; do \
	  $(VENV)/bin/ctctform schema --for $$doc > ctctform/schemas/$$doc.schema.json || exit 1; \
	done

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
