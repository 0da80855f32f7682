"""Drawn stand-in photos for notebook 06, for a learner who has no photos of their own yet.

Three classes of pictures drawn on this computer (nothing is downloaded, no one's photo is
used): *dots*, *stripes* and *rings*, each on a random background with random colours, sizes and
positions. They are made like a phone's photos so that the loader shows what it does with
those: 400 x 300 JPEGs, some stored sideways with an EXIF orientation, one PNG with a
transparent background, and one file copied twice (reported as a duplicate).

They prove that the notebook runs end to end; they say nothing about how well a network does
on real photos (the instructor guide's table measures that on real photos).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

__all__ = ["CLASSES", "make_folder"]

CLASSES = ("dots", "rings", "stripes")
WIDTH, HEIGHT = 400, 300
_EXIF_ORIENTATION = 0x0112
_SIDEWAYS = 6  # "rotate 90 degrees clockwise to show": how a phone held upright stores it


def _background(rng: np.random.Generator):
    from PIL import Image

    top, bottom = rng.integers(0, 256, size=(2, 3))
    rows = np.linspace(0.0, 1.0, HEIGHT)[:, None, None]
    picture = top * (1 - rows) + bottom * rows + rng.normal(0, 8, (HEIGHT, WIDTH, 3))
    return Image.fromarray(np.clip(picture, 0, 255).astype(np.uint8))


def _colour(rng: np.random.Generator) -> tuple[int, int, int]:
    return tuple(int(v) for v in rng.integers(0, 256, size=3))


def _draw(kind: str, rng: np.random.Generator):
    from PIL import ImageDraw

    picture = _background(rng)
    pen = ImageDraw.Draw(picture)
    if kind == "dots":
        for _ in range(rng.integers(4, 12)):
            x, y, r = rng.integers(0, WIDTH), rng.integers(0, HEIGHT), rng.integers(10, 40)
            pen.ellipse((x - r, y - r, x + r, y + r), fill=_colour(rng))
    elif kind == "rings":
        for _ in range(rng.integers(1, 4)):
            x, y = rng.integers(60, WIDTH - 60), rng.integers(60, HEIGHT - 60)
            colour, width = _colour(rng), int(rng.integers(5, 12))
            for r in range(int(rng.integers(15, 30)), int(rng.integers(60, 120)), 2 * width):
                pen.ellipse((x - r, y - r, x + r, y + r), outline=colour, width=width)
    elif kind == "stripes":
        angle = rng.uniform(0, np.pi)
        gap, width, colour = int(rng.integers(25, 60)), int(rng.integers(8, 20)), _colour(rng)
        dx, dy = np.cos(angle), np.sin(angle)
        for offset in range(-WIDTH, WIDTH, gap):
            cx, cy = WIDTH / 2 - dy * offset, HEIGHT / 2 + dx * offset
            ends = (cx - dx * WIDTH, cy - dy * WIDTH, cx + dx * WIDTH, cy + dy * WIDTH)
            pen.line(ends, fill=colour, width=width)
    else:
        raise ValueError(f"kind: expected one of {', '.join(CLASSES)}, got {kind!r}")
    return picture


def _save(picture, path: Path, index: int) -> Path:
    from PIL import Image

    if index == 0:  # one PNG with a transparent border: the loader puts it on white
        rgba = picture.convert("RGBA")
        alpha = np.full((HEIGHT, WIDTH), 255, dtype=np.uint8)
        alpha[:20], alpha[-20:] = 0, 0
        rgba.putalpha(Image.fromarray(alpha))
        path = path.with_suffix(".png")
        rgba.save(path)
        return path
    path = path.with_suffix(".jpg")
    if index % 4 == 1:  # stored sideways, as a phone does; EXIF says how to turn it upright
        exif = Image.Exif()
        exif[_EXIF_ORIENTATION] = _SIDEWAYS
        picture.transpose(Image.Transpose.ROTATE_90).save(path, quality=85, exif=exif)
    else:
        picture.save(path, quality=85)
    return path


def make_folder(folder: str | Path | None = None, per_class: int = 16, seed: int = 0) -> Path:
    """Write ``per_class`` drawn photos of each of :data:`CLASSES` into ``folder/<class>/``
    (a new temporary folder if none is given) and return the folder."""
    if per_class < 2:
        raise ValueError(f"per_class: at least 2 photos a class are needed, got {per_class}")
    root = Path(folder) if folder is not None else Path(tempfile.mkdtemp()) / "demo_photos"
    rng = np.random.default_rng(seed)
    for kind in CLASSES:
        (root / kind).mkdir(parents=True, exist_ok=True)
        for index in range(per_class):
            _save(_draw(kind, rng), root / kind / f"{kind}_{index:02d}", index)
    first = root / CLASSES[0] / f"{CLASSES[0]}_01.jpg"
    (root / CLASSES[0] / "dots_01_copy.jpg").write_bytes(first.read_bytes())
    return root
