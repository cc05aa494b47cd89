# The two entry points of the README, on a fresh Debian machine with only python3 and root:
#   make demo   a project virtualenv (.venv) with the base install, then the main job
#               (info, gaps, targets) on the embedded store
#   make test   .venv with every extra and the dev tools, Java 17+ and Maven (apt, when
#               missing), the Neo4j jars (Maven Central), Chromium (apt), lint, whole suite
#
# Variables:
#   VENV=.venv                  where the virtualenv lives
#   PY=.venv/bin/python         the Python every target runs; PY=python3 uses the machine's
#                               Python as it is (nothing is installed into it)
#   CHAINGRAPH_MAVEN_REPO=DIR   Maven's local repository (-Dmaven.repo.local), e.g. an empty
#                               folder for a clean check; MAVEN_OPTS is passed on to Maven too
#   PYTEST_ARGS=...             extra pytest arguments (e.g. -x, -m "not neo4j")
VENV ?= .venv
VENV_PY := $(VENV)/bin/python
PY ?= $(VENV_PY)
SYSTEM_PYTHON ?= python3
BASE_STAMP := $(VENV)/.chaingraph-base
DEV_STAMP := $(VENV)/.chaingraph-dev
PYTEST_ARGS ?=
# Tests that need nothing outside the repository and no server or browser (used by .ci/run
# in a fresh clone).
LOCAL_MARKERS := not shared_data and not neo4j and not browser

# With PY pointing elsewhere (e.g. PY=python3 on a machine that has the deps), the
# install steps are skipped.
ifeq ($(PY),$(VENV_PY))
BASE_DEPS := $(BASE_STAMP)
DEV_DEPS := $(DEV_STAMP)
else
BASE_DEPS :=
DEV_DEPS :=
endif

.PHONY: demo test install install-dev venv lint pytest pytest-local java-maven neo4j-jars browser clean

# -- the virtualenv -------------------------------------------------------------
$(VENV_PY):
	@if ! $(SYSTEM_PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1; then \
	  echo "== $(SYSTEM_PYTHON) has no venv/ensurepip: installing python3-venv with apt"; \
	  scripts/apt-install python3-venv; \
	fi
	@echo "== creating the virtualenv $(VENV)"
	@rm -rf $(VENV)
	$(SYSTEM_PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

venv: $(VENV_PY)

$(BASE_STAMP): pyproject.toml | $(VENV_PY)
	@echo "== installing chaingraph (base: what the demo needs) into $(VENV)"
	$(VENV_PY) -m pip install --progress-bar on -e .
	@touch $@

$(DEV_STAMP): pyproject.toml | $(VENV_PY)
	@echo "== installing chaingraph[dev] (every extra, test and lint tools) into $(VENV)"
	$(VENV_PY) -m pip install --progress-bar on -e '.[dev]'
	@touch $@ $(BASE_STAMP)

install: $(BASE_DEPS)
install-dev: $(DEV_DEPS)

# -- the demo: the main job on the embedded store (no server) ---------------------
demo: $(BASE_DEPS)
	$(PY) -m chaingraph info --chains
	$(PY) -m chaingraph gaps --base 银瓶高端装备产业基地
	$(PY) -m chaingraph targets --base 银瓶高端装备产业基地 --top 2

# -- the tests ---------------------------------------------------------------------
lint: $(DEV_DEPS)
	$(PY) -m ruff check chaingraph tests bench scripts
	$(PY) -m ruff format --check chaingraph tests bench scripts
	$(PY) -m mypy

java-maven:
	scripts/install-java-maven

neo4j-jars: java-maven $(BASE_DEPS)
	$(PY) scripts/neo4j-server fetch

browser:
	scripts/install-browser

pytest: $(DEV_DEPS) neo4j-jars browser
	$(PY) -m pytest -q $(PYTEST_ARGS)

# The tests that need nothing outside the repository: no ../shared/data, Neo4j or browser.
# pytest's exit 5 (no test collected) is an error here, said in words.
pytest-local: $(DEV_DEPS)
	@rc=0; $(PY) -m pytest -q -m "$(LOCAL_MARKERS)" $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest-local: no test was collected (pytest exit 5)" >&2; fi; \
	exit $$rc

test: lint pytest

clean:
	rm -rf $(VENV)
