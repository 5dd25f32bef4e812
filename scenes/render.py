"""Render one scene in-process with manim, into a folder: the video, a poster, captions.

Manim's settings are applied with ``tempconfig`` for the one render only, as manim's own
``render`` command does. The build (:mod:`scenes.build`) moves the files into place.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

QUALITIES = {
    "low": "low_quality",  # 854×480, 15 fps
    "medium": "medium_quality",  # 1280×720, 30 fps
    "high": "high_quality",  # 1920×1080, 60 fps
    "4k": "fourk_quality",  # 3840×2160, 60 fps
}


@dataclass
class Made:
    """The files one render produced (kind → path) and the video's length in seconds."""

    files: dict[str, Path]
    duration: float
    title: str
    params: dict  #: every parameter the scene used, defaults included (seeds too)


def manim_settings(quality: str, media_dir: Path, name: str, fmt: str = "mp4") -> dict:
    """The manim config for one build render (its own cache off: the build decides)."""
    from manim.constants import QUALITIES as MANIM_QUALITIES

    q = MANIM_QUALITIES[QUALITIES[quality]]
    return {
        "pixel_width": q["pixel_width"],
        "pixel_height": q["pixel_height"],
        "frame_rate": q["frame_rate"],
        "media_dir": str(media_dir),
        "output_file": name,
        "disable_caching": True,
        "progress_bar": "none",
        "verbosity": "WARNING",
        "format": fmt,
        "video_encoder_options": {"preset": "ultrafast"},
    }


def render_class(scene_cls: type, folder: Path, name: str, quality: str, fmt: str = "mp4"):
    """Render ``scene_cls`` with manim below ``folder``; return (scene, produced file)."""
    from manim import tempconfig

    media = folder / "manim"
    with tempconfig(manim_settings(quality, media, name, fmt)):
        scene = scene_cls()
        scene.render()
    produced = sorted(media.rglob(f"{name}.{fmt}"))
    if len(produced) != 1:
        raise RuntimeError(f"manim produced {len(produced)} {fmt} files named {name}")
    return scene, produced[0]


def render_to_folder(job, folder: Path) -> Made:
    """Render ``job`` (a :class:`scenes.build.Job`) into ``folder``: video, poster, captions."""
    from scenes.captions import webvtt

    scene, main = render_class(job.scene_class(), folder, job.name, job.quality, job.format)
    files = {job.format: folder / f"{job.name}.{job.format}"}
    os.replace(main, files[job.format])
    if job.format != "png":
        files["poster"] = folder / f"{job.name}.png"
        save_poster(files[job.format], files["poster"])
        files["captions"] = folder / f"{job.name}.vtt"
        files["captions"].write_text(webvtt(scene.cues, scene.time), encoding="utf-8")
    return Made(files, float(scene.time), scene.tr(scene.title_text), effective_params(job))


def effective_params(job) -> dict:
    """The value of every parameter the job's scene takes, given or default (JSON-ready)."""
    from scenes import registry
    from scenes.build import canonical

    cls = job.scene_class()
    return {
        key: canonical(getattr(cls, registry.PARAM_ATTRS[key], None))
        for key in registry.get(job.scene).params
    }


def save_poster(video: Path, poster: Path) -> None:
    """Save the video's last frame as a PNG (the finished picture of the scene)."""
    import av

    with av.open(str(video)) as container:
        last = None
        for last in container.decode(container.streams.video[0]):  # noqa: B007
            pass
    if last is None:
        raise RuntimeError(f"{video} holds no frames")
    last.to_image().save(poster)


def render_scene(scene_cls: type, name: str, quality: str, output_dir: Path) -> Path:
    """Render ``scene_cls`` to ``output_dir/name.mp4`` atomically and return that path."""
    final = output_dir / f"{name}.mp4"
    with tempfile.TemporaryDirectory(prefix=f".{name}-", dir=output_dir) as tmp:
        _, produced = render_class(scene_cls, Path(tmp), name, quality)
        os.replace(produced, final)
    return final
