"""convcore's own source in a panel, syntax-highlighted, with a marker on the running line;
and a tour of its lines, one caption per stop."""

from __future__ import annotations

import ast
import inspect
import textwrap

import numpy as np
from manim import DOWN, LEFT, UP, Code, FadeIn, Rectangle, Transform, VGroup

from scenes.kit.text import fit_width, label
from scenes.kit.theme import MONO, Theme


def function_source(func, drop_docstring: bool = True) -> str:
    """The source of ``func`` as it is in convcore now (dedented, docstring dropped)."""
    source = textwrap.dedent(inspect.getsource(func))
    if not drop_docstring:
        return source
    body = ast.parse(source).body[0].body
    first = body[0]
    is_doc = isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant)
    if not is_doc:
        return source
    lines = source.splitlines()
    return "\n".join(lines[: first.lineno - 1] + lines[first.end_lineno :])


def excerpt(source: str, first: str | None, last: str | None) -> str:
    """The lines of ``source`` from the one containing ``first`` to the one containing
    ``last`` (inclusive, dedented); all of it when both are None."""
    lines = source.splitlines()

    def find(snippet, default):
        if snippet is None:
            return default
        hits = [i for i, line in enumerate(lines) if snippet in line]
        if len(hits) != 1:
            raise ValueError(f"{len(hits)} lines of the code contain {snippet!r}")
        return hits[0]

    start, stop = find(first, 0), find(last, len(lines) - 1)
    return textwrap.dedent("\n".join(lines[start : stop + 1]))


class CodePanel(VGroup):
    """Real source code of a convcore function, syntax-highlighted, with a line marker.

    The code is read with :mod:`inspect` when the scene is built, so the video always shows
    the code that computed its numbers. Scenes find lines by content (:meth:`line_index`),
    so a change in convcore that removes a highlighted line fails loudly. ``func`` may
    also be source text (code that is not convcore's, such as a PyTorch loop).
    """

    def __init__(
        self,
        func,
        theme: Theme,
        font_size: float = 18,
        first: str | None = None,
        last: str | None = None,
    ):
        super().__init__()
        source = func if isinstance(func, str) else function_source(func)
        self.source = excerpt(source, first, last)
        self.lines = self.source.splitlines()
        self.code = Code(
            code_string=self.source,
            language="python",
            add_line_numbers=False,
            formatter_style=theme.code_style,
            background="rectangle",
            paragraph_config={"font": MONO, "font_size": font_size},
        )
        self.theme = theme
        self.add(self.code)

    def line_index(self, snippet: str) -> int:
        """Index of the one line containing ``snippet`` (raises ``ValueError`` otherwise)."""
        hits = [i for i, line in enumerate(self.lines) if snippet in line]
        if len(hits) != 1:
            raise ValueError(f"{len(hits)} lines of the code contain {snippet!r}")
        return hits[0]

    def line_marker(self, index: int) -> Rectangle:
        """A translucent bar behind line ``index``, the width of the panel."""
        line = self.code.code_lines[index]
        bar = Rectangle(
            width=self.code.width - 0.1,
            height=self.code.code_lines.height / len(self.lines) * 1.05,
            stroke_width=0,
            fill_color=self.theme.highlight,
            fill_opacity=0.28,
        )
        bar.move_to(line).align_to(self.code, LEFT).shift(0.05 * np.array([1, 0, 0]))
        return bar


class CodeTour:
    """A marker walking down a :class:`CodePanel`, with one caption per stop below it.

    The newest caption is in the accent colour, earlier ones in the text colour. Each
    :meth:`stop` returns the animations of one stop (play them together); ``marker`` and
    ``captions`` are what is on screen.
    """

    def __init__(self, panel: CodePanel, theme: Theme, size: float = 22, buff: float = 0.4):
        self.panel, self.theme, self.size, self.buff = panel, theme, size, buff
        self.marker: Rectangle | None = None
        self.captions = VGroup()

    def stop(self, snippet: str, text: str) -> list:
        """Move the marker to the line containing ``snippet`` (``ValueError`` unless exactly
        one line does) and add the caption ``text`` under the earlier ones."""
        bar = self.panel.line_marker(self.panel.line_index(snippet))
        caption = fit_width(label(text, self.theme.accent, self.size))
        self.captions.add(caption).arrange(DOWN, buff=0.22, aligned_edge=LEFT)
        self.captions.next_to(self.panel, DOWN, buff=self.buff).align_to(self.panel, LEFT)
        arrive = FadeIn(caption, shift=0.2 * UP)
        if self.marker is None:
            self.marker = bar
            return [FadeIn(bar), arrive]
        earlier = self.captions[-2].animate.set_color(self.theme.text)
        return [Transform(self.marker, bar), arrive, earlier]
