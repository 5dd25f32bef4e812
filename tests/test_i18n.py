"""Labels and captions in Chinese: complete templates, and real glyphs rather than boxes."""

from __future__ import annotations

import re
import string

import numpy as np
import pytest
from manim import Text
from scene_utils import dry_run

from scenes import registry
from scenes.common import FONT
from scenes.i18n import ZH, tr


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


def test_sliding_in_chinese_lays_out_cleanly():
    scene, problems = dry_run(registry.get("sliding").configured({}, lang="zh"))
    assert problems == []
    assert scene.input_grid.title.original_text == "输入 5×5"
    assert scene.output_grid.title.original_text == "输出 3×3"
    assert any(re.match(r"位置 \(0, 1\)：2·1 \+ 3·2 .* = 456$", text) for _, text in scene.cues)
