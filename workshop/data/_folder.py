"""CIFAR-10 from image files: a folder or a ``.zip`` in the class-folder layout.

Many copies of CIFAR-10 exist only as images (public mirrors, a USB stick of PNGs, the layout
``keras.utils.image_dataset_from_directory`` reads)::

    <root>/train/<class>/<any name>.png|.jpg|.jpeg
    <root>/test/<class>/...

``<class>`` is one of CIFAR-10's ten class names. A single wrapper folder around ``train/`` and
``test/`` is allowed (a zip of ``cifar10/``). ``load_image_folder`` returns the same arrays as the
official archive: uint8 ``(n, 32, 32, 3)`` and uint8 labels ``(n, 1)``. Grey, palette and RGBA
images become RGB; other sizes are resized to 32x32.

Nothing here unpickles anything: images are decoded by Pillow, and the decoded-array cache is
written with ``numpy.savez`` and read back with ``allow_pickle=False``.

The cache key is a fingerprint of the source (every image's name, size, modification time and
status-change time for a folder; every member's name, size and CRC-32 for a zip), so a changed
source is decoded again instead of giving stale images. A damaged cache is ignored and rewritten.

Junk that copying tools and file browsers leave behind (``.DS_Store``, ``._name``, ``Thumbs.db``,
``desktop.ini``, ``__MACOSX/``, ``.ipynb_checkpoints/``: any name starting with a dot) is skipped.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

from workshop.commands import workshop_command
from workshop.data._archive import CLASS_NAMES, Arrays
from workshop.data._cache import cache_dir
from workshop.data._errors import DataUnavailableError

__all__ = [
    "IMAGE_SUFFIXES",
    "SPLITS",
    "ImageSource",
    "count_images",
    "folder_banner",
    "load_image_folder",
    "resolve_source",
]

SPLITS = ("train", "test")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
# Left behind by copying tools and file browsers: never images, never errors. (Names that start
# with a dot, such as .DS_Store, ._photo.jpg or .ipynb_checkpoints, are skipped as hidden too.)
_JUNK_NAMES = {"thumbs.db", "desktop.ini", "__macosx"}
# Folder names people use for a CIFAR-10 class that difflib would match badly (car -> cat).
_ALIASES = {
    "aeroplane": "airplane",
    "aeroplanes": "airplane",
    "plane": "airplane",
    "planes": "airplane",
    "car": "automobile",
    "cars": "automobile",
    "auto": "automobile",
    "boat": "ship",
    "boats": "ship",
    "lorry": "truck",
    "lorries": "truck",
}
# Bump when decoding changes (resizing, colour conversion), so old caches are not reused.
_DECODE_VERSION = 2
_SIZE = 32
# A fixed order that mixes the classes, as the official batches do: Keras' validation_split
# takes the *last* images, which in class-sorted order would all be trucks.
_ORDER_SEED = 10


def _is_junk(parts: Iterable[str]) -> bool:
    return any(p.lower() in _JUNK_NAMES or p.startswith(".") for p in parts)


@dataclass(frozen=True)
class ImageSource:
    """Where the images are: a folder or a zip, and the sub-path of the layout inside it."""

    path: Path
    is_zip: bool

    @property
    def kind(self) -> str:
        return "zip of class folders" if self.is_zip else "folder of class folders"

    def describe(self) -> str:
        return f"{self.path} ({self.kind})"


def folder_banner(source: ImageSource) -> str:
    """What every load prints: where the images came from, and what was not checked.

    Only the file or folder *name*: the banner lands in stored notebook outputs and slides,
    where a full path would show someone's home folder. ``data_source()`` gives the full path.
    """
    return (
        f"ℹ️  CIFAR-10 images from {source.path.name} ({source.kind}, set by WORKSHOP_DATA).\n"
        "   Not the official archive and not hash-verified: labels come from the folder names."
    )


def resolve_source(raw: str) -> ImageSource:
    """The path in ``WORKSHOP_DATA`` as an :class:`ImageSource`, or an error saying what to do."""
    path = Path(raw).expanduser()
    if not path.exists():
        raise DataUnavailableError(
            f"WORKSHOP_DATA={raw!r}: there is no such file or folder.\n"
            "Set it to a folder (or .zip) holding train/<class>/ and test/<class>/ images, to "
            "'synthetic' for the drawn stand-in, or unset it for the official archive."
        )
    if path.is_dir():
        return ImageSource(path.resolve(), is_zip=False)
    if zipfile.is_zipfile(path):
        return ImageSource(path.resolve(), is_zip=True)
    raise DataUnavailableError(
        f"WORKSHOP_DATA={raw!r} is a file but not a .zip archive.\n"
        "Point it at a folder or a .zip holding train/<class>/ and test/<class>/ images. "
        "(The official cifar-10-python.tar.gz goes through "
        f"`{workshop_command('fetch --from <file>')}` instead, with WORKSHOP_DATA unset.)"
    )


# --- listing ----------------------------------------------------------------------------------


def _list_folder(root: Path) -> tuple[list[str], dict[str, tuple[int, ...]]]:
    """Relative POSIX paths of every file under ``root``, and (size, mtime_ns, ctime_ns) of each.

    The status-change time catches a same-size file copied in with its old modification time
    kept (``cp -p``, ``rsync -a``, unzip): no tool can set it back. (On Windows it is the creation
    time, so only size and modification time count there.)
    """
    names: list[str] = []
    stats: dict[str, tuple[int, ...]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not _is_junk([d])]
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        for name in filenames:
            if _is_junk([name]):
                continue
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            try:
                st = os.stat(os.path.join(dirpath, name))
            except OSError as exc:  # a dangling link, or a file removed while listing
                raise DataUnavailableError(
                    f"{os.path.join(dirpath, name)} cannot be read ({exc.strerror or exc}).\n"
                    "Copy it again, or delete it."
                ) from None
            names.append(rel)
            ctime = 0 if os.name == "nt" else st.st_ctime_ns
            stats[rel] = (st.st_size, st.st_mtime_ns, ctime)
    return names, stats


def _list_zip(zf: zipfile.ZipFile, where: Path) -> dict[str, zipfile.ZipInfo]:
    """``{normalised member name: its ZipInfo}`` for every file in the zip that is not junk."""
    members: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        raw = info.filename.replace("\\", "/")
        if info.is_dir() or raw.endswith("/"):
            continue
        posix = PurePosixPath(raw)
        if not posix.parts or posix.is_absolute() or ".." in posix.parts or ":" in posix.parts[0]:
            raise DataUnavailableError(
                f"{where}: the member {info.filename!r} would escape its folder, so the zip "
                "was not used.\nMake a new zip of the train/ and test/ folders."
            )
        if not _is_junk(posix.parts):
            # Normalised ("./train//cat/x.png" -> "train/cat/x.png"), so keep the ZipInfo to read.
            members[posix.as_posix()] = info
    return members


def _strip_wrapper(names: list[str], where: Path) -> tuple[str, list[str]]:
    """Find ``train/`` and ``test/`` at the top, or inside one wrapper folder.

    A split that is missing or empty is reported later, by name, by :func:`_split_members`.
    """

    def tops(ns: list[str]) -> set[str]:
        return {n.split("/", 1)[0] for n in ns if "/" in n}

    if tops(names) & set(SPLITS):
        return "", names
    if len(tops(names)) == 1:
        (wrapper,) = tops(names)
        inner = [n[len(wrapper) + 1 :] for n in names if n.startswith(wrapper + "/")]
        if tops(inner) & set(SPLITS):
            return wrapper + "/", inner
    raise DataUnavailableError(
        f"{where} has no train/ or test/ folder of images.\n"
        "Expected train/<class>/ and test/<class>/ folders of images (directly inside, or inside "
        f"one folder), with CIFAR-10's ten class names: {', '.join(CLASS_NAMES)}."
    )


def _suggest(name: str, classes: tuple[str, ...]) -> str | None:
    """The class a misspelt folder name was probably meant to be."""
    key = name.strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    close = difflib.get_close_matches(key, classes, n=1)
    return close[0] if close else None


def _split_members(names: list[str], where: Path) -> dict[str, list[tuple[str, int]]]:
    """``{split: [(relative path, label), ...]}``, every folder and file checked."""
    classes = CLASS_NAMES
    found: dict[str, dict[str, list[str]]] = {s: {} for s in SPLITS}
    for name in names:
        parts = name.split("/")
        if parts[0] not in SPLITS:
            continue  # a README or licence beside train/ and test/ is fine
        split = parts[0]
        if len(parts) != 3:
            raise DataUnavailableError(
                f"{where / name}: expected {split}/<class>/<image>, so this file is in the wrong "
                "place.\nMove it into its class folder, or delete it."
            )
        found[split].setdefault(parts[1], []).append(name)
    out: dict[str, list[tuple[str, int]]] = {}
    for split in SPLITS:
        folders = found[split]
        if not folders:
            raise DataUnavailableError(
                f"{where / split} holds no images.\n"
                f"Put the {split} images in {split}/<class>/ folders, one per CIFAR-10 class: "
                f"{', '.join(classes)}."
            )
        extra = sorted(set(folders) - set(classes))
        missing = [c for c in classes if c not in folders]
        if extra or missing:
            lines = [f"{where / split}: its class folders do not match CIFAR-10's ten classes."]
            for name in extra:
                close = _suggest(name, classes)
                hint = f" (did you mean {close!r}?)" if close else ""
                lines.append(f"  unexpected folder {name!r}{hint}")
            lines += [f"  missing folder {name!r}" for name in missing]
            lines.append(
                f"Rename or remove the folders listed; the ten names are: {', '.join(classes)}."
            )
            raise DataUnavailableError("\n".join(lines))
        members = []
        for label, cls in enumerate(classes):
            for name in sorted(folders[cls]):
                if not name.lower().endswith(IMAGE_SUFFIXES):
                    raise DataUnavailableError(
                        f"{where / name} is not a PNG or JPEG file.\n"
                        "Only .png, .jpg and .jpeg images belong in the class folders: move it out."
                    )
                members.append((name, label))
        out[split] = members
    return out


# --- decoding ---------------------------------------------------------------------------------


def _decode(raw: bytes, name: str) -> np.ndarray:
    """One image, decoded by the same rule as a learner's own photos (``workshop.photos``)."""
    from workshop.photos import PhotoError, decode_photo

    try:
        return decode_photo(raw, name, _SIZE, crop=False, on_white=False)
    except PhotoError as exc:
        raise DataUnavailableError(
            f"{exc}.\nIt may be truncated or damaged: copy it again, or delete it."
        ) from None


def _decode_all(
    members: list[tuple[str, int]], read: Callable[[str], bytes], where: Path
) -> tuple[np.ndarray, np.ndarray]:
    images = np.empty((len(members), _SIZE, _SIZE, 3), dtype=np.uint8)
    labels = np.empty((len(members), 1), dtype=np.uint8)

    def work(i: int) -> None:
        name, label = members[i]
        try:
            raw = read(name)
        except (OSError, RuntimeError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            # A file that vanished or is unreadable; a damaged, encrypted or oddly packed member.
            raise DataUnavailableError(
                f"{where / name} cannot be read ({exc}).\nCopy it again, or delete it."
            ) from None
        images[i] = _decode(raw, str(where / name))
        labels[i] = label

    # Pillow releases the GIL while decoding, so threads use the laptop's cores.
    pool = ThreadPoolExecutor(min(8, os.cpu_count() or 1))
    try:
        for _ in pool.map(work, range(len(members))):
            pass
    finally:
        # On the first bad image, stop at once rather than decoding the other 59,999 first.
        pool.shutdown(wait=True, cancel_futures=True)
    order = np.random.default_rng(_ORDER_SEED).permutation(len(members))
    return images[order], labels[order]


# --- caching ----------------------------------------------------------------------------------


def _cache_file(source: ImageSource) -> Path:
    key = hashlib.sha256(str(source.path).encode()).hexdigest()[:16]
    return cache_dir() / "workshop-images" / f"{key}.npz"


def _read_cache(path: Path, fingerprint: str) -> Arrays | None:
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            if str(npz["fingerprint"]) != fingerprint:
                return None
            arrays = (npz["x_train"], npz["y_train"]), (npz["x_test"], npz["y_test"])
    except Exception:  # only a speed-up: anything damaged or odd is decoded again
        return None
    for x, y in arrays:
        if (
            x.dtype != np.uint8
            or y.dtype != np.uint8
            or x.ndim != 4
            or x.shape[1:] != (_SIZE, _SIZE, 3)
            or y.shape != (len(x), 1)
        ):
            return None
    return arrays


def _write_cache(path: Path, fingerprint: str, arrays: Arrays) -> None:
    (x_train, y_train), (x_test, y_test) = arrays
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(
                    fh,
                    fingerprint=np.array(fingerprint),
                    x_train=x_train,
                    y_train=y_train,
                    x_test=x_test,
                    y_test=y_test,
                )
            os.replace(tmp, path)  # atomic: a reader sees the old cache or the new one
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as exc:
        # Only a speed-up: a read-only or full disk must not stop the lesson.
        print(f"(could not cache the decoded images in {path.parent}: {exc.strerror or exc})")


def _fingerprint(source: ImageSource, entries: Iterable[tuple]) -> str:
    payload = json.dumps([_DECODE_VERSION, str(source.path), sorted(entries)])
    return hashlib.sha256(payload.encode()).hexdigest()


# --- the entry point --------------------------------------------------------------------------


def _open_zip(source: ImageSource) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(source.path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise DataUnavailableError(
            f"{source.path} cannot be opened as a zip ({exc}).\n"
            "It may be damaged or still being copied: copy it again."
        ) from None


def _layout(source: ImageSource, names: list[str]) -> tuple[str, list[str], Path]:
    """``(wrapper prefix, names inside it, the folder they are relative to)``."""
    prefix, inner = _strip_wrapper(names, source.path)
    return prefix, inner, source.path / prefix


def count_images(source: ImageSource) -> tuple[int, int]:
    """``(train, test)`` image counts, the layout checked as a load checks it, nothing decoded.

    Raises :class:`DataUnavailableError` with what to fix, as :func:`load_image_folder` would.
    """
    if source.is_zip:
        with _open_zip(source) as zf:
            names = list(_list_zip(zf, source.path))
    else:
        names, _ = _list_folder(source.path)
    _, inner, root = _layout(source, names)
    members = _split_members(inner, root)
    return len(members["train"]), len(members["test"])


def load_image_folder(source: ImageSource, use_cache: bool = True) -> Arrays:
    """Decode (or read from cache) every image of ``source`` into Keras-style arrays."""
    if source.is_zip:
        with _open_zip(source) as zf:
            infos = _list_zip(zf, source.path)
            prefix, inner, root = _layout(source, list(infos))
            entries = [(n, infos[prefix + n].file_size, infos[prefix + n].CRC) for n in inner]
            fingerprint = _fingerprint(source, entries)
            read = lambda n: zf.read(infos[prefix + n])  # noqa: E731 - used while zf is open
            return _load(source, fingerprint, inner, use_cache, read, root)
    names, stats = _list_folder(source.path)
    prefix, inner, root = _layout(source, names)
    fingerprint = _fingerprint(source, [(n, *stats[prefix + n]) for n in inner])
    return _load(source, fingerprint, inner, use_cache, lambda n: (root / n).read_bytes(), root)


def _load(
    source: ImageSource,
    fingerprint: str,
    names: list[str],
    use_cache: bool,
    read: Callable[[str], bytes],
    where: Path,
) -> Arrays:
    cache = _cache_file(source)
    if use_cache and (hit := _read_cache(cache, fingerprint)) is not None:
        return hit
    members = _split_members(names, where)
    total = sum(len(m) for m in members.values())
    print(f"Decoding {total:,} images (once: later loads reuse the decoded copy)...")
    arrays = (
        _decode_all(members["train"], read, where),
        _decode_all(members["test"], read, where),
    )
    if use_cache:
        _write_cache(cache, fingerprint, arrays)
    return arrays
