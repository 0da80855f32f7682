"""Start Debian's Chromium and a throwaway JupyterLab: shared by the browser tests and the
browser benchmark (``benchmarks/bench_widgets_browser.py``), so both measure the same setup.

Chromium: `apt-get install -y chromium` (Playwright cannot download its own browser here).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
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

# True once the open notebook's kernel is idle (window.jupyterapp needs expose_app_in_browser).
KERNEL_IDLE = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = w && w.sessionContext && w.sessionContext.session
    && w.sessionContext.session.kernel;
  return !!(w.content && kernel && kernel.status === 'idle');
}"""


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def free_port() -> int:
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
        headers = {"Authorization": f"token {self.token}"}
        request = urllib.request.Request(f"{self.url}/api/kernels", headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            kernels = json.load(response)
        for kernel in kernels:
            request = urllib.request.Request(
                f"{self.url}/api/kernels/{kernel['id']}", headers=headers, method="DELETE"
            )
            urllib.request.urlopen(request, timeout=30).close()


def server_environment(work: Path, source: Path = ROOT) -> dict[str, str]:
    """Environment for a test's Jupyter server: its own runtime and config folders in ``work``;
    kernels import ``workshop`` from ``source`` and train on the synthetic stand-in."""
    env = {
        **os.environ,
        # Notebook 05 trains: the synthetic stand-in keeps it short and offline.
        "WORKSHOP_DATA": "synthetic",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "JUPYTER_RUNTIME_DIR": str(work / "runtime"),
        "JUPYTER_CONFIG_DIR": str(work / "config"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(source), os.environ.get("PYTHONPATH")])),
    }
    env.pop("MPLBACKEND", None)  # the kernel must draw inline, not with the tests' Agg
    return env


def changed_environment(
    env: Mapping[str, str], changes: Mapping[str, str | None]
) -> dict[str, str]:
    """A copy of ``env`` with ``changes`` made: a value replaces, None removes."""
    changed = dict(env)
    for name, value in changes.items():
        if value is None:
            changed.pop(name, None)
        else:
            changed[name] = value
    return changed


def server_options(port: int, token: str) -> list[str]:
    """Options every test server gets: loopback only, a fixed token, the app object exposed."""
    options = [
        "--no-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        "--LabApp.expose_app_in_browser=True",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        options.append("--allow-root")
    return options


@contextmanager
def running_jupyterlab(
    root: Path,
    work: Path,
    source: Path = ROOT,
    *,
    environment: Mapping[str, str | None] | None = None,
    tracker: Mapping[str, object] | None = None,
) -> Iterator[Lab]:
    """JupyterLab on a free port serving ``root``; its settings and logs live in ``work``.

    Kernels import the ``workshop`` package of the checkout ``source`` (this one by default)
    and train on the synthetic stand-in.
    ``environment`` changes the server's (and so the kernels') environment: a value replaces,
    None removes (``{"WORKSHOP_DATA": None}``: the official archive instead of the stand-in).
    ``tracker`` adds notebook settings (``@jupyterlab/notebook-extension:tracker``), e.g.
    ``{"recordTiming": True}``.
    Raises RuntimeError (with the end of the server log) when it does not start in 60 s.
    """
    port, token = free_port(), secrets.token_hex(16)
    env = changed_environment(server_environment(work, source), environment or {})
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        *server_options(port, token),
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        f"--LabApp.user_settings_dir={work / 'settings'}",
        f"--LabApp.workspaces_dir={work / 'workspaces'}",
    ]
    # Render every cell, not only those on screen, so widget checks see the whole notebook.
    tracker_dir = work / "settings" / "@jupyterlab" / "notebook-extension"
    tracker_dir.mkdir(parents=True, exist_ok=True)
    (tracker_dir / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none", **(tracker or {})})
    )
    # No "official Jupyter news?" toast over the screenshots, and no fetch from outside.
    notification = work / "settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True, exist_ok=True)
    (notification / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}'
    )
    with serving(command, root, env, work / "jupyterlab.log", port, token, "JupyterLab") as lab:
        yield lab


@contextmanager
def serving(
    command: list[str], root: Path, env: dict, log: Path, port: int, token: str, name: str
) -> Iterator[Lab]:
    """Run a Jupyter server ``command`` on ``port``; stop it afterwards.

    Raises RuntimeError (with the end of the server log) when it does not answer in 60 s.
    """
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
                    tail = log.read_text()[-3000:]
                    raise RuntimeError(f"{name} did not start:\n{tail}") from None
                time.sleep(0.5)  # polling a server that is starting: no event to wait on
        yield Lab(url=url, token=token, root=root, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


# Every queued cell has run (no "[*]" prompt left) and every widget output has its view.
NOTEBOOK_SETTLED = """() => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  const code = nb.widgets.filter((c) => c.model.type === 'code');
  if (!code.some((c) => c.model.executionCount !== null)) return false;
  for (const cell of code) {
    const prompt = cell.node.querySelector('.jp-InputArea-prompt');
    if (prompt && prompt.textContent.includes('*')) return false;
    const widgets = cell.model.outputs.toJSON().filter(
      (o) => o.data && o.data['application/vnd.jupyter.widget-view+json']).length;
    const views = [...cell.node.querySelectorAll('.jp-OutputArea-output')].filter(
      (o) => o.matches('.jupyter-widgets') || o.querySelector('.jupyter-widgets')).length;
    if (views < widgets || cell.node.textContent.includes('Loading widget')) return false;
  }
  return true;
}"""


# The open notebook as JupyterLab's own model holds it: what tests/notebook_runs.py reads.
NOTEBOOK_MODEL = "() => window.jupyterapp.shell.currentWidget.content.model.toJSON()"


def open_and_run(page, lab: Lab, name: str, timeout_ms: int = 300_000) -> None:
    """Open notebook ``name`` in JupyterLab, run all its cells, wait until all have run.

    Waits on conditions only: the kernel idle, no cell queued or running, every widget
    output rendered as a widget view.
    """
    page.goto(lab.tree(name))
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=120_000)
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        f"() => ({KERNEL_IDLE})() && ({NOTEBOOK_SETTLED})()", timeout=timeout_ms, polling=250
    )


# Every code cell of the open notebook: its id, prompt number, tags, the errors it shows and
# the timing JupyterLab recorded (metadata "execution", only with the setting recordTiming).
CODE_CELLS = """() => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  return nb.widgets.filter((c) => c.model.type === 'code').map((c) => ({
    id: c.model.id,
    executionCount: c.model.executionCount,
    tags: c.model.getMetadata('tags') || [],
    execution: c.model.getMetadata('execution') || null,
    errors: c.model.outputs.toJSON().filter((o) => o.output_type === 'error')
      .map((o) => `${o.ename}: ${o.evalue}`),
  }));
}"""

# Every cell that ran has its reply time recorded (JupyterLab writes it as the reply comes).
TIMINGS_RECORDED = """() => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  return nb.widgets.every((c) => c.model.type !== 'code' || c.model.executionCount === null
    || (c.model.getMetadata('execution') || {})['shell.execute_reply'] !== undefined);
}"""


def code_cells(page, timing_grace_s: float = 0) -> list[dict]:
    """The open notebook's code cells as :data:`CODE_CELLS` reports them.

    With ``timing_grace_s``, first wait up to that long for every cell that ran to have its
    timing recorded (JupyterLab's ``recordTiming`` setting); cells still without one come
    back with ``execution`` lacking ``shell.execute_reply``.
    """
    if timing_grace_s:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            page.wait_for_function(TIMINGS_RECORDED, timeout=timing_grace_s * 1000, polling=250)
        except PlaywrightTimeout:
            pass
    return page.evaluate(CODE_CELLS)
