"""Parsing ``cifar-10-python.tar.gz``: pickled batches of rows -> Keras-style arrays.

Nothing here is unpickled unless :func:`workshop.data._verify.verify` said the file is the
expected archive: a pickle from an unverified file could run code. Even then the unpickler may
only rebuild numpy arrays and plain data (defence in depth).
"""

from __future__ import annotations

import pickle
import tarfile
import zlib
from pathlib import Path
from typing import IO

import numpy as np

from workshop.data._cache import expected_sha256
from workshop.data._errors import DataUnavailableError
from workshop.data._verify import sha256_of, verify

# CIFAR-10's classes in label order (as in the archive's batches.meta).
CLASS_NAMES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
N_TRAIN = 50_000
N_TEST = 10_000
_BATCH_DIR = "cifar-10-batches-py"

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class WrongArchive(DataUnavailableError):
    """The file's SHA-256 is not the expected one, so nothing in it was unpickled."""


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """Defence in depth: even a verified file may only rebuild numpy arrays and plain data."""

    _ALLOWED = {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
    }

    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a CIFAR-10 batch")
        if module.startswith("numpy.core") and hasattr(np, "_core"):
            module = "numpy._core" + module[len("numpy.core") :]  # numpy 2 name, no warning
        return super().find_class(module, name)


def _read_batch(fh: IO[bytes], member: str) -> tuple[np.ndarray, np.ndarray]:
    """One pickled batch -> (rows of 3072 uint8, labels (n, 1) uint8)."""
    batch = _NumpyOnlyUnpickler(fh, encoding="bytes").load()
    # Written by Python 2: keys arrive as bytes.
    batch = {k.decode() if isinstance(k, bytes) else k: v for k, v in batch.items()}
    data = np.asarray(batch["data"], dtype=np.uint8)
    labels = np.asarray(batch["labels"], dtype=np.uint8)
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or data.shape[0] != labels.size:
        raise DataUnavailableError(f"{member} has data of shape {data.shape}: not CIFAR-10.")
    return data, labels.reshape(-1, 1)


def _rows_to_images(rows: list[np.ndarray]) -> np.ndarray:
    """Rows of 1024 red, then 1024 green, then 1024 blue values -> (n, 32, 32, 3)."""
    out = np.empty((sum(len(r) for r in rows), 32, 32, 3), dtype=np.uint8)
    flat = out.reshape(len(out), 1024, 3)
    start = 0
    for r in rows:
        planes = r.reshape(len(r), 3, 1024)
        for c in range(3):  # one plane at a time: much faster than one big transposed copy
            flat[start : start + len(r), :, c] = planes[:, c]
        start += len(r)
    return out


def parse_archive(path: Path, sha256: str | None = None) -> Arrays:
    """Parse ``cifar-10-python.tar.gz`` at ``path`` into Keras-style arrays.

    The file is hashed first and nothing is unpickled unless its SHA-256 equals ``sha256``
    (default: the official hash; else :class:`WrongArchive`): a pickle from an unverified file
    could run code. Hash and parse read one open file, so a file swapped in between is never
    parsed; neither holds the 170 MB in memory.
    """
    with open(path, "rb") as fh:
        verdict = verify(path=Path(path), sha256=sha256_of(fh), expected=sha256)
        if not verdict:
            want = sha256 or expected_sha256()
            raise WrongArchive(
                f"Refusing to unpack a CIFAR-10 archive whose SHA-256 is {verdict.sha256}, "
                f"not {want}."
            )
        fh.seek(0)
        return _parse(fh)


def _parse(fh: IO[bytes]) -> Arrays:
    """The arrays in a file :func:`verify` has just accepted."""
    wanted = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    found: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    try:
        # One pass in archive order: a gzip stream cannot seek backwards cheaply.
        with tarfile.open(fileobj=fh, mode="r|gz") as tar:
            for member in tar:
                name = member.name.removeprefix(f"{_BATCH_DIR}/")
                if member.isfile() and member.name.startswith(_BATCH_DIR) and name in wanted:
                    found[name] = _read_batch(tar.extractfile(member), member.name)
    except (tarfile.TarError, zlib.error, EOFError) as exc:
        # Only a file that matched a hash set by a test can get here: the official one is sound.
        raise DataUnavailableError(f"The archive is not a readable .tar.gz ({exc}).") from None
    missing = [n for n in wanted if n not in found]
    if missing:
        raise DataUnavailableError(
            f"The archive has no {_BATCH_DIR}/{missing[0]}: it is not CIFAR-10."
        )
    train = [found[n] for n in wanted[:5]]
    x_train = _rows_to_images([b[0] for b in train])
    y_train = np.concatenate([b[1] for b in train])
    x_test = _rows_to_images([found["test_batch"][0]])
    return (x_train, y_train), (x_test, found["test_batch"][1])
