"""Arrays as pictures on screen: sharp-pixelled images, colour bars, boxes over pixels.

Manim 0.22 cannot draw an ``ImageMobject`` with Pillow ≥ 12 (its camera calls
``Image.fromarray`` on a float array with ``mode="RGBA"``, which Pillow now refuses):
a scene that shows pictures draws with :class:`PictureCamera`, e.g.::

    class MyScene(ConvScene):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **{"camera_class": PictureCamera, **kwargs})

A :class:`Picture` is a titled picture laid out like a Grid, with its colour bar.

Colours come from :mod:`scenes.kit.image` (manim-free); every number next to a picture
(a colour bar's ends) is a trace's.
"""

from __future__ import annotations

import numpy as np
from manim import DL, DR, RIGHT, UL, UP, UR, Camera, Group, ImageMobject, Line, Rectangle, VGroup
from manim.constants import RESAMPLING_ALGORITHMS
from PIL import Image

from scenes.kit.fmt import fmt
from scenes.kit.image import diverging_rgb
from scenes.kit.text import label
from scenes.kit.theme import Theme


class PictureCamera(Camera):
    """Manim's Cairo camera, drawing upright ``ImageMobject``s itself (any Pillow)."""

    def display_image_mobject(self, image_mobject, pixel_array: np.ndarray) -> None:
        ul, ur, dl = self.points_to_subpixel_coords(image_mobject, image_mobject.points)[:3]
        left, top = round(ul[0]), round(ul[1])
        w, h = round(ur[0]) - left, round(dl[1]) - top
        frame_h, frame_w = pixel_array.shape[:2]
        x0, y0, x1, y1 = max(left, 0), max(top, 0), min(left + w, frame_w), min(top + h, frame_h)
        if w < 1 or h < 1 or x0 >= x1 or y0 >= y1:
            return
        source = Image.fromarray(np.ascontiguousarray(image_mobject.get_pixel_array()))
        shown = source.resize((w, h), image_mobject.resampling_algorithm)
        shown = shown.crop((x0 - left, y0 - top, x1 - left, y1 - top))
        region = Image.fromarray(np.ascontiguousarray(pixel_array[y0:y1, x0:x1]))
        pixel_array[y0:y1, x0:x1] = np.asarray(Image.alpha_composite(region, shown))


def picture(rgb: np.ndarray, pixel: float) -> ImageMobject:
    """An (H, W, 3) ``uint8`` picture whose pixels are ``pixel`` units wide, drawn sharp."""
    img = ImageMobject(rgb).set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
    img.height = pixel * rgb.shape[0]
    return img


class Picture(Group):
    """A titled picture of ``rgb``, ``pixel`` units per pixel, laid out like a
    :class:`~scenes.kit.grid.Grid`: ``image``, ``cells`` (its frame; the image itself when
    not ``framed``), ``title`` above, :meth:`place`; :meth:`with_bar` adds a colour bar."""

    def __init__(
        self, rgb, pixel: float, title: str, theme: Theme, framed=True, size=20, buff=0.12
    ):
        self.image, self.theme = picture(rgb, pixel), theme
        self.cells = self.image
        if framed:
            self.cells = Rectangle(width=self.image.width, height=self.image.height)
            self.cells.set_stroke(theme.grid, 2)
        self.title = label(title, theme.text, size).next_to(self.cells, UP, buff=buff)
        super().__init__(self.image, *([self.cells] if framed else []), self.title)

    def place(self, x: float, y: float) -> Picture:
        """Move the picture so that it centres on (x, y)."""
        return self.shift(np.array([x, y, 0.0]) - self.cells.get_center())

    def with_bar(self, ticks, colours: tuple[str, str, str]) -> Picture:
        """Add :func:`colour_bar` (``bar``) to the right of the picture."""
        self.bar = colour_bar(self.cells, ticks, colours, self.theme)
        return self.add(self.bar)

    def repaint(self, rgb) -> None:
        """Show ``rgb`` (the same shape) instead, at once."""
        self.image.pixel_array = ImageMobject(rgb).pixel_array


def colour_bar(
    panel, ticks, colours: tuple[str, str, str], theme: Theme, width: float = 0.22
) -> Group:
    """A vertical strip of a map's colours to the right of ``panel``, as tall as it, with
    the values ``ticks`` (from a trace, lowest first) written beside it, evenly spaced.

    ``colours`` is (negative, zero, positive) as in
    :func:`scenes.kit.image.diverging_rgb`; a strip whose lowest tick is 0 shows only
    zero → positive.
    """
    negative, zero, positive = colours
    signed = len(ticks) > 2
    ramp = np.linspace(1.0, -1.0 if signed else 0.0, 128)[:, None]
    strip = ImageMobject(diverging_rgb(ramp, negative, zero, positive))
    strip.stretch_to_fit_height(panel.height).stretch_to_fit_width(width)
    strip.next_to(panel, RIGHT, buff=0.12)
    frame = Rectangle(width=width, height=panel.height).set_stroke(theme.grid, 1).move_to(strip)
    texts = VGroup()
    step = strip.height / (len(ticks) - 1)
    for k, value in enumerate(reversed(ticks)):
        y = strip.get_top()[1] - k * step
        texts.add(label(fmt(value), theme.text, 18))
        texts[-1].next_to(np.array([strip.get_right()[0], y, 0.0]), RIGHT, buff=0.08)
    return Group(strip, frame, texts)


def pixel_box(panel, shape_hw, row: int, col: int, rows: int, cols: int, theme: Theme):
    """A highlighted outline over pixels ``row … row+rows−1``, ``col … col+cols−1`` of
    ``panel``, a picture of an array of shape ``shape_hw``."""
    ph, pw = panel.height / shape_hw[0], panel.width / shape_hw[1]
    box = Rectangle(width=cols * pw, height=rows * ph).set_stroke(theme.highlight, 3)
    offset = np.array([(col + cols / 2) * pw, -(row + rows / 2) * ph, 0.0])
    return box.move_to(panel.get_corner(UL) + offset)


def zoom_lines(box, cells, theme: Theme) -> VGroup:
    """Two lines from the right corners of ``box`` (over a picture) to the left corners of
    ``cells`` (the grid that shows it up close)."""
    pairs = [(box.get_corner(a), cells.get_corner(b)) for a, b in ((UR, UL), (DR, DL))]
    return VGroup(*(Line(a, b, color=theme.highlight, stroke_width=2) for a, b in pairs))
