"""Lecture files: one TOML file listing the videos of a lecture, validated before rendering.

.. code-block:: toml

    slides = true               # optional, before the tables: one slide deck of the whole
                                # lecture, named after this file (see docs/slides.md)

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

from convanim import registry
from convanim.jobs import Job
from convanim.options import SETTINGS, declared, parse_toml

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
    unknown = set(data) - {"defaults", "video", "slides"}
    if unknown:
        raise LectureError(
            f"{path}: unknown key {sorted(unknown)[0]!r} (use [defaults], [[video]], slides)"
        )
    if not isinstance(data.get("slides", False), bool):
        raise LectureError(f"{path}: slides = {data['slides']!r} must be true or false")
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


def lecture_deck(path: Path) -> tuple[str, bool]:
    """The name of the lecture's slide deck (the file's name without ``.toml``) and whether
    the file asks for it (``slides = true``). Call after :func:`load_lecture` accepted it."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return check_output_name(path.stem, f"{path}: slide deck name"), data.get("slides", False)


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
    params = declared()
    for key in video:
        if key not in {"scene", "output", *params, *SETTINGS}:
            raise LectureError(f"{where}: unknown key {key!r}")
    try:
        spec = registry.get(video.get("scene"))
    except ValueError as exc:
        raise LectureError(f"{where}, key 'scene': {exc}") from None
    name = check_output_name(video.get("output", spec.name), f"{where}, key 'output'")
    where = f"{path}: video {number} ({name})"
    settings = _settings({k: v for k, v in video.items() if k in SETTINGS}, where)
    values = {}
    for key, value in video.items():
        if key not in params:
            continue
        if spec.name not in params[key][1]:
            raise LectureError(f"{where}: scene {spec.name!r} does not take {key!r}")
        try:
            values[key] = parse_toml(spec, key, value, path.parent)
        except ValueError as exc:
            raise LectureError(f"{where}, key {key!r}: {exc}") from None
    settings = {**defaults, **settings}
    return Job(name, spec.name, values, origin=where, **settings)
