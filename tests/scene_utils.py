"""Scene tests: dry runs (no frames drawn) with a layout check after every animation.

A dry run is the expensive part of a scene test, so each scene/variant/theme/language is
dry-run once per test session (:func:`shared_dry_run`) and every test reads that result.
"""

from __future__ import annotations

import re

import numpy as np
from manim import Text, config, tempconfig

#: A Chinese character: every label and caption of a zh run holds one.
CJK = re.compile(r"[\u4e00-\u9fff]")
FRAME_MARGIN = 0.05  # scene units; the frame is 14.2 × 8
OVERLAP = 0.02  # boxes may touch by this much (glyph boxes include side bearings)
SETTINGS = {
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


def text_boxes(scene) -> tuple[list[str], np.ndarray]:
    """Texts on screen (original strings) and their boxes ``(x0, y0, x1, y1)``."""
    texts, boxes = [], []
    for mob in scene.mobjects:
        for m in mob.get_family():
            if isinstance(m, Text) and m.width > 0 and m.get_fill_opacity() > 0.05:
                points = m.get_all_points()
                texts.append(m.original_text)
                lo, hi = points.min(axis=0), points.max(axis=0)
                boxes.append([lo[0], lo[1], hi[0], hi[1]])
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


def _no_drawing(*args, **kwargs) -> None:
    return None


def dry_run(scene_cls, **kwargs):
    """Construct ``scene_cls(**kwargs)`` in manim's dry-run mode, checking the layout after
    each play. Returns the scene and the layout problems seen (with the animation index).
    """
    problems: list[str] = []

    class Checked(scene_cls):
        def play(self, *args, **kw):
            super().play(*args, **kw)
            problems.extend(f"play {self.renderer.num_plays}: {p}" for p in layout_problems(self))

    Checked.__name__ = scene_cls.__name__
    with tempconfig(SETTINGS):
        scene = Checked(**kwargs)
        # the checks read mobjects, not pixels: draw nothing (half of a dry run's time)
        scene.renderer.update_frame = _no_drawing
        scene.renderer.save_static_frame_data = _no_drawing
        scene.render()
    return scene, problems


_RUNS: dict = {}


def shared_dry_run(spec, params: dict | None = None, theme: str = "dark", lang: str = "en"):
    """``dry_run`` of the scene declared by ``spec`` with ``params`` (parsed values), once
    per session for each distinct (scene, params, theme, language)."""
    params = params or {}
    key = (spec.name, repr(sorted(params.items(), key=lambda kv: kv[0])), theme, lang)
    if key not in _RUNS:
        values = spec.resolve(params)
        trace = spec.make_trace(values)  # as the build does: one class may serve many specs
        _RUNS[key] = dry_run(spec.load(), values=values, trace=trace, theme=theme, lang=lang)
    return _RUNS[key]


def tr_templates(module) -> set[str]:
    """Every template ``module`` passes to ``self.tr``, read from its source (no render).

    Collects string literals given to ``tr`` (both branches of ``a if c else b``), the
    string values of module-level constants it indexes (``tr(CAPTIONS[k])``: tuple items
    and dict values, not dict keys) and class attributes it names (``tr(self.title_text)``).
    """
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(module))
    named = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            named[node.targets[0].id] = node.value
    found: set[str] = set()

    def collect(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)
        elif isinstance(node, ast.IfExp):
            collect(node.body)
            collect(node.orelse)
        elif isinstance(node, ast.Subscript):
            collect(node.value)
        elif isinstance(node, (ast.Tuple, ast.List)):
            for item in node.elts:
                collect(item)
        elif isinstance(node, ast.Dict):
            for item in node.values:
                collect(item)
        elif isinstance(node, (ast.Name, ast.Attribute)):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name in named:
                collect(named[name])

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "tr" and node.args:
            collect(node.args[0])
    return found


def texts(group) -> list[str]:
    """The strings of every Text in ``group`` (depth first)."""
    return [m.original_text for m in group.get_family() if hasattr(m, "original_text")]


def chinese(text: str) -> bool:
    """Whether ``text`` holds a Chinese character."""
    return bool(CJK.search(text))
