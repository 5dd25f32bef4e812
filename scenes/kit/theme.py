"""Colours and fonts: the dark and the light theme. Every scene takes its colours here."""

from __future__ import annotations

from dataclasses import dataclass

FONT = "DejaVu Sans"
MONO = "DejaVu Sans Mono"
THEME_NAMES = ("dark", "light")


@dataclass(frozen=True)
class Theme:
    """Colours of one theme."""

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
