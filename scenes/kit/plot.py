"""A value per step, plotted as it is computed: the axes, then one segment per step."""

from __future__ import annotations

from manim import LEFT, UP, Line, VGroup

from scenes.kit.text import label
from scenes.kit.theme import Theme


class StepPlot(VGroup):
    """Axes of a plot of steps ``0 … steps`` across the box ``(x0, x1, bottom, top)`` and,
    up, ``fractions[e]`` (a trace's: each value over the largest) of its height: the axes'
    names ``y_name`` and ``x_name``, ``y_top`` (the top's value) and 0 written beside them.
    """

    def __init__(self, box, steps: int, fractions, theme: Theme, y_name, x_name, y_top):
        x0, x1, bottom, top = box
        muted = theme.muted
        super().__init__(
            Line([x0, bottom, 0], [x1, bottom, 0], color=muted),
            Line([x0, bottom, 0], [x0, top, 0], color=muted),
            label(y_name, muted, 20).next_to([x0, top, 0], UP, 0.3),
            label(x_name, muted, 20).move_to([(x0 + x1) / 2, bottom - 0.3, 0]),
            label(y_top, muted, 18).next_to([x0, top, 0], LEFT, 0.1),
            label("0", muted, 18).next_to([x0, bottom, 0], LEFT, 0.1),
        )
        self.box, self.steps, self.fractions, self.theme = box, steps, fractions, theme
        for e in (0, steps):
            self.add(label(str(e), muted, 18).move_to([self.point(e)[0], bottom - 0.25, 0]))

    def point(self, e: int) -> list[float]:
        """The point of step ``e``."""
        x0, x1, bottom, top = self.box
        return [x0 + (x1 - x0) * e / self.steps, bottom + (top - bottom) * self.fractions[e], 0.0]

    def segment(self, e: int) -> Line:
        """The line from step ``e − 1``'s point to step ``e``'s, highlighted."""
        return Line(self.point(e - 1), self.point(e), color=self.theme.highlight, stroke_width=4)
