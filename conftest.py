"""Shared test setup for tests/ and the notebooks: quiet TensorFlow, headless plots, nbval.

At the repository root so that `pytest notebooks/NN.ipynb` on its own gets it too.
"""

import os
import tempfile
import time

import pytest

# Before anything can import TensorFlow: its C++ logs go to stderr and differ per machine.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Notebooks under test never download CIFAR-10: they use the synthetic stand-in.
os.environ.setdefault("WORKSHOP_DATA", "synthetic")
# The tests' own budget, separate from the data source: a venue that runs the stand-in gets the
# lesson's budget; only the tests shrink it, so 05 runs in well under a minute.
TEST_BUDGET = {
    "WORKSHOP_N_TRAIN": "2000",
    "WORKSHOP_N_TEST": "500",
    "WORKSHOP_EPOCHS": "2",
    "WORKSHOP_MINUTES": "1",
}
for _name, _value in TEST_BUDGET.items():
    os.environ.setdefault(_name, _value)
# A room joined on this computer (room.join, WORKSHOP_ROOM) must not hear from the tests: they
# and their kernels keep their joins and room codes in a folder of their own.
os.environ.pop("WORKSHOP_ROOM", None)
os.environ["WORKSHOP_ROOM_DIR"] = tempfile.mkdtemp(prefix="cnn-workshop-room-")
# 05 saves its trained network for 06 (models.saved_model_path): the tests' networks, trained on
# the stand-in, must never replace a learner's own, nor a test find one left by another run.
os.environ["WORKSHOP_MODEL"] = os.path.join(
    tempfile.mkdtemp(prefix="cnn-workshop-model-"), "cifar10_cnn.keras"
)


def pytest_configure(config):
    # Headless plots in the test process only: an MPLBACKEND variable would reach the notebook
    # kernels too, and there it would stop figures from being shown inline.
    import matplotlib

    matplotlib.use("Agg")
    config.addinivalue_line(
        "markers",
        f"{LEARNER_COPY_MARK}(name): this browser test executes notebooks/learner/<name> and "
        "makes the checks of tests/test_learner_runs.py, which then leaves that copy to it",
    )


# ---------------------------------------------------------------- each notebook runs once
# A test run executes each instructor notebook once (nbval: its stored outputs) and each learner
# copy once: in JupyterLab when a browser test marked `runs_learner_copy` does it, else with
# nbclient (tests/test_learner_runs.py). They cannot share one run: the learner copy is another
# program (no solution cells, every exercise answered with `...`), and JupyterLab's outputs are
# not nbval's (Output widget and interact output live inside widget views, and TensorFlow's log
# lines reach stderr only there), so a browser run cannot be compared with stored outputs.
LEARNER_COPY_MARK = "runs_learner_copy"


def _browser_can_run() -> bool:
    from tests.browser.conftest import chromium_path

    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return chromium_path() is not None


def pytest_collection_modifyitems(config, items):
    _longest_first(items)
    in_browser = {mark.args[0] for item in items for mark in item.iter_markers(LEARNER_COPY_MARK)}
    if not in_browser or not _browser_can_run():
        return
    keep, left_to_browser = [], []
    for item in items:
        path = getattr(item, "callspec", None) and item.callspec.params.get("learner_copy")
        (left_to_browser if path and path.name in in_browser else keep).append(item)
    if left_to_browser:
        config.hook.pytest_deselected(items=left_to_browser)
        items[:] = keep


# ---------------------------------------------------------------- two workers, longest first
# make test hands whole files to two workers in collection order (--dist loadfile). A file that
# needs a minute or more, started last, would leave one worker idle while the other finishes
# it, so those go first, each worker starting on a different one. In the order of their cost in
# a measured run (README, Tests).
LONGEST_FIRST = (
    "tests/browser/test_jupyterlab.py",
    "tests/browser/test_classic_notebook.py",
    "tests/browser/test_present.py",
)


def _longest_first(items) -> None:
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable


def pytest_collectstart(collector):
    # TensorFlow's log lines reach stderr in some front-ends and not others; never compare them.
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)


# ---------------------------------------------------------------- nbval: no silent stalls
# Under nbval each notebook cell is a test item. A cell whose reply does not come within
# --nbval-cell-timeout makes nbval interrupt the kernel; if the kernel was idle (the reply was
# sent but not seen) there is no traceback, the cell *passes* and every later cell is merely
# xfailed: the stall used to eat the whole timeout without one red line. So each cell gets a
# budget that fits it, and a timeout is always a failure that names the notebook and the cell.
TRAINING_CELL_S = 300  # the tests' budget trains for about a minute (TEST_BUDGET above)
_TIMED_OUT_BEFORE = pytest.StashKey[bool]()


def _is_nbval_cell(item) -> bool:
    return hasattr(item, "cell") and hasattr(item.parent, "timed_out")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    if not _is_nbval_cell(item):
        return (yield)
    from tests.notebook_runs import record_nbval
    from tools.notebook_client import cell_timeout

    if item.parent.path not in _NBVAL_NOTEBOOKS:
        _NBVAL_NOTEBOOKS.add(item.parent.path)
        record_nbval(item.parent.path.name)
    option = item.config.option
    default = option.nbval_cell_timeout
    option.nbval_cell_timeout = cell_timeout(item.cell.source, TRAINING_CELL_S)
    item.stash[_TIMED_OUT_BEFORE] = item.parent.timed_out
    try:
        return (yield)
    finally:
        option.nbval_cell_timeout = default


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if (
        call.when == "call"
        and _is_nbval_cell(item)
        and item.parent.timed_out
        and not item.stash.get(_TIMED_OUT_BEFORE, True)
        and report.passed
    ):
        from tools.notebook_client import cell_timeout

        report.outcome = "failed"
        report.longrepr = (
            f"{item.parent.nodeid}, cell {item.cell_num}: no execute_reply within "
            f"{cell_timeout(item.cell.source, TRAINING_CELL_S)} s, yet the kernel was idle when "
            "interrupted: the client stalled (nbval would have passed this cell)."
        )
    return report


# ---------------------------------------------------------------- each tier says what it cost
_STARTED = pytest.StashKey[float]()
_NBVAL_NOTEBOOKS: set = set()
_RUNS_KEY = "notebook_runs"  # a worker's runs, handed to the controller (pytest-xdist)


def pytest_sessionstart(session):
    session.config.stash[_STARTED] = time.monotonic()


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        from tests.notebook_runs import EXECUTIONS

        workeroutput[_RUNS_KEY] = [[stack, name, n] for (stack, name), n in EXECUTIONS.items()]
        return
    from tests.notebook_runs import repeated

    if repeated() and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """A worker's runs join the controller's count, which refuses a notebook run twice on one
    stack across workers as ``record`` does within one."""
    from tests.notebook_runs import merge

    merge((stack, name, n) for stack, name, n in node.workeroutput.get(_RUNS_KEY, []))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """The tier's wall time and how many notebook runs it made on each stack: the figures that
    keep `make test` inside its budget (README, Tests)."""
    from tests.notebook_runs import repeated, summary

    tier = "make test-slow" if config.getoption("markexpr") == "slow" else "make test"
    seconds = time.monotonic() - config.stash[_STARTED]
    runs = summary() or "none"
    terminalreporter.write_line(
        f"{tier}: {seconds:.0f} s of tests; notebook runs per stack: {runs}", bold=True
    )
    for line in repeated():
        terminalreporter.write_line(line, red=True, bold=True)
