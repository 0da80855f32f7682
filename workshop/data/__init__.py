"""CIFAR-10 for the notebooks: verified, cached, parsed, subset; or a drawn stand-in.

This is the data package's public face: what the notebooks, the command line, the doctor and the
tools use. The modules whose names start with ``_`` are its parts and may change; the tests and
benchmarks import what only they need (the archive's name, size and hash, parsing, hashing, the
server, the drawn stand-in) from those modules directly.

``load_cifar10()`` returns exactly what ``keras.datasets.cifar10.load_data()`` returns
(uint8 images ``(n, 32, 32, 3)``, uint8 labels ``(n, 1)``), optionally a class-balanced subset.

The environment variable ``WORKSHOP_DATA`` picks the source:
- unset or ``cifar10``: the real archive from Keras' cache, downloaded (and verified) if missing;
- a folder or ``.zip`` path: CIFAR-10 as image files in ``train/<class>/`` and ``test/<class>/``;
  not hash-verified, and every load says so;
- ``synthetic``: ten drawn shapes with the same shapes and dtypes, no download (a venue with no
  copy of the data at all). It says so loudly every time it is loaded.

Getting the archive onto a laptop: ``fetch_command`` / ``python -m workshop fetch`` (from the
internet, a classmate's ``serve-data`` or a USB stick; a dropped download continues where it
stopped, and ``describe_leftovers`` tells the doctor what a killed one left); sharing
it with the room: ``serve_command`` / ``python -m workshop serve-data``, which also serves the
wheelhouse ``make wheelhouse`` made (``workshop.wheelhouse``) so a laptop can install offline.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from workshop.data._archive import CLASS_NAMES
from workshop.data._cache import archive_path
from workshop.data._errors import DataUnavailableError
from workshop.data._fetch import fetch_command
from workshop.data._folder import count_images, resolve_source
from workshop.data._load import class_names, data_mode, data_source, load_cifar10, to_float
from workshop.data._partial import describe_leftovers
from workshop.data._verify import cached_archive

if TYPE_CHECKING:
    from workshop.data._serve import serve_command

# Loaded on first use: the HTTP server is for the instructor's laptop, not for every import.
_LAZY = {"serve_command": "_serve"}

__all__ = [
    # the notebooks
    "CLASS_NAMES",
    "class_names",
    "load_cifar10",
    "to_float",
    # where the images come from, and the one error a learner sees
    "DataUnavailableError",
    "data_mode",
    "data_source",
    # the command line: getting the archive and sharing it with the room
    "fetch_command",
    "serve_command",
    # the doctor and tools: where the archive lives, whether it is there, what a killed fetch
    # left, and what an image folder holds
    "archive_path",
    "cached_archive",
    "count_images",
    "describe_leftovers",
    "resolve_source",
]


def __getattr__(name: str) -> object:
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
