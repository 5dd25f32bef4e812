"""Convolution as one matrix: the unrolled, mostly-zero weight matrix ``M`` times ``x``.

Row r of ``M`` holds the kernel at the input cells output r's window covers, zeros
elsewhere, so ``M·x`` is the convolution; ``Mᵀ`` sends the outputs' gradient back onto the
inputs: the backward pass, a transposed convolution.

    manim render -ql scenes/matmul.py ConvAsMatmul
    convanim build matmul --stride 2 --padding 1
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Arrow, Create, Square, Transform, VGroup, Write

from scenes.kit.anim import Blink, Fade, Fly, chunks, fade_out
from scenes.kit.fmt import conv_settings, equation, fmt, fmt_factor, product_terms, shape
from scenes.kit.grid import Grid, dotted_cells, highlight_box, pattern_picture, window_squares
from scenes.kit.scene import ConvScene, beat
from scenes.kit.text import TextCache, equation_block, fit_width, label, title_bar, wrap_terms
from scenes.specs.matmul import SPEC, matrix_cell

SIDE_W = 2.5  # labels left of the matrix
X_Y = 2.45  # centre line of the flattened input row
LABEL = 22
TEXT_Y = -3.15  # centre of the captions and equations under the matrix
TEXT_H = 1.4


def terms_text(a, b, products, value) -> tuple[list[str], list[str], float]:
    """``a·b`` factors, the formatted products and the sum, for :meth:`sum_text`."""
    return product_terms(a, b), [fmt_factor(v) for v in products], value


class ConvAsMatmul(ConvScene):
    """The unrolled kernel matrix times the flattened input; its transpose sends g back."""

    spec = SPEC
    title_text = "Convolution as one matrix product"

    def setup(self):
        super().setup()
        rows, cols = self.trace.matrix.shape
        self.cell = matrix_cell(rows, cols)
        self.m_left = -(SIDE_W + cols * self.cell + 0.3 + self.cell) / 2 + SIDE_W
        self.m_top = X_Y - self.cell / 2 - 0.18
        self.texts = TextCache()

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

    @beat
    def show_title(self):
        params = conv_settings(self.tr, self.trace, with_bias=False)
        title = self.tr(self.title_text)
        subtitle = self.tr(
            "out = M · x with M the unrolled kernel; Mᵀ sends gradients back · {params}",
            params=params,
        )
        self.title = title_bar(title, self.theme, subtitle)
        self.cue(self.tr("{title}: {subtitle}.", title=title, subtitle=subtitle))
        self.play(Fade(self.title), run_time=0.8)

    @beat
    def show_inputs(self):
        self.input_grid, self.kernel_grid = self.get_input_grids()
        self.play(Fade(self.input_grid), Fade(self.kernel_grid), run_time=1.2)
        self.wait(1)

    @beat
    def flatten_input(self):
        t, n = self.trace, self.trace.x_flat.size
        self.x_row = self.get_row(t.x_flat, self.theme.input, self.m_top + 0.18 + self.cell / 2)
        sources = [self.input_grid.number(r, c) for _, r, c in t.column_in_index]
        self.x_shown = VGroup(*self.x_row.copy_numbers(sources))
        text = self.tr("input x,\nflattened ({n})", n=n)
        self.x_label = self.side_label(text, self.theme.input, self.x_row)
        x_shape = shape(*t.x.shape[1:])
        self.cue(
            self.tr("The {shape} input flattened to a vector x of {n} values.", shape=x_shape, n=n)
        )
        self.play(Create(self.x_row.cells), Fade(self.x_label), run_time=0.8)
        self.play(Fly(self.x_shown, list(self.x_shown), sources, lag_ratio=0.06), run_time=2.5)
        self.play(*fade_out(self.input_grid), run_time=0.6)

    @beat
    def build_matrix(self):
        t = self.trace
        m_shape, rows = shape(*t.matrix.shape), t.matrix.shape[0]
        self.matrix_cells, self.zero_dots, self.entries = self.get_matrix()
        text = self.tr("M {shape}\nunrolled kernel", shape=m_shape)
        self.m_label = self.side_label(text, self.theme.kernel, self.matrix_cells)
        self.cue(
            self.tr(
                "M {shape}: row r holds the {kernel} kernel's entries at the input cells "
                "of output r's window, zeros elsewhere.",
                shape=m_shape,
                kernel=shape(*t.kernel_size),
            )
        )
        self.play(Create(self.matrix_cells), Fade(self.zero_dots), Fade(self.m_label), run_time=1.2)
        self.fills, self.fill_at, self.entries_shown = VGroup(), {}, VGroup()
        self.matrix = (self.matrix_cells, self.zero_dots, self.fills, self.entries_shown)
        self.bring_to_back(*self.matrix[:2])  # static from now on: drawn into the background
        self.add(*self.matrix[2:])  # what is revealed next: last, so only it is redrawn
        self.reveal_rows(range(1), run_time=2.4, lag=0.12)
        for some in chunks(range(1, rows), 2):
            self.reveal_rows(some, run_time=1.6, lag=0.02)
        self.bring_to_back(*self.matrix)
        self.play(*fade_out(self.kernel_grid), run_time=0.6)

    def reveal_rows(self, rows: range, run_time: float, lag: float):
        """Kernel numbers fly from the kernel grid into rows ``rows`` of ``M``."""
        t, mobs, sources, fills = self.trace, [], [], VGroup()
        for r in rows:
            for e, q in enumerate(t.row_columns[r]):
                if q >= 0:
                    mobs.append(self.entries[r, q])
                    sources.append(self.kernel_grid.number(*t.tap_index[e][1:]))
                    fill = self.cell_square(r, q, stroke_width=0)
                    self.fill_at[r, q] = fill.set_fill(self.theme.kernel, opacity=0.22)
                    fills.add(fill)
        flying = VGroup(*mobs)  # new groups, added last: only they are redrawn
        self.fills.add(fills)
        self.entries_shown.add(flying)
        self.play(Fly(flying, mobs, sources, lag_ratio=lag), Fade(fills), run_time=run_time)

    @beat
    def count_cells(self):
        t = self.trace
        n = {"shape": shape(*t.matrix.shape), "total": t.n_total}
        n |= {"nonzero": t.n_nonzero, "zero": t.n_zero}
        text = self.tr(
            "{shape} = {total} cells: {nonzero} hold kernel entries, "
            "{zero} are structural zeros (dots)",
            **n,
        )
        self.count = fit_width(label(text, self.theme.text, 24), 13.6).move_to([0, TEXT_Y, 0])
        self.cue(self.tr("{shape} = {total} cells: {nonzero} kernel entries, {zero} zeros.", **n))
        lit = self.zero_dots.copy().set_color(self.theme.highlight)
        self.play(Fade(self.count), Blink(lit), run_time=1.5)
        self.wait(1.8)

    @beat
    def multiply(self):
        t, rows = self.trace, self.trace.matrix.shape[0]
        self.out_col = self.get_column(t.out_flat, self.theme.output)
        self.out_label = self.column_label("M·x", self.theme.output, self.out_col)
        self.row_box = self.strip_box(self.out_col, 0, 0)
        x_cells = [self.x_row.cells[q] for q in t.row_columns[0] if q >= 0]
        x_marks = window_squares(x_cells, self.theme)  # the inputs row 0 multiplies
        parts = self.row_terms_text(0)
        _, i, j = t.row_out_index[0]
        head = self.tr("out[{out}] = row {r} · x", out=f"{i}, {j}", r=0)
        self.cue(self.tr("Row {r} of M times x: {equation}", r=0, equation=self.sum_text(parts)))
        self.out_shown = VGroup()
        self.add(self.out_shown)
        self.play(
            *fade_out(self.count),
            *(Create(m) for m in (self.out_col.cells, self.row_box, x_marks)),
            Fade(self.out_label),
            run_time=1.0,
        )
        self.work_through(parts, head, self.row_box, self.out_col, self.out_shown, 0, x_marks)
        text = self.tr("M·x = the {n} outputs of conv2d(x, w), row by row", n=rows)
        self.caption = self.get_caption(text, self.theme.output)
        values = ", ".join(fmt(v) for v in t.out_flat)
        self.cue(self.tr("M·x = the {n} outputs of conv2d(x, w): {values}.", n=rows, values=values))
        self.play(*fade_out(self.row_box), Fade(self.caption), run_time=0.6)
        self.wait(1.8)

    @beat
    def transpose(self):
        t = self.trace
        rows, cols = t.matrix.shape
        old = (self.caption, self.x_row, self.x_shown, self.x_label, self.out_shown)
        self.play(*fade_out(*old, self.out_label, self.m_label), run_time=0.6)
        self.show_transposed()
        self.g_col = self.get_column(t.grad_out_flat, self.theme.accent)
        self.g_label = self.column_label("g", self.theme.accent, self.g_col)
        self.g_shown = VGroup(*self.g_col.numbers)
        y = self.m_top - rows * self.cell - 0.18 - self.cell / 2
        self.grad_row = self.get_row(t.grad_x_flat, self.theme.input, y)
        self.grad_row.fmt_numbers(cache=self.texts)
        self.grad_label = self.side_label(f"Mᵀ·g ({cols})", self.theme.input, self.grad_row)
        values = ", ".join(fmt(v) for v in t.grad_out_flat)
        self.cue(
            self.tr(
                "g = {values} arrives at the {rows} outputs; Mᵀ·g will have {cols} entries.",
                values=values,
                rows=rows,
                cols=cols,
            )
        )
        self.grad_shown = VGroup()
        self.add(self.grad_shown)
        shown = (self.g_col, self.g_label, self.g_shown, self.grad_label)
        self.play(
            *fade_out(self.out_col),
            *(Fade(m) for m in shown),
            Create(self.grad_row.cells),
            run_time=1.2,
        )
        self.wait(1.5)

    def show_transposed(self):
        """M's kernel entries fly to their transposed places in a small picture of Mᵀ."""
        rows, cols = self.trace.matrix.shape
        frame, fills, sources, title = self.get_thumbnail()
        text = self.tr(
            "M {shape}, read by columns: column q of M = row q of Mᵀ", shape=shape(rows, cols)
        )
        self.m_top_label = label(text, self.theme.kernel, LABEL)
        self.m_top_label.move_to([self.m_left + cols * self.cell / 2, X_Y, 0])
        lines = (
            self.tr(
                "Mᵀ ({shape}) maps {rows} values back onto {cols}: (Mᵀ·g)[q] = column q of M · g",
                shape=shape(cols, rows),
                rows=rows,
                cols=cols,
            ),
            self.tr("g = ∂L/∂out: the gradient arriving at the {rows} outputs", rows=rows),
        )
        colors = (self.theme.text, self.theme.accent)
        self.caption = VGroup(*(label(s, c, LABEL) for s, c in zip(lines, colors, strict=True)))
        self.caption.arrange(DOWN, buff=0.15).move_to([0, TEXT_Y, 0])
        self.cue(self.tr("{first}; {second}", first=lines[0], second=lines[1]))
        self.play(Create(frame), Fade(title), Fade(self.m_top_label), run_time=1.0)
        self.play(Fly(fills, list(fills), sources, lag_ratio=0.01), run_time=2.0)
        self.play(Fade(self.caption), run_time=0.8)
        self.thumbnail = VGroup(frame, fills, title)

    @beat
    def send_back(self):
        t = self.trace
        q = t.busiest_column  # the input cell that feeds the most outputs
        box = self.strip_box(self.grad_row, q, q)
        g_box = highlight_box(self.g_col.cells, self.theme)
        parts = self.column_terms_text(q)
        self.cue(
            self.tr(
                "Input cell {q} feeds {n} outputs: column {q} of M times g: {equation}",
                q=q,
                n=int(t.column_counts[q]),
                equation=self.sum_text(parts),
            )
        )
        self.play(*fade_out(self.caption), Create(box), Create(g_box), run_time=0.8)
        head = self.tr("(Mᵀ·g)[{q}] = column {q} · g", q=q)
        self.work_through(parts, head, box, self.grad_row, self.grad_shown, q)
        text = self.tr("Mᵀ·g is the backward pass: the gradient of Σ g·out with respect to x")
        self.caption = self.get_caption(text, self.theme.text)
        values = ", ".join(fmt(v) for v in t.grad_x_flat)
        self.cue(self.tr("{caption}: Mᵀ·g = {values}.", caption=text, values=values))
        self.play(*fade_out(box, g_box), Fade(self.caption), run_time=0.6)
        self.wait(2)

    @beat
    def reshape_gradient(self):
        self.g_grid, self.grad_grid, arrow, captions = self.get_gradient_grids()
        self.cue(" ".join(line.original_text for line in captions))
        side = (self.thumbnail, self.m_top_label, self.g_col, self.g_shown, self.g_label)
        self.play(*fade_out(*self.matrix, *side, self.caption), run_time=0.7)
        grids = (self.g_grid, self.grad_grid.title, arrow[1])
        self.play(*(Fade(m) for m in grids), Create(self.grad_grid.cells), Create(arrow[0]))
        sources = list(self.grad_row.numbers)
        shown = VGroup(*self.grad_grid.copy_numbers(sources))
        self.play(Fly(shown, list(shown), sources, lag_ratio=0.3), run_time=2.4)
        self.play(Fade(captions, shift=0.2 * UP), run_time=1.0)
        self.wait(2.5)

    def work_through(self, parts, head: str, box, strip: Grid, shown: VGroup, first: int, *extra):
        """Write entry ``first`` of ``strip`` as an equation whose value flies into place, then
        step ``box`` over the other entries, popping their numbers in (all join ``shown``).
        Matrix rows go in 3 steps, columns in 4; ``extra`` fades with the equation."""
        rows = strip.shape[1] == 1
        eq = self.get_equation(parts, head)
        self.play(Write(eq[0]), run_time=2.8 if rows else 2.4)
        self.play(Fade(eq[1], scale=1.4), run_time=0.5)
        shown.add(strip.numbers[first])
        self.play(Fly(shown, [strip.numbers[first]], [eq[1]]), run_time=0.8)
        self.wait(0.6)
        self.play(*fade_out(eq, *extra), run_time=0.4)
        rest = [k for k in range(len(strip.numbers)) if k != first]
        for some in chunks(rest, 3 if rows else 4):
            mobs = [strip.numbers[k] for k in some]
            shown.add(*mobs)
            moved = Transform(box, self.strip_box(strip, some[0], some[-1]))
            self.play(moved, *(Fade(m, scale=1.3) for m in mobs), run_time=0.7 if rows else 0.6)

    # -- mobjects from the trace --------------------------------------------------------

    def get_input_grids(self):
        t, th = self.trace, self.theme
        h, w = t.x.shape[1:]
        x_title = self.tr("input x {shape}", shape=shape(h, w))
        k_title = self.tr("kernel w {shape}", shape=shape(*t.kernel_size))
        x_grid = Grid(t.x[0], x_title, th.input, th, min(0.6, 4.0 / h), show_numbers=True)
        k_grid = Grid(t.weight[0, 0], k_title, th.kernel, th, self.cell, show_numbers=True)
        x_grid.place(0, 0.1)
        bottom = self.m_top - t.matrix.shape[0] * self.cell
        k_grid.place(-7.0 + 0.2 + k_grid.width / 2, bottom - 0.7 - k_grid.cells.height / 2)
        return x_grid, k_grid

    def get_row(self, values: np.ndarray, color: str, y: float) -> Grid:
        """A 1×Q row of cells over the matrix's columns, at height ``y`` (no title)."""
        row = Grid(values[None], "", color, self.theme, self.cell)
        return row.remove(row.title).place(self.m_left + values.size * self.cell / 2, y)

    def get_column(self, values: np.ndarray, color: str) -> Grid:
        """An R×1 column right of the matrix, beside its rows (no title)."""
        col = Grid(values[:, None], "", color, self.theme, self.cell)
        col.fmt_numbers(cache=self.texts)
        rows, cols = self.trace.matrix.shape
        x, y = self.m_left + (cols + 0.5) * self.cell + 0.3, self.m_top - rows * self.cell / 2
        return col.remove(col.title).place(x, y)

    def side_label(self, text: str, color: str, beside):
        """A caption left of the matrix, level with ``beside``."""
        mob = fit_width(label(text, color, LABEL), SIDE_W - 0.25)
        return mob.next_to(beside, LEFT, buff=0.2).set_y(beside.get_center()[1])

    def column_label(self, text: str, color: str, column: Grid):
        return label(text, color, LABEL).next_to(column.cells, UP, buff=0.18)

    def get_caption(self, text: str, color: str):
        return label(text, color, 24).move_to([0, TEXT_Y, 0])

    def cell_square(self, r: int, q: int, **style) -> Square:
        """A square on cell ``(r, q)`` of ``M``."""
        centre = [self.m_left + (q + 0.5) * self.cell, self.m_top - (r + 0.5) * self.cell, 0]
        return Square(self.cell, **style).move_to(centre)

    def get_matrix(self):
        """The cells of ``M`` (one path), a dot in every structural zero (one path), and a
        copy of the kernel grid's number on every entry, by ``(r, q)``."""
        t, entries = self.trace, {}
        cells = [self.cell_square(r, q) for r, q in np.ndindex(t.matrix.shape)]
        for (r, q), cell in zip(np.ndindex(t.matrix.shape), cells, strict=True):
            if (e := t.entry_index[r, q]) >= 0:
                entries[r, q] = self.kernel_grid.number(*t.tap_index[e][1:]).copy().move_to(cell)
        return *dotted_cells(cells, t.entry_index.ravel() >= 0, self.theme), entries

    def get_thumbnail(self):
        """A small Mᵀ (Q×R, no numbers) left of M: its outline, its filled entries with the
        fills of ``M`` they fly from, and its title."""
        t, th = self.trace, self.theme
        rows, cols = t.matrix.shape
        c = min(0.16, (rows * self.cell + 0.3) / cols, (SIDE_W - 0.5) / rows)
        centre = [self.m_left - SIDE_W / 2, self.m_top - rows * self.cell / 2, 0]
        frame, fills = pattern_picture(t.entry_index.T >= 0, c, centre, th, th.kernel)
        sources = [self.fill_at[r, q] for q, r in np.ndindex(cols, rows) if (r, q) in self.fill_at]
        title = label(f"Mᵀ {shape(cols, rows)}", th.kernel, LABEL).next_to(frame, UP, buff=0.15)
        return frame, fills, sources, title

    def strip_box(self, strip: Grid, first: int, last: int):
        """Outline around entries ``first..last`` of ``strip`` (the output column or the
        gradient row) and the rows (or columns) of ``M`` level with them."""
        corner = self.cell_square(first, 0) if strip.shape[1] == 1 else self.cell_square(0, first)
        return highlight_box(VGroup(corner, *strip.cells[first : last + 1]), self.theme)

    def row_terms_text(self, r: int) -> tuple[list[str], list[str], float]:
        """``x·w`` factors, products and the sum of row ``r`` (non-zero entries only)."""
        t, used = self.trace, self.trace.row_columns[r] >= 0
        x = t.x_flat[t.row_columns[r][used]]
        return terms_text(x, t.row_values[r][used], t.row_terms[r][used], t.out_flat[r])

    def column_terms_text(self, q: int) -> tuple[list[str], list[str], float]:
        """``M[r, q]·g[r]`` factors, products and the sum of column ``q`` (entries only)."""
        t, used = self.trace, self.trace.entry_index[:, q] >= 0
        g = t.grad_out_flat[used]
        return terms_text(t.matrix_t[q][used], g, t.grad_terms[q][used], t.grad_x_flat[q])

    @staticmethod
    def sum_text(parts) -> str:
        """``1·1 + 2·2 + … = 411`` from :meth:`row_terms_text`/:meth:`column_terms_text`."""
        factors, _, value = parts
        return equation(factors, None, value)

    def get_equation(self, parts, head: str) -> VGroup:
        """``head = a·b + … = p + … =`` (wrapped) and the value, as (lines, result)."""
        factors, products, value = parts
        lines = wrap_terms(f"{head} = " + " + ".join(factors), 62)
        lines += wrap_terms("= " + " + ".join(products), 62)
        eq = equation_block(lines, f"= {fmt(value)}", self.theme, 24, self.texts, 13.6, TEXT_H)
        return eq.move_to([0, TEXT_Y, 0])

    def get_gradient_grids(self):
        """g as its output map, an arrow, and the empty map Mᵀ·g reshapes into."""
        t, th = self.trace, self.theme
        h, w = t.grad_x.shape[1:]
        out = shape(*t.out_shape)
        g_grid = Grid(t.grad_out[0], f"g {out}", th.accent, th, 0.6, show_numbers=True)
        grad_title = self.tr("Mᵀ·g reshaped: ∂L/∂x {shape}", shape=shape(h, w))
        grad_grid = Grid(t.grad_x[0], grad_title, th.input, th, min(0.6, 3.6 / h))
        g_grid.place(-3.6, 0.2)
        grad_grid.place(2.6, 0.2)
        start, end = g_grid.cells.get_right() + 0.3 * RIGHT, grad_grid.cells.get_left() + 0.3 * LEFT
        line = Arrow(start, end, buff=0, color=th.text, stroke_width=5)
        tag = label("Mᵀ ·", th.text, LABEL).next_to(line, UP, buff=0.12)
        lines = (
            self.tr("the backward pass of conv2d: the gradient with respect to its input x"),
            self.tr(
                "= conv_transpose2d(g, w): a transposed convolution, {out} → {input}",
                out=out,
                input=shape(h, w),
            ),
        )
        captions = VGroup(*(label(s, th.text, 24) for s in lines)).arrange(DOWN, buff=0.2)
        captions.move_to([0, TEXT_Y + 0.2, 0])
        return g_grid, grad_grid, VGroup(line, tag), captions
