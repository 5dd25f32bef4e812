"""The base of every scene: its declaration, parameter values, trace, theme, language, cues.

A scene is made from what its :class:`~scenes.kit.params.SceneSpec` declares::

    SlidingWindow()                                   # defaults: ``manim render`` does this
    SlidingWindow(values=spec.resolve({"stride": 2}))  # the trace is computed from values
    SlidingWindow(values, trace, theme="light", lang="zh")  # the build passes its trace

The trace is computed once (by the build, or here when none is given); ``setup`` and
``construct`` only read it.
"""

from __future__ import annotations

import functools
from typing import Any

from manim import RendererType, Scene, config

from scenes.kit.drawing import HandOffRenderer, PathCachingCamera, RepeatingFileWriter
from scenes.kit.i18n import tr
from scenes.kit.params import SceneSpec, Values
from scenes.kit.text import caption
from scenes.kit.theme import THEMES, Theme


class ConvScene(Scene):
    """Base class: ``spec``, ``values``, ``trace``, ``theme``, ``lang``, ``tr`` and ``cue``.

    ``cue(text)`` records a caption starting now; the build writes them as WebVTT.
    Methods marked :func:`beat` record where each step of the explanation starts.
    ``title_text`` names the video in the gallery.

    ``fast_drawing = True`` (opt-in, per scene class) renders with the kit's shortcuts in
    :mod:`scenes.kit.drawing`, a fraction of manim's work per frame: ``PathCachingCamera``
    (Cairo paths kept, fades of large mobjects composited from one picture, gliding glyphs
    moved by Cairo), ``HandOffRenderer`` (no copy per frame, only the box last drawn
    restored, a static background reused), ``RepeatingFileWriter`` (a ``wait``'s frame
    converted once), and, during a ``play``, the updaters of only the mobjects that had
    updaters when it began (manim walks every family on every frame). The frames are
    manim's, but while a large mobject fades (one picture at the fade's opacity) and
    within antialiasing while a :class:`~scenes.kit.anim.Glide` moves glyphs
    (``tests/test_scenes/test_fast_drawing.py``). A scene that adds updaters while an
    animation plays must leave it off.
    """

    spec: SceneSpec
    title_text = "convanim"
    fast_drawing = False
    caption_y = -3.72  #: where :meth:`show_caption` centres the caption
    caption = None  #: the caption on screen (:meth:`show_caption`)

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
        self.beats: list[tuple[float, str]] = []  #: (start second, method name), see beat
        self._beat_depth = 0
        if self.fast_drawing and config.renderer == RendererType.CAIRO and "renderer" not in kwargs:
            skip = kwargs.get("skip_animations", False)
            kwargs["renderer"] = HandOffRenderer(
                RepeatingFileWriter, camera_class=PathCachingCamera, skip_animations=skip
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

    def show_caption(self, text: str, cue: bool = False) -> None:
        """Swap the caption at the bottom of the frame (a snap: captions change often);
        with ``cue``, also start a video caption with the same text."""
        if cue:
            self.cue(text)
        if self.caption is not None:
            self.remove(self.caption)
        self.caption = caption(text, self.theme, 22).move_to([0, self.caption_y, 0])
        self.add(self.caption)

    def cue(self, text: str) -> None:
        """Start a caption now (it lasts until the next cue or the end of the video)."""
        self.cues.append((float(self.time), text))


def beat(method):
    """Mark a scene method as one beat: a step of the explanation a lecturer may stop
    after (one slide of a step-through deck). Its start time and name are appended to
    ``scene.beats`` when it is called; a beat called from inside another beat is part of
    the outer one."""

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        if self._beat_depth == 0:
            self.beats.append((float(self.time), method.__name__))
        self._beat_depth += 1
        try:
            return method(self, *args, **kwargs)
        finally:
            self._beat_depth -= 1

    return run
