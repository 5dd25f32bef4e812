"""Arrays as pictures on screen: sharp-pixelled images, colour bars, boxes over pixels.

Manim 0.22 cannot draw an ``ImageMobject`` with Pillow ≥ 12 (its camera calls
``Image.fromarray`` on a float array with ``mode="RGBA"``, which Pillow now refuses):
a scene that shows pictures draws with :class:`PictureCamera`, e.g.::

    class MyScene(ConvScene):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **{"camera_class": PictureCamera, **kwargs})

Colours come from :mod:`scenes.kit.image` (manim-free); every number next to a picture
(a colour bar's ends) is a trace's.
"""

from __future__ import annotations

import numpy as np
from manim import RIGHT, UL, Camera, Group, ImageMobject, Rectangle, VGroup
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
