"""Drawing a scene with less work per frame: the kit's camera, renderer and file writer.

Manim's Cairo pipeline redoes on every frame work whose result has not changed: it
rebuilds every drawn glyph's path point by point, copies the whole static background
and then the whole frame (8 MB each at 1080p), and converts a ``wait``'s frame to the
encoder's pixel format once per repeat. :class:`~scenes.kit.scene.ConvScene` uses these
classes when a scene sets ``fast_drawing = True``:

- :class:`PathCachingCamera` keeps each VMobject's Cairo path while its points stay the
  same, draws a glyph moved by :class:`~scenes.kit.anim.Glide` from its first path moved
  by Cairo, and composites a large fading mobject from one picture (:class:`FadeLayer`);
- :class:`HandOffRenderer` hands each frame to the encoder without a copy, restores only
  the box the last drawing on an array touched, and reuses a static background that
  shows the same mobjects looking the same;
- :class:`RepeatingFileWriter` converts a repeated frame once (the packets are the same).

``tests/test_scenes/test_fast_drawing.py`` compares the frames with manim's own.
"""

from __future__ import annotations

import itertools as it
import sys
import weakref
from fractions import Fraction

import av
import numpy as np
from manim import Camera, VMobject
from manim.renderer.cairo_renderer import CairoRenderer
from manim.scene.scene_file_writer import SceneFileWriter
from manim.scene.video_segment_encoder import VideoSegmentEncoder
from manim.utils.family import extract_mobject_family_members

from scenes.kit.anim import GLIDING


class _Kept:
    """What a :class:`PathCachingCamera` keeps between frames (outside the camera's own
    attributes, which manim's cache hashes on every ``play``)."""

    def __init__(self):
        self.paths: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self.gliding_from: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self.drawing_on = self.context = self.family = None
        self.layers: dict[int, FadeLayer] = {}  # id(member) → the layer it is drawn in
        self.extent: list[float] | None = None  # while capturing: x0, y0, x1, y1, widest stroke


class FadeLayer:
    """A mobject drawn once, at full opacity, into a picture of its own, which the camera
    composites with ``opacity`` instead of drawing its members one by one.

    :class:`~scenes.kit.anim.Fade` asks for one (``PathCachingCamera.fade_layer``) when it
    neither moves nor scales what it fades, and sets ``opacity`` every frame. The camera
    uses it only while the members are drawn together, in the same order, with the points
    and colours they had (otherwise it draws them as usual, with the alphas Fade sets).
    Members overlapping each other fade as one picture (as a group fades in a slide show);
    at full opacity the pixels are the same as drawn one by one.
    """

    def __init__(self, members, picture, surface, box):
        self.members, self.picture, self.surface, self.box = members, picture, surface, box
        self.looks = [self.look(m) for m in members]
        self.opacity = 1.0
        self.broken = False
        self.on_break = None  # called once when the members are no longer as drawn

    @staticmethod
    def look(m) -> tuple:
        return (
            m.points.tobytes(),
            m.fill_rgbas[:, :3].tobytes(),
            m.stroke_rgbas[:, :3].tobytes(),
            m.stroke_width,
            m.background_stroke_width,
        )

    def usable(self, shown: list, start: int) -> bool:
        """Whether ``shown[start:]`` begins with the members, each looking as it did (once
        not, never again: ``on_break`` is called, so that the fade styles them itself)."""
        if not self.broken:
            end = start + len(self.members)
            self.broken = shown[start:end] != self.members or any(
                self.look(m) != look for m, look in zip(self.members, self.looks, strict=True)
            )
            if self.broken and self.on_break is not None:
                self.on_break()
        return not self.broken


def full_look(m) -> tuple:
    """Everything that decides how a VMobject is drawn: points, colours with their alphas,
    stroke widths, line style."""
    return (
        m.points.tobytes(),
        m.fill_rgbas.tobytes(),
        m.stroke_rgbas.tobytes(),
        m.background_stroke_rgbas.tobytes(),
        m.stroke_width,
        m.background_stroke_width,
        m.joint_type,
        m.cap_style,
    )


def union_box(boxes) -> tuple[int, int, int, int]:
    """The smallest box ``(top, bottom, left, right)`` holding every non-empty one."""
    boxes = [b for b in boxes if b[0] < b[1] and b[2] < b[3]]
    if not boxes:
        return 0, 0, 0, 0
    return (
        min(b[0] for b in boxes),
        max(b[1] for b in boxes),
        min(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


KEPT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # camera → _Kept


class PathCachingCamera(Camera):
    """Manim's Cairo camera, keeping each VMobject's Cairo path while its points stay the same.

    Manim rebuilds every drawn VMobject's path point by point in Python on every frame
    (``set_cairo_context_path``: a split into subpaths, a loop of ``curve_to``), also for
    the static background it redraws once per ``play``; for a glyph that is most of the
    cost of drawing it. This camera keeps the built path, with a copy of the points it
    was built from, and replays it (``append_path``, in C) when the points are unchanged
    byte for byte, so the pixels are the same. A glyph moved by :class:`~scenes.kit.anim.Glide`
    is drawn from the path of the points it started from, scaled and moved by Cairo (the
    same shape, up to Cairo's 1/256-pixel rounding). It also keeps the flattened family of
    what it draws from one frame to the next while no submobject list in it has changed.
    """

    def kept(self) -> _Kept:
        try:
            return KEPT[self]
        except KeyError:  # a new camera, or a copy of one
            kept = KEPT[self] = _Kept()
            return kept

    #: Fewest drawn members for which a fade is drawn from a picture (see :meth:`fade_layer`).
    fewest_in_layer = 24
    #: Frames from this size on (720p) note the box of what is drawn, so that the renderer
    #: restores only that box of the background (below, copying it all is cheaper).
    boxed_from_bytes = 1280 * 720 * 4

    def fade_layer(self, mobject) -> FadeLayer | None:
        """Draw ``mobject`` (as it looks now) into a picture of its own for a fade; ``None``
        when it is small (drawing it is cheaper) or not made of VMobjects only."""
        members = self.get_mobjects_to_display([mobject])
        if len(members) < self.fewest_in_layer or not all(isinstance(m, VMobject) for m in members):
            return None
        picture = np.zeros_like(self.pixel_array)
        self.display_multiple_vectorized_mobjects(members, picture)
        surface = self.get_cairo_context(picture).get_target()
        layer = FadeLayer(members, picture, surface, self.pixel_box(members))
        layers = self.kept().layers
        for m in members:
            layers[id(m)] = layer
        return layer

    def drop_layer(self, layer: FadeLayer) -> None:
        layers = self.kept().layers
        for m in layer.members:
            if layers.get(id(m)) is layer:
                del layers[id(m)]

    def capture_mobjects(self, mobjects, **kwargs) -> tuple[int, int, int, int]:
        """Draw ``mobjects`` (fade layers composited where they stand); return the box of
        the pixels drawn (see :meth:`pixel_box`)."""
        kept = self.kept()
        shown = self.get_mobjects_to_display(mobjects, **kwargs)
        boxes: list[tuple] = []
        whole = (0, self.pixel_array.shape[0], 0, self.pixel_array.shape[1])
        if self.pixel_array.nbytes >= self.boxed_from_bytes:
            kept.extent = [np.inf, np.inf, -np.inf, -np.inf, 0.0]
        try:
            start = index = 0
            while kept.layers and index < len(shown):
                layer = kept.layers.get(id(shown[index]))
                if layer is not None and layer.usable(shown, index):
                    self.draw_one_by_one(shown[start:index])
                    self.composite(layer)
                    boxes.append(layer.box)
                    index = start = index + len(layer.members)
                else:
                    index += 1
            self.draw_one_by_one(shown[start:])
            return whole if kept.extent is None else union_box([self.box_of(*kept.extent), *boxes])
        finally:
            kept.extent = None

    def draw_one_by_one(self, mobjects: list) -> None:
        """Draw ``mobjects`` as manim's ``capture_mobjects`` does (runs of one type)."""
        for kind, run in it.groupby(mobjects, self.type_or_raise):
            self.display_funcs[kind](list(run), self.pixel_array)

    def composite(self, layer: FadeLayer) -> None:
        """Paint ``layer``'s picture over the frame with its opacity (within its box)."""
        top, bottom, left, right = layer.box
        ctx = self.get_cairo_context(self.pixel_array)
        ctx.save()
        ctx.identity_matrix()
        ctx.rectangle(left, top, right - left, bottom - top)
        ctx.clip()
        ctx.set_source_surface(layer.surface, 0, 0)
        ctx.paint_with_alpha(layer.opacity)
        ctx.restore()

    def get_mobjects_to_display(self, mobjects, include_submobjects=True, excluded_mobjects=None):
        if not include_submobjects or excluded_mobjects:
            return super().get_mobjects_to_display(mobjects, include_submobjects, excluded_mobjects)
        mobjects, kept = list(mobjects), self.kept()
        family = kept.family
        if family is None or family[0] != mobjects or any(m.submobjects != s for m, s in family[2]):
            members = extract_mobject_family_members(mobjects)  # as manim's, then filtered
            family = kept.family = (mobjects, members, [(m, list(m.submobjects)) for m in members])
        shown = [m for m in family[1] if len(m.points)]
        return sorted(shown, key=lambda m: m.z_index) if self.use_z_index else shown

    def get_cairo_context(self, pixel_array):
        # one context, for the array drawn on now (HandOffRenderer replaces it every frame;
        # manim's cache, keyed by id(), would keep every old frame alive)
        kept = self.kept()
        if pixel_array is not kept.drawing_on:
            self.pixel_array_to_cairo_context.clear()
            kept.context = super().get_cairo_context(pixel_array)
            kept.drawing_on = pixel_array
        return kept.context

    def set_cairo_context_path(self, ctx, vmobject):
        points = vmobject.points
        if len(points) == 0:
            return super().set_cairo_context_path(ctx, vmobject)
        key, kept = points.tobytes(), self.kept()
        path = kept.paths.get(vmobject)
        if path is not None and path[0] == key:
            ctx.new_path()
            ctx.append_path(path[1])
        elif (glide := GLIDING.get(vmobject)) is not None and glide[0] == key:
            self.glide_path(ctx, vmobject, *glide[1:])
        else:
            super().set_cairo_context_path(ctx, vmobject)
            kept.paths[vmobject] = (key, ctx.copy_path())
        extent = kept.extent
        if extent is not None:  # capturing: widen the box of what is drawn
            x0, y0, x1, y1 = ctx.path_extents()
            extent[0], extent[1] = min(extent[0], x0), min(extent[1], y0)
            extent[2], extent[3] = max(extent[2], x1), max(extent[3], y1)
            width = max(vmobject.get_stroke_width(), vmobject.get_stroke_width(True))
            extent[4] = max(extent[4], width)
        return self

    def glide_path(self, ctx, vmobject, start, factor, dx, dy):
        """The path of ``vmobject`` at the points ``start · factor + (dx, dy)``."""
        gliding_from = self.kept().gliding_from
        kept = gliding_from.get(vmobject)
        if kept is None or kept[0] is not start:
            points, vmobject.points = vmobject.points, start
            super().set_cairo_context_path(ctx, vmobject)
            vmobject.points = points
            kept = gliding_from[vmobject] = (start, ctx.copy_path())
        ctx.new_path()
        ctx.save()
        ctx.translate(dx, dy)
        ctx.scale(factor, factor)
        ctx.append_path(kept[1])
        ctx.restore()
        return self

    def pixel_box(self, mobjects) -> tuple[int, int, int, int]:
        """Rows and columns ``(top, bottom, left, right)`` of the pixels that drawing
        ``mobjects`` can touch (see :meth:`box_of`)."""
        points = [m.points for m in mobjects if len(m.points)]
        if not points:
            return 0, 0, 0, 0
        points = np.concatenate(points)
        if not np.isfinite(points).all():
            return 0, self.pixel_array.shape[0], 0, self.pixel_array.shape[1]
        lo, hi = points.min(axis=0), points.max(axis=0)
        width = max(max(m.get_stroke_width(), m.get_stroke_width(True)) for m in mobjects)
        return self.box_of(lo[0], lo[1], hi[0], hi[1], width)

    def box_of(self, x0, y0, x1, y1, width) -> tuple[int, int, int, int]:
        """The pixels ``(top, bottom, left, right)`` that a drawing within ``x0…x1, y0…y1``
        (scene units) with strokes up to ``width`` can touch: the box widened by the longest
        miter (cairo's miter limit is 10 half-widths) and 2 pixels of antialiasing."""
        ph, pw = self.pixel_array.shape[:2]
        if not x0 <= x1 or not y0 <= y1:  # nothing drawn (or not a number)
            return (0, 0, 0, 0) if x0 == np.inf else (0, ph, 0, pw)
        sx, sy = pw / self.frame_width, ph / self.frame_height
        margin = 5 * width * self.cairo_line_width_multiple * sx + 2
        cx, cy = self.frame_center[:2]
        left, right = (x0 - cx) * sx + pw / 2 - margin, (x1 - cx) * sx + pw / 2 + margin
        top, bottom = ph / 2 - (y1 - cy) * sy - margin, ph / 2 - (y0 - cy) * sy + margin
        clip = lambda v, n: min(max(int(v), 0), n)  # noqa: E731
        return clip(top, ph), clip(bottom + 1, ph), clip(left, pw), clip(right + 1, pw)


class RepeatingSegmentEncoder(VideoSegmentEncoder):
    """Manim's segment encoder, converting a repeated frame (a ``wait``) to the encoder's
    pixel format once instead of once per repeat.

    The conversion is the one PyAV makes inside ``encode`` (same reformatter settings),
    so the packets are the same byte for byte; x264 still encodes every frame.
    """

    def write_frame(self, pixels, *, repeat: int = 1) -> None:
        if repeat == 1:
            return super().write_frame(pixels)
        self._validate_frame(pixels, repeat)
        context = self._stream.codec_context
        try:
            frame = av.VideoFrame.from_ndarray(pixels, format="rgba").reformat(
                context.width, context.height, context.format, threads=context.thread_count
            )
            time_base = Fraction(self.spec.frame_rate.denominator, self.spec.frame_rate.numerator)
            for _ in range(repeat):
                frame.pts, frame.time_base = self._next_pts, time_base
                self._next_pts += 1
                for packet in self._stream.encode(frame):
                    self._container.mux(packet)
        except BaseException as error:
            raise self._operation_error("encode", error) from error


class RepeatingFileWriter(SceneFileWriter):
    """Manim's file writer, with :class:`RepeatingSegmentEncoder` for each segment."""

    def _create_segment_encoder(self, target):
        if self.video_encoder is None:
            return super()._create_segment_encoder(target)
        return RepeatingSegmentEncoder(target=target, spec=self.video_encoder)


class HandOffRenderer(CairoRenderer):
    """Manim's Cairo renderer, handing each finished frame to the encoder without a copy,
    and restoring only what the last drawing on an array touched.

    Manim copies the camera's pixels (8 MB at 1080p) for every frame it queues for the
    encoder; this renderer gives the encoder the camera's array itself and lets the camera
    draw the next frame on an array the encoder is done with. Manim also begins every
    frame of an animation by copying the whole static background (everything that does
    not move) onto the camera's array; when the array already holds that background except
    in the box its last frame drew in, only that box is copied back. The pixels are the
    same. Use it with :class:`PathCachingCamera` (one Cairo context, for the array drawn
    on now; the box of what is drawn).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.handed: list[np.ndarray] = []  # frames given away, reused once nobody holds them
        self.background = 0  # counts the static backgrounds drawn
        self.drawn: dict[int, tuple[int, tuple]] = {}  # id(array) → (background, box drawn)
        self.last_background: tuple | None = None  # (picture, what was drawn in it)

    def save_static_frame_data(self, scene, static_mobjects):
        """The static background of a play: the last one again when it shows the same
        VMobjects looking the same (consecutive plays often move only what is drawn last)."""
        shown = self.camera.get_mobjects_to_display(static_mobjects) if static_mobjects else []
        drawn = None
        if shown and all(isinstance(m, VMobject) and not m.get_background_image() for m in shown):
            drawn = [(m, full_look(m)) for m in shown]
            last = self.last_background
            if last is not None and last[1] == drawn:
                self.static_image = last[0]
                return self.static_image
        self.background += 1
        picture = super().save_static_frame_data(scene, static_mobjects)
        self.last_background = None if drawn is None or picture is None else (picture, drawn)
        return picture

    def update_frame(self, scene, mobjects=None, include_submobjects=True, ignore_skipping=True):
        if self.skip_animations and not ignore_skipping:
            return
        camera, static = self.camera, self.static_image
        before = self.drawn.pop(id(camera.pixel_array), None)
        if not mobjects or static is None or not include_submobjects:
            super().update_frame(scene, mobjects, include_submobjects, ignore_skipping)
            return
        if before is not None and before[0] == self.background:
            top, bottom, left, right = before[1]
            camera.pixel_array[top:bottom, left:right] = static[top:bottom, left:right]
        else:
            camera.set_frame_to_background(static)
        box = camera.capture_mobjects(mobjects)
        self.drawn[id(camera.pixel_array)] = (self.background, box)

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
            self.drawn.pop(id(self.handed.pop(0)), None)
        return np.empty_like(like)
