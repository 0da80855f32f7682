"""Photographs: the one grey conversion, resizing, the bundled sample photo, model inputs.

The sample photograph ships inside matplotlib, so no notebook needs the internet for an image.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "LUMA",
    "SAMPLE_PHOTOS",
    "as_model_input",
    "resize",
    "sample_photo",
    "square_photo",
    "to_gray",
]

# name -> file in matplotlib's sample data
SAMPLE_PHOTOS = {"grace_hopper": "grace_hopper.jpg"}

# ITU-R BT.601 weights of red, green and blue in perceived brightness (luma).
LUMA = np.array([0.299, 0.587, 0.114])


def to_gray(image: object) -> np.ndarray:
    """Luminance of an RGB image as float in [0, 1] (ITU-R BT.601 weights)."""
    arr = np.asarray(image, dtype=float)
    if arr.ndim == 2:
        return arr / 255.0 if arr.max() > 1 else arr
    if arr.ndim != 3 or arr.shape[2] < 3:
        raise ValueError(f"image must be (H, W) or (H, W, 3), got shape {arr.shape}")
    if arr.max() > 1:
        arr = arr / 255.0
    return arr[..., :3] @ LUMA


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


def square_photo(size: int = 512) -> np.ndarray:
    """The bundled sample photograph, gray, cropped to a ``size`` x ``size`` square.

    The crop keeps the top of the picture (the face) and the middle columns.
    """
    photo = sample_photo(gray=True)
    side = min(photo.shape)
    square = photo[:side, (photo.shape[1] - side) // 2 :][:, :side]
    return square if side == size else resize(square, (size, size))


def as_model_input(image: object, shape: tuple[int, int, int], name: str = "image") -> np.ndarray:
    """A photograph as float32 in [0, 1] with a model's (height, width, channels).

    uint8 photos (and floats in 0..255) are scaled to [0, 1] like the training images, other
    sizes are resized, and gray and colour are converted to what the model takes.
    """
    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = arr[..., None]
    if arr.ndim != 3 or arr.shape[2] not in (1, 3, 4):
        raise ValueError(
            f"{name} must be an (height, width, 3) colour or (height, width) gray image, "
            f"got shape {np.asarray(image).shape}"
        )
    arr = arr[..., :3]
    arr = arr.astype(np.float32) / 255.0 if arr.dtype == np.uint8 or arr.max() > 1.0 else arr
    arr = np.asarray(arr, dtype=np.float32)
    h, w, c = shape
    if arr.shape[:2] != (h, w):
        arr = np.clip(resize(arr, (h, w)), 0.0, 1.0).astype(np.float32)
    if c == 3 and arr.shape[2] == 1:
        arr = np.repeat(arr, 3, axis=2)
    elif c == 1 and arr.shape[2] == 3:
        arr = to_gray(arr)[..., None].astype(np.float32)
    return arr
