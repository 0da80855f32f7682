"""Shared test setup for tests/ and the notebooks: quiet TensorFlow, headless plots, nbval.

At the repository root so that `pytest notebooks/NN.ipynb` on its own gets it too.
"""

import os

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


def pytest_configure(config):
    # Headless plots in the test process only: an MPLBACKEND variable would reach the notebook
    # kernels too, and there it would stop figures from being shown inline.
    import matplotlib

    matplotlib.use("Agg")


def pytest_collectstart(collector):
    # TensorFlow's log lines reach stderr in some front-ends and not others; never compare them.
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)
