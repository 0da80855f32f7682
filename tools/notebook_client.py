"""Execute a notebook with nbclient so that a stalled client costs a second, not the timeout.

The stall: nbclient waits for a cell's ``execute_reply`` with one ``zmq.asyncio`` poll lasting the
whole cell timeout. When that poll misses the socket's wake-up (the zmq file descriptor signals
edge-triggered; nbclient also *sends* on the same shell socket from another task when it answers
an ``Output`` widget's comm messages, as a front-end would), the reply sits unread in the
socket. When the timeout fires, pyzmq's poller takes one last non-blocking look, finds the
reply and returns it as if nothing happened: the cell "took" exactly the timeout, with the
kernel and the client both idle, and no error. Notebook 03 (explorers that draw into ``Output``
widgets) was seen to stall 300 s (the learner test's timeout) and 606 s (a 600 s timeout).

:class:`GuardedNotebookClient` polls the shell and IOPub sockets in one-second slices, so a missed
wake-up is recovered by the next slice; it records every wake-up a poll missed (``late``);
and it gives each cell a timeout that fits it (:func:`cell_timeout`), naming the notebook and
the cell when one runs out.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone
from pathlib import Path
from queue import Empty

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError

# Longest a cell that does not train may take on a slow 2-core laptop: far below the 600 s a
# stall used to cost, far above the few seconds such cells need.
QUICK_CELL_S = 120
# Cells that call Keras' fit (or a helper named train...) get the caller's training budget.
TRAINS = re.compile(r"\.fit\(|\btrain\w*\(")
# A missed wake-up costs at most this long.
POLL_SLICE_S = 1.0
# A reply read this long after the kernel sent it waited unseen in the socket.
LATE_S = 0.5


def cell_timeout(source: str, training_s: int, quick_s: int | None = None) -> int:
    """Seconds a code cell may run: ``training_s`` if it trains a model, else ``quick_s``
    (default QUICK_CELL_S)."""
    if TRAINS.search(source):
        return training_s
    return QUICK_CELL_S if quick_s is None else quick_s


def _slice_polls(channel, name: str, late: list[tuple[str, float]]) -> None:
    """Make ``channel.get_msg`` poll in slices of POLL_SLICE_S; note wake-ups it missed.

    A slice that misses the wake-up still ends with pyzmq's last look at the socket, so the
    message comes back from that slice. A missed wake-up is a call that blocked and then got a
    message sent long before (the messages queued behind it come back at once, uncounted).
    """
    get_msg = channel.get_msg

    async def sliced(timeout: float | None = None):
        start = time.monotonic()
        deadline = None if timeout is None else start + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                msg = await get_msg(
                    timeout=POLL_SLICE_S if left is None else min(left, POLL_SLICE_S)
                )
            except Empty:
                if left is not None and left <= POLL_SLICE_S:
                    raise
                continue
            sent = msg.get("header", {}).get("date")
            if isinstance(sent, datetime) and time.monotonic() - start > LATE_S:
                waited = (datetime.now(timezone.utc) - sent).total_seconds()
                if waited > LATE_S:
                    late.append((name, waited))
            return msg

    channel.get_msg = sliced


class GuardedNotebookClient(NotebookClient):
    """An nbclient ``NotebookClient`` that cannot stall silently (see the module docstring).

    ``name`` is how errors name the notebook; ``training_s`` is the timeout of cells that train.
    """

    def __init__(
        self,
        nb: nbformat.NotebookNode,
        *,
        name: str,
        training_s: int,
        quick_s: int | None = None,
        **kwargs,
    ) -> None:
        quick_s = QUICK_CELL_S if quick_s is None else quick_s
        if training_s <= 0 or quick_s <= 0:
            raise ValueError(
                f"training_s and quick_s must be positive seconds, got {training_s} and {quick_s}"
            )
        super().__init__(
            nb, timeout_func=lambda cell: cell_timeout(cell.source, training_s, quick_s), **kwargs
        )
        self.name = name
        # (channel, seconds) for each message that waited unseen: a wake-up the poll missed
        self.late: list[tuple[str, float]] = []

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        _slice_polls(kc.shell_channel, "shell", self.late)
        _slice_polls(kc.iopub_channel, "iopub", self.late)
        return kc

    async def async_execute_cell(
        self,
        cell: nbformat.NotebookNode,
        cell_index: int,
        execution_count: int | None = None,
        store_history: bool = True,
    ) -> nbformat.NotebookNode:
        try:
            return await super().async_execute_cell(
                cell, cell_index, execution_count, store_history
            )
        except CellTimeoutError as exc:
            first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            raise CellTimeoutError(
                f"{self.name}, cell {cell_index} ({first[:60]!r}): no reply within "
                f"{self._get_timeout(cell)} s. A training cell may need a larger budget; any "
                "other cell is hung (the client no longer stalls on a reply it missed)."
            ) from exc


def execute_in(
    nb: nbformat.NotebookNode,
    folder: Path,
    *,
    name: str,
    training_s: int,
    quick_s: int | None = None,
    allow_errors: bool = False,
) -> GuardedNotebookClient:
    """Execute ``nb`` in place with a kernel working in ``folder`` (files the notebook writes
    land there); return the client, whose ``late`` lists the replies it waited for.

    The one place that executes notebooks with nbclient: the tools, the tests (through
    tests/notebook_runs.py) and the Colab mirror's runner all come here."""
    client = GuardedNotebookClient(
        nb,
        name=name,
        training_s=training_s,
        quick_s=quick_s,
        kernel_name="python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()
    return client
