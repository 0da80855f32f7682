"""Photographs that ship inside matplotlib, so no notebook needs the internet for an image."""

from __future__ import annotations

import numpy as np

__all__ = ["SAMPLE_PHOTOS", "sample_photo", "to_gray", "resize"]

# name -> file in matplotlib's sample data
SAMPLE_PHOTOS = {"grace_hopper": "grace_hopper.jpg"}


def to_gray(image: object) -> np.ndarray:
    """Luminance of an RGB image as float in [0, 1] (ITU-R BT.601 weights)."""
    arr = np.asarray(image, dtype=float)
    if arr.ndim == 2:
        return arr / 255.0 if arr.max() > 1 else arr
    if arr.ndim != 3 or arr.shape[2] < 3:
        raise ValueError(f"image must be (H, W) or (H, W, 3), got shape {arr.shape}")
    if arr.max() > 1:
        arr = arr / 255.0
    return arr[..., :3] @ np.array([0.299, 0.587, 0.114])


def resize(image: object, size: tuple[int, int]) -> np.ndarray:
    """Resize to (height, width) with Pillow's antialiasing; keeps uint8 for uint8 input."""
    from PIL import Image

    arr = np.asarray(image)
    h, w = size
    if arr.dtype == np.uint8:
        return np.asarray(Image.fromarray(arr).resize((w, h), Image.Resampling.LANCZOS))
    out = (
        [
            np.asarray(
                Image.fromarray(arr[..., c].astype(np.float32)).resize(
                    (w, h), Image.Resampling.BILINEAR
                )
            )
            for c in range(arr.shape[2])
        ]
        if arr.ndim == 3
        else [
            np.asarray(
                Image.fromarray(arr.astype(np.float32)).resize((w, h), Image.Resampling.BILINEAR)
            )
        ]
    )
    return np.stack(out, axis=-1) if arr.ndim == 3 else out[0]


def sample_photo(
    name: str = "grace_hopper", gray: bool = False, size: tuple[int, int] | None = None
) -> np.ndarray:
    """A bundled photograph: uint8 (H, W, 3), or float gray (H, W) in [0, 1] with ``gray=True``.

    ``size`` = (height, width) resizes it, e.g. (32, 32) for a CIFAR-10 model.
    """
    from matplotlib.cbook import get_sample_data

    if name not in SAMPLE_PHOTOS:
        raise ValueError(f"name must be one of {sorted(SAMPLE_PHOTOS)}, got {name!r}")
    with get_sample_data(SAMPLE_PHOTOS[name]) as handle:
        from PIL import Image

        photo = np.asarray(Image.open(handle).convert("RGB"))
    if size is not None:
        photo = resize(photo, size)
    return to_gray(photo) if gray else photo
