"""Reading matrices a user gives on the command line: inline text or a file.

Inline: rows separated by ``;`` or newlines, values by spaces or commas,
e.g. ``"1 2 3; 4 5 6"``. Files: ``.csv`` (commas), ``.txt`` (spaces or commas, ``;`` too),
``.npy`` (NumPy, numeric, no pickles). Nothing is ever evaluated as code.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

FILE_SUFFIXES = (".csv", ".txt", ".npy")


def parse_matrix(text: str, name: str = "matrix") -> np.ndarray:
    """Parse inline text or load a file into a 2-D float array (``.npy``: 2-D or more).

    Raises
    ------
    ValueError
        With a message naming ``name`` and the problem (row, column, value, file).
    """
    if text.lower().endswith(FILE_SUFFIXES) or Path(text).is_file():
        return load_matrix(Path(text), name)
    return _parse_rows(text, name)


def load_matrix(path: Path, name: str) -> np.ndarray:
    """Load ``.csv``/``.txt``/``.npy`` from ``path`` (see :func:`parse_matrix`)."""
    if not path.is_file():
        raise ValueError(f"{name}: no such file: {path}")
    try:
        if path.suffix.lower() == ".npy":
            return _checked(np.load(path, allow_pickle=False), f"{name} ({path})")
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError, EOFError) as exc:
        raise ValueError(f"{name}: cannot read {path}: {_reason(exc)}") from None
    return _parse_rows(content, f"{name} ({path})")


def _reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "pickle" in text.lower():
        return "it does not hold a plain numeric array"
    return text


def _parse_rows(text: str, name: str) -> np.ndarray:
    rows = [r.strip() for r in re.split(r"[;\n]", text) if r.strip()]
    if not rows:
        raise ValueError(f"{name} is empty")
    values = []
    for i, row in enumerate(rows, start=1):
        cells = [c for c in re.split(r"[,\s]+", row) if c]
        if not cells:
            raise ValueError(f"{name}: row {i} holds no numbers")
        if values and len(cells) != len(values[0]):
            raise ValueError(
                f"{name}: row {i} has {len(cells)} values but row 1 has {len(values[0])}"
            )
        values.append([_number(c, name, i, j) for j, c in enumerate(cells, start=1)])
    return np.array(values, dtype=np.float64)


def _number(cell: str, name: str, row: int, col: int) -> float:
    try:
        value = float(cell.replace("\u2212", "-"))
    except ValueError:
        raise ValueError(f"{name}: {cell!r} is not a number (row {row}, column {col})") from None
    if not math.isfinite(value):
        raise ValueError(f"{name}: {cell!r} is not finite (row {row}, column {col})")
    return value


def _checked(arr: np.ndarray, name: str) -> np.ndarray:
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise ValueError(f"{name} must hold numbers, not {arr.dtype}")
    if arr.ndim < 2 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty matrix, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity")
    return arr.astype(np.float64)
