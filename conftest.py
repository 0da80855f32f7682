"""Shared test setup for tests/ and the notebooks: quiet TensorFlow, headless plots, nbval.

At the repository root so that `pytest notebooks/NN.ipynb` on its own gets it too.
"""

import os

# Before anything can import TensorFlow: its C++ logs go to stderr and differ per machine.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Notebooks under test never download CIFAR-10: they use the synthetic stand-in.
os.environ.setdefault("WORKSHOP_DATA", "synthetic")


def pytest_configure(config):
    # Headless plots in the test process only: an MPLBACKEND variable would reach the notebook
    # kernels too, and there it would stop figures from being shown inline.
    import matplotlib

    matplotlib.use("Agg")


def pytest_collectstart(collector):
    # TensorFlow's log lines reach stderr in some front-ends and not others; never compare them.
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)
