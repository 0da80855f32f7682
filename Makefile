# Two commands matter: `make lab` (start the workshop) and `make test` (run every test).
PYTHON ?= python3
VENV   ?= .venv
ifeq ($(OS),Windows_NT)
BIN := $(VENV)/Scripts
else
BIN := $(VENV)/bin
endif
PY     := $(BIN)/python
# Two installs into the same .venv: learners need only the `lab` extra (the workshop and
# JupyterLab); `dev` adds what maintainers run (pytest, playwright, ruff, nbconvert...). dev
# holds all of lab, so the dev stamp stands for both.
LAB_STAMP := $(VENV)/.installed-lab
DEV_STAMP := $(VENV)/.installed-dev
INSTALL_INPUTS := pyproject.toml constraints.txt tools/jupyterlab-overrides.json
# Notebooks are linted (pyproject.toml says which rules suit them) but not reformatted: their
# cells are laid out for the slides.
FORMATTED := workshop tests benchmarks tools conftest.py
LINTED    := $(FORMATTED) notebooks

.PHONY: lab test test-slow install install-dev doctor check fetch serve-data room wheelhouse present notebooks learner machine-time slides slides-local colab bench lint lock clean

# $(call install_extra,EXTRA): the pinned environment with that extra, into .venv.
define install_extra
	@$(PYTHON) -m tools.python_range
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[$(1)]"
	@# A room of learners gets no first-run prompt: JupyterLab's "get notified about official
	@# Jupyter news?" and its update check are answered "no", for this environment only.
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	cp tools/jupyterlab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@touch $@
endef

# A .venv once installed with dev (make test) stays a dev environment: it has all of lab, and
# make lab then only brings dev up to date (no second install, none that needs the internet).
ifneq ($(wildcard $(DEV_STAMP)),)
$(LAB_STAMP): $(DEV_STAMP)
	@touch $@
else
$(LAB_STAMP): $(INSTALL_INPUTS)
	$(call install_extra,lab)
endif

$(DEV_STAMP): $(INSTALL_INPUTS)
	$(call install_extra,dev)

# What a learner's laptop needs, without opening JupyterLab (make install-dev: the maintainers').
install: $(LAB_STAMP)

install-dev: $(DEV_STAMP)

# Jupyter refuses to run as root (containers, some cloud machines) unless told it is meant.
ROOT_FLAG := $(shell [ "$$(id -u 2>/dev/null)" = 0 ] && echo --allow-root)

lab: $(LAB_STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(ROOT_FLAG) $(LAB_ARGS)

# The instructor's screen: a notebook as live slides (NB=03_relu_and_pooling opens that one).
present: $(LAB_STAMP)
	$(PY) -m tools.present $(NB) $(ROOT_FLAG) $(LAB_ARGS)

# Two pytest workers, each given whole files (a notebook's cells share one kernel, a browser
# test file one server): the browser and Colab runs spend much of their time waiting on other
# processes, and the second worker fills it. Files go out in conftest.py's order (longest
# first), not xdist's (most tests first). TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= 2
test: $(DEV_STAMP)
	$(PY) -m ruff check $(LINTED)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# The checks that need minutes each (05 at the lesson budget on the synthetic stand-in); CI runs
# them after make test.
test-slow: $(DEV_STAMP)
	$(PY) -m pytest -m slow tests

# The day before: is this laptop ready, and is CIFAR-10 on disk? (FROM=file-or-URL to fetch locally)
doctor: $(LAB_STAMP)
	$(PY) -m workshop doctor

# The doctor's old name: it says the new one and fails, so an old printout still leads somewhere.
check:
	@echo "make check is now make doctor: run make doctor"; exit 1

fetch: $(LAB_STAMP)
	$(PY) -m workshop fetch $(if $(FROM),--from "$(FROM)")

# In the room: share this laptop's verified archive and, once make wheelhouse has filled it,
# the wheelhouse (PORT= another port than 8765; WHEELHOUSE= another folder).
serve-data: $(LAB_STAMP)
	$(PY) -m workshop serve-data $(if $(PORT),--port $(PORT)) $(if $(WHEELHOUSE),--wheelhouse "$(WHEELHOUSE)")

# The room: serve-data plus the pulse dashboard (learners join with the line it prints).
room: $(LAB_STAMP)
	$(PY) -m workshop room $(if $(PORT),--port $(PORT)) $(if $(WHEELHOUSE),--wheelhouse "$(WHEELHOUSE)")

# The day before, with internet: everything a learner's laptop installs, in build/wheelhouse/
# (WHEELHOUSE= another folder), for serve-data to serve to a room without internet: the
# workshop's files as a zip, its wheel, and the wheels of its lab extra at the pinned versions
# for PLATFORMS= (default: linux_x86_64 macos_arm64 windows_amd64; macos_x86_64 has no pinned
# TensorFlow) and PYTHONS= (default: every supported one, e.g. PYTHONS="3.11 3.12"). About
# 0.7 GB per laptop kind and Python (TensorFlow is most of it).
wheelhouse: $(LAB_STAMP)
	$(PY) -m tools.wheelhouse $(if $(PLATFORMS),--platforms "$(PLATFORMS)") $(if $(PYTHONS),--pythons "$(PYTHONS)") $(if $(WHEELHOUSE),--dest "$(WHEELHOUSE)")

# Re-execute the instructor notebooks in place (stored outputs are what nbval compares and what
# the slides show). 00_setup shows the learner's real doctor lines. DATA= is the CIFAR-10
# source for 04 and 05: empty for the official archive in Keras' cache (make fetch), or a folder or
# .zip of class folders. They refuse the synthetic stand-in.
notebooks: $(DEV_STAMP)
	env -u WORKSHOP_DATA $(PY) -m tools.execute_notebooks notebooks/00_setup.ipynb
	$(PY) -m tools.execute_notebooks --data "$(DATA)" \
		$(filter-out notebooks/00_setup.ipynb,$(wildcard notebooks/*.ipynb))

# Each notebook's machine minutes for the schedule: the learner copies in JupyterLab in Chromium
# at the lesson budget on real photos (DATA= as for make notebooks). About 7 minutes on 2 cores;
# run it on a quiet machine, then make learner.
machine-time: $(DEV_STAMP)
	$(PY) -m tools.machine_time $(if $(DATA),--data "$(DATA)")

# The schedule first: it writes each notebook's minutes, which the learner copies carry.
learner: $(DEV_STAMP)
	$(PY) -m tools.schedule
	$(PY) -m tools.make_learner

slides: $(DEV_STAMP)
	$(PY) -m tools.build_slides

# The decks WITH the CIFAR-10 photos, for the instructor's own projector only (never publish
# build/slides-local/): 04 and 05 are executed from copies in build/ on this machine's data
# (DATA= or WORKSHOP_DATA as for make notebooks; not the synthetic stand-in). Minutes: 05 trains.
slides-local: $(DEV_STAMP)
	$(PY) -m tools.local_slides $(if $(DATA),--data "$(DATA)")

colab: $(DEV_STAMP)
	$(PY) -m tools.sync_colab

# BENCH=bench_conv (or several, space-separated) runs only those.
bench: $(DEV_STAMP)
	$(PY) -m benchmarks.run_all $(BENCH)

lint: $(DEV_STAMP)
	$(PY) -m ruff check $(LINTED)
	$(PY) -m ruff format --check $(FORMATTED)

lock:
	{ grep '^#' constraints.txt; $(PY) -m pip freeze --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
