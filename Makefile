# The two commands of the README: `make demo` (set up, then the main job) and `make test`.
PYTHON ?= python3

.PHONY: demo test setup-demo setup-test bench lint

demo: setup-demo
	$(PYTHON) -m glassgrad demo --overwrite

test: setup-test
	$(PYTHON) -m pytest -q -n 2

setup-demo:
	bash scripts/setup.sh train

setup-test:
	bash scripts/setup.sh dev,compare,train,notebooks

bench:
	$(PYTHON) -m bench

lint:
	$(PYTHON) -m ruff check autograd optim nn glassgrad tests bench
