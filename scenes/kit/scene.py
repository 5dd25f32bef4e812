"""The base of every scene: its declaration, parameter values, trace, theme, language, cues.

A scene is made from what its :class:`~scenes.kit.params.SceneSpec` declares::

    SlidingWindow()                                   # defaults: ``manim render`` does this
    SlidingWindow(values=spec.resolve({"stride": 2}))  # the trace is computed from values
    SlidingWindow(values, trace, theme="light", lang="zh")  # the build passes its trace

The trace is computed once (by the build, or here when none is given); ``setup`` and
``construct`` only read it.
"""

from __future__ import annotations

import sys
import weakref
from typing import Any

import numpy as np
from manim import Camera, RendererType, Scene, config
from manim.renderer.cairo_renderer import CairoRenderer
from manim.utils.family import extract_mobject_family_members

from scenes.kit.i18n import tr
from scenes.kit.params import SceneSpec, Values
from scenes.kit.theme import THEMES, Theme


class PathCachingCamera(Camera):
    """Manim's Cairo camera, keeping each VMobject's Cairo path while its points stay the same.

    Manim rebuilds every drawn VMobject's path point by point in Python on every frame
    (``set_cairo_context_path``: a split into subpaths, a loop of ``curve_to``), also for
    the static background it redraws once per ``play``; for a glyph that is most of the
    cost of drawing it. This camera keeps the built path, with a copy of the points it
    was built from, and replays it (``append_path``, in C) when the points are unchanged
    byte for byte, so the pixels are the same. It also keeps the flattened family of what
    it draws from one frame to the next while no submobject list in it has changed.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.paths: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self.drawing_on = self.context = self.family = None

    def get_mobjects_to_display(self, mobjects, include_submobjects=True, excluded_mobjects=None):
        if not include_submobjects or excluded_mobjects:
            return super().get_mobjects_to_display(mobjects, include_submobjects, excluded_mobjects)
        mobjects = list(mobjects)
        kept = self.family
        if kept is None or kept[0] != mobjects or any(m.submobjects != subs for m, subs in kept[2]):
            members = extract_mobject_family_members(mobjects)  # as manim's, then filtered
            kept = self.family = (mobjects, members, [(m, list(m.submobjects)) for m in members])
        shown = [m for m in kept[1] if len(m.points)]
        return sorted(shown, key=lambda m: m.z_index) if self.use_z_index else shown

    def get_cairo_context(self, pixel_array):
        # one context, for the array drawn on now (HandOffRenderer replaces it every frame;
        # manim's cache, keyed by id(), would keep every old frame alive)
        if pixel_array is not self.drawing_on:
            self.pixel_array_to_cairo_context.clear()
            self.context = super().get_cairo_context(pixel_array)
            self.drawing_on = pixel_array
        return self.context

    def set_cairo_context_path(self, ctx, vmobject):
        points = vmobject.points
        if len(points) == 0:
            return super().set_cairo_context_path(ctx, vmobject)
        key = points.tobytes()
        kept = self.paths.get(vmobject)
        if kept is not None and kept[0] == key:
            ctx.new_path()
            ctx.append_path(kept[1])
            return self
        super().set_cairo_context_path(ctx, vmobject)
        self.paths[vmobject] = (key, ctx.copy_path())
        return self


class HandOffRenderer(CairoRenderer):
    """Manim's Cairo renderer, handing each finished frame to the encoder without a copy.

    Manim copies the camera's pixels (8 MB at 1080p) for every frame it queues for the
    encoder; this renderer gives the encoder the camera's array itself and lets the camera
    draw the next frame on a fresh one. Every frame begins by overwriting the whole array
    (with the static background, or the background colour), so the pixels are the same.
    Use it with :class:`PathCachingCamera`, which keeps no context of a handed-off array.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.handed: list[np.ndarray] = []  # frames given away, reused once nobody holds them

    def get_frame(self):
        frame = self.camera.pixel_array
        self.camera.pixel_array = self.spare_array(frame)
        self.handed.append(frame)
        return frame

    def spare_array(self, like: np.ndarray) -> np.ndarray:
        """A handed-off array no one holds any more (the encoder is done with it), or a new one
        (fresh memory costs page faults on the first write: about as much as a copy)."""
        for index in range(len(self.handed)):
            # no references but the list's and getrefcount's argument
            if sys.getrefcount(self.handed[index]) == 2 and self.handed[index].shape == like.shape:
                return self.handed.pop(index)
        if len(self.handed) > 32:  # still held (queued frames, the static background): let go
            del self.handed[0]
        return np.empty_like(like)


class ConvScene(Scene):
    """Base class: ``spec``, ``values``, ``trace``, ``theme``, ``lang``, ``tr`` and ``cue``.

    ``cue(text)`` records a caption starting now; the build writes them as WebVTT.
    ``title_text`` names the video in the gallery.

    ``fast_drawing = True`` (opt-in, per scene class) draws with :class:`PathCachingCamera`
    and :class:`HandOffRenderer`, and during a ``play`` runs the updaters of only the
    mobjects that had updaters when it began (manim walks every family on every frame):
    the same pixels, a fraction of the work per frame. A scene that adds updaters while an
    animation plays must leave it off.
    """

    spec: SceneSpec
    title_text = "convanim"
    fast_drawing = False

    def __init__(
        self,
        values: Values | None = None,
        trace: Any = None,
        theme: str = "dark",
        lang: str = "en",
        **kwargs,
    ):
        self.values = values if values is not None else self.spec.resolve()
        self.trace = trace if trace is not None else self.spec.make_trace(self.values)
        self.theme_name, self.lang = theme, lang
        self.cues: list[tuple[float, str]] = []
        if self.fast_drawing and config.renderer == RendererType.CAIRO and "renderer" not in kwargs:
            skip = kwargs.get("skip_animations", False)
            kwargs["renderer"] = HandOffRenderer(
                camera_class=PathCachingCamera, skip_animations=skip
            )
        super().__init__(**kwargs)

    @property
    def theme(self) -> Theme:
        return THEMES[self.theme_name]

    def setup(self):
        self.camera.background_color = self.theme.background

    def begin_animations(self) -> None:
        super().begin_animations()
        if self.fast_drawing:
            self.updating = [m for m in self.get_mobject_family_members() if m.updaters]

    def play_internal(self, skip_rendering: bool = False) -> None:
        try:
            super().play_internal(skip_rendering)
        finally:
            self.updating = None

    def update_mobjects(self, dt: float) -> None:
        if getattr(self, "updating", None) is None:
            return super().update_mobjects(dt)
        for mob in self.updating:
            mob.update(dt, recursive=False)

    def tr(self, template: str, **values) -> str:
        """``template`` in the scene's language, with ``values`` filled in."""
        return tr(template, self.lang, **values)

    def cue(self, text: str) -> None:
        """Start a caption now (it lasts until the next cue or the end of the video)."""
        self.cues.append((float(self.time), text))
