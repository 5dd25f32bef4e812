"""Cheap building blocks for number-heavy scenes (the levers of FAST_MANIM.md).

Manim's ``Transform``/``FadeIn``/``FadeOut`` deep-copy the mobjects they animate, and every
``Text`` parses an SVG when it is built. With a hundred numbers on screen that is most of
the render time. Here:

* :class:`Fly` moves and scales the very mobjects it is given (no copies), each from the
  centre and height of a source mobject to where it stands now;
* :class:`Fade` fades a group in or out by scaling its colours' alpha in place;
* :class:`CellGrid` is a labelled grid of cells whose numbers are *copies* of Texts that
  are already on screen (a copy costs a third of a new Text), placed and sized per cell.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import UP, Animation, Mobject, Square, Text, VGroup, VMobject, linear, smooth

from scenes.common import FONT, Theme, label, number_font_size
from scenes.textfmt import fmt


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

    Scales the alpha of every fill and stroke colour in the family; the original alphas
    are restored when a fade-out ends, so the mobject can be shown again later.
    """

    def __init__(self, mobject: Mobject, fade_in: bool = True, **kwargs):
        self.fade_in = fade_in
        super().__init__(mobject, introducer=fade_in, remover=not fade_in, **kwargs)

    def begin(self) -> None:
        self.alphas = [
            (m, m.fill_rgbas[:, 3].copy(), m.stroke_rgbas[:, 3].copy())
            for m in self.mobject.get_family()
            if isinstance(m, VMobject)
        ]
        super().begin()

    def create_starting_mobject(self) -> Mobject:
        return self.mobject

    def interpolate_mobject(self, alpha: float) -> None:
        k = alpha if self.fade_in else 1.0 - alpha
        for m, fill, stroke in self.alphas:
            m.fill_rgbas[:, 3] = fill * k
            m.stroke_rgbas[:, 3] = stroke * k

    def clean_up_from_scene(self, scene) -> None:
        super().clean_up_from_scene(scene)
        for m, fill, stroke in self.alphas:
            m.fill_rgbas[:, 3] = fill
            m.stroke_rgbas[:, 3] = stroke


def fade_out(*mobjects: Mobject, **kwargs) -> list[Fade]:
    """One :class:`Fade` out per mobject (pass to ``play`` with ``*``)."""
    return [Fade(m, fade_in=False, **kwargs) for m in mobjects]


class CellGrid(VGroup):
    """A labelled rows×cols grid of cells; its numbers are copies of existing Texts.

    ``cells`` and ``title`` are submobjects; ``numbers`` (one Text per cell, row-major,
    built by :meth:`copy_numbers`) is not, so a scene can bring them in one by one.

    Parameters
    ----------
    values : array, shape (rows, cols)
        The values the cells will show (they size the font; the Texts are copied).
    title, color, theme, cell
        As :class:`scenes.common.NumberGrid`.
    mask : bool array, shape (rows, cols), optional
        Cells drawn as padding.
    title_size : float
        Font size of the title (above the cells).
    """

    def __init__(
        self,
        values: np.ndarray,
        title: str,
        color: str,
        theme: Theme,
        cell: float,
        mask: np.ndarray | None = None,
        title_size: float = 22,
    ):
        super().__init__()
        values = np.asarray(values)
        self.shape = values.shape
        self.cell_size = cell
        self.font_size = number_font_size(values, cell)
        self.theme = theme
        self.mask = np.zeros(values.shape, bool) if mask is None else np.asarray(mask)
        self.cells = VGroup()
        for i in range(self.shape[0]):
            for j in range(self.shape[1]):
                pad = bool(self.mask[i, j])
                sq = Square(cell, stroke_color=theme.grid, stroke_width=2)
                sq.set_fill(theme.padding if pad else color, opacity=0.85 if pad else 0.14)
                self.cells.add(sq.move_to([j * cell, -i * cell, 0]))
        self.title = label(title, color, title_size).next_to(self.cells, UP, buff=0.18)
        self.numbers = VGroup()
        self.add(self.cells, self.title)

    def place(self, x: float, y: float) -> CellGrid:
        """Move the grid (numbers too) so that its cells centre on (x, y)."""
        offset = np.array([x, y, 0.0]) - self.cells.get_center()
        self.shift(offset)
        if self.numbers not in self.submobjects:
            self.numbers.shift(offset)
        return self

    def cell(self, i: int, j: int) -> Square:
        """The square at row ``i``, column ``j``."""
        return self.cells[i * self.shape[1] + j]

    def number(self, i: int, j: int) -> Text:
        """The number at row ``i``, column ``j`` (after :meth:`copy_numbers`)."""
        return self.numbers[i * self.shape[1] + j]

    def copy_numbers(self, sources: Sequence[Text]) -> VGroup:
        """Copy one Text per cell (row-major), resized to this grid's font and centred."""
        if len(sources) != len(self.cells):
            raise ValueError(f"{len(sources)} Texts for {len(self.cells)} cells")
        self.numbers = VGroup()
        for k, (src, sq) in enumerate(zip(sources, self.cells, strict=True)):
            num = src.copy().scale(self.font_size / src.font_size).move_to(sq)
            pad = self.mask.flat[k]
            self.numbers.add(num.set_color(self.theme.muted if pad else self.theme.text))
        return self.numbers


def texts_for(values, font_size: float, color: str) -> list[Text]:
    """One Text per value (``fmt``), building each distinct string once and copying it."""
    bank: dict[str, Text] = {}
    out = []
    for v in np.ravel(values):
        s = fmt(v)
        if s not in bank:
            bank[s] = Text(s, font=FONT, font_size=font_size, color=color)
        out.append(bank[s].copy())
    return out
