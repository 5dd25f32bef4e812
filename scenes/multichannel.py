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

from manim import DOWN, LEFT, RIGHT, UP, Square, VGroup, Write

from scenes.kit.anim import Fade, Fly, flash
from scenes.kit.fmt import equation, fmt, fmt_factor, product_terms, shape
from scenes.kit.grid import Grid, cell_size, highlight_box
from scenes.kit.scene import ConvScene, beat
from scenes.kit.text import TextCache, fit_width, label, title_bar, wrap_terms
from scenes.specs.multichannel import SPEC

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
#: Texts that say whether the filters have a bias: (without a bias, with one).
SUM_CAPTION = ("add the channels' sums", "add the channels' sums, then the filter's bias")
SUM_CUE = ("Add the channel sums: {equation}", "Add the channel sums, then the bias: {equation}")
OTHER_FILTER = (
    "filter {o}: the same windows, its own kernels",
    "filter {o}: the same windows, its own kernels and bias",
)
FORMULA = (
    "out[o] = Σ over channels c of (x[c] ⋆ w[o, c])",
    "out[o] = Σ over channels c of (x[c] ⋆ w[o, c]) + bias[o]",
)


class MultiChannel(ConvScene):
    """C_in input channels, C_out filters: per-channel sums, their total, plus the bias."""

    spec = SPEC
    fast_step = 0.45  # seconds per output value after the detailed ones
    title_text = "Several channels: sum over input channels, plus a bias"

    def setup(self):
        super().setup()
        self.cache = TextCache()
        self.caption = self.window = self.out_box = self.filter_box = None
        self.lines = VGroup()

    def construct(self):
        self.show_title()
        self.show_input()
        self.show_weight()
        self.show_output()
        c_out = self.trace.weight.shape[0]
        for o in range(c_out):
            self.compute(o, 0, detail=2 if o == 0 else 1)
        self.show_caption(
            self.tr("the other positions: the same sums, one output value each"), cue=True
        )
        for o in range(c_out):
            for k in range(1, self.trace.n_steps):
                self.compute(o, k, detail=0)
        self.conclude()

    # -- beats -------------------------------------------------------------------------

    @beat
    def show_title(self):
        self.title = title_bar(self.tr(self.title_text), self.theme)
        self.cue(self.title[0].original_text)
        self.play(Fade(self.title), run_time=0.8)

    @beat
    def show_input(self):
        t, th = self.trace, self.theme
        c_in, h, w = t.x.shape[1:]
        self.set_layout()
        self.inputs = self.get_input_grids()
        head = label(self.tr("input x"), th.input, 24)
        head.move_to([self.inputs[0].cells.get_x(), HEAD_Y, 0])
        text = self.tr("x: (C_in, H, W) = {shape}", shape=f"({c_in}, {h}, {w})")
        self.shapes = [self.shape_line(text, th.input, 0)]
        self.show_caption(
            self.tr("{c_in} input channels of {shape}, one row each", c_in=c_in, shape=shape(h, w)),
            cue=True,
        )
        self.play(Fade(head), Fade(self.shapes[0]), *(Fade(g) for g in self.inputs), run_time=1.2)
        self.wait(1)

    @beat
    def show_weight(self):
        t = self.trace
        c_out, c_in, kh, kw = t.weight.shape
        self.filters = self.get_filter_columns()
        text = self.tr(
            "weight: (C_out, C_in, K, K) = {shape}", shape=f"({c_out}, {c_in}, {kh}, {kw})"
        )
        self.shapes.append(self.shape_line(text, self.theme.kernel, 1))
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
            self.play(Fade(column), run_time=0.7)
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
            self.play(*(Fade(column.bias) for column in self.filters), run_time=0.8)
            self.wait(1)

    @beat
    def show_output(self):
        t = self.trace
        c_out, (oh, ow) = t.weight.shape[0], t.out_shape
        self.outputs = self.get_output_grids()
        text = self.tr("output: (C_out, H_out, W_out) = {shape}", shape=f"({c_out}, {oh}, {ow})")
        self.shapes.append(self.shape_line(text, self.theme.output, 2))
        self.show_caption(
            self.tr("one {shape} output map per filter", shape=shape(oh, ow)), cue=True
        )
        self.play(Fade(self.shapes[2]), *(Fade(g) for g in self.outputs), run_time=1)
        self.wait(1)

    @beat
    def compute(self, o: int, k: int, detail: int):
        """Output value ``k`` of filter ``o``: 2 = term by term, 1 = line by line, 0 = snap."""
        t = self.trace
        self.move_marks(o, k)
        self.remove(self.lines, *self.lines)
        lines = self.lines = self.get_lines(o, k, per_channel=detail > 0)
        if detail == 2:
            self.show_caption(self.tr("row c: window of x[c] · kernel w[{o}, c], summed", o=o))
            self.cue(self.sums_cue(o, k))
            self.play(Fade(lines[0]), run_time=0.6)
            for n, kernel in enumerate(self.filters[o].kernels):
                self.play(Write(lines[1 + n]), flash(kernel.cells, scale_factor=1.1), run_time=1.4)
            self.show_caption(self.tr(SUM_CAPTION[t.has_bias]))
            self.cue(self.tr(SUM_CUE[t.has_bias], equation=self.total_text(o, k)))
            self.play(Write(lines[-1]), run_time=1.3)
            self.wait(0.6)
        elif detail == 1:
            self.show_caption(self.tr(OTHER_FILTER[t.has_bias], o=o))
            self.cue(self.sums_cue(o, k) + self.tr("; ") + self.total_text(o, k))
            self.play(*(Fade(line) for line in lines), run_time=1.0)
            self.wait(1.5)
        else:
            self.add(lines)
        number = self.outputs[o].number(*t.out_index[k])
        if detail:
            self.play(Fly(number, [number], [lines[-1].result]), run_time=0.7)
            self.wait(0.4)
        else:
            self.add(number)
            self.wait(self.fast_step)

    @beat
    def conclude(self):
        t, th = self.trace, self.theme
        self.remove(self.lines, *self.lines, self.window, self.out_box, self.filter_box)
        c_in, h, w = t.x.shape[1:]
        c_out, _, kh, kw = t.weight.shape
        oh, ow = t.out_shape
        bias = f" + {self.tr('bias')} ({c_out},)" if t.has_bias else ""
        shapes = f"({c_in}, {h}, {w}) ⋆ ({c_out}, {c_in}, {kh}, {kw}){bias} → ({c_out}, {oh}, {ow})"
        formula = self.tr(FORMULA[t.has_bias])
        summary = VGroup(label(formula, th.text, 26), label(shapes, th.muted, 24))
        fit_width(summary.arrange(DOWN, buff=0.3, aligned_edge=LEFT), self.right_w)
        summary.move_to([self.right_x, (EQ_TOP + EQ_BOTTOM) / 2, 0], aligned_edge=LEFT)
        self.show_caption(self.tr("{c_out} filters → {c_out} output channels", c_out=c_out))
        self.cue(
            self.tr(
                "{c_out} filters → {c_out} output channels: {shapes}", c_out=c_out, shapes=shapes
            )
        )
        self.play(Fade(summary), run_time=1)
        self.play(*(flash(g.cells, color=th.output) for g in self.outputs), run_time=1.2)
        self.wait(2.5)

    # -- helpers that change what is on screen ----------------------------------------

    def move_marks(self, o: int, k: int):
        """Put the windows, the filter's box and the output cell's box at (o, k)."""
        window = self.get_windows(k)
        filt = highlight_box(self.filters[o], self.theme, buff=0.08)
        out_box = highlight_box(self.outputs[o].cell(*self.trace.out_index[k]), self.theme)
        if self.window is None:
            self.window, self.filter_box, self.out_box = window, filt, out_box
            self.play(*(Fade(m) for m in (window, filt, out_box)), run_time=0.8)
            return
        for old, new in ((self.window, window), (self.filter_box, filt), (self.out_box, out_box)):
            old.become(new)

    # -- mobjects from the trace -------------------------------------------------------

    def shape_line(self, text: str, color: str, n: int):
        line = fit_width(label(text, color, 24), self.right_w)
        return line.move_to([self.right_x, SHAPES_Y[n], 0], aligned_edge=LEFT)

    def channel_texts(self, o: int, k: int) -> list[str]:
        """``channel 0: 1·1 + 2·0 + 0·(−1) + 1·2 = 3`` per input channel of filter ``o``."""
        t, texts = self.trace, []
        for n, c in enumerate(t.group_channels[o]):
            terms = product_terms(t.windows[0, k, c], t.weight[o, n])
            sums = equation(terms, None, t.channel_sums[0, o, k, n])
            texts.append(self.tr("channel {c}: {equation}", c=c, equation=sums))
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
        sums = self.tr("; ").join(self.channel_texts(o, k))
        return self.tr("Filter {o}, output position ({i}, {j}): {sums}", o=o, i=i, j=j, sums=sums)

    def set_layout(self) -> None:
        """Cell sizes and column x positions of the left block (rows are input channels),
        and where the right block starts."""
        t = self.trace
        c_out, _, kh, kw = t.weight.shape
        hp, wp = t.x_padded.shape[2:]
        self.row_h = (ROWS_TOP - ROWS_BOTTOM) / t.x.shape[1]
        gap = 0.45 if c_out < 3 else 0.3
        self.cell, self.kernel_cell = fit_cells(self.row_h, (hp, wp), (kh, kw), c_out, gap)
        column_w = max(kw * self.kernel_cell, HEADER_W)
        self.x_input = LEFT_X + NAME_W + wp * self.cell / 2
        x = LEFT_X + NAME_W + wp * self.cell + gap
        self.x_filters = [x + column_w / 2 + o * (column_w + gap) for o in range(c_out)]
        self.right_x = x + c_out * (column_w + gap) + 0.15
        self.right_w = RIGHT_EDGE - self.right_x

    def row_y(self, c: int) -> float:
        """Centre line of input channel ``c``'s row."""
        return ROWS_TOP - self.row_h * (c + 0.5)

    def numbers(self, grid: Grid, values) -> VGroup:
        """The grid's numbers (not added to it), each distinct Text built once per scene."""
        return grid.numbers_for([[fmt(v) for v in row] for row in values], cache=self.cache)

    def get_input_grids(self) -> list[Grid]:
        """One padded grid per input channel, named ``x[c]`` on its left."""
        t, th = self.trace, self.theme
        grids = []
        for c in range(t.x.shape[1]):
            values = t.x_padded[0, c]
            grid = Grid(values, f"x[{c}]", th.input, th, self.cell, t.pad_mask, title_size=22)
            grid.title.next_to(grid.cells, LEFT, buff=0.15)
            grid.add(self.numbers(grid, values))
            grids.append(grid.place(self.x_input, self.row_y(c)))
        return grids

    def get_filter_columns(self) -> list[VGroup]:
        """Per filter: its header and one kernel per input channel (in that channel's row);
        ``column.kernels`` and ``column.bias`` (a label, shown on its own)."""
        t, th = self.trace, self.theme
        columns = []
        for o, x in enumerate(self.x_filters):
            kernels = []
            for n, c in enumerate(t.group_channels[o]):
                title, values = f"w[{o}, {c}]", t.weight[o, n]
                grid = Grid(values, title, th.kernel, th, self.kernel_cell, title_size=20)
                grid.add(self.numbers(grid, values))
                kernels.append(grid.place(x, self.row_y(c) - 0.12))
            header = label(self.tr("filter {o}", o=o), th.kernel, 24).move_to([x, HEAD_Y, 0])
            column = VGroup(header, *kernels)
            column.kernels, column.bias = kernels, VGroup()
            if t.has_bias:
                column.bias = label(self.tr("bias {bias}", bias=fmt(t.bias[o])), th.accent, 22)
                column.bias.move_to([x, BIAS_Y, 0])
            columns.append(column)
        return columns

    def get_output_grids(self) -> list[Grid]:
        """One grid per filter, right-aligned in columns as wide as the grid or its title."""
        t, th = self.trace, self.theme
        c_out, (oh, ow) = t.weight.shape[0], t.out_shape
        gap = 0.4
        cell = cell_size(oh, ow * c_out, self.right_w - 1.0 - gap * (c_out - 1), OUT_H, 0.55)
        grids, x = [], RIGHT_EDGE
        for o in reversed(range(c_out)):
            title = f"out[{o}] {shape(oh, ow)}"
            grid = Grid(t.out[0, o], title, th.output, th, cell, title_size=22)
            self.numbers(grid, t.out[0, o])
            column = max(grid.cells.width, grid.title.width)
            grids.insert(0, grid.place(x - column / 2, OUT_TOP - cell * oh / 2))
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
        False: the fast steps), and the total of the channel sums with the bias; the total's
        value is ``lines[-1].result``."""
        t, th = self.trace, self.theme
        i, j = t.out_index[k]
        heading = self.tr("filter {o}, output position ({i}, {j}):", o=o, i=i, j=j)
        lines = VGroup(label(heading, th.muted, 22))
        for text in self.channel_texts(o, k) if per_channel else ():
            parts = wrap_terms(text, int(self.right_w / 0.13))
            lines.add(VGroup(*(label(part, th.text, 24) for part in parts)))
        total = self.total_text(o, k)
        lhs = label(total[: total.rindex("=") + 1], th.text, 26)
        result = self.cache.text(fmt(t.values[0, o, k]), 28, th.output, weight="BOLD")
        last = VGroup(lhs, result.next_to(lhs, RIGHT, buff=0.15))
        last.result = result
        lines.add(last)
        for line in lines[1:-1]:
            line.arrange(DOWN, buff=0.1, aligned_edge=LEFT)
        fit_width(lines.arrange(DOWN, buff=0.18, aligned_edge=LEFT), self.right_w)
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
