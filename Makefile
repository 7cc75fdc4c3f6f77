# The two commands of the README: `make demo` (set up, then the main job) and `make test`.
# Everything runs in a virtual environment: the active one ($VIRTUAL_ENV), else .venv here
# (scripts/venv.sh makes it); nothing is installed into the system Python.
VENV := $(if $(VIRTUAL_ENV),$(VIRTUAL_ENV),.venv)
PYTHON := $(VENV)/bin/python
LINTED = autograd optim nn glassgrad tests bench scripts
# One BLAS thread per test worker (and per notebook kernel, which inherits it): `pytest -n 2`
# with two threads each would run four on two cores.
ONE_THREAD = OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

.PHONY: demo test test-fast setup-demo setup-test bench lint format docs figures

demo: setup-demo
	$(PYTHON) -m glassgrad demo --overwrite

test: setup-test
	$(ONE_THREAD) $(PYTHON) -m pytest -q -n 2

# The inner loop: everything but the tests marked slow (notebooks, benchmark smoke, browser, demo).
test-fast: setup-test
	$(ONE_THREAD) $(PYTHON) -m pytest -q -n 2 -m "not slow"

setup-demo:
	bash scripts/setup.sh train

setup-test:
	bash scripts/setup.sh dev,compare,train,notebooks

bench: setup-test
	$(PYTHON) -m bench

# What CI checks besides the tests: ruff's lint rules and its formatting.
lint: setup-test
	$(PYTHON) -m ruff check $(LINTED)
	$(PYTHON) -m ruff format --check $(LINTED)

format: setup-test
	$(PYTHON) -m ruff check --fix $(LINTED)
	$(PYTHON) -m ruff format $(LINTED)

# Regenerate the generated parts of the docs (the README's op table) from the code.
docs: setup-demo
	$(PYTHON) -m scripts.update_docs

# Regenerate the README's figures (docs/*.png) by running the notebooks that save them.
figures: setup-test
	$(PYTHON) -m scripts.figures
