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
from scenes.textfmt import fixed, fmt


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


# ---------------------------------------------------------------- training, init, im2col, matmul

CJK = re.compile(r"[\u4e00-\u9fff]")
#: Scenes checked in Chinese, with options that keep their dry runs short.
ZH_SCENES = {
    "training": {"epochs": 2},
    "initialization": {},
    "im2col": {},
    "im2col-channels": {},
    "matmul": {},
}


@pytest.fixture(scope="module", params=list(ZH_SCENES))
def zh_run(request):
    """``(name, scene, layout problems, templates used without a translation)``."""
    import scenes.common

    name, untranslated = request.param, set()

    def recording_tr(template, lang, **values):
        if template not in ZH:
            untranslated.add(template)
        return tr(template, lang, **values)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scenes.common, "tr", recording_tr)
        scene, problems = dry_run(registry.get(name).configured(ZH_SCENES[name], lang="zh"))
    return name, scene, problems, sorted(untranslated)


def zh_labels(name: str, scene) -> dict[str, str]:
    """Some labels on screen, by what they are, as the scene drew them."""
    if name == "training":
        return {
            "title": scene.title[0].original_text,
            "map": scene.grids["map0"].title.original_text,
            "status": scene.status.original_text,
            "loss axis": scene.axes[2].original_text,
        }
    if name == "initialization":
        return {
            "title": scene.title[0].original_text,
            "scheme": scene.shown_panels[0][0],
            "suits": scene.shown_panels[0][-1],
            "axis": scene.axes[2].original_text,
        }
    if name.startswith("im2col"):
        return {
            "title": scene.title[0].original_text,
            "patch matrix": scene.patch_grid.title.original_text,
            "kernel row": scene.kernel_row.title.original_text,
            "code caption": scene.code_captions[0].original_text,
        }
    return {
        "title": scene.title[0].original_text,
        "count": scene.count.original_text,
        "gradient": scene.grad_grid.title.original_text,
        "input": scene.x_label.original_text,
    }


def zh_key_numbers(name: str, scene) -> list[str]:
    """Numbers from the trace, formatted as on screen, that the captions must state."""
    t = scene.trace if name != "initialization" else None
    if name == "training":
        w = t.layers[0].weight
        return [*(fixed(v) for v in t.loss), fixed(w.after[0, 0, 0, 0, 0])]
    if name == "initialization":
        s = scene.symmetry
        lines = [line for init in scene.inits for line in init.substituted]
        return [*lines, fixed(s.constant_grads[0][0, 0]), fixed(s.contrast_grads[1][0, 0])]
    if name.startswith("im2col"):
        return [f"= {fmt(t.values[0, 0])}", ", ".join(fmt(v) for v in t.values[0])]
    return [
        f"{t.n_total} ",
        f"{t.n_nonzero} ",
        f"{t.n_zero} ",
        f"= {fmt(t.out_flat[0])}",
        f"= {fmt(t.grad_x_flat[int(np.argmax(t.column_counts))])}",
    ]


def test_zh_scene_lays_out_cleanly_with_every_template_translated(zh_run):
    name, _, problems, untranslated = zh_run
    assert problems == []
    assert untranslated == [], f"{name}: templates missing from ZH"


def test_zh_scene_labels_are_chinese(zh_run):
    name, scene, _, _ = zh_run
    for what, text in zh_labels(name, scene).items():
        assert CJK.search(text), f"{name} {what}: {text!r}"


def test_zh_scene_cues_are_chinese_and_state_the_trace_numbers(zh_run):
    name, scene, _, _ = zh_run
    cues = [text for _, text in scene.cues]
    assert len(cues) >= 8
    assert all(CJK.search(text) for text in cues), [c for c in cues if not CJK.search(c)]
    captions = "\n".join(cues)
    for number in zh_key_numbers(name, scene):
        assert number in captions, f"{name}: {number!r} in no caption"


def test_zh_article_numbers_in_the_captions(zh_run):
    name, scene, _, _ = zh_run
    captions = "\n".join(text for _, text in scene.cues)
    expected = {
        "training": ["损失 0.0864", "(−0.3394)²  =  0.1152", "−0.0435 − 0.01·0.1109", "= −0.0446"],
        "initialization": ["W ~ U(−0.08333, 0.08333)", "适用于：ReLU"],
        "im2col": ["第 0 列：out[0, 0] 的窗口，1, 2, 3, 6, 7, 8, 11, 12, 13", "13·9 = 411"],
        "im2col-channels": ["1·(−1) = 44"],
        "matmul": ["9×25 = 225 个格子：81 个卷积核元素，144 个零", "M 的第 0 行乘以 x", "= 411"],
    }[name]
    for text in expected:
        assert text in captions, f"{name}: {text!r}"
