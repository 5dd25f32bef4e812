"""The kernel sliding over the input, position by position, with every product and sum.

Render the article's example (5×5 input 1..25, 3×3 kernel 1..9 → 411 … 951):

    manim render -ql scenes/sliding.py SlidingWindow
    convanim build sliding --quality low            # same, into media/sliding.mp4
    convanim build sliding --input "1 2 0; 0 1 2; 2 0 1" --kernel "1 0; 0 1" --padding 1
"""

from __future__ import annotations

from manim import DL, DOWN, LEFT, RIGHT, UP, Create, Indicate, Square, Text, VGroup

from convcore import conv2d_direct
from scenes.kit.anim import Fade, Fly, Glide, Type, fade_out
from scenes.kit.code import CodePanel
from scenes.kit.fmt import (
    conv_settings,
    equation,
    fmt,
    fmt_pair,
    product_terms,
    shape,
    size_formula,
)
from scenes.kit.grid import Grid, cell_size, highlight_box
from scenes.kit.scene import ConvScene, beat
from scenes.kit.text import caption as make_caption
from scenes.kit.text import label, title_bar, wrap_terms
from scenes.kit.theme import FONT
from scenes.specs.sliding import SPEC

GRID_Y = 0.2  # centre line of the three grids
EQUATION_Y = -2.35
CAPTION_Y = -3.62
BOARD_SCALE = 0.68  # the grids' size while the code is on screen


class SlidingWindow(ConvScene):
    """The kernel slides over the input; each position's products sum into one output cell."""

    spec = SPEC
    slow_steps = 2  # positions shown slowly, term by term
    fast_drawing = True  # the kit's camera and renderer (scenes.kit.scene.ConvScene)
    title_text = "Convolution: the sliding window"

    def construct(self):
        self.show_title()
        self.show_grids()
        self.explain_output_size()
        code_from = min(self.slow_steps, self.trace.n_steps - 1)
        for k in range(self.trace.n_steps):
            if k == code_from:
                self.show_code()
            self.compute_position(k, slow=k < self.slow_steps, detailed=k == code_from)
        self.conclude()

    # -- beats -------------------------------------------------------------------------

    @beat
    def show_title(self):
        t = self.trace
        params = conv_settings(self.tr, t)
        self.title = title_bar(
            self.tr(self.title_text),
            self.theme,
            self.tr("cross-correlation, as in PyTorch's Conv2d · {params}", params=params),
        )
        self.play(Fade(self.title), run_time=0.8)
        self.cue(
            self.tr(
                "The sliding window: a {kernel} kernel over a {input} input ({params}).",
                kernel=shape(*t.kernel_size),
                input=shape(*t.x.shape[2:]),
                params=params,
            )
        )

    @beat
    def show_grids(self):
        self.input_grid, self.kernel_grid, self.output_grid = self.get_grids()
        star = Text("⋆", font=FONT, font_size=60, color=self.theme.text)
        equals = Text("=", font=FONT, font_size=48, color=self.theme.text)
        star.move_to((self.input_grid.cells.get_right() + self.kernel_grid.cells.get_left()) / 2)
        equals.move_to((self.kernel_grid.cells.get_right() + self.output_grid.cells.get_left()) / 2)
        self.board = VGroup(self.input_grid, star, self.kernel_grid, equals, self.output_grid)
        self.board_home = self.board.get_center()
        self.play(
            Fade(self.input_grid),
            Fade(self.kernel_grid),
            Create(self.output_grid),
            Fade(star),
            Fade(equals),
            run_time=1.5,
        )
        self.wait(1)

    @beat
    def explain_output_size(self):
        t = self.trace
        general, h_line = size_formula(t.size_h, "H")
        lines = [general, h_line]
        if t.size_w != t.size_h:
            lines.append(size_formula(t.size_w, "W")[1])
        formula = VGroup(*(label(s, self.theme.text, 28) for s in lines))
        formula.arrange(DOWN, buff=0.2).move_to([0, EQUATION_Y, 0])
        if formula.width > 13.4:
            formula.scale_to_fit_width(13.4)
        self.cue(self.tr("Output size: {lines}", lines="; ".join(lines[1:])))
        self.play(Type(formula[0]), run_time=1.2)
        self.play(Fade(formula[1:], shift=0.2 * DOWN), run_time=1)
        self.wait(2.5)
        caption = make_caption("    ".join(lines[1:]), self.theme, 20)
        caption.move_to([0, CAPTION_Y, 0])
        self.play(Fade(formula, fade_in=False), Fade(caption), run_time=0.8)
        self.caption = caption

    @beat
    def show_code(self):
        """Shrink the grids to the top and show convcore's direct loop below them."""
        shown = [n for n in self.output_grid.numbers if n in self.mobjects]
        hidden = [n for n in self.output_grid.numbers if n not in self.mobjects]
        boxes = [getattr(self, n) for n in ("window", "kernel_box", "out_box") if hasattr(self, n)]
        if hasattr(self, "equation"):
            self.play(Fade(self.equation, fade_in=False), run_time=0.4)
            del self.equation
        self.code = CodePanel(
            conv2d_direct, self.theme, font_size=14, first="out = np.zeros(", last="return _finish"
        )
        self.code.to_corner(DL, buff=0.25)
        self.marker = self.code.line_marker(0)
        # the board scaled about its centre, its top 0.2 under the title (no copy made)
        centre, half = self.board.get_center(), BOARD_SCALE * self.board.height / 2
        top = self.title.get_bottom() + 0.2 * DOWN
        shift = top + half * DOWN - centre
        for number in hidden:  # not on screen yet: move them without animating them
            number.scale(BOARD_SCALE, about_point=centre).shift(shift)
        caption = make_caption(self.caption.original_text, self.theme, 18)
        caption.move_to([0, top[1] - 2 * half - 0.25, 0])
        self.play(
            Glide(*self.board, *shown, *boxes, scale=BOARD_SCALE, about_point=centre, shift=shift),
            Fade(self.caption, fade_in=False),
            run_time=1,
        )
        self.caption = caption
        note = label(
            self.tr("the same loop in convcore (convcore.functional.conv2d_direct):"),
            self.theme.muted,
            20,
        ).next_to(self.code, UP, buff=0.12, aligned_edge=LEFT)
        self.play(Fade(self.code), Fade(note), Fade(self.marker), Fade(caption), run_time=1)
        self.code_note = note
        self.code_mode = True

    def move_marker(self, snippet: str, run_time: float = 0.5, *animations):
        target = self.code.line_marker(self.code.line_index(snippet))
        self.bring_to_front(self.marker)  # drawn last: only what moves is redrawn each frame
        self.play(Glide(self.marker, to=target), *animations, run_time=run_time)

    @beat
    def compute_position(self, k: int, slow: bool, detailed: bool = False):
        t = self.trace
        i, j = t.out_index[k]
        window = self.get_window(k)
        out_box = self.output_grid.cell(i, j).copy().set_fill(opacity=0)
        out_box.set_stroke(self.theme.highlight, width=6)
        eq, result = self.get_equation(k)
        code = getattr(self, "code_mode", False)
        self.cue(
            self.tr("Position ({i}, {j}): {equation}", i=i, j=j, equation=self.equation_text(k))
        )
        if code and detailed:
            for snippet in ("for i in range", "for j in range", "rows = slice", "cols = slice"):
                self.move_marker(snippet)
        if hasattr(self, "window"):  # slide (drawn last: only they are redrawn each frame)
            self.bring_to_front(self.window, self.out_box)
            moves = [Glide(self.window, to=window), Glide(self.out_box, to=out_box)]
        else:
            self.window, self.out_box = window, out_box
            self.kernel_box = highlight_box(self.kernel_grid.cells, self.theme)
            moves = [Create(window), Create(self.kernel_box), Create(out_box)]
        if code:
            self.move_marker("window = x[", 0.8 if slow or detailed else 0.35, *moves)
        else:
            self.play(*moves, run_time=1 if k == 0 else 0.8 if slow else 0.35)
        if hasattr(self, "equation"):  # the previous sum stays until this one replaces it
            self.remove(self.equation, *self.equation)
        self.equation = VGroup(eq, result)
        number = self.output_grid.number(i, j)
        land = Fly(number, [number], [result])  # from the result to its cell
        if slow or detailed:
            self.play(Type(eq), run_time=2.5 if slow else 1.5)
            self.play(Fade(result, scale=1.4), run_time=0.6)
            self.remove(eq, result)
            self.add(self.equation)  # one group on screen, removed as one
            if code:
                self.move_marker("out[n, o, i, j] =", 1, land)
            else:
                self.play(land, run_time=1)
            self.wait(0.6)
        else:
            self.add(self.equation)
            if code:
                self.move_marker("out[n, o, i, j] =", 0.45, land)
            else:
                self.play(land, run_time=0.45)
            self.wait(0.35)

    @beat
    def conclude(self):
        self.play(
            *fade_out(
                self.window,
                self.kernel_box,
                self.out_box,
                self.equation,
                self.code,
                self.marker,
                self.code_note,
            ),
            run_time=0.6,
        )
        board = VGroup(*self.board, self.output_grid.numbers)
        caption = make_caption(self.caption.original_text, self.theme, 20)
        caption.move_to([0, CAPTION_Y, 0])
        self.play(
            Glide(*board, scale=1 / BOARD_SCALE, to=self.board_home),
            Fade(self.caption, fade_in=False),
            Fade(caption),
            run_time=1,
        )
        t = self.trace
        summary = label(
            self.tr(
                "{n} window positions → {n} output values, each a sum of {m} products",
                n=t.n_steps,
                m=t.products[0, 0, 0].size,
            ),
            self.theme.text,
            28,
        ).move_to([0, EQUATION_Y, 0])
        self.cue(summary.original_text + ".")
        self.play(
            Fade(summary), Indicate(self.output_grid.cells, color=self.theme.output), run_time=1.5
        )
        self.wait(2)

    # -- mobjects from the trace --------------------------------------------------------

    def get_grids(self) -> tuple[Grid, Grid, Grid]:
        t, th = self.trace, self.theme
        hp, wp = t.x_padded.shape[2:]
        h, w = t.x.shape[2:]
        kh, kw = t.kernel_size
        oh, ow = t.out_shape
        in_title = self.tr("input {shape}", shape=shape(h, w))
        if any(t.pads):
            in_title = self.tr(
                "input {shape} padded to {padded}", shape=shape(h, w), padded=shape(hp, wp)
            )
        k_title = self.tr("kernel {shape}", shape=shape(kh, kw))
        if t.dilation != (1, 1):
            k_title = self.tr(
                "kernel {shape}, dilation {dilation}",
                shape=shape(kh, kw),
                dilation=fmt_pair(t.dilation),
            )
        grids = (
            Grid(
                t.x_padded[0, 0],
                in_title,
                th.input,
                th,
                cell_size(hp, wp, 5.2, 3.2),
                mask=t.pad_mask,
                show_numbers=True,
                title_size=26,
                title_buff=0.25,
            ),
            Grid(
                t.weight[0, 0],
                k_title,
                th.kernel,
                th,
                cell_size(kh, kw, 3.0, 3.2),
                show_numbers=True,
                title_size=26,
                title_buff=0.25,
            ),
            Grid(
                t.out[0, 0],
                self.tr("output {shape}", shape=shape(oh, ow)),
                th.output,
                th,
                cell_size(oh, ow, 3.6, 3.2),
                title_size=26,
                title_buff=0.25,
            ),
        )
        grids[2].numbers_for([[fmt(v) for v in row] for row in t.out[0, 0]])
        widths = [g.width for g in grids]
        gap = (13.4 - sum(widths)) / 2
        x = -6.7
        for g, width in zip(grids, widths, strict=True):
            g.place(x + width / 2, GRID_Y)
            x += width + gap
        return grids

    def equation_text(self, k: int) -> str:
        """``1·1 + 2·2 + … = 411`` for step ``k``, from the trace."""
        t = self.trace
        terms = product_terms(t.windows[0, k, 0], t.weight[0, 0])
        bias = t.bias[0] if t.has_bias else None
        return equation(terms, bias, t.values[0, 0, k], self.tr("bias"))

    def get_window(self, k: int) -> VGroup:
        """Highlighted squares over the input cells that the kernel covers at step ``k``."""
        t, grid = self.trace, self.input_grid
        squares = VGroup()
        for r in t.tap_rows[k]:
            for c in t.tap_cols[k]:
                cell = grid.cell(r, c)
                sq = Square(cell.width, stroke_color=self.theme.highlight, stroke_width=5)
                squares.add(sq.set_fill(self.theme.highlight, opacity=0.22).move_to(cell))
        return squares

    def get_equation(self, k: int) -> tuple[VGroup, Text]:
        """``out[i, j] = w·k + … =`` and the value, as two Texts side by side."""
        t = self.trace
        i, j = t.out_index[k]
        text = self.equation_text(k)
        lhs_text = f"out[{i}, {j}] = " + text[: text.rindex("=") + 1]
        code = getattr(self, "code_mode", False)
        chars, size, width, height = (34, 24, 0, 3.0) if code else (66, 30, 13.2, 1.7)
        if code:
            width = 6.85 - self.code.get_right()[0] - 0.35
        eq = VGroup(*(label(line, self.theme.text, size) for line in wrap_terms(lhs_text, chars)))
        if code:
            eq.add_to_back(label(f"i = {i}, j = {j}", self.theme.muted, size))
        eq.arrange(DOWN, buff=0.18, aligned_edge=LEFT)
        result = Text(
            fmt(t.values[0, 0, k]),
            font=FONT,
            font_size=size + 4,
            color=self.theme.output,
            weight="BOLD",
        )
        result.next_to(eq[-1], RIGHT, buff=0.2)
        group = VGroup(eq, result)
        if group.width > width:
            group.scale_to_fit_width(width)
        if group.height > height:
            group.scale_to_fit_height(height)
        if code:
            group.next_to(self.code, RIGHT, buff=0.35)
        else:
            group.move_to([0, EQUATION_Y, 0])
        return eq, result
