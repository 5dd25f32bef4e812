"""Convolution as one matrix: the unrolled, mostly-zero weight matrix ``M`` times ``x``.

For the article's 5×5 input and 3×3 kernel, ``M`` is 9×25: each row holds the kernel laid
along the input cells its window covers (shifted bands), zeros elsewhere. ``M @ x`` gives
the 9 outputs. Its transpose ``Mᵀ`` (25×9) sends 9 values back onto the 25 inputs: the
backward pass (gradient w.r.t. the input), i.e. a transposed convolution.

    manim render -ql scenes/matmul.py ConvAsMatmul
    convanim build matmul --quality low                 # same, into media/matmul.mp4
    convanim build matmul --stride 2 --padding 1
"""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Create,
    Dot,
    FadeIn,
    Rectangle,
    Square,
    Text,
    Transform,
    VGroup,
    Write,
    there_and_back,
)

from convcore import ARTICLE_INPUT, ARTICLE_KERNEL, ConvMatrixTrace, conv_matrix_trace
from scenes.common import (
    FONT,
    ConvScene,
    NumberGrid,
    highlight_box,
    label,
    number_font_size,
    title_bar,
)
from scenes.fast import CellGrid, Fade, Fly, fade_out, texts_for
from scenes.sliding import conv_settings, wrap_terms
from scenes.textfmt import DOT, equation, fmt, fmt_factor, shape

M_W = 10.4  # width for the matrix's cells
M_H = 3.9  # height for the matrix's cells
MIN_CELL = 0.36  # numbers stay ≥ 14 pt at 1080p; below this the matrix is refused
MAX_CELL = 0.5
SIDE_W = 2.5  # labels left of the matrix
X_Y = 2.45  # centre line of the flattened input row
LABEL = 22
TEXT_Y = -3.15  # centre of the captions and equations under the matrix
TEXT_H = 1.4


def matrix_cell(rows: int, cols: int) -> float:
    """Cell edge of an R×Q matrix drawn in the matrix's area."""
    return min(MAX_CELL, M_W / cols, M_H / rows)


class ConvAsMatmul(ConvScene):
    """The unrolled kernel matrix times the flattened input; its transpose sends g back."""

    input_matrix = ARTICLE_INPUT
    kernel_matrix = ARTICLE_KERNEL
    stride = 1
    padding = 0
    dilation = 1
    grad_out = None  # the vector g sent back through Mᵀ (None: all ones)
    title_text = "Convolution as one matrix product"

    @classmethod
    def make_trace(cls) -> ConvMatrixTrace:
        """The trace this scene draws (raises ``ValueError`` on unusable parameters)."""
        x, k = np.asarray(cls.input_matrix), np.asarray(cls.kernel_matrix)
        if x.ndim != 2 or k.ndim != 2:
            raise ValueError(
                f"the matrix video draws one channel: input and kernel must be 2-D, "
                f"got input {x.shape} and kernel {k.shape}"
            )
        trace = conv_matrix_trace(
            x, k, cls.stride, cls.padding, cls.dilation, grad_out=cls.grad_out
        )
        rows, cols = trace.matrix.shape
        if matrix_cell(rows, cols) < MIN_CELL:
            raise ValueError(
                f"the unrolled matrix {shape(rows, cols)} is too large to draw legibly (at "
                f"most {math.floor(M_H / MIN_CELL)} rows = outputs and "
                f"{math.floor(M_W / MIN_CELL)} columns = input cells); use a smaller input, "
                "a larger stride or less padding"
            )
        return trace

    def setup(self):
        super().setup()
        self.trace = self.make_trace()
        rows, cols = self.trace.matrix.shape
        self.cell = matrix_cell(rows, cols)
        width = SIDE_W + cols * self.cell + 0.3 + self.cell
        self.m_left = -width / 2 + SIDE_W
        self.m_top = X_Y - self.cell / 2 - 0.18

    def construct(self):
        self.show_title()
        self.show_inputs()
        self.flatten_input()
        self.build_matrix()
        self.count_cells()
        self.multiply()
        self.transpose()
        self.send_back()
        self.reshape_gradient()

    # -- beats -------------------------------------------------------------------------

    def show_title(self):
        t = self.trace
        params = conv_settings(self, t, with_bias=False)
        title = self.tr(self.title_text)
        subtitle = self.tr(
            "out = M · x with M the unrolled kernel; Mᵀ sends gradients back · {params}",
            params=params,
        )
        self.title = title_bar(title, self.theme, subtitle)
        self.cue(self.tr("{title}: {subtitle}.", title=title, subtitle=subtitle))
        self.play(Fade(self.title), run_time=0.8)

    def show_inputs(self):
        self.input_grid, self.kernel_grid = self.get_input_grids()
        self.play(Fade(self.input_grid), Fade(self.kernel_grid), run_time=1.2)
        self.wait(1)

    def flatten_input(self):
        t = self.trace
        self.x_row = self.get_row(t.x_flat, self.theme.input, self.m_top + 0.18 + self.cell / 2)
        sources = [self.input_grid.number(c_r, c_c) for _, c_r, c_c in t.column_in_index]
        self.x_row.copy_numbers(sources)
        self.x_label = self.side_label(
            self.tr("input x,\nflattened ({n})", n=t.x_flat.size), self.theme.input, self.x_row
        )
        self.cue(
            self.tr(
                "The {shape} input flattened to a vector x of {n} values.",
                shape=shape(*t.x.shape[1:]),
                n=t.x_flat.size,
            )
        )
        self.x_shown = VGroup(*self.x_row.numbers)
        self.play(Create(self.x_row.cells), Fade(self.x_label), run_time=0.8)
        self.play(
            Fly(self.x_shown, list(self.x_row.numbers), sources, lag_ratio=0.06), run_time=2.5
        )
        self.play(*fade_out(self.input_grid), run_time=0.6)

    def build_matrix(self):
        t = self.trace
        self.matrix_cells, self.zero_dots = self.get_matrix_cells()
        self.entries = self.get_entries()
        rows = t.matrix.shape[0]
        self.m_label = self.side_label(
            self.tr("M {shape}\nunrolled kernel", shape=shape(*t.matrix.shape)),
            self.theme.kernel,
            self.matrix_cells,
        )
        self.cue(
            self.tr(
                "M {shape}: row r holds the {kernel} kernel's entries at the input cells "
                "of output r's window, zeros elsewhere.",
                shape=shape(*t.matrix.shape),
                kernel=shape(*t.kernel_size),
            )
        )
        self.fills, self.fill_at = VGroup(), {}
        self.entries_shown = VGroup()
        self.add(self.fills, self.entries_shown)
        self.play(Create(self.matrix_cells), Fade(self.zero_dots), Fade(self.m_label), run_time=1.2)
        self.reveal_rows(range(1), run_time=2.4, lag=0.12)
        chunk = max(1, math.ceil((rows - 1) / 2))
        for first in range(1, rows, chunk):
            self.reveal_rows(range(first, min(first + chunk, rows)), run_time=1.6, lag=0.02)
        self.play(*fade_out(self.kernel_grid), run_time=0.6)

    def reveal_rows(self, rows: range, run_time: float, lag: float):
        """Kernel numbers fly from the kernel grid into rows ``rows`` of ``M``."""
        t, mobs, sources, fills = self.trace, [], [], []
        for r in rows:
            for e, q in enumerate(t.row_columns[r]):
                if q < 0:
                    continue
                _, kr, kc = t.tap_index[e]
                mobs.append(self.entries[r, q])
                sources.append(self.kernel_grid.number(kr, kc))
                fills.append(self.get_fill(r, q))
                self.fill_at[r, q] = fills[-1]
        self.fills.add(*fills)
        self.entries_shown.add(*mobs)
        self.play(
            Fly(self.entries_shown, mobs, sources, lag_ratio=lag),
            Fade(VGroup(*fills)),
            run_time=run_time,
        )

    def count_cells(self):
        t = self.trace
        self.count = label(
            self.tr(
                "{shape} = {total} cells: {nonzero} hold kernel entries, "
                "{zero} are structural zeros (dots)",
                shape=shape(*t.matrix.shape),
                total=t.n_total,
                nonzero=t.n_nonzero,
                zero=t.n_zero,
            ),
            self.theme.text,
            24,
        ).move_to([0, TEXT_Y, 0])
        if self.count.width > 13.6:
            self.count.scale_to_fit_width(13.6)
        self.cue(
            self.tr(
                "{shape} = {total} cells: {nonzero} kernel entries, {zero} zeros.",
                shape=shape(*t.matrix.shape),
                total=t.n_total,
                nonzero=t.n_nonzero,
                zero=t.n_zero,
            )
        )
        self.play(
            Fade(self.count),
            self.zero_dots.animate(rate_func=there_and_back).set_color(self.theme.highlight),
            run_time=1.5,
        )
        self.wait(1.8)

    def multiply(self):
        t = self.trace
        rows = t.matrix.shape[0]
        self.out_col = self.get_column(t.out_flat, self.theme.output)
        self.out_label = label("M·x", self.theme.output, LABEL).next_to(
            self.out_col.cells, UP, buff=0.18
        )
        self.out_shown = VGroup()
        self.add(self.out_shown)
        self.row_box = self.get_row_box(0, 0)
        self.x_marks = self.get_x_marks(0)
        parts = self.row_terms_text(0)
        head = self.tr("out[{out}] = row {r} · x", out=self.out_name(0), r=0)
        eq = self.get_equation(parts, head)
        self.cue(self.tr("Row {r} of M times x: {equation}", r=0, equation=self.sum_text(parts)))
        self.play(
            *fade_out(self.count),
            Create(self.out_col.cells),
            Fade(self.out_label),
            Create(self.row_box),
            Create(self.x_marks),
            run_time=1.0,
        )
        self.play(Write(eq[0]), run_time=2.8)
        self.play(FadeIn(eq[1], scale=1.4), run_time=0.5)
        first = self.out_col.numbers[0]
        self.out_shown.add(first)
        self.play(Fly(self.out_shown, [first], [eq[1]]), run_time=0.8)
        self.wait(0.6)
        self.play(*fade_out(eq, self.x_marks), run_time=0.4)
        chunk = max(1, math.ceil((rows - 1) / 3))
        for start in range(1, rows, chunk):
            stop = min(start + chunk, rows)
            mobs = list(self.out_col.numbers[start:stop])
            self.out_shown.add(*mobs)
            self.play(
                Transform(self.row_box, self.get_row_box(start, stop - 1)),
                *(FadeIn(m, scale=1.3) for m in mobs),
                run_time=0.7,
            )
        self.caption = label(
            self.tr("M·x = the {n} outputs of conv2d(x, w), row by row", n=rows),
            self.theme.output,
            24,
        ).move_to([0, TEXT_Y, 0])
        self.cue(
            self.tr(
                "M·x = the {n} outputs of conv2d(x, w): {values}.",
                n=rows,
                values=", ".join(fmt(v) for v in t.out_flat),
            )
        )
        self.play(*fade_out(self.row_box), Fade(self.caption), run_time=0.6)
        self.wait(1.8)

    def transpose(self):
        t = self.trace
        rows, cols = t.matrix.shape
        self.play(
            *fade_out(
                self.caption,
                self.x_row,
                self.x_shown,
                self.x_label,
                self.out_shown,
                self.out_label,
                self.m_label,
            ),
            run_time=0.6,
        )
        self.show_transposed()
        self.g_col = self.get_column(t.grad_out_flat, self.theme.accent)
        self.g_label = label("g", self.theme.accent, LABEL).next_to(self.g_col.cells, UP, buff=0.18)
        self.g_shown = VGroup(*self.g_col.numbers)
        y = self.m_top - rows * self.cell - 0.18 - self.cell / 2
        self.grad_row = self.get_row(t.grad_x_flat, self.theme.input, y)
        self.grad_row.copy_numbers(
            texts_for(t.grad_x_flat, self.grad_row.font_size, self.theme.text)
        )
        self.grad_label = self.side_label(f"Mᵀ·g ({cols})", self.theme.input, self.grad_row)
        self.cue(
            self.tr(
                "g = {values} arrives at the {rows} outputs; Mᵀ·g will have {cols} entries.",
                values=", ".join(fmt(v) for v in t.grad_out_flat),
                rows=rows,
                cols=cols,
            )
        )
        self.grad_shown = VGroup()
        self.add(self.grad_shown)
        self.play(
            *fade_out(self.out_col),
            Fade(self.g_col),
            Fade(self.g_label),
            Fade(self.g_shown),
            Create(self.grad_row.cells),
            Fade(self.grad_label),
            run_time=1.2,
        )
        self.wait(1.5)

    def show_transposed(self):
        """M's kernel entries fly to their transposed places in a small picture of Mᵀ."""
        t = self.trace
        rows, cols = t.matrix.shape
        frame, fills, title = self.get_thumbnail()
        self.m_top_label = label(
            self.tr(
                "M {shape}, read by columns: column q of M = row q of Mᵀ", shape=shape(rows, cols)
            ),
            self.theme.kernel,
            LABEL,
        ).move_to([self.m_left + cols * self.cell / 2, X_Y, 0])
        self.caption = VGroup(
            label(
                self.tr(
                    "Mᵀ ({shape}) maps {rows} values back onto {cols}: "
                    "(Mᵀ·g)[q] = column q of M · g",
                    shape=shape(cols, rows),
                    rows=rows,
                    cols=cols,
                ),
                self.theme.text,
                LABEL,
            ),
            label(
                self.tr("g = ∂L/∂out: the gradient arriving at the {rows} outputs", rows=rows),
                self.theme.accent,
                LABEL,
            ),
        ).arrange(DOWN, buff=0.15)
        first, second = (line.original_text for line in self.caption)
        self.cue(self.tr("{first}; {second}", first=first, second=second))
        self.caption.move_to([0, TEXT_Y, 0])
        self.play(Create(frame), Fade(title), Fade(self.m_top_label), run_time=1.0)
        used = np.nonzero(t.entry_index.T >= 0)  # Mᵀ's entries, row by row like ``fills``
        sources = [self.fill_at[r, q] for q, r in zip(*used, strict=True)]
        self.play(Fly(fills, list(fills), sources, lag_ratio=0.01), run_time=2.0)
        self.play(Fade(self.caption), run_time=0.8)
        self.thumbnail = VGroup(frame, fills, title)

    def send_back(self):
        t = self.trace
        cols = t.matrix.shape[1]
        q = int(np.argmax(t.column_counts))  # the input cell that feeds the most outputs
        box = self.get_column_box(q, q)
        g_box = highlight_box(self.g_col.cells, self.theme)
        parts = self.column_terms_text(q)
        eq = self.get_equation(parts, self.tr("(Mᵀ·g)[{q}] = column {q} · g", q=q))
        self.cue(
            self.tr(
                "Input cell {q} feeds {n} outputs: column {q} of M times g: {equation}",
                q=q,
                n=int(t.column_counts[q]),
                equation=self.sum_text(parts),
            )
        )
        self.play(*fade_out(self.caption), Create(box), Create(g_box), run_time=0.8)
        self.play(Write(eq[0]), run_time=2.4)
        self.play(FadeIn(eq[1], scale=1.4), run_time=0.5)
        target = self.grad_row.numbers[q]
        self.grad_shown.add(target)
        self.play(Fly(self.grad_shown, [target], [eq[1]]), run_time=0.8)
        self.wait(0.6)
        self.play(*fade_out(eq), run_time=0.4)
        rest = [c for c in range(cols) if c != q]
        chunk = max(1, math.ceil(len(rest) / 4))
        for k in range(0, len(rest), chunk):
            part = rest[k : k + chunk]
            mobs = [self.grad_row.numbers[c] for c in part]
            self.grad_shown.add(*mobs)
            self.play(
                Transform(box, self.get_column_box(part[0], part[-1])),
                *(FadeIn(m, scale=1.3) for m in mobs),
                run_time=0.6,
            )
        self.caption = label(
            self.tr("Mᵀ·g is the backward pass: the gradient of Σ g·out with respect to x"),
            self.theme.text,
            24,
        ).move_to([0, TEXT_Y, 0])
        self.cue(
            self.tr(
                "{caption}: Mᵀ·g = {values}.",
                caption=self.caption.original_text,
                values=", ".join(fmt(v) for v in t.grad_x_flat),
            )
        )
        self.play(*fade_out(box, g_box), Fade(self.caption), run_time=0.6)
        self.wait(2)

    def reshape_gradient(self):
        g_grid, grad_grid, arrow, captions = self.get_gradient_grids()
        self.cue(" ".join(line.original_text for line in captions))
        self.play(
            *fade_out(
                self.matrix_cells,
                self.zero_dots,
                self.fills,
                self.entries_shown,
                self.thumbnail,
                self.m_top_label,
                self.g_col,
                self.g_shown,
                self.g_label,
                self.caption,
            ),
            run_time=0.7,
        )
        self.play(
            Fade(g_grid),
            Create(grad_grid.cells),
            Fade(grad_grid.title),
            Create(arrow[0]),
            Fade(arrow[1]),
            run_time=1.0,
        )
        mobs = list(grad_grid.copy_numbers(list(self.grad_row.numbers)))
        shown = VGroup(*mobs)
        self.play(Fly(shown, mobs, list(self.grad_row.numbers), lag_ratio=0.3), run_time=2.4)
        self.play(FadeIn(captions, shift=0.2 * UP), run_time=1.0)
        self.wait(2.5)
        self.grad_grid, self.g_grid = grad_grid, g_grid
        self.grad_x_shown = shown

    # -- mobjects from the trace --------------------------------------------------------

    def get_input_grids(self) -> tuple[NumberGrid, NumberGrid]:
        t, th = self.trace, self.theme
        h, w = t.x.shape[1:]
        kh, kw = t.kernel_size
        x_grid = NumberGrid(
            t.x[0], self.tr("input x {shape}", shape=shape(h, w)), th.input, th, min(0.6, 4.0 / h)
        )
        k_grid = NumberGrid(
            t.weight[0, 0],
            self.tr("kernel w {shape}", shape=shape(kh, kw)),
            th.kernel,
            th,
            self.cell,
        )
        for g in (x_grid, k_grid):
            g.title.scale(LABEL / 26).next_to(g.cells, UP, buff=0.18)
        x_grid.place(0, 0.1)
        bottom = self.m_top - t.matrix.shape[0] * self.cell
        k_grid.place(-7.0 + 0.2 + k_grid.width / 2, bottom - 0.7 - k_grid.cells.height / 2)
        return x_grid, k_grid

    def get_row(self, values: np.ndarray, color: str, y: float) -> CellGrid:
        """A 1×Q row of cells over the matrix's columns, at height ``y`` (no title)."""
        row = CellGrid(values[None], "", color, self.theme, self.cell)
        row.remove(row.title)
        return row.place(self.m_left + values.size * self.cell / 2, y)

    def get_column(self, values: np.ndarray, color: str) -> CellGrid:
        """An R×1 column right of the matrix, beside its rows (no title)."""
        col = CellGrid(values[:, None], "", color, self.theme, self.cell)
        col.remove(col.title)
        rows, cols = self.trace.matrix.shape
        x = self.m_left + cols * self.cell + 0.3 + self.cell / 2
        col.place(x, self.m_top - rows * self.cell / 2)
        col.copy_numbers(texts_for(values, col.font_size, self.theme.text))
        return col

    def side_label(self, text: str, color: str, beside) -> Text:
        """A caption left of the matrix, level with ``beside``."""
        mob = label(text, color, LABEL)
        if mob.width > SIDE_W - 0.25:
            mob.scale_to_fit_width(SIDE_W - 0.25)
        return mob.next_to(beside, LEFT, buff=0.2).set_y(beside.get_center()[1])

    def get_matrix_cells(self) -> tuple[VGroup, VGroup]:
        """The cells of ``M`` (static) and a dim dot in every structural zero."""
        t, th, c = self.trace, self.theme, self.cell
        rows, cols = t.matrix.shape
        cells, dots = VGroup(), VGroup()
        for r in range(rows):
            for q in range(cols):
                sq = Square(c, stroke_color=th.grid, stroke_width=1.5).move_to(
                    self.cell_centre(r, q)
                )
                cells.add(sq)
                if t.entry_index[r, q] < 0:
                    dots.add(Dot(sq.get_center(), radius=0.028, color=th.muted))
        return cells, dots

    def cell_centre(self, r: int, q: int) -> np.ndarray:
        c = self.cell
        return np.array([self.m_left + (q + 0.5) * c, self.m_top - (r + 0.5) * c, 0.0])

    def get_entries(self) -> dict[tuple[int, int], Text]:
        """One Text per kernel entry of ``M`` (copies of the kernel's numbers), in place."""
        t, entries = self.trace, {}
        size = number_font_size(t.weight, self.cell)
        for r, q in zip(*np.nonzero(t.entry_index >= 0), strict=True):
            _, kr, kc = t.tap_index[t.entry_index[r, q]]
            src = self.kernel_grid.number(kr, kc)
            mob = src.copy().scale(size / src.font_size).move_to(self.cell_centre(r, q))
            entries[int(r), int(q)] = mob
        return entries

    def get_thumbnail(self) -> tuple[VGroup, VGroup, Text]:
        """A small Mᵀ (Q×R, no numbers) left of M: outlines, filled entries, title."""
        t, th = self.trace, self.theme
        rows, cols = t.matrix.shape
        c = min(0.16, (rows * self.cell + 0.3) / cols, (SIDE_W - 0.5) / rows)
        centre = np.array([self.m_left - SIDE_W / 2, self.m_top - rows * self.cell / 2, 0])
        origin = centre + np.array([-(rows - 1) * c / 2, (cols - 1) * c / 2, 0])
        frame, fills = VGroup(), VGroup()
        for q in range(cols):
            for r in range(rows):
                at = origin + np.array([r * c, -q * c, 0])
                frame.add(Square(c, stroke_color=th.grid, stroke_width=1).move_to(at))
                if t.entry_index[r, q] >= 0:
                    sq = Square(c, stroke_width=0).set_fill(th.kernel, opacity=0.8)
                    fills.add(sq.move_to(at))
        title = label(f"Mᵀ {shape(cols, rows)}", th.kernel, LABEL)
        return frame, fills, title.next_to(frame, UP, buff=0.15)

    def get_fill(self, r: int, q: int) -> Square:
        sq = Square(self.cell, stroke_width=0).move_to(self.cell_centre(r, q))
        return sq.set_fill(self.theme.kernel, opacity=0.22)

    def get_row_box(self, first: int, last: int) -> Rectangle:
        """Outline around rows ``first..last`` of ``M`` and of the output column."""
        cols = self.trace.matrix.shape[1]
        corners = VGroup(
            self.matrix_cells[first * cols], self.out_col.cells[last], self.out_col.cells[first]
        )
        return highlight_box(corners, self.theme)

    def get_column_box(self, first: int, last: int) -> Rectangle:
        """Outline around columns ``first..last`` of ``M`` and of the gradient row."""
        return highlight_box(
            VGroup(self.matrix_cells[first], self.grad_row.cells[last]), self.theme
        )

    def get_x_marks(self, r: int) -> VGroup:
        """Outlines on the input cells that row ``r`` of ``M`` multiplies (non-zero entries)."""
        marks = VGroup()
        for q in self.trace.row_columns[r]:
            if q >= 0:
                sq = Square(self.cell, stroke_color=self.theme.highlight, stroke_width=4)
                marks.add(sq.move_to(self.x_row.cells[q]))
        return marks

    def out_name(self, r: int) -> str:
        _, i, j = self.trace.row_out_index[r]
        return f"{i}, {j}"

    def row_terms_text(self, r: int) -> tuple[list[str], list[str], float]:
        """``x·w`` factors, products and the sum of row ``r`` (non-zero entries only)."""
        t = self.trace
        used = t.row_columns[r] >= 0
        xs, ws = t.x_flat[t.row_columns[r][used]], t.row_values[r][used]
        factors = [f"{fmt_factor(a)}{DOT}{fmt_factor(b)}" for a, b in zip(xs, ws, strict=True)]
        return factors, [fmt_factor(v) for v in t.row_terms[r][used]], t.out_flat[r]

    def column_terms_text(self, q: int) -> tuple[list[str], list[str], float]:
        """``M[r, q]·g[r]`` factors, products and the sum of column ``q`` (entries only)."""
        t = self.trace
        used = t.entry_index[:, q] >= 0
        ms, gs = t.matrix_t[q][used], t.grad_out_flat[used]
        factors = [f"{fmt_factor(a)}{DOT}{fmt_factor(b)}" for a, b in zip(ms, gs, strict=True)]
        return factors, [fmt_factor(v) for v in t.grad_terms[q][used]], t.grad_x_flat[q]

    def sum_text(self, parts) -> str:
        """``1·1 + 2·2 + … = 411`` from :meth:`row_terms_text`/:meth:`column_terms_text`."""
        factors, _, value = parts
        return equation(factors, None, value)

    def get_equation(self, parts, head: str) -> VGroup:
        """``head = a·b + … = p + … =`` (wrapped) and the value, as (lines, result)."""
        factors, products, value = parts
        lines = wrap_terms(f"{head} = " + " + ".join(factors), 62)
        lines += wrap_terms("= " + " + ".join(products), 62)
        eq = VGroup(*(label(s, self.theme.text, 24) for s in lines))
        eq.arrange(DOWN, buff=0.14, aligned_edge=LEFT)
        result = Text(
            f"= {fmt(value)}", font=FONT, font_size=30, color=self.theme.output, weight="BOLD"
        )
        result.next_to(eq[-1], RIGHT, buff=0.25)
        group = VGroup(eq, result)
        if group.width > 13.6:
            group.scale_to_fit_width(13.6)
        if group.height > TEXT_H:
            group.scale_to_fit_height(TEXT_H)
        return group.move_to([0, TEXT_Y, 0])

    def get_gradient_grids(self) -> tuple[NumberGrid, CellGrid, VGroup, VGroup]:
        """g as its output map, an arrow, and the empty 5×5 map Mᵀ·g reshapes into."""
        t, th = self.trace, self.theme
        h, w = t.grad_x.shape[1:]
        oh, ow = t.out_shape
        g_grid = NumberGrid(t.grad_out[0], f"g {shape(oh, ow)}", th.accent, th, 0.6)
        grad_grid = CellGrid(
            t.grad_x[0],
            self.tr("Mᵀ·g reshaped: ∂L/∂x {shape}", shape=shape(h, w)),
            th.input,
            th,
            min(0.6, 3.6 / h),
        )
        g_grid.title.scale(LABEL / 26).next_to(g_grid.cells, UP, buff=0.18)
        g_grid.place(-3.6, 0.2)
        grad_grid.place(2.6, 0.2)
        start, end = g_grid.cells.get_right() + 0.3 * RIGHT, grad_grid.cells.get_left() + 0.3 * LEFT
        line = Arrow(start, end, buff=0, color=th.text, stroke_width=5)
        tag = label("Mᵀ ·", th.text, LABEL).next_to(line, UP, buff=0.12)
        captions = VGroup(
            label(
                self.tr("the backward pass of conv2d: the gradient with respect to its input x"),
                th.text,
                24,
            ),
            label(
                self.tr(
                    "= conv_transpose2d(g, w): a transposed convolution, {out} → {input}",
                    out=shape(oh, ow),
                    input=shape(h, w),
                ),
                th.text,
                24,
            ),
        ).arrange(DOWN, buff=0.2)
        captions.move_to([0, TEXT_Y + 0.2, 0])
        return g_grid, grad_grid, VGroup(line, tag), captions
