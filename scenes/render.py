"""Render a scene class in-process into a final file, atomically.

The video is written inside a hidden temporary folder next to its destination and moved
into place with one ``os.replace`` only when complete: a final path holds a whole video or
nothing, even when rendering fails or is interrupted.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

QUALITIES = {
    "low": "low_quality",  # 854×480, 15 fps
    "medium": "medium_quality",  # 1280×720, 30 fps
    "high": "high_quality",  # 1920×1080, 60 fps
    "4k": "fourk_quality",  # 3840×2160, 60 fps
}


def manim_settings(quality: str, media_dir: Path, name: str) -> dict:
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
        "format": "mp4",
        "video_encoder_options": {"preset": "ultrafast"},
    }


def render_scene(scene_cls: type, name: str, quality: str, output_dir: Path) -> Path:
    """Render ``scene_cls`` to ``output_dir/name.mp4`` and return that path."""
    from manim import tempconfig

    final = output_dir / f"{name}.mp4"
    with tempfile.TemporaryDirectory(prefix=f".{name}-", dir=output_dir) as tmp:
        with tempconfig(manim_settings(quality, Path(tmp), name)):
            scene = scene_cls()
            scene.render()
            produced = Path(scene.renderer.file_writer.movie_file_path)
        os.replace(produced, final)
    return final
