"""The arithmetic videos (output size, receptive field, multichannel) in Chinese.

Each scene is dry-run with ``lang="zh"`` and the layout checked after every animation;
its labels must be Chinese, and its captions (cues) Chinese and quoting the trace's numbers.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pytest
from scene_utils import dry_run

from convcore import output_size
from scenes import registry
from scenes.output_size import DUMOULIN_CASES
from scenes.textfmt import shape

NAMES = ("output-size", "receptive-field", "multichannel")
CJK = re.compile(r"[\u4e00-\u9fff]")


def chinese(text: str) -> bool:
    return bool(CJK.search(text))


@cache
def zh(name: str):
    """``(name, scene, layout problems)`` of the scene's default dry run in Chinese."""
    scene, problems = dry_run(registry.get(name).configured({}, lang="zh"))
    return name, scene, problems


@pytest.fixture(params=NAMES)
def zh_run(request):
    return zh(request.param)


def labels(name: str, scene) -> list[str]:
    """A few labels drawn on screen, chosen per scene."""
    if name == "output-size":
        case = scene.shown_cases[6]
        return [
            scene.title[0].original_text,
            case.heading.original_text,
            case.input_grid.title.original_text,
            case.output_grid.title.original_text,
            case.note.original_text,
            case.unvisited_note.original_text,
            scene.summary_rows[0][0].original_text,
            scene.summary_rows[1][0].original_text,
        ]
    if name == "receptive-field":
        return [
            scene.title[0].original_text,
            scene.grids[1].title.original_text,
            *(m.original_text for m in scene.panels["stack", 3]),
            scene.recap_rows[0].original_text,
        ]
    return [
        scene.title[0].original_text,
        *(s.original_text for s in scene.shapes),
        *(col[0].original_text for col in scene.filters),
        *(col.bias.original_text for col in scene.filters),
        scene.shown_lines[0, 0][0].original_text,
        scene.shown_lines[0, 0][1][0].original_text,
    ]


def test_chinese_dry_run_lays_out_cleanly(zh_run):
    _, _, problems = zh_run
    assert problems == []


def test_labels_are_chinese(zh_run):
    name, scene, _ = zh_run
    shown = labels(name, scene)
    assert [text for text in shown if not chinese(text)] == []


def test_cues_are_chinese(zh_run):
    _, scene, _ = zh_run
    cues = [text for _, text in scene.cues]
    assert len(cues) >= 5
    assert all(text.strip() for text in cues)
    assert [text for text in cues if not chinese(text)] == []
    times = [t for t, _ in scene.cues]
    assert times == sorted(times)


def test_cues_quote_the_trace(zh_run):
    name, scene, _ = zh_run
    cues = [text for _, text in scene.cues]
    if name == "output-size":
        case_cues = [c for c in cues if c.startswith("情形 ")]
        assert len(case_cues) == len(DUMOULIN_CASES)
        for n, (case, cue) in enumerate(zip(DUMOULIN_CASES, case_cues, strict=True), start=1):
            out = output_size(case.size, case.kernel, case.stride, case.padding, case.dilation)
            assert cue.startswith(
                f"情形 {n}/{len(DUMOULIN_CASES)}：输入 {shape(case.size, case.size)}"
            )
            assert f"→ 输出 {shape(out, out)}；H_out = " in cue
            assert cue.endswith(f"+ 1 = {out}")
        assert "⌊5 / 2⌋ 向下取整：最后一行和最后一列从未落在窗口下（✕）" in cues
        assert cues[-1] == "8 种情形的输出尺寸：2×2，6×6，5×5，7×7，2×2，3×3，3×3，3×3"
    elif name == "receptive-field":
        assert "3 层（3×3，3×3，3×3）：感受野 7×7，27 个权重，3 个 ReLU" in cues
        single = [c for c in cues if c.startswith("一个 7×7 卷积核")]
        assert len(single) == 1 and "7×7" in single[0] and "49 个权重" in single[0]
        assert any("27·64² = 110592" in c and "49·64² = 200704" in c for c in cues)
    else:
        assert "各通道之和相加，再加偏置：out[0][0, 0] = 3 + 3 + 5 + 偏置 1 = 12" in cues
        sums = [c for c in cues if c.startswith("滤波器 0，输出位置 (0, 0)：")]
        assert len(sums) == 1
        assert re.search(r"通道 0：.* = 3；通道 1：.* = 3；通道 2：.* = 5$", sums[0])


def test_english_cues_stay_english():
    scene, problems = dry_run(registry.get("receptive-field").configured({}))
    assert problems == []
    cues = [text for _, text in scene.cues]
    assert "3 layers (3×3, 3×3, 3×3): receptive field 7×7, 27 weights, 3 ReLUs" in cues
    assert not any(chinese(text) for text in cues)


def test_output_size_summary_columns_line_up_in_chinese():
    _, scene, _ = zh("output-size")
    ends = {round(left[-1].get_right()[0], 3) for left, _ in scene.summary_rows}
    assert len(ends) == 1  # the numbers' last column ends at one x in every row
    first = min(left[left.name_glyphs].get_left()[0] for left, _ in scene.summary_rows)
    widest_name = max(left[left.name_glyphs - 1].get_right()[0] for left, _ in scene.summary_rows)
    assert first > widest_name + 0.2  # no name runs into the numbers


def test_receptive_recap_header_sits_on_its_columns_in_chinese():
    _, scene, _ = zh("receptive-field")
    header, *rows = scene.recap_rows
    words = re.split(r" {3,}", header.original_text)
    counts = np.cumsum([0, *(len("".join(w.split())) for w in words)])
    for row in rows:
        cells = re.split(r" {3,}", row.original_text.strip())
        assert len(cells) == len(words)
        glyph = 0
        for c, cell in enumerate(cells):
            left = row[glyph].get_left()[0]
            assert abs(header[counts[c]].get_left()[0] - left) < 0.06, (words[c], cell)
            glyph += len("".join(cell.split()))


def test_single_user_case_in_chinese():
    params = {"input": np.arange(1.0, 43).reshape(6, 7), "kernel": np.ones((2, 3)), "stride": 2}
    scene, problems = dry_run(registry.get("output-size").configured(params, lang="zh"))
    assert problems == []
    (shown,) = scene.shown_cases
    assert shown.heading.original_text.startswith("自定义情形：输入 6×7，卷积核 2×3")
    oh, ow = output_size(6, 2, 2), output_size(7, 3, 2)
    cue = next(text for _, text in scene.cues if text.startswith("自定义情形"))
    assert f"→ 输出 {shape(oh, ow)}；H_out = " in cue and cue.endswith(f"= {ow}")


def test_multichannel_without_bias_in_chinese():
    scene, problems = dry_run(registry.get("multichannel").configured({"bias": None}, lang="zh"))
    assert problems == []
    cues = [text for _, text in scene.cues]
    assert not any("偏置" in text for text in cues[1:])  # the title names the general case
    assert any(text.startswith("各通道之和相加：out[0][0, 0] = 3 + 3 + 5 = 11") for text in cues)
