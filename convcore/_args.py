"""Argument normalisation and validation shared by every convcore function.

Every user-facing check lives here, so that each error message is written once and
each function raises ``ValueError`` naming the offending value (never ``assert``).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

Pair = tuple[int, int]
Pads = tuple[int, int, int, int]  # top, bottom, left, right


def integer(value, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an ``int``, checking it is an integer ``>= minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an int, got {value!r}")
    if value < minimum:
        kind = "positive" if minimum == 1 else f">= {minimum}"
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    return int(value)


def pair(value, name: str, minimum: int = 1) -> Pair:
    """Return ``value`` as an ``(int, int)`` pair, checking each entry is ``>= minimum``."""
    sequence = isinstance(value, (tuple, list)) or (isinstance(value, np.ndarray) and value.ndim)
    items = tuple(value) if sequence else (value, value)
    if len(items) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    try:
        return integer(items[0], name, minimum), integer(items[1], name, minimum)
    except ValueError as exc:
        if "must be an int" in str(exc):
            raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}") from None
        raise ValueError(f"{str(exc).split(',')[0]}, got {value!r}") from None


def as_float_array(a, name: str, ndims: tuple[int, ...]) -> np.ndarray:
    """Convert ``a`` to a floating NumPy array with one of ``ndims`` dimensions, all finite."""
    try:
        arr = np.asarray(a)
    except (TypeError, ValueError) as exc:  # ragged nested lists
        raise ValueError(f"{name} is not a rectangular numeric array: {exc}") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise ValueError(f"{name} must be numeric, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"{name} must be real, got dtype {arr.dtype}")
    if arr.ndim not in ndims:
        want = " or ".join(f"{d}-D" for d in ndims)
        raise ValueError(f"{name} must be {want}, got {arr.ndim}-D with shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape})")
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity")
    return arr


def batched(x: np.ndarray) -> tuple[np.ndarray, bool]:
    """Add a batch axis to an unbatched ``(C, H, W)`` array; report whether one was added."""
    if x.ndim == 3:
        return x[None], True
    return x, False


def conv_pads(padding, kernel: Pair, stride: Pair, dilation: Pair) -> Pads:
    """Resolve ``padding`` (int, pair, ``'valid'`` or ``'same'``) to explicit per-side pads.

    ``'same'`` follows PyTorch: total padding ``D·(K−1)``, the odd extra on the bottom/right,
    and only for stride 1.
    """
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0, 0, 0
        if padding == "same":
            if stride != (1, 1):
                raise ValueError(f"padding='same' needs stride 1, got stride={stride}")
            th, tw = (d * (k - 1) for d, k in zip(dilation, kernel, strict=True))
            return th // 2, th - th // 2, tw // 2, tw - tw // 2
        raise ValueError(f"padding must be an int, a pair, 'valid' or 'same', got {padding!r}")
    ph, pw = pair(padding, "padding", minimum=0)
    return ph, ph, pw, pw


def real(value, name: str, minimum: float | None = None) -> float:
    """Return ``value`` as a finite ``float``, checking it is ``>= minimum`` when given."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return float(value)


def generator(rng) -> np.random.Generator:
    """Return ``rng``, checking it is a ``numpy.random.Generator`` (no global seeds)."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {rng!r}")
    return rng


def check_finite(what: str, results, inputs: dict) -> None:
    """Raise ``ValueError`` if any array in ``results`` holds an infinity or NaN.

    Traces call this on their products and sums: finite ``inputs`` (name → array) whose
    products or sums overflow float64 (e.g. 1e308 · 2) would otherwise be drawn as ``inf``.
    """
    if all(np.all(np.isfinite(r)) for r in results):
        return
    largest = ", ".join(f"largest |{k}| {float(np.max(np.abs(v))):.3g}" for k, v in inputs.items())
    raise ValueError(
        f"{what} overflow: a product or sum is not a finite float64 number ({largest}); "
        "use smaller values"
    )
