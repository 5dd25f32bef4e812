"""Text on screen: labels, the title bar, captions, wrapped equations, and the text cache.

Building a ``Text`` costs ~10 ms (Pango lays it out, an SVG is parsed); copying a built one
costs ~3.6 ms. :class:`TextCache` builds each distinct (string, size, colour, weight) once
and hands out copies, the one cache every scene uses; its :meth:`TextCache.line` puts text
that changes every step together from glyphs built once.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from itertools import accumulate, pairwise

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Text, VGroup, VMobject

from scenes.kit.theme import FONT, MONO, Theme

FRAME_TEXT_WIDTH = 13.4  #: the widest a line of text may be (the frame is 14.2 wide)


#: Line spacing of labels with several lines: Pango's own (manim's -1) sets the lines so
#: close that a Chinese line touches the one below it.
LINE_SPACING = 0.75


def label(text: str, color: str, size: float = 26, font: str = FONT) -> Text:
    """A caption in the project font (lines split at ``\n``)."""
    spacing = LINE_SPACING if "\n" in text else -1
    return Text(text, font=font, font_size=size, color=color, line_spacing=spacing)


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


def fit_width(mob, width: float = FRAME_TEXT_WIDTH):
    """Shrink ``mob`` to ``width`` if it is wider (never enlarge); return it."""
    if mob.width > width:
        mob.scale_to_fit_width(width)
    return mob


def fit(mob, width: float = FRAME_TEXT_WIDTH, height: float | None = None):
    """Shrink ``mob`` to at most ``width`` × ``height`` (never enlarge); return it."""
    fit_width(mob, width)
    if height is not None and mob.height > height:
        mob.scale_to_fit_height(height)
    return mob


def clamp_x(mob, left: float, right: float = FRAME_TEXT_WIDTH / 2 + 0.2):
    """Shift ``mob`` sideways into ``[left, right]`` (the right edge wins if it is too
    wide); by default ``right`` is the frame's right edge less a small margin."""
    if mob.get_left()[0] < left:
        mob.shift((left - mob.get_left()[0]) * RIGHT)
    if mob.get_right()[0] > right:
        mob.shift((right - mob.get_right()[0]) * RIGHT)
    return mob


def caption(text: str, theme: Theme, size: float = 20) -> Text:
    """A muted one-line caption no wider than the frame."""
    return fit_width(label(text, theme.muted, size))


def wrap_terms(text: str, max_chars: int, sep: str = " + ") -> list[str]:
    """Break ``a + b + c …`` before a ``+`` so that no line exceeds ``max_chars``.

    A single term longer than ``max_chars`` stays on its own line. Another ``sep`` that
    starts with a space (``" − "``) breaks the same way; one that does not (``", "``)
    breaks after it, leaving it at the end of the line.
    """
    lines, current = [], ""
    before = sep.startswith(" ")
    for part in text.split(sep):
        candidate = part if not current else f"{current}{sep}{part}"
        if current and len(candidate) > max_chars:
            lines.append(current if before else current + sep.rstrip())
            current = f"{sep.lstrip()}{part}" if before else part
        else:
            current = candidate
    return [*lines, current]


def is_wide(char: str) -> bool:
    """Whether ``char`` is drawn about twice as wide as a Latin letter (CJK and its punctuation)."""
    return "\u2e80" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef"


def join_lines(lines) -> str:
    """Lines as one caption: a space between them, none after a wide (CJK) sign."""
    text = ""
    for line in lines:
        text += line if not text or is_wide(text[-1]) else " " + line
    return text


def wrap_words(text: str, width: int) -> list[str]:
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


def glyph_table(
    rows: Sequence[Sequence[str]],
    colors: Sequence[str],
    size: float = 24,
    right: Sequence[bool] = (),
    gap: float = 0.4,
    buff: float = 0.3,
    font: str = MONO,
) -> VGroup:
    """A table whose columns line up in any script: one Text per row, glyphs in columns.

    Each row is one Text (its cells joined by spaces, so they share a baseline); the glyphs
    of each cell are then moved into place: column ``c`` starts ``gap`` right of the widest
    cell of column ``c − 1`` (a Chinese word is wider than its count of monospace
    characters, so padding with spaces cannot line it up).

    Parameters
    ----------
    rows : rows of cell strings, all of the same length (a cell may be empty).
    colors : one colour per row.
    right : per column, whether it is right-aligned (default: left).

    Returns
    -------
    VGroup
        The row Texts, top to bottom; ``table.cells[r][c]`` groups the glyphs of a cell.
    """
    table, table.cells = VGroup(), []
    for row, color in zip(rows, colors, strict=True):
        text = Text("  ".join(row), font=font, font_size=size, color=color)
        ends = accumulate((len("".join(cell.split())) for cell in row), initial=0)
        table.cells.append([VGroup(*text[a:b]) for a, b in pairwise(ends)])
        table.add(text)
    table.arrange(DOWN, buff=buff, aligned_edge=LEFT)
    x = table.get_left()[0]
    for c in range(len(rows[0])):
        column = [cells[c] for cells in table.cells if len(cells[c])]
        width = max((cell.width for cell in column), default=0.0)
        for cell in column:
            if c < len(right) and right[c]:
                cell.shift((x + width - cell.get_right()[0]) * RIGHT)
            else:
                cell.shift((x - cell.get_left()[0]) * RIGHT)
        x += width + gap
    return table


def wrapped(
    text: str,
    color: str,
    size: float,
    max_chars: int,
    width: float,
    cache: TextCache | None = None,
    sep: str = " + ",
) -> VGroup:
    """``text`` broken before ``+`` signs (or at ``sep``, see :func:`wrap_terms`) into
    left-aligned lines, at most ``width`` wide.

    With a ``cache``, lines are put together from cached glyphs (:meth:`TextCache.line`):
    for an equation that changes every step."""

    def make(line: str) -> Text:
        return label(line, color, size) if cache is None else cache.line(line, size, color)

    lines = VGroup(*(make(line) for line in wrap_terms(text, max_chars, sep)))
    return fit_width(lines.arrange(DOWN, buff=0.18, aligned_edge=[-1, 0, 0]), width)


def note(lines, color: str, size: float = 22, columns: int = 96) -> VGroup:
    """Sentences as left-aligned lines wrapped at ``columns`` (a CJK sign counting two), no
    wider than the frame."""
    parts = [part for line in lines for part in wrap_words(line, columns)]
    group = VGroup(*(label(part, color, size) for part in parts))
    return fit_width(group.arrange(DOWN, buff=0.15, aligned_edge=LEFT))


def equation_block(
    lines,
    value: str,
    theme: Theme,
    size: float = 24,
    cache: TextCache | None = None,
    width: float = FRAME_TEXT_WIDTH,
    height: float | None = None,
) -> VGroup:
    """A worked equation: ``lines`` left-aligned, then ``value`` (bold, in the output colour,
    a little larger) right of the last line; ``VGroup(lines, value)``, at most
    ``width`` × ``height``."""
    eq = VGroup(*(label(s, theme.text, size) for s in lines))
    eq.arrange(DOWN, buff=0.14, aligned_edge=LEFT)
    result = (cache or TextCache()).text(value, size + 6, theme.output, weight="BOLD")
    return fit(VGroup(eq, result.next_to(eq[-1], RIGHT, buff=0.25)), width, height)


class TextCache:
    """Each distinct Text built once; :meth:`text` hands out fully opaque copies."""

    def __init__(self):
        self._built: dict[tuple, Text] = {}
        self._glyphs: dict[tuple, tuple] = {}  # (char, size, colour, …) → outline, advance

    def text(
        self, string: str, size: float, color: str, weight: str = "NORMAL", font: str = FONT
    ) -> Text:
        """A Text of ``string`` (a copy when the same one was built before)."""
        return self.original(string, size, color, weight, font).copy().set_fill(opacity=1)

    def original(
        self, string: str, size: float, color: str, weight: str = "NORMAL", font: str = FONT
    ) -> Text:
        """The one built Text of ``string``, not a copy: never show or change it, only copy
        it (as :meth:`scenes.kit.grid.Grid.copy_numbers` does; one copy fewer than
        :meth:`text`)."""
        key = (string, round(size, 4), color, weight, font)
        if key not in self._built:
            self._built[key] = Text(string, font=font, font_size=size, color=color, weight=weight)
        return self._built[key]

    def texts(self, strings, size: float, color: str) -> list[Text]:
        """One Text per string (see :meth:`text`)."""
        return [self.text(s, size, color) for s in strings]

    def line(
        self, string: str, size: float, color: str, weight: str = "NORMAL", font: str = FONT
    ) -> Text:
        """A one-line Text of ``string`` put together from glyphs built once per character.

        For text that changes at every step (an equation per window): a new ``Text`` of 60
        characters costs ~0.1 s (Pango, an SVG parse, a VMobject per glyph); this places
        each character's cached outline at its advance and merges them into one path
        (~1 ms, drawn in one Cairo call). Same glyphs and advances as Pango's, but no
        kerning or shaping: for numbers, equations and plain labels. The result is a Text
        (``original_text`` is ``string``) whose one submobject is the whole line, so it
        moves and fades as one piece.
        """
        glyphs = [self._glyph(c, size, color, weight, font) for c in string]
        parts, x = [], 0.0
        for points, advance in glyphs:
            if points is not None:
                parts.append(points + np.array([x, 0.0, 0.0]))
            x += advance
        if not parts:
            return self.text(string, size, color, weight, font)
        shell = self.original("0", size, color, weight, font).copy()
        whole = VMobject().set_points(np.concatenate(parts)).match_style(shell[0])
        shell.submobjects = [whole.set_fill(opacity=1)]
        shell.original_text = shell.text = string
        shell.initial_height = shell.height  # its font_size is the size asked for
        return shell

    def _glyph(self, char: str, size: float, color: str, weight: str, font: str):
        """``char``'s outline (None for a space) relative to its origin on the baseline, and
        its advance, measured in ``0{char}0`` (the advance of ``0`` in ``00``)."""
        key = (char, round(size, 4), color, weight, font)
        if key not in self._glyphs:
            zeros = self.original("00", size, color, weight, font)
            zero = zeros[1].get_left()[0] - zeros[0].get_left()[0]
            probe = Text(f"0{char}0", font=font, font_size=size, color=color, weight=weight)
            first, last = probe[0], probe[-1]
            origin = np.array([first.get_left()[0] + zero, first.get_bottom()[1], 0.0])
            inner = probe[1:-1]  # one glyph; none for a space
            points = np.concatenate([g.points for g in inner]) - origin if inner else None
            self._glyphs[key] = (points, last.get_left()[0] - first.get_left()[0] - zero)
        return self._glyphs[key]

    def __len__(self) -> int:
        return len(self._built)
