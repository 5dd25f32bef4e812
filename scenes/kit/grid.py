"""The one labelled number grid, and the sizes that fit grids on screen.

A :class:`Grid` is ``cells`` (squares or rectangles) and a ``title`` above them. Its
``numbers`` (one Text per cell, row-major) are kept out of the group unless asked for, so a
scene can bring them in one by one, swap them (snapping numbers is far cheaper than
transforming them), or fly copies of Texts already on screen into it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import DL, DOWN, RIGHT, UL, UP, UR, Dot, Line, Rectangle, Square, Text, VGroup, VMobject

from scenes.kit.fmt import fmt
from scenes.kit.text import TextCache, label
from scenes.kit.theme import FONT, Theme


def number_font_size(values: np.ndarray, cell: float) -> float:
    """Font size at which the longest formatted value fits one cell."""
    longest = max(len(fmt(v)) for v in np.ravel(values))
    return min(cell * 40, cell * 100 / max(longest, 1))


def fitting_font_size(widest: str, cell_w: float, cell_h: float, largest: float) -> float:
    """The largest font size (≤ ``largest``) at which ``widest`` fits a cell."""
    probe = Text(widest, font=FONT, font_size=10)
    return min(largest, 10 * 0.86 * cell_w / probe.width, 10 * 0.6 * cell_h / probe.height)


def cell_size(rows: int, cols: int, width: float, height: float, largest: float = 0.85):
    """The largest cell edge (≤ ``largest``) at which a rows×cols grid fits width×height."""
    return min(largest, width / cols, height / rows)


class Grid(VGroup):
    """A titled rows×cols grid of cells, with numbers built or copied in on demand.

    Parameters
    ----------
    values : array, shape (rows, cols), or a (rows, cols) tuple
        The values the cells show (they size the font), or only the shape, with the font
        sized by ``widest``.
    title, color, theme
        The label above the cells, the cells' colour, the theme.
    cell : float or (width, height)
        The cell edge, or a rectangle's width and height.
    mask : bool array, shape (rows, cols), optional
        Cells drawn as padding (grey, their numbers muted).
    show_numbers : bool
        Build a Text per value and add them to the group.
    title_size, title_buff : float
        Font size of the title and its gap above the cells.
    widest : str, optional
        With a shape only: the widest text a cell must hold.
    max_font : float
        Upper bound of the numbers' font size when sized by ``widest``.
    """

    def __init__(
        self,
        values,
        title: str,
        color: str,
        theme: Theme,
        cell: float | tuple[float, float],
        mask: np.ndarray | None = None,
        show_numbers: bool = False,
        title_size: float = 22,
        title_buff: float = 0.18,
        widest: str | None = None,
        max_font: float = 22,
    ):
        super().__init__()
        cell_w, cell_h = (cell, cell) if np.isscalar(cell) else cell
        self.values = None if isinstance(values, tuple) else np.asarray(values)
        self.shape = values if self.values is None else self.values.shape
        self.cell_size, self.theme = cell_w, theme
        self.mask = np.zeros(self.shape, bool) if mask is None else np.asarray(mask, bool)
        if widest is not None:
            self.font_size = fitting_font_size(widest, cell_w, cell_h, max_font)
        else:
            self.font_size = number_font_size(self.values, min(cell_w, cell_h))
        self.cells = VGroup(*self._cells(color, cell_w, cell_h))
        self.title = label(title, color, title_size).next_to(self.cells, UP, buff=title_buff)
        self.numbers = VGroup()
        self.add(self.cells, self.title)
        if show_numbers:
            self.add(self.fmt_numbers())

    def _cells(self, color: str, cell_w: float, cell_h: float):
        for k in range(self.shape[0] * self.shape[1]):
            i, j = divmod(k, self.shape[1])
            pad = bool(self.mask[i, j])
            rect = Rectangle(width=cell_w, height=cell_h, stroke_color=self.theme.grid)
            rect.set_stroke(width=2).move_to([j * cell_w, -i * cell_h, 0])
            yield rect.set_fill(self.theme.padding if pad else color, opacity=0.85 if pad else 0.14)

    def place(self, x: float, y: float) -> Grid:
        """Move the grid (numbers too, shown or not) so that its cells centre on (x, y)."""
        offset = np.array([x, y, 0.0]) - self.cells.get_center()
        self.shift(offset)
        if self.numbers not in self.submobjects:
            self.numbers.shift(offset)
        return self

    def place_top(self, x: float, top: float) -> Grid:
        """Like :meth:`place`, centring the cells on ``x`` with their top edge at ``top``."""
        return self.place(x, top - self.cells.height / 2)

    def cell(self, i: int, j: int) -> Rectangle:
        """The cell at row ``i``, column ``j``."""
        return self.cells[i * self.shape[1] + j]

    def number(self, i: int, j: int) -> Text:
        """The number at row ``i``, column ``j`` (once numbers are built)."""
        return self.numbers[i * self.shape[1] + j]

    def numbers_for(self, texts, color: str | None = None, cache: TextCache | None = None):
        """One Text per cell from ``texts`` (rows×cols strings), centred; padding muted.

        The result becomes :attr:`numbers` (not added to the grid). With a ``cache``, each
        distinct Text is built once and copied.
        """
        flat = [str(t) for row in texts for t in row]
        if len(flat) != len(self.cells):
            raise ValueError(f"{len(flat)} texts for a {self.shape[0]}×{self.shape[1]} grid")
        cache = cache or TextCache()
        self.numbers = VGroup()
        for k, (text, cell) in enumerate(zip(flat, self.cells, strict=True)):
            tint = self.theme.muted if self.mask.flat[k] else color or self.theme.text
            self.numbers.add(cache.text(text, self.font_size, tint).move_to(cell))
        return self.numbers

    def fmt_numbers(self, cache: TextCache | None = None) -> VGroup:
        """:meth:`numbers_for` the grid's own values, each written by :func:`fmt`."""
        return self.numbers_for([[fmt(v) for v in row] for row in self.values], cache=cache)

    def copy_numbers(self, sources: Sequence[Text]) -> VGroup:
        """Copies of Texts already built (row-major), resized to this grid's font, centred."""
        if len(sources) != len(self.cells):
            raise ValueError(f"{len(sources)} Texts for {len(self.cells)} cells")
        self.numbers = VGroup()
        for k, (src, cell) in enumerate(zip(sources, self.cells, strict=True)):
            num = src.copy().scale(self.font_size / src.font_size).move_to(cell)
            tint = self.theme.muted if self.mask.flat[k] else self.theme.text
            self.numbers.add(num.set_color(tint))
        return self.numbers

    def with_numbers(self) -> VGroup:
        """A group of the grid and its numbers (to show, move or fade them together)."""
        return VGroup(self, self.numbers)

    def write(self, texts, color: str, cache: TextCache | None = None, largest: float = 26):
        """Texts of ``texts`` (row-major strings: a product per cell, say) centred on the
        cells, at the largest font (≤ ``largest``) at which the longest fits a cell; a
        VGroup, not added (and not :attr:`numbers`)."""
        cell_h = self.cells[0].height
        size = fitting_font_size(max(texts, key=len), self.cell_size, cell_h, largest)
        cache = cache or TextCache()
        cells = zip(texts, self.cells, strict=True)
        return VGroup(*(cache.text(s, size, color).move_to(c) for s, c in cells))

    def flatten(self) -> Grid:
        """Draw the cells as one path per style (padding, the rest), behind the rest.

        Cairo draws a mobject per call: a board of a few hundred cells redrawn every frame
        of a fade then costs two calls. Flatten a grid once it is placed: :meth:`cell`
        keeps the places, but ``cells`` leave the group and no longer move with it.
        """
        self.remove(self.cells)
        pads = self.mask.ravel()
        for style in (True, False):
            shapes = [cell for cell, pad in zip(self.cells, pads, strict=True) if pad == style]
            if shapes:
                self.add_to_back(merged(shapes))
        return self


def widest(*arrays) -> str:
    """The longest formatted value in ``arrays`` (for ``Grid(..., widest=...)``: a font that
    fits every value a grid will show, not only its first ones)."""
    return max((fmt(v) for a in arrays for v in np.ravel(a)), key=len)


def cover(mob, theme: Theme, opacity: float = 0.7) -> Rectangle:
    """A borderless background-coloured rectangle over ``mob`` that dims it (cropped cells)."""
    rect = Rectangle(width=mob.width, height=mob.height).set_stroke(width=0)
    return rect.set_fill(theme.background, opacity=opacity).move_to(mob)


def place_row(grids: Sequence[Grid], y: float, gap: float, width: float = 13.4) -> None:
    """Centre ``grids`` side by side (cells centred on height ``y``), ``gap`` apart or less
    so that the row fits ``width``; a title wider than its cells counts (shrunk first to
    at most 1.6 wider than the cells)."""
    widths = []
    for g in grids:
        if g.title.width > g.cells.width + 1.6:
            g.title.scale_to_fit_width(g.cells.width + 1.6)
        widths.append(max(g.cells.width, g.title.width))
    if len(grids) > 1:
        gap = min(gap, (width - sum(widths)) / (len(grids) - 1))
    x = -(sum(widths) + gap * (len(grids) - 1)) / 2
    for g, w in zip(grids, widths, strict=True):
        g.place(x + w / 2, y)
        x += w + gap


def grid_block(grids: Sequence[Grid], title: str, color: str, size=22, tag_size=20, buff=0.3):
    """The channels of one tensor as one block: ``grids`` side by side (tops aligned) under
    one ``title``, each grid's own title (its channel's tag, built at ``size``) moved below
    its cells at ``tag_size``."""
    row = VGroup(*grids).arrange(RIGHT, buff=buff, aligned_edge=UP)
    for g in grids:
        g.title.scale(tag_size / size).next_to(g.cells, DOWN, buff=0.12)
    return VGroup(label(title, color, size).next_to(row, UP, buff=0.18), row)


def block_rules(grid: Grid, rows=(), cols=(), width: float = 4) -> VGroup:
    """Lines across ``grid`` in the text colour, along the top of each row in ``rows`` and
    the left of each column in ``cols``: borders between blocks (a patch matrix's channels)."""
    (h, w), lines = grid.shape, VGroup()
    for r in rows:
        lines.add(Line(grid.cell(r, 0).get_corner(UL), grid.cell(r, w - 1).get_corner(UR)))
    for c in cols:
        lines.add(Line(grid.cell(0, c).get_corner(UL), grid.cell(h - 1, c).get_corner(DL)))
    return lines.set_stroke(grid.theme.text, width)


def highlight_box(mob, theme: Theme, buff: float = 0.0) -> Rectangle:
    """A thick outline around ``mob`` in the highlight colour."""
    box = Rectangle(width=mob.width + 2 * buff, height=mob.height + 2 * buff)
    return box.set_stroke(theme.highlight, width=6).move_to(mob)


def window_squares(cells, theme: Theme) -> VGroup:
    """Translucent highlighted squares over ``cells`` (the taps of a sliding window)."""
    squares = VGroup()
    for cell in cells:
        square = Square(cell.width, stroke_color=theme.highlight, stroke_width=5)
        squares.add(square.set_fill(theme.highlight, opacity=0.22).move_to(cell))
    return squares


def merged(shapes: Sequence[VMobject]) -> VMobject:
    """One VMobject holding the outlines of many shapes, styled like the first.

    Cairo draws a mobject per call, so a frame with a few hundred cell outlines or dots
    spends most of its time on them; merged they are one path, drawn in one call (and
    ``Create`` still traces them one after another). For shapes that never move apart.
    """
    if not shapes:
        return VMobject()
    whole = VMobject().set_points(np.concatenate([s.points for s in shapes]))
    return whole.match_style(shapes[0])


def place_product(left: Grid, right: Grid, product: Grid, x: float, top: float, gap=0.2):
    """Lay out ``left @ right = product`` as it is worked by hand: ``right`` above the
    product (its title to its right), ``left`` to the product's left (its title above,
    flush right), the product's title below; ``left``'s cells start at ``x``, ``right``'s
    top edge is at ``top``."""
    right.place_top(x + left.cells.width + gap + product.cells.width / 2, top)
    product.place_top(right.cells.get_x(), top - right.cells.height - gap)
    left.place(x + left.cells.width / 2, product.cells.get_y())
    right.title.next_to(right.cells, RIGHT, buff=0.25)
    left.title.next_to(left.cells, UP, buff=0.12).align_to(left.cells, RIGHT)
    product.title.next_to(product.cells, DOWN, buff=0.12)


def dotted_cells(cells: Sequence[VMobject], filled, theme: Theme) -> tuple[VMobject, VMobject]:
    """A large, mostly-zero matrix drawn cheaply: the outlines of ``cells`` as one path, and
    a dim dot (one path) on each cell whose ``filled`` flag is False (a structural zero)."""
    dots = [
        Dot(c.get_center(), radius=0.028, color=theme.muted)
        for c, f in zip(cells, filled, strict=True)
        if not f
    ]
    return merged(cells).set_stroke(theme.grid, width=1.5), merged(dots)


def pattern_picture(filled, edge: float, centre, theme: Theme, color: str):
    """A small picture of a matrix's pattern (no numbers), centred on ``centre``: the outline
    of every ``edge``-sized cell (one path) and a filled square on each cell where
    ``filled`` (rows × cols) is True, row-major."""
    rows, cols = filled.shape
    origin = np.asarray(centre) + np.array([-(cols - 1) * edge / 2, (rows - 1) * edge / 2, 0])
    frame, fills = [], VGroup()
    for r, q in np.ndindex(rows, cols):
        frame.append(Square(edge).move_to(origin + np.array([q * edge, -r * edge, 0])))
        if filled[r, q]:
            fills.add(frame[-1].copy().set_stroke(width=0).set_fill(color, opacity=0.8))
    return merged(frame).set_stroke(theme.grid, width=1), fills
