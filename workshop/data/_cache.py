"""What the CIFAR-10 archive must be, and where it lives on this computer.

The archive lands exactly where Keras >= 3.6 looks for it
(``$KERAS_HOME/datasets/cifar-10-batches-py-target_archive``, default ``~/.keras``), so after one
``python -m workshop fetch`` both ``workshop.data.load_cifar10()`` and plain
``keras.datasets.cifar10.load_data()`` work offline.
"""

from __future__ import annotations

import os
from pathlib import Path

OFFICIAL_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
OFFICIAL_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
OFFICIAL_SIZE = 170_498_071
# The name Keras >= 3.6 gives the archive: get_file(fname="cifar-10-batches-py-target",
# extract=True) stores the download as "<fname>_archive" and unpacks it into "<fname>/".
ARCHIVE_NAME = "cifar-10-batches-py-target_archive"
# The name Keras < 3.6 used, still found on laptops that ran an older Keras once.
LEGACY_NAME = "cifar-10-batches-py.tar.gz"
# The name the archive has on the official server and under `serve-data`.
SERVE_NAME = "cifar-10-python.tar.gz"

# TEST-ONLY overrides, so the test suite can exercise the real download code against a small
# archive on a loopback server. Never set them for a workshop: the official hash must decide.
ENV_URL = "WORKSHOP_CIFAR10_URL"
ENV_SHA256 = "WORKSHOP_CIFAR10_SHA256"
ENV_TIMEOUT = "WORKSHOP_FETCH_TIMEOUT"


def expected_sha256() -> str:
    """The SHA-256 the archive must have (the official one unless a test overrides it)."""
    return os.environ.get(ENV_SHA256, "").strip().lower() or OFFICIAL_SHA256


def source_url() -> str:
    """Where ``fetch`` downloads from without ``--from`` (official server unless a test says)."""
    return os.environ.get(ENV_URL, "").strip() or OFFICIAL_URL


def fetch_timeout() -> float:
    """Seconds to wait for a connection or for the next bytes (tests shorten it)."""
    return float(os.environ.get(ENV_TIMEOUT, "30"))


def cache_dir() -> Path:
    """Keras' dataset cache folder: ``$KERAS_HOME/datasets``, else ``~/.keras/datasets``."""
    home = os.environ.get("KERAS_HOME")
    if home:
        return Path(home).expanduser() / "datasets"
    base = Path("~").expanduser()
    # Same fallback as Keras when the home folder cannot be written.
    if not os.access(base, os.W_OK):
        base = Path("/tmp")
    return base / ".keras" / "datasets"


def archive_path() -> Path:
    """Where the verified archive lives (whether or not it is there yet)."""
    return cache_dir() / ARCHIVE_NAME
