"""Backpropagation through one convolution: ∂L/∂W, ∂L/∂X and ∂L/∂b, sum by sum.

Render the default (the article's 5×5 input 1..25 and 3×3 kernel 1..9; ∂L/∂Y 2 and −1 in a
checkerboard):

    manim render -ql scenes/backward.py Backward
    convanim build backward --quality low
    convanim build backward --stride 2 --padding 1
    convanim build backward --grad-output "1 0 -1; 0 2 0; -1 0 1"
"""

from __future__ import annotations

from manim import RIGHT, Create, VGroup

from scenes.kit.anim import Fade, Fly, Glide, flash
from scenes.kit.fmt import equation, fmt, fmt_factor, fmt_pads, fmt_pair, product_terms, shape
from scenes.kit.grid import Grid, highlight_box, window_squares
from scenes.kit.note import Note
from scenes.kit.scene import ConvScene, beat
from scenes.kit.text import TextCache, label, title_bar, wrap_terms
from scenes.specs.backward import SPEC

TOP = 2.05  # top edge of the tallest grid's cells (titles above it)
HEIGHT = 4.3  # room for cells below TOP
NOTE_TOP = -2.45  # top of the note under the grids …
NOTE_HEIGHT = 1.45  # … and its largest height
WIDTH = 13.4  # a row of grids fits this width …
GAP = 0.7  # … with at least this much between grids (a ⋆ or = sits there)


class Backward(ConvScene):
    """∂L/∂W, ∂L/∂X and ∂L/∂b of one convolution, each value a sum of products."""

    spec = SPEC
    slow_steps = 2  # positions of each gradient shown with their equation written out
    fast_drawing = True
    title_text = "Backpropagation through a convolution"

    def setup(self):
        super().setup()
        self.texts, self.note = TextCache(), Note(self, NOTE_TOP, NOTE_HEIGHT)
        self.boards: dict[str, list[Grid]] = {}  # each beat's grids, by beat
        t = self.trace
        full = t.grad_x_conv.pads
        self.words = {  # the values the templates name
            "stride": fmt_pair(t.stride),
            **{"sh": t.stride[0], "sw": t.stride[1], "reach": fmt_pair((full[0], full[2]))},
            "padding": fmt_pads(t.pads, self.tr),
            "input": shape(*t.x.shape[2:]),
            "padded": shape(*t.x_padded.shape[2:]),
            "kernel": shape(*t.weight.shape[2:]),
            "out": shape(*t.grad_out.shape[2:]),
            "stretched": shape(*t.grad_out_dilated.shape[2:]),
            "full": shape(*t.grad_out_full.shape[2:]),
        }

    def tr(self, template: str, **values) -> str:
        """``template`` translated, with :attr:`words` and ``values`` filled in."""
        return super().tr(template, **{**getattr(self, "words", {}), **values})

    def construct(self):
        t = self.trace
        wc, xc = t.grad_weight_conv, t.grad_x_conv
        self.show_title()
        self.show_problem()
        self.weight_gradient()
        for k in range(wc.n_steps):
            self.position("∂L/∂W", wc, k, k, wc.out_index[k], k == wc.n_steps - 1)
        self.stretch_and_rotate()
        self.input_gradient()
        last = len(t.grad_x_steps) - 1
        for n, (k, cell) in enumerate(zip(t.grad_x_steps, t.grad_x_index, strict=True)):
            self.position("∂L/∂X", xc, n, k, cell, n == last)
        if t.uncovered.any():
            self.unreached()
        self.bias_gradient()
        self.conclude()

    # -- beats ------------------------------------------------------------------------

    @beat
    def show_title(self):
        subtitle = self.tr("Y = X ⋆ W + b as PyTorch's Conv2d · stride {stride}, padding {padding}")
        self.title = title_bar(self.tr(self.title_text), self.theme, subtitle)
        self.play(Fade(self.title), run_time=0.8)
        self.cue(self.tr("Backpropagation through a {kernel} convolution of a {input} input."))

    @beat
    def show_problem(self):
        t, th = self.trace, self.theme
        grids, signs = self.board(
            (t.x[0, 0], self.tr("input X {input}"), th.input),
            (t.weight[0, 0], self.tr("kernel W {kernel}"), th.kernel),
            (t.grad_out[0, 0], self.tr("∂L/∂Y {out} (given)"), th.output),
            signs=("⋆", ""),
        )
        self.play(*(Fade(g.with_numbers()) for g in grids), Fade(signs), run_time=1.2)
        self.note.say(
            self.tr("Forward: Y = X ⋆ W + b, a {out} output."),
            self.tr("Backward: the layers above hand back ∂L/∂Y, one value per output cell."),
            self.tr("Find ∂L/∂W, ∂L/∂X and ∂L/∂b: each value a sum of products."),
        )
        self.wait(2.5)

    @beat
    def weight_gradient(self):
        t, th = self.trace, self.theme
        padded = any(t.pads)
        x_title = "input X {input} padded to {padded}" if padded else "input X {input}"
        strided = t.stride != (1, 1)
        g_title = "∂L/∂Y {out}, taps {stride} apart" if strided else "∂L/∂Y {out}"
        grids, signs = self.board(
            (t.x_padded[0, 0], self.tr(x_title), th.input, t.pad_mask),
            (t.grad_out[0, 0], self.tr(g_title), th.output),
            (t.grad_weight[0, 0], self.tr("∂L/∂W {kernel}"), th.kernel),
            signs=("⋆", "="),
        )
        self.show_board(grids, signs)
        formula = "∂L/∂W[p, q] = Σ X[p + {sh}·i, q + {sw}·j] · ∂L/∂Y[i, j]".format(**self.words)
        told = self.tr(
            "Weight (p, q) met one input value per output cell (i, j): ∂L/∂W is the input "
            "correlated with ∂L/∂Y."
        )
        self.note.say(formula, told, cue=f"{formula} — {told}")
        self.wait(2)
        self.sweep_grids = grids

    @beat
    def stretch_and_rotate(self):
        t, th = self.trace, self.theme
        strided = t.stride != (1, 1)
        items = [(t.grad_out[0, 0], self.tr("∂L/∂Y {out}"), th.output)]
        if strided:
            title = self.tr("stretched: zeros between, {stretched}")
            items.append((t.grad_out_dilated[0, 0], title, th.output, t.stretched_mask))
        items += [
            (t.weight[0, 0], self.tr("kernel W {kernel}"), th.kernel),
            (t.weight_flipped[0, 0], self.tr("W rotated 180°"), th.kernel),
        ]
        grids, signs = self.board(*items, signs=("→", "", "→") if strided else ("", "→"))
        self.clear_board()
        grad, kernel, rotated = grids[0], grids[-2], grids[-1]
        self.play(Fade(grad.with_numbers()), Fade(kernel.with_numbers()), run_time=0.8)
        if strided:
            stretched = grids[1]
            self.note.say(
                self.tr("Stride {stride}: the windows of neighbouring outputs lie {stride} apart."),
                self.tr(
                    "Put the gradients back {stride} apart, zeros between: {out} → {stretched}."
                ),
            )
            self.play(Create(stretched.cells), Fade(stretched.title), Fade(signs[0]))
            hollow, kept = self.hollow(stretched, t.stretched_mask)
            self.play(Fly(VGroup(*kept), kept, list(grad.numbers), lag_ratio=0.1), run_time=1.2)
            self.play(Fade(VGroup(*hollow)), run_time=0.5)
        else:
            self.note.say(self.tr("Stride 1: no zeros to insert between the gradients."))
        self.note.say(self.tr("… and the kernel rotated by 180°: its last tap first."))
        self.play(Create(rotated.cells), Fade(rotated.title), Fade(signs[-1]), run_time=0.8)
        turn = Fly(rotated.numbers, list(rotated.numbers), list(reversed(kernel.numbers)))
        self.play(turn, run_time=1.5)
        self.wait(1.5)

    @beat
    def input_gradient(self):
        t, th, xc = self.trace, self.theme, self.trace.grad_x_conv
        grids, signs = self.board(
            (t.grad_out_full[0, 0], self.tr("∂L/∂Y stretched, padded by {reach}: {full}"),
             th.output, xc.pad_mask),
            (t.weight_flipped[0, 0], self.tr("W rotated 180°"), th.kernel),
            (t.grad_x[0, 0], self.tr("∂L/∂X {input}"), th.input),
            signs=("⋆", "="),
        )  # fmt: skip
        self.hollow(grids[0], t.inserted_mask)
        self.show_board(grids, signs)
        lines = [
            self.tr(
                "∂L/∂X: the rotated kernel slides at stride 1 over ∂L/∂Y, stretched and padded "
                "by k − 1 = {reach} on every side (a full correlation)."
            ),
        ]
        if any(t.pads):
            lines.append(self.tr("Sums for the forward padding {padding} are cut off."))
        self.note.say(*lines)
        self.wait(2.5)
        self.sweep_grids = grids

    @beat
    def position(self, name: str, conv, n: int, k: int, cell, last: bool):
        """Step ``k`` of ``conv`` (the ``n``-th shown): its window over the first grid of
        :attr:`sweep_grids`, its products and sum from the trace, its value landing in the
        last grid at ``cell``; written out for the first steps, then fast."""
        th, (i, j) = self.theme, cell
        source, kernel, target = self.sweep_grids
        taps = [source.cell(r, c) for r in conv.tap_rows[k] for c in conv.tap_cols[k]]
        window, out_box = window_squares(taps, th), highlight_box(target.cell(i, j), th)
        slow = n < self.slow_steps
        if n == 0:
            self.window, self.out_box = window, out_box
            frame = Create(highlight_box(kernel.cells, th))
            self.play(frame, Create(window), Create(out_box), run_time=0.8)
        else:
            self.bring_to_front(self.window, self.out_box)
            moves = Glide(self.window, to=window), Glide(self.out_box, to=out_box)
            self.play(*moves, run_time=0.6 if slow else 0.3)
        text = equation(
            product_terms(conv.windows[0, k, 0], conv.weight[0, 0]), None, conv.values[0, 0, k]
        )
        lhs, number = f"{name}[{i}, {j}]", target.number(i, j)
        if slow:
            written = wrap_terms(f"{lhs} = " + text[: text.rindex("=") + 1], 72)
            self.note.say(*written, cue=f"{lhs} = {text}")
            result = self.texts.text(fmt(conv.values[0, 0, k]), 26, th.output, "BOLD")
            result.next_to(self.note.lines[-1], RIGHT, buff=0.15)
            self.play(Fade(result, scale=1.4), run_time=0.5)
            self.play(Fly(number, [number], [result]), run_time=0.8)
            self.remove(result)
        else:
            if n == self.slow_steps:
                self.note.clear(run_time=0.3)
            self.add(number)
            self.cue(f"{lhs} = {text}")
        self.wait(1.5 if last else 1 if slow else 0.25)

    @beat
    def unreached(self):
        t, target = self.trace, self.sweep_grids[2]
        skipped = [target.numbers[n] for n, off in enumerate(t.uncovered.ravel()) if off]
        self.note.say(self.tr("No window reached the last rows or columns: their gradient is 0."))
        self.play(Fade(VGroup(*skipped)), run_time=0.8)
        self.wait(1.5)

    @beat
    def bias_gradient(self):
        t, th = self.trace, self.theme
        grids, signs = self.board(
            (t.grad_out[0, 0], self.tr("∂L/∂Y {out}"), th.output),
            (t.grad_bias[None], self.tr("∂L/∂b: 1 value"), th.accent),
            signs=("→",),
        )
        self.show_board(grids, signs)
        grad, bias = grids
        box = highlight_box(grad.cells, th)
        text = equation([fmt_factor(v) for v in t.grad_bias_terms[0]], None, t.grad_bias[0])
        self.note.say(
            self.tr("b is added to every output value: each passes its gradient on unchanged."),
            *wrap_terms("∂L/∂b = " + text[: text.rindex("=") + 1], 72),
            cue=self.tr("b is added to every output value: ∂L/∂b = {sum}", sum=text),
        )
        result = self.texts.text(fmt(t.grad_bias[0]), 26, th.output, "BOLD")
        result.next_to(self.note.lines[-1], RIGHT, buff=0.15)
        self.play(Create(box), Fade(result, scale=1.4), run_time=0.8)
        self.play(Fly(bias.number(0, 0), [bias.number(0, 0)], [result]), run_time=0.8)
        self.remove(result)
        self.wait(1.5)

    @beat
    def conclude(self):
        t, th = self.trace, self.theme
        grids, _ = self.board(
            (t.grad_weight[0, 0], self.tr("∂L/∂W {kernel}"), th.kernel),
            (t.grad_x[0, 0], self.tr("∂L/∂X {input}"), th.input),
            (t.grad_bias[None], self.tr("∂L/∂b: 1 value"), th.accent),
            signs=("", ""),
        )
        self.clear_board()
        self.play(*(Fade(g.with_numbers()) for g in grids), run_time=1)
        self.note.say(
            self.tr(
                "Each gradient is again a correlation: X with ∂L/∂Y, and the stretched ∂L/∂Y "
                "with W rotated 180°; ∂L/∂b is a sum."
            ),
            self.tr("The same values as PyTorch's autograd."),
        )
        self.play(*(flash(g.cells, color=th.highlight) for g in grids), run_time=1.5)
        self.wait(2.5)

    # -- mobjects from the trace --------------------------------------------------------

    def board(self, *items, signs) -> tuple[list[Grid], VGroup]:
        """Grids of ``(values, title, colour[, padding mask])`` in a row, one cell size,
        centred under the title, with ``signs`` (⋆, =, →) between them; kept in
        :attr:`boards` under the name of the beat that asks."""
        th = self.theme
        title_w = [label(title, th.text, 22).width for _, title, *_ in items]
        rows = max(values.shape[0] for values, *_ in items)
        cell = min(0.85, HEIGHT / rows)

        def widths(cell):
            return [max(tw, v.shape[1] * cell) for tw, (v, *_) in zip(title_w, items, strict=True)]

        while sum(widths(cell)) + GAP * (len(items) - 1) > WIDTH:
            cell *= 0.93
        grids = [self.grid(*item, cell=cell) for item in items]
        x, y = -(sum(widths(cell)) + GAP * (len(items) - 1)) / 2, TOP - HEIGHT / 2
        for g, w in zip(grids, widths(cell), strict=True):
            g.place(x + w / 2, y)
            x += w + GAP
        self.boards[self.beats[-1][1]] = grids
        marks = VGroup()
        for sign, a, b in zip(signs, grids[:-1], grids[1:], strict=True):
            middle = (a.cells.get_right() + b.cells.get_left()) / 2
            size = 60 if sign == "⋆" else 44
            marks.add(label(sign or " ", th.text, size).move_to([middle[0], y, 0]))
        return grids, marks

    def grid(self, values, title: str, color: str, mask=None, *, cell: float) -> Grid:
        """A grid of ``values``, its numbers built through the text cache (not added)."""
        g = Grid(values, title, color, self.theme, cell, mask=mask, title_size=22)
        g.numbers_for([[fmt(v) for v in row] for row in values], cache=self.texts)
        return g

    def hollow(self, grid: Grid, inserted) -> tuple[list, list]:
        """Draw the ``inserted`` zeros as empty cells with muted numbers; return those
        numbers and the others."""
        hollow, kept = [], []
        for cell, number, gap in zip(grid.cells, grid.numbers, inserted.ravel(), strict=True):
            if gap:
                cell.set_fill(opacity=0)
                number.set_color(self.theme.muted)
            (hollow if gap else kept).append(number)
        return hollow, kept

    def clear_board(self):
        """Fade out everything but the title."""
        self.note.clear(*(m for m in self.mobjects if m is not self.title))

    def show_board(self, grids: list[Grid], signs: VGroup):
        """After the last board: the grids with their numbers, the last one still empty."""
        self.clear_board()
        shown = (Fade(g.with_numbers()) for g in grids[:-1])
        self.play(*shown, Create(grids[-1].cells), Fade(grids[-1].title), Fade(signs))
