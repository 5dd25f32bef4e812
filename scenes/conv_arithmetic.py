"""conv_arithmetic's 19 animations (Dumoulin & Visin), with every value, labels and formulas.

One scene draws them all; the declaration (``scenes/specs/conv_arithmetic.py``) decides
which: a direct convolution, a transposed one (as conv_arithmetic draws it: the equal direct
convolution over the stretched, padded input, the kernel rotated 180°) or a pooling.

    manim render -ql scenes/conv_arithmetic.py ConvArithmetic     # no_padding_no_strides
    convanim build padding_strides_odd_transposed --quality low
    convanim build padding_strides --stride 3
"""

from __future__ import annotations

from manim import DOWN, RIGHT, UP, Create, Square, Text, VGroup, linear, smooth, squish_rate_func

from scenes.kit.anim import Fade, Glide, Type, fade_out, flash
from scenes.kit.fmt import (
    equation,
    fmt,
    fmt_pads,
    fmt_pair,
    pool_size_formula,
    product_terms,
    shape,
    size_formula,
    transposed_size_formula,
)
from scenes.kit.grid import Grid, cell_size, highlight_box, window_squares
from scenes.kit.scene import ConvScene, beat
from scenes.kit.text import TextCache, clamp_x, fit_width, label, title_bar, wrapped
from scenes.kit.theme import FONT
from scenes.specs.conv_arithmetic import SPEC

TITLES = {
    "no_padding_no_strides": "No padding, no strides",
    "arbitrary_padding_no_strides": "Arbitrary padding, no strides",
    "same_padding_no_strides": "Half (same) padding, no strides",
    "full_padding_no_strides": "Full padding, no strides",
    "no_padding_strides": "No padding, strides",
    "padding_strides": "Padding, strides",
    "padding_strides_odd": "Padding, strides (odd)",
    "dilation": "Dilation",
    "no_padding_no_strides_transposed": "No padding, no strides, transposed",
    "arbitrary_padding_no_strides_transposed": "Arbitrary padding, no strides, transposed",
    "same_padding_no_strides_transposed": "Half (same) padding, no strides, transposed",
    "full_padding_no_strides_transposed": "Full padding, no strides, transposed",
    "no_padding_strides_transposed": "No padding, strides, transposed",
    "padding_strides_transposed": "Padding, strides, transposed",
    "padding_strides_odd_transposed": "Padding, strides (odd), transposed",
    "numerical_no_padding_no_strides": "No padding, no strides, with numbers",
    "numerical_padding_strides": "Padding, strides, with numbers",
    "numerical_average_pooling": "Average pooling",
    "numerical_max_pooling": "Max pooling",
}
TORCH = {"conv": "Conv2d", "transposed": "ConvTranspose2d", "max": "MaxPool2d", "avg": "AvgPool2d"}
INTRO = {
    "conv": "A {kernel} kernel slides over a {input} input: a {output} output.",
    "transposed": "A transposed convolution of a {input} input gives a {output} output: the "
    "direct convolution of the input stretched and padded to {padded}, the kernel rotated 180°.",
    "max": "The maximum of each {kernel} window of a {input} input: a {output} output.",
    "avg": "The mean of each {kernel} window of a {input} input: a {output} output.",
}
SUMMARY = {
    "conv": "{n} window positions → {n} output values, each a sum of {m} products",
    "transposed": "{n} window positions → the transposed convolution's {shape} output",
    "max": "{n} windows → {n} output values, each the maximum of {m} values",
    "avg": "{n} windows → {n} output values, each the mean of {m} values",
}
LEGEND = {
    "conv": "padding (zeros)",
    "transposed": "padding (zeros)",
    "max": "padding (−∞: never the maximum)",
    True: "padding (zeros, counted in the divisor)",  # average pooling, count_include_pad
    False: "padding (zeros, not counted in the divisor)",
    "input": "input",
    "gaps": "inserted zeros (stride − 1 between inputs)",
    "maximum": "the window's maximum (the first, if tied)",
}
GAP_OPACITY = 0.16  # inserted zeros: tinted, unlike grey padding and blue inputs
GRID_Y, GRID_HEIGHT = 0.55, 3.2  # the grids' cells: centre line and most height
LEGEND_Y, EQUATION_Y, CAPTION_TOP = -1.4, -2.12, -2.8
POP = squish_rate_func(linear, 0.55, 0.7)  # a fast step's sum and value appear, the last goes


class ConvArithmetic(ConvScene):
    """A window sweeps the (padded, stretched) input; each output value appears with its sum."""

    spec = SPEC
    fast_drawing = True
    slow_steps = 2  # windows shown slowly, the sum typed out
    sweep_seconds = 12.0  # the other windows share about this long

    def setup(self):
        super().setup()
        self.kind, self.swept = self.trace.kind, self.trace.swept
        self.pooling = self.kind in ("max", "avg")
        self.title_text = TITLES[self.trace.name]
        self.texts = TextCache()

    def construct(self):
        self.show_title()
        self.show_grids()
        self.explain_size()
        pace = min(0.9, max(0.25, self.sweep_seconds / max(self.swept.n_steps - 2, 1)))
        for k in range(self.swept.n_steps):
            self.visit(k, slow=k < self.slow_steps, pace=pace)
        self.conclude()

    # -- beats -------------------------------------------------------------------------

    @beat
    def show_title(self):
        t = self.trace.trace
        self.title = title_bar(self.tr(self.title_text), self.theme, self.settings())
        self.play(Fade(self.title), run_time=0.8)
        sizes = dict(input=shape(*t.x.shape[2:]), output=shape(*t.out.shape[2:]))
        padded = shape(*self.swept.x_padded.shape[2:])
        intro = self.tr(INTRO[self.kind], kernel=shape(*t.kernel_size), padded=padded, **sizes)
        title, settings = self.tr(self.title_text), self.settings()
        self.cue(
            self.tr("{title} ({settings}). {intro}", title=title, settings=settings, intro=intro)
        )

    @beat
    def show_grids(self):
        self.input_grid, self.kernel_grid, self.output_grid = self.get_grids()
        grids = [g for g in (self.input_grid, self.kernel_grid) if g is not None]
        self.symbols = self.get_symbols()
        self.lay_out([*grids, self.output_grid])
        self.legend = self.get_legend()
        fades = [Fade(m) for m in (*grids, *self.symbols, self.legend)]
        self.play(*fades, Create(self.output_grid), run_time=1.5)
        self.output_grid.numbers_for(self.out_texts, cache=self.texts)  # shown one by one
        self.wait(0.5)

    @beat
    def explain_size(self):
        """The output-size formula with its numbers; the numbers then stay as a caption."""
        lines, kept = self.size_lines()
        block = VGroup(*(self.texts.line(s, 24, self.theme.text) for s in lines))
        fit_width(block.arrange(DOWN, buff=0.16)).next_to([0, LEGEND_Y - 0.3, 0], DOWN)
        self.cue(self.tr("Output size: {lines}", lines="; ".join(kept)))
        self.play(Fade(block[0], shift=0.2 * DOWN), run_time=0.8)
        self.play(Fade(block[1:], shift=0.2 * DOWN), run_time=0.8)
        self.wait(2.5)
        self.caption = VGroup(*(self.texts.line(s, 19, self.theme.muted) for s in kept))
        fit_width(self.caption)
        self.caption.arrange(DOWN, buff=0.12).next_to([0, CAPTION_TOP, 0], DOWN, buff=0)
        out, then_in = squish_rate_func(linear, 0, 0.5), squish_rate_func(linear, 0.5, 1)
        self.play(Fade(block, fade_in=False, rate_func=out), Fade(self.caption, rate_func=then_in))

    @beat
    def visit(self, k: int, slow: bool, pace: float):
        """Window ``k``: the window moves, its sum replaces the last one, its value lands
        (slowly: one beat each; otherwise all in one ``play``, one static redraw)."""
        i, j = self.swept.out_index[k]
        text = self.equation_text(k)
        self.cue(self.tr("Position ({i}, {j}): {equation}", i=i, j=j, equation=text))
        old, marks = getattr(self, "equation", None), self.get_marks(k)
        line = f"out[{i}, {j}] = {text}"
        self.equation = wrapped(line, self.theme.text, 26, 70, 13.2, None if slow else self.texts)
        if self.equation.height > 0.95:
            self.equation.scale_to_fit_height(0.95)
        self.equation.move_to([0, EQUATION_Y, 0])
        number = self.output_grid.number(i, j)
        move = {} if slow else {"rate_func": squish_rate_func(smooth, 0, 0.55)}
        if k:
            self.bring_to_front(*self.marks)  # drawn last: only they are redrawn each frame
            moves = [Glide(a, to=b, **move) for a, b in zip(self.marks, marks, strict=True)]
        else:
            self.marks, self.kernel_box = marks, VGroup()
            if self.kernel_grid is not None:
                self.kernel_box.add(highlight_box(self.kernel_grid.cells, self.theme, 0.04))
            moves = [Create(m, **move) for m in (*marks, *self.kernel_box)]
        gone = [] if old is None else [Fade(old, fade_in=False, rate_func=POP)]
        if slow:  # the real Texts of the sum, typed glyph by glyph
            self.play(*moves, *gone, run_time=0.8)
            self.play(Type(self.equation), run_time=1.2)
            self.play(Fade(number, scale=1.6), run_time=0.5)
            self.wait(0.6)
        else:
            landing = [Fade(m, rate_func=POP) for m in (self.equation, number)]
            self.play(*moves, *gone, *landing, run_time=pace)

    @beat
    def conclude(self):
        self.play(*fade_out(*self.marks, self.kernel_box, self.equation), run_time=0.6)
        sw = self.swept
        size, out = sw.windows[0, 0, 0].size, shape(*sw.out_shape)  # one channel: k×k taps
        text = self.tr(SUMMARY[self.kind], n=sw.n_steps, m=size, shape=out)
        summary = fit_width(label(text, self.theme.text, 26)).move_to([0, EQUATION_Y, 0])
        self.cue(text + ".")
        glow = flash(self.output_grid.cells, color=self.theme.output, scale_factor=1.05)
        self.play(Fade(summary), glow, run_time=1.5)
        self.wait(2)

    # -- text from the trace -----------------------------------------------------------

    def settings(self) -> str:
        """``Conv2d · stride 1, padding 0, dilation 1`` and the like, from the trace."""
        t, kind = self.trace.trace, self.kind
        pads = fmt_pads(t.pads, self.tr) if kind == "conv" else fmt_pair(t.padding)
        parts = [self.tr("window {shape}", shape=shape(*t.kernel_size))] if self.pooling else []
        parts.append(self.tr("stride {stride}", stride=fmt_pair(t.stride)))
        parts.append(self.tr("padding {padding}", padding=pads))
        if kind != "avg":
            parts.append(self.tr("dilation {dilation}", dilation=fmt_pair(t.dilation)))
        if kind == "transposed":
            parts.append(f"output_padding {fmt_pair(t.output_padding)}")
        elif self.pooling and t.ceil_mode:
            parts.append("ceil_mode=True")
        if kind == "avg" and not t.count_include_pad:
            parts.append("count_include_pad=False")
        return f"{TORCH[kind]} · {self.tr(', ').join(parts)}"

    def size_lines(self) -> tuple[list[str], list[str]]:
        """The formula lines shown, and those with numbers kept as a caption."""
        t = self.trace.trace
        formula = {"conv": size_formula, "transposed": transposed_size_formula}
        general, numbers = formula.get(self.kind, pool_size_formula)(t.size_h, "H")
        if t.size_w != t.size_h:
            numbers += "    " + formula.get(self.kind, pool_size_formula)(t.size_w, "W")[1]
        if self.kind != "transposed":
            return [general, numbers], [numbers]
        h, direct = t.size_h, size_formula(t.direct.size_h, "H")[1]
        words = self.tr(
            "as a direct convolution: {size} stretched to {stretched} (stride − 1 zeros "
            "between inputs), padded {before} + {after} (D·(K − 1) − P) → {padded}",
            size=h.size,
            stretched=h.stretched,
            before=h.direct_pad_before,
            after=h.direct_pad_after,
            padded=t.direct.size_h.size,
        )
        return [general, numbers, words, direct], [numbers, self.tr("direct: ") + direct]

    def equation_text(self, k: int) -> str:
        """``a·b + … = v`` (convolutions), ``max(…) = v`` or ``(… ) / n = v`` (pooling)."""
        sw = self.swept
        if self.kind in ("conv", "transposed"):
            return equation(
                product_terms(sw.windows[0, k, 0], sw.weight[0, 0]), None, sw.values[0, 0, k]
            )
        values, value = [fmt(v) for v in sw.windows[0, 0, k].ravel()], fmt(sw.values[0, 0, k])
        if self.kind == "max":
            return f"max({', '.join(values)}) = {value}"
        return f"({' + '.join(values)}) / {sw.divisors[k]} = {value}"

    # -- mobjects from the trace -------------------------------------------------------

    def get_grids(self) -> tuple[Grid, Grid | None, Grid]:
        """The (padded, stretched) input, the kernel (none for pooling), the output."""
        t, sw, th = self.trace.trace, self.swept, self.theme
        size, padded = shape(*t.x.shape[2:]), shape(*sw.x_padded.shape[2:])
        title, mask = self.tr("input {shape}", shape=size), sw.pad_mask
        if self.kind == "transposed":
            title = self.tr(
                "input {shape}, stretched and padded to {padded}", shape=size, padded=padded
            )
            mask = t.direct_source < 0  # padding and inserted zeros: no input's value
        elif size != padded:
            title = self.tr("input {shape} padded to {padded}", shape=size, padded=padded)
        fits = [(sw.x_padded.shape[2:], 5.0), (sw.out_shape, 2.8), (sw.kernel_size, 2.8)]
        cell = min(cell_size(*rc, width, GRID_HEIGHT, 0.75) for rc, width in fits)
        style = {"title_size": 24, "title_buff": 0.2}
        x = Grid(sw.x_padded[0, 0], title, th.input, th, cell, mask, True, **style)
        if self.kind == "transposed":  # inserted zeros: tinted, padding stays grey
            for r, c in zip(*t.direct_gap_mask.nonzero(), strict=True):
                x.cell(r, c).set_fill(th.accent, opacity=GAP_OPACITY)
        kernel = None
        if not self.pooling:
            k_title = self.tr("kernel {shape}", shape=shape(*sw.kernel_size))
            if self.kind == "transposed":
                k_title += self.tr(", rotated 180°")
            if sw.dilation != (1, 1):
                k_title += self.tr(", dilation {dilation}", dilation=fmt_pair(sw.dilation))
            kernel = Grid(sw.weight[0, 0], k_title, th.kernel, th, cell, show_numbers=True, **style)
        self.out_texts = [[fmt(v) for v in row] for row in sw.out[0, 0]]
        widest = max((s for row in self.out_texts for s in row), key=len)
        wide = min(max(cell, cell * len(widest) / 2.2), max(cell, 3.0 / sw.out_shape[1]))
        style |= {"widest": widest, "max_font": x.font_size}
        out_title = self.tr("output {shape}", shape=shape(*sw.out_shape))
        out = Grid(sw.out_shape, out_title, th.output, th, (wide, cell), **style)
        for grid, width in ((x, 5.6), (kernel, 3.8), (out, 3.0)):
            if grid is not None:
                fit_width(grid.title, width).next_to(grid.cells, UP, buff=0.2)
        return x, kernel, out

    def get_symbols(self) -> list:
        """``⋆`` and ``=`` between the grids; for pooling, what each window becomes."""
        th = self.theme
        if not self.pooling:
            return [Text(s, font=FONT, font_size=60, color=th.text) for s in ("⋆", "=")]
        what = "max over {shape}" if self.kind == "max" else "mean over {shape}"
        word = label(self.tr(what, shape=shape(*self.swept.kernel_size)), th.text, 24)
        return [VGroup(word, Text("→", font=FONT, font_size=48, color=th.text)).arrange(DOWN)]

    def lay_out(self, grids: list[Grid]):
        """Grids and symbols in a row, at most 1 apart, the cells centred on ``GRID_Y``."""
        items = [grids[0]]
        for symbol, grid in zip(self.symbols, grids[1:], strict=True):
            items += [symbol, grid]
        widths = [m.width for m in items]
        gap = min(1.0, (13.4 - sum(widths)) / (len(items) - 1))
        x = -(sum(widths) + gap * (len(items) - 1)) / 2
        for item, width in zip(items, widths, strict=True):
            if isinstance(item, Grid):
                item.place(x + width / 2, GRID_Y)
            else:
                item.move_to([x + width / 2, GRID_Y, 0])
            x += width + gap

    def get_legend(self) -> VGroup:
        """Swatches naming the kinds of input cells, and (max) the maximum's outline."""
        t, th = self.trace.trace, self.theme
        pads, gaps = self.swept.pad_mask.any(), False
        if self.kind == "transposed":
            pads, gaps = t.direct_pad_mask.any(), t.direct_gap_mask.any()
        pad = t.count_include_pad if self.kind == "avg" else self.kind
        entries = [
            (gaps, th.input, 0.14, th.grid, "input"),
            (gaps, th.accent, GAP_OPACITY, th.grid, "gaps"),
            (pads, th.padding, 0.85, th.grid, pad),
            (self.kind == "max", th.background, 0, th.accent, "maximum"),
        ]
        legend = VGroup()
        for shown, fill, opacity, stroke, key in entries:
            if shown:
                swatch = Square(0.26, stroke_color=stroke, stroke_width=3).set_fill(fill, opacity)
                words = label(self.tr(LEGEND[key]), th.muted, 18)
                legend.add(VGroup(swatch, words).arrange(RIGHT, buff=0.12))
        if len(legend):
            legend.arrange(RIGHT, buff=0.45).move_to([self.input_grid.cells.get_x(), LEGEND_Y, 0])
            clamp_x(fit_width(legend), -6.9)
        return legend

    def get_marks(self, k: int) -> list:
        """The window over the input, the output cell it fills, and (max) the maximum."""
        sw, grid, th = self.swept, self.input_grid, self.theme
        cells = [grid.cell(r, c) for r in sw.tap_rows[k] for c in sw.tap_cols[k]]
        i, j = sw.out_index[k]
        marks = [window_squares(cells, th), highlight_box(self.output_grid.cell(i, j), th)]
        if self.kind == "max":
            row, col = divmod(int(sw.argmax_tap[0, 0, k]), sw.kernel_size[1])
            best = grid.cell(sw.tap_rows[k][row], sw.tap_cols[k][col])
            marks.append(highlight_box(best, th).set_stroke(th.accent, width=5))
        return marks
