"""When are the kernel weights updated? The training loop, phase by phase, for a few epochs.

The article's part 9: two ``Conv2d(1, 1, 3)`` layers map a 5×5 input to one number; MSE
loss; SGD with lr = 0.01; 3 epochs. The running line of the loop is highlighted:
``zero_grad`` clears the gradient grids, ``forward`` fills the feature maps, ``loss`` compares
output and target, ``backward`` fills the gradients while the weights stay as they were, and
``step`` moves every weight by ``lr·grad``. Every number is a snapshot from
:func:`convcore.train.trace_training`.

Render:

    manim render -ql scenes/training.py TrainingStep
    convanim build training --quality low
    convanim build training --momentum 0.9 --epochs 2
"""

from __future__ import annotations

from itertools import pairwise

from manim import DOWN, LEFT, RIGHT, UP, Arrow, Create, Dot, Indicate, Line, VGroup, smooth
from manim import squish_rate_func as squish

from scenes.kit.anim import Fade, fade_out, flash
from scenes.kit.code import CodePanel
from scenes.kit.fmt import MINUS, fixed, fixed_factor, fmt, shape
from scenes.kit.grid import Grid, highlight_box
from scenes.kit.scene import ConvScene, beat
from scenes.kit.text import TextCache, fit_width, join_lines, label, title_bar
from scenes.specs.training import SPEC, random_start

#: The line of the article's loop that runs each phase of ``TrainingTrace.phases``.
PHASE_CODE = {
    "zero_grad": "optimizer.zero_grad()",
    "forward": "outputs = net(input)",
    "loss": "loss = criterion(outputs, target)",
    "backward": "loss.backward()",
    "step": "optimizer.step()",
}
#: What each phase does, under the running line (phases with an equation add it below).
PHASE_CAPTION = {
    "zero_grad": ("zero_grad(): old gradients cleared", ".grad set to None, drawn as 0"),
    "forward": ("forward: feature maps computed", "they are outputs, not parameters"),
    "loss": ("loss: MSE of output and target",),
    "backward": ("backward(): .grad filled", "weights and biases unchanged,"),
}
START_CAPTION = ("weights and biases of both layers,", "no activation in between")
END_CAPTION = ("only step() changed the weights;", "the other phases left them alone")
STATUS = "backward() wrote .grad only: weights and biases unchanged"
EPOCH_CUE = "Epoch {epoch}: the same phases; loss {loss}, and again only step() moves the weights."
LEFT_X, SPLIT_X, RIGHT_X = -6.95, -2.05, 6.95  # left column | right region
TOP_Y = 2.72  # below the title bar
DETAIL_Y = 0.5  # top of the phase caption and equation
PLOT_BOTTOM, PLOT_TOP = -3.5, -2.3
PLOT_X = (LEFT_X + 0.3, SPLIT_X - 1.0)  # x of the loss axis and the end of the epoch axis
WEIGHT_Y, GRAD_Y = 0.3, -1.62  # tops of the weight and gradient rows (titles included)
STATUS_Y = -3.65
GRID = {"title_buff": 0.12, "widest": "−0.0000"}  # every grid: 4 decimals fit a cell


def grid_texts(values, digits: int = 4) -> list[list[str]]:
    return [[fixed(v, digits) for v in row] for row in values]


class TrainingStep(ConvScene):
    """The five phases of each epoch; only ``step`` changes the weights; the loss goes down."""

    spec = SPEC
    title_text = "When are the kernel weights updated?"
    step_cell = (0, 0)  #: the conv1 weight whose update is written out
    slow_epochs = 1

    def setup(self):
        super().setup()
        self.phase_index = {phase: p for p, phase in enumerate(self.trace.phases)}
        self.cache = TextCache()
        self.shown: dict = {}  # grid key → (strings, colour) of the numbers on screen
        self.detail, self.marker, self.plot_dots = VGroup(), None, VGroup()

    def construct(self):
        self.show_setup()
        for e in range(self.trace.epochs):
            self.run_epoch(e, slow=e < self.slow_epochs)
        self.conclude()

    # -- beats --------------------------------------------------------------------------

    @beat
    def show_setup(self):
        title, subtitle = self.tr(self.title_text), self.subtitle()
        self.title = title_bar(title, self.theme, subtitle)
        self.cue(self.tr("{title} {subtitle}.", title=title, subtitle=subtitle))
        self.play(Fade(self.title), run_time=0.8)
        self.code, self.grids = self.get_code(), self.get_grids()
        self.arrows, self.axes = self.get_arrows(), self.get_plot_axes()
        self.play(Fade(self.code), Fade(VGroup(*self.grids.values())), run_time=1.2)
        self.play(
            Fade(self.arrows),
            Create(self.axes),
            *self.swap({"input": grid_texts(self.trace.x[0, 0], digits=2)}),
            *self.swap(self.param_texts(0, self.phase_index["zero_grad"], grads=False)),
            self.show_detail([self.tr("the starting point"), *map(self.tr, START_CAPTION)]),
            run_time=1.5,
        )
        self.wait(3)

    @beat
    def run_epoch(self, e: int, slow: bool):
        self.epoch_tag(e)
        if not slow:
            self.cue(self.tr(EPOCH_CUE, epoch=e + 1, loss=fixed(self.trace.loss[e])))
        for phase in self.trace.phases:
            lead = [self.mark_line(phase)]  # played with the phase's first animation
            if phase in PHASE_CAPTION:
                lead.append(self.show_detail(self.phase_caption(phase, e), slow))
            getattr(self, f"phase_{phase}")(e, slow, lead)

    def phase_zero_grad(self, e: int, slow: bool, lead: list):
        texts = self.param_texts(e, self.phase_index["zero_grad"], weights=False)
        anims = [*lead, *self.swap(texts), *self.pulse(texts, self.theme.muted)]
        self.play(*anims, run_time=1.2 if slow else 0.6)
        self.wait(2.5 if slow else 0.5)

    def phase_forward(self, e: int, slow: bool, lead: list):
        for i, layer in enumerate(self.trace.layers):
            self.bring_to_front(self.arrows)
            self.play(
                *(lead if i == 0 else []),
                Indicate(self.arrows[i], color=self.theme.highlight),
                *self.swap({f"map{i}": grid_texts(layer.output[e, 0, 0])}),
                *self.pulse([f"map{i}"], self.theme.output),
                run_time=1.5 if slow else 0.6,
            )
        self.wait(2.5 if slow else 0.4)

    def phase_loss(self, e: int, slow: bool, lead: list):
        self.play(*lead, run_time=1.0 if slow else 0.5)
        self.play(*self.plot_point(e), run_time=1.0 if slow else 0.5)
        self.wait(3.5 if slow else 1.0)

    def phase_backward(self, e: int, slow: bool, lead: list):
        numbers = self.swap(self.param_texts(e, self.phase_index["backward"]))
        pairs = [
            VGroup(self.grids[f"w{i}"].cells, self.grids[f"b{i}"].cells)
            for i in range(len(self.trace.layers))
        ]
        self.locks = VGroup(*(highlight_box(p, self.theme, 0.05) for p in pairs))
        self.locks.set_stroke(self.theme.output, 5)
        status = fit_width(
            self.text(self.tr(STATUS), self.theme.output, 20), RIGHT_X - SPLIT_X - 0.2
        )
        self.status = status.move_to([(SPLIT_X + RIGHT_X) / 2, STATUS_Y, 0])
        grads = self.pulse([k for k in self.grids if k.startswith("g")], self.theme.accent)
        self.play(*lead, *numbers, *grads, run_time=1.4 if slow else 0.6)
        self.play(Create(self.locks), Fade(self.status), run_time=1.0 if slow else 0.5)
        self.wait(4 if slow else 1.0)

    def phase_step(self, e: int, slow: bool, lead: list):
        cells = (self.grids[key].cell(*self.step_cell) for key in ("w0", "gw0"))
        boxes = VGroup(*(highlight_box(cell, self.theme) for cell in cells))
        direction = "buf" if self.trace.optimizer.momentum else "g"
        caption = self.tr("step(): w' = w − lr·{direction}, every w", direction=direction)
        self.play(
            *lead,
            self.show_detail([caption, *self.step_equation(e)], slow),
            *fade_out(self.locks, self.status),
            Create(boxes),
            run_time=1.2 if slow else 0.6,
        )
        self.wait(4 if slow else 1.5)
        texts = self.param_texts(e, self.phase_index["step"], grads=False)
        anims = [*self.swap(texts), *self.pulse(texts, self.theme.highlight)]
        self.play(*anims, run_time=1.4 if slow else 0.7)
        self.wait(1.5 if slow else 0.5)
        self.play(*fade_out(boxes), run_time=0.3)

    @beat
    def conclude(self):
        trend = " → ".join(fixed(v) for v in self.trace.loss)
        self.bring_to_front(self.tag)
        self.play(
            *fade_out(self.marker, self.tag),
            self.show_detail([self.tr("loss per epoch"), trend, *map(self.tr, END_CAPTION)]),
            run_time=0.8,
        )
        self.play(Indicate(self.plot_dots, color=self.theme.highlight), run_time=1.2)
        self.wait(4)

    # -- small animation helpers ----------------------------------------------------------

    def text(self, string: str, color: str, size: float):
        return self.cache.text(string, size, color)

    def mark_line(self, phase: str):
        """An animation moving the highlight bar to the line of the running phase."""
        bar = self.code.line_marker(self.phase_index[phase] + 1)
        if self.marker is None:
            self.marker = bar
            return Fade(bar)
        self.bring_to_front(self.marker)  # drawn last: what is below it stays still
        return self.marker.animate.move_to(bar)

    def epoch_tag(self, e: int):
        """``# epoch k/E`` beside the ``for`` line."""
        text = self.tr("# epoch {epoch}/{epochs}", epoch=e + 1, epochs=self.trace.epochs)
        tag = self.text(text, self.theme.muted, 18)
        tag.next_to(self.code.code.code_lines[0], RIGHT, buff=0.35)
        if e > 0:
            self.remove(self.tag)
        self.tag = tag
        self.play(Fade(tag), run_time=0.5)

    def show_detail(self, lines, cue: bool = True) -> Fade:
        """A Fade bringing in the text under the code (a caption line, then the phase's
        equation) in place of the old one; with ``cue`` it also becomes the caption."""
        if cue:
            rest = join_lines(lines[1:])
            self.cue(self.tr("{head} — {rest}", head=lines[0], rest=rest) if rest else lines[0])
        texts = [self.text(lines[0], self.theme.highlight, 24)]
        texts += [self.text(s, self.theme.text, 20) for s in lines[1:]]
        group = VGroup(*(fit_width(t, SPLIT_X - LEFT_X - 0.15) for t in texts))
        group.arrange(DOWN, buff=0.13, aligned_edge=LEFT)
        self.remove(self.detail)
        self.detail = group.move_to([LEFT_X, DETAIL_Y, 0], aligned_edge=UP + LEFT)
        return Fade(group)

    def swap(self, texts: dict) -> list[Fade]:
        """Cross-fades to new numbers in the grids of ``texts`` (key → strings, or (strings,
        colour)); grids whose numbers read the same keep their Texts."""
        anims = []
        for key, value in texts.items():
            state = value if isinstance(value, tuple) else (value, None)
            if self.shown.get(key) == state:
                continue
            grid, fade_in = self.grids[key], smooth
            if key in self.shown:
                self.bring_to_front(grid.numbers)  # drawn last: what is below stays still
                out = squish(smooth, 0, 0.45)  # old numbers out, then new ones in
                anims.append(Fade(grid.numbers, fade_in=False, rate_func=out))
                fade_in = squish(smooth, 0.45, 1)
            self.shown[key] = state
            anims.append(Fade(grid.numbers_for(*state, self.cache), rate_func=fade_in))
        return anims

    def pulse(self, keys, color: str) -> list:
        """A short flash of the cells of the grids ``keys`` (their numbers just changed)."""
        return [flash(self.grids[k].cells, color=color, scale_factor=1.03) for k in keys]

    def param_texts(self, e: int, p: int, weights: bool = True, grads: bool = True) -> dict:
        """Strings of weights/biases and/or gradients after phase ``p`` of epoch ``e``."""
        texts, muted = {}, None if self.trace.grad_set[e, p] else self.theme.muted
        for i, layer in enumerate(self.trace.layers):
            w, b = layer.weight, layer.bias
            if weights:
                texts[f"w{i}"] = grid_texts(w.values[e, p, 0, 0])
                texts[f"b{i}"] = grid_texts([b.values[e, p]])
            if grads:
                texts[f"gw{i}"] = (grid_texts(w.grads[e, p, 0, 0]), muted)
                texts[f"gb{i}"] = (grid_texts([b.grads[e, p]]), muted)
        return texts

    def plot_point(self, e: int) -> list:
        """Animations adding epoch ``e``'s loss to the plot (a dot, its value, a segment)."""
        dot = Dot(self.plot_xy(e), radius=0.07, color=self.theme.highlight)
        value = self.text(fixed(self.trace.loss[e]), self.theme.text, 18)
        step = (PLOT_X[1] - PLOT_X[0]) / self.trace.epochs  # labels never reach the next one
        fit_width(value, step - 0.12).next_to(dot, UP, buff=0.08)
        self.plot_dots.add(dot)
        if e == 0:
            return [Fade(dot), Fade(value)]
        segment = Line(self.plot_xy(e - 1), self.plot_xy(e), color=self.theme.highlight)
        return [Fade(dot), Fade(value), Create(segment)]

    # -- mobjects and texts from the trace ------------------------------------------------

    def subtitle(self) -> str:
        t, opt, start = self.trace, self.trace.optimizer, random_start(self.values)
        layers = " → ".join(
            f"Conv2d({lt.layer.in_channels}, {lt.layer.out_channels}, {lt.layer.kernel_size[0]})"
            for lt in t.layers
        )
        sgd = self.tr("SGD lr {lr}", lr=fmt(opt.lr, 6))
        if opt.momentum:
            sgd += self.tr(", momentum {momentum}", momentum=fmt(opt.momentum, 6))
        if start is None:
            start = self.tr("the article's conv1 weights")
        else:
            start = self.tr("{scheme} init, seed {seed}", scheme=start[0], seed=start[1])
        template = "{layers} · MSE loss · {sgd} · {epochs} epochs · {start}"
        return self.tr(template, layers=layers, sgd=sgd, epochs=t.epochs, start=start)

    def phase_caption(self, phase: str, e: int) -> list[str]:
        """The caption of ``phase`` (:data:`PHASE_CAPTION`), with its equation if it has one."""
        lines, t, (i, j) = [self.tr(s) for s in PHASE_CAPTION[phase]], self.trace, self.step_cell
        if phase == "loss":
            lines += [
                self.tr("loss = mean((output − target)²)"),
                f"= ({fixed(t.output[e].item())} {MINUS} {fixed_factor(t.target.item())})²",
                f"= {fixed_factor(t.residual[e].item())}²  =  {fixed(t.loss[e])}",
            ]
        if phase == "backward":
            v = t.layers[0].weight.values[e, :, 0, 0, i, j]  # after each phase
            before, after = v[self.phase_index["loss"]], v[self.phase_index["backward"]]
            lines += [
                self.tr("e.g. {name}.weight[{i}, {j}]:", name=t.layers[0].name, i=i, j=j),
                f"{fixed(before)} → {fixed(after)}",
            ]
        return lines

    def step_equation(self, e: int) -> list[str]:
        """``w ← w − lr·g`` for conv1's ``step_cell``, with the trace's step terms.

        With momentum the direction is the buffer ``buf = momentum·buf + g`` (``g`` itself
        in the first epoch), as ``torch.optim.SGD`` computes it.
        """
        w, opt, (i, j) = self.trace.layers[0].weight, self.trace.optimizer, self.step_cell
        cell, f = (e, 0, 0, i, j), fixed_factor
        lines = [f"{self.trace.layers[0].name}.weight[{i}, {j}]:"]
        if opt.momentum and e == 0:
            lines.append(f"buf = g = {fixed(w.momentum_buffer[cell])}")
        elif opt.momentum:
            m, b = fmt(opt.momentum, 6), f(w.momentum_buffer[e - 1, 0, 0, i, j])
            lines += [f"buf = {m}·{b} + {f(w.grad[cell])}", f"= {fixed(w.momentum_buffer[cell])}"]
        lr, d = fmt(opt.lr, 6), f(w.direction[cell])
        lines.append(f"w' = {fixed(w.before[cell])} {MINUS} {lr}·{d}")
        return [*lines, f"= {fixed(w.after[cell])}"]

    def get_code(self) -> CodePanel:
        """The article's loop, one line per phase in the trace's order."""
        source = [f"for epoch in range({self.trace.epochs}):"]
        source += [f"    {PHASE_CODE[phase]}" for phase in self.trace.phases]
        code = fit_width(CodePanel("\n".join(source), self.theme, 16), SPLIT_X - LEFT_X - 0.05)
        return code.move_to([LEFT_X, TOP_Y, 0], aligned_edge=UP + LEFT)

    def get_grids(self) -> dict[str, Grid]:
        """Input → conv1's feature map → the output in one row; the parameters below."""
        t, th = self.trace, self.theme
        size = t.x.shape[2:]
        title = self.tr("input {shape}", shape=shape(*size))
        row = {"input": Grid(size, title, th.input, th, (0.6, 0.36), **GRID | {"widest": "−0.00"})}
        for i, layer in enumerate(t.layers):
            size = layer.output.shape[-2:]
            title = self.tr("{name} feature map {shape}", name=layer.name, shape=shape(*size))
            if i == len(t.layers) - 1:
                title = self.tr("output {shape}", shape=shape(*size))
            row[f"map{i}"] = Grid(size, title, th.output, th, (0.9, 0.42), **GRID)
        gap = (RIGHT_X - SPLIT_X - 0.45 - sum(g.cells.width for g in row.values())) / (len(row) - 1)
        x = SPLIT_X + 0.15
        for g in row.values():
            g.place(x + g.cells.width / 2, TOP_Y - 1.32)
            x += g.cells.width + gap
        return row | self.get_param_grids()

    def get_param_grids(self) -> dict[str, Grid]:
        """Per layer: weight and bias (upper row), their gradients (lower row)."""
        t, th, grids = self.trace, self.theme, {}
        for i, layer in enumerate(t.layers):
            size, name = layer.weight.initial.shape[-2:], layer.name
            x = SPLIT_X + i * (RIGHT_X - SPLIT_X) / len(t.layers) + 0.2
            rows = [
                ("", WEIGHT_Y, th.kernel, f"{name}.weight {shape(*size)}", self.tr("bias")),
                ("g", GRAD_Y, th.accent, f"{name}.weight.grad", self.tr("bias.grad")),
            ]
            for prefix, top, color, w_title, b_title in rows:
                wg = Grid(size, w_title, color, th, (0.96, 0.42), title_size=20, **GRID)
                bg = Grid((1, 1), b_title, color, th, (0.96, 0.42), title_size=20, **GRID)
                wg.place(x + wg.cells.width / 2, top - 0.42 - wg.cells.height / 2)
                right, cells_top = wg.cells.get_right()[0], wg.cells.get_top()[1]
                bg.place(right + 0.22 + bg.cells.width / 2, cells_top - bg.cells.height / 2)
                grids[f"{prefix}w{i}"], grids[f"{prefix}b{i}"] = wg, bg
        return grids

    def get_arrows(self) -> VGroup:
        """``conv1``/``conv2`` arrows between the grids of the flow row."""
        row = [self.grids["input"], *(self.grids[f"map{i}"] for i in range(len(self.trace.layers)))]
        arrows = VGroup()
        for layer, (a, b) in zip(self.trace.layers, pairwise(row), strict=True):
            ends = a.cells.get_right(), b.cells.get_left()
            arrow = Arrow(*ends, buff=0.1, color=self.theme.muted, stroke_width=4)
            name = label(layer.name, self.theme.kernel, 20)
            arrows.add(VGroup(arrow, name.next_to(arrow, DOWN, 0.1)))
        return arrows

    def get_plot_axes(self) -> VGroup:
        """Axes of the loss plot: epochs 1..E across, loss up from 0."""
        th, (x0, x1) = self.theme, PLOT_X
        axes = VGroup(
            Line([x0, PLOT_BOTTOM, 0], [x1, PLOT_BOTTOM, 0], color=th.muted),
            Line([x0, PLOT_BOTTOM, 0], [x0, PLOT_TOP + 0.3, 0], color=th.muted),
            label(self.tr("loss"), th.muted, 20).next_to([x0, PLOT_TOP + 0.3, 0], UP, 0.1, LEFT),
            label(self.tr("epoch"), th.muted, 20).next_to([x1, PLOT_BOTTOM, 0], RIGHT, buff=0.1),
        )
        for e in range(self.trace.epochs):
            tick = label(str(e + 1), th.muted, 20).next_to(self.plot_xy(e), DOWN, buff=0)
            axes.add(tick.set_y(PLOT_BOTTOM - 0.22))
        return axes

    def plot_xy(self, e: int) -> list[float]:
        """Screen point of epoch ``e``'s loss (the largest loss at the top)."""
        x = PLOT_X[0] + (e + 0.5) * (PLOT_X[1] - PLOT_X[0]) / self.trace.epochs
        return [x, PLOT_BOTTOM + (PLOT_TOP - PLOT_BOTTOM) * self.trace.loss_fraction[e], 0.0]
