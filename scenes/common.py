"""Drawing pieces shared by every scene: the theme, labelled number grids, titles.

Scenes build mobjects here from trace arrays; nothing here computes convolution arithmetic.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    UP,
    Animation,
    Code,
    Mobject,
    Rectangle,
    Scene,
    Square,
    Text,
    VGroup,
    config,
)

from scenes.i18n import tr
from scenes.textfmt import fmt

FONT = "DejaVu Sans"
MONO = "DejaVu Sans Mono"


@dataclass(frozen=True)
class Theme:
    """Colours of one theme; every scene takes its colours from here."""

    background: str
    text: str
    muted: str
    grid: str
    input: str
    kernel: str
    output: str
    padding: str
    highlight: str
    accent: str
    code_style: str  #: Pygments style of code panels


THEMES = {
    "dark": Theme(
        background="#111418",
        text="#EEEEEE",
        muted="#9AA0A6",
        grid="#5F6B7A",
        input="#58C4DD",
        kernel="#F0AC5F",
        output="#83C167",
        padding="#3A3F47",
        highlight="#FFE14D",
        accent="#FC6255",
        code_style="monokai",
    ),
    "light": Theme(
        background="#FFFFFF",
        text="#1B1B1B",
        muted="#5F6368",
        grid="#9AA5B1",
        input="#1565C0",
        kernel="#C2570C",
        output="#2E7D32",
        padding="#E3E6EA",
        highlight="#F9A825",
        accent="#C62828",
        code_style="default",
    ),
}


def label(text: str, color: str, size: float = 26) -> Text:
    """A one-line caption in the project font."""
    return Text(text, font=FONT, font_size=size, color=color)


class NumberGrid(VGroup):
    """A labelled grid of numbers: ``cells`` (squares), ``numbers`` (Texts) and ``title``.

    ``numbers`` is built but not added, so a scene can reveal the values one by one;
    call :meth:`with_numbers` to get a group that shows them all.
    """

    def __init__(
        self,
        values: np.ndarray,
        title: str,
        color: str,
        theme: Theme,
        cell: float = 0.7,
        mask: np.ndarray | None = None,
        show_numbers: bool = True,
    ):
        super().__init__()
        values = np.asarray(values)
        rows, cols = values.shape
        self.cell_size = cell
        self.cells = VGroup()
        self.numbers = VGroup()
        size = number_font_size(values, cell)
        for i in range(rows):
            for j in range(cols):
                pad = mask is not None and mask[i, j]
                sq = Square(cell, stroke_color=theme.grid, stroke_width=2)
                sq.set_fill(theme.padding if pad else color, opacity=0.85 if pad else 0.14)
                sq.move_to([j * cell, -i * cell, 0])
                self.cells.add(sq)
                num = Text(fmt(values[i, j]), font=FONT, font_size=size, color=theme.text)
                if pad:
                    num.set_color(theme.muted)
                self.numbers.add(num.move_to(sq))
        self.shape = (rows, cols)
        self.title = label(title, color).next_to(self.cells, UP, buff=0.25)
        self.add(self.cells, self.title)
        if show_numbers:
            self.add(self.numbers)

    def place(self, x: float, y: float) -> NumberGrid:
        """Move the grid (numbers included, shown or not) so its cells centre on (x, y)."""
        offset = np.array([x, y, 0.0]) - self.cells.get_center()
        self.shift(offset)
        if self.numbers not in self.submobjects:
            self.numbers.shift(offset)
        return self

    def cell(self, i: int, j: int) -> Square:
        """The square at row ``i``, column ``j``."""
        return self.cells[i * self.shape[1] + j]

    def number(self, i: int, j: int) -> Text:
        """The number at row ``i``, column ``j``."""
        return self.numbers[i * self.shape[1] + j]


def number_font_size(values: np.ndarray, cell: float) -> float:
    """Font size at which the longest formatted value fits one cell."""
    longest = max(len(fmt(v)) for v in np.ravel(values))
    return min(cell * 40, cell * 100 / max(longest, 1))


def cell_size(rows: int, cols: int, width: float, height: float, largest: float = 0.85):
    """The largest cell edge (≤ ``largest``) at which a rows×cols grid fits width×height."""
    return min(largest, width / cols, height / rows)


def title_bar(text: str, theme: Theme, subtitle: str | None = None) -> VGroup:
    """The scene title at the top edge, with an optional smaller subtitle."""
    group = VGroup(Text(text, font=FONT, font_size=34, color=theme.text, weight="BOLD"))
    if subtitle:
        group.add(label(subtitle, theme.muted, 22))
    group.arrange(DOWN, buff=0.1)
    if group.width > 13.6:
        group.scale_to_fit_width(13.6)
    group.to_edge(UP, buff=0.25)
    return group


def highlight_box(mob, theme: Theme, buff: float = 0.0) -> Rectangle:
    """A thick outline around ``mob`` in the highlight colour."""
    box = Rectangle(
        width=mob.width + 2 * buff,
        height=mob.height + 2 * buff,
        stroke_color=theme.highlight,
        stroke_width=6,
    )
    return box.move_to(mob)


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
    so a change in convcore that removes a highlighted line fails loudly.
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
        self.source = excerpt(function_source(func), first, last)
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


class ConvScene(Scene):
    """Base class: theme, language and captions. Parameters are class attributes.

    ``cue(text)`` records a caption starting now; the build writes them as WebVTT.
    ``title_text`` names the video in the gallery.
    """

    theme_name = "dark"
    lang = "en"
    title_text = "convanim"

    @property
    def theme(self) -> Theme:
        return THEMES[self.theme_name]

    def setup(self):
        self.camera.background_color = self.theme.background
        self.cues: list[tuple[float, str]] = []

    def tr(self, template: str, **values) -> str:
        """``template`` in the scene's language, with ``values`` filled in."""
        return tr(template, self.lang, **values)

    def cue(self, text: str) -> None:
        """Start a caption now (it lasts until the next cue or the end of the video)."""
        self.cues.append((float(self.time), text))

    def frame_fits(self, mob, margin: float = 0.15) -> bool:
        """Whether ``mob`` lies inside the frame (used by tests and asserts nothing)."""
        half_w, half_h = config.frame_width / 2 - margin, config.frame_height / 2 - margin
        return (
            mob.get_left()[0] >= -half_w
            and mob.get_right()[0] <= half_w
            and mob.get_bottom()[1] >= -half_h
            and mob.get_top()[1] <= half_h
        )


class ValueGrid(VGroup):
    """A titled grid of rectangular cells whose numbers are swapped in, never transformed.

    The group holds the static part, ``cells`` and ``title``. Numbers are not in it:
    :meth:`numbers_for` builds Texts for formatted values, centred on the cells, for the scene
    to add and remove (snapping numbers is fast, see FAST_MANIM.md). The font size is the
    largest (≤ ``max_font``) at which ``widest`` fits a cell.
    """

    def __init__(
        self,
        shape: tuple[int, int],
        title: str,
        color: str,
        theme: Theme,
        cell_w: float,
        cell_h: float,
        widest: str,
        title_size: float = 22,
        max_font: float = 22,
    ):
        super().__init__()
        rows, cols = shape
        self.shape, self.theme = (rows, cols), theme
        self.cells = VGroup()
        for i in range(rows):
            for j in range(cols):
                rect = Rectangle(
                    width=cell_w, height=cell_h, stroke_color=theme.grid, stroke_width=2
                )
                self.cells.add(
                    rect.set_fill(color, opacity=0.14).move_to([j * cell_w, -i * cell_h, 0])
                )
        probe = Text(widest, font=FONT, font_size=10)
        fit_w, fit_h = 0.86 * cell_w / probe.width, 0.6 * cell_h / probe.height
        self.font_size = min(max_font, 10 * fit_w, 10 * fit_h)
        self.title = label(title, color, title_size).next_to(self.cells, UP, buff=0.12)
        self.add(self.cells, self.title)

    def place(self, x: float, y: float) -> ValueGrid:
        """Move the grid so that its cells centre on (x, y)."""
        self.shift(np.array([x, y, 0.0]) - self.cells.get_center())
        return self

    def cell(self, i: int, j: int) -> Rectangle:
        """The cell at row ``i``, column ``j``."""
        return self.cells[i * self.shape[1] + j]

    def numbers_for(self, texts, color: str | None = None, cache: dict | None = None) -> VGroup:
        """Texts of ``texts`` (a rows×cols nested sequence of strings), one per cell.

        With a ``cache`` dict, each distinct Text is built once (and handed out), then
        copied, fully opaque, wherever it is needed again.
        """
        flat = [str(t) for row in texts for t in row]
        if len(flat) != len(self.cells):
            raise ValueError(f"{len(flat)} texts for a {self.shape[0]}×{self.shape[1]} grid")
        color = color or self.theme.text
        numbers = VGroup()
        for text, cell in zip(flat, self.cells, strict=True):
            if cache is None:
                numbers.add(Text(text, font=FONT, font_size=self.font_size, color=color))
            elif (text, self.font_size, color) not in cache:
                built = Text(text, font=FONT, font_size=self.font_size, color=color)
                numbers.add(cache.setdefault((text, self.font_size, color), built))
            else:
                numbers.add(cache[text, self.font_size, color].copy().set_fill(opacity=1))
            numbers[-1].move_to(cell)
        return numbers


class Appear(Animation):
    """Fade filled mobjects (Texts) in, or out with ``reverse=True``, by fill opacity alone.

    ``FadeIn`` deep-copies its mobject (milliseconds per Text, more for long captions); this
    copies nothing, so it suits scenes that bring in many number Texts. The mobject should
    have no stroke; it ends at fill opacity 1 (or 0, and is removed from the scene).
    """

    def __init__(self, mobject, reverse: bool = False, **kwargs):
        super().__init__(mobject, introducer=not reverse, remover=reverse, **kwargs)
        self.reverse = reverse

    def create_starting_mobject(self):
        return Mobject()

    def interpolate_mobject(self, alpha: float) -> None:
        a = self.rate_func(alpha)
        self.mobject.set_fill(opacity=1 - a if self.reverse else a)
