"""Initialising a conv weight: each scheme's sample, its formula with the fans, its use.

The article's part 8. For every scheme (normal, uniform, Xavier uniform and normal, Kaiming
normal and uniform, constant) one ``Conv2d`` weight of shape 64×32×3×3 is drawn with an
explicit ``numpy.random.default_rng(seed)``; its histogram is drawn against the expected
counts (or the uniform bounds), beside the formula with ``fan_in``/``fan_out`` substituted and
the activation the scheme suits. The close shows why a constant never breaks symmetry: two
filters that start equal get equal gradients. Every number comes from
:func:`convcore.init.describe_init` and :func:`convcore.train.symmetry_trace`.

Render:

    manim render -ql scenes/initialization.py Initialization
    convanim build initialization --quality low
"""

from __future__ import annotations

import numbers
import re
import textwrap

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    DashedLine,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    Indicate,
    Line,
    Rectangle,
    Text,
    VGroup,
    VMobject,
)

from convcore.init import SCHEMES, SUITS, InitTrace, describe_init
from convcore.train import SymmetryTrace, symmetry_trace
from scenes.common import MONO, Appear, ConvScene, ValueGrid, label, title_bar
from scenes.textfmt import fixed, fmt, shape

#: Display name and the ``torch.nn.init`` call of each scheme (``{val}``: the constant).
SCHEME_NAMES = {
    "normal": ("Normal", "nn.init.normal_(w, mean=0, std=1)"),
    "uniform": ("Uniform", "nn.init.uniform_(w, a=0, b=1)"),
    "xavier_uniform": ("Xavier (Glorot) uniform", "nn.init.xavier_uniform_(w)"),
    "xavier_normal": ("Xavier (Glorot) normal", "nn.init.xavier_normal_(w)"),
    "kaiming_normal": (
        "Kaiming (He) normal",
        "nn.init.kaiming_normal_(w, mode='fan_in',\n    nonlinearity='relu')",
    ),
    "kaiming_uniform": (
        "Kaiming (He) uniform",
        "nn.init.kaiming_uniform_(w, mode='fan_in',\n    nonlinearity='relu')",
    ),
    "constant": ("Constant", "nn.init.constant_(w, {val})"),
}
#: Parameters of each scheme, as the article uses them (constant: the class's value).
SCHEME_PARAMS = {
    "normal": {"mean": 0.0, "std": 1.0},
    "uniform": {"a": 0.0, "b": 1.0},
    "xavier_uniform": {},
    "xavier_normal": {},
    "kaiming_normal": {"mode": "fan_in", "nonlinearity": "relu"},
    "kaiming_uniform": {"mode": "fan_in", "nonlinearity": "relu"},
}
ORDER = (
    "normal",
    "uniform",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_normal",
    "kaiming_uniform",
    "constant",
)
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
MAX_BINS = 40


def is_wide(char: str) -> bool:
    """Whether ``char`` is drawn about twice as wide as a Latin letter (CJK and its punctuation)."""
    return "\u2e80" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef"


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns, a CJK character counting two.

    Latin text wraps at spaces (as :func:`textwrap.wrap`); CJK text between any two
    characters, never before a closing punctuation mark.
    """
    if not any(is_wide(c) for c in text):
        return textwrap.wrap(text, width)
    tokens = re.findall(r"[\u2e80-\u9fff\uff00-\uffef]|[^\s\u2e80-\u9fff\uff00-\uffef]+|\s+", text)
    lines, current = [], ""
    for token in tokens:
        candidate = current + token
        size = sum(2 if is_wide(c) else 1 for c in candidate.rstrip())
        closing = token in "，。：；）、！？"
        if current.strip() and size > width and not token.isspace() and not closing:
            lines.append(current.rstrip())
            current = token
        else:
            current = candidate
    return [*lines, current.strip()] if current.strip() else lines


class Initialization(ConvScene):
    """One histogram layout, seven schemes swapped through it, then the symmetry problem."""

    title_text = "Initialising the kernel weights"
    seed = 0
    weight_shape = (64, 32, 3, 3)
    schemes = ORDER
    constant_val = 0.1
    bins = 20
    slow_schemes = 1

    # -- the traces ---------------------------------------------------------------------

    @classmethod
    def scheme_params(cls, scheme: str) -> dict:
        return {"val": cls.constant_val} if scheme == "constant" else SCHEME_PARAMS[scheme]

    @classmethod
    def make_trace(cls) -> tuple[list[InitTrace], SymmetryTrace]:
        """One :class:`InitTrace` per scheme and the symmetry example (``ValueError`` if bad).

        The schemes draw in order from one ``default_rng(seed)``; the symmetry example from
        its own ``default_rng(seed)``.
        """
        seed = cls.seed
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError(f"seed must be an int >= 0, got {seed!r}")
        unknown = [s for s in cls.schemes if s not in SCHEMES]
        if not cls.schemes or unknown:
            raise ValueError(f"schemes must be a non-empty selection of {SCHEMES}, got {unknown}")
        if len(tuple(cls.weight_shape)) != 4:
            raise ValueError(f"weight_shape must be (C_out, C_in, kH, kW), got {cls.weight_shape}")
        if not isinstance(cls.bins, numbers.Integral) or not 2 <= cls.bins <= MAX_BINS:
            raise ValueError(f"bins must be an int from 2 to {MAX_BINS}, got {cls.bins!r}")
        rng = np.random.default_rng(seed)
        inits = [
            describe_init(s, cls.weight_shape, rng, bins=cls.bins, **cls.scheme_params(s))
            for s in cls.schemes
        ]
        symmetry = symmetry_trace(np.random.default_rng(seed), val=cls.constant_val)
        return inits, symmetry

    def setup(self):
        super().setup()
        self.inits, self.symmetry = self.make_trace()
        self.panel, self.plot = VGroup(), VGroup()
        self.shown_panels: list[list[str]] = []  # texts of each scheme's panel (for tests)

    def construct(self):
        self.show_title()
        for k, trace in enumerate(self.inits):
            self.show_scheme(trace, slow=k < self.slow_schemes)
        self.show_symmetry()

    # -- beats --------------------------------------------------------------------------

    def show_title(self):
        t = self.inits[0]
        title = self.tr(self.title_text)
        subtitle = self.tr(
            "each scheme fills one Conv2d weight of shape {shape} · numpy default_rng({seed})",
            shape=shape(*t.shape),
            seed=self.seed,
        )
        self.title = title_bar(title, self.theme, subtitle)
        self.cue(self.tr("{title}: {subtitle}.", title=title, subtitle=subtitle))
        self.axes = self.get_axes()
        self.play(FadeIn(self.title), Create(self.axes), run_time=1.5)
        self.wait(1)

    def show_scheme(self, t: InitTrace, slow: bool):
        name, call, formula, numbers_, suits = self.get_panel(t)
        bars, theory, marks, stats = self.get_bars(t), self.get_theory(t), *self.get_marks(t)
        old = [*self.panel, *self.plot]
        self.remove(*old)
        self.panel = VGroup(name, call, formula, numbers_, suits)
        self.plot = VGroup(bars, theory, marks, stats)
        self.shown_panels.append([m.original_text for m in self.panel_texts()])
        self.cue(
            self.tr(
                "{name}: {formula}. Suits {suits}.",
                name=self.tr(SCHEME_NAMES[t.scheme][0]),
                formula="; ".join(t.substituted),
                suits=self.tr(SUITS[t.scheme]),
            )
        )
        self.play(Appear(VGroup(name, call, formula)), run_time=0.8 if slow else 0.5)
        self.play(GrowFromEdge(bars, DOWN), Appear(marks), run_time=1.4 if slow else 0.8)
        self.play(Create(theory), Appear(stats), run_time=1.0 if slow else 0.6)
        self.wait(1.5 if slow else 0.8)
        self.play(Appear(numbers_), run_time=1.0 if slow else 0.6)
        self.wait(2 if slow else 1.5)
        self.play(Appear(suits), run_time=0.8 if slow else 0.5)
        self.wait(2.5 if slow else 2.0)

    def show_symmetry(self):
        s = self.symmetry
        self.play(
            *(Appear(m, reverse=True) for m in self.panel_texts()),
            FadeOut(VGroup(*self.plot[:2])),
            *(Appear(m, reverse=True) for m in self.plot[2:]),
            FadeOut(self.axes),
            run_time=0.6,
        )
        header = self.get_symmetry_header()
        self.cue(
            self.tr(
                "{question} {setup}.",
                question=header[0].original_text,
                setup=header[1].original_text,
            )
        )
        self.play(Appear(header), run_time=0.8)
        self.wait(2)
        rows = [self.get_symmetry_row(k) for k in range(2)]
        self.grad_texts = []
        for k, row in enumerate(rows):
            grids, numbers_, sign, tag = row
            self.cue(self.symmetry_cue(k, tag, sign))
            self.play(FadeIn(grids), Appear(tag), run_time=0.8)
            self.play(*(Appear(n) for n in numbers_), run_time=0.8)
            self.play(Appear(sign), run_time=0.8)
            self.play(Indicate(sign[0], color=self.theme.highlight), run_time=0.8)
            self.grad_texts.append([[n.original_text for n in group] for group in numbers_])
            self.wait(2.5)
        text = self.tr(CLOSING[s.constant_after_equal])
        closing = label(text, self.theme.text, 22).move_to([0, STATS_Y + 0.05, 0])
        if closing.width > 13.4:
            closing.scale_to_fit_width(13.4)
        self.cue(closing.original_text)
        self.play(Appear(closing), run_time=0.8)
        self.wait(3.5)

    # -- the histogram ------------------------------------------------------------------

    def get_axes(self) -> VGroup:
        """Baseline, count axis and their names: the layout every scheme reuses."""
        th = self.theme
        return VGroup(
            Line([HIST_LEFT, HIST_BOTTOM, 0], [HIST_RIGHT, HIST_BOTTOM, 0], color=th.muted),
            Line([HIST_LEFT, HIST_BOTTOM, 0], [HIST_LEFT, HIST_TOP + 0.2, 0], color=th.muted),
            label(self.tr("count"), th.muted, 20).next_to(
                [HIST_LEFT, HIST_TOP + 0.2, 0], UP, buff=0.1
            ),
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
        top = max(float(np.max(t.counts)), float(np.max(t.expected_counts)))
        return HIST_BOTTOM + (HIST_TOP - HIST_BOTTOM) * count / top

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
        """Value labels under the axis, the count of the tallest bar, legend and statistics."""
        th = self.theme
        marks = VGroup()
        for k in (0, len(t.edges) // 2, len(t.edges) - 1):
            value = label(fmt(t.edges[k], 4), th.text, 20)
            marks.add(value.move_to([self.x_of(t, t.edges[k]), HIST_BOTTOM - 0.25, 0]))
        tallest = int(np.max(t.counts))
        count = label(str(tallest), th.muted, 20).next_to(
            [HIST_LEFT, self.y_of(t, tallest), 0], LEFT, buff=0.1
        )
        marks.add(count, self.get_legend(t))
        sample = self.tr(
            "sample: mean {mean}, std {std}", mean=fmt(t.sample_mean, 4), std=fmt(t.sample_std, 4)
        )
        theory = self.tr("theory: mean {mean}, std {std}", mean=fmt(t.mean, 4), std=fmt(t.std, 4))
        stats = VGroup(
            label(sample, th.text, 20),
            label(theory, th.input, 20),
        ).arrange(DOWN, buff=0.1, aligned_edge=LEFT)
        stats.move_to([HIST_LEFT, STATS_Y, 0], aligned_edge=LEFT)
        return marks, stats

    def get_legend(self, t: InitTrace) -> VGroup:
        th = self.theme
        if t.distribution == "constant":
            text = self.tr(
                "all {n} weights = {value}", n=int(np.max(t.counts)), value=fmt(t.mean, 4)
            )
            items = [label(text, th.kernel, 20)]
        else:
            theory = "expected counts" if t.distribution == "normal" else "expected level, bounds"
            items = [
                label(self.tr("bars: the sample"), th.kernel, 20),
                label(self.tr("line: {theory}", theory=self.tr(theory)), th.input, 20),
            ]
        legend = VGroup(*items).arrange(DOWN, buff=0.1, aligned_edge=RIGHT)
        return legend.move_to([HIST_RIGHT, HIST_TOP + 0.25, 0], aligned_edge=DOWN + RIGHT)

    # -- the formula panel --------------------------------------------------------------

    def get_panel(self, t: InitTrace) -> tuple[VGroup, ...]:
        """Name, torch call, formula, substituted numbers, and what the scheme suits."""
        th = self.theme
        title, call = SCHEME_NAMES[t.scheme]
        name = label(self.tr(title), th.kernel, 30)
        code = call.format(val=fmt(t.mean, 4)).splitlines()
        calls = VGroup(*(Text(line, font=MONO, font_size=17, color=th.muted) for line in code))
        calls.arrange(DOWN, buff=0.08, aligned_edge=LEFT)
        formula = self.lines(t.formula, th.text, 22)
        numbers_ = VGroup(
            *(label(line, th.muted, 20) for line in t.fan_lines),
            *(label(line, th.highlight, 22) for line in t.substituted),
        ).arrange(DOWN, buff=0.12, aligned_edge=LEFT)
        suits_text = self.tr("suits: {suits}", suits=self.tr(SUITS[t.scheme]))
        for width in range(SUITS_WIDTH, SUITS_WIDTH // 2, -2):  # narrower until it fits
            suits = self.lines(wrap(suits_text, width), th.output, 21)
            if suits.width <= PANEL_RIGHT - PANEL_X:
                break
        parts = VGroup(name, calls, formula, numbers_, suits)
        parts.arrange(DOWN, buff=0.26, aligned_edge=LEFT)
        parts.move_to([PANEL_X, PANEL_TOP, 0], aligned_edge=UP + LEFT)
        return name, calls, formula, numbers_, suits

    def symmetry_cue(self, k: int, tag: VGroup, sign: VGroup) -> str:
        """Caption of symmetry row ``k``: its start, verdict and both filters' ``.grad[0, 0]``."""
        s = self.symmetry
        grads = s.constant_grads if k == 0 else s.contrast_grads
        return self.tr(
            "{start} {how}: {verdict}; .grad[0, 0] of filters 1 and 2: {first} and {second}.",
            start=tag[0].original_text,
            how=tag[1].original_text,
            verdict=sign[1].original_text,
            first=fixed(grads[0][0, 0]),
            second=fixed(grads[1][0, 0]),
        )

    def lines(self, texts, color: str, size: float) -> VGroup:
        group = VGroup(*(label(s, color, size) for s in texts))
        return group.arrange(DOWN, buff=0.12, aligned_edge=LEFT)

    def panel_texts(self) -> list:
        """Every Text of the current panel, in reading order."""
        return [m for part in self.panel for m in part.get_family() if hasattr(m, "original_text")]

    # -- the symmetry example -----------------------------------------------------------

    def get_symmetry_header(self) -> VGroup:
        s, th = self.symmetry, self.theme
        layers = " → ".join(
            f"Conv2d({lt.layer.in_channels}, {lt.layer.out_channels}, {lt.layer.kernel_size[0]})"
            for lt in s.constant.layers
        )
        h, w = s.x.shape[2:]
        header = VGroup(
            label(
                self.tr("Why not a constant? Filters that start equal get equal gradients"),
                th.text,
                26,
            ),
            label(
                self.tr(
                    "{layers} · input {shape} · MSE loss · one backward()",
                    layers=layers,
                    shape=shape(h, w),
                ),
                th.muted,
                21,
            ),
        ).arrange(DOWN, buff=0.15)
        for line in header:
            if line.width > 13.4:
                line.scale_to_fit_width(13.4)
        return header.move_to([0, 2.35, 0])

    def get_symmetry_row(self, k: int):
        """Row ``k`` (0: constant, 1: contrast): conv1's two filters' gradients side by side."""
        s, th = self.symmetry, self.theme
        grads = s.constant_grads if k == 0 else s.contrast_grads
        equal = s.constant_equal if k == 0 else s.contrast_equal
        if k == 0:
            start = self.tr("all weights {val}", val=fmt(s.val, 4))
        else:
            start = self.tr(s.contrast_scheme.replace("_", " "))
        y = 0.35 if k == 0 else -2.0
        grids = VGroup()
        numbers_ = []
        for f in range(2):
            kh, kw = grads[f].shape
            grid = ValueGrid(
                (kh, kw),
                self.tr("filter {f} .grad {shape}", f=f + 1, shape=shape(kh, kw)),
                th.accent,
                th,
                0.95,
                0.45,
                "−0.0000",
                20,
            )
            grid.place(-2.0 + 4.0 * f, y)
            grids.add(grid)
            numbers_.append(grid.numbers_for([[fixed(v) for v in row] for row in grads[f]]))
        sign = label("=" if equal else "≠", th.highlight if equal else th.accent, 48)
        sign.move_to([(grids[0].cells.get_right()[0] + grids[1].cells.get_left()[0]) / 2, y, 0])
        how = self.tr("both filters equal" if k == 0 else "random filters")
        tag = VGroup(label(start, th.kernel, 24), label(self.tr("({how})", how=how), th.muted, 20))
        tag.arrange(DOWN, buff=0.12, aligned_edge=LEFT).move_to([-6.9, y, 0], aligned_edge=LEFT)
        verdict = label(self.tr("same gradients" if equal else "different gradients"), th.text, 22)
        verdict.next_to(grids[1].cells, RIGHT, buff=0.3)
        return grids, numbers_, VGroup(sign, verdict), tag
