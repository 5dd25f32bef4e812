"""Helpers for scene tests: dry-run rendering with layout checks after every animation."""

from __future__ import annotations

import numpy as np
from manim import Text, config, tempconfig

FRAME_MARGIN = 0.05  # scene units; the frame is 14.2 × 8
OVERLAP = 0.02  # boxes may touch by this much (glyph boxes include side bearings)


def text_boxes(scene) -> tuple[list[str], np.ndarray]:
    """Texts on screen (original strings) and their boxes ``(x0, y0, x1, y1)``."""
    texts, boxes = [], []
    for mob in scene.mobjects:
        for m in mob.get_family():
            if isinstance(m, Text) and m.get_fill_opacity() > 0.05 and m.width > 0:
                texts.append(m.original_text)
                boxes.append([m.get_left()[0], m.get_bottom()[1], m.get_right()[0], m.get_top()[1]])
    return texts, np.array(boxes).reshape(-1, 4)


def layout_problems(scene) -> list[str]:
    """Texts outside the frame, and pairs of Texts that overlap, on screen right now."""
    half_w = config.frame_width / 2 - FRAME_MARGIN
    half_h = config.frame_height / 2 - FRAME_MARGIN
    texts, b = text_boxes(scene)
    outside = (b[:, 0] < -half_w) | (b[:, 2] > half_w) | (b[:, 1] < -half_h) | (b[:, 3] > half_h)
    problems = [f"off-frame: {texts[i]!r}" for i in np.flatnonzero(outside)]
    dx = np.minimum(b[:, None, 2], b[None, :, 2]) - np.maximum(b[:, None, 0], b[None, :, 0])
    dy = np.minimum(b[:, None, 3], b[None, :, 3]) - np.maximum(b[:, None, 1], b[None, :, 1])
    i, j = np.nonzero(np.triu((dx > OVERLAP) & (dy > OVERLAP), k=1))
    problems += [f"overlap: {texts[a]!r} and {texts[c]!r}" for a, c in zip(i, j, strict=True)]
    return problems


def dry_run(scene_cls):
    """Construct ``scene_cls`` in manim's dry-run mode, checking the layout after each play.

    Returns the scene and the list of layout problems seen (with the animation index).
    """
    problems: list[str] = []

    class Checked(scene_cls):
        def play(self, *args, **kwargs):
            super().play(*args, **kwargs)
            problems.extend(f"play {self.renderer.num_plays}: {p}" for p in layout_problems(self))

    Checked.__name__ = scene_cls.__name__
    settings = {
        "dry_run": True,
        "disable_caching": True,
        "verbosity": "ERROR",
        # few frames keep tests fast. Not fewer pixels: manim lays Text out in a Pango box
        # pixel_width wide, so at 192 px long lines wrap (wrong sizes for the checks, and
        # the wrapped SVGs land in media/texts, whose cache key ignores the width).
        "frame_rate": 2,
        "pixel_width": 854,
        "pixel_height": 480,
    }
    with tempconfig(settings):
        scene = Checked()
        scene.render()
    return scene, problems
