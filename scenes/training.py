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
"""

from __future__ import annotations

import numbers
from itertools import pairwise

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Code,
    Create,
    Dot,
    FadeIn,
    FadeOut,
    Indicate,
    Line,
    Rectangle,
    VGroup,
    smooth,
    squish_rate_func,
)

from convcore.init import SCHEMES
from convcore.train import TrainingState, TrainingTrace, article_example, random_state
from convcore.train import trace_training as run_training
from scenes.common import MONO, Appear, ConvScene, ValueGrid, label, title_bar
from scenes.textfmt import MINUS, fixed, fmt, shape

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
MAX_EPOCHS = 5
MAX_ABS = 100.0  #: largest |value| drawn with 4 decimals in a cell
LEFT_X, SPLIT_X, RIGHT_X = -6.95, -2.05, 6.95  # left column | right region
TOP_Y = 2.72  # below the title bar
DETAIL_Y = 0.5  # top of the phase caption and equation
PLOT_BOTTOM, PLOT_TOP = -3.5, -2.3
PLOT_X = (LEFT_X + 0.3, SPLIT_X - 1.0)  # x of the loss axis and the end of the epoch axis
WEIGHT_Y, GRAD_Y = 0.3, -1.62  # tops of the weight and gradient rows (titles included)
STATUS_Y = -3.65


def check_drawable(trace: TrainingTrace) -> None:
    """Raise ``ValueError`` when a value grows too large to draw with 4 decimals."""
    arrays = [trace.x, trace.loss, trace.residual]
    for layer in trace.layers:
        arrays += [layer.output, layer.weight.values, layer.weight.grads]
        arrays += [layer.bias.values, layer.bias.grads, layer.weight.momentum_buffer]
    largest = max(float(np.max(np.abs(a))) for a in arrays)
    if not np.isfinite(largest) or largest >= MAX_ABS:
        raise ValueError(
            f"training diverges (a value reaches {largest:.4g}); numbers of |value| >= "
            f"{MAX_ABS:g} cannot be drawn: use a smaller lr or fewer epochs"
        )


def join_lines(lines) -> str:
    """Lines as one caption: a space between them, none after a full-width (CJK) sign."""
    text = ""
    for line in lines:
        text += line if not text or "\uff00" <= text[-1] <= "\uffef" else " " + line
    return text


def factor(value: float) -> str:
    """:func:`fixed` with parentheses around a negative number, for products."""
    text = fixed(value)
    return f"({text})" if text.startswith(MINUS) else text


class TrainingStep(ConvScene):
    """The five phases of each epoch; only ``step`` changes the weights; the loss goes down."""

    title_text = "When are the kernel weights updated?"
    lr = 0.01
    epochs = 3
    momentum = 0.0
    seed = None  #: with ``init``: a random start drawn by ``random_state`` from this seed
    init = None  #: weight scheme of the random start; both None → the article's example
    step_cell = (0, 0)  #: the conv1 weight whose update is written out
    slow_epochs = 1

    # -- the trace ----------------------------------------------------------------------

    @classmethod
    def make_state(cls) -> TrainingState:
        """The article's example, or a seeded random start (raises ``ValueError``)."""
        if cls.seed is None and cls.init is None:
            return article_example()
        scheme = "xavier_uniform" if cls.init is None else cls.init
        usable = [s for s in SCHEMES if s != "constant"]
        if scheme not in usable:
            raise ValueError(f"init must be one of {', '.join(usable)}, got {scheme!r}")
        seed = 0 if cls.seed is None else cls.seed
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError(f"seed must be an int >= 0, got {seed!r}")
        example = article_example()
        rng = np.random.default_rng(seed)
        return random_state(example.layers, example.x.shape, rng=rng, scheme=scheme)

    @classmethod
    def make_trace(cls) -> TrainingTrace:
        """The training run this scene draws (raises ``ValueError`` on unusable parameters)."""
        epochs = cls.epochs
        if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral):
            raise ValueError(f"epochs must be an int from 1 to {MAX_EPOCHS}, got {epochs!r}")
        if not 1 <= epochs <= MAX_EPOCHS:
            raise ValueError(f"epochs must be from 1 to {MAX_EPOCHS}, got {epochs}")
        if not isinstance(cls.lr, numbers.Real) or not cls.lr > 0:
            raise ValueError(f"lr must be a number > 0, got {cls.lr!r}")
        if not isinstance(cls.momentum, numbers.Real) or not 0 <= cls.momentum < 1:
            raise ValueError(f"momentum must be a number in [0, 1), got {cls.momentum!r}")
        trace = run_training(cls.make_state(), epochs=epochs, lr=cls.lr, momentum=cls.momentum)
        check_drawable(trace)
        return trace

    def setup(self):
        super().setup()
        self.trace = self.make_trace()
        self.phase_index = {phase: p for p, phase in enumerate(self.trace.phases)}
        self.shown: dict[str, VGroup] = {}  # grid key → the number Texts on screen
        self.shown_state: dict = {}  # grid key → (strings, colour) on screen
        self.text_cache: dict = {}
        self.snapshots: list[tuple[int, str, dict[str, list[str]]]] = []
        self.step_texts: list[list[str]] = []
        self.detail, self.marker = VGroup(), None

    def construct(self):
        self.show_setup()
        for e in range(self.trace.epochs):
            self.run_epoch(e, slow=e < self.slow_epochs)
        self.conclude()

    # -- beats --------------------------------------------------------------------------

    def show_setup(self):
        th = self.theme
        title, subtitle = self.tr(self.title_text), self.subtitle()
        self.title = title_bar(title, th, subtitle)
        self.cue(self.tr("{title} {subtitle}.", title=title, subtitle=subtitle))
        self.play(FadeIn(self.title), run_time=0.8)
        self.code, self.code_lines = self.get_code()
        self.grids = self.get_grids()
        self.arrows = self.get_arrows()
        self.axes = self.get_plot_axes()
        self.play(FadeIn(self.code), FadeIn(VGroup(*self.grids.values())), run_time=1.2)
        numbers = self.swap({"input": self.input_texts()})
        numbers += self.swap(self.param_texts(0, self.phase_index["zero_grad"], grads=False))
        self.play(
            FadeIn(self.arrows),
            Create(self.axes),
            *numbers,
            self.show_detail([self.tr("the starting point"), *map(self.tr, START_CAPTION)]),
            run_time=1.5,
        )
        self.wait(3)

    def run_epoch(self, e: int, slow: bool):
        self.epoch_tag(e)
        if not slow:
            self.cue(
                self.tr(
                    "Epoch {epoch}: the same phases; loss {loss}, "
                    "and again only step() moves the weights.",
                    epoch=e + 1,
                    loss=fixed(self.trace.loss[e]),
                )
            )
        for phase in self.trace.phases:
            lead = [self.mark_line(phase)]  # played with the phase's first animation
            getattr(self, f"phase_{phase}")(e, slow, lead)
            self.snapshots.append((e, phase, self.numbers_on_screen()))

    def phase_zero_grad(self, e: int, slow: bool, lead: list):
        texts = self.param_texts(e, self.phase_index["zero_grad"], weights=False)
        self.play(
            *lead,
            self.show_detail(self.phase_caption("zero_grad"), slow),
            *self.swap(texts),
            *self.pulse(texts, self.theme.muted),
            run_time=1.2 if slow else 0.6,
        )
        self.wait(2.5 if slow else 0.5)

    def phase_forward(self, e: int, slow: bool, lead: list):
        for i, layer in enumerate(self.trace.layers):
            key = f"map{i}"
            first = [*lead, self.show_detail(self.phase_caption("forward"), slow)] if i == 0 else []
            self.play(
                *first,
                Indicate(self.arrows[i], color=self.theme.highlight),
                *self.swap({key: self.texts(layer.output[e, 0, 0])}),
                *self.pulse([key], self.theme.output),
                run_time=1.5 if slow else 0.6,
            )
        self.wait(2.5 if slow else 0.4)

    def phase_loss(self, e: int, slow: bool, lead: list):
        t = self.trace
        lines = [
            *self.phase_caption("loss"),
            self.tr("loss = mean((output − target)²)"),
            f"= ({fixed(t.output[e].item())} {MINUS} {factor(t.target.item())})²",
            f"= {factor(t.residual[e].item())}²  =  {fixed(t.loss[e])}",
        ]
        self.play(*lead, self.show_detail(lines, slow), run_time=1.0 if slow else 0.5)
        self.play(*self.plot_point(e), run_time=1.0 if slow else 0.5)
        self.wait(3.5 if slow else 1.0)

    def phase_backward(self, e: int, slow: bool, lead: list):
        p = self.phase_index["backward"]
        w, (i, j) = self.trace.layers[0].weight, self.step_cell
        before = self.phase_index["loss"]
        lines = [
            *self.phase_caption("backward"),
            self.tr("e.g. {name}.weight[{i}, {j}]:", name=self.trace.layers[0].name, i=i, j=j),
            f"{fixed(w.values[e, before, 0, 0, i, j])} → {fixed(w.values[e, p, 0, 0, i, j])}",
        ]
        # the weights' snapshot after backward reads the same as before: their Texts stay
        numbers = self.swap(self.param_texts(e, p))
        self.locks = self.get_locks()
        self.status = self.label(self.tr(STATUS), self.theme.output, 20)
        if self.status.width > RIGHT_X - SPLIT_X - 0.2:
            self.status.scale_to_fit_width(RIGHT_X - SPLIT_X - 0.2)
        self.status.move_to([(SPLIT_X + RIGHT_X) / 2, STATUS_Y, 0])
        self.play(
            *lead,
            self.show_detail(lines, slow),
            *numbers,
            *self.pulse(self.param_keys(params=False), self.theme.accent),
            run_time=1.4 if slow else 0.6,
        )
        self.play(Create(self.locks), Appear(self.status), run_time=1.0 if slow else 0.5)
        self.wait(4 if slow else 1.0)

    def phase_step(self, e: int, slow: bool, lead: list):
        lines, cell_boxes = self.step_equation(e), self.get_step_boxes()
        self.step_texts.append(lines)
        self.play(
            *lead,
            self.show_detail([self.step_caption(), *lines], slow),
            FadeOut(self.locks),
            Appear(self.status, reverse=True),
            Create(cell_boxes),
            run_time=1.2 if slow else 0.6,
        )
        self.wait(4 if slow else 1.5)
        texts = self.param_texts(e, self.phase_index["step"], grads=False)
        self.play(
            *self.swap(texts),
            *self.pulse(texts, self.theme.highlight),
            run_time=1.4 if slow else 0.7,
        )
        self.wait(1.5 if slow else 0.5)
        self.play(FadeOut(cell_boxes), run_time=0.3)

    def conclude(self):
        trend = " → ".join(fixed(v) for v in self.trace.loss)
        self.play(
            FadeOut(self.marker),
            FadeOut(self.tag),
            self.show_detail([self.tr("loss per epoch"), trend, *map(self.tr, END_CAPTION)]),
            run_time=0.8,
        )
        self.play(Indicate(self.plot_dots, color=self.theme.highlight), run_time=1.2)
        self.wait(4)

    # -- small animation helpers ----------------------------------------------------------

    def mark_line(self, phase: str):
        """An animation moving the highlight bar to the line of the running phase."""
        line = self.code_lines[phase]
        bar = Rectangle(
            width=self.code.width - 0.12,
            height=line.height + 0.12,
            stroke_width=0,
            fill_color=self.theme.highlight,
            fill_opacity=0.3,
        )
        bar.move_to(line).align_to(self.code, LEFT).shift(0.06 * RIGHT)
        if self.marker is None:
            self.marker = bar
            return FadeIn(bar)
        return self.marker.animate.move_to(bar)

    def epoch_tag(self, e: int):
        """``# epoch k/E`` beside the ``for`` line."""
        tag = self.label(
            self.tr("# epoch {epoch}/{epochs}", epoch=e + 1, epochs=self.trace.epochs),
            self.theme.muted,
            18,
        )
        tag.next_to(self.code_lines["for"], RIGHT, buff=0.35)
        if e > 0:
            self.remove(self.tag)
        self.tag = tag
        self.play(Appear(tag), run_time=0.5)

    def show_detail(self, lines, cue: bool = True) -> Appear:
        """Swap the text under the code: a caption line, then the phase's equation.

        The old text goes at once; returns the animation that brings the new one in. With
        ``cue`` the lines also become the video's caption from now on.
        """
        if cue:
            rest = join_lines(lines[1:])
            self.cue(self.tr("{head} — {rest}", head=lines[0], rest=rest) if rest else lines[0])
        texts = [self.label(lines[0], self.theme.highlight, 24)]
        texts += [self.label(s, self.theme.text, 20) for s in lines[1:]]
        for text in texts:
            if text.width > SPLIT_X - LEFT_X - 0.15:
                text.scale_to_fit_width(SPLIT_X - LEFT_X - 0.15)
        group = VGroup(*texts).arrange(DOWN, buff=0.13, aligned_edge=LEFT)
        group.move_to([LEFT_X, DETAIL_Y, 0], aligned_edge=UP + LEFT)
        self.remove(self.detail)
        self.detail = group
        return Appear(group)

    def label(self, text: str, color: str, size: float = 22):
        """A caption, built once per distinct text; reused while off screen, else copied."""
        key = (text, color, size)
        if key not in self.text_cache:
            self.text_cache[key] = label(text, color, size)
            return self.text_cache[key]
        cached = self.text_cache[key]
        if cached in self.get_mobject_family_members():
            return cached.copy().set_fill(opacity=1)
        return cached.set_fill(opacity=1)

    def swap(self, texts: dict) -> list[Appear]:
        """Put new numbers in the grids of ``texts`` (key → strings, or (strings, colour)).

        Returns the animations that cross-fade old and new numbers. Numbers that read the
        same keep their Texts (building Texts is the slow part).
        """
        anims = []
        for key, value in texts.items():
            strings, color = value if isinstance(value, tuple) else (value, None)
            state = ([list(row) for row in strings], color)
            fade_in = smooth
            if key in self.shown:
                if self.shown_state[key] == state:
                    continue
                out = squish_rate_func(smooth, 0, 0.45)  # old numbers out, then new ones in
                anims.append(Appear(self.shown[key], reverse=True, rate_func=out))
                fade_in = squish_rate_func(smooth, 0.45, 1)
            self.shown_state[key] = state
            self.shown[key] = self.grids[key].numbers_for(strings, color, self.text_cache)
            anims.append(Appear(self.shown[key], rate_func=fade_in))
        return anims

    def pulse(self, keys, color: str | None = None) -> list:
        """A short flash of the cells of the grids ``keys`` (their numbers just changed)."""
        color = color or self.theme.highlight
        return [Indicate(self.grids[k].cells, color=color, scale_factor=1.03) for k in keys]

    def param_texts(self, e: int, p: int, weights: bool = True, grads: bool = True) -> dict:
        """Strings of weights/biases and/or gradients after phase ``p`` of epoch ``e``."""
        texts = {}
        for i, layer in enumerate(self.trace.layers):
            if weights:
                texts[f"w{i}"] = self.texts(layer.weight.values[e, p, 0, 0])
                texts[f"b{i}"] = [[fixed(layer.bias.values[e, p, 0])]]
            if grads:
                muted = None if self.trace.grad_set[e, p] else self.theme.muted
                texts[f"gw{i}"] = (self.texts(layer.weight.grads[e, p, 0, 0]), muted)
                texts[f"gb{i}"] = ([[fixed(layer.bias.grads[e, p, 0])]], muted)
        return texts

    def param_keys(self, params: bool = True, grads: bool = True) -> list[str]:
        keys = []
        for i in range(len(self.trace.layers)):
            keys += [f"w{i}", f"b{i}"] if params else []
            keys += [f"gw{i}", f"gb{i}"] if grads else []
        return keys

    def numbers_on_screen(self) -> dict[str, list[str]]:
        """The strings each grid shows now (for tests)."""
        return {k: [n.original_text for n in v] for k, v in self.shown.items()}

    def plot_point(self, e: int) -> list:
        """Animations adding epoch ``e``'s loss to the plot (a dot, its value, a segment)."""
        dot = Dot(self.plot_xy(e), radius=0.07, color=self.theme.highlight)
        value = self.label(fixed(self.trace.loss[e]), self.theme.text, 18)
        value.next_to(dot, RIGHT, buff=0.08).shift(0.14 * UP)
        anims = [FadeIn(dot, scale=2), Appear(value)]
        if e == 0:
            self.plot_dots, self.plot_values = VGroup(), VGroup()
        else:
            segment = Line(self.plot_xy(e - 1), self.plot_xy(e), color=self.theme.highlight)
            anims.append(Create(segment))
        self.plot_dots.add(dot)
        self.plot_values.add(value)
        return anims

    # -- mobjects from the trace ----------------------------------------------------------

    def subtitle(self) -> str:
        t, opt = self.trace, self.trace.optimizer
        layers = " → ".join(
            f"Conv2d({layer.layer.in_channels}, {layer.layer.out_channels}, "
            f"{layer.layer.kernel_size[0]})"
            for layer in t.layers
        )
        sgd = self.tr("SGD lr {lr}", lr=fmt(opt.lr, 6))
        if opt.momentum:
            sgd += self.tr(", momentum {momentum}", momentum=fmt(opt.momentum, 6))
        return self.tr(
            "{layers} · MSE loss · {sgd} · {epochs} epochs · {start}",
            layers=layers,
            sgd=sgd,
            epochs=t.epochs,
            start=self.start(),
        )

    def start(self) -> str:
        if self.seed is None and self.init is None:
            return self.tr("the article's conv1 weights")
        scheme = "xavier_uniform" if self.init is None else self.init
        seed = 0 if self.seed is None else self.seed
        return self.tr("{scheme} init, seed {seed}", scheme=scheme, seed=seed)

    def phase_caption(self, phase: str) -> list[str]:
        """The lines of :data:`PHASE_CAPTION` for ``phase``, in the scene's language."""
        return [self.tr(line) for line in PHASE_CAPTION[phase]]

    def texts(self, values: np.ndarray, digits: int = 4) -> list[list[str]]:
        return [[fixed(v, digits) for v in row] for row in values]

    def input_texts(self) -> list[list[str]]:
        return self.texts(self.trace.x[0, 0], digits=2)

    def get_code(self) -> tuple[Code, dict]:
        """The article's loop, one line per phase in the trace's order, and its lines by name."""
        source = [f"for epoch in range({self.trace.epochs}):"]
        source += [f"    {PHASE_CODE[phase]}" for phase in self.trace.phases]
        code = Code(
            code_string="\n".join(source),
            language="python",
            add_line_numbers=False,
            formatter_style=self.theme.code_style,
            background="rectangle",
            background_config={"buff": 0.16},
            paragraph_config={"font": MONO, "font_size": 16},
        )
        if code.width > SPLIT_X - LEFT_X - 0.05:
            code.scale_to_fit_width(SPLIT_X - LEFT_X - 0.05)
        code.move_to([LEFT_X, TOP_Y, 0], aligned_edge=UP + LEFT)
        rows = code.code_lines
        lines = {"for": rows[0]} | {ph: rows[k + 1] for k, ph in enumerate(self.trace.phases)}
        return code, lines

    def get_grids(self) -> dict[str, ValueGrid]:
        return self.get_flow_grids() | self.get_param_grids()

    def get_flow_grids(self) -> dict[str, ValueGrid]:
        """Input → conv1's feature map → the output, in one row."""
        t, th = self.trace, self.theme
        h, w = t.x.shape[2:]
        title = self.tr("input {shape}", shape=shape(h, w))
        grids = {"input": ValueGrid((h, w), title, th.input, th, 0.6, 0.36, "−0.00")}
        for i, layer in enumerate(t.layers):
            oh, ow = layer.output.shape[-2:]
            last = i == len(t.layers) - 1
            if last:
                title = self.tr("output {shape}", shape=shape(oh, ow))
            else:
                title = self.tr("{name} feature map {shape}", name=layer.name, shape=shape(oh, ow))
            grids[f"map{i}"] = ValueGrid((oh, ow), title, th.output, th, 0.9, 0.42, "−0.0000")
        row = list(grids.values())
        gap = (RIGHT_X - SPLIT_X - 0.45 - sum(g.cells.width for g in row)) / (len(row) - 1)
        x = SPLIT_X + 0.15
        for g in row:
            g.place(x + g.cells.width / 2, TOP_Y - 0.42 - 0.9)
            x += g.cells.width + gap
        return grids

    def get_param_grids(self) -> dict[str, ValueGrid]:
        """Per layer: weight and bias (upper row), their gradients (lower row)."""
        t, th = self.trace, self.theme
        grids = {}
        width = (RIGHT_X - SPLIT_X) / len(t.layers)
        for i, layer in enumerate(t.layers):
            kh, kw = layer.weight.initial.shape[-2:]
            name = layer.name
            specs = [
                (f"w{i}", (kh, kw), f"{name}.weight {shape(kh, kw)}", th.kernel),
                (f"b{i}", (1, 1), self.tr("bias"), th.kernel),
                (f"gw{i}", (kh, kw), f"{name}.weight.grad", th.accent),
                (f"gb{i}", (1, 1), self.tr("bias.grad"), th.accent),
            ]
            for key, grid_shape, title, color in specs:
                grids[key] = ValueGrid(grid_shape, title, color, th, 0.96, 0.42, "−0.0000", 20)
            x0 = SPLIT_X + i * width + 0.2
            for w_key, b_key, top in ((f"w{i}", f"b{i}", WEIGHT_Y), (f"gw{i}", f"gb{i}", GRAD_Y)):
                wg, bg = grids[w_key], grids[b_key]
                wg.place(x0 + wg.cells.width / 2, top - 0.42 - wg.cells.height / 2)
                bg.next_to(wg.cells, RIGHT, buff=0.22, aligned_edge=UP)
                bg.shift((wg.cells.get_top()[1] - bg.cells.get_top()[1]) * UP)
        return grids

    def get_arrows(self) -> VGroup:
        """``conv1``/``conv2`` arrows between the grids of the flow row."""
        row = [self.grids["input"], *(self.grids[f"map{i}"] for i in range(len(self.trace.layers)))]
        arrows = VGroup()
        for i, (a, b) in enumerate(pairwise(row)):
            arrow = Arrow(
                a.cells.get_right(),
                b.cells.get_left(),
                buff=0.1,
                color=self.theme.muted,
                stroke_width=4,
                max_tip_length_to_length_ratio=0.25,
            )
            name = label(self.trace.layers[i].name, self.theme.kernel, 20)
            arrows.add(VGroup(arrow, name.next_to(arrow, DOWN, 0.1)))
        return arrows

    def get_locks(self) -> VGroup:
        """Outlines around the weight and bias grids while they must not change."""
        boxes = VGroup()
        for i in range(len(self.trace.layers)):
            both = VGroup(self.grids[f"w{i}"].cells, self.grids[f"b{i}"].cells)
            box = Rectangle(width=both.width + 0.1, height=both.height + 0.1)
            boxes.add(box.set_stroke(self.theme.output, 5).move_to(both))
        return boxes

    def get_step_boxes(self) -> VGroup:
        """Highlight the written-out weight and its gradient."""
        i, j = self.step_cell
        boxes = VGroup()
        for key in ("w0", "gw0"):
            cell = self.grids[key].cell(i, j)
            box = Rectangle(width=cell.width, height=cell.height).move_to(cell)
            boxes.add(box.set_stroke(self.theme.highlight, 6))
        return boxes

    def step_equation(self, e: int) -> list[str]:
        """``w ← w − lr·g`` for conv1's ``step_cell``, with the trace's step terms.

        With momentum the direction is the buffer ``buf = momentum·buf + g`` (``g`` itself
        in the first epoch), as ``torch.optim.SGD`` computes it.
        """
        w, opt = self.trace.layers[0].weight, self.trace.optimizer
        cell = (e, 0, 0, *self.step_cell)
        lr = fmt(opt.lr, 6)
        i, j = self.step_cell
        lines = [f"conv1.weight[{i}, {j}]:"]
        if opt.momentum:
            if e == 0:
                lines.append(f"buf = g = {fixed(w.momentum_buffer[cell])}")
            else:
                prev = (e - 1, *cell[1:])
                m, b, g = (
                    fmt(opt.momentum, 6),
                    factor(w.momentum_buffer[prev]),
                    factor(w.grad[cell]),
                )
                lines += [f"buf = {m}·{b} + {g}", f"= {fixed(w.momentum_buffer[cell])}"]
        lines += [
            f"w' = {fixed(w.before[cell])} {MINUS} {lr}·{factor(w.direction[cell])}",
            f"= {fixed(w.after[cell])}",
        ]
        return lines

    def step_caption(self) -> str:
        direction = "buf" if self.trace.optimizer.momentum else "g"
        return self.tr("step(): w' = w − lr·{direction}, every w", direction=direction)

    def get_plot_axes(self) -> VGroup:
        """Axes of the loss plot: epochs 1..E across, loss up from 0."""
        th = self.theme
        x0, x1 = PLOT_X
        axes = VGroup(
            Line([x0, PLOT_BOTTOM, 0], [x1, PLOT_BOTTOM, 0], color=th.muted),
            Line([x0, PLOT_BOTTOM, 0], [x0, PLOT_TOP + 0.3, 0], color=th.muted),
            label(self.tr("loss"), th.muted, 20).next_to([x0, PLOT_TOP + 0.3, 0], RIGHT, buff=0.12),
            label(self.tr("epoch"), th.muted, 20).next_to([x1, PLOT_BOTTOM, 0], RIGHT, buff=0.1),
        )
        for e in range(self.trace.epochs):
            tick = label(str(e + 1), th.muted, 20).next_to(self.plot_xy(e), DOWN, buff=0)
            axes.add(tick.set_y(PLOT_BOTTOM - 0.22))
        return axes

    def plot_xy(self, e: int) -> np.ndarray:
        """Screen point of epoch ``e``'s loss (axes scaled to the largest loss)."""
        x0, x1 = PLOT_X
        x = x0 + (e + 0.5) * (x1 - x0) / self.trace.epochs
        top = float(np.max(self.trace.loss))
        y = PLOT_BOTTOM + (PLOT_TOP - PLOT_BOTTOM) * float(self.trace.loss[e]) / top
        return np.array([x, y, 0.0])
