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
# Notebooks are linted (pyproject.toml says which rules suit them) but not reformatted: their
# cells are laid out for the slides.
FORMATTED := workshop tests benchmarks tools conftest.py
LINTED    := $(FORMATTED) notebooks

.PHONY: lab test test-slow install check fetch serve-data present notebooks learner machine-time slides slides-local colab bench lint lock clean

$(STAMP): pyproject.toml constraints.txt tools/jupyterlab-overrides.json
	@$(PYTHON) -m tools.python_range
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	@# A room of learners gets no first-run prompt: JupyterLab's "get notified about official
	@# Jupyter news?" and its update check are answered "no", for this environment only.
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	cp tools/jupyterlab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@touch $(STAMP)

install: $(STAMP)

# Jupyter refuses to run as root (containers, some cloud machines) unless told it is meant.
ROOT_FLAG := $(shell [ "$$(id -u 2>/dev/null)" = 0 ] && echo --allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(ROOT_FLAG) $(LAB_ARGS)

# The instructor's screen: a notebook as live slides (NB=03_relu_and_pooling opens that one).
present: $(STAMP)
	$(PY) -m tools.present $(NB) $(ROOT_FLAG) $(LAB_ARGS)

test: $(STAMP)
	$(PY) -m ruff check $(LINTED)
	$(PY) -m pytest

# The checks that need minutes each (05 at the lesson budget on the synthetic stand-in); CI runs
# them after make test.
test-slow: $(STAMP)
	$(PY) -m pytest -m slow tests

# The day before: is this laptop ready, and is CIFAR-10 on disk? (FROM=file-or-URL to fetch locally)
check: $(STAMP)
	$(PY) -m workshop check

fetch: $(STAMP)
	$(PY) -m workshop fetch $(if $(FROM),--from "$(FROM)")

# In the room: share this laptop's verified archive (PORT= another port than 8765).
serve-data: $(STAMP)
	$(PY) -m workshop serve-data $(if $(PORT),--port $(PORT))

# Re-execute the instructor notebooks in place (stored outputs are what nbval compares and what
# the slides show). 00_setup shows the learner's real environment check. DATA= is the CIFAR-10
# source for 04 and 05: empty for the official archive in Keras' cache (make fetch), or a folder or
# .zip of class folders. They refuse the synthetic stand-in.
notebooks: $(STAMP)
	env -u WORKSHOP_DATA $(PY) -m tools.execute_notebooks notebooks/00_setup.ipynb
	$(PY) -m tools.execute_notebooks --data "$(DATA)" \
		$(filter-out notebooks/00_setup.ipynb,$(wildcard notebooks/*.ipynb))

# Each notebook's machine minutes for the schedule: the learner copies in JupyterLab in Chromium
# at the lesson budget on real photos (DATA= as for make notebooks). About 7 minutes on 2 cores;
# run it on a quiet machine, then make learner.
machine-time: $(STAMP)
	$(PY) -m tools.machine_time $(if $(DATA),--data "$(DATA)")

# The schedule first: it writes each notebook's minutes, which the learner copies carry.
learner: $(STAMP)
	$(PY) -m tools.schedule
	$(PY) -m tools.make_learner

slides: $(STAMP)
	$(PY) -m tools.build_slides

# The decks WITH the CIFAR-10 photos, for the instructor's own projector only (never publish
# build/slides-local/): 04 and 05 are executed from copies in build/ on this machine's data
# (DATA= or WORKSHOP_DATA as for make notebooks; not the synthetic stand-in). Minutes: 05 trains.
slides-local: $(STAMP)
	$(PY) -m tools.local_slides $(if $(DATA),--data "$(DATA)")

colab: $(STAMP)
	$(PY) -m tools.sync_colab

# BENCH=bench_conv (or several, space-separated) runs only those.
bench: $(STAMP)
	$(PY) -m benchmarks.run_all $(BENCH)

lint: $(STAMP)
	$(PY) -m ruff check $(LINTED)
	$(PY) -m ruff format --check $(FORMATTED)

lock:
	{ grep '^#' constraints.txt; $(PY) -m pip freeze --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
