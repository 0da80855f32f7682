"""Photos from a phone or a laptop folder, made into a model's square input, one rule for all.

Notebook 06 reads a learner's own photos with it, and the CIFAR-10 class-folder source
(``WORKSHOP_DATA=<folder>``) decodes its images with the same :func:`decode_photo`:

- the EXIF orientation a phone writes is applied (a portrait photo stays upright);
- a large JPEG is decoded at a reduced scale (Pillow's ``draft``), so a 50 or 200 MP photo
  takes a fraction of its full memory and never trips Pillow's decompression-bomb guard;
- the photo is cropped to a centred square before it is resized (no squashed faces);
- PNG, JPEG, WebP, BMP and the first frame of a GIF are read; transparency becomes white;
- HEIC/HEIF (iPhone) is named, with what to do, instead of failing as "not an image".

:func:`load_photo_folder` reads a folder (or ``.zip``) of class folders, reports duplicates
and files that are not photos, and refuses a folder it cannot learn from, saying why.
:func:`split_per_class` makes a held-out set with the same share of every class.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np

__all__ = [
    "FEW_PHOTOS",
    "PhotoError",
    "PhotoSet",
    "decode_photo",
    "load_photo_folder",
    "photos_from_files",
    "split_per_class",
    "uploaded_files",
]

# Fewer photos than this in a class: it still loads, with a warning.
FEW_PHOTOS = 10
# A class this many times bigger than the smallest: warned as unbalanced.
UNBALANCED = 3.0
# The biggest photo decoded, in pixels before reduction: a 200 MP phone photo fits, a crafted
# 40,000 x 40,000 "image" does not (Pillow's own guard is 179 MP, for the full decode).
LARGEST_PIXELS = 250_000_000
HEIC_SUFFIXES = {".heic", ".heif", ".hif"}
_HEIC_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"hevm", b"mif1", b"msf1")
_SKIP_PARTS = ("__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini")
HEIC_ADVICE = (
    "HEIC is the iPhone's photo format, which this workshop cannot read: export the photos as "
    "JPEG (Photos app: File > Export; or on the iPhone, Settings > Camera > Formats > Most "
    "Compatible, then take them again), or send them to yourself by e-mail, which converts them"
)


class PhotoError(ValueError):
    """A file that cannot be used as a photo, or a folder that cannot be learned from."""


def _is_heic(raw: bytes, name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in HEIC_SUFFIXES or (
        raw[4:8] == b"ftyp" and raw[8:12] in _HEIC_BRANDS
    )


def decode_photo(
    raw: bytes, name: str = "photo", size: int = 32, *, crop: bool = True, on_white: bool = True
) -> np.ndarray:
    """``raw`` file bytes as a ``(size, size, 3)`` uint8 RGB array: upright, centre-cropped.

    ``crop=False`` resizes the whole image instead and ``on_white=False`` drops transparency
    (the colours under it stay): how the CIFAR-10 class-folder source reads a mirror's images,
    which are the whole 32x32 photo already. Raises :class:`PhotoError` naming ``name`` when
    the bytes are not an image it can read.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    if _is_heic(raw, name):
        raise PhotoError(f"{name}: {HEIC_ADVICE}")
    try:
        with _opened(raw) as img:
            width, height = img.size
            # A JPEG decodes at reduced scale; anything else decodes whole, so Pillow's own
            # limit holds for it.
            cap = LARGEST_PIXELS if img.format == "JPEG" else _PILLOW_LIMIT
            if width * height > cap:
                raise PhotoError(
                    f"{name}: {width} x {height} pixels is larger than any camera photo; "
                    "resize it first"
                )
            if img.format == "JPEG":
                # Decode at 1/2, 1/4 or 1/8 scale straight from the JPEG's blocks, keeping at
                # least 4x the target so the final resize still smooths.
                img.draft("RGB", (size * 4, size * 4))
            img.seek(0)  # a GIF's (or WebP's) first frame
            img.load()  # decodes now: a truncated file fails here, with its name
            picture = _as_rgb(ImageOps.exif_transpose(img), on_white)
            if picture.size == (size, size):
                pass
            elif crop:
                picture = ImageOps.fit(picture, (size, size), method=Image.Resampling.LANCZOS)
            else:
                picture = picture.resize((size, size), Image.Resampling.BICUBIC)
            return np.asarray(picture, dtype=np.uint8)
    except PhotoError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        zlib.error,
    ) as exc:
        raise PhotoError(f"{name} cannot be read as an image ({exc})") from None


_PILLOW_LIMIT = 178_956_970  # Pillow's Image.MAX_IMAGE_PIXELS * 2: its decompression-bomb error


def _opened(raw: bytes):
    """``Image.open`` with the size checked by :func:`decode_photo` instead of Pillow, whose
    guard would refuse a 200 MP phone JPEG that ``draft`` decodes in a few MB."""
    from PIL import Image

    limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        return Image.open(io.BytesIO(raw))
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def _as_rgb(img, on_white: bool):
    from PIL import Image

    if img.mode.startswith("I"):
        # 16-bit grey PNG: Pillow's convert() clips to 255 (white), so keep the top byte.
        wide = np.asarray(img).astype(np.int64)
        img = Image.fromarray((np.clip(wide, 0, 65535) >> 8).astype(np.uint8))
    if img.mode in ("P", "PA") or (on_white and img.mode == "LA"):
        img = img.convert("RGBA")  # palette transparency survives only via RGBA
    if on_white and img.mode == "RGBA":
        white = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, img)
    return img.convert("RGB") if img.mode != "RGB" else img


@dataclass
class PhotoSet:
    """A learner's photos: images, labels, the class names, and what was left out and why."""

    images: np.ndarray  # (n, size, size, 3) uint8
    labels: np.ndarray  # (n,) int64, indexes into class_names
    class_names: list[str]
    names: list[str]  # each image's file, as "class/file.jpg"
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (file, same as)

    def counts(self) -> dict[str, int]:
        return {c: int(np.sum(self.labels == i)) for i, c in enumerate(self.class_names)}

    def warnings(self) -> list[str]:
        """What could make the comparison unfair: small or unbalanced classes, files left out."""
        said = []
        counts = self.counts()
        few = [f"{c} ({n})" for c, n in counts.items() if n < FEW_PHOTOS]
        if few:
            said.append(
                f"fewer than {FEW_PHOTOS} photos in {', '.join(few)}: accuracy on so few photos "
                "moves a lot from one split to the next; add photos if you can"
            )
        smallest, largest = min(counts.values()), max(counts.values())
        if largest >= UNBALANCED * smallest:
            said.append(
                f"unbalanced: {largest} photos in the biggest class, {smallest} in the smallest; "
                "a model can score well by guessing the big class, so compare with chance below"
            )
        if self.duplicates:
            said.append(
                f"{len(self.duplicates)} duplicate file(s) left out, e.g. "
                f"{self.duplicates[0][0]} (same as {self.duplicates[0][1]})"
            )
        if self.skipped:
            said.append(
                f"{len(self.skipped)} file(s) left out, e.g. {self.skipped[0][0]}: "
                f"{self.skipped[0][1]}"
            )
        return said


def _skip(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return any(p in _SKIP_PARTS or p.startswith("._") for p in parts)


def photos_from_files(files: Iterable[tuple[str, bytes]], size: int = 32) -> PhotoSet:
    """Photos from ``(path, bytes)`` pairs whose path is ``class/file`` (after any wrapper
    folder). Raises :class:`PhotoError` when no class, one class, or an empty class is found."""
    entries = [(name.replace("\\", "/").strip("/"), raw) for name, raw in files]
    entries = [(n, r) for n, r in entries if n and not _skip(n)]
    entries = _without_wrapper(entries)
    by_class: dict[str, list[tuple[str, bytes]]] = {}
    loose = []
    for name, raw in entries:
        parts = PurePosixPath(name).parts
        if len(parts) < 2:
            loose.append(name)
            continue
        by_class.setdefault(parts[0], []).append(("/".join(parts), raw))
    _check_classes(by_class, loose)
    seen: dict[str, str] = {}
    images, labels, names = [], [], []
    skipped, duplicates = [], []
    class_names = sorted(by_class)
    for label, class_name in enumerate(class_names):
        for name, raw in sorted(by_class[class_name]):
            digest = hashlib.sha256(raw).hexdigest()
            if digest in seen:
                duplicates.append((name, seen[digest]))
                continue
            try:
                images.append(decode_photo(raw, name, size))
            except PhotoError as why:
                skipped.append((name, str(why).removeprefix(f"{name}: ")))
                continue
            seen[digest] = name
            labels.append(label)
            names.append(name)
    empty = [c for i, c in enumerate(class_names) if i not in set(labels)]
    if empty:
        raise PhotoError(
            f"no readable photo in the class folder(s) {', '.join(empty)}"
            + (f" ({skipped[0][0]}: {skipped[0][1]})" if skipped else "")
        )
    return PhotoSet(
        np.stack(images),
        np.asarray(labels, dtype=np.int64),
        class_names,
        names,
        skipped,
        duplicates,
    )


def _without_wrapper(entries: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """Drop one folder that holds everything (a zip of "my-photos/cat/..., my-photos/dog/...")."""
    while entries:
        tops = {PurePosixPath(n).parts[0] for n, _ in entries}
        depths = {len(PurePosixPath(n).parts) for n, _ in entries}
        if len(tops) != 1 or min(depths) < 3:
            break
        top = tops.pop()
        entries = [(n[len(top) + 1 :], r) for n, r in entries]
    return entries


def _check_classes(by_class: dict[str, list], loose: list[str]) -> None:
    layout = "put the photos in one folder per class, e.g. photos/cat/*.jpg and photos/dog/*.jpg"
    if not by_class:
        found = f" (found {len(loose)} file(s) with no class folder)" if loose else ""
        raise PhotoError(f"no class folders{found}: {layout}")
    if len(by_class) == 1:
        only = next(iter(by_class))
        raise PhotoError(f"only one class, {only!r}: a classifier needs at least two. {layout}")


def load_photo_folder(source: str | Path, size: int = 32) -> PhotoSet:
    """Photos from a folder of class folders, or a ``.zip`` of them."""
    path = Path(source).expanduser()
    if not path.exists():
        raise PhotoError(f"{path} does not exist: give the folder (or .zip) of class folders")
    if path.is_file():
        if not zipfile.is_zipfile(path):
            raise PhotoError(f"{path} is a file but not a .zip: give a folder or a .zip")
        with zipfile.ZipFile(path) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            return photos_from_files(((m.filename, zf.read(m)) for m in members), size)
    files = sorted(p for p in path.rglob("*") if p.is_file())
    return photos_from_files(
        ((p.relative_to(path).as_posix(), p.read_bytes()) for p in files), size
    )


def uploaded_files(value: object) -> list[tuple[str, bytes]]:
    """``(name, bytes)`` of each file an upload gave: ipywidgets 8's ``FileUpload.value`` (a tuple
    of dicts), ipywidgets 7's (a dict of name to dict), or Colab's ``files.upload()`` (a dict of
    name to bytes)."""
    if isinstance(value, dict):
        out = []
        for name, item in value.items():
            content = item.get("content") if isinstance(item, dict) else item
            out.append((str(name), bytes(content)))
        return out
    if isinstance(value, (tuple, list)):
        return [(str(item["name"]), bytes(item["content"])) for item in value]
    raise TypeError(
        f"value: expected an upload's value (dict or tuple), got {type(value).__name__}"
    )


def split_per_class(
    labels: np.ndarray, held_out: float = 0.25, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Indexes ``(train, test)``: the same share of every class held out, at least one photo of
    each class on both sides (a class needs two photos for that)."""
    labels = np.asarray(labels)
    if not 0 < held_out < 1:
        raise ValueError(f"held_out: expected a fraction between 0 and 1, got {held_out}")
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        if len(members) < 2:
            raise ValueError(f"labels: class {label} has {len(members)} photo; at least 2 needed")
        n_test = min(len(members) - 1, max(1, round(held_out * len(members))))
        test.extend(members[:n_test])
        train.extend(members[n_test:])
    return np.sort(np.asarray(train)), np.sort(np.asarray(test))
