"""Loading CIFAR-10 from whichever source ``WORKSHOP_DATA`` names (see ``workshop.data``)."""

from __future__ import annotations

import os

import numpy as np

from workshop.commands import workshop_command
from workshop.data._archive import CLASS_NAMES, N_TEST, N_TRAIN, Arrays, WrongArchive, parse_archive
from workshop.data._cache import archive_path
from workshop.data._errors import DataUnavailableError
from workshop.data._fetch import fetch_archive
from workshop.data._folder import ImageSource, folder_banner, load_image_folder, resolve_source
from workshop.data._synthetic import SYNTHETIC_BANNER, SYNTHETIC_SHAPES, synthetic_images

_MODES = ("cifar10", "synthetic")


def data_mode() -> str:
    """``"cifar10"``, ``"synthetic"`` or ``"folder"``, from ``WORKSHOP_DATA``.

    Anything but the two keywords is a path to a folder or ``.zip`` of class folders.
    """
    raw = os.environ.get("WORKSHOP_DATA", "").strip()
    mode = raw.lower() or "cifar10"
    return mode if mode in _MODES else "folder"


def _folder_source() -> ImageSource:
    """The ``WORKSHOP_DATA`` path as an image source (an error says what to do if it is wrong)."""
    return resolve_source(os.environ["WORKSHOP_DATA"].strip())


def data_source() -> str:
    """One line saying where ``load_cifar10()`` takes its images from, and how far they are checked.

    Raises :class:`DataUnavailableError` for a ``WORKSHOP_DATA`` path that does not exist.
    """
    mode = data_mode()
    if mode == "synthetic":
        return "synthetic stand-in: drawn shapes, not CIFAR-10 (WORKSHOP_DATA=synthetic)"
    if mode == "folder":
        source = _folder_source()
        return f"image files: {source.describe()}, not the official archive, not hash-verified"
    return f"official archive, SHA-256 verified: {archive_path()}"


def class_names() -> tuple[str, ...]:
    """The names to title images with: CIFAR-10's classes, or the stand-in's shapes."""
    return SYNTHETIC_SHAPES if data_mode() == "synthetic" else CLASS_NAMES


def to_float(x: np.ndarray) -> np.ndarray:
    """uint8 images in 0..255 -> float32 in [0, 1] (float32: half the memory of float64)."""
    arr = np.asarray(x)
    if arr.dtype != np.uint8:
        raise TypeError(f"x must hold uint8 pixels 0..255, got dtype {arr.dtype}")
    return arr.astype(np.float32) / np.float32(255.0)


def _check_count(name: str, n: object, available: int) -> int | None:
    if n is None:
        return None
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{name} must be an int or None, got {type(n).__name__}")
    if not 1 <= n <= available:
        raise ValueError(f"{name} must be between 1 and {available}, got {n}")
    return int(n)


def _check_available(name: str, n: int | None, available: int) -> int | None:
    # An image folder may hold fewer than the official 50,000 / 10,000.
    if n is not None and n > available:
        raise ValueError(f"{name}={n} but the image source has only {available} images")
    return n


def stratified_subset(
    x: np.ndarray, y: np.ndarray, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` examples with every class equally represented (up to one), in shuffled order."""
    labels = np.asarray(y).reshape(-1)
    classes = np.unique(labels)
    per_class, extra = divmod(n, len(classes))
    # Which classes get the one extra example is itself drawn, so no class is always favoured.
    bonus = set(rng.choice(classes, size=extra, replace=False).tolist())
    picked = []
    for c in classes:
        pool = np.flatnonzero(labels == c)
        want = per_class + (1 if c in bonus else 0)
        if want > pool.size:
            raise ValueError(f"asked for {want} examples of class {c}, only {pool.size} exist")
        picked.append(rng.choice(pool, size=want, replace=False))
    idx = np.concatenate(picked)
    rng.shuffle(idx)
    return x[idx], y[idx]


def _load_real() -> Arrays:
    """The cached archive, downloaded first if missing; hashed again before it is unpickled."""
    path = archive_path()
    if not path.is_file():
        print("CIFAR-10 is not cached yet; downloading it once (next time it loads offline).")
        path = fetch_archive(None)
    try:
        return parse_archive(path)
    except OSError as exc:
        raise DataUnavailableError(f"Cannot read {path}: {exc}") from None
    except WrongArchive:
        raise DataUnavailableError(
            f"The cached file {path} is damaged or incomplete (its SHA-256 is wrong), so it was "
            f"not opened.\nRun `{workshop_command('fetch')}` to replace it (or --from a "
            "classmate's serve-data URL), or set WORKSHOP_DATA=synthetic to carry on with the "
            "stand-in."
        ) from None


def load_cifar10(n_train: int | None = None, n_test: int | None = None, seed: int = 0) -> Arrays:
    """``(x_train, y_train), (x_test, y_test)`` like ``keras.datasets.cifar10.load_data()``.

    ``n_train`` / ``n_test``: take a class-balanced random subset of that size (``None``: all,
    in the archive's order). The same ``seed`` gives the same subset. With
    ``WORKSHOP_DATA=synthetic`` the images are drawn shapes instead (see module docstring).
    """
    n_train = _check_count("n_train", n_train, N_TRAIN)
    n_test = _check_count("n_test", n_test, N_TEST)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    train_seq, test_seq = np.random.SeedSequence(int(seed)).spawn(2)

    if data_mode() == "synthetic":
        print(SYNTHETIC_BANNER)
        train = synthetic_images(N_TRAIN if n_train is None else n_train, seed=train_seq)
        test = synthetic_images(N_TEST if n_test is None else n_test, seed=test_seq)
        return train, test

    if data_mode() == "folder":
        source = _folder_source()
        print(folder_banner(source))
        (x_train, y_train), (x_test, y_test) = load_image_folder(source)
    else:
        (x_train, y_train), (x_test, y_test) = _load_real()
    n_train = _check_available("n_train", n_train, len(x_train))
    n_test = _check_available("n_test", n_test, len(x_test))
    if n_train is not None:
        x_train, y_train = stratified_subset(
            x_train, y_train, n_train, np.random.default_rng(train_seq)
        )
    if n_test is not None:
        x_test, y_test = stratified_subset(x_test, y_test, n_test, np.random.default_rng(test_seq))
    return (x_train, y_train), (x_test, y_test)
