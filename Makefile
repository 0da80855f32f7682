# Two commands matter: `make lab` (start the workshop) and `make test` (run every test).
PYTHON ?= python3
VENV   ?= .venv
ifeq ($(OS),Windows_NT)
BIN := $(VENV)/Scripts
else
BIN := $(VENV)/bin
endif
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed

.PHONY: lab test install check fetch notebooks learner slides colab bench lint lock clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c "import sys; v=sys.version_info; sys.exit(0 if (3,10)<=v[:2]<=(3,12) else 'Python 3.10-3.12 needed, found %d.%d: run make PYTHON=python3.11' % v[:2])"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

# Jupyter refuses to run as root (containers, some cloud machines) unless told it is meant.
ROOT_FLAG := $(shell [ "$$(id -u 2>/dev/null)" = 0 ] && echo --allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(ROOT_FLAG) $(LAB_ARGS)

test: $(STAMP)
	$(PY) -m ruff check workshop tests benchmarks scripts conftest.py
	$(PY) -m pytest

# The day before: is this laptop ready, and is CIFAR-10 on disk? (FROM=file-or-URL to fetch locally)
check: $(STAMP)
	$(PY) -m workshop check

fetch: $(STAMP)
	$(PY) -m workshop fetch $(if $(FROM),--from "$(FROM)")

# Re-execute the instructor notebooks in place (stored outputs are what nbval compares and what
# the slides show). 00_setup shows the learner's real environment check. DATA= is the CIFAR-10
# source for 04 and 05: empty for the official archive in Keras' cache (make fetch), or a folder or
# .zip of class folders. They refuse the synthetic stand-in.
notebooks: $(STAMP)
	env -u WORKSHOP_DATA $(PY) scripts/execute_notebooks.py notebooks/00_setup.ipynb
	$(PY) scripts/execute_notebooks.py --data "$(DATA)" \
		$(filter-out notebooks/00_setup.ipynb,$(wildcard notebooks/*.ipynb))

learner: $(STAMP)
	$(PY) scripts/make_learner.py

slides: $(STAMP)
	$(PY) scripts/build_slides.py

colab: $(STAMP)
	$(PY) scripts/sync_colab.py

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

lint: $(STAMP)
	$(PY) -m ruff check workshop tests benchmarks scripts conftest.py
	$(PY) -m ruff format --check workshop tests benchmarks scripts conftest.py

lock:
	{ sed -n '1,2p' constraints.txt; $(PY) -m pip freeze --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
