"""Labels and captions in Chinese: complete templates, and real glyphs rather than boxes.

Each scene's own Chinese dry run (layout, Chinese labels, the trace's numbers in the
captions) lives in its test module; here are the checks common to all of them.
"""

from __future__ import annotations

import ast
import string
from pathlib import Path

import numpy as np
import pytest
from manim import Text

from scenes.kit.i18n import ZH, tr
from scenes.kit.theme import FONT

ROOT = Path(__file__).resolve().parents[2]


def fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


@pytest.mark.parametrize("english", list(ZH))
def test_translations_keep_every_placeholder(english):
    assert fields(ZH[english]) == fields(english)


def test_tr_fills_values_and_falls_back_to_english():
    assert tr("output {shape}", "zh", shape="3×3") == "输出 3×3"
    assert tr("output {shape}", "en", shape="3×3") == "output 3×3"
    assert tr("no translation here", "zh") == "no translation here"
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        tr("x", "fr")


def templates_in_scenes() -> dict[str, str]:
    """Every string literal passed to ``tr``/``self.tr`` under scenes/, with its file."""
    found = {}
    for path in sorted((ROOT / "scenes").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if name == "tr" and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found[first.value] = str(path.relative_to(ROOT))
    return found


def test_every_template_a_scene_writes_has_a_chinese_translation():
    templates = templates_in_scenes()
    assert len(templates) > 100  # the scan sees the scenes' templates
    missing = {t: where for t, where in templates.items() if t not in ZH}
    assert missing == {}


def outline(glyph) -> np.ndarray:
    return np.round(glyph.points - glyph.get_center(), 3)


def test_chinese_characters_are_drawn_as_glyphs_not_boxes():
    chars = sorted({c for text in ZH.values() for c in text if "\u4e00" <= c <= "\u9fff"})
    assert len(chars) > 30
    tofu = outline(Text("\U000f0000", font=FONT)[0])  # a code point no font has: the box
    drawn = Text("".join(chars), font=FONT)
    assert len(drawn) == len(chars)
    shapes = [outline(glyph) for glyph in drawn]
    for char, shape in zip(chars, shapes, strict=True):
        assert shape.shape != tofu.shape or not np.allclose(shape, tofu), f"{char} is a box"
    assert len({s.tobytes() for s in shapes}) == len(chars)  # every character its own shape
