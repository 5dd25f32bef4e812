"""im2col: every window unrolled into a column, one matrix product, reshaped to the output.

The article's example (5×5 input 1..25, 3×3 kernel 1..9 → 411 … 951), and two input
channels (the patch matrix stacks one block of rows per channel); both end with the
vectorised NumPy code that computes the same (``convcore.functional.conv2d_from_args``):

    manim render -ql scenes/im2col.py Im2col
    manim render -ql scenes/im2col.py Im2colMultiChannel
    convanim build im2col --stride 2 --padding 1
    convanim build im2col-channels --input x.npy --kernel w.npy   # (C, H, W), (C, kH, kW)
"""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, Create, FadeIn, Indicate, Text, Transform, VGroup, Write

from convcore.functional import conv2d_from_args
from scenes.kit.anim import Fade, Fly, chunks, fade_out
from scenes.kit.code import CodePanel, CodeTour
from scenes.kit.fmt import conv_settings, equation, fmt, fmt_factor, fmt_rows, product_terms, shape
from scenes.kit.grid import Grid, block_rules, grid_block, highlight_box, window_squares
from scenes.kit.scene import ConvScene, beat
from scenes.kit.text import TextCache, clamp_x, fit, fit_width, label, title_bar, wrap_terms
from scenes.specs.im2col import CAPTION_H, CHANNELS_SPEC, FRAME_W, GAP, SPEC, TOP, plan_layout

LABEL = 22  # font size of grid titles and captions


class Im2col(ConvScene):
    """Windows become columns of a patch matrix; the kernel row times it is the output."""

    spec = SPEC
    slow_columns = 2  # columns unrolled slowly, window by window
    fast_plays = 3  # plays for the remaining columns (several columns per play)
    title_text = "im2col: convolution as one matrix product"

    def setup(self):
        super().setup()
        self.im = self.trace.im2col  # what is drawn; self.trace.conv is shown beside it
        self.layout = plan_layout(self.im)
        self.texts = TextCache()

    def construct(self):
        self.show_title()
        self.show_inputs()
        self.unfold_windows()
        self.flatten_kernel()
        self.multiply()
        self.reshape_output()
        self.show_code()

    # -- beats -------------------------------------------------------------------------

    @beat
    def show_title(self):
        params, (k, n_cols) = conv_settings(self.tr, self.im), self.im.patches.shape
        subtitle = "windows → columns, kernel → a row, one product, reshape · {params}"
        subtitle = self.tr(subtitle, params=params)
        self.title = title_bar(self.tr(self.title_text), self.theme, subtitle)
        cue = (
            "im2col: each of the {n} windows becomes a column of a {patches} patch matrix; "
            "the kernel, flattened to a row, times it gives the output ({params})."
        )
        self.cue(self.tr(cue, n=n_cols, patches=shape(k, n_cols), params=params))
        self.play(Fade(self.title), run_time=0.8)

    @beat
    def show_inputs(self):
        self.build_blocks()
        self.patch_grid = self.get_patch_grid()
        self.patch_extras = self.get_patch_extras()
        self.play(
            Fade(self.input_block),
            Fade(self.kernel_block),
            Create(self.patch_grid.cells),
            Fade(self.patch_grid.title),
            Fade(self.patch_extras),
            run_time=1.5,
        )
        self.patch_shown = VGroup()  # patch numbers land here; added last, as they move
        self.add(self.patch_shown)
        self.wait(0.8)

    def unfold_windows(self):
        t, n_cols = self.im, self.im.patches.shape[1]
        slow = min(self.slow_columns, n_cols)
        for col in range(slow):
            self.unfold_slowly(col)
        if slow == n_cols:
            self.play(*fade_out(self.window, self.caption, self.column_box))
        else:
            (i0, j0), (i1, j1) = t.out_index[slow], t.out_index[n_cols - 1]
            cue = (
                "Columns {first}–{last}: the other windows, out[{i0}, {j0}] to "
                "out[{i1}, {j1}], the same way."
            )
            self.cue(self.tr(cue, first=slow, last=n_cols - 1, i0=i0, j0=j0, i1=i1, j1=j1))
            self.play(*fade_out(self.window, self.caption), run_time=0.4)
            for cols in chunks(range(slow, n_cols), self.fast_plays):
                box = Transform(self.column_box, self.get_column_box(cols))
                self.fly_patch_numbers(cols, box, lag_ratio=0.6 / len(cols) / len(t.patches))
            self.play(*fade_out(self.column_box), run_time=0.4)
        self.wait(0.5)

    @beat
    def unfold_slowly(self, col: int):
        (i, j), values = self.im.out_index[col], fmt_rows(self.im.patches[:, col][None])
        window, box = self.get_window(col), self.get_column_box([col])
        caption = self.get_step_caption(col)
        cue = "Column {col}: the window of out[{i}, {j}], {values}."
        self.cue(self.tr(cue, col=col, i=i, j=j, values=values))
        if col == 0:
            self.window, self.column_box, self.caption = window, box, caption
            self.play(Create(window), Create(box), Fade(caption), run_time=0.9)
        else:
            self.remove(self.caption)
            self.add(caption)
            self.caption = caption
            self.play(Transform(self.window, window), Transform(self.column_box, box), run_time=0.7)
        self.fly_patch_numbers(range(col, col + 1), lag_ratio=0.15, run_time=1.8)
        self.wait(0.4)

    @beat
    def fly_patch_numbers(self, cols: range, *also, lag_ratio: float, run_time: float = 1.3):
        """Fly the input numbers into patch columns ``cols`` (they stay, in ``patch_shown``)."""
        k = self.im.patches.shape[0]
        mobs = [self.patch_grid.number(r, col) for col in cols for r in range(k)]
        sources = [number for col in cols for number in self.input_numbers(col)]
        flying = VGroup(*mobs)  # only these move: the numbers already landed stay still
        self.play(*also, Fly(flying, mobs, sources, lag_ratio=lag_ratio), run_time=run_time)
        self.remove(flying)
        self.patch_shown.add(*mobs)

    @beat
    def flatten_kernel(self):
        t, row = self.im, self.get_kernel_row()
        cue = "The kernel flattened to a {shape} row: {values}."
        values = fmt_rows(t.kernel_rows[:1])
        self.cue(self.tr(cue, shape=shape(*t.kernel_rows.shape), values=values))
        sources = [self.kernel_grids[c].number(i, j) for c, i, j in t.patch_row_index]
        mobs = list(row.copy_numbers(sources))
        self.kernel_row, self.kernel_row_shown = row, VGroup(*mobs)
        self.play(Create(row.cells), Fade(row.title), Create(row.separators), run_time=0.8)
        self.play(Fly(self.kernel_row_shown, mobs, sources, lag_ratio=0.12), run_time=1.8)
        self.result_row = self.get_result_row()
        self.play(Create(self.result_row.cells), Fade(self.result_row.title), run_time=0.8)
        self.result_shown = VGroup()  # output values land here as they are computed
        self.add(self.result_shown)
        self.wait(0.5)

    @beat
    def multiply(self):
        t, n_cols, (i, j) = self.im, self.im.patches.shape[1], self.im.out_index[0]
        self.play(*fade_out(self.input_block, self.kernel_block), run_time=0.6)
        self.row_box = highlight_box(self.kernel_row.cells, self.theme)
        self.column_box = self.get_column_box([0])
        eq, result = self.get_equation(0)
        cue = "out[{i}, {j}] = column {col} · kernel row = {equation}"
        self.cue(self.tr(cue, i=i, j=j, col=0, equation=self.equation_text(0)))
        self.play(Create(self.row_box), Create(self.column_box), run_time=0.7)
        self.play(Write(eq), run_time=2.8)
        self.play(FadeIn(result, scale=1.4), run_time=0.6)
        first = self.result_row.numbers[0]
        self.result_shown.add(first)
        self.play(Fly(self.result_shown, [first], [result]), run_time=0.9)
        self.wait(0.8)
        self.play(*fade_out(eq, result), run_time=0.5)
        if n_cols > 1:
            values = fmt_rows(t.values[:1])
            self.cue(self.tr("Every column the same way: the output row {values}.", values=values))
        for cols in chunks(range(1, n_cols), 4):
            mobs = [self.result_row.numbers[c] for c in cols]
            self.result_shown.add(*mobs)
            pops = (FadeIn(m, scale=1.3) for m in mobs)
            self.play(Transform(self.column_box, self.get_column_box(cols)), *pops, run_time=0.7)
        self.play(*fade_out(self.row_box, self.column_box), run_time=0.4)
        self.wait(0.4)

    @beat
    def reshape_output(self):
        out_grid, conv_grid, equals, caption = self.get_comparison()
        cue = "The row reshaped to the {shape} output: the same numbers as conv2d's sliding window."
        self.cue(self.tr(cue, shape=shape(*self.im.out_shape)))
        patch = (self.patch_grid, self.patch_shown, self.patch_extras)
        self.play(*fade_out(*patch, self.kernel_row, self.kernel_row_shown), run_time=0.7)
        self.play(Create(out_grid.cells), Fade(out_grid.title), run_time=0.8)
        sources = list(self.result_row.numbers)
        shown = VGroup(*out_grid.copy_numbers(sources))
        self.play(Fly(shown, list(shown), sources, lag_ratio=0.25), run_time=2.2)
        self.play(Fade(equals), Fade(conv_grid), run_time=1.0)
        self.play(Fade(caption), Indicate(out_grid.cells, color=self.theme.output), run_time=1.2)
        self.wait(2)
        self.out_grid, self.conv_grid = out_grid, conv_grid
        self.comparison = VGroup(out_grid, shown, conv_grid, equals, caption)

    @beat
    def show_code(self):
        self.play(*fade_out(self.comparison, self.result_row, self.result_shown), run_time=0.7)
        panel, header = self.get_code_panel()
        self.code_panel = panel
        self.play(Fade(header), Fade(panel), run_time=1.0)
        self.code_tour = CodeTour(panel, self.theme, LABEL)
        for snippet, text in self.get_code_stages():  # a stop raises if its line is gone
            self.cue(text)
            self.play(*self.code_tour.stop(snippet, text), run_time=0.8)
            self.wait(1.6)
        self.wait(1.5)

    # -- mobjects from the trace --------------------------------------------------------

    def build_blocks(self):
        """Input and kernel grids side by side (or stacked) at the top of the left column,
        shrunk until their titles fit too."""
        lay, cell, (x, w) = self.layout, self.layout.input_cell, self.block_contents()
        for _ in range(3):
            self.input_block, self.input_grids = self.get_channel_block(cell, *x)
            self.kernel_block, self.kernel_grids = self.get_channel_block(cell, *w)
            pair = VGroup(self.input_block, self.kernel_block)
            if lay.one_row:
                pair.arrange(RIGHT, buff=0.5, aligned_edge=UP)
            else:
                pair.arrange(DOWN, buff=0.2)
            pair.move_to([lay.left_centre, 0, 0])
            pair.shift((lay.area_top - pair.get_top()[1]) * UP)
            excess = clamp_x(pair, -FRAME_W / 2, lay.left_x + lay.left_w).width - lay.left_w
            if excess <= 0.01:
                return
            cells_w = sum(g.cells.width for g in self.input_grids + self.kernel_grids)
            cell *= max(0.5, (cells_w - excess) / cells_w)

    def block_contents(self) -> tuple[tuple, tuple]:
        """``(arrays, title, colour, mask)`` of the padded input and of the kernel, titled with
        what and shape (the channels' too, if several)."""
        t, th, c_in = self.im, self.theme, self.im.x.shape[0]
        dims = shape(*(t.x.shape if c_in > 1 else t.x.shape[1:]))
        if any(t.pads):
            padded = shape(*t.x_padded.shape[1:])
            x_title = self.tr("input {shape}\npadded to {padded}", shape=dims, padded=padded)
        else:
            x_title = self.tr("input {shape}", shape=dims)
        w_dims = shape(*(t.weight.shape[1:] if c_in > 1 else t.kernel_size))
        w_title = self.tr("kernel {shape}", shape=w_dims)
        return (t.x_padded, x_title, th.input, t.pad_mask), (t.weight[0], w_title, th.kernel, None)

    def get_channel_block(self, cell: float, arrays, title: str, color: str, mask=None):
        """A grid per channel of ``arrays`` (a tag on each, ``title`` over them all) or the one
        channel's grid titled ``title``; the block and the grids."""
        c_in = len(arrays)
        tags = [title] if c_in == 1 else [self.tr("ch {c}", c=c) for c in range(c_in)]
        grids = [
            Grid(a, tag, color, self.theme, cell, mask, show_numbers=True, title_size=LABEL)
            for a, tag in zip(arrays, tags, strict=True)
        ]
        block = VGroup(*grids) if c_in == 1 else grid_block(grids, title, color, LABEL, 20)
        return block, grids

    def get_patch_grid(self) -> Grid:
        t, lay, (k, n_cols) = self.im, self.layout, self.im.patches.shape
        title = self.tr("patch matrix {shape}", shape=shape(k, n_cols))
        grid = Grid(t.patches, title, self.theme.input, self.theme, lay.patch_cell, t.is_padding)
        columns = [self.input_numbers(col) for col in range(n_cols)]
        grid.copy_numbers([columns[col][r] for r in range(k) for col in range(n_cols)])
        grid.place(lay.patch_left + n_cols * lay.patch_cell / 2, TOP - k * lay.patch_cell / 2)
        clamp_x(grid.title, lay.patch_left - GAP / 2)
        return grid

    def get_patch_extras(self) -> VGroup:
        """For several channels: a label beside each channel's block of rows, lines between."""
        grid, c_in, extras = self.patch_grid, self.im.x.shape[0], VGroup()
        if c_in == 1:
            return extras
        (k, n_cols), block = grid.shape, grid.shape[0] // c_in  # rows per channel: kH·kW
        for c in range(c_in):
            top, bottom = grid.cell(c * block, 0), grid.cell((c + 1) * block - 1, n_cols - 1)
            tag = label(self.tr("ch {c}", c=c), self.theme.input, 20)
            tag.next_to(bottom, RIGHT, buff=0.2)
            extras.add(tag.set_y((top.get_top()[1] + bottom.get_bottom()[1]) / 2))
        return extras.add(block_rules(grid, rows=range(block, k, block)))

    def input_numbers(self, col: int) -> list[Text]:
        """The input numbers that patch column ``col`` copies, one per patch row."""
        return [grid.number(i, j) for grid, i, j in self.input_taps(col)]

    def input_taps(self, col: int) -> list[tuple[Grid, int, int]]:
        """Per patch row: the input grid and its (padded) cell that fill column ``col``."""
        t = self.im
        return [
            (self.input_grids[c], t.padded_rows[r, col], t.padded_cols[r, col])
            for r, c in enumerate(t.patch_row_index[:, 0])
        ]

    def get_window(self, col: int) -> VGroup:
        """Highlighted squares over the input cells that fill patch column ``col``."""
        return window_squares([g.cell(i, j) for g, i, j in self.input_taps(col)], self.theme)

    def get_column_box(self, cols):
        """Outline around the patch columns ``cols`` (consecutive)."""
        grid, k = self.patch_grid, self.im.patches.shape[0]
        return highlight_box(VGroup(grid.cell(0, cols[0]), grid.cell(k - 1, cols[-1])), self.theme)

    def get_step_caption(self, col: int) -> Text:
        i, j = self.im.out_index[col]
        text = self.tr("window for out[{i}, {j}] → column {col}", i=i, j=j, col=col)
        text = fit_width(label(text, self.theme.text, LABEL), self.layout.left_w)
        bottom = min(self.input_block.get_bottom()[1], self.kernel_block.get_bottom()[1])
        return text.move_to([self.layout.left_centre, bottom - CAPTION_H / 2 - 0.05, 0])

    def get_kernel_row(self) -> Grid:
        """The flattened kernel, left of the output row; lines between channel blocks."""
        t, lay, k = self.im, self.layout, self.im.kernel_rows.shape[1]
        title = self.tr("kernel row {shape}", shape=shape(1, k))
        row = Grid(t.kernel_rows[:1], title, self.theme.kernel, self.theme, lay.kernel_row_cell)
        row.place(lay.left_x + lay.left_w - k * lay.kernel_row_cell / 2, lay.result_y)
        row.title.next_to(row.cells, DOWN, buff=0.18)
        block = k // t.x.shape[0]  # entries per channel: kH·kW
        row.separators = block_rules(row, cols=range(block, k, block))
        return row.add(row.separators)

    def get_result_row(self) -> Grid:
        t, lay, n_cols = self.im, self.layout, self.im.values.shape[1]
        title = self.tr("output row {shape}\n= kernel row · patch matrix", shape=shape(1, n_cols))
        row = Grid(t.values[:1], title, self.theme.output, self.theme, lay.patch_cell)
        row.numbers_for([[fmt(v) for v in t.values[0]]], cache=self.texts)
        row.place(lay.patch_left + n_cols * lay.patch_cell / 2, lay.result_y)
        clamp_x(row.title.next_to(row.cells, DOWN, buff=0.18), lay.patch_left - GAP / 2)
        return row

    def get_equation(self, col: int) -> tuple[VGroup, Text]:
        """``out[i, j] = column · kernel row = a·b + … = p + q + … =`` and the value."""
        t, lay, (i, j) = self.im, self.layout, self.im.out_index[col]
        sums = [fmt_factor(v) for v in t.terms[0, :, col]]
        if t.has_bias:
            sums.append(f"{self.tr('bias')} {fmt_factor(t.bias[0])}")
        chars = max(24, int(lay.left_w / 0.19))
        lines = [self.tr("out[{i}, {j}] = column {col} · kernel row", i=i, j=j, col=col)]
        factors = product_terms(t.patches[:, col], t.kernel_rows[0])
        lines += wrap_terms("= " + " + ".join(factors), chars)
        lines += wrap_terms("= " + " + ".join(sums), chars)
        eq = VGroup(*(label(s, self.theme.text, 26) for s in lines))
        eq.arrange(DOWN, buff=0.2, aligned_edge=LEFT)
        result = self.texts.text(f"= {fmt(t.values[0, col])}", 34, self.theme.output, "BOLD")
        result.next_to(eq, DOWN, buff=0.25, aligned_edge=LEFT)
        bottom = lay.result_y + lay.patch_cell / 2 + 0.4
        group = fit(VGroup(eq, result), lay.left_w, lay.area_top - bottom)
        group.move_to([lay.left_centre, (lay.area_top + bottom) / 2, 0])
        return eq, result

    def equation_text(self, col: int) -> str:
        """``1·1 + 2·2 + … = 411``: patch column ``col`` times the kernel row, from the trace."""
        t = self.im
        bias = t.bias[0] if t.has_bias else None
        terms = product_terms(t.patches[:, col], t.kernel_rows[0])
        return equation(terms, bias, t.values[0, col], self.tr("bias"))

    def get_comparison(self) -> tuple[Grid, Grid, Text, Text]:
        """Output row reshaped (empty, filled by flying numbers) = conv2d's sliding window."""
        t, th, conv, (oh, ow) = self.im, self.theme, self.trace.conv, self.im.out_shape
        top, area_top = self.result_row.cells.get_top()[1] + 0.4, self.layout.area_top
        cell = min(0.7, 5.0 / (2 * ow + 1), (area_top - top - 1.2) / oh)
        title = self.tr("output {shape} (the row, reshaped)", shape=shape(oh, ow))
        out_grid = Grid(t.out[0], title, th.output, th, cell)
        title = self.tr("conv2d(x, w) {shape}: sliding window", shape=shape(*conv.out_shape))
        conv_grid = Grid(conv.out[0, 0], title, th.output, th, cell, show_numbers=True)
        equals = self.texts.text("=", 60, th.text)
        group = VGroup(out_grid, equals, conv_grid).arrange(RIGHT, buff=0.6)
        group.move_to([0, (top + area_top) / 2 - 0.3, 0])
        equals.move_to((out_grid.cells.get_right() + conv_grid.cells.get_left()) / 2)
        text = self.tr("same numbers: im2col is the sliding window, done as one matrix product")
        caption = label(text, th.text, LABEL)
        caption.next_to(VGroup(out_grid.cells, conv_grid.cells), DOWN, buff=0.35)
        return out_grid, conv_grid, equals, caption

    def get_code_panel(self) -> tuple[CodePanel, Text]:
        text = "vectorised NumPy, im2col + one matmul: convcore.functional.conv2d_from_args"
        header = label(self.tr(text), self.theme.muted, LABEL).next_to(self.title, DOWN, buff=0.3)
        panel = fit_width(CodePanel(conv2d_from_args, self.theme, font_size=18))
        return panel.next_to(header, DOWN, buff=0.25), header

    def get_code_stages(self) -> list[tuple[str, str]]:
        """``(line snippet, caption)`` per stage: unfold, flatten, product + reshape, bias."""
        t, tr = self.im, self.tr
        rows, patches = shape(*t.kernel_rows.shape), shape(*t.patches.shape)
        unfold = "unfold: every window becomes a column → patch matrix {shape}"
        flatten = "flatten the kernel: one row per output channel → {shape}"
        product = "one product {kernel} · {patches} → {product}, reshaped to the output map {out}"
        sizes = dict(product=shape(*t.product.shape), out=shape(*t.out.shape))
        stages = [
            ("_unfold_padded(", tr(unfold, shape=patches)),
            ("w = a.weight.reshape(", tr(flatten, shape=rows)),
            ("matmul(", tr(product, kernel=rows, patches=patches, **sizes)),  # the product
        ]
        if t.has_bias:
            bias = tr("add the bias {bias} to every output value", bias=fmt(t.bias[0]))
            stages.append(("_finish(", bias))
        return stages


class Im2colMultiChannel(Im2col):
    """Im2col with two input channels: the patch matrix stacks one row block per channel."""

    spec = CHANNELS_SPEC
