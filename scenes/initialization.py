"""Initialising a conv weight: each scheme's sample, its formula with the fans, its use.

The article's part 8. For every scheme (normal, uniform, Xavier uniform and normal, Kaiming
normal and uniform, constant) one ``Conv2d`` weight of shape 64×32×3×3 is drawn with an
explicit ``numpy.random.default_rng(seed)``; its histogram is drawn against the expected
counts (or the uniform bounds), beside the formula with ``fan_in``/``fan_out`` substituted and
the activation the scheme suits. The close shows why a constant never breaks symmetry: two
filters that start equal get equal gradients. Every number comes from
:func:`convcore.init.describe_init` and :func:`convcore.train.symmetry_trace`. Render:

    manim render -ql scenes/initialization.py Initialization
    convanim build initialization --quality low
    convanim build initialization --seed 3 --bins 30
"""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    DashedLine,
    GrowFromEdge,
    Indicate,
    Line,
    Rectangle,
    VGroup,
    VMobject,
)

from convcore.init import SUITS, InitTrace
from scenes.kit.anim import Fade, fade_out
from scenes.kit.fmt import fixed, fmt, shape
from scenes.kit.grid import Grid
from scenes.kit.scene import ConvScene, beat
from scenes.kit.text import TextCache, fit_width, label, title_bar, wrap_words
from scenes.kit.theme import FONT, MONO
from scenes.specs.initialization import SPEC

#: Display name of each scheme.
NAMES = {
    "normal": "Normal",
    "uniform": "Uniform",
    "xavier_uniform": "Xavier (Glorot) uniform",
    "xavier_normal": "Xavier (Glorot) normal",
    "kaiming_normal": "Kaiming (He) normal",
    "kaiming_uniform": "Kaiming (He) uniform",
    "constant": "Constant",
}
#: The ``torch.nn.init`` call of each scheme (``{val}``: the constant).
CALLS = {
    "normal": "nn.init.normal_(w, mean=0, std=1)",
    "uniform": "nn.init.uniform_(w, a=0, b=1)",
    "xavier_uniform": "nn.init.xavier_uniform_(w)",
    "xavier_normal": "nn.init.xavier_normal_(w)",
    "kaiming_normal": "nn.init.kaiming_normal_(w, mode='fan_in',\n    nonlinearity='relu')",
    "kaiming_uniform": "nn.init.kaiming_uniform_(w, mode='fan_in',\n    nonlinearity='relu')",
    "constant": "nn.init.constant_(w, {val})",
}
#: The last line, by whether the constant net's two filters are still equal after ``step``.
CLOSING = {
    True: "After step() the constant filters are still equal: they stay copies, one feature.",
    False: "After step() the constant filters differ.",
}
HIST_LEFT, HIST_RIGHT, HIST_BOTTOM, HIST_TOP = -5.9, 0.0, -2.3, 1.75
PANEL_X, PANEL_TOP = 0.6, 2.62  # left edge and top of the formula panel
PANEL_RIGHT = 6.95  # the panel's lines end before this x
STATS_Y = -3.48
SUITS_WIDTH = 44  # characters per line of the "suits" text


class Initialization(ConvScene):
    """One histogram layout, seven schemes swapped through it, then the symmetry problem."""

    spec = SPEC
    title_text = "Initialising the kernel weights"
    slow_schemes = 1  # schemes shown slowly

    def setup(self):
        super().setup()
        self.cache = TextCache()
        self.panel, self.plot = VGroup(), VGroup()

    def construct(self):
        self.show_title()
        for k, init in enumerate(self.trace.inits):
            self.show_scheme(init, slow=k < self.slow_schemes)
        self.show_symmetry()

    # -- beats --------------------------------------------------------------------------

    @beat
    def show_title(self):
        title = self.tr(self.title_text)
        subtitle = self.tr(
            "each scheme fills one Conv2d weight of shape {shape} · numpy default_rng({seed})",
            shape=shape(*self.trace.inits[0].shape),
            seed=self.trace.seed,
        )
        self.title = title_bar(title, self.theme, subtitle)
        self.cue(self.tr("{title}: {subtitle}.", title=title, subtitle=subtitle))
        self.axes = self.get_axes()
        self.play(Fade(self.title), Create(self.axes), run_time=1.5)
        self.wait(1)

    @beat
    def show_scheme(self, t: InitTrace, slow: bool):
        name, call, formula, numbers, suits = self.get_panel(t)
        bars, theory, (marks, stats) = self.get_bars(t), self.get_theory(t), self.get_marks(t)
        self.remove(*self.panel, *self.plot)
        self.panel = VGroup(name, call, formula, numbers, suits)
        self.plot = VGroup(bars, theory, marks, stats)
        self.cue(
            self.tr(
                "{name}: {formula}. Suits {suits}.",
                name=self.tr(NAMES[t.scheme]),
                formula="; ".join(t.substituted),
                suits=self.tr(SUITS[t.scheme]),
            )
        )
        self.play(Fade(VGroup(name, call, formula)), run_time=0.8 if slow else 0.5)
        self.play(GrowFromEdge(bars, DOWN), Fade(marks), run_time=1.4 if slow else 0.8)
        self.play(Create(theory), Fade(stats), run_time=1.0 if slow else 0.6)
        self.wait(1.5 if slow else 0.8)
        self.play(Fade(numbers), run_time=1.0 if slow else 0.6)
        self.wait(2 if slow else 1.5)
        self.play(Fade(suits), run_time=0.8 if slow else 0.5)
        self.wait(2.5 if slow else 2.0)

    @beat
    def show_symmetry(self):
        self.play(*fade_out(self.panel, self.plot, self.axes), run_time=0.6)
        header = self.get_symmetry_header()
        question, setup = (line.original_text for line in header)
        self.cue(self.tr("{question} {setup}.", question=question, setup=setup))
        self.play(Fade(header), run_time=0.8)
        self.wait(2)
        for k in range(2):
            grids, numbers, sign, tag = self.get_symmetry_row(k)
            self.cue(self.symmetry_cue(k, tag, sign))
            self.play(Fade(grids), Fade(tag), run_time=0.8)
            self.play(*(Fade(n) for n in numbers), run_time=0.8)
            self.play(Fade(sign), run_time=0.8)
            self.play(Indicate(sign[0], color=self.theme.highlight), run_time=0.8)
            self.wait(2.5)
        text = self.tr(CLOSING[self.trace.symmetry.constant_after_equal])
        closing = fit_width(label(text, self.theme.text, 22)).move_to([0, STATS_Y + 0.05, 0])
        self.cue(text)
        self.play(Fade(closing), run_time=0.8)
        self.wait(3.5)

    # -- the histogram ------------------------------------------------------------------

    def get_axes(self) -> VGroup:
        """Baseline, count axis and their names: the layout every scheme reuses."""
        th = self.theme
        corner, top = [HIST_LEFT, HIST_BOTTOM, 0], [HIST_LEFT, HIST_TOP + 0.2, 0]
        return VGroup(
            Line(corner, [HIST_RIGHT, HIST_BOTTOM, 0], color=th.muted),
            Line(corner, top, color=th.muted),
            label(self.tr("count"), th.muted, 20).next_to(top, UP, buff=0.1),
            label(self.tr("weight value"), th.muted, 20).move_to(
                [(HIST_LEFT + HIST_RIGHT) / 2, HIST_BOTTOM - 0.62, 0]
            ),
        )

    def x_of(self, t: InitTrace, value: float) -> float:
        """Screen x of a weight value: the histogram's range fills the axis."""
        lo, hi = float(t.edges[0]), float(t.edges[-1])
        return HIST_LEFT + 0.1 + (HIST_RIGHT - HIST_LEFT - 0.2) * (value - lo) / (hi - lo)

    def y_of(self, t: InitTrace, count: float) -> float:
        """Screen y of a count: the taller of the bars and the expected counts reaches the top."""
        return HIST_BOTTOM + (HIST_TOP - HIST_BOTTOM) * count / max(t.max_count, t.max_expected)

    def get_bars(self, t: InitTrace) -> VGroup:
        """One Rectangle per bin with a nonzero count, from ``t.counts`` over ``t.edges``."""
        bars = VGroup()
        for count, lo, hi in zip(t.counts, t.edges[:-1], t.edges[1:], strict=True):
            if count == 0:
                continue
            x0, x1 = self.x_of(t, lo), self.x_of(t, hi)
            bar = Rectangle(width=x1 - x0, height=self.y_of(t, count) - HIST_BOTTOM)
            bar.set_fill(self.theme.kernel, 0.75).set_stroke(self.theme.background, 1)
            bars.add(bar.move_to([(x0 + x1) / 2, HIST_BOTTOM, 0], aligned_edge=DOWN))
        return bars

    def get_theory(self, t: InitTrace) -> VMobject:
        """Expected counts: a curve (normal), a level between dashed bounds (uniform)."""
        th = self.theme
        if t.distribution == "constant":
            return VMobject()
        points = [
            [self.x_of(t, c), self.y_of(t, n), 0]
            for c, n in zip(t.centres, t.expected_counts, strict=True)
        ]
        if t.distribution == "normal":
            return VMobject(stroke_color=th.input, stroke_width=5).set_points_smoothly(points)
        level = self.y_of(t, float(t.expected_counts[0]))
        left, right = self.x_of(t, t.low), self.x_of(t, t.high)
        return VGroup(
            Line([left, level, 0], [right, level, 0], color=th.input, stroke_width=5),
            *(
                DashedLine([x, HIST_BOTTOM, 0], [x, HIST_TOP + 0.1, 0], color=th.input)
                for x in (left, right)
            ),
        )

    def get_marks(self, t: InitTrace) -> tuple[VGroup, VGroup]:
        """Value labels under the axis, the count of the tallest bar and the legend; the
        sample's and the theory's statistics."""
        th = self.theme
        marks = VGroup()
        for k in (0, len(t.edges) // 2, len(t.edges) - 1):
            value = label(fmt(t.edges[k], 4), th.text, 20)
            marks.add(value.move_to([self.x_of(t, t.edges[k]), HIST_BOTTOM - 0.25, 0]))
        tallest = [HIST_LEFT, self.y_of(t, t.max_count), 0]
        marks.add(label(str(t.max_count), th.muted, 20).next_to(tallest, LEFT, buff=0.1))
        marks.add(self.get_legend(t))
        mean, std = fmt(t.sample_mean, 4), fmt(t.sample_std, 4)
        stats = VGroup(
            label(self.tr("sample: mean {mean}, std {std}", mean=mean, std=std), th.text, 20),
            label(
                self.tr("theory: mean {mean}, std {std}", mean=fmt(t.mean, 4), std=fmt(t.std, 4)),
                th.input,
                20,
            ),
        ).arrange(DOWN, buff=0.1, aligned_edge=LEFT)
        return marks, stats.move_to([HIST_LEFT, STATS_Y, 0], aligned_edge=LEFT)

    def get_legend(self, t: InitTrace) -> VGroup:
        th = self.theme
        if t.distribution == "constant":
            text = self.tr("all {n} weights = {value}", n=t.n_weights, value=fmt(t.mean, 4))
            items = [label(text, th.kernel, 20)]
        else:
            theory = self.tr(
                "expected counts" if t.distribution == "normal" else "expected level, bounds"
            )
            items = [
                label(self.tr("bars: the sample"), th.kernel, 20),
                label(self.tr("line: {theory}", theory=theory), th.input, 20),
            ]
        legend = VGroup(*items).arrange(DOWN, buff=0.1, aligned_edge=RIGHT)
        return legend.move_to([HIST_RIGHT, HIST_TOP + 0.25, 0], aligned_edge=DOWN + RIGHT)

    # -- the formula panel --------------------------------------------------------------

    def get_panel(self, t: InitTrace) -> tuple[VGroup, ...]:
        """Name, torch call, formula, substituted numbers, and what the scheme suits."""
        th = self.theme
        name = label(self.tr(NAMES[t.scheme]), th.kernel, 30)
        code = CALLS[t.scheme].format(val=fmt(t.mean, 4)).splitlines()
        calls = self.lines(code, th.muted, 17, buff=0.08, font=MONO)
        formula = self.lines(t.formula, th.text, 22)
        numbers = VGroup(
            *(label(line, th.muted, 20) for line in t.fan_lines),
            *(label(line, th.highlight, 22) for line in t.substituted),
        ).arrange(DOWN, buff=0.12, aligned_edge=LEFT)
        suits_text = self.tr("suits: {suits}", suits=self.tr(SUITS[t.scheme]))
        for width in range(SUITS_WIDTH, SUITS_WIDTH // 2, -2):  # narrower until it fits
            suits = self.lines(wrap_words(suits_text, width), th.output, 21)
            if suits.width <= PANEL_RIGHT - PANEL_X:
                break
        parts = VGroup(name, calls, formula, numbers, suits)
        parts.arrange(DOWN, buff=0.26, aligned_edge=LEFT)
        parts.move_to([PANEL_X, PANEL_TOP, 0], aligned_edge=UP + LEFT)
        return name, calls, formula, numbers, suits

    def lines(self, texts, color: str, size: float, buff=0.12, font: str = FONT) -> VGroup:
        """Left-aligned lines of text, top to bottom."""
        group = VGroup(*(label(s, color, size, font) for s in texts))
        return group.arrange(DOWN, buff=buff, aligned_edge=LEFT)

    # -- the symmetry example -----------------------------------------------------------

    def symmetry_cue(self, k: int, tag: VGroup, sign: VGroup) -> str:
        """Caption of symmetry row ``k``: its start, verdict and both filters' ``.grad[0, 0]``."""
        s = self.trace.symmetry
        grads = s.constant_grads if k == 0 else s.contrast_grads
        return self.tr(
            "{start} {how}: {verdict}; .grad[0, 0] of filters 1 and 2: {first} and {second}.",
            start=tag[0].original_text,
            how=tag[1].original_text,
            verdict=sign[1].original_text,
            first=fixed(grads[0][0, 0]),
            second=fixed(grads[1][0, 0]),
        )

    def get_symmetry_header(self) -> VGroup:
        s, th = self.trace.symmetry, self.theme
        layers = " → ".join(
            f"Conv2d({lt.layer.in_channels}, {lt.layer.out_channels}, {lt.layer.kernel_size[0]})"
            for lt in s.constant.layers
        )
        setup = self.tr(
            "{layers} · input {shape} · MSE loss · one backward()",
            layers=layers,
            shape=shape(*s.x.shape[2:]),
        )
        question = self.tr("Why not a constant? Filters that start equal get equal gradients")
        header = VGroup(label(question, th.text, 26), label(setup, th.muted, 21))
        for line in header:
            fit_width(line)
        return header.arrange(DOWN, buff=0.15).move_to([0, 2.35, 0])

    def get_symmetry_row(self, k: int):
        """Row ``k`` (0: constant, 1: contrast): conv1's two filters' gradients side by side;
        returns the grids, their numbers, the sign with the verdict, and the row's tag."""
        s, th = self.trace.symmetry, self.theme
        grads = s.constant_grads if k == 0 else s.contrast_grads
        equal = s.constant_equal if k == 0 else s.contrast_equal
        y = 0.35 if k == 0 else -2.0
        grids, numbers = VGroup(), []
        for f in range(2):
            kh, kw = grads[f].shape
            title = self.tr("filter {f} .grad {shape}", f=f + 1, shape=shape(kh, kw))
            grid = Grid(
                (kh, kw),
                title,
                th.accent,
                th,
                (0.95, 0.45),
                title_size=20,
                title_buff=0.12,
                widest="−0.0000",
            )
            grids.add(grid.place(-2.0 + 4.0 * f, y))
            texts = [[fixed(v) for v in row] for row in grads[f]]
            numbers.append(grid.numbers_for(texts, cache=self.cache))
        sign = label("=" if equal else "≠", th.highlight if equal else th.accent, 48)
        sign.move_to([(grids[0].cells.get_right()[0] + grids[1].cells.get_left()[0]) / 2, y, 0])
        if k == 0:
            start = self.tr("all weights {val}", val=fmt(s.val, 4))
        else:
            start = self.tr(s.contrast_scheme.replace("_", " "))
        how = self.tr("({how})", how=self.tr("both filters equal" if k == 0 else "random filters"))
        tag = VGroup(label(start, th.kernel, 24), label(how, th.muted, 20))
        tag.arrange(DOWN, buff=0.12, aligned_edge=LEFT).move_to([-6.9, y, 0], aligned_edge=LEFT)
        verdict = label(self.tr("same gradients" if equal else "different gradients"), th.text, 22)
        verdict.next_to(grids[1].cells, RIGHT, buff=0.3)
        return grids, numbers, VGroup(sign, verdict), tag
