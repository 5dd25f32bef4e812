"""The output-size formula, case by case: padding, stride and dilation on a real grid.

The cases are those of Dumoulin & Visin, "A guide to convolution arithmetic for deep
learning" (2016): for each, the padded input, every window position, the output grid and
``⌊(H + 2P − D·(K−1) − 1) / S⌋ + 1`` with the case's numbers. Render:

    manim render -ql scenes/output_size.py OutputSizes        # the eight cases
    convanim build output-size --quality low
    convanim build output-size --input "1 2 3 4 5 6; ..." --kernel "1 1 1; 1 1 1; 1 1 1" \\
        --stride 2 --padding 1                                # one case of your own
"""

from __future__ import annotations

from manim import (
    DOWN,
    RIGHT,
    UL,
    Arrow,
    Create,
    Cross,
    Dot,
    Square,
    VGroup,
    VMobject,
    Write,
)

from convcore.arithmetic import CaseTrace
from scenes.kit.anim import Fade, Fly, Steps, fade_out
from scenes.kit.fmt import fmt, fmt_pads, fmt_pair, shape, size_formula
from scenes.kit.grid import Grid, cell_size, merged
from scenes.kit.scene import ConvScene, beat
from scenes.kit.text import TextCache, fit_width, glyph_table, label, title_bar
from scenes.specs.output_size import SPEC, user_case

TITLE = "Output size of a convolution"
SOURCE = "the cases of Dumoulin & Visin, “A guide to convolution arithmetic for deep learning”"
LEGEND = (
    "H: input size   P: padding on each side   K: kernel size",
    "D: dilation   S: stride   ⌊ ⌋: round down",
)
HEAD_Y = 2.68  # the case's heading
GRID_TOP = 1.8  # cells of both grids lie below this …
INPUT_X, INPUT_W = -3.3, 5.8
OUTPUT_X, OUTPUT_W = 3.9, 4.4
#: … and above ``grid_bottom``; the note, the formula and its numbers below: one numbers
#: line when every case is square, one for H and one for W otherwise.
ROWS_SQUARE = {"grid_bottom": -2.0, "note": -2.42, "general": -2.98, "numbers": (-3.55,)}
ROWS_TWO = {"grid_bottom": -1.75, "note": -2.15, "general": -2.6, "numbers": (-3.1, -3.58)}


class OutputSizes(ConvScene):
    """Each case: padded input, every window position, the output and the size formula.

    ``self.trace`` holds the cases (:class:`convcore.arithmetic.CaseTrace`); ``boards``
    the mobjects of each, built in ``setup``.
    """

    spec = SPEC
    sweep_time = 3.2  # seconds to step the window through every position of a case
    first_step_time = 0.6  # seconds per position in the first case
    single_sweep_time = 14.0  # seconds for the sweep when only one case is shown
    title_text = TITLE

    def setup(self):
        super().setup()
        self.cases, self.texts = self.trace, TextCache()
        square = all(c.trace.size_h == c.trace.size_w for c in self.cases)
        self.rows = ROWS_SQUARE if square else ROWS_TWO
        self.boards = [self.get_board(n, case) for n, case in enumerate(self.cases)]

    def construct(self):
        self.show_intro()
        for board in self.boards:
            self.cue(board.cue)
            self.show_case(board)
        if len(self.cases) > 1:
            self.show_summary()
        else:
            self.show_single_result(self.boards[0])

    # -- beats -------------------------------------------------------------------------

    @beat
    def show_intro(self):
        th = self.theme
        mine = user_case(self.values)
        subtitle = "your case" if mine else SOURCE
        self.title = title_bar(self.tr(self.title_text), th, self.tr(subtitle))
        general, _ = size_formula(self.cases[0].trace.size_h, "H")
        formula = label(general, th.text, 36)
        legend = VGroup(*(label(self.tr(line), th.muted, 24) for line in LEGEND))
        legend.arrange(DOWN, buff=0.15)
        self.cue(self.tr("Output size: {lines}", lines=general))
        VGroup(formula, legend).arrange(DOWN, buff=0.5).move_to([0, 0.2, 0])
        self.play(Fade(self.title), run_time=0.8)
        self.play(Write(formula), run_time=1.5)
        self.play(Fade(legend), run_time=0.6)
        self.wait(3.5 if mine else 1.5)
        # the formula moves down under the cases (the title's top stays at the edge)
        self.general = label(general, th.muted, 24).move_to([0, self.rows["general"], 0])
        self.play(*fade_out(legend, self.title[1]), run_time=0.4)
        self.remove(formula)
        self.play(Fly(self.general, [self.general], [formula]), run_time=0.8)

    @beat
    def show_case(self, board: VGroup):
        t, first = board.case.trace, board.index == 0
        self.play(Fade(board), run_time=1.0 if first else 0.6)
        if first:
            self.wait(1)
        run_time = t.n_steps * self.first_step_time if first else self.sweep_time
        if len(self.cases) == 1:  # one case: take the time to follow every position
            run_time = t.n_steps * min(max(self.single_sweep_time / t.n_steps, 0.3), 1.2)
        sweep = board.sweep
        self.add(sweep)
        self.play(Steps(sweep, self.set_step), run_time=run_time)
        window = VGroup(sweep.window, sweep.out_box)
        sweep.remove(*window)
        self.add(window)
        self.play(Fade(window, False), run_time=0.3)
        extra = self.mark_unvisited(board)
        self.wait(1.6 if first else 1.2)
        self.play(Fade(board, False), Fade(sweep, False), *extra, run_time=0.5)

    def mark_unvisited(self, board: VGroup) -> list:
        """Cross out the cells no window visits; return the fade-outs for them."""
        if not len(board.crosses):
            return []
        self.cue(board.unvisited_note.original_text)
        board.remove(board.note)
        self.play(Create(board.crosses), Fade(board.unvisited_note), run_time=1.2)
        self.wait(1.2)
        return fade_out(board.crosses, board.unvisited_note)

    @beat
    def show_single_result(self, board: VGroup):
        """One case: its grids once more, with the output size said in words."""
        oh, ow = board.case.trace.out_shape
        template = "output {shape}: the window fits {rows} times down and {cols} times across"
        text = self.tr(template, shape=shape(oh, ow), rows=oh, cols=ow)
        result = fit_width(label(text, self.theme.output, 28)).move_to([0, self.rows["note"], 0])
        self.cue(text)
        board.remove(board.note)
        self.play(Fade(board), Fade(result), run_time=0.8)
        self.wait(4.5)

    @beat
    def show_summary(self):
        self.summary = self.get_summary()
        sizes = self.tr(", ").join(shape(*c.trace.out_shape) for c in self.cases)
        self.cue(self.tr("Output sizes of the {n} cases: {sizes}", n=len(self.cases), sizes=sizes))
        self.play(Fade(self.general, False), Fade(self.summary), run_time=1)
        self.wait(3)

    def set_step(self, sweep: VGroup, alpha: float) -> None:
        """Show position ``⌊alpha·L⌋``: its window and output box, dots and fills up to it."""
        k = min(int(alpha * len(sweep.windows)), len(sweep.windows) - 1)
        if k != sweep.k:
            sweep.k = k
            sweep.dots.set_points(merged(sweep.all_dots[: k + 1]).points)
            sweep.fills.set_points(merged(sweep.all_fills[: k + 1]).points)
            sweep.window.set_points(sweep.windows[k].points)
            sweep.out_box.move_to(sweep.all_fills[k])

    # -- mobjects from the trace -------------------------------------------------------

    def get_board(self, index: int, case: CaseTrace) -> VGroup:
        """Heading, both grids, the arrow, the note and the formula with the case's numbers;
        as attributes also its sweep, crosses over unvisited cells and their note."""
        t, th = case.trace, self.theme
        heading = fit_width(label(self.heading_text(index, case), th.text, 28), 13.6)
        in_grid, out_grid = self.get_grids(t)
        ends = in_grid.cells.get_right(), out_grid.cells.get_left()
        arrow = Arrow(*ends, buff=0.25, color=th.muted, max_tip_length_to_length_ratio=0.2)
        arrow.scale(min(1.0, 1.6 / arrow.get_length()))
        lines, size = self.formula_lines(t), 28 if t.size_w == t.size_h else 26
        numbers = VGroup(*(fit_width(label(line, th.text, size), 13.6) for line in lines))
        for line, y in zip(numbers, self.rows["numbers"], strict=False):
            line.move_to([0, y, 0])
        note = label(self.note_text(t), th.muted, 22).move_to([0, self.rows["note"], 0])
        board = VGroup(heading.move_to([0, HEAD_Y, 0]), in_grid, out_grid, arrow, numbers, note)
        board.case, board.index, board.cue = case, index, self.case_cue(index, case)
        board.heading, board.input_grid, board.output_grid = heading, in_grid, out_grid
        board.numbers, board.note = numbers, note
        board.sweep = self.get_sweep(t, in_grid, out_grid)
        unvisited = zip(*case.coverage.unvisited.nonzero(), strict=True)
        crosses = (
            Cross(in_grid.cell(r, c), stroke_color=th.accent, stroke_width=4) for r, c in unvisited
        )
        board.crosses = VGroup(*(cross.scale(0.7) for cross in crosses))
        board.unvisited_note = None
        if len(board.crosses):
            note = fit_width(label(self.unvisited_text(case), th.accent, 22))
            board.unvisited_note = note.move_to([0, self.rows["note"], 0])
        return board

    def formula_lines(self, t) -> list[str]:
        """The formula with this case's numbers: for H, and for W when it differs."""
        lines = [size_formula(t.size_h, "H")[1]]
        if t.size_w != t.size_h:
            lines.append(size_formula(t.size_w, "W")[1])
        return lines

    def params_text(self, t) -> str:
        """``6×6 input, kernel 3×3, stride 2, padding 1`` (stride, padding, dilation when
        not 1, 0, 1)."""
        parts = [
            self.tr("{shape} input", shape=shape(*t.x.shape[2:])),
            self.tr("kernel {shape}", shape=shape(*t.kernel_size)),
        ]
        if t.stride != (1, 1):
            parts.append(self.tr("stride {stride}", stride=fmt_pair(t.stride)))
        if any(t.pads):
            parts.append(self.tr("padding {padding}", padding=fmt_pads(t.pads, self.tr)))
        if t.dilation != (1, 1):
            parts.append(self.tr("dilation {dilation}", dilation=fmt_pair(t.dilation)))
        return self.tr(", ").join(parts)

    def heading_text(self, index: int, case: CaseTrace) -> str:
        prefix = f"{index + 1}/{len(self.cases)} · " if len(self.cases) > 1 else ""
        params = self.params_text(case.trace)
        return prefix + self.tr("{name}: {params}", name=self.tr(case.name), params=params)

    def case_cue(self, index: int, case: CaseTrace) -> str:
        """The caption of a case: its parameters, output size and formula with numbers."""
        if len(self.cases) > 1:
            name = self.tr("Case {n}/{total}", n=index + 1, total=len(self.cases))
        else:
            name = self.tr("Your case")
        return self.tr(
            "{case}: {params} → output {shape}; {formula}",
            case=name,
            params=self.params_text(case.trace),
            shape=shape(*case.trace.out_shape),
            formula="; ".join(self.formula_lines(case.trace)),
        )

    def note_text(self, t) -> str:
        kernel = shape(*t.kernel_size)
        if t.dilation == (1, 1):
            template = "window {shape}: {n} positions (dots: top-left taps)"
            return self.tr(template, shape=kernel, n=t.n_steps)
        reach = shape(t.size_h.reach, t.size_w.reach)
        template = "window {shape} reaching {reach} cells: {n} positions (dots: top-left taps)"
        return self.tr(template, shape=kernel, reach=reach, n=t.n_steps)

    def unvisited_text(self, case: CaseTrace) -> str:
        """Why cells are crossed out: the floor drops trailing rows/columns, or taps skip."""
        cov, tr = case.coverage, self.tr
        parts = []
        if cov.rows_after:
            n = cov.rows_after
            parts.append(tr("last row") if n == 1 else tr("last {n} rows", n=n))
        if cov.cols_after:
            n = cov.cols_after
            parts.append(tr("last column") if n == 1 else tr("last {n} columns", n=n))
        if not parts:
            return tr("{n} cells between the windows' taps, never visited (✕)", n=cov.n_unvisited)
        s = case.trace.size_h if cov.rows_after else case.trace.size_w
        return tr(
            "⌊{numerator} / {stride}⌋ rounds down: the {parts} never under the window (✕)",
            numerator=s.numerator,
            stride=s.stride,
            parts=parts[0] if len(parts) == 1 else tr("{a} and {b}", a=parts[0], b=parts[1]),
        )

    def get_grids(self, t) -> tuple[Grid, Grid]:
        th = self.theme
        (hp, wp), (h, w), (oh, ow) = t.x_padded.shape[2:], t.x.shape[2:], t.out_shape
        in_title = self.tr("input {shape}", shape=shape(h, w))
        if any(t.pads):
            template = "input {shape}, padded to {padded} (grey: zeros)"
            in_title = self.tr(template, shape=shape(h, w), padded=shape(hp, wp))
        out_title = self.tr("output {shape}", shape=shape(oh, ow))
        height = GRID_TOP - self.rows["grid_bottom"]
        centre_y = (GRID_TOP + self.rows["grid_bottom"]) / 2
        values = t.x_padded[0, 0]
        in_cell = cell_size(hp, wp, INPUT_W, height, 0.8)
        in_grid = Grid(values, in_title, th.input, th, in_cell, t.pad_mask, title_size=24)
        sources = [self.texts.original(fmt(v), 24, th.text) for v in values.ravel()]
        in_grid.add(in_grid.copy_numbers(sources))
        out_cell = cell_size(oh, ow, OUTPUT_W, height, 0.8)
        out_grid = Grid(t.out[0, 0], out_title, th.output, th, out_cell, title_size=24)
        in_grid.place(INPUT_X, centre_y)
        out_grid.place(OUTPUT_X, centre_y)
        for grid in (in_grid, out_grid):
            fit_width(grid.title, grid.cells.width + 1.4)
            grid.flatten()
        return in_grid, out_grid

    def get_sweep(self, t, in_grid: Grid, out_grid: Grid) -> VGroup:
        """Paths that :meth:`set_step` sets for each position (the origin dots and output
        cells so far, the window's taps), and the output box; each path is one draw call."""
        th, size = self.theme, in_grid.cell_size
        tap = Square(size, stroke_color=th.highlight, stroke_width=5)
        tap.set_fill(th.highlight, opacity=0.25)
        dot = Dot(radius=0.055 * size / 0.45 + 0.01, color=th.highlight)
        fill = out_grid.cell(0, 0).copy().set_stroke(width=0).set_fill(th.output, opacity=0.55)
        out_box = Square(out_grid.cell_size, stroke_color=th.highlight, stroke_width=6)
        sweep = VGroup(*(VMobject().match_style(m) for m in (dot, fill, tap)), out_box)
        sweep.dots, sweep.fills, sweep.window, sweep.out_box = sweep
        inset = (RIGHT + DOWN) * 0.16 * size
        corners = (in_grid.cell(r, c).get_corner(UL) + inset for r, c in t.origins)
        sweep.all_dots = [dot.copy().move_to(corner) for corner in corners]
        sweep.all_fills = [out_grid.cell(i, j) for i, j in t.out_index]
        sweep.windows = [
            merged([tap.copy().move_to(in_grid.cell(r, c)) for r in rows for c in cols])
            for rows, cols in zip(t.tap_rows, t.tap_cols, strict=True)
        ]
        sweep.k = -1  # the position shown
        return sweep

    def get_summary(self) -> VGroup:
        """A table of every case: its name, H, K, S, P, D and the output size H_out."""
        th = self.theme
        rows = [[self.tr("case"), "H", "K", "S", "P", "D", "H_out"]]
        for case in self.cases:
            s, pads = case.trace.size_h, fmt_pads(case.trace.pads, self.tr)
            numbers = (s.size, s.kernel, s.stride, pads, s.dilation, s.out)
            rows.append([self.tr(case.name), *map(str, numbers)])
        colors = [th.muted] + [th.text] * len(self.cases)
        table = glyph_table(rows, colors, right=[False] + [True] * 6, gap=0.75, buff=0.22)
        for cells in table.cells[1:]:
            cells[-1].set_color(th.output)
        return table.move_to([0, -0.5, 0])
