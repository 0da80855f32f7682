"""NumPy reference for the operations the workshop teaches.

Every function here is what deep-learning frameworks compute (convolution is
cross-correlation: the kernel is *not* flipped). Notebooks use these functions to
check learners' answers, widgets use them to draw, and the tests check them
against SciPy and TensorFlow.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from numbers import Integral
from typing import Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "ConvStep",
    "avg_pool2d",
    "conv2d",
    "conv2d_steps",
    "conv_leftover",
    "conv_output_size",
    "max_pool2d",
    "pool_argmax",
    "receptive_field",
    "relu",
    "softmax",
]

IntPair = int | tuple[int, int]
Padding = int | tuple[int, int] | Literal["valid", "same"]


# ---------------------------------------------------------------- validation


def _as_array(value: object, name: str) -> np.ndarray:
    """Turn ``value`` into a float array, or say clearly why it cannot be one."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a numeric array, got a string {value!r}")
    try:
        arr = np.asarray(value)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(
            f"{name} must be a rectangular array (every row the same length); {exc}"
        ) from None
    if arr.dtype == object:
        raise ValueError(
            f"{name} must be a rectangular numeric array; rows of different lengths "
            "or non-numbers were given"
        )
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); it needs at least one value")
    arr = arr.astype(np.float64 if arr.dtype.kind != "f" else arr.dtype, copy=False)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def _pair(value: object, name: str, minimum: int) -> tuple[int, int]:
    """Read an int or a pair of ints, each at least ``minimum``."""
    items = value if isinstance(value, (tuple, list)) else (value, value)
    if len(items) != 2 or not all(
        isinstance(v, Integral) and not isinstance(v, bool) for v in items
    ):
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
    pair = (int(items[0]), int(items[1]))
    if min(pair) < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    return pair


def _image_hwc(image: object, name: str = "image") -> tuple[np.ndarray, bool]:
    """Return ``image`` as (H, W, C) and whether it was given as 2-D."""
    arr = _as_array(image, name)
    if arr.ndim == 2:
        return arr[:, :, None], True
    if arr.ndim == 3:
        return arr, False
    raise ValueError(
        f"{name} must be 2-D (height, width) or 3-D (height, width, channels), "
        f"got {arr.ndim}-D with shape {arr.shape}"
    )


def _kernel_bank(kernel: object, channels: int) -> tuple[np.ndarray, bool]:
    """Return ``kernel`` as a bank (kh, kw, C, F) and whether F was implicit."""
    k = _as_array(kernel, "kernel")
    if k.ndim == 2:  # one 2-D kernel used on every channel, results summed
        k = np.repeat(k[:, :, None], channels, axis=2)
    if k.ndim == 3:
        k, single = k[..., None], True
    elif k.ndim == 4:
        single = False
    else:
        raise ValueError(
            "kernel must be (kh, kw), (kh, kw, channels) or a bank (kh, kw, channels, "
            f"filters), got shape {k.shape}"
        )
    if k.shape[2] != channels:
        raise ValueError(
            f"kernel has {k.shape[2]} channel(s) but image has {channels}: "
            "a kernel must be exactly as deep as the image it slides over"
        )
    return k, single


def _resolve_padding(
    padding: object, size: tuple[int, int], kernel: tuple[int, int], stride: tuple[int, int]
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Padding as ((top, bottom), (left, right))."""
    if isinstance(padding, str):
        mode = padding.lower()
        if mode == "valid":
            return (0, 0), (0, 0)
        if mode == "same":
            # TensorFlow's rule: output = ceil(n / stride); the odd pixel goes bottom/right.
            pads = []
            for n, k, s in zip(size, kernel, stride):
                out = -(-n // s)
                total = max((out - 1) * s + k - n, 0)
                pads.append((total // 2, total - total // 2))
            return pads[0], pads[1]
        raise ValueError(f"padding must be an int, a pair, 'valid' or 'same', got {padding!r}")
    ph, pw = _pair(padding, "padding", minimum=0)
    return (ph, ph), (pw, pw)


# ---------------------------------------------------------------- sizes


def _check_sizes(n: object, k: object, stride: object, padding: object) -> None:
    for name, value, low in (
        ("n", n, 1),
        ("k", k, 1),
        ("stride", stride, 1),
        ("padding", padding, 0),
    ):
        if not isinstance(value, Integral) or isinstance(value, bool):
            raise TypeError(f"{name} must be an int, got {value!r}")
        if value < low:
            raise ValueError(f"{name} must be at least {low}, got {value}")
    padded = n + 2 * padding
    if k > padded:
        raise ValueError(
            f"kernel {k} is larger than the padded input {padded} (n={n} + 2*padding={padding})"
        )


def conv_output_size(n: int, k: int, stride: int = 1, padding: int = 0) -> int:
    """Output length of a convolution or pooling along one axis: floor((n + 2p - k) / s) + 1.

    This is Keras' rule for ``padding="valid"`` (and for explicit padding): when the stride
    does not land the last window exactly on the edge, the rows or columns that no window
    reaches are dropped; :func:`conv_leftover` says how many. ``conv2d``, ``conv2d_steps``
    and the pooling functions all size their output with this rule.
    Raises ``ValueError`` when the kernel is larger than the padded input.
    """
    _check_sizes(n, k, stride, padding)
    return (n + 2 * padding - k) // stride + 1


def conv_leftover(n: int, k: int, stride: int = 1, padding: int = 0) -> int:
    """How many trailing rows (or columns) of the padded input no window reaches.

    They are dropped, silently in Keras; explorers use this number to say so out loud.
    ``conv_leftover(5, 3, stride=3) == 2``: one window covers rows 0-2, the next would start
    at row 3 and hang over the edge, so rows 3 and 4 are left over.
    """
    _check_sizes(n, k, stride, padding)
    return (n + 2 * padding - k) % stride


def receptive_field(layers: list[tuple[int, int]]) -> int:
    """Width in input pixels of the patch one output value depends on, after ``layers``.

    ``layers`` lists (window, stride) per layer in order: (3, 1) for a 3x3 convolution,
    (2, 2) for 2x2 pooling. Each layer widens the patch by (window - 1) steps of the layers
    before it, which is why pooling makes every later kernel see further.
    """
    width, jump = 1, 1
    for index, pair in enumerate(layers):
        if len(pair) != 2 or not all(isinstance(v, Integral) and v >= 1 for v in pair):
            raise ValueError(f"layers[{index}] must be (window, stride) >= 1, got {pair!r}")
        window, stride = pair
        width += (window - 1) * jump
        jump *= stride
    return int(width)


def _windows(
    x: np.ndarray, window: tuple[int, int], stride: tuple[int, int], what: str
) -> np.ndarray:
    """All windows of x (H, W, C) as (oh, ow, C, kh, kw).

    Sized by :func:`conv_output_size`: trailing rows and columns that a stride cannot reach
    are dropped, as Keras drops them.
    """
    h, w = x.shape[:2]
    if window[0] > h or window[1] > w:
        raise ValueError(f"{what} {window[0]}x{window[1]} is larger than the padded image {h}x{w}")
    oh = conv_output_size(h, window[0], stride[0])
    ow = conv_output_size(w, window[1], stride[1])
    view = sliding_window_view(x, window, axis=(0, 1))
    return view[: oh * stride[0] : stride[0], : ow * stride[1] : stride[1]]


# ---------------------------------------------------------------- convolution


def conv2d(image: object, kernel: object, stride: IntPair = 1, padding: Padding = 0) -> np.ndarray:
    """Cross-correlate ``image`` with ``kernel`` as Keras' ``Conv2D`` does (no bias).

    image:  (H, W) or (H, W, C)
    kernel: (kh, kw), (kh, kw, C) or a bank (kh, kw, C, F)
    Returns (oh, ow) for a single kernel, (oh, ow, F) for a bank.
    A 2-D kernel on a C-channel image is applied to every channel and summed.
    """
    x, _ = _image_hwc(image)
    bank, single = _kernel_bank(kernel, x.shape[2])
    s = _pair(stride, "stride", minimum=1)
    pads = _resolve_padding(padding, x.shape[:2], bank.shape[:2], s)
    x = np.pad(x, (*pads, (0, 0)))
    win = _windows(x, bank.shape[:2], s, "kernel")
    oh, ow = win.shape[:2]
    # One whole-image multiply-add per kernel tap (kh*kw of them, not one per pixel):
    # several times faster than a single einsum over the window view for large images.
    out = np.zeros((oh, ow, bank.shape[3]), dtype=np.result_type(x, bank))
    one_channel = x.shape[2] == 1  # a grey photo: a plain product, 2-3x quicker than a matmul
    for i in range(bank.shape[0]):
        for j in range(bank.shape[1]):
            shifted = x[i : i + s[0] * oh : s[0], j : j + s[1] * ow : s[1], :]
            out += shifted * bank[i, j, 0] if one_channel else shifted @ bank[i, j]
    return out[..., 0] if single else out


@dataclass(frozen=True)
class ConvStep:
    """One position of the sliding kernel: where it is, what it sees, what it adds up to."""

    row: int  # output row
    col: int  # output column
    top: int  # first row of the window in the padded image
    left: int  # first column of the window in the padded image
    patch: np.ndarray
    products: np.ndarray
    total: float


def conv2d_steps(
    image: object, kernel: object, stride: IntPair = 1, padding: Padding = 0
) -> Iterator[ConvStep]:
    """Yield every step of a single-kernel convolution in reading order.

    Coordinates refer to the padded image. ``patch`` and ``products`` keep the
    channel axis when the image has one.
    """
    x, flat = _image_hwc(image)
    bank, single = _kernel_bank(kernel, x.shape[2])
    if not single:
        raise ValueError(
            "kernel for conv2d_steps must be one kernel (kh, kw[, C]), "
            f"got a bank of shape {bank.shape}"
        )
    k = bank[..., 0]
    s = _pair(stride, "stride", minimum=1)
    pads = _resolve_padding(padding, x.shape[:2], k.shape[:2], s)
    x = np.pad(x, (*pads, (0, 0)))
    win = _windows(x, k.shape[:2], s, "kernel")  # (oh, ow, C, kh, kw)
    patches = np.moveaxis(win, 2, -1)  # (oh, ow, kh, kw, C)
    products = patches * k
    totals = products.sum(axis=(2, 3, 4))
    for r in range(totals.shape[0]):
        for c in range(totals.shape[1]):
            patch, prod = patches[r, c], products[r, c]
            if flat:
                patch, prod = patch[..., 0], prod[..., 0]
            yield ConvStep(r, c, r * s[0], c * s[1], patch, prod, float(totals[r, c]))


# ---------------------------------------------------------------- activation and pooling


def relu(x: object) -> np.ndarray:
    """max(0, x) elementwise: negatives become 0, positives pass unchanged."""
    arr = _as_array(x, "x")
    return np.maximum(arr, 0)


def softmax(logits: object, axis: int = -1) -> np.ndarray:
    """Probabilities from logits along ``axis``: positive, summing to 1, in the logits' order.

    The largest logit is subtracted first; it does not change the result, and it keeps
    ``exp`` from overflowing for large logits.
    """
    z = _as_array(logits, "logits")
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def _pool(x: object, size: IntPair, stride: IntPair | None, reducer: str) -> np.ndarray:
    arr, flat = _image_hwc(x, "x")
    window = _pair(size, "size", minimum=1)
    step = window if stride is None else _pair(stride, "stride", minimum=1)
    win = _windows(arr, window, step, "pooling window")
    out = win.max(axis=(3, 4)) if reducer == "max" else win.mean(axis=(3, 4))
    return out[..., 0] if flat else out


def max_pool2d(x: object, size: IntPair = 2, stride: IntPair | None = None) -> np.ndarray:
    """Largest value in each window (Keras ``MaxPooling2D``, padding 'valid').

    ``stride`` defaults to ``size``: windows side by side, no overlap.
    """
    return _pool(x, size, stride, "max")


def avg_pool2d(x: object, size: IntPair = 2, stride: IntPair | None = None) -> np.ndarray:
    """Mean of each window (Keras ``AveragePooling2D``, padding 'valid')."""
    return _pool(x, size, stride, "mean")


def pool_argmax(x: object, size: IntPair = 2, stride: IntPair | None = None) -> np.ndarray:
    """For a 2-D input, the (row, col) in ``x`` that each max-pooled output came from.

    Returns an int array (oh, ow, 2). Ties go to the first position in reading order.
    """
    arr = _as_array(x, "x")
    if arr.ndim != 2:
        raise ValueError(f"x must be 2-D for pool_argmax, got shape {arr.shape}")
    window = _pair(size, "size", minimum=1)
    step = window if stride is None else _pair(stride, "stride", minimum=1)
    win = _windows(arr[:, :, None], window, step, "pooling window")[:, :, 0]
    flat_idx = win.reshape(*win.shape[:2], -1).argmax(axis=-1)
    dr, dc = np.divmod(flat_idx, window[1])
    rows = np.arange(win.shape[0])[:, None] * step[0] + dr
    cols = np.arange(win.shape[1])[None, :] * step[1] + dc
    return np.stack([rows, cols], axis=-1)
