"""im2col: every window unrolled into a column, one matrix product, reshaped to the output.

Render the article's example (5×5 input 1..25, 3×3 kernel 1..9 → 411 … 951), and the
variant with two input channels (the patch matrix stacks one block of rows per channel):

    manim render -ql scenes/im2col.py Im2col
    manim render -ql scenes/im2col.py Im2colMultiChannel
    convanim build im2col --quality low                 # same, into media/im2col.mp4
    convanim build im2col --stride 2 --padding 1
    convanim build im2col-channels --input x.npy --kernel w.npy   # (C, H, W), (C, kH, kW)

The video ends with the vectorised NumPy code that computes the same thing
(``convcore.functional.conv2d_from_args``), read from convcore when the video is built.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    Indicate,
    Line,
    Square,
    Text,
    Transform,
    VGroup,
    Write,
)

from convcore import (
    ARTICLE_INPUT,
    ARTICLE_KERNEL,
    ConvTrace,
    Im2colTrace,
    im2col_trace,
    trace_conv2d,
)
from convcore.functional import conv2d_from_args
from scenes.common import FONT, CodePanel, ConvScene, NumberGrid, highlight_box, label, title_bar
from scenes.fast import CellGrid, Fade, Fly, fade_out, texts_for
from scenes.sliding import conv_settings, wrap_terms
from scenes.textfmt import DOT, equation, fmt, fmt_factor, shape

#: Two 4×4 input channels and a 2×2×2 kernel for :class:`Im2colMultiChannel`.
CHANNEL_INPUT = np.stack(
    [
        np.arange(1.0, 17.0).reshape(4, 4),
        np.array([[1, 0, 2, 1], [0, 1, 1, 2], [2, 1, 0, 1], [1, 2, 1, 0]], dtype=float),
    ]
)
CHANNEL_KERNEL = np.array([[[1, 2], [3, 4]], [[1, 0], [0, -1]]], dtype=float)

MAX_CHANNELS = 3
FRAME_W = 13.8  # usable width (the frame is 14.2 wide)
TOP = 2.2  # top edge of the grids' cells; titles sit above it
PATCH_H = 4.5  # height for the patch matrix's cells
PATCH_W = 9.0  # width for the patch matrix's cells (and channel labels)
MAX_CELL = 0.5
MIN_CELL = 0.36  # patch matrix cells: two-digit numbers stay ≥ 14 pt
MIN_INPUT_CELL = 0.3
GAP = 0.5  # between the left column and the patch matrix
BLOCK_LABEL_W = 0.9  # channel labels right of the patch matrix
ROW_GAP = 0.25  # patch matrix → output row
MAX_LEFT_W = 7.4
LABEL = 22  # font size of grid titles
ABOVE = 0.6  # room for a title above a grid's cells
BELOW = 0.45  # room for channel tags below a grid's cells
CAPTION_H = 0.55  # room for the step caption under the input grids


@dataclass(frozen=True)
class Layout:
    """Where everything goes, from the trace's shapes only (no theme, no mobjects)."""

    patch_cell: float
    kernel_row_cell: float
    input_cell: float
    one_row: bool  # input and kernel grids side by side (else kernel grids below)
    left_x: float  # left edge of the left column
    left_w: float
    patch_left: float
    result_y: float  # centre line of the kernel row and the output row

    @property
    def left_centre(self) -> float:
        return self.left_x + self.left_w / 2

    @property
    def area_top(self) -> float:
        return TOP + ABOVE


def plan_layout(trace: Im2colTrace) -> Layout:
    """The :class:`Layout` of a trace; cells may come out too small (see check_drawable)."""
    k, n_cols = trace.patches.shape
    block_w = BLOCK_LABEL_W if trace.x.shape[0] > 1 else 0.0
    pc = min(MAX_CELL, PATCH_H / k, (PATCH_W - block_w) / n_cols)
    left_w = min(MAX_LEFT_W, FRAME_W - n_cols * pc - GAP - block_w)
    total = left_w + GAP + n_cols * pc + block_w
    left_x = -total / 2
    result_y = TOP - k * pc - ROW_GAP - pc / 2
    area_h = TOP - (result_y + pc / 2 + 0.35 + CAPTION_H)
    input_cell, one_row = _input_cell(trace, left_w, area_h)
    return Layout(
        patch_cell=pc,
        kernel_row_cell=min(pc, left_w / k),
        input_cell=input_cell,
        one_row=one_row,
        left_x=left_x,
        left_w=left_w,
        patch_left=left_x + left_w + GAP,
        result_y=result_y,
    )


def _input_cell(trace: Im2colTrace, width: float, height: float) -> tuple[float, bool]:
    """Cell of the input and kernel grids in a width×height area, and whether they sit in
    one row (else the kernel grids go below the input grids): whichever gives larger cells.
    """
    c_in, hp, wp = trace.x_padded.shape
    kh, kw = trace.kernel_size
    tags = BELOW if c_in > 1 else 0.0
    one_row = min(
        (width - 0.3 * 2 * (c_in - 1) - 0.5) / (c_in * (wp + kw)),
        (height - tags) / max(hp, kh),
    )
    stacked = min(
        (width - 0.3 * (c_in - 1)) / (c_in * max(wp, kw)),
        (height - 2 * tags - ABOVE - 0.2) / (hp + kh),
    )
    return min(MAX_CELL, max(one_row, stacked)), one_row >= stacked


def check_drawable(trace: Im2colTrace) -> None:
    """Raise ``ValueError`` when the trace is too large to draw legibly."""
    k, n_cols = trace.patches.shape
    c_in = trace.x.shape[0]
    if c_in > MAX_CHANNELS:
        raise ValueError(f"{c_in} input channels are too many to draw (at most {MAX_CHANNELS})")
    layout = plan_layout(trace)
    if layout.patch_cell < MIN_CELL:
        max_rows = math.floor(PATCH_H / MIN_CELL)
        max_cols = math.floor((PATCH_W - (BLOCK_LABEL_W if c_in > 1 else 0)) / MIN_CELL)
        raise ValueError(
            f"patch matrix {shape(k, n_cols)} is too large to draw legibly (at most "
            f"{max_rows} rows = C·kH·kW and {max_cols} columns = out_h·out_w); "
            "use a smaller input or kernel, a larger stride, or fewer channels"
        )
    if layout.input_cell < MIN_INPUT_CELL:
        hp, wp = trace.x_padded.shape[1:]
        raise ValueError(
            f"padded input {shape(c_in, hp, wp)} is too large to draw beside its "
            f"{shape(k, n_cols)} patch matrix; use a smaller input or less padding"
        )


def clamp_x(mob, left: float, right: float = FRAME_W / 2):
    """Shift ``mob`` sideways into ``[left, right]`` (the right edge wins if it is too wide)."""
    if mob.get_left()[0] < left:
        mob.shift((left - mob.get_left()[0]) * RIGHT)
    if mob.get_right()[0] > right:
        mob.shift((right - mob.get_right()[0]) * RIGHT)
    return mob


class Im2col(ConvScene):
    """Windows become columns of a patch matrix; the kernel row times it is the output."""

    input_matrix = ARTICLE_INPUT  # (H, W) or (C, H, W)
    kernel_matrix = ARTICLE_KERNEL  # (kH, kW), (C, kH, kW) or (1, C, kH, kW)
    bias = None  # a number, or None
    stride = 1
    padding = 0
    dilation = 1
    slow_columns = 2  # columns unrolled slowly, window by window
    fast_plays = 3  # plays for the remaining columns (several columns per play)
    title_text = "im2col: convolution as one matrix product"

    @classmethod
    def make_trace(cls) -> Im2colTrace:
        """The trace this scene draws (raises ``ValueError`` on unusable parameters)."""
        x = np.asarray(cls.input_matrix, dtype=float)
        w = np.asarray(cls.kernel_matrix, dtype=float)
        if x.ndim not in (2, 3):
            raise ValueError(f"the im2col video needs an (H, W) or (C, H, W) input, got {x.shape}")
        if w.ndim == 3:
            w = w[None]
        if w.ndim not in (2, 4) or (w.ndim == 4 and w.shape[0] != 1):
            raise ValueError(
                "the im2col video draws one output channel: the kernel must be (kH, kW), "
                f"(C, kH, kW) or (1, C, kH, kW), got {np.shape(cls.kernel_matrix)}"
            )
        bias = None if cls.bias is None else [cls.bias]
        trace = im2col_trace(x, w, bias, cls.stride, cls.padding, cls.dilation)
        check_drawable(trace)
        return trace

    @classmethod
    def make_conv_trace(cls, trace: Im2colTrace) -> ConvTrace:
        """The sliding-window trace of the same convolution (for the side-by-side result)."""
        bias = trace.bias if trace.has_bias else None
        return trace_conv2d(
            trace.x[None], trace.weight, bias, trace.stride, cls.padding, trace.dilation
        )

    def setup(self):
        super().setup()
        self.trace = self.make_trace()
        self.conv_trace = self.make_conv_trace(self.trace)
        self.layout = plan_layout(self.trace)

    def construct(self):
        self.show_title()
        self.show_inputs()
        self.unfold_windows()
        self.flatten_kernel()
        self.multiply()
        self.reshape_output()
        self.show_code()

    # -- beats -------------------------------------------------------------------------

    def show_title(self):
        t = self.trace
        params = conv_settings(self, t)
        self.title = title_bar(
            self.tr(self.title_text),
            self.theme,
            self.tr(
                "windows → columns, kernel → a row, one product, reshape · {params}", params=params
            ),
        )
        k, n_cols = t.patches.shape
        self.cue(
            self.tr(
                "im2col: each of the {n} windows becomes a column of a {patches} patch matrix; "
                "the kernel, flattened to a row, times it gives the output ({params}).",
                n=n_cols,
                patches=shape(k, n_cols),
                params=params,
            )
        )
        self.play(Fade(self.title), run_time=0.8)

    def show_inputs(self):
        self.build_blocks()
        self.patch_grid = self.get_patch_grid()
        self.patch_extras = self.get_patch_extras()
        self.patch_shown = VGroup()
        self.add(self.patch_shown)
        self.play(
            Fade(self.input_block),
            Fade(self.kernel_block),
            Create(self.patch_grid.cells),
            Fade(self.patch_grid.title),
            Fade(self.patch_extras),
            run_time=1.5,
        )
        self.wait(0.8)

    def unfold_windows(self):
        t = self.trace
        n_cols = t.patches.shape[1]
        slow = min(self.slow_columns, n_cols)
        for col in range(slow):
            self.unfold_slowly(col)
        if slow < n_cols:
            self.cue(
                self.tr(
                    "Columns {first}–{last}: the other windows, out[{i0}, {j0}] to "
                    "out[{i1}, {j1}], the same way.",
                    first=slow,
                    last=n_cols - 1,
                    i0=t.out_index[slow][0],
                    j0=t.out_index[slow][1],
                    i1=t.out_index[n_cols - 1][0],
                    j1=t.out_index[n_cols - 1][1],
                )
            )
            self.play(FadeOut(self.window), FadeOut(self.caption), run_time=0.4)
            rest = range(slow, n_cols)
            size = math.ceil(len(rest) / self.fast_plays)
            for first in range(slow, n_cols, size):
                self.unfold_quickly(range(first, min(first + size, n_cols)))
            self.play(FadeOut(self.column_box), run_time=0.4)
        else:
            self.play(FadeOut(self.window), FadeOut(self.caption), FadeOut(self.column_box))
        self.wait(0.5)

    def unfold_slowly(self, col: int):
        window, box = self.get_window(col), self.get_column_box(col, col)
        caption = self.get_step_caption(col)
        t = self.trace
        i, j = t.out_index[col]
        self.cue(
            self.tr(
                "Column {col}: the window of out[{i}, {j}], {values}.",
                col=col,
                i=i,
                j=j,
                values=", ".join(fmt(v) for v in t.patches[:, col]),
            )
        )
        if col == 0:
            self.window, self.column_box, self.caption = window, box, caption
            self.play(Create(window), Create(box), Fade(caption), run_time=0.9)
        else:
            self.remove(self.caption)
            self.add(caption)
            self.caption = caption
            self.play(Transform(self.window, window), Transform(self.column_box, box), run_time=0.7)
        mobs, sources = self.patch_numbers(range(col, col + 1))
        self.patch_shown.add(*mobs)
        self.play(Fly(self.patch_shown, mobs, sources, lag_ratio=0.15), run_time=1.8)
        self.wait(0.4)

    def unfold_quickly(self, cols: range):
        box = self.get_column_box(cols[0], cols[-1])
        mobs, sources = self.patch_numbers(cols)
        self.patch_shown.add(*mobs)
        self.play(
            Transform(self.column_box, box),
            Fly(self.patch_shown, mobs, sources, lag_ratio=0.6 / len(mobs)),
            run_time=1.3,
        )

    def flatten_kernel(self):
        t, row = self.trace, self.get_kernel_row()
        self.kernel_row = row
        self.cue(
            self.tr(
                "The kernel flattened to a {shape} row: {values}.",
                shape=shape(*t.kernel_rows.shape),
                values=", ".join(fmt(v) for v in t.kernel_rows[0]),
            )
        )
        sources = [self.kernel_grids[c].number(i, j) for c, i, j in t.patch_row_index]
        mobs = list(row.copy_numbers(sources))
        self.kernel_row_shown = VGroup(*mobs)
        self.play(Create(row.cells), Fade(row.title), Create(row.separators), run_time=0.8)
        self.play(Fly(self.kernel_row_shown, mobs, sources, lag_ratio=0.12), run_time=1.8)
        self.result_row = self.get_result_row()
        self.result_shown = VGroup()
        self.add(self.result_shown)
        self.play(Create(self.result_row.cells), Fade(self.result_row.title), run_time=0.8)
        self.wait(0.5)

    def multiply(self):
        t = self.trace
        n_cols = t.patches.shape[1]
        self.play(*fade_out(self.input_block, self.kernel_block), run_time=0.6)
        self.row_box = highlight_box(self.kernel_row.cells, self.theme)
        self.column_box = self.get_column_box(0, 0)
        eq, result = self.get_equation(0)
        i, j = t.out_index[0]
        self.cue(
            self.tr(
                "out[{i}, {j}] = column {col} · kernel row = {equation}",
                i=i,
                j=j,
                col=0,
                equation=self.equation_text(0),
            )
        )
        self.play(Create(self.row_box), Create(self.column_box), run_time=0.7)
        self.play(Write(eq), run_time=2.8)
        self.play(FadeIn(result, scale=1.4), run_time=0.6)
        first = self.result_row.numbers[0]
        self.result_shown.add(first)
        self.play(Fly(self.result_shown, [first], [result]), run_time=0.9)
        self.wait(0.8)
        self.play(FadeOut(eq), FadeOut(result), run_time=0.5)
        size = max(1, math.ceil((n_cols - 1) / 4))
        if n_cols > 1:
            self.cue(
                self.tr(
                    "Every column the same way: the output row {values}.",
                    values=", ".join(fmt(v) for v in t.values[0]),
                )
            )
        for start in range(1, n_cols, size):
            cols = range(start, min(start + size, n_cols))
            mobs = [self.result_row.numbers[c] for c in cols]
            self.result_shown.add(*mobs)
            self.play(
                Transform(self.column_box, self.get_column_box(cols[0], cols[-1])),
                *(FadeIn(m, scale=1.3) for m in mobs),
                run_time=0.7,
            )
        self.play(FadeOut(self.row_box), FadeOut(self.column_box), run_time=0.4)
        self.wait(0.4)

    def reshape_output(self):
        out_grid, conv_grid, equals, caption = self.get_comparison()
        self.cue(
            self.tr(
                "The row reshaped to the {shape} output: the same numbers as conv2d's "
                "sliding window.",
                shape=shape(*self.trace.out_shape),
            )
        )
        self.play(
            *fade_out(
                self.patch_grid,
                self.patch_shown,
                self.patch_extras,
                self.kernel_row,
                self.kernel_row_shown,
            ),
            run_time=0.7,
        )
        self.play(Create(out_grid.cells), Fade(out_grid.title), run_time=0.8)
        mobs = list(out_grid.copy_numbers(list(self.result_row.numbers)))
        shown = VGroup(*mobs)
        self.play(Fly(shown, mobs, list(self.result_row.numbers), lag_ratio=0.25), run_time=2.2)
        self.play(Fade(equals), Fade(conv_grid), run_time=1.0)
        self.play(Fade(caption), Indicate(out_grid.cells, color=self.theme.output), run_time=1.2)
        self.wait(2)
        self.out_grid, self.conv_grid = out_grid, conv_grid
        self.comparison = VGroup(out_grid, shown, conv_grid, equals, caption)

    def show_code(self):
        self.play(*fade_out(self.comparison, self.result_row, self.result_shown), run_time=0.7)
        panel, header = self.get_code_panel()
        self.play(Fade(header), Fade(panel), run_time=1.0)
        marker, captions, self.code_lines_marked = None, VGroup(), []
        for snippet, text in self.get_code_stages():
            index = panel.line_index(snippet)  # raises if convcore's code changed
            self.code_lines_marked.append(index)
            bar = panel.line_marker(index)
            self.cue(text)
            caption = label(text, self.theme.text, LABEL)
            if caption.width > 13.4:
                caption.scale_to_fit_width(13.4)
            captions.add(caption)
            captions.arrange(DOWN, buff=0.22, aligned_edge=LEFT)
            captions.next_to(panel, DOWN, buff=0.4).align_to(panel, LEFT)
            caption.set_color(self.theme.accent)
            if marker is None:
                marker = bar
                self.play(FadeIn(marker), FadeIn(caption, shift=0.2 * UP), run_time=0.8)
            else:
                self.play(
                    Transform(marker, bar),
                    FadeIn(caption, shift=0.2 * UP),
                    captions[-2].animate.set_color(self.theme.text),
                    run_time=0.8,
                )
            self.wait(1.6)
        self.code_marker, self.code_captions, self.code_panel = marker, captions, panel
        self.wait(1.5)

    # -- mobjects from the trace --------------------------------------------------------

    def build_blocks(self):
        """Input and kernel grids in the left column, shrunk until their titles fit too."""
        cell = self.layout.input_cell
        for _ in range(3):
            self.input_block, self.input_grids = self.get_channel_block("input", cell)
            self.kernel_block, self.kernel_grids = self.get_channel_block("kernel", cell)
            pair = self.place_blocks()
            excess = pair.width - self.layout.left_w
            if excess <= 0.01:
                return
            cells_w = sum(g.cells.width for g in self.input_grids + self.kernel_grids)
            cell *= max(0.5, (cells_w - excess) / cells_w)

    def get_channel_block(self, which: str, cell: float) -> tuple[VGroup, list[NumberGrid]]:
        """The input (padded) or kernel channels as grids, titled with what and shape."""
        t, th = self.trace, self.theme
        c_in = t.x.shape[0]
        if which == "input":
            arrays, color, mask = t.x_padded, th.input, t.pad_mask
            dims = t.x.shape if c_in > 1 else t.x.shape[1:]
            title = self.tr("input {shape}", shape=shape(*dims))
            if any(t.pads):
                title = self.tr(
                    "input {shape}\npadded to {padded}",
                    shape=shape(*dims),
                    padded=shape(*t.x_padded.shape[1:]),
                )
        else:
            arrays, color, mask = t.weight[0], th.kernel, None
            dims = t.weight.shape[1:] if c_in > 1 else t.kernel_size
            title = self.tr("kernel {shape}", shape=shape(*dims))
        tags = [title] if c_in == 1 else [self.tr("ch {c}", c=c) for c in range(c_in)]
        grids = [
            NumberGrid(a, tag, color, th, cell, mask=mask, show_numbers=True)
            for a, tag in zip(arrays, tags, strict=True)
        ]
        for g in grids:
            g.title.scale(LABEL / 26).next_to(g.cells, UP, buff=0.18)
        row = VGroup(*grids).arrange(RIGHT, buff=0.3, aligned_edge=UP)
        if c_in == 1:
            return row, grids
        for g in grids:
            g.title.scale(20 / LABEL).next_to(g.cells, DOWN, buff=0.12)
        head = label(title, color, LABEL).next_to(row, UP, buff=0.18)
        return VGroup(head, row), grids

    def place_blocks(self) -> VGroup:
        """Input and kernel blocks side by side (or stacked) in the left column."""
        lay = self.layout
        pair = VGroup(self.input_block, self.kernel_block)
        if lay.one_row:
            pair.arrange(RIGHT, buff=0.5, aligned_edge=UP)
        else:
            pair.arrange(DOWN, buff=0.2)
        pair.move_to([lay.left_centre, 0, 0])
        pair.shift((lay.area_top - pair.get_top()[1]) * UP)
        clamp_x(pair, -FRAME_W / 2, lay.left_x + lay.left_w)
        return pair

    def get_patch_grid(self) -> NumberGrid:
        t, lay = self.trace, self.layout
        k, n_cols = t.patches.shape
        grid = CellGrid(
            t.patches,
            self.tr("patch matrix {shape}", shape=shape(k, n_cols)),
            self.theme.input,
            self.theme,
            lay.patch_cell,
            mask=t.is_padding,
        )
        grid.copy_numbers(
            [
                self.input_grids[c].number(t.padded_rows[k, col], t.padded_cols[k, col])
                for k, (c, _, _) in enumerate(t.patch_row_index)
                for col in range(n_cols)
            ]
        )
        grid.place(lay.patch_left + n_cols * lay.patch_cell / 2, TOP - k * lay.patch_cell / 2)
        clamp_x(grid.title.next_to(grid.cells, UP, buff=0.18), lay.patch_left - GAP / 2)
        return grid

    def get_patch_extras(self) -> VGroup:
        """For several channels: lines between the channels' row blocks, and their labels."""
        t, grid, extras = self.trace, self.patch_grid, VGroup()
        channels = t.patch_row_index[:, 0]
        if t.x.shape[0] == 1:
            return extras
        n_cols = t.patches.shape[1]
        for c in np.unique(channels):
            rows = np.flatnonzero(channels == c)
            top, bottom = grid.cell(rows[0], 0), grid.cell(rows[-1], n_cols - 1)
            tag = label(self.tr("ch {c}", c=c), self.theme.input, 20)
            tag.next_to(bottom, RIGHT, buff=0.2).set_y(
                (top.get_top()[1] + bottom.get_bottom()[1]) / 2
            )
            extras.add(tag)
            if rows[0] > 0:
                left = grid.cell(rows[0], 0).get_corner(UP + LEFT)
                right = grid.cell(rows[0], n_cols - 1).get_corner(UP + RIGHT)
                extras.add(Line(left, right, color=self.theme.text, stroke_width=4))
        return extras

    def patch_numbers(self, cols) -> tuple[list[Text], list[Text]]:
        """The patch matrix's numbers of ``cols`` and the input numbers they copy."""
        t, grid = self.trace, self.patch_grid
        mobs, sources = [], []
        for col in cols:
            for k, (c, _, _) in enumerate(t.patch_row_index):
                mobs.append(grid.number(k, col))
                src = self.input_grids[c].number(t.padded_rows[k, col], t.padded_cols[k, col])
                sources.append(src)
        return mobs, sources

    def get_window(self, col: int) -> VGroup:
        """Highlighted squares over the input cells that fill patch column ``col``."""
        t, squares = self.trace, VGroup()
        for k, (c, _, _) in enumerate(t.patch_row_index):
            grid = self.input_grids[c]
            cell = grid.cell(t.padded_rows[k, col], t.padded_cols[k, col])
            sq = Square(grid.cell_size, stroke_color=self.theme.highlight, stroke_width=5)
            squares.add(sq.set_fill(self.theme.highlight, opacity=0.22).move_to(cell))
        return squares

    def get_column_box(self, first: int, last: int) -> VGroup:
        """Outline around patch columns ``first..last`` (and the output row below them)."""
        grid, k = self.patch_grid, self.trace.patches.shape[0]
        cells = VGroup(grid.cell(0, first), grid.cell(k - 1, last))
        return highlight_box(cells, self.theme)

    def get_step_caption(self, col: int) -> Text:
        i, j = self.trace.out_index[col]
        text = label(
            self.tr("window for out[{i}, {j}] → column {col}", i=i, j=j, col=col),
            self.theme.text,
            LABEL,
        )
        if text.width > self.layout.left_w:
            text.scale_to_fit_width(self.layout.left_w)
        bottom = min(self.input_block.get_bottom()[1], self.kernel_block.get_bottom()[1])
        return text.move_to([self.layout.left_centre, bottom - CAPTION_H / 2 - 0.05, 0])

    def get_kernel_row(self) -> CellGrid:
        """The flattened kernel, left of the output row; lines between channel blocks."""
        t, lay = self.trace, self.layout
        k = t.kernel_rows.shape[1]
        row = CellGrid(
            t.kernel_rows[:1],
            self.tr("kernel row {shape}", shape=shape(1, k)),
            self.theme.kernel,
            self.theme,
            lay.kernel_row_cell,
        )
        right = lay.left_x + lay.left_w
        row.place(right - k * lay.kernel_row_cell / 2, lay.result_y)
        row.title.next_to(row.cells, DOWN, buff=0.18)
        row.separators = VGroup()
        row.add(row.separators)
        channels = t.patch_row_index[:, 0]
        for e in np.flatnonzero(np.diff(channels)) + 1:  # first entry of each next channel
            cell = row.cell(0, e)
            row.separators.add(
                Line(
                    cell.get_corner(UP + LEFT), cell.get_corner(DOWN + LEFT), color=self.theme.text
                )
            )
        return row

    def get_result_row(self) -> CellGrid:
        t, lay = self.trace, self.layout
        n_cols = t.values.shape[1]
        row = CellGrid(
            t.values[:1],
            self.tr("output row {shape}\n= kernel row · patch matrix", shape=shape(1, n_cols)),
            self.theme.output,
            self.theme,
            lay.patch_cell,
        )
        row.copy_numbers(texts_for(t.values[0], row.font_size, self.theme.text))
        row.place(lay.patch_left + n_cols * lay.patch_cell / 2, lay.result_y)
        row.title.next_to(row.cells, DOWN, buff=0.18)
        clamp_x(row.title, lay.patch_left - GAP / 2)
        return row

    def get_equation(self, col: int) -> tuple[VGroup, Text]:
        """``out[i, j] = column · kernel row = a·b + … = p + q + … =`` and the value."""
        t, lay = self.trace, self.layout
        i, j = t.out_index[col]
        factors = [
            f"{fmt_factor(a)}{DOT}{fmt_factor(b)}"
            for a, b in zip(t.patches[:, col], t.kernel_rows[0], strict=True)
        ]
        sums = [fmt_factor(v) for v in t.terms[0, :, col]]
        if t.has_bias:
            sums.append(f"{self.tr('bias')} {fmt_factor(t.bias[0])}")
        chars = max(24, int(lay.left_w / 0.19))
        lines = [self.tr("out[{i}, {j}] = column {col} · kernel row", i=i, j=j, col=col)]
        lines += wrap_terms("= " + " + ".join(factors), chars)
        lines += wrap_terms("= " + " + ".join(sums), chars)
        eq = VGroup(*(label(s, self.theme.text, 26) for s in lines))
        eq.arrange(DOWN, buff=0.2, aligned_edge=LEFT)
        result = Text(
            f"= {fmt(t.values[0, col])}",
            font=FONT,
            font_size=34,
            color=self.theme.output,
            weight="BOLD",
        )
        result.next_to(eq, DOWN, buff=0.25, aligned_edge=LEFT)
        group = VGroup(eq, result)
        bottom = lay.result_y + lay.patch_cell / 2 + 0.4
        if group.width > lay.left_w:
            group.scale_to_fit_width(lay.left_w)
        if group.height > lay.area_top - bottom:
            group.scale_to_fit_height(lay.area_top - bottom)
        group.move_to([lay.left_centre, (lay.area_top + bottom) / 2, 0])
        return eq, result

    def equation_text(self, col: int) -> str:
        """``1·1 + 2·2 + … = 411``: patch column ``col`` times the kernel row, from the trace."""
        t = self.trace
        factors = [
            f"{fmt_factor(a)}{DOT}{fmt_factor(b)}"
            for a, b in zip(t.patches[:, col], t.kernel_rows[0], strict=True)
        ]
        bias = t.bias[0] if t.has_bias else None
        return equation(factors, bias, t.values[0, col], self.tr("bias"))

    def get_comparison(self) -> tuple[CellGrid, NumberGrid, Text, Text]:
        """Output row reshaped (empty, filled by flying numbers) = conv2d's sliding window."""
        t, th, ct = self.trace, self.theme, self.conv_trace
        oh, ow = t.out_shape
        top = self.result_row.cells.get_top()[1] + 0.4
        cell = min(0.7, 5.0 / (2 * ow + 1), (TOP + ABOVE - top - 1.2) / oh)
        out_grid = CellGrid(
            t.out[0],
            self.tr("output {shape} (the row, reshaped)", shape=shape(oh, ow)),
            th.output,
            th,
            cell,
        )
        conv_grid = NumberGrid(
            ct.out[0, 0],
            self.tr("conv2d(x, w) {shape}: sliding window", shape=shape(*ct.out_shape)),
            th.output,
            th,
            cell,
        )
        conv_grid.title.scale(LABEL / 26).next_to(conv_grid.cells, UP, buff=0.18)
        equals = Text("=", font=FONT, font_size=60, color=th.text)
        group = VGroup(out_grid, equals, conv_grid).arrange(RIGHT, buff=0.6)
        group.move_to([0, (top + TOP + ABOVE) / 2 - 0.3, 0])
        equals.move_to((out_grid.cells.get_right() + conv_grid.cells.get_left()) / 2)
        caption = label(
            self.tr("same numbers: im2col is the sliding window, done as one matrix product"),
            th.text,
            LABEL,
        ).next_to(VGroup(out_grid.cells, conv_grid.cells), DOWN, buff=0.35)
        return out_grid, conv_grid, equals, caption

    def get_code_panel(self) -> tuple[CodePanel, Text]:
        panel = CodePanel(conv2d_from_args, self.theme, font_size=18)
        if panel.width > 13.4:
            panel.scale_to_fit_width(13.4)
        header = label(
            self.tr("vectorised NumPy, im2col + one matmul: convcore.functional.conv2d_from_args"),
            self.theme.muted,
            LABEL,
        )
        header.next_to(self.title, DOWN, buff=0.3)
        panel.next_to(header, DOWN, buff=0.25)
        return panel, header

    def get_code_stages(self) -> list[tuple[str, str]]:
        """``(line snippet, caption)`` per stage: unfold, flatten, product + reshape, bias."""
        t = self.trace
        k_rows, patches = t.kernel_rows.shape, t.patches.shape
        stages = [
            (
                "_unfold_padded(",
                self.tr(
                    "unfold: every window becomes a column → patch matrix {shape}",
                    shape=shape(*patches),
                ),
            ),
            (
                "w = a.weight.reshape(",
                self.tr(
                    "flatten the kernel: one row per output channel → {shape}",
                    shape=shape(*k_rows),
                ),
            ),
            (
                "np.matmul(",
                self.tr(
                    "one product {kernel} · {patches} → {product}, "
                    "reshaped to the output map {out}",
                    kernel=shape(*k_rows),
                    patches=shape(*patches),
                    product=shape(*t.product.shape),
                    out=shape(*t.out.shape),
                ),
            ),
        ]
        if t.has_bias:
            stages.append(
                (
                    "_finish(",
                    self.tr("add the bias {bias} to every output value", bias=fmt(t.bias[0])),
                )
            )
        return stages


class Im2colMultiChannel(Im2col):
    """Im2col with two input channels: the patch matrix stacks one row block per channel."""

    input_matrix = CHANNEL_INPUT
    kernel_matrix = CHANNEL_KERNEL
