"""Render one job in-process with Manim, into a folder: the video, a poster, captions.

Manim's settings apply with ``tempconfig`` for the one render only, as manim's own
``render`` command does. The scene gets the job's values and the trace the build already
computed, so the trace is computed once per video. :mod:`convanim.build` moves the files
into place.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from convanim.captions import webvtt
from convanim.jobs import QUALITIES, Job

#: x264 preset of every build: flat-colour slides encode ~2× faster, files stay small.
ENCODER_OPTIONS = {"preset": "ultrafast"}


@dataclass
class Made:
    """The files one render produced (kind → path), the video's length and its title, and
    the scene's timeline: its beats (:func:`scenes.kit.scene.beat`) and captions."""

    files: dict[str, Path]
    duration: float
    title: str
    beats: list[tuple[float, str]] = field(default_factory=list)  #: (start second, method)
    cues: list[tuple[float, str]] = field(default_factory=list)  #: (start second, caption)

    def timeline(self) -> dict:
        """The beats and captions as recorded in ``NAME.json`` (slide decks are cut from them)."""
        return {
            "beats": [{"start": round(start, 6), "name": name} for start, name in self.beats],
            "cues": [{"start": round(start, 6), "text": text} for start, text in self.cues],
        }


def manim_settings(quality: str, media_dir: Path, name: str, fmt: str = "mp4") -> dict:
    """The manim config of one build render (manim's own cache off: the build decides)."""
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
        "video_encoder_options": dict(ENCODER_OPTIONS),
    }


def render_scene(scene, folder: Path, name: str, quality: str, fmt: str = "mp4"):
    """Render the scene made by ``scene()`` under ``folder``; return it and its file.

    ``scene`` is a callable (a scene class, or a function making one) called inside the
    render's settings, as Manim reads its config when a scene is created.
    """
    from manim import tempconfig

    media = folder / "manim"
    with tempconfig(manim_settings(quality, media, name, fmt)):
        made = scene()
        made.render()
    produced = sorted(media.rglob(f"{name}.{fmt}"))
    if len(produced) != 1:
        raise RuntimeError(f"manim produced {len(produced)} {fmt} files named {name}")
    return made, produced[0]


def render_to_folder(job: Job, trace: Any, folder: Path) -> Made:
    """Render ``job`` from its ``trace`` into ``folder``: video, poster, captions."""
    cls = job.spec.load()
    values = job.values()

    def make():
        return cls(values=values, trace=trace, theme=job.theme, lang=job.lang)

    scene, main = render_scene(make, folder, job.name, job.quality, job.format)
    files = {job.format: folder / f"{job.name}.{job.format}"}
    os.replace(main, files[job.format])
    if job.format != "png":
        files["poster"] = folder / f"{job.name}.png"
        save_poster(files[job.format], files["poster"])
        files["captions"] = folder / f"{job.name}.vtt"
        files["captions"].write_text(webvtt(scene.cues, scene.time), encoding="utf-8")
    title = scene.tr(scene.title_text)
    return Made(files, float(scene.time), title, list(scene.beats), list(scene.cues))


def save_poster(video: Path, poster: Path) -> None:
    """Save the video's last frame as a PNG (the finished picture of the scene)."""
    import av

    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        last = None
        if stream.duration:
            # Jump to the last keyframe and decode only from there: the whole video is
            # decoded only when the container cannot seek (a 2 s saving at 1080p60).
            try:
                container.seek(stream.duration, stream=stream, backward=True)
            except av.error.FFmpegError:
                container.seek(0)
        for last in container.decode(stream):  # noqa: B007
            pass
    if last is None:
        raise RuntimeError(f"{video} holds no frames")
    last.to_image().save(poster)
