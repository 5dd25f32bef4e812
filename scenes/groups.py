"""Groups, depthwise and depthwise-separable convolution, with every number.

One input through groups=1, a grouping and depthwise (groups=C_in): each filter's kernels in
the rows of the channels it sees, and one output's sums group by group. Then a separable
block (depthwise, then 1×1: a matrix product per pixel) against a standard convolution:
parameters, multiply-adds and their ratio 1/C_out + 1/k². Render:

    manim render -ql scenes/groups.py Groups
    convanim build groups --quality low
    convanim build groups --in-channels 2 --out-channels 4 --groups 1 --side 5 --seed 3
"""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, VGroup

from convcore import ConvTrace
from convcore.groups import ConvCost
from scenes.kit.anim import Fade, fade_out
from scenes.kit.fmt import DOT, dot_equation, fmt, fraction, separable_formulas, shape, sum_equation
from scenes.kit.grid import Grid, highlight_box, merged, place_product, window_squares
from scenes.kit.scene import ConvScene, beat
from scenes.kit.text import TextCache, clamp_x, fit, glyph_table, label, title_bar, wrapped
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
        """The text cache, and the grouping board's cell sizes and x positions."""
        super().setup()
        self.cache = TextCache()
        self.shown = VGroup()  # what the current beat put on screen, faded out by the next
        t = self.trace.passes[0]
        (self.c_in, h, w), k = t.x.shape[1:], t.kernel_size[0]
        self.in_shape = shape(h, w)
        self.row_h = (ROWS_TOP - ROWS_BOTTOM) / self.c_in
        self.cell = min(0.42, (self.row_h - 0.25) / h)
        self.kernel_cell = min(0.36, (self.row_h - 0.4) / k, (COLUMN_W - 0.05) / k)
        self.x_input = LEFT_X + NAME_W + w * self.cell / 2
        first = LEFT_X + NAME_W + w * self.cell + GAP + COLUMN_W / 2
        self.x_filters = [first + o * (COLUMN_W + GAP) for o in range(self.c_in)]
        self.right_x = self.x_filters[-1] + COLUMN_W / 2 + GAP + 0.15
        self.right_w = RIGHT_EDGE - self.right_x

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
        values = dict(c_in=self.c_in, shape=self.in_shape, seed=self.values.seed)
        subtitle = self.tr(SUBTITLE, kernel=shape(*self.trace.passes[0].kernel_size), **values)
        self.title = title_bar(self.tr(self.title_text), self.theme, subtitle)
        self.cue(self.tr(COLON, a=self.title[0].original_text, b=subtitle))
        self.play(Fade(self.title), run_time=0.8)

    @beat
    def show_input(self):
        t, th = self.trace.passes[0], self.theme
        inputs = [self.input_grid(c) for c in range(self.c_in)]
        cells = [g.cell(r, c) for g in inputs for r in t.tap_rows[0] for c in t.tap_cols[0]]
        self.window = merged(list(window_squares(cells, th)))
        head = label(self.tr("input x"), th.input, 22).move_to([self.x_input, HEAD_Y, 0])
        self.board = VGroup(head, *inputs)
        self.show_caption(self.tr(INPUT, c_in=self.c_in, shape=self.in_shape), cue=True)
        self.play(Fade(self.board), run_time=1)
        self.wait(1.5)

    @beat
    def show_grouping(self, t: ConvTrace, cost: ConvCost):
        th, c_in_g = self.theme, t.weight.shape[1]
        if len(self.shown):
            self.play(*fade_out(self.shown), run_time=0.6)
        columns = [self.filter_column(t, o) for o in range(t.weight.shape[0])]
        groups = self.groups_of(t)
        boxes = VGroup()
        for filters in groups.values():
            kernels = VGroup(*(k for o in filters for k in columns[o].kernels))
            boxes.add(highlight_box(kernels, th, buff=0.06).set_stroke(th.accent, width=3))
        kind = "dense" if t.groups == 1 else "depthwise" if c_in_g == 1 else "grouped"
        text = self.tr(GROUPING[kind], g=t.groups, cg=c_in_g, c_in=t.x.shape[1])
        sizes = self.tr("weight (C_out, C_in/groups, kH, kW) = {sizes}", sizes=str(t.weight.shape))
        dims = DOT.join(str(d) for d in t.weight.shape)
        count = self.tr("{count} weights", count=f"{dims} = {cost.weights}")
        head = VGroup(label(f"groups = {t.groups}", th.accent, 30))
        head.add(*(label(line, th.kernel, 22) for line in (sizes, count)))
        fit(head.arrange(DOWN, aligned_edge=LEFT, buff=0.14), self.right_w)
        head.move_to([self.right_x, HEAD_Y + 0.1, 0], aligned_edge=UL)
        self.show_caption(text)
        self.cue(self.tr(COLON, a=text, b=f"{sizes}, {count}"))
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
        p = s.pointwise
        (c_out, c_in), pixels = p.kernel_rows.shape, p.patches.shape[1]
        self.play(*fade_out(self.shown, self.board, self.window), run_time=0.8)
        x_grid, w_grid, y_grid = self.product_board(p)
        i, j = p.out_index[0]
        eq = f"y[0, ({i}, {j})] = " + dot_equation(
            p.kernel_rows[0], p.patches[:, 0], p.product[0, 0]
        )
        notes = [
            self.tr("1×1 convolution = a matrix product per pixel:"),
            self.tr("pixel ({i}, {j}): weight × its {c_in} channel values", i=i, j=j, c_in=c_in),
        ]
        text = self.pointwise_text(notes, eq, y_grid)
        block = self.tr(BLOCK, kernel=shape(*s.depthwise.kernel_size), c_in=c_in, c_out=c_out)
        self.show_caption(block, cue=True)
        grids = (x_grid.with_numbers(), w_grid.with_numbers(), y_grid)
        self.play(*(Fade(g) for g in grids), run_time=1)
        self.wait(1.5)
        firsts = (VGroup(*x_grid.cells[::pixels]), VGroup(*w_grid.cells[:c_in]), y_grid.cell(0, 0))
        marks = VGroup(*(highlight_box(m, th) for m in firsts))
        self.cue(self.tr(COLON, a=f"{notes[0]} {notes[1]}", b=eq))
        self.play(Fade(marks), Fade(text), run_time=1)
        self.play(Fade(y_grid.number(0, 0)), run_time=0.5)
        self.wait(2.5)
        self.remove(marks)
        out = f"({c_out}, {shape(*s.depthwise.out_shape)})"
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
        self.formulas = lines = separable_formulas(cost)
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
        self.table = fit(glyph_table(rows, colors, 22, gap=0.5, buff=0.32)).move_to([0, 1.0, 0])
        self.table.columns = [VGroup(*(row[c] for row in self.table.cells)) for c in range(3)]
        said = self.tr("; ").join(self.tr(COLON, a=names[n], b=lines[n][0]) for n in lines)
        self.show_caption(self.tr(SAME, c_out=c_out, shape=shape(h, w)))
        self.cue(self.tr("Parameters: {lines}", lines=said))
        self.play(Fade(self.table.columns[0]), Fade(self.table.columns[1]), run_time=1.2)
        self.wait(3)

    @beat
    def show_multiply_adds(self):
        h, w = self.trace.separable.cost.standard.out_hw
        text = self.tr(
            "multiply-adds: every weight is used once per output pixel ({h}·{w})", h=h, w=w
        )
        self.show_caption(text)
        said = self.tr("; ").join(macs for _, macs in self.formulas.values())
        self.cue(self.tr(COLON, a=text, b=said))
        self.play(Fade(self.table.columns[2]), run_time=1.2)
        self.wait(3)

    @beat
    def show_ratio(self):
        cost, th = self.trace.separable.cost, self.theme
        values = f"{cost.params} / {cost.standard.params} = {cost.macs} / {cost.standard.macs}"
        lines = [
            self.tr("separable / standard = {values}", values=values)
            + f" = {fraction(cost.param_ratio)} ≈ {fmt(cost.ratio)}",
            f"= 1/C_out + 1/k² = {fraction(cost.inv_c_out)} + {fraction(cost.inv_k2)} "
            f"= {fraction(cost.formula_ratio)}",
        ]
        times = fmt(cost.times_fewer, 1)
        fewer = self.tr("{times}× fewer parameters and multiply-adds", times=times)
        shown = VGroup(*(label(t, th.text, 26) for t in lines), label(fewer, th.accent, 28))
        self.ratio = fit(shown.arrange(DOWN, buff=0.22)).next_to(self.table, DOWN, buff=0.55)
        self.show_caption(self.tr("the ratio is 1/C_out + 1/k², whatever the input size"))
        self.cue(self.tr(COLON, a=f"{lines[0]} {lines[1]}", b=fewer))
        self.play(Fade(shown), run_time=1.2)
        self.wait(4)

    # -- helpers -----------------------------------------------------------------------

    def row_y(self, c: int) -> float:
        return ROWS_TOP - self.row_h * (c + 0.5)

    def input_grid(self, c: int) -> Grid:
        t, th = self.trace.passes[0], self.theme
        grid = Grid(t.x[0, c], f"x[{c}]", th.input, th, self.cell, title_size=20)
        grid.title.next_to(grid.cells, LEFT, buff=0.15)
        grid.add(grid.fmt_numbers(self.cache))
        return grid.place(self.x_input, self.row_y(c))

    def filter_column(self, t: ConvTrace, o: int) -> VGroup:
        """Filter ``o``'s header and its kernels ``w[o, n]`` (``column.kernels``), each in
        the row of the input channel it meets."""
        th, x = self.theme, self.x_filters[o]
        kernels, kw = [], dict(title_size=16, title_buff=0.08)
        for n, c in enumerate(t.group_channels[o]):
            grid = Grid(t.weight[o, n], f"w[{o}, {n}]", th.kernel, th, self.kernel_cell, **kw)
            grid.add(grid.fmt_numbers(self.cache))
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
        lines, indented, said = VGroup(label(head, th.muted, 20)), [], []
        terms, totals = t.channel_sums[0, :, 0], t.values[0, :, 0]
        for g, (channels, filters) in enumerate(groups.items()):
            names = ", ".join(f"x[{c}]" for c in channels)
            group = self.tr("group {g}: {names}", g=g, names=names)
            sums = [f"out[{o}] = {sum_equation(terms[o], totals[o])}" for o in filters]
            indented += [label(line, th.text, 22) for line in sums]
            lines.add(label(group, th.accent, 20), *indented[-len(sums) :])
            said.append(self.tr(COLON, a=group, b=", ".join(sums)))
        lines.arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        for line in indented:
            line.shift(0.3 * RIGHT)
        fit(lines, self.right_w, top - ROWS_BOTTOM).move_to([self.right_x, top, 0], aligned_edge=UL)
        return lines, self.tr(COLON, a=head, b=self.tr("; ").join(said))

    def product_board(self, p) -> tuple[Grid, Grid, Grid]:
        """The depthwise output (a column per pixel), the pointwise weight and the output,
        laid out as the matrix product ``weight @ columns``."""
        th, (c_out, c_in), pixels = self.theme, p.kernel_rows.shape, p.patches.shape[1]
        cell = min(0.5, 4.9 / (c_in + c_out), 7.0 / (c_in + pixels))
        titles = (
            self.tr("depthwise output\n(C_in, pixels) = ({c_in}, {n})", c_in=c_in, n=pixels),
            self.tr("pointwise weight\n(C_out, C_in) = ({c_out}, {c_in})", c_out=c_out, c_in=c_in),
            self.tr("output (C_out, pixels) = ({c_out}, {n})", c_out=c_out, n=pixels),
        )
        values, colors = (p.patches, p.kernel_rows, p.product), (th.input, th.kernel, th.output)
        grids = []
        for args in zip(values, titles, colors, strict=True):
            grids.append(Grid(*args, th, cell, title_size=18))
            grids[-1].fmt_numbers(self.cache)
        place_product(grids[1], grids[0], grids[2], BOARD_LEFT, BOARD_TOP)
        clamp_x(grids[1].title, LEFT_X)
        return tuple(grids)

    def pointwise_text(self, notes: list[str], eq: str, y_grid: Grid) -> VGroup:
        """The notes and the first pixel's equation, right of the product (below it when
        many pixels leave too little room)."""
        left, top = y_grid.cells.get_right()[0] + 0.45, y_grid.cells.get_top()[1]
        if RIGHT_EDGE - left < 4.5:
            left, top = BOARD_LEFT, y_grid.title.get_bottom()[1] - 0.3
        text = VGroup(*(label(n, self.theme.text, 22) for n in notes))
        text.add(wrapped(eq, self.theme.text, 22, 34, 9)).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        fit(text, RIGHT_EDGE - left, top - self.caption_y - 0.4)
        return text.move_to([left, top, 0], aligned_edge=UL)
