"""Max and average pooling with every value; then the backward pass: where each gradient goes.

Render conv_arithmetic's numeric pooling example (5×5 input, 3×3 windows, stride 1; max,
then average; the backward pass with ∂L/∂out = all ones, L = the sum of the outputs):

    manim render -ql scenes/pooling.py Pooling
    convanim build pooling --quality low
    convanim build pooling --pool avg --kernel-size 2 --stride 2 --padding 1 --ceil-mode \\
        --no-count-include-pad
"""

from __future__ import annotations

from manim import DOWN, RIGHT, UP, Arrow, Create, VGroup

from convcore import PoolGradientTrace, PoolTrace
from scenes.kit.anim import Blink, Fade, Fly, Glide, Type, fade_out
from scenes.kit.fmt import fmt, fmt_pair, fmt_rows, pool_size_formula, shape
from scenes.kit.grid import (
    Grid,
    cell_size,
    highlight_box,
    merged,
    place_row,
    widest,
    window_squares,
)
from scenes.kit.scene import ConvScene, beat
from scenes.kit.text import TextCache, caption, fit_width, label, note, title_bar, wrapped
from scenes.specs.pooling import SPEC

GRID_TOP, GRID_BOTTOM = 2.05, -1.75  # the cells of every board lie between these
GRID_Y = (GRID_TOP + GRID_BOTTOM) / 2
EQUATION_TOP = -2.0  # the step's equation hangs from here, its note below it
CAPTION_Y = -3.62  # the output-size formula, once explained
NAMES = {"max": "Max pooling", "avg": "Average pooling"}
FORWARD = {
    "max": "{name}: each {shape} window gives its largest value (ties: the first in scan "
    "order, as in PyTorch; padding counts as −∞).",
    "avg": "{name}: each {shape} window gives the sum of its cells over the divisor.",
}
BACKWARD = {
    "max": "Backward, max: each window's gradient goes to where its maximum was; the "
    "window's other cells get 0. ∂L/∂out = all ones (L = the sum of the outputs).",
    "avg": "Backward, average: each window shares its gradient equally, ∂L/∂out / divisor "
    "to each of its cells. ∂L/∂out = all ones (L = the sum of the outputs).",
}
DONE = {
    "max": "∂L/∂x: each window's gradient lands on its max, added up where windows share "
    "a max, 0 elsewhere",
    "avg": "∂L/∂x: every window's share, added up where windows overlap",
}
STEP = {  # one window's gradient
    "max": "∂L/∂out[{i}, {j}] = {g} goes to x[{r}, {c}], the max: "
    "∂L/∂x[{r}, {c}] = {before} + {g} = {after}",
    "avg": "∂L/∂out[{i}, {j}] / {d} = {g} / {d} = {share} to each of the window's input cells",
}
CEIL_DROPPED = (
    "ceil_mode: the last of {ceil} windows would start in the padding (at or past "
    "{size} + {padding}), so it is dropped: {out}"
)
CEIL_OVERHANG = (
    "ceil_mode rounds up: the last window hangs past the input; its cells there never count"
)
DIVISOR = {
    True: "divisor {d}: the window's cells inside the padded input",
    False: "divisor {d}: the window's cells inside the input (count_include_pad=False)",
}


class Pooling(ConvScene):
    """Per mode: the windows sweep (each window's max and where it was, or its sum over the
    divisor), then each window's gradient goes back into ∂L/∂x, accumulating."""

    spec = SPEC
    slow_steps = 2  # windows shown slowly in each sweep
    fast_drawing = True
    title_text = "Pooling: forward and backward"

    def setup(self):
        super().setup()
        self.texts = TextCache()
        self.boards = {}  # (mode, "forward" | "backward") → the board of that beat

    def construct(self):
        self.show_title()
        self.explain_output_size()
        for g in self.trace.passes:
            self.show_forward(g.forward)
            self.show_backward(g)

    # -- beats -------------------------------------------------------------------------

    @beat
    def show_title(self):
        t = self.trace.passes[0].forward
        names = self.tr(", ").join(self.tr(NAMES[m]) for m in self.trace.modes)
        self.title = title_bar(self.tr(self.title_text), self.theme, self.settings(t))
        self.play(Fade(self.title), run_time=0.8)
        self.cue(self.tr("{names}: {settings}.", names=names, settings=self.settings(t)))

    @beat
    def explain_output_size(self):
        t, th = self.trace.passes[0].forward, self.theme
        general, h_line = pool_size_formula(t.size_h, "H")
        lines = [h_line]
        if t.size_w != t.size_h:
            lines.append(pool_size_formula(t.size_w, "W")[1])
        rule = self.ceil_rule(t)
        shown = [label(general, th.text, 30), *(label(s, th.text, 26) for s in lines)]
        shown += [label(rule, th.muted, 22)] if rule else []
        formula = VGroup(*(fit_width(m) for m in shown)).arrange(DOWN, buff=0.25)
        said = [*lines, rule] if rule else lines
        self.cue(self.tr("Output size: {lines}", lines=self.tr("; ").join(said)))
        self.play(Type(formula[0]), run_time=1.2)
        self.play(Fade(formula[1:], shift=0.2 * DOWN), run_time=1)
        self.wait(3.5 if rule else 2.5)
        self.caption = caption("    ".join(lines), th, 20).move_to([0, CAPTION_Y, 0])
        self.play(Fade(formula, fade_in=False), Fade(self.caption), run_time=0.8)

    @beat
    def show_forward(self, t: PoolTrace):
        board = self.boards[t.mode, "forward"] = self.forward_board(t)
        intro = self.tr(FORWARD[t.mode], name=self.tr(NAMES[t.mode]), shape=shape(*t.kernel_size))
        self.cue(intro)
        self.play(Fade(board), self.show_note(board, intro), run_time=1)
        self.wait(2)
        for k in range(t.n_steps):
            self.pool_step(board, t, k, slow=k < self.slow_steps)
        values = fmt_rows(t.out[0, 0])
        self.cue(self.tr("output {shape}: {values}", shape=shape(*t.out_shape), values=values))
        self.play(*fade_out(*board.moving, board.equation), run_time=0.5)
        self.wait(1.5)
        self.play(*fade_out(board, board.out_grid.numbers), run_time=0.6)

    @beat
    def show_backward(self, g: PoolGradientTrace):
        mode = g.forward.mode
        board = self.boards[mode, "backward"] = self.backward_board(g)
        numbers = board.grad_x.numbers
        self.cue(self.tr(BACKWARD[mode]))
        self.play(Fade(board), Fade(numbers), self.show_note(board, self.tr(BACKWARD[mode])))
        self.remove(numbers)
        self.add(*numbers)  # one Text each: swapped one by one as the sums grow
        self.wait(3)
        for k in range(g.n_steps):
            self.grad_step(board, g, k, slow=k < self.slow_steps)
        done, values = self.tr(DONE[mode]), fmt_rows(g.grad_x[0, 0])
        self.cue(self.tr("{text}: {values}", text=done, values=values))
        shown = [*board.moving, board.equation]
        self.play(*fade_out(*shown), self.show_note(board, done), run_time=0.6)
        self.wait(3)
        if g is not self.trace.passes[-1]:
            self.play(*fade_out(board, board.equation, *numbers), run_time=0.6)

    def pool_step(self, board: VGroup, t: PoolTrace, k: int, slow: bool):
        i, j = t.out_index[k]
        cursor = [
            self.window(board.x_grid, t, k),
            highlight_box(board.out_grid.cell(i, j), self.theme),
        ]
        if t.mode == "max":  # where the max was: its value flies from there
            argmax = self.padded_index(t, t.argmax_row[0, 0, k], t.argmax_col[0, 0, k])
            cursor.append(
                highlight_box(board.x_grid.cell(*argmax), self.theme).set_stroke(self.theme.output)
            )
        text, result, remark = self.pool_equation(t, k)
        equation = f"{text} {result}" + (f" ({remark})" if remark else "")
        self.cue(self.tr("Window ({i}, {j}): {equation}", i=i, j=j, equation=equation))
        sep = ", " if t.mode == "max" else " + "
        shown = self.step(board, cursor, (text, result, remark, sep), slow, first=k == 0)
        start = board.x_grid.number(*argmax) if t.mode == "max" else shown
        number = board.out_grid.number(i, j)
        self.play(Fly(number, [number], [start]), run_time=0.9 if slow else 0.4)
        self.wait(0.8 if slow else 0.25)

    def grad_step(self, board: VGroup, g: PoolGradientTrace, k: int, slow: bool):
        t, (i, j) = g.forward, g.forward.out_index[k]
        cursor = [
            self.window(board.x_grid, t, k),
            highlight_box(board.grad_out.cell(i, j), self.theme),
        ]
        if t.mode == "max":  # all of it to the max
            r, c = t.argmax_row[0, 0, k], t.argmax_col[0, 0, k]
            cell = board.x_grid.cell(*self.padded_index(t, r, c))
            cursor.append(highlight_box(cell, self.theme).set_stroke(self.theme.output))
            targets = [(r, c)]
            before = fmt(g.running[0, 0, k - 1, r, c]) if k else "0"
            values = dict(r=r, c=c, before=before, after=fmt(g.running[0, 0, k, r, c]))
        else:  # an equal share to each of its cells on the input
            top, left = t.padding
            taps = zip(*t.in_window[k].nonzero(), strict=True)
            targets = [(t.tap_rows[k, a] - top, t.tap_cols[k, b] - left) for a, b in taps]
            values = dict(d=t.divisors[k], share=fmt(g.shares[0, 0, k]))
        text = self.tr(STEP[t.mode], i=i, j=j, g=fmt(g.grad_out[0, 0, i, j]), **values)
        self.cue(text)
        self.step(board, cursor, (text, None, None, " + "), slow, first=k == 0)
        self.land(board, g, k, targets, slow)

    def land(self, board: VGroup, g: PoolGradientTrace, k: int, targets: list, slow: bool):
        """Fly window ``k``'s share from ∂L/∂out into ``targets`` of ∂L/∂x, then snap those
        cells to the running sums."""
        grid, (i, j), th = board.grad_x, g.forward.out_index[k], self.theme
        share = fmt(g.shares[0, 0, k])
        fly = VGroup(*(self.texts.text(share, grid.font_size, th.kernel) for _ in targets))
        for mob, (r, c) in zip(fly, targets, strict=True):
            mob.move_to(grid.cell(r, c))
        self.remove(*(grid.number(r, c) for r, c in targets))
        source = board.grad_out.number(i, j)
        self.play(Fly(fly, fly, [source] * len(fly)), run_time=0.9 if slow else 0.45)
        self.remove(fly)
        for r, c in targets:
            new = self.texts.text(fmt(g.running[0, 0, k, r, c]), grid.font_size, th.text)
            grid.numbers.submobjects[r * grid.shape[1] + c] = new.move_to(grid.cell(r, c))
            self.add(new)
        if slow:
            tint = merged([grid.cell(r, c) for r, c in targets]).set_fill(th.kernel, 0.5)
            self.play(Blink(tint.set_stroke(width=0)), run_time=0.6)
        self.wait(0.8 if slow else 0.25)

    def show_note(self, board: VGroup, text: str) -> Fade:
        """A muted note where the equations go (until the next one replaces it)."""
        board.equation = note([text], self.theme.muted, 24, 84)
        board.equation.move_to([0, EQUATION_TOP - board.equation.height / 2, 0])
        return Fade(board.equation)

    def step(self, board: VGroup, cursor: list, equation: tuple, slow: bool, first: bool):
        """Bring the window and its boxes to this step (created at the first step) and show
        its equation: typed after the move when slow, at once with it when fast. Returns
        the equation's result Text (if any)."""
        if not slow:
            result = self.show_equation(board, *equation, slow)
        if first:
            board.moving = cursor
            self.play(*(Create(m) for m in cursor), run_time=1)
        else:
            self.bring_to_front(*board.moving)  # drawn last: only they are redrawn
            moves = (Glide(m, to=target) for m, target in zip(board.moving, cursor, strict=True))
            self.play(*moves, run_time=0.7 if slow else 0.3)
        return self.show_equation(board, *equation, slow) if slow else result

    def show_equation(self, board, text, result, remark, sep, slow: bool):
        """Replace the previous step's equation (``text`` broken at ``sep``, the ``result``
        in bold, a ``remark`` below); return the result Text (if any)."""
        th = self.theme
        if hasattr(board, "equation"):
            self.remove(board.equation)
        eq = wrapped(text, th.text, 26, 72, 13.0, None if slow else self.texts, sep)
        group = VGroup(eq)
        if result is not None:
            value = self.texts.text(result, 30, th.output, "BOLD")
            group.add(value.next_to(eq[-1], RIGHT, buff=0.2))
        if remark:
            group.add(fit_width(label(remark, th.muted, 22)).next_to(eq, DOWN, buff=0.15))
        fit_width(group, 13.2)
        if group.height > EQUATION_TOP - CAPTION_Y - 0.3:  # a 5×5 window's long sum
            group.scale_to_fit_height(EQUATION_TOP - CAPTION_Y - 0.3)
        group.move_to([0, EQUATION_TOP - group.height / 2, 0])
        board.equation = group
        if slow:
            self.play(Type(eq), run_time=1.5)
            rest = VGroup(*group[1:])
            self.play(Fade(rest), run_time=0.5)
            self.remove(eq, rest)
        self.add(group)  # one group on screen, removed as one
        return group[1] if result is not None else None

    # -- mobjects from the trace --------------------------------------------------------

    def settings(self, t: PoolTrace) -> str:
        """``window 3×3, stride 1, padding 0`` (and dilation, ceil_mode, count_include_pad)."""
        parts = [
            self.tr("window {shape}", shape=shape(*t.kernel_size)),
            self.tr("stride {stride}", stride=fmt_pair(t.stride)),
            self.tr("padding {padding}", padding=fmt_pair(t.padding)),
        ]
        if t.dilation != (1, 1):
            parts.append(self.tr("dilation {dilation}", dilation=fmt_pair(t.dilation)))
        if t.ceil_mode:
            parts.append("ceil_mode=True")
        if "avg" in self.trace.modes and any(t.padding):
            parts.append(f"count_include_pad={t.count_include_pad}")
        return self.tr(", ").join(parts)

    def ceil_rule(self, t: PoolTrace) -> str | None:
        """What ``ceil_mode`` did: dropped a last window in the padding, or added one."""
        if not t.ceil_mode:
            return None
        for s in (t.size_h, t.size_w):
            if s.dropped:
                values = dict(ceil=s.ceil_out, size=s.size, padding=s.padding, out=s.out)
                return self.tr(CEIL_DROPPED, **values)
        if any(s.ceil_out != s.floor_out for s in (t.size_h, t.size_w)):
            return self.tr(CEIL_OVERHANG)
        return None

    def padded_index(self, t: PoolTrace, r: int, c: int) -> tuple[int, int]:
        """The padded-grid cell of input cell ``(r, c)``."""
        return r + t.padding[0], c + t.padding[1]

    def window(self, grid: Grid, t: PoolTrace, k: int):
        """The taps of window ``k`` as one highlighted path."""
        cells = [grid.cell(r, c) for r in t.tap_rows[k] for c in t.tap_cols[k]]
        return merged(list(window_squares(cells, self.theme)))

    def pool_equation(self, t: PoolTrace, k: int) -> tuple[str, str, str | None]:
        """``out[i, j] = max(…) =`` or ``out[i, j] = (… + …) / d = s / d =``, the value, and
        a note (where the max was; why a divisor is not the window's size)."""
        i, j = t.out_index[k]
        window = t.windows[0, 0, k]
        if t.mode == "max":
            r, c = t.argmax_row[0, 0, k], t.argmax_col[0, 0, k]
            text = f"out[{i}, {j}] = max({', '.join(fmt(v) for v in window.ravel())}) ="
            return text, fmt(t.values[0, 0, k]), self.tr("found at x[{r}, {c}]", r=r, c=c)
        d = t.divisors[k]
        terms = " + ".join(fmt(v) for v in window.ravel())
        text = f"out[{i}, {j}] = ({terms}) / {d} = {fmt(t.sums[0, 0, k])} / {d} ="
        remark = None if d == window.size else self.tr(DIVISOR[t.count_include_pad], d=d)
        return text, fmt(t.values[0, 0, k]), remark

    def input_grid(self, t: PoolTrace, cell: float) -> Grid:
        (h, w), (hp, wp) = t.x.shape[2:], t.x_padded.shape[2:]
        title = self.tr("input x: {shape}", shape=shape(h, w))
        if (hp, wp) != (h, w):
            title = self.tr(
                "input x: {shape}, padded to {padded}", shape=shape(h, w), padded=shape(hp, wp)
            )
        values = t.x_padded[0, 0]
        grid = Grid(values, title, self.theme.input, self.theme, cell, t.pad_mask, title_size=24)
        grid.add(grid.numbers_for([[fmt(v) for v in row] for row in values], cache=self.texts))
        return grid

    def forward_board(self, t: PoolTrace) -> VGroup:
        """The input (with its padding, −∞ or 0), the arrow and the output (numbers hidden)."""
        (hp, wp), (oh, ow) = t.x_padded.shape[2:], t.out_shape
        height = GRID_TOP - GRID_BOTTOM
        x_grid = self.input_grid(t, cell_size(hp, wp, 6.0, height, 0.8))
        title = self.tr("output {shape}", shape=shape(oh, ow))
        cell = cell_size(oh, ow, 4.5, height, 1.1)
        out_grid = Grid(t.out[0, 0], title, self.theme.output, self.theme, cell, title_size=24)
        out_grid.numbers_for([[fmt(v) for v in row] for row in t.out[0, 0]], cache=self.texts)
        place_row([x_grid, out_grid], GRID_Y, 2.4)
        arrow = Arrow(x_grid.cells.get_right(), out_grid.cells.get_left(), buff=0.3)
        arrow.set_color(self.theme.muted)
        name = label(f"{t.mode}_pool2d", self.theme.muted, 22).next_to(arrow, UP, buff=0.12)
        board = VGroup(x_grid, arrow, name, out_grid)
        board.x_grid, board.out_grid = x_grid, out_grid
        return board

    def backward_board(self, g: PoolGradientTrace) -> VGroup:
        """The input (to see each window), ∂L/∂out and ∂L/∂x (numbers apart, all 0)."""
        t, th = g.forward, self.theme
        (hp, wp), (oh, ow), (h, w) = t.x_padded.shape[2:], t.out_shape, t.x.shape[2:]
        wide_text = widest(g.running)
        wide = min(1.5, max(1.0, len(wide_text) / 3))  # ∂L/∂x's cells: wider for 0.111
        height = GRID_TOP - GRID_BOTTOM
        x_grid = self.input_grid(t, cell_size(hp, wp, 11.4 / 3, height, 0.75))
        room = 11.4 - x_grid.cells.width  # the gradients' cells may be larger than x's
        cell = cell_size(max(oh, h), ow + w * wide, room, height, 0.75)
        title = self.tr("∂L/∂out {shape}", shape=shape(oh, ow))
        grad_out = Grid(g.grad_out[0, 0], title, th.kernel, th, cell, None, True, 24)
        title = self.tr("∂L/∂x {shape}", shape=shape(h, w))
        font = cell * 40
        size = (cell * wide, cell)
        grad_x = Grid(
            (h, w), title, th.kernel, th, size, None, False, 24, widest=wide_text, max_font=font
        )
        grad_x.numbers_for([["0"] * w for _ in range(h)], cache=self.texts)
        place_row([x_grid, grad_out, grad_x], GRID_Y, 1.0)
        board = VGroup(x_grid, grad_out, grad_x)
        board.x_grid, board.grad_out, board.grad_x = x_grid, grad_out, grad_x
        return board
