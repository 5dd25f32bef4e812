"""Photographs as grey arrays: the project's image input (Pillow and NumPy, no Manim).

:func:`load_grey` reads a PNG, JPEG or any other still image Pillow opens, converts it to
grey and shrinks it so that its longer side is at most ``max_side`` pixels (never
enlarging). Grey is Pillow's ``"L"`` conversion, ITU-R BT.601 luma::

    L = 0.299 R + 0.587 G + 0.114 B

after compositing any transparency over white; 16-bit grey keeps its depth (÷ 65535).
Downsampling uses Lanczos (``Image.resize``) after ``Image.reduce`` by whole factors
(``reducing_gap``), and JPEGs decode at 1/2, 1/4 or 1/8 scale (``Image.draft``) when that
is still at least ``max_side``, so a large photograph costs little memory. The camera's
EXIF orientation is applied.

Every problem with the file is a ``ValueError`` of one sentence naming it: missing, a
folder, empty, unreadable, not an image, truncated, or more than :data:`MAX_PIXELS` pixels
to decode.

:data:`DEFAULT_IMAGE` is the photograph shipped with the project: scikit-image's
``camera.png`` by Lav Varshney (CC0), downsampled to 128×128 grey.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

#: The photograph shipped with the project (128×128 grey PNG, CC0; see the module docstring).
DEFAULT_IMAGE: Path = Path(__file__).resolve().parent / "data" / "camera.png"
#: Most pixels decoded at once (after a JPEG's draft scaling): 50 megapixels.
MAX_PIXELS = 50_000_000
_SIXTEEN_BIT = ("I;16", "I;16B", "I;16L", "I;16N", "I")


def check_image(path: str | os.PathLike, name: str = "image") -> str:
    """Check that ``path`` is an image that can be decoded; return its bytes' SHA-256.

    Reads the whole file (for the digest) but decodes only the header, so it is cheap;
    :func:`load_grey` finds truncated pixel data.

    Raises
    ------
    ValueError
        One sentence starting with ``name``: see :func:`load_grey`.
    """
    path = Path(path)
    data = _read(path, name)
    with _opened(path, name) as im:
        _check_size(im, path, name)
    return hashlib.sha256(data).hexdigest()


def load_grey(path: str | os.PathLike, max_side: int, name: str = "image") -> np.ndarray:
    """Read an image as grey values in [0, 1], its longer side at most ``max_side``.

    Parameters
    ----------
    path : str or path-like
        A still image Pillow reads (PNG, JPEG, BMP, GIF's first frame, TIFF, WebP, ...).
    max_side : int
        Longest side wanted, in pixels (≥ 1). Smaller images keep their size.
    name : str
        What the messages call the image (the option, e.g. ``"--image"``).

    Returns
    -------
    (H, W) float64 array, ``max(H, W) <= max_side``, values in [0, 1] (0 black, 1 white).

    Raises
    ------
    ValueError
        When the file is missing, a folder, empty or unreadable, is not an image, is
        truncated, or holds more than :data:`MAX_PIXELS` pixels to decode.
    """
    if isinstance(max_side, bool) or not isinstance(max_side, int) or max_side < 1:
        raise ValueError(f"{name}: max_side must be a positive int, got {max_side!r}")
    path = Path(path)
    _read(path, name)
    with _opened(path, name) as im:
        if im.format == "JPEG":
            im.draft("RGB" if im.mode == "RGB" else "L", (max_side, max_side))
        _check_size(im, path, name)
        try:
            im.load()
            im = ImageOps.exif_transpose(im)
            grey, full_scale = _grey(im)
            grey = _shrink(grey, max_side)
        except (OSError, ValueError, SyntaxError) as exc:
            raise ValueError(f"{name}: cannot decode {path}: {_first_line(exc)}") from None
    return np.clip(np.asarray(grey, dtype=np.float64) / full_scale, 0.0, 1.0)


def _read(path: Path, name: str) -> bytes:
    if path.is_dir():
        raise ValueError(f"{name}: {path} is a folder, not an image file")
    if not path.exists():
        raise ValueError(f"{name}: no such file: {path}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{name}: cannot read {path}: {exc.strerror or exc}") from None
    if not data:
        raise ValueError(f"{name}: {path} is empty")
    return data


def _opened(path: Path, name: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(path)
    except Image.DecompressionBombError:
        raise ValueError(
            f"{name}: {path} has too many pixels to decode in memory (at most {MAX_PIXELS:,})"
        ) from None
    except UnidentifiedImageError:
        raise ValueError(
            f"{name}: {path} is not an image Pillow can read (PNG, JPEG, ...)"
        ) from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise ValueError(f"{name}: cannot read {path}: {_first_line(exc)}") from None


def _check_size(im: Image.Image, path: Path, name: str) -> None:
    w, h = im.size
    if w * h > MAX_PIXELS:
        raise ValueError(
            f"{name}: {path} is {w}×{h}, too many pixels to decode in memory "
            f"(at most {MAX_PIXELS:,})"
        )
    if w < 1 or h < 1:
        raise ValueError(f"{name}: {path} has no pixels ({w}×{h})")


def _grey(im: Image.Image) -> tuple[Image.Image, float]:
    """Grey image and the value that means white."""
    if im.mode in _SIXTEEN_BIT:
        return im.convert("I"), 65535.0
    if im.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in im.info:
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(white, rgba)
    return im.convert("L"), 255.0


def _shrink(im: Image.Image, max_side: int) -> Image.Image:
    w, h = im.size
    if max(w, h) <= max_side:
        return im
    scale = max_side / max(w, h)
    size = (max(1, min(max_side, round(w * scale))), max(1, min(max_side, round(h * scale))))
    return im.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# -- pictures of arrays (colours only: the values and their scales come from convcore) ------

#: Diverging colour maps for signed maps, by theme: (negative, zero, positive). A map of
#: values ≥ 0 (after ReLU) uses zero → positive.
DIVERGING = {
    "dark": ("#4F9FE8", "#1D2127", "#F5A142"),
    "light": ("#2166AC", "#F7F7F7", "#B2182B"),
}


def hex_rgb(colour: str) -> np.ndarray:
    """``"#RRGGBB"`` as three floats 0 … 255."""
    text = colour.lstrip("#")
    return np.array([int(text[k : k + 2], 16) for k in (0, 2, 4)], dtype=np.float64)


def grey_rgb(levels: np.ndarray) -> np.ndarray:
    """(H, W) grey levels 0 … 255 as an (H, W, 3) ``uint8`` picture."""
    grey = np.asarray(levels).astype(np.uint8)
    return np.stack([grey, grey, grey], axis=-1)


def diverging_rgb(scaled: np.ndarray, negative: str, zero: str, positive: str) -> np.ndarray:
    """(H, W) values in [−1, 1] as an (H, W, 3) ``uint8`` picture: ``zero``'s colour at 0,
    blending linearly to ``negative`` at −1 and ``positive`` at +1."""
    t = np.asarray(scaled, dtype=np.float64)[..., None]
    mid = hex_rgb(zero)
    rgb = np.where(t < 0, mid - (hex_rgb(negative) - mid) * t, mid + (hex_rgb(positive) - mid) * t)
    return np.round(rgb).astype(np.uint8)


def map_rgb(scaled: np.ndarray, theme: str) -> np.ndarray:
    """A map's values scaled to [−1, 1] (a trace's) as a picture in ``theme``'s
    :data:`DIVERGING` colours."""
    return diverging_rgb(scaled, *DIVERGING[theme])
