"""One progress bar for every long byte stream: verifying, copying, downloading."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any


@contextmanager
def progress(total: int | None, desc: str, enabled: bool = True, initial: int = 0) -> Iterator[Any]:
    """A tqdm bar in bytes (a widget in Jupyter, text in a terminal; ASCII on Windows consoles).

    ``initial``: bytes already there (a resumed download starts its bar where it stopped).
    """
    if not enabled:  # a bar nobody sees need not load tqdm (and, in Jupyter, its widgets)
        yield SimpleNamespace(update=lambda n: None)
        return
    from tqdm.auto import tqdm

    bar = tqdm(
        total=total,
        initial=initial,
        desc=desc,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        ascii=os.name == "nt",
        ncols=79,
    )
    try:
        yield bar
    finally:
        bar.close()
