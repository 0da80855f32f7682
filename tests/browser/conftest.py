"""Real-browser fixtures: Debian's Chromium driven by Playwright, and a throwaway JupyterLab.

Chromium: `apt-get install -y chromium` (Playwright cannot download its own browser here).
Outside CI a missing Chromium skips these tests with that hint; under CI (CI=true) it fails.
Screenshots go to test-artifacts/screenshots/ (gitignored); the session prints the folder.
The machinery itself lives in lab_server.py, which the browser benchmark shares.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.lab_server import (
    CHROMIUM_FLAGS,
    INSTALL_HINT,
    Lab,
    chromium_path,
    running_jupyterlab,
)

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{reason}: {INSTALL_HINT}")
    pytest.skip(f"{reason}: {INSTALL_HINT}")


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        _missing("Chromium not found")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright Python package is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()
    if SCREENSHOTS.exists():
        print(f"\nbrowser screenshots: {SCREENSHOTS}")


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


@pytest.fixture
def lab_page(page, jupyterlab):
    """A browser page for JupyterLab; the kernels it started are stopped afterwards."""
    yield page
    jupyterlab.shutdown_kernels()


@pytest.fixture(scope="session")
def jupyterlab(tmp_path_factory) -> Iterator[Lab]:
    """JupyterLab on a free port, serving a copy of notebooks/ so the run never edits the repo."""
    work = tmp_path_factory.mktemp("lab")
    root = work / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    try:
        with running_jupyterlab(root, work) as lab:
            yield lab
    except RuntimeError as exc:
        pytest.fail(str(exc))
