# The two entry points of the README: `make demo` (main job on the embedded store)
# and `make test` (the whole suite, installing what it needs first).
PYTHON ?= python3
PIP := $(PYTHON) -m pip
STAMP := .make-installed

.PHONY: demo test install lint pytest neo4j-jars browser clean

$(STAMP): pyproject.toml
	$(PIP) install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: install
	chaingraph info --chains
	chaingraph gaps --base 银瓶高端装备产业基地
	chaingraph targets --base 银瓶高端装备产业基地 --top 2

lint: install
	$(PYTHON) -m ruff check chaingraph tests bench scripts
	$(PYTHON) -m ruff format --check chaingraph tests bench
	$(PYTHON) -m mypy

neo4j-jars:
	$(PYTHON) scripts/neo4j-server fetch

browser:
	scripts/install-browser

pytest: install neo4j-jars browser
	$(PYTHON) -m pytest -q

test: lint pytest

clean:
	rm -f $(STAMP)
