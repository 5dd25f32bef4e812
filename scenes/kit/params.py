"""Parameters of the videos, declared once; and reading the matrices users give.

Manim-free, so the command line can list and check parameters without importing it.

A :class:`Param` names one parameter: its :class:`Kind` (how text from the command line and
values from a lecture file are parsed and checked), its default and its help. A
:class:`SceneSpec` is one video's declaration: its scene class, its parameters and the
function that turns their values into the trace the scene draws. The CLI options, the
lecture-file keys, ``convanim list``, the record beside each video and its cache key are all
derived from these declarations (see ``convanim/``).

Matrices: inline text (rows separated by ``;`` or newlines, values by spaces or commas,
e.g. ``"1 2 3; 4 5 6"``), ``.csv``, ``.txt`` or ``.npy`` files (numeric, no pickles), or a
nested list from a lecture file. Nothing is ever evaluated as code.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from scenes.kit.image import DEFAULT_IMAGE, check_image

FILE_SUFFIXES = (".csv", ".txt", ".npy")


def check_legible(what: str, size, most: int, advice: str = "", why: str = "") -> None:
    """Refuse a grid too large to draw legibly: ``ValueError`` ("{what} R×C is too large to
    draw legibly (at most M×M[, why])[; advice]") when either side of ``size`` (rows,
    columns) exceeds ``most``."""
    rows, cols = size
    if max(rows, cols) > most:
        because = f", {why}" if why else ""
        then = f"; {advice}" if advice else ""
        raise ValueError(
            f"{what} {rows}×{cols} is too large to draw legibly "
            f"(at most {most}×{most}{because}){then}"
        )


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


def matrix_value(value, name: str) -> np.ndarray:
    """A nested list of numbers (from a lecture file) as a checked float array."""
    if not isinstance(value, list):
        raise ValueError(f"{name} must be a matrix (a string, a file name or an array)")
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a rectangular array of numbers") from None
    if arr.ndim < 2 or arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be a non-empty matrix of finite numbers")
    return arr


# -- kinds of parameter -------------------------------------------------------------------


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Kind:
    """How one kind of parameter is read: from command-line text and from a lecture file.

    ``text(raw, name)`` parses a command-line string; ``value(raw, name, base)`` checks a
    TOML value (``base``: the lecture file's folder, for relative file names). Both return
    the parsed value or raise ``ValueError`` with a message that starts with ``name`` or
    quotes the bad value.
    """

    metavar: str
    text: Callable[[str, str], Any]
    value: Callable[[Any, str, Path | None], Any]


def _matrix_text(raw: str, name: str):
    return parse_matrix(raw, name)


def _matrix_toml(raw, name: str, base: Path | None):
    if isinstance(raw, str):
        candidate = (base or Path(".")) / raw
        return parse_matrix(str(candidate) if candidate.is_file() else raw, name)
    return matrix_value(raw, name)


MATRIX = Kind("MATRIX", _matrix_text, _matrix_toml)


def _float_text(raw: str, name: str) -> float:
    try:
        value = float(raw.strip().replace("\u2212", "-"))
    except ValueError:
        raise ValueError(f"{name}: {raw!r} is not a valid float") from None
    return _float_toml(value, name, None)


def _float_toml(raw, name: str, base: Path | None) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
        raise ValueError(f"{name} must be a finite number, got {raw!r}")
    return float(raw)


FLOAT = Kind("FLOAT", _float_text, _float_toml)


def _pair_text(words: tuple[str, ...]):
    def parse(raw: str, name: str):
        text = raw.strip().lower()
        if text in words:
            return text
        try:
            parts = [int(p) for p in text.replace(" ", "").split(",")]
        except ValueError:
            extra = f", {' or '.join(repr(w) for w in words)}" if words else ""
            raise ValueError(f"{name}: {raw!r} is not an int or a pair like 2,1{extra}") from None
        if len(parts) not in (1, 2):
            raise ValueError(f"{name}: {raw!r} must be one or two ints")
        return parts[0] if len(parts) == 1 else tuple(parts)

    return parse


def _pair_toml(words: tuple[str, ...]):
    def check(raw, name: str, base: Path | None):
        if isinstance(raw, str) and raw in words:
            return raw
        items = raw if isinstance(raw, list) else [raw]
        if len(items) not in (1, 2) or not all(_is_int(v) for v in items):
            raise ValueError(f"{name} must be an int or a pair of ints, got {raw!r}")
        return items[0] if len(items) == 1 else tuple(items)

    return check


INT_OR_PAIR = Kind("INT|PAIR", _pair_text(()), _pair_toml(()))
PADDING = Kind("INT|PAIR|same|valid", _pair_text(("same", "valid")), _pair_toml(("same", "valid")))


def int_range(low: int, high: int | None = None) -> Kind:
    """Integers from ``low`` to ``high`` (inclusive; ``None``: no upper end)."""
    bounds = f"{low}<=x" + (f"<={high}" if high is not None else "")

    def check(raw, name: str, base: Path | None = None) -> int:
        if not _is_int(raw):
            raise ValueError(f"{name} must be an int, got {raw!r}")
        if raw < low or (high is not None and raw > high):
            raise ValueError(f"{name}: {raw} is not in the range {bounds}")
        return raw

    def text(raw: str, name: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise ValueError(f"{name}: {raw!r} is not a valid integer") from None
        return check(value, name)

    return Kind("INTEGER", text, check)


def choice(options: tuple[str, ...]) -> Kind:
    """One of ``options``."""

    def check(raw, name: str, base: Path | None = None) -> str:
        if raw not in options:
            raise ValueError(f"{name}: {raw!r} is not one of {', '.join(options)}")
        return raw

    return Kind("[" + "|".join(options) + "]", check, check)


def _bool_text(raw, name: str) -> bool:
    if isinstance(raw, bool):  # a command-line flag
        return raw
    text = str(raw).strip().lower()
    if text not in ("true", "false", "yes", "no", "1", "0", "on", "off"):
        raise ValueError(f"{name}: {raw!r} is not true or false")
    return text in ("true", "yes", "1", "on")


def _bool_toml(raw, name: str, base: Path | None) -> bool:
    if not isinstance(raw, bool):
        raise ValueError(f"{name} must be true or false, got {raw!r}")
    return raw


#: A switch: a ``--name/--no-name`` flag on the command line, ``true``/``false`` in TOML.
BOOL = Kind("BOOLEAN", _bool_text, _bool_toml)


def _layers_text(raw: str, name: str) -> tuple:
    layers = []
    for k, part in enumerate(p for p in raw.split(";") if p.strip()):
        try:
            numbers = tuple(int(v) for v in part.replace(" ", "").split(","))
        except ValueError:
            what = f"{name}: layer {k + 1} {part.strip()!r}"
            raise ValueError(f"{what} is not ints like 3,1,0,1") from None
        layers.append(_layer(numbers, name, k))
    if not layers:
        raise ValueError(f"{name}: give at least one layer, e.g. 3,1,0,1")
    return tuple(layers)


def _layer(numbers: tuple, name: str, k: int) -> tuple:
    if not 1 <= len(numbers) <= 4 or not all(_is_int(v) for v in numbers):
        raise ValueError(
            f"{name}: layer {k + 1} needs 1 to 4 ints (kernel, stride, padding, dilation)"
        )
    return numbers


def _layers_toml(raw, name: str, base: Path | None) -> tuple:
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"{name} must be a list of [kernel, stride, padding, dilation] lists")
    items = [layer if isinstance(layer, list) else [layer] for layer in raw]
    return tuple(_layer(tuple(layer), name, k) for k, layer in enumerate(items))


LAYERS = Kind("LAYERS", _layers_text, _layers_toml)


# -- declarations -------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One parameter of a video: name, kind, default and help (declared once)."""

    name: str
    kind: Kind
    default: Any
    help: str

    @property
    def option(self) -> str:
        """The command-line option, ``--input-size`` for ``input_size``."""
        return "--" + self.name.replace("_", "-")

    def but(self, **changes) -> Param:
        """This parameter with another default or help (for a scene that differs)."""
        return Param(**{**self.__dict__, **changes})


class Values(Mapping):
    """The parameter values of one video, defaults included: ``v.stride`` or ``v["stride"]``."""

    def __init__(self, values: dict):
        self._values = dict(values)

    def __getitem__(self, key: str):
        return self._values[key]

    def __getattr__(self, key: str):
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Values({self._values!r})"


@dataclass(frozen=True)
class SceneSpec:
    """One video's declaration: its scene, parameters and the trace that they determine.

    ``make_trace(values)`` computes everything the scene draws (raising ``ValueError`` on
    settings that cannot be computed or drawn legibly); it runs once per render.
    """

    name: str
    module: str
    class_name: str
    description: str
    make_trace: Callable[[Values], Any]
    params: tuple[Param, ...] = ()
    group: str = "lecture"

    def param(self, name: str) -> Param:
        """The declared parameter ``name`` (``ValueError`` if this scene has none)."""
        for p in self.params:
            if p.name == name:
                return p
        raise ValueError(f"scene {self.name!r} does not take {name!r}")

    def resolve(self, given: Mapping | None = None) -> Values:
        """Parsed values for some parameters → every parameter's value (defaults filled)."""
        given = dict(given or {})
        for key in given:
            self.param(key)
        return Values({p.name: given.get(p.name, p.default) for p in self.params})

    def load(self) -> type:
        """Import the scene module (and Manim) and return the scene class."""
        return getattr(importlib.import_module(self.module), self.class_name)


# -- parameters many videos share (a scene may change a default with ``Param.but``) -------

INPUT = Param("input", MATRIX, None, 'Input matrix: "1 2 3; 4 5 6" or a .csv/.txt/.npy file.')
KERNEL = Param("kernel", MATRIX, None, "Kernel matrix, same forms as --input.")
BIAS = Param("bias", FLOAT, None, "Bias added to every output value.")
STRIDE = Param("stride", INT_OR_PAIR, 1, "Stride: 2 or 2,1 (rows, columns).")
PADDING_PARAM = Param("padding", PADDING, 0, "Zero padding: 1, 1,2, 'same' or 'valid'.")
DILATION = Param("dilation", INT_OR_PAIR, 1, "Dilation: 2 or 2,1.")
SEED = Param("seed", int_range(0), 0, "Random seed (numpy default_rng).")
OUTPUT_PADDING = Param(
    "output_padding",
    INT_OR_PAIR,
    0,
    "Transposed convolution: extra rows/columns at the bottom/right (< stride or dilation).",
)
POOL = Param("pool", choice(("max", "avg")), "max", "Pooling: max or avg.")
CEIL_MODE = Param("ceil_mode", BOOL, False, "Pooling: round the output size up (torch's rule).")
COUNT_INCLUDE_PAD = Param(
    "count_include_pad", BOOL, True, "Average pooling: count padding zeros in the divisor."
)


# -- images and named matrices ------------------------------------------------------------


class ImageFile(NamedTuple):
    """A checked image file: its path and its bytes' SHA-256 (so the cache key follows the
    file's content; the record shows both). Read its pixels with
    :func:`scenes.kit.image.load_grey`."""

    path: str
    sha256: str


def image_file(path: str | Path, name: str = "image") -> ImageFile:
    """``path`` checked as an image (``ValueError`` in one sentence otherwise)."""
    return ImageFile(str(path), check_image(path, name))


def _image_text(raw: str, name: str) -> ImageFile:
    if not raw.strip():
        raise ValueError(f"{name}: give the path of a PNG or JPEG file")
    return image_file(Path(raw).expanduser(), name)


def _image_toml(raw, name: str, base: Path | None) -> ImageFile:
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError(f"{name} must be the path of an image file, got {raw!r}")
    path = Path(raw).expanduser()
    return image_file(path if path.is_absolute() else (base or Path(".")) / path, name)


#: An image file (PNG, JPEG, ...); a lecture file's relative path starts at its folder.
IMAGE_KIND = Kind("PATH", _image_text, _image_toml)


def name_or_matrix(names: tuple[str, ...]) -> Kind:
    """One of ``names`` (kept as the name), or a matrix in any form :data:`MATRIX` reads."""

    def text(raw: str, name: str):
        word = raw.strip().lower()
        if word in names:
            return word
        if re.fullmatch(r"[a-z][a-z_-]*", word) and not Path(raw).is_file():
            raise ValueError(f"{name}: {raw!r} is not one of {', '.join(names)} or a matrix")
        return parse_matrix(raw, name)

    def value(raw, name: str, base: Path | None):
        if isinstance(raw, str) and raw.strip().lower() in names:
            return raw.strip().lower()
        return _matrix_toml(raw, name, base)

    return Kind("NAME|MATRIX", text, value)


def names_list(names: tuple[str, ...], most: int) -> Kind:
    """1 to ``most`` different names from ``names``: ``"a,b"`` or a TOML list of strings."""

    def value(raw, name: str, base: Path | None = None) -> tuple[str, ...]:
        items = raw.split(",") if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(w, str) for w in items):
            raise ValueError(f"{name} must be names separated by commas, got {raw!r}")
        words = tuple(w.strip().lower() for w in items if w.strip())
        for word in words:
            if word not in names:
                raise ValueError(f"{name}: {word!r} is not one of {', '.join(names)}")
        if not 1 <= len(words) <= most or len(set(words)) < len(words):
            raise ValueError(f"{name}: give 1 to {most} different names, got {raw!r}")
        return words

    return Kind("NAME,NAME,...", value, value)


IMAGE = Param(
    "image",
    IMAGE_KIND,
    image_file(DEFAULT_IMAGE),
    "Image file (PNG, JPEG, colour or grey), shown in grey; default: the shipped photograph.",
)
