"""Lecture files: one TOML file listing the videos of a lecture, validated before rendering.

.. code-block:: toml

    [defaults]                  # optional: quality, format, theme, lang
    quality = "high"
    theme = "light"

    [[video]]
    scene = "sliding"           # a name from `convanim list`
    output = "01-sliding"       # file name without extension (default: the scene name)
    input = "1 2 3; 4 5 6; 7 8 9"   # inline, a file (.csv/.txt/.npy) or a TOML array
    kernel = [[1, 0], [0, 1]]
    padding = 1

Every problem is reported with the file, the video, the key and the reason.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import numpy as np

from scenes import registry
from scenes.build import FORMATS, Job
from scenes.matrices import parse_matrix
from scenes.render import QUALITIES

SETTINGS = {
    "quality": tuple(QUALITIES),
    "format": FORMATS,
    "theme": ("dark", "light"),
    "lang": ("en", "zh"),
}
VIDEO_KEYS = {"scene", "output", *registry.PARAM_ATTRS, *SETTINGS}
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class LectureError(ValueError):
    """A problem in a lecture file; the message names the file, the place and the reason."""


def check_output_name(name, where: str) -> str:
    """``name`` if it is a plain file name (no folders, no ``..``), else raise."""
    if not isinstance(name, str) or not NAME.match(name) or ".." in name:
        raise LectureError(
            f"{where}: output name {name!r} must be letters, digits, '.', '_' or '-' (no folders)"
        )
    return name


def load_lecture(path: Path, overrides: dict | None = None) -> list[Job]:
    """Read and validate a lecture file into jobs (raises :class:`LectureError`)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LectureError(f"{path}: cannot read: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LectureError(f"{path}: not valid TOML: {exc}") from None
    unknown = set(data) - {"defaults", "video"}
    if unknown:
        raise LectureError(
            f"{path}: unknown key {sorted(unknown)[0]!r} (use [defaults], [[video]])"
        )
    defaults = _settings(data.get("defaults", {}), f"{path}: [defaults]")
    videos = data.get("video", [])
    if not isinstance(videos, list) or not videos:
        raise LectureError(f"{path}: no [[video]] entries")
    jobs = [_job(v, k, path, {**defaults, **(overrides or {})}) for k, v in enumerate(videos, 1)]
    names = [job.name for job in jobs]
    for name in names:
        if names.count(name) > 1:
            raise LectureError(f"{path}: two videos are both named {name!r}")
    return jobs


def _settings(table, where: str) -> dict:
    if not isinstance(table, dict):
        raise LectureError(f"{where} must be a table")
    for key, value in table.items():
        if key not in SETTINGS:
            raise LectureError(f"{where}: unknown key {key!r} (allowed: {', '.join(SETTINGS)})")
        if value not in SETTINGS[key]:
            raise LectureError(f"{where}: {key} = {value!r} is not one of {SETTINGS[key]}")
    return dict(table)


def _job(video, number: int, path: Path, defaults: dict) -> Job:
    where = f"{path}: video {number}"
    if not isinstance(video, dict):
        raise LectureError(f"{where} must be a table")
    for key in video:
        if key not in VIDEO_KEYS:
            raise LectureError(f"{where}: unknown key {key!r}")
    try:
        entry = registry.get(video.get("scene"))
    except ValueError as exc:
        raise LectureError(f"{where}, key 'scene': {exc}") from None
    name = check_output_name(video.get("output", entry.name), f"{where}, key 'output'")
    where = f"{path}: video {number} ({name})"
    settings = _settings({k: v for k, v in video.items() if k in SETTINGS}, where)
    params = {
        k: _param(k, v, f"{where}, key {k!r}", path.parent)
        for k, v in video.items()
        if k in registry.PARAM_ATTRS
    }
    for key in params:
        if key not in entry.params:
            raise LectureError(f"{where}: scene {entry.name!r} does not take {key!r}")
    job = Job(name=name, scene=entry.name, params=params, **{**defaults, **settings})
    try:
        cls = job.scene_class()
        if hasattr(cls, "make_trace"):
            cls.make_trace()
    except ValueError as exc:
        raise LectureError(f"{where}: {exc}") from None
    return job


def _param(key: str, value, where: str, base: Path):
    try:
        if key in ("input", "kernel"):
            if isinstance(value, str):
                candidate = base / value
                return parse_matrix(str(candidate) if candidate.is_file() else value, key)
            return _array(value, key)
        if key in ("bias", "lr", "momentum"):
            return _number(value, key)
        if key == "layers":
            return _layers(value, key)
        if key in ("epochs", "seed", "bins", "input_size", "channels"):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{key} must be an int, got {value!r}")
            return value
        if key == "init":
            if not isinstance(value, str):
                raise ValueError(f"init must be a scheme name, got {value!r}")
            return value
        if key == "padding" and value in ("same", "valid"):
            return value
        return _int_or_pair(value, key)
    except ValueError as exc:
        raise LectureError(f"{where}: {exc}") from None


def _layers(value, key: str) -> tuple:
    if not isinstance(value, list) or not value:
        raise ValueError(f"{key} must be a list of [kernel, stride, padding, dilation] lists")
    layers = []
    for layer in value:
        items = layer if isinstance(layer, list) else [layer]
        if not 1 <= len(items) <= 4 or any(
            isinstance(v, bool) or not isinstance(v, int) for v in items
        ):
            raise ValueError(f"{key}: {layer!r} is not 1 to 4 ints (kernel, stride, ...)")
        layers.append(tuple(items))
    return tuple(layers)


def _array(value, key: str) -> np.ndarray:
    if not isinstance(value, list):
        raise ValueError(f"{key} must be a matrix (a string, a file name or an array)")
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{key} must be a rectangular array of numbers") from None
    if arr.ndim < 2 or arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ValueError(f"{key} must be a non-empty matrix of finite numbers")
    return arr


def _number(value, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise ValueError(f"{key} must be a finite number, got {value!r}")
    return float(value)


def _int_or_pair(value, key: str):
    items = value if isinstance(value, list) else [value]
    if len(items) not in (1, 2) or any(
        isinstance(v, bool) or not isinstance(v, int) for v in items
    ):
        raise ValueError(f"{key} must be an int or a pair of ints, got {value!r}")
    return items[0] if len(items) == 1 else tuple(items)
