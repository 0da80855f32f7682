"""Real-browser fixtures: Debian's Chromium driven by Playwright, and a throwaway JupyterLab.

Chromium: `apt-get install -y chromium` (Playwright cannot download its own browser here).
Outside CI a missing Chromium skips these tests with that hint; under CI (CI=true) it fails.
Screenshots go to test-artifacts/screenshots/ (gitignored); the session prints the folder.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_HINT = "install Chromium with `sudo apt-get install -y chromium` (Debian/Ubuntu)"


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    log: Path

    def tree(self, name: str) -> str:
        # reset: start from an empty workspace, not the tabs an earlier test left open
        return f"{self.url}/lab/tree/{name}?reset&token={self.token}"

    def shutdown_kernels(self) -> None:
        """Stop every kernel, so notebooks opened later get the two cores to themselves."""
        import json

        headers = {"Authorization": f"token {self.token}"}
        request = urllib.request.Request(f"{self.url}/api/kernels", headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            kernels = json.load(response)
        for kernel in kernels:
            request = urllib.request.Request(
                f"{self.url}/api/kernels/{kernel['id']}", headers=headers, method="DELETE"
            )
            urllib.request.urlopen(request, timeout=30).close()


@pytest.fixture(scope="session")
def jupyterlab(tmp_path_factory) -> Iterator[Lab]:
    """JupyterLab on a free port, serving a copy of notebooks/ so the run never edits the repo."""
    work = tmp_path_factory.mktemp("lab")
    root = work / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        # Notebook 05 trains: the synthetic stand-in keeps it short and offline.
        "WORKSHOP_DATA": "synthetic",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "JUPYTER_RUNTIME_DIR": str(work / "runtime"),
        "JUPYTER_CONFIG_DIR": str(work / "config"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    env.pop("MPLBACKEND", None)  # the kernel must draw inline, not with the tests' Agg
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        f"--LabApp.user_settings_dir={work / 'settings'}",
        f"--LabApp.workspaces_dir={work / 'workspaces'}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    # Render every cell, not only those on screen, so widget checks see the whole notebook.
    tracker = work / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    # No "official Jupyter news?" toast over the screenshots, and no fetch from outside.
    notification = work / "settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}'
    )
    log = work / "jupyterlab.log"
    with log.open("w") as stream:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=stream, stderr=stream)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.5)
        yield Lab(url=url, token=token, root=root, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
