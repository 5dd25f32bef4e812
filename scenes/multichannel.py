"""Several input channels and several filters: each output value sums over the channels.

A 3-channel 4×4 input and a weight of shape (C_out, C_in, K, K) = (2, 3, 2, 2): two
filters, each one 2×2 kernel per input channel. For one output position, each channel's
window·kernel products are summed, the three channel sums are added and the filter's bias
joins them; every filter fills its own output map. Render:

    manim render -ql scenes/multichannel.py MultiChannel
    convanim build multichannel --quality low
    convanim build multichannel --input x.npy --kernel w.npy --bias 0.5 --padding 1
    (x.npy of shape (C_in, H, W), w.npy of shape (C_out, C_in, K, K))
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Indicate,
    Square,
    Text,
    TransformFromCopy,
    VGroup,
    Write,
)

from convcore import ConvTrace, trace_conv2d
from scenes.common import FONT, ConvScene, cell_size, highlight_box, label, title_bar
from scenes.fast import CellGrid, Fade
from scenes.sliding import wrap_terms
from scenes.textfmt import equation, fmt, fmt_factor, product_terms, shape

#: The default example: 3 input channels of 4×4 small integers …
EXAMPLE_INPUT = np.array(
    [
        [[1, 2, 0, 1], [0, 1, 3, 1], [2, 1, 0, 2], [1, 0, 1, 3]],
        [[0, 1, 1, 2], [2, 0, 1, 0], [1, 3, 2, 1], [0, 1, 0, 2]],
        [[2, 0, 1, 1], [1, 1, 0, 2], [0, 2, 1, 0], [3, 1, 2, 1]],
    ],
    dtype=float,
)
#: … two filters of three 2×2 kernels each …
EXAMPLE_WEIGHT = np.array(
    [
        [[[1, 0], [-1, 2]], [[0, 1], [1, 0]], [[2, -1], [0, 1]]],
        [[[-1, 1], [0, 1]], [[1, 1], [0, -1]], [[0, 2], [1, 0]]],
    ],
    dtype=float,
)
#: … and one bias per filter.
EXAMPLE_BIAS = (1.0, -1.0)

MAX_C_IN, MAX_C_OUT = 4, 3
MAX_PADDED = 7  # cells per side of a padded input channel
MAX_KERNEL = 3

# Left block: one row per input channel (x[c], then w[o, c] for every filter o).
LEFT_X, LEFT_W = -6.8, 7.4  # LEFT_W: the most the left block may take
NAME_W, HEADER_W = 0.75, 1.1  # the row names (x[0]) and the headers (filter 0)
HEAD_Y = 2.95  # column headers: input x, filter 0, filter 1 …
ROWS_TOP, ROWS_BOTTOM = 2.7, -2.95
BIAS_Y = -3.32
# Right block: the shapes, the output maps, the sums and the caption.
RIGHT_EDGE = 6.9  # the right block starts after the left block
SHAPES_Y = (2.95, 2.5, 2.05)
OUT_TOP, OUT_H = 1.25, 1.65
EQ_TOP, EQ_BOTTOM = -0.75, -3.3
CAPTION_Y = -3.72


def _bias_vector(bias, c_out: int):
    """The ``bias`` attribute as a per-filter sequence (a number is every filter's bias)."""
    if bias is None:
        return None
    values = np.asarray(bias, dtype=float)
    if values.ndim == 0:
        return np.full(c_out, float(values))
    return values


class MultiChannel(ConvScene):
    """C_in input channels, C_out filters: per-channel sums, their total, plus the bias.

    Parameters (class attributes): ``input_matrix`` of shape (C_in, H, W),
    ``kernel_matrix`` of shape (C_out, C_in, K, K), ``bias`` (one number for every filter,
    a sequence of C_out numbers, or None), ``stride``, ``padding``, ``dilation``.
    """

    input_matrix = EXAMPLE_INPUT
    kernel_matrix = EXAMPLE_WEIGHT
    bias = EXAMPLE_BIAS
    stride = 1
    padding = 0
    dilation = 1
    fast_step = 0.45  # seconds per output value after the detailed ones
    title_text = "Several channels: sum over input channels, plus a bias"

    @classmethod
    def make_trace(cls) -> ConvTrace:
        """The trace this scene draws (raises ``ValueError`` on unusable parameters)."""
        x, w = np.asarray(cls.input_matrix), np.asarray(cls.kernel_matrix)
        if x.ndim != 3:
            raise ValueError(
                f"the multichannel video needs a 3-D input (C_in, H, W), got {x.ndim}-D with "
                f"shape {x.shape}; give it as a .npy file"
            )
        if w.ndim != 4:
            raise ValueError(
                f"the multichannel video needs a 4-D kernel (C_out, C_in, K, K), got {w.ndim}-D "
                f"with shape {w.shape}; give it as a .npy file"
            )
        bias = _bias_vector(cls.bias, w.shape[0])
        trace = trace_conv2d(x, w, bias, cls.stride, cls.padding, cls.dilation)
        check_drawable(trace)
        return trace

    def setup(self):
        super().setup()
        self.trace = self.make_trace()
        self.bank: dict[str, Text] = {}
        self.caption = None
        self.shown_lines: dict[tuple[int, int], VGroup] = {}

    def construct(self):
        self.show_title()
        self.show_input()
        self.show_weight()
        self.show_output()
        t = self.trace
        for o in range(t.weight.shape[0]):
            self.compute(o, 0, detail=2 if o == 0 else 1)
        self.show_caption(
            self.tr("the other positions: the same sums, one output value each"), cue=True
        )
        for o in range(t.weight.shape[0]):
            for k in range(1, t.n_steps):
                self.compute(o, k, detail=0)
        self.conclude()

    # -- beats -------------------------------------------------------------------------

    def show_title(self):
        self.title = title_bar(self.tr(self.title_text), self.theme)
        self.cue(self.title[0].original_text)
        self.play(Fade(self.title), run_time=0.8)

    def show_input(self):
        t, th = self.trace, self.theme
        c_in, h, w = t.x.shape[1:]
        self.layout = self.get_layout()
        self.inputs = self.get_input_grids()
        head = label(self.tr("input x"), th.input, 24)
        head.move_to([self.inputs[0].cells.get_x(), HEAD_Y, 0])
        self.shapes = [
            label(self.tr("x: (C_in, H, W) = {shape}", shape=f"({c_in}, {h}, {w})"), th.input, 24)
        ]
        self.place_shape(0)
        self.show_caption(
            self.tr("{c_in} input channels of {shape}, one row each", c_in=c_in, shape=shape(h, w)),
            cue=True,
        )
        self.play(Fade(head), Fade(self.shapes[0]), *(Fade(g) for g in self.inputs), run_time=1.2)
        self.wait(1)

    def show_weight(self):
        t, th = self.trace, self.theme
        c_out, c_in, kh, kw = t.weight.shape
        self.filters = self.get_filter_columns()
        self.shapes.append(
            label(
                self.tr(
                    "weight: (C_out, C_in, K, K) = {shape}", shape=f"({c_out}, {c_in}, {kh}, {kw})"
                ),
                th.kernel,
                24,
            )
        )
        self.place_shape(1)
        self.show_caption(
            self.tr(
                "{c_out} filters × {c_in} channels of {shape}: "
                "w[o, c] is filter o's kernel for input channel c",
                c_out=c_out,
                c_in=c_in,
                shape=shape(kh, kw),
            ),
            cue=True,
        )
        self.play(Fade(self.shapes[1]), run_time=0.6)
        for column in self.filters:
            self.play(Fade(column.body), run_time=0.7)
        self.wait(1.5)
        if t.has_bias:
            biases = self.tr(", ").join(fmt(b) for b in t.bias)
            self.show_caption(
                self.tr(
                    "and one bias per filter: {c_out} biases ({biases})",
                    c_out=c_out,
                    biases=biases,
                ),
                cue=True,
            )
            self.play(*(Fade(col.bias) for col in self.filters), run_time=0.8)
            self.wait(1)

    def show_output(self):
        t, th = self.trace, self.theme
        c_out = t.weight.shape[0]
        oh, ow = t.out_shape
        self.outputs = self.get_output_grids()
        self.shapes.append(
            label(
                self.tr("output: (C_out, H_out, W_out) = {shape}", shape=f"({c_out}, {oh}, {ow})"),
                th.output,
                24,
            )
        )
        self.place_shape(2)
        self.show_caption(
            self.tr("one {shape} output map per filter", shape=shape(oh, ow)), cue=True
        )
        self.play(Fade(self.shapes[2]), *(Fade(g) for g in self.outputs), run_time=1)
        self.wait(1)
        self.window = self.out_box = self.filter_box = None
        self.lines = VGroup()

    def compute(self, o: int, k: int, detail: int):
        """Output value ``k`` of filter ``o``: 2 = term by term, 1 = line by line, 0 = snap."""
        t = self.trace
        i, j = t.out_index[k]
        self.move_marks(o, k)
        lines = self.get_lines(o, k, per_channel=detail > 0)
        self.remove(self.lines, *self.lines)
        self.lines = self.shown_lines[o, k] = lines  # kept: tests read the Texts
        if detail == 2:
            self.show_caption(self.tr("row c: window of x[c] · kernel w[{o}, c], summed", o=o))
            self.cue(self.sums_cue(o, k))
            self.play(Fade(lines[0]), run_time=0.6)
            for n in range(len(lines) - 2):
                kernel = self.filters[o].kernels[n]
                indicate = Indicate(kernel.cells, scale_factor=1.1)
                self.play(Write(lines[1 + n]), indicate, run_time=1.4)
            if t.has_bias:
                self.show_caption(self.tr("add the channels' sums, then the filter's bias"))
                template = "Add the channel sums, then the bias: {equation}"
            else:
                self.show_caption(self.tr("add the channels' sums"))
                template = "Add the channel sums: {equation}"
            self.cue(self.tr(template, equation=self.total_text(o, k)))
            self.play(Write(lines[-1]), run_time=1.3)
            self.wait(0.6)
        elif detail == 1:
            template = (
                "filter {o}: the same windows, its own kernels and bias"
                if t.has_bias
                else "filter {o}: the same windows, its own kernels"
            )
            self.show_caption(self.tr(template, o=o))
            self.cue(self.sums_cue(o, k) + self.tr("; ") + self.total_text(o, k))
            self.play(*(Fade(line) for line in lines), run_time=1.0)
            self.wait(1.5)
        else:
            self.add(lines)
        number = self.outputs[o].number(i, j)
        if detail:
            self.play(TransformFromCopy(lines[-1].result, number), run_time=0.7)
            self.wait(0.4)
        else:
            self.add(number)
            self.wait(self.fast_step)

    def conclude(self):
        t, th = self.trace, self.theme
        self.remove(self.lines, *self.lines, self.window, self.out_box, self.filter_box)
        c_in, h, w = t.x.shape[1:]
        c_out, _, kh, kw = t.weight.shape
        oh, ow = t.out_shape
        bias = f" + {self.tr('bias')} ({c_out},)" if t.has_bias else ""
        shapes = f"({c_in}, {h}, {w}) ⋆ ({c_out}, {c_in}, {kh}, {kw}){bias} → ({c_out}, {oh}, {ow})"
        formula = (
            "out[o] = Σ over channels c of (x[c] ⋆ w[o, c]) + bias[o]"
            if t.has_bias
            else "out[o] = Σ over channels c of (x[c] ⋆ w[o, c])"
        )
        summary = VGroup(label(self.tr(formula), th.text, 26), label(shapes, th.muted, 24)).arrange(
            DOWN, buff=0.3, aligned_edge=LEFT
        )
        if summary.width > self.right_w:
            summary.scale_to_fit_width(self.right_w)
        summary.move_to([self.right_x, (EQ_TOP + EQ_BOTTOM) / 2, 0], aligned_edge=LEFT)
        self.show_caption(self.tr("{c_out} filters → {c_out} output channels", c_out=c_out))
        self.cue(
            self.tr(
                "{c_out} filters → {c_out} output channels: {shapes}", c_out=c_out, shapes=shapes
            )
        )
        self.play(Fade(summary), run_time=1)
        self.play(*(Indicate(g.cells, color=th.output) for g in self.outputs), run_time=1.2)
        self.wait(2.5)

    # -- helpers that change what is on screen ----------------------------------------

    def show_caption(self, text: str, cue: bool = False) -> None:
        """Swap the caption at the bottom (a snap: captions change often); with ``cue``,
        start a video caption with the same text."""
        if cue:
            self.cue(text)
        if self.caption is not None:
            self.remove(self.caption)
        caption = label(text, self.theme.muted, 22)
        if caption.width > 13.6:
            caption.scale_to_fit_width(13.6)
        self.caption = caption.move_to([0, CAPTION_Y, 0])
        self.add(self.caption)

    def place_shape(self, n: int) -> None:
        shape_line = self.shapes[n]
        if shape_line.width > self.right_w:
            shape_line.scale_to_fit_width(self.right_w)
        shape_line.move_to([self.right_x, SHAPES_Y[n], 0], aligned_edge=LEFT)

    def move_marks(self, o: int, k: int):
        """Put the windows, the filter's box and the output cell's box at (o, k)."""
        window = self.get_windows(k)
        filt = highlight_box(self.filters[o].body, self.theme, buff=0.08)
        i, j = self.trace.out_index[k]
        out_box = highlight_box(self.outputs[o].cell(i, j), self.theme)
        if self.window is None:
            self.window, self.filter_box, self.out_box = window, filt, out_box
            self.play(*(Fade(m) for m in (window, filt, out_box)), run_time=0.8)
            return
        for old, new in ((self.window, window), (self.filter_box, filt), (self.out_box, out_box)):
            old.become(new)

    # -- mobjects from the trace -------------------------------------------------------

    def number_texts(self, values: np.ndarray) -> list[Text]:
        """One Text per value, each distinct string built once per scene and copied."""
        out = []
        for v in np.ravel(values):
            text = fmt(v)
            if text not in self.bank:
                self.bank[text] = Text(text, font=FONT, font_size=24, color=self.theme.text)
            out.append(self.bank[text].copy())
        return out

    def channel_texts(self, o: int, k: int) -> list[str]:
        """``channel 0: 1·1 + 2·0 + 0·(−1) + 1·2 = 3`` per input channel of filter ``o``."""
        t = self.trace
        texts = []
        for n, c in enumerate(t.group_channels[o]):
            terms = product_terms(t.windows[0, k, c], t.weight[o, n])
            sum_text = equation(terms, None, t.channel_sums[0, o, k, n])
            texts.append(self.tr("channel {c}: {equation}", c=c, equation=sum_text))
        return texts

    def total_text(self, o: int, k: int) -> str:
        """``out[0][0, 0] = 3 + 3 + 5 + bias 1 = 12``: the channel sums plus the bias."""
        t = self.trace
        i, j = t.out_index[k]
        sums = [fmt_factor(v) for v in t.channel_sums[0, o, k]]
        bias = t.bias[o] if t.has_bias else None
        return f"out[{o}][{i}, {j}] = " + equation(sums, bias, t.values[0, o, k], self.tr("bias"))

    def sums_cue(self, o: int, k: int) -> str:
        """Filter ``o`` at position ``k``: each channel's window·kernel sum."""
        i, j = self.trace.out_index[k]
        return self.tr(
            "Filter {o}, output position ({i}, {j}): {sums}",
            o=o,
            i=i,
            j=j,
            sums=self.tr("; ").join(self.channel_texts(o, k)),
        )

    def get_layout(self) -> dict:
        """Cell sizes and column x positions of the left block (rows are input channels)."""
        t = self.trace
        c_out, _, kh, kw = t.weight.shape
        hp, wp = t.x_padded.shape[2:]
        row_h = (ROWS_TOP - ROWS_BOTTOM) / t.x.shape[1]
        gap = 0.45 if c_out < 3 else 0.3
        cell, k_cell = fit_cells(row_h, (hp, wp), (kh, kw), c_out, gap)
        column_w = max(kw * k_cell, HEADER_W)
        x_filters = []
        x = LEFT_X + NAME_W + wp * cell + gap
        for _ in range(c_out):
            x_filters.append(x + column_w / 2)
            x += column_w + gap
        self.right_x = x + 0.15
        self.right_w = RIGHT_EDGE - self.right_x
        return {
            "cell": cell,
            "kernel_cell": k_cell,
            "row_h": row_h,
            "x_input": LEFT_X + NAME_W + wp * cell / 2,
            "x_filters": x_filters,
        }

    def row_y(self, c: int) -> float:
        """Centre line of input channel ``c``'s row."""
        return ROWS_TOP - self.layout["row_h"] * (c + 0.5)

    def get_input_grids(self) -> list[VGroup]:
        t, th, lay = self.trace, self.theme, self.layout
        grids = []
        for c in range(t.x.shape[1]):
            values = t.x_padded[0, c]
            grid = CellGrid(values, "", th.input, th, lay["cell"], t.pad_mask, 20)
            grid.remove(grid.title)
            grid.add(grid.copy_numbers(self.number_texts(values)))
            grid.place(lay["x_input"], self.row_y(c))
            name = label(f"x[{c}]", th.input, 22)
            name.next_to(grid.cells, LEFT, buff=0.15)
            grid.add(name)
            grids.append(grid)
        return grids

    def get_filter_columns(self) -> list[VGroup]:
        """Per filter: its header, one kernel per input channel (in that channel's row), bias."""
        t, th, lay = self.trace, self.theme, self.layout
        c_out = t.weight.shape[0]
        columns = []
        for o in range(c_out):
            x = lay["x_filters"][o]
            kernels = []
            for n, c in enumerate(t.group_channels[o]):
                values = t.weight[o, n]
                cell = lay["kernel_cell"]
                grid = CellGrid(values, f"w[{o}, {c}]", th.kernel, th, cell, None, 20)
                grid.add(grid.copy_numbers(self.number_texts(values)))
                kernels.append(grid.place(x, self.row_y(c) - 0.12))
            header = label(self.tr("filter {o}", o=o), th.kernel, 24).move_to([x, HEAD_Y, 0])
            column = VGroup(header, *kernels)
            column.body, column.kernels = column, kernels
            column.bias = VGroup()
            if t.has_bias:
                column.bias = label(self.tr("bias {bias}", bias=fmt(t.bias[o])), th.accent, 22)
                column.bias.move_to([x, BIAS_Y, 0])
            columns.append(column)
        return columns

    def get_output_grids(self) -> list[CellGrid]:
        """One grid per filter, right-aligned in columns as wide as the grid or its title."""
        t, th = self.trace, self.theme
        c_out = t.weight.shape[0]
        oh, ow = t.out_shape
        gap = 0.4
        cell = cell_size(oh, ow * c_out, self.right_w - 1.0 - gap * (c_out - 1), OUT_H, 0.55)
        grids = []
        for o in range(c_out):
            values = t.out[0, o]
            grid = CellGrid(values, f"out[{o}] {shape(oh, ow)}", th.output, th, cell, None, 22)
            grid.copy_numbers(self.number_texts(values))
            grids.append(grid.place(0, OUT_TOP - cell * oh / 2))
        x = RIGHT_EDGE
        for grid in reversed(grids):
            column = max(grid.cells.width, grid.title.width)
            grid.place(x - column / 2, grid.cells.get_y())
            x -= column + gap
        return grids

    def get_windows(self, k: int) -> VGroup:
        """Highlighted squares over the taps of position ``k`` on every input channel."""
        t, th = self.trace, self.theme
        squares = VGroup()
        for grid in self.inputs:
            for r in t.tap_rows[k]:
                for c in t.tap_cols[k]:
                    sq = Square(grid.cell_size, stroke_color=th.highlight, stroke_width=4)
                    squares.add(sq.set_fill(th.highlight, opacity=0.2).move_to(grid.cell(r, c)))
        return squares

    def get_lines(self, o: int, k: int, per_channel: bool = True) -> VGroup:
        """Heading, one ``window·kernel`` line per input channel (unless ``per_channel`` is
        False: the fast steps), and the total of the channel sums with the bias."""
        t, th = self.trace, self.theme
        i, j = t.out_index[k]
        heading = self.tr("filter {o}, output position ({i}, {j}):", o=o, i=i, j=j)
        lines = VGroup(label(heading, th.muted, 22))
        for text in self.channel_texts(o, k) if per_channel else ():
            parts = wrap_terms(text, int(self.right_w / 0.13))
            lines.add(VGroup(*(label(part, th.text, 24) for part in parts)))
        total = self.total_text(o, k)
        lhs = label(total[: total.rindex("=") + 1], th.text, 26)
        value = fmt(t.values[0, o, k])
        result = Text(value, font=FONT, font_size=28, color=th.output, weight="BOLD")
        result.next_to(lhs, RIGHT, buff=0.15)
        last = VGroup(lhs, result)
        last.result = result
        lines.add(last)
        for line in lines[1:-1]:
            line.arrange(DOWN, buff=0.1, aligned_edge=LEFT)
        lines.arrange(DOWN, buff=0.18, aligned_edge=LEFT)
        if lines.width > self.right_w:
            lines.scale_to_fit_width(self.right_w)
        if lines.height > EQ_TOP - EQ_BOTTOM:
            lines.scale_to_fit_height(EQ_TOP - EQ_BOTTOM)
        return lines.move_to([self.right_x, EQ_TOP, 0], aligned_edge=UP + LEFT)


def fit_cells(row_h: float, padded, kernel, c_out: int, gap: float) -> tuple[float, float]:
    """Input and kernel cell sizes for the left block: as large as the rows allow, kernels
    shrunk (not below the header's width) while they crowd the inputs out."""
    (hp, wp), (kh, kw) = padded, kernel
    k_cell = min(0.55, (row_h - 0.6) / kh, HEADER_W / kw)

    def by_height_width(k_cell):
        free = LEFT_W - NAME_W - gap * (c_out + 1) - c_out * max(kw * k_cell, HEADER_W)
        return min(0.45, (row_h - 0.25) / hp), free / wp

    while k_cell > 0.1 and kw * k_cell > HEADER_W * 0.999:
        by_height, by_width = by_height_width(k_cell)
        if by_width >= min(by_height, 0.75 * k_cell):
            break
        k_cell *= 0.95
    return min(by_height_width(k_cell)), k_cell


def check_drawable(trace: ConvTrace) -> None:
    """Raise ``ValueError`` when the trace has too many channels or cells to draw legibly."""
    c_out, c_in, kh, kw = trace.weight.shape
    hp, wp = trace.x_padded.shape[2:]
    if c_in > MAX_C_IN or c_out > MAX_C_OUT:
        raise ValueError(
            f"{c_in} input channels and {c_out} filters are too many to draw (at most "
            f"{MAX_C_IN} input channels and {MAX_C_OUT} filters)"
        )
    if max(hp, wp) > MAX_PADDED:
        raise ValueError(
            f"padded input {shape(hp, wp)} is too large to draw per channel (at most "
            f"{MAX_PADDED}×{MAX_PADDED})"
        )
    if max(kh, kw) > MAX_KERNEL:
        raise ValueError(f"kernel {shape(kh, kw)} is too large to draw (at most 3×3)")
