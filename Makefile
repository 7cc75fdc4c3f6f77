# The two commands of the README: `make demo` (set up, then the main job) and `make test`.
PYTHON ?= python3
LINTED = autograd optim nn glassgrad tests bench scripts

.PHONY: demo test test-fast setup-demo setup-test bench lint format docs

demo: setup-demo
	$(PYTHON) -m glassgrad demo --overwrite

test: setup-test
	$(PYTHON) -m pytest -q -n 2

# The inner loop: everything but the tests marked slow (notebooks, benchmark smoke, browser, demo).
test-fast:
	$(PYTHON) -m pytest -q -n 2 -m "not slow"

setup-demo:
	bash scripts/setup.sh train

setup-test:
	bash scripts/setup.sh dev,compare,train,notebooks

bench:
	$(PYTHON) -m bench

# What CI checks besides the tests: ruff's lint rules and its formatting.
lint:
	$(PYTHON) -m ruff check $(LINTED)
	$(PYTHON) -m ruff format --check $(LINTED)

format:
	$(PYTHON) -m ruff check --fix $(LINTED)
	$(PYTHON) -m ruff format $(LINTED)

# Regenerate the generated parts of the docs (the README's op table) from the code.
docs:
	$(PYTHON) -m scripts.update_docs
