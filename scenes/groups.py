"""Groups, depthwise and depthwise-separable convolution, with every number.

One input (4 channels by default) through groups=1, groups=2 and depthwise (groups=C_in):
the kernels of each filter sit in the rows of the input channels it sees, the weight
(C_out, C_in/groups, kH, kW) with its values, and one output position's sums, group by
group. Then a depthwise-separable block: the depthwise convolution followed by a 1×1
(pointwise) one, a matrix product per pixel over the channels; against a standard
convolution of the same output shape: parameters, multiply-adds and their ratio
1/C_out + 1/k². Render:

    manim render -ql scenes/groups.py Groups
    convanim build groups --quality low
    convanim build groups --in-channels 2 --out-channels 4 --groups 1 --side 5 --seed 3
"""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, VGroup

from convcore import ConvTrace
from convcore.groups import ConvCost
from scenes.kit.anim import Fade, fade_out
from scenes.kit.fmt import (
    DOT,
    equation,
    fmt,
    fmt_factor,
    fraction,
    product_terms,
    separable_formulas,
    shape,
)
from scenes.kit.grid import Grid, highlight_box, merged, place_product, window_squares
from scenes.kit.scene import ConvScene, beat
from scenes.kit.text import (
    TextCache,
    clamp_x,
    fit_width,
    glyph_table,
    label,
    title_bar,
    wrapped,
)
from scenes.specs.groups import SPEC

LEFT_X, RIGHT_EDGE = -6.9, 6.9
HEAD_Y, ROWS_TOP, ROWS_BOTTOM = 2.6, 2.35, -3.3  # the grouping board's rows (one per channel)
NAME_W, COLUMN_W, GAP = 0.7, 1.05, 0.28
BOARD_LEFT, BOARD_TOP = -5.0, 2.45  # the pointwise product's left and top
UL = UP + LEFT
COLON = "{a}: {b}"
SUBTITLE = "x: {c_in} channels of {shape}, {kernel} kernels · numpy default_rng({seed})"
INPUT = (
    "{c_in} input channels of {shape}, one row each; {c_in} filters, each with a kernel in "
    "the row of every channel it sees"
)
BLOCK = (
    "A separable block: depthwise {kernel} (groups = {c_in}), then pointwise 1×1 "
    "({c_in} → {c_out} channels)"
)
SAME = "Same input, same output ({c_out}, {shape}): count the weights (no bias)"
GROUPING = {
    "dense": "groups = 1: every filter sees all {c_in} input channels",
    "grouped": "groups = {g}: {g} groups of {cg} channels; a filter sees only its group's",
    "depthwise": "groups = {g} = C_in (depthwise): each filter sees one channel",
}


class Groups(ConvScene):
    """groups=1, a grouping and depthwise on one input; then a separable block's counts."""

    spec = SPEC
    fast_drawing = True
    title_text = "Groups, depthwise and separable convolution"

    def setup(self):
        super().setup()
        self.cache = TextCache()
        self.caption = None
        self.shown = VGroup()  # what the current beat put on screen, faded out by the next

    def construct(self):
        self.show_title()
        self.show_input()
        for t, cost in zip(self.trace.passes, self.trace.costs, strict=True):
            self.show_grouping(t, cost)
        self.show_pointwise()
        self.show_parameters()
        self.show_multiply_adds()
        self.show_ratio()

    # -- beats -------------------------------------------------------------------------

    @beat
    def show_title(self):
        t = self.trace.passes[0]
        c_in, h, w = t.x.shape[1:]
        values = dict(c_in=c_in, shape=shape(h, w), seed=self.values.seed)
        subtitle = self.tr(SUBTITLE, kernel=shape(*t.kernel_size), **values)
        self.title = title_bar(self.tr(self.title_text), self.theme, subtitle)
        self.cue(self.tr(COLON, a=self.title[0].original_text, b=subtitle))
        self.play(Fade(self.title), run_time=0.8)

    @beat
    def show_input(self):
        t, th = self.trace.passes[0], self.theme
        c_in, h, w = t.x.shape[1:]
        self.set_layout()
        self.inputs = [self.input_grid(c) for c in range(c_in)]
        cells = [g.cell(r, c) for g in self.inputs for r in t.tap_rows[0] for c in t.tap_cols[0]]
        self.window = merged(list(window_squares(cells, th)))
        head = label(self.tr("input x"), th.input, 22).move_to([self.x_input, HEAD_Y, 0])
        self.board = VGroup(head, *self.inputs)
        self.show_caption(self.tr(INPUT, c_in=c_in, shape=shape(h, w)), cue=True)
        self.play(Fade(self.board), run_time=1)
        self.wait(1.5)

    @beat
    def show_grouping(self, t: ConvTrace, cost: ConvCost):
        th, (c_out, c_in_g, kh, kw) = self.theme, t.weight.shape
        if len(self.shown):
            self.play(*fade_out(self.shown), run_time=0.6)
        columns = [self.filter_column(t, o) for o in range(c_out)]
        groups = self.groups_of(t)
        boxes = VGroup()
        for filters in groups.values():
            kernels = VGroup(*(k for o in filters for k in columns[o].kernels))
            boxes.add(highlight_box(kernels, th, buff=0.06).set_stroke(th.accent, width=3))
        kind = "dense" if t.groups == 1 else "depthwise" if c_in_g == 1 else "grouped"
        text = self.tr(GROUPING[kind], g=t.groups, cg=c_in_g, c_in=t.x.shape[1])
        sizes = f"({c_out}, {c_in_g}, {kh}, {kw})"
        count = f"{DOT.join(str(d) for d in t.weight.shape)} = {cost.weights}"
        head = VGroup(
            label(f"groups = {t.groups}", th.accent, 30),
            label(
                self.tr("weight (C_out, C_in/groups, kH, kW) = {sizes}", sizes=sizes), th.kernel, 22
            ),
            label(self.tr("{count} weights", count=count), th.kernel, 22),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.14)
        fit_width(head, self.right_w).move_to([self.right_x, HEAD_Y + 0.1, 0], aligned_edge=UL)
        self.show_caption(text)
        self.cue(self.tr(COLON, a=text, b=f"{head[1].original_text}, {head[2].original_text}"))
        self.play(*(Fade(m) for m in (*columns, head)), run_time=1)
        self.play(Fade(boxes), run_time=0.6)
        self.wait(1.5)
        sums, said = self.sum_lines(t, groups, head.get_bottom()[1] - 0.3)
        self.shown = VGroup(*columns, boxes, head, sums)
        if t is self.trace.passes[0]:
            self.play(Fade(self.window), run_time=0.6)
        self.cue(said)
        self.play(Fade(sums), run_time=1)
        self.wait(3)

    @beat
    def show_pointwise(self):
        s, th = self.trace.separable, self.theme
        p, dw = s.pointwise, s.depthwise
        self.play(*fade_out(self.shown, self.board, self.window), run_time=0.8)
        (c_out, c_in), pixels = p.kernel_rows.shape, p.patches.shape[1]
        x_grid, w_grid, y_grid = self.product_board(p)
        i, j = p.out_index[0]
        eq = f"y[0, ({i}, {j})] = " + equation(
            product_terms(p.kernel_rows[0], p.patches[:, 0]), None, p.product[0, 0]
        )
        notes = [
            self.tr("1×1 convolution = a matrix product per pixel:"),
            self.tr("pixel ({i}, {j}): weight × its {c_in} channel values", i=i, j=j, c_in=c_in),
        ]
        left, top = y_grid.cells.get_right()[0] + 0.45, y_grid.cells.get_top()[1]
        if RIGHT_EDGE - left < 4.5:  # many pixels: the text goes below the board
            left, top = BOARD_LEFT, y_grid.title.get_bottom()[1] - 0.3
        text = VGroup(*(label(n, th.text, 22) for n in notes), wrapped(eq, th.text, 22, 34, 9))
        fit_width(text.arrange(DOWN, aligned_edge=LEFT, buff=0.2), RIGHT_EDGE - left)
        if text.height > top - self.caption_y - 0.4:
            text.scale_to_fit_height(top - self.caption_y - 0.4)
        text.move_to([left, top, 0], aligned_edge=UL)
        block = self.tr(BLOCK, kernel=shape(*dw.kernel_size), c_in=c_in, c_out=c_out)
        self.show_caption(block, cue=True)
        grids = (x_grid.with_numbers(), w_grid.with_numbers(), y_grid)
        self.play(*(Fade(g) for g in grids), run_time=1)
        self.wait(1.5)
        first = VGroup(*(x_grid.cell(r, 0) for r in range(c_in)))
        marks = VGroup(highlight_box(first, th), highlight_box(VGroup(*w_grid.cells[:c_in]), th))
        marks.add(highlight_box(y_grid.cell(0, 0), th))
        self.cue(self.tr(COLON, a=f"{notes[0]} {notes[1]}", b=eq))
        self.play(Fade(marks), Fade(text), run_time=1)
        self.play(Fade(y_grid.number(0, 0)), run_time=0.5)
        self.wait(2.5)
        self.remove(marks)
        out = f"({c_out}, {shape(*dw.out_shape)})"
        self.cue(self.tr("every pixel the same way: output {shape}", shape=out))
        for col in range(pixels):
            numbers = [y_grid.number(o, col) for o in range(c_out) if (o, col) != (0, 0)]
            self.play(Fade(VGroup(*numbers)), run_time=0.4)
        self.wait(1.5)
        self.shown = VGroup(*grids, y_grid.numbers, text)

    @beat
    def show_parameters(self):
        cost, th = self.trace.separable.cost, self.theme
        self.play(*fade_out(self.shown), run_time=0.8)
        lines = separable_formulas(cost)
        k, c_in, c_out = shape(*cost.standard.kernel), cost.standard.c_in, cost.standard.c_out
        names = {
            "standard": self.tr("standard {k} convolution", k=k),
            "depthwise": self.tr("depthwise {k} (groups = {c_in})", k=k, c_in=c_in),
            "pointwise": self.tr("pointwise 1×1"),
            "separable": self.tr("separable block"),
        }
        h, w = cost.standard.out_hw
        head = ["", self.tr("parameters"), self.tr("multiply-adds ({h}·{w}·weights)", h=h, w=w)]
        rows = [head, *([names[n], *lines[n]] for n in lines)]
        colors = [th.muted, th.text, th.kernel, th.kernel, th.output]
        self.table = fit_width(glyph_table(rows, colors, 22, gap=0.5, buff=0.32))
        self.table.move_to([0, 1.0, 0])
        cells = self.table.cells
        self.table.columns = [VGroup(*(row[c] for row in cells)) for c in range(3)]
        said = self.tr("; ").join(self.tr(COLON, a=names[n], b=lines[n][0]) for n in lines)
        self.show_caption(self.tr(SAME, c_out=c_out, shape=shape(h, w)))
        self.cue(self.tr("Parameters: {lines}", lines=said))
        self.play(Fade(self.table.columns[0]), Fade(self.table.columns[1]), run_time=1.2)
        self.wait(3)

    @beat
    def show_multiply_adds(self):
        cost = self.trace.separable.cost
        lines = separable_formulas(cost)
        said = self.tr("; ").join(lines[n][1] for n in lines)
        h, w = cost.standard.out_hw
        text = self.tr(
            "multiply-adds: every weight is used once per output pixel ({h}·{w})", h=h, w=w
        )
        self.show_caption(text)
        self.cue(self.tr(COLON, a=text, b=said))
        self.play(Fade(self.table.columns[2]), run_time=1.2)
        self.wait(3)

    @beat
    def show_ratio(self):
        cost, th = self.trace.separable.cost, self.theme
        ratio = fraction(cost.param_ratio)
        values = f"{cost.params} / {cost.standard.params} = {cost.macs} / {cost.standard.macs}"
        lines = [
            self.tr("separable / standard = {values}", values=values)
            + f" = {ratio} ≈ {fmt(cost.ratio)}",
            f"= 1/C_out + 1/k² = {fraction(cost.inv_c_out)} + {fraction(cost.inv_k2)} "
            f"= {fraction(cost.formula_ratio)}",
        ]
        fewer = self.tr(
            "{times}× fewer parameters and multiply-adds", times=fmt(cost.times_fewer, 1)
        )
        shown = VGroup(*(label(t, th.text, 26) for t in lines), label(fewer, th.accent, 28))
        self.ratio = fit_width(shown.arrange(DOWN, buff=0.22)).next_to(self.table, DOWN, buff=0.55)
        self.show_caption(self.tr("the ratio is 1/C_out + 1/k², whatever the input size"))
        self.cue(self.tr(COLON, a=f"{lines[0]} {lines[1]}", b=fewer))
        self.play(Fade(shown), run_time=1.2)
        self.wait(4)

    # -- helpers -----------------------------------------------------------------------

    def set_layout(self) -> None:
        """Cell sizes and x positions of the grouping board: input rows, filter columns."""
        t = self.trace.passes[0]
        c_in, h, w = t.x.shape[1:]
        k = t.kernel_size[0]
        self.row_h = (ROWS_TOP - ROWS_BOTTOM) / c_in
        self.cell = min(0.42, (self.row_h - 0.25) / h)
        self.kernel_cell = min(0.36, (self.row_h - 0.4) / k, (COLUMN_W - 0.05) / k)
        self.x_input = LEFT_X + NAME_W + w * self.cell / 2
        first = LEFT_X + NAME_W + w * self.cell + GAP + COLUMN_W / 2
        self.x_filters = [first + o * (COLUMN_W + GAP) for o in range(c_in)]
        self.right_x = self.x_filters[-1] + COLUMN_W / 2 + GAP + 0.15
        self.right_w = RIGHT_EDGE - self.right_x

    def row_y(self, c: int) -> float:
        return ROWS_TOP - self.row_h * (c + 0.5)

    def numbers(self, grid: Grid, values) -> VGroup:
        return grid.numbers_for([[fmt(v) for v in row] for row in values], cache=self.cache)

    def input_grid(self, c: int) -> Grid:
        t, th = self.trace.passes[0], self.theme
        grid = Grid(t.x[0, c], f"x[{c}]", th.input, th, self.cell, title_size=20)
        grid.title.next_to(grid.cells, LEFT, buff=0.15)
        grid.add(self.numbers(grid, t.x[0, c]))
        return grid.place(self.x_input, self.row_y(c))

    def filter_column(self, t: ConvTrace, o: int) -> VGroup:
        """Filter ``o``'s header and its kernels ``w[o, n]``, each in the row of the input
        channel it meets; ``column.kernels``."""
        th, x = self.theme, self.x_filters[o]
        kernels = []
        for n, c in enumerate(t.group_channels[o]):
            kw = dict(title_size=16, title_buff=0.08)
            grid = Grid(t.weight[o, n], f"w[{o}, {n}]", th.kernel, th, self.kernel_cell, **kw)
            grid.add(self.numbers(grid, t.weight[o, n]))
            kernels.append(grid.place(x, self.row_y(c) - 0.1))
        header = label(self.tr("filter {o}", o=o), th.kernel, 20).move_to([x, HEAD_Y, 0])
        column = VGroup(header, *kernels)
        column.kernels = kernels
        return column

    @staticmethod
    def groups_of(t: ConvTrace) -> dict[tuple, list[int]]:
        """Input channels of each group → the filters that read them, in order."""
        groups: dict[tuple, list[int]] = {}
        for o, channels in enumerate(t.group_channels):
            groups.setdefault(tuple(int(c) for c in channels), []).append(o)
        return groups

    def sum_lines(self, t: ConvTrace, groups: dict, top: float) -> tuple[VGroup, str]:
        """Output position (0, 0), group by group: each filter's sum of its channels'
        window·kernel sums; and the same as one caption."""
        th, (i, j) = self.theme, t.out_index[0]
        head = self.tr("output ({i}, {j}): window · kernel, summed per channel", i=i, j=j)
        lines, said = VGroup(label(head, th.muted, 20)), []
        for g, (channels, filters) in enumerate(groups.items()):
            names = ", ".join(f"x[{c}]" for c in channels)
            lines.add(label(self.tr("group {g}: {names}", g=g, names=names), th.accent, 20))
            sums = []
            for o in filters:
                first, *rest = t.channel_sums[0, o, 0]
                terms = " + ".join([fmt(first), *(fmt_factor(v) for v in rest)])
                value = fmt(t.values[0, o, 0])
                sums.append(f"out[{o}] = {terms} = {value}" if rest else f"out[{o}] = {value}")
                lines.add(label(sums[-1], th.text, 22))
                lines[-1].indent = True
            said.append(self.tr(COLON, a=lines[-1 - len(filters)].original_text, b=", ".join(sums)))
        lines.arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        for line in (line for line in lines if getattr(line, "indent", False)):
            line.shift(0.3 * RIGHT)
        fit_width(lines, self.right_w)
        if lines.height > top - ROWS_BOTTOM:
            lines.scale_to_fit_height(top - ROWS_BOTTOM)
        lines.move_to([self.right_x, top, 0], aligned_edge=UL)
        return lines, self.tr(COLON, a=head, b=self.tr("; ").join(said))

    def product_board(self, p) -> tuple[Grid, Grid, Grid]:
        """The depthwise output (a column per pixel) above the output, the pointwise weight
        left of the output: ``weight @ columns``, laid out as a matrix product."""
        th, (c_out, c_in), pixels = self.theme, p.kernel_rows.shape, p.patches.shape[1]
        cell = min(0.5, 4.9 / (c_in + c_out), 7.0 / (c_in + pixels))
        titles = (
            self.tr("depthwise output\n(C_in, pixels) = ({c_in}, {n})", c_in=c_in, n=pixels),
            self.tr("pointwise weight\n(C_out, C_in) = ({c_out}, {c_in})", c_out=c_out, c_in=c_in),
            self.tr("output (C_out, pixels) = ({c_out}, {n})", c_out=c_out, n=pixels),
        )
        values, colors = (p.patches, p.kernel_rows, p.product), (th.input, th.kernel, th.output)
        grids = [
            Grid(v, title, color, th, cell, title_size=18)
            for v, title, color in zip(values, titles, colors, strict=True)
        ]
        for grid, v in zip(grids, values, strict=True):
            self.numbers(grid, v)
        place_product(grids[1], grids[0], grids[2], BOARD_LEFT, BOARD_TOP)
        clamp_x(grids[1].title, LEFT_X)
        return tuple(grids)
