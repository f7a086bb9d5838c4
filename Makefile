# Two entry points for a fresh machine: `make demo` and `make test`.
# Everything they need is installed from PyPI, npm and Debian packages.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
VPY := $(VENV)/bin/python

.PHONY: venv test test-py test-py313 test-py314 test-pythons pyroots test-ts test-e2e bench fuzz vsix demo clean node-deps

venv: $(VENV)/.stamp
$(VENV)/.stamp: requirements-dev.txt pyproject.toml
	$(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade "pip>=23"
	$(VPY) -m pip install -q -r requirements-dev.txt
	$(VPY) -m pip install -q --no-deps -e .
	touch $@

node-deps: node_modules/.stamp
node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

test: test-pythons test-ts test-e2e

# Python 3.11 from .venv.
test-py: venv
	$(VPY) -m mypy
	$(VPY) -m pytest -q test/python

# The same suites under Python 3.13 (Debian trixie) and 3.14 (Debian sid), each in a minimal
# Debian root built once per machine under ~/.cache/hotswap/roots (test/pyroots/).
test-py313:
	bash test/pyroots/run.sh trixie -q test/python

test-py314:
	bash test/pyroots/run.sh sid -q test/python

# All three side by side (the roots are built while 3.11 runs); what `make test` runs.
test-pythons: venv
	$(VPY) -m mypy
	bash test/pyroots/suites.sh

# Only build the roots and their venvs.
pyroots:
	bash test/pyroots/run.sh trixie --version & pid=$$!; \
	bash test/pyroots/run.sh sid --version || rc=$$?; \
	wait $$pid || rc=$$?; exit $${rc:-0}

# Unit tests also check what the .vsix carries, so the package is built first.
test-ts: vsix
	npm run -s test:unit

test-e2e: venv node-deps
	bash test/e2e/run.sh

bench: venv
	$(VPY) -m benchmarks

# Differential fuzzing of the engine against fresh imports: 10,000 random edit sequences with
# the whole grammar (make test runs 200 of the part the engine handles). Prints the counts.
FUZZ_SEQUENCES ?= 10000
fuzz: venv
	$(VPY) test/python/fuzz/run_fuzz.py --sequences $(FUZZ_SEQUENCES)

# The package is rebuilt only when a file it is made from changed.
VSIX_SOURCES := package.json package-lock.json tsconfig.json .vscodeignore LICENSE \
	$(shell git ls-files extension python_helper bundled 2>/dev/null)
vsix: hotswap.vsix
hotswap.vsix: node_modules/.stamp $(VSIX_SOURCES)
	npm run -s package

demo: venv node-deps
	bash examples/demo/run.sh

clean:
	rm -rf $(VENV) node_modules out dist *.vsix .cache
