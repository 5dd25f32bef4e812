"""Animations that copy nothing: the one fade, typing, rigid moves, flights, steps.

Manim's ``Transform``, ``FadeIn``/``FadeOut`` and ``UpdateFromAlphaFunc`` deep-copy what
they animate (milliseconds per Text, ~11 ms per Transform pair); with a hundred numbers on
screen that is most of a render. These animate the very mobjects they are given.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Sequence

import numpy as np
from manim import (
    ORIGIN,
    Animation,
    Create,
    Group,
    Indicate,
    Mobject,
    VMobject,
    linear,
    smooth,
    there_and_back,
)


class Fly(Animation):
    """Move each of ``mobs`` from its source (centre and height) to where it is now.

    Parameters
    ----------
    holder : Mobject
        A group on screen that holds ``mobs`` (add them to it before playing); it is what
        the scene draws. Other mobjects in it stay still.
    mobs : sequence of Mobject
        The mobjects to move, already placed at their destinations.
    sources : sequence of Mobject
        One per mob: where (``get_center``) and how tall (``height``) it starts. A Text
        flying from a Text of the same string at another font size grows or shrinks to fit.
    lag_ratio : float
        As in ``LaggedStart``: 0 moves all together, 1 one after another.

    Raises
    ------
    ValueError
        If ``mobs`` and ``sources`` differ in length.
    """

    def __init__(
        self,
        holder: Mobject,
        mobs: Sequence[Mobject],
        sources: Sequence[Mobject],
        lag_ratio: float = 0.0,
        **kwargs,
    ):
        if len(mobs) != len(sources):
            raise ValueError(f"{len(mobs)} mobjects but {len(sources)} sources")
        self.mobs = list(mobs)
        self.ends = [(m.get_center(), m.height) for m in self.mobs]
        self.starts = [(s.get_center(), s.height) for s in sources]
        self.lag = lag_ratio
        kwargs.setdefault("rate_func", linear)
        super().__init__(holder, **kwargs)

    def create_starting_mobject(self) -> Mobject:
        return self.mobject  # nothing is interpolated from a copy: skip the deep copy

    def interpolate_mobject(self, alpha: float) -> None:
        n = len(self.mobs)
        span = 1.0 / ((n - 1) * self.lag + 1) if n else 1.0
        for k, mob in enumerate(self.mobs):
            local = smooth(float(np.clip((alpha - k * self.lag * span) / span, 0.0, 1.0)))
            (c0, h0), (c1, h1) = self.starts[k], self.ends[k]
            height = h0 + (h1 - h0) * local
            if mob.height > 0 and height > 0:
                mob.scale(height / mob.height)
            mob.move_to(c0 + (c1 - c0) * local)


class Fade(Animation):
    """Fade ``mobject`` in (added to the scene) or out (removed), without copying it.

    Linear unless a ``rate_func`` is given (e.g. ``squish_rate_func`` for a cross-fade).

    Scales the alpha of every fill and stroke colour in the family; the original alphas
    are restored when a fade-out ends, so the mobject can be shown again later.

    ``shift`` and ``scale`` move it while it fades, as in ``FadeIn(m, shift=…, scale=…)``:
    a fade-in starts ``scale`` times as large (about its centre) and ``-shift`` away and
    comes to rest where it is; a fade-out leaves towards ``+shift``, growing to ``scale``
    (its points are put back when it ends).

    Without motion, a camera that offers ``fade_layer`` (the kit's ``PathCachingCamera``,
    in scenes with ``fast_drawing``) draws a large mobject once into a picture and
    composites it with the fade's opacity on every frame, instead of drawing every glyph.
    """

    uniform = True  #: every piece at the same opacity (a fade layer may stand in for it)

    def __init__(
        self,
        mobject: Mobject,
        fade_in: bool = True,
        shift: np.ndarray | None = None,
        scale: float = 1.0,
        **kwargs,
    ):
        self.fade_in = fade_in
        self.shift_vector = None if shift is None else np.asarray(shift, dtype=float)
        self.scale_factor = scale
        kwargs.setdefault("rate_func", linear)
        super().__init__(mobject, introducer=fade_in, remover=not fade_in, **kwargs)

    def begin(self) -> None:
        self.alphas = [
            (m, m.fill_rgbas[:, 3].copy(), m.stroke_rgbas[:, 3].copy())
            for m in self.mobject.get_family()
            if isinstance(m, VMobject)
        ]
        self.points = []
        if self.shift_vector is not None or self.scale_factor != 1:
            self.centre = self.mobject.get_center()
            self.points = [(m, m.points.copy()) for m in self.mobject.get_family() if len(m.points)]
        camera, self.layer = getattr(self, "layer_camera", None), None
        if self.uniform and not self.points and hasattr(camera, "fade_layer"):
            self.layer = camera.fade_layer(self.mobject)  # drawn before the alphas change
            if self.layer is not None:
                self.layer.on_break = lambda: self.set_alphas(self.layer.opacity)
        super().begin()

    def _setup_scene(self, scene) -> None:
        super()._setup_scene(scene)
        renderer = getattr(scene, "renderer", None)
        if renderer is not None and not renderer.skip_animations:
            self.layer_camera = renderer.camera

    def create_starting_mobject(self) -> Mobject:
        return self.mobject

    def set_alphas(self, k: float) -> None:
        for m, fill, stroke in self.alphas:
            m.fill_rgbas[:, 3] = fill * k
            m.stroke_rgbas[:, 3] = stroke * k

    def interpolate_mobject(self, alpha: float) -> None:
        t = self.rate_func(alpha)
        k = t if self.fade_in else 1.0 - t
        if self.layer is None or self.layer.broken:
            self.set_alphas(k)
        else:  # the camera composites the layer's picture; alphas follow at the end
            self.layer.opacity = k
        if self.points:  # how far from where it rests: 1 → 0 in, 0 → 1 out
            away = 1.0 - t if self.fade_in else t
            factor = 1.0 + (self.scale_factor - 1.0) * away
            offset = self.centre
            if self.shift_vector is not None:
                offset = offset + (-1.0 if self.fade_in else 1.0) * away * self.shift_vector
            for m, points in self.points:
                m.points = (points - self.centre) * factor + offset

    def clean_up_from_scene(self, scene) -> None:
        super().clean_up_from_scene(scene)
        for m, fill, stroke in self.alphas:
            m.fill_rgbas[:, 3] = fill
            m.stroke_rgbas[:, 3] = stroke
        for m, points in self.points:
            m.points = points
        if self.layer is not None:
            self.layer_camera.drop_layer(self.layer)
            self.layer = None


class Type(Fade):
    """Fade ``mobject`` in piece by piece in the order it was built (a Text: glyph by glyph,
    left to right): the copy-free stand-in for ``Write``, which copies the mobject twice
    and restyles every glyph on every frame.

    ``lag_ratio`` as in ``Write`` (by default ``min(4 / pieces, 0.2)``); linear.
    """

    uniform = False

    def __init__(self, mobject: Mobject, lag_ratio: float | None = None, **kwargs):
        pieces = sum(1 for m in mobject.get_family() if len(m.points))
        self.lag = min(4.0 / max(pieces, 1), 0.2) if lag_ratio is None else lag_ratio
        super().__init__(mobject, **kwargs)

    def begin(self) -> None:
        self.pieces = [
            (m, m.fill_rgbas[:, 3].copy(), m.stroke_rgbas[:, 3].copy())
            for m in self.mobject.get_family()
            if isinstance(m, VMobject) and len(m.points)
        ]
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        span = (len(self.pieces) - 1) * self.lag + 1
        for index, (m, fill, stroke) in enumerate(self.pieces):
            k = self.rate_func(float(np.clip(alpha * span - index * self.lag, 0.0, 1.0)))
            m.fill_rgbas[:, 3] = fill * k
            m.stroke_rgbas[:, 3] = stroke * k


#: What :class:`Glide` is doing to each mobject it moves: ``mob → (bytes of the points it
#: set, the points it began from, factor, x and y shift)``, the points set being
#: ``from · factor + shift``. :class:`~scenes.kit.drawing.PathCachingCamera` reads it to draw
#: a gliding glyph from the path of its first points, scaled and moved by Cairo, instead of
#: rebuilding the path point by point on every frame.
GLIDING: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class Glide(Animation):
    """Move and scale mobjects on screen as one rigid piece, copying nothing.

    The copy-free ``Transform`` for things whose shape does not change: a window or a
    box sliding to the next cell, a line marker, a whole board shrinking to make room
    (``Transform`` and ``mob.animate`` deep-copy the mobject and its target, which for a
    board of Texts is most of a render). Each frame sets every point from where it was
    when the animation began (only the point arrays are kept), so nothing drifts; stroke
    widths stay as they are, as with ``mob.animate.scale``.

    Parameters
    ----------
    *mobjects : Mobject
        What moves, already on screen (the animation adds nothing to the scene; only
        these and what is drawn after them are redrawn each frame).
    shift : array
        The displacement at the end.
    scale : float
        The size factor at the end, about ``about_point``.
    about_point : array, optional
        The fixed point of the scaling; the centre of ``mobjects`` by default.
    to : Mobject or array, optional
        Instead of ``shift``: where the centre of ``mobjects`` ends (a point, or the
        centre of a mobject such as the target ``Transform`` would have used).
    """

    def __init__(
        self,
        *mobjects: Mobject,
        shift: np.ndarray = ORIGIN,
        scale: float = 1.0,
        about_point: np.ndarray | None = None,
        to: Mobject | np.ndarray | None = None,
        **kwargs,
    ):
        group = Group(*mobjects)
        centre = group.get_center()
        self.about = centre if about_point is None else np.asarray(about_point, dtype=float)
        if to is not None:
            end = to.get_center() if isinstance(to, Mobject) else np.asarray(to, dtype=float)
            shift = end - (self.about + (centre - self.about) * scale)
        self.shift_vector = np.asarray(shift, dtype=float)
        self.scale_factor = scale
        # an "introducer" is not added by Scene.play; _setup_scene below adds nothing either
        super().__init__(group, introducer=True, **kwargs)

    def _setup_scene(self, scene) -> None:
        pass

    def begin(self) -> None:
        self.points = [(m, m.points.copy()) for m in self.mobject.get_family() if len(m.points)]
        super().begin()

    def create_starting_mobject(self) -> Mobject:
        return self.mobject

    def interpolate_mobject(self, alpha: float) -> None:
        t = self.rate_func(alpha)
        factor = 1.0 + (self.scale_factor - 1.0) * t
        offset = self.about * (1.0 - factor) + self.shift_vector * t
        for m, points in self.points:
            m.points = points * factor + offset
            GLIDING[m] = (m.points.tobytes(), points, factor, offset[0], offset[1])

    def clean_up_from_scene(self, scene) -> None:
        super().clean_up_from_scene(scene)
        for m, _ in self.points:
            GLIDING.pop(m, None)


class Blink(Fade):
    """Fade ``mobject`` in and back out: added when the animation starts, removed when it
    ends (a short tint over cells whose numbers just changed, drawn after everything else
    so that nothing below it is redrawn)."""

    def __init__(self, mobject: Mobject, **kwargs):
        kwargs.setdefault("rate_func", there_and_back)
        super().__init__(mobject, **kwargs)
        self.remover = True


def flash(mobject: Mobject, **kwargs) -> Indicate:
    """``Indicate`` a copy of ``mobject``, drawn over it and removed at the end.

    ``Indicate`` of a part of a big group on screen (a kernel's cells in a board) redraws
    that group and everything drawn after it every frame; the copy is drawn last, so the
    board stays a still background. ``kwargs`` as ``Indicate`` (``color``, ``scale_factor``).
    """
    return Indicate(mobject.copy(), remover=True, **kwargs)


def chunks(items: Sequence, parts: int) -> list:
    """``items`` in at most ``parts`` consecutive runs of one length (the last may be
    shorter): the plays of a sweep that shows several at a time."""
    size = max(1, math.ceil(len(items) / parts))
    return [items[k : k + size] for k in range(0, len(items), size)]


def fade_out(*mobjects: Mobject, **kwargs) -> list[Fade]:
    """One :class:`Fade` out per mobject (pass to ``play`` with ``*``)."""
    return [Fade(m, fade_in=False, **kwargs) for m in mobjects]


def fade_out_shown(scene, *mobjects: Mobject, **kwargs) -> list[Fade]:
    """Fades out of what ``scene`` shows of ``mobjects``: the mobjects on screen that are
    among them or their parts, and the groups on screen made only of such parts (a Fade of
    a group that is not itself on screen would leave its parts behind)."""
    family = {id(f) for m in mobjects for f in m.get_family()}
    shown = [
        m
        for m in scene.mobjects
        if id(m) in family or (m.submobjects and {id(f) for f in m.get_family()[1:]} <= family)
    ]
    return fade_out(*shown, **kwargs)


def move_marks(scene, shown: Sequence[Mobject], marks: Sequence[Mobject]) -> tuple[list, list]:
    """Bring markers (a sliding window, highlight boxes) onto ``marks``: the first time
    (nothing ``shown``) ``Create`` them; after that glide the ``shown`` ones there, brought
    to the front so that only they are redrawn. Returns the markers on screen and the
    animations."""
    if not shown:
        return list(marks), [Create(m) for m in marks]
    scene.bring_to_front(*shown)
    return list(shown), [Glide(a, to=b) for a, b in zip(shown, marks, strict=True)]


class Steps(Animation):
    """Call ``func(mobject, alpha)`` every frame without copying ``mobject`` first."""

    def __init__(self, mobject: Mobject, func: Callable[[Mobject, float], None], **kwargs):
        self.func = func
        kwargs.setdefault("rate_func", linear)
        super().__init__(mobject, **kwargs)

    def create_starting_mobject(self) -> Mobject:
        return self.mobject

    def interpolate_mobject(self, alpha: float) -> None:
        self.func(self.mobject, alpha)
