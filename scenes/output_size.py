"""The output-size formula, case by case: padding, stride and dilation on a real grid.

The cases are those of Dumoulin & Visin, "A guide to convolution arithmetic for deep
learning" (2016): for each, the padded input, every window position, the output grid and
``⌊(H + 2P − D·(K−1) − 1) / S⌋ + 1`` with the case's numbers. Render:

    manim render -ql scenes/output_size.py OutputSizes        # the eight cases
    manim render -ql scenes/output_size.py OutputSizeCase     # one case (class attributes)
    convanim build output-size --quality low
    convanim build output-size --input "1 2 3 4 5 6; ..." --kernel "1 1 1; 1 1 1; 1 1 1" \\
        --stride 2 --padding 1                                # one case of your own
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    Animation,
    Arrow,
    Create,
    Cross,
    Dot,
    FadeIn,
    FadeOut,
    Mobject,
    Square,
    Text,
    VGroup,
    Write,
    linear,
)

from convcore import ConvTrace, trace_conv2d
from convcore.arithmetic import Coverage, coverage
from scenes.common import FONT, MONO, ConvScene, cell_size, label, title_bar
from scenes.fast import CellGrid, Fade
from scenes.sliding import check_drawable, fmt_pads, fmt_pair
from scenes.textfmt import fmt, shape, size_formula


@dataclass(frozen=True)
class SizeCase:
    """One square convolution of an ``size×size`` input holding 1, 2, …, ``size²``."""

    name: str
    size: int
    kernel: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1


#: Dumoulin & Visin's figures 2.1–2.4, 2.6, 2.7, 2.8 (odd) and 5.1 (dilation), in order.
DUMOULIN_CASES = (
    SizeCase("no padding, unit stride", 4, 3),
    SizeCase("arbitrary padding", 5, 4, padding=2),
    SizeCase('half ("same") padding', 5, 3, padding=1),
    SizeCase("full padding", 5, 3, padding=2),
    SizeCase("no padding, stride 2", 5, 3, stride=2),
    SizeCase("padding 1, stride 2", 5, 3, stride=2, padding=1),
    SizeCase("padding 1, stride 2, odd size", 6, 3, stride=2, padding=1),
    SizeCase("dilation 2", 7, 3, dilation=2),
)
#: The input and kernel of a single case when only some CLI options are given.
DEFAULT_INPUT = np.arange(1.0, 26.0).reshape(5, 5)
DEFAULT_KERNEL = np.ones((3, 3))

TITLE = "Output size of a convolution"
HEAD_Y = 2.68  # the case's heading
GRID_TOP = 1.8  # cells of both grids lie below this …
INPUT_X, INPUT_W = -3.3, 5.8
OUTPUT_X, OUTPUT_W = 3.9, 4.4
#: … and above ``grid_bottom``; the note, the formula and its numbers below: one numbers
#: line when every case is square, one for H and one for W otherwise.
ROWS_SQUARE = {"grid_bottom": -2.0, "note": -2.42, "general": -2.98, "numbers": (-3.55,)}
ROWS_TWO = {"grid_bottom": -1.75, "note": -2.15, "general": -2.6, "numbers": (-3.1, -3.58)}


@dataclass(frozen=True)
class ShownCase:
    """A case as the scene shows it: its heading, its trace and the trace's coverage."""

    name: str
    trace: ConvTrace
    coverage: Coverage


def case_trace(case: SizeCase) -> ConvTrace:
    """The trace of one :class:`SizeCase` (input 1…size², kernel of ones)."""
    x = np.arange(1.0, case.size**2 + 1).reshape(1, 1, case.size, case.size)
    w = np.ones((1, 1, case.kernel, case.kernel))
    return trace_conv2d(x, w, None, case.stride, case.padding, case.dilation)


class Steps(Animation):
    """Call ``func(mobject, alpha)`` every frame, without deep-copying ``mobject`` first
    (``UpdateFromAlphaFunc`` copies it in ``begin``)."""

    def __init__(self, mobject: Mobject, func, **kwargs):
        self.func = func
        kwargs.setdefault("rate_func", linear)
        super().__init__(mobject, **kwargs)

    def create_starting_mobject(self) -> Mobject:
        return self.mobject

    def interpolate_mobject(self, alpha: float) -> None:
        self.func(self.mobject, alpha)


class OutputSizes(ConvScene):
    """Each case: padded input, every window position, the output and the size formula.

    Parameters are class attributes: ``cases`` (a sequence of :class:`SizeCase`), or one
    case of your own given by any of ``input_matrix``, ``kernel_matrix``, ``stride``,
    ``padding`` and ``dilation`` (unset ones default to a 5×5 input 1..25, a 3×3 kernel,
    stride 1, no padding, dilation 1).
    """

    cases = DUMOULIN_CASES
    input_matrix = None
    kernel_matrix = None
    stride = None
    padding = None
    dilation = None
    sweep_time = 3.2  # seconds to step the window through every position of a case
    first_step_time = 0.6  # seconds per position in the first case
    single_sweep_time = 14.0  # seconds for the sweep when only one case is shown
    title_text = TITLE

    @classmethod
    def user_case(cls) -> bool:
        """Whether any single-case parameter is set (then only that case is shown)."""
        params = (cls.input_matrix, cls.kernel_matrix, cls.stride, cls.padding, cls.dilation)
        return any(p is not None for p in params)

    @classmethod
    def make_trace(cls) -> list[ShownCase]:
        """The cases this scene draws (raises ``ValueError`` on unusable parameters)."""
        if cls.user_case():
            shown = [("your case", cls.single_trace())]
        else:
            if not cls.cases:
                raise ValueError("cases is empty: give at least one SizeCase")
            shown = [(c.name, case_trace(c)) for c in cls.cases]
        for _, trace in shown:
            check_drawable(trace)
        return [ShownCase(name, t, coverage(t)) for name, t in shown]

    @classmethod
    def single_trace(cls) -> ConvTrace:
        """The trace of the user's case (unset parameters take the defaults)."""
        x = DEFAULT_INPUT if cls.input_matrix is None else np.asarray(cls.input_matrix)
        k = DEFAULT_KERNEL if cls.kernel_matrix is None else np.asarray(cls.kernel_matrix)
        if x.ndim != 2 or k.ndim != 2:
            raise ValueError(
                f"the output-size video draws one channel: input and kernel must be 2-D, "
                f"got input {x.shape} and kernel {k.shape}"
            )
        params = [cls.stride, cls.padding, cls.dilation]
        stride, padding, dilation = (
            d if p is None else p for p, d in zip(params, (1, 0, 1), strict=True)
        )
        return trace_conv2d(x[None, None], k[None, None], None, stride, padding, dilation)

    def setup(self):
        super().setup()
        self.shown = self.make_trace()
        square = all(c.trace.size_h == c.trace.size_w for c in self.shown)
        self.rows = ROWS_SQUARE if square else ROWS_TWO
        self.text_bank: dict[str, Text] = {}
        self.shown_cases: list[VGroup] = []

    def construct(self):
        self.show_intro()
        for index, case in enumerate(self.shown):
            self.cue(self.case_cue(index, case))
            self.show_case(index, case)
        if len(self.shown) > 1:
            self.show_summary()
        else:
            self.show_single_result(self.shown[0])

    # -- beats -------------------------------------------------------------------------

    def show_intro(self):
        th = self.theme
        subtitle = self.tr(
            "the cases of Dumoulin & Visin, “A guide to convolution arithmetic for deep learning”"
            if not self.user_case()
            else "your case"
        )
        self.title = title_bar(self.tr(self.title_text), th, subtitle)
        general, _ = size_formula(self.shown[0].trace.size_h, "H")
        formula = label(general, th.text, 36)
        legend = VGroup(
            label(
                self.tr("H: input size   P: padding on each side   K: kernel size"), th.muted, 24
            ),
            label(self.tr("D: dilation   S: stride   ⌊ ⌋: round down"), th.muted, 24),
        ).arrange(DOWN, buff=0.15)
        self.cue(self.tr("Output size: {lines}", lines=general))
        VGroup(formula, legend).arrange(DOWN, buff=0.5).move_to([0, 0.2, 0])
        self.play(FadeIn(self.title), run_time=0.8)
        self.play(Write(formula), run_time=1.5)
        self.play(FadeIn(legend), run_time=0.6)
        self.wait(1.5 if len(self.shown) > 1 else 3.5)
        self.general = label(general, th.muted, 24).move_to([0, self.rows["general"], 0])
        short = title_bar(self.tr(self.title_text), th)
        self.play(
            FadeOut(legend),
            FadeOut(self.title[1]),
            self.title[0].animate.move_to(short[0]),
            formula.animate.become(self.general),
            run_time=1,
        )
        self.remove(formula)
        self.add(self.general)

    def show_case(self, index: int, case: ShownCase):
        first = index == 0
        static = self.get_static(index, case)
        self.play(Fade(static), run_time=1.0 if first else 0.6)
        if first:
            self.wait(1)
        sweep = self.get_sweep(case, static)
        self.shown_cases.append(static)  # what each case showed (tests read the Texts)
        steps = case.trace.n_steps
        run_time = steps * self.first_step_time if first else self.sweep_time
        if len(self.shown) == 1:  # one case: take the time to follow every position
            run_time = steps * float(np.clip(self.single_sweep_time / steps, 0.3, 1.2))
        self.add(sweep)
        self.play(Steps(sweep, lambda m, a: self.set_step(case, m, a)), run_time=run_time)
        window = VGroup(sweep.window, sweep.out_box)
        sweep.remove(sweep.window, sweep.out_box)
        self.add(window)
        self.play(Fade(window, False), run_time=0.3)
        extra = self.mark_unvisited(case, static)
        self.wait(1.6 if first else 1.2)
        self.play(Fade(static, False), Fade(sweep, False), *extra, run_time=0.5)

    def mark_unvisited(self, case: ShownCase, static: VGroup) -> list:
        """Cross out the cells no window visits; return the fade-outs for them."""
        cov = case.coverage
        if not cov.n_unvisited:
            return []
        grid = static.input_grid
        crosses = VGroup(
            *(
                Cross(grid.cell(r, c), stroke_color=self.theme.accent, stroke_width=4).scale(0.7)
                for r, c in np.argwhere(cov.unvisited)
            )
        )
        note = self.get_unvisited_note(case)
        static.crosses, static.unvisited_note = crosses, note
        self.cue(note.original_text)
        self.remove(static.note)
        self.play(Create(crosses), Fade(note), run_time=1.2)
        self.wait(1.2)
        return [Fade(crosses, False), Fade(note, False)]

    def show_single_result(self, case: ShownCase):
        """One case: its grids once more, with the output size said in words."""
        t = case.trace
        oh, ow = t.out_shape
        static = self.get_static(0, case)
        result = label(
            self.tr(
                "output {shape}: the window fits {rows} times down and {cols} times across",
                shape=shape(oh, ow),
                rows=oh,
                cols=ow,
            ),
            self.theme.output,
            28,
        )
        self.cue(result.original_text)
        if result.width > 13.4:
            result.scale_to_fit_width(13.4)
        result.move_to([0, self.rows["note"], 0])
        static.remove(static.note)
        self.play(Fade(static), Fade(result), run_time=0.8)
        self.wait(4.5)

    def show_summary(self):
        table = self.get_summary()
        self.cue(
            self.tr(
                "Output sizes of the {n} cases: {sizes}",
                n=len(self.shown),
                sizes=self.tr(", ").join(shape(*c.trace.out_shape) for c in self.shown),
            )
        )
        self.play(FadeOut(self.general), FadeIn(table), run_time=1)
        self.wait(3)

    # -- updater -----------------------------------------------------------------------

    def set_step(self, case: ShownCase, sweep: VGroup, alpha: float) -> None:
        """Show the window at position ``⌊alpha·L⌋``, dots and output cells up to it."""
        t = case.trace
        k = min(int(alpha * t.n_steps), t.n_steps - 1)
        grid = sweep.input_grid
        kw = t.tap_cols.shape[1]
        for n, sq in enumerate(sweep.window):
            sq.move_to(grid.cell(t.tap_rows[k, n // kw], t.tap_cols[k, n % kw]))
        sweep.out_box.move_to(sweep.fills[k])
        for n, (dot, fill) in enumerate(zip(sweep.dots, sweep.fills, strict=True)):
            dot.set_opacity(1.0 if n <= k else 0.0)
            fill.set_fill(opacity=0.55 if n <= k else 0.0)

    # -- mobjects from the trace -------------------------------------------------------

    def get_static(self, index: int, case: ShownCase) -> VGroup:
        """Heading, both grids, the arrow, the note and the formula with this case's numbers."""
        t, th = case.trace, self.theme
        heading = label(self.heading_text(index, case), th.text, 28).move_to([0, HEAD_Y, 0])
        if heading.width > 13.6:
            heading.scale_to_fit_width(13.6)
        in_grid, out_grid = self.get_grids(case)
        arrow = Arrow(
            in_grid.cells.get_right(),
            out_grid.cells.get_left(),
            buff=0.25,
            color=th.muted,
            max_tip_length_to_length_ratio=0.2,
        )
        if arrow.get_length() > 1.6:
            arrow.scale(1.6 / arrow.get_length())
        lines = [size_formula(t.size_h, "H")[1]]
        if t.size_w != t.size_h:
            lines.append(size_formula(t.size_w, "W")[1])
        numbers = VGroup()
        for text, y in zip(lines, self.rows["numbers"], strict=False):
            line = label(text, th.text, 28 if len(lines) == 1 else 26)
            if line.width > 13.6:
                line.scale_to_fit_width(13.6)
            numbers.add(line.move_to([0, y, 0]))
        note = label(self.note_text(case), th.muted, 22).move_to([0, self.rows["note"], 0])
        static = VGroup(heading, in_grid, out_grid, arrow, numbers, note)
        static.heading, static.crosses = heading, VGroup()
        static.input_grid, static.output_grid, static.numbers, static.note = (
            in_grid,
            out_grid,
            numbers,
            note,
        )
        return static

    def params_text(self, case: ShownCase) -> str:
        """``6×6 input, kernel 3×3, stride 2, padding 1`` (stride, padding, dilation when
        not 1, 0, 1)."""
        t = case.trace
        h, w = t.x.shape[2:]
        parts = [
            self.tr("{shape} input", shape=shape(h, w)),
            self.tr("kernel {shape}", shape=shape(*t.kernel_size)),
        ]
        if t.stride != (1, 1):
            parts.append(self.tr("stride {stride}", stride=fmt_pair(t.stride)))
        if any(t.pads):
            parts.append(self.tr("padding {padding}", padding=fmt_pads(t.pads)))
        if t.dilation != (1, 1):
            parts.append(self.tr("dilation {dilation}", dilation=fmt_pair(t.dilation)))
        return self.tr(", ").join(parts)

    def heading_text(self, index: int, case: ShownCase) -> str:
        prefix = f"{index + 1}/{len(self.shown)} · " if len(self.shown) > 1 else ""
        name = self.tr("{name}: {params}", name=self.tr(case.name), params=self.params_text(case))
        return prefix + name

    def case_cue(self, index: int, case: ShownCase) -> str:
        """The caption of a case: its parameters, output size and formula with numbers."""
        t = case.trace
        lines = [size_formula(t.size_h, "H")[1]]
        if t.size_w != t.size_h:
            lines.append(size_formula(t.size_w, "W")[1])
        if len(self.shown) > 1:
            name = self.tr("Case {n}/{total}", n=index + 1, total=len(self.shown))
        else:
            name = self.tr("Your case")
        return self.tr(
            "{case}: {params} → output {shape}; {formula}",
            case=name,
            params=self.params_text(case),
            shape=shape(*t.out_shape),
            formula="; ".join(lines),
        )

    def note_text(self, case: ShownCase) -> str:
        t = case.trace
        if t.dilation != (1, 1):
            return self.tr(
                "window {shape} reaching {reach} cells: {n} positions (dots: top-left taps)",
                shape=shape(*t.kernel_size),
                reach=shape(t.size_h.reach, t.size_w.reach),
                n=t.n_steps,
            )
        return self.tr(
            "window {shape}: {n} positions (dots: top-left taps)",
            shape=shape(*t.kernel_size),
            n=t.n_steps,
        )

    def get_unvisited_note(self, case: ShownCase) -> Text:
        """Why cells are crossed out: the floor drops trailing rows/columns, or taps skip."""
        t, cov = case.trace, case.coverage
        parts = []
        if cov.rows_after:
            rows = cov.rows_after
            parts.append(self.tr("last row") if rows == 1 else self.tr("last {n} rows", n=rows))
        if cov.cols_after:
            cols = cov.cols_after
            parts.append(
                self.tr("last column") if cols == 1 else self.tr("last {n} columns", n=cols)
            )
        if parts:
            s = t.size_h if cov.rows_after else t.size_w
            text = self.tr(
                "⌊{numerator} / {stride}⌋ rounds down: the {parts} never under the window (✕)",
                numerator=s.numerator,
                stride=s.stride,
                parts=parts[0]
                if len(parts) == 1
                else self.tr("{a} and {b}", a=parts[0], b=parts[1]),
            )
        else:
            text = self.tr(
                "{n} cells between the windows' taps, never visited (✕)", n=cov.n_unvisited
            )
        note = label(text, self.theme.accent, 22)
        if note.width > 13.4:
            note.scale_to_fit_width(13.4)
        return note.move_to([0, self.rows["note"], 0])

    def number_texts(self, values: np.ndarray) -> list[Text]:
        """One Text per value, each distinct string built once per scene and copied."""
        bank = self.text_bank
        out = []
        for v in np.ravel(values):
            text = fmt(v)
            if text not in bank:
                bank[text] = Text(text, font=FONT, font_size=24, color=self.theme.text)
            out.append(bank[text].copy())
        return out

    def get_grids(self, case: ShownCase) -> tuple[CellGrid, CellGrid]:
        t, th = case.trace, self.theme
        hp, wp = t.x_padded.shape[2:]
        h, w = t.x.shape[2:]
        oh, ow = t.out_shape
        in_title = self.tr("input {shape}", shape=shape(h, w))
        if any(t.pads):
            in_title = self.tr(
                "input {shape}, padded to {padded} (grey: zeros)",
                shape=shape(h, w),
                padded=shape(hp, wp),
            )
        height = GRID_TOP - self.rows["grid_bottom"]
        centre_y = (GRID_TOP + self.rows["grid_bottom"]) / 2
        values = t.x_padded[0, 0]
        in_cell = cell_size(hp, wp, INPUT_W, height, 0.8)
        in_grid = CellGrid(values, in_title, th.input, th, in_cell, t.pad_mask, 24)
        in_grid.add(in_grid.copy_numbers(self.number_texts(values)))
        out_cell = cell_size(oh, ow, OUTPUT_W, height, 0.8)
        out_title = self.tr("output {shape}", shape=shape(oh, ow))
        out_grid = CellGrid(t.out[0, 0], out_title, th.output, th, out_cell, None, 24)
        in_grid.place(INPUT_X, centre_y)
        out_grid.place(OUTPUT_X, centre_y)
        for grid in (in_grid, out_grid):
            if grid.title.width > grid.cells.width + 1.4:
                grid.title.scale_to_fit_width(grid.cells.width + 1.4)
        return in_grid, out_grid

    def get_sweep(self, case: ShownCase, static: VGroup) -> VGroup:
        """The origin dots, output fills, the window's taps and the output box (hidden)."""
        t, th = case.trace, self.theme
        in_grid, out_grid = static.input_grid, static.output_grid
        size = in_grid.cell_size
        window = VGroup(
            *(
                Square(size, stroke_color=th.highlight, stroke_width=5).set_fill(
                    th.highlight, opacity=0.25
                )
                for _ in range(t.tap_rows.shape[1] * t.tap_cols.shape[1])
            )
        )
        out_box = Square(out_grid.cell_size, stroke_color=th.highlight, stroke_width=6)
        fills = VGroup()
        dots = VGroup()
        for k in range(t.n_steps):
            i, j = t.out_index[k]
            fill = out_grid.cell(i, j).copy().set_stroke(width=0)
            fills.add(fill.set_fill(th.output, opacity=0.0))
            r, c = t.origins[k]
            corner = in_grid.cell(r, c).get_corner(UL) + np.array([1, -1, 0]) * 0.16 * size
            dots.add(Dot(corner, radius=0.055 * size / 0.45 + 0.01, color=th.highlight))
        for dot in dots:
            dot.set_opacity(0.0)
        sweep = VGroup(dots, fills, window, out_box)
        sweep.window, sweep.out_box, sweep.fills, sweep.dots = window, out_box, fills, dots
        sweep.input_grid = in_grid
        return sweep

    def get_summary(self) -> VGroup:
        """A table of every case: its name and numbers (one monospace Text per row) and its
        output size.

        A row is one Text so that the name and the numbers share a baseline; the numbers'
        glyphs are then moved into common columns (a Chinese name is wider than its count
        of monospace characters).
        """
        th = self.theme
        rows = [[self.tr("case"), "H", "K", "S", "P", "D"]]
        outs = ["H_out"]
        for case in self.shown:
            s = case.trace.size_h
            pad = fmt_pads(case.trace.pads)
            rows.append(
                [
                    self.tr(case.name),
                    str(s.size),
                    str(s.kernel),
                    str(s.stride),
                    pad,
                    str(s.dilation),
                ]
            )
            outs.append(str(s.out))
        widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
        table = VGroup()
        for r, (row, out) in enumerate(zip(rows, outs, strict=True)):
            numbers = "  ".join(row[c].rjust(widths[c] + 1) for c in range(1, len(row)))
            color = th.muted if r == 0 else th.text
            left = Text(f"{row[0]}  {numbers}", font=MONO, font_size=24, color=color)
            left.move_to([-6.0, 2.1 - 0.52 * r, 0], aligned_edge=LEFT)
            left.name_glyphs = len("".join(row[0].split()))
            right = Text(out, font=MONO, font_size=24, color=th.muted if r == 0 else th.output)
            table.add(left, right)
        lefts, rights = table[0::2], table[1::2]
        column_end = max(left[-1].get_right()[0] for left in lefts)
        for left, right in zip(lefts, rights, strict=True):
            VGroup(*left[left.name_glyphs :]).shift((column_end - left[-1].get_right()[0]) * RIGHT)
            right.next_to([column_end, 0, 0], RIGHT, buff=0.6).align_to(left[-1], UP)
        right_edge = max(m.get_right()[0] for m in rights)
        for right in rights:
            right.align_to([right_edge, 0, 0], RIGHT)
        self.summary_rows = list(zip(lefts, rights, strict=True))
        return table.move_to([0, -0.5, 0])


class OutputSizeCase(OutputSizes):
    """One case: a 6×6 input, 3×3 kernel, stride 2, padding 1 (set the attributes to vary)."""

    input_matrix = np.arange(1.0, 37.0).reshape(6, 6)
    stride = 2
    padding = 1
