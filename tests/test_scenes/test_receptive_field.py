"""``receptive-field``: one output cell traced back through stacked layers vs one big kernel.

Each run is a dry run with the layout checked after every animation (nothing off-frame, no
Texts overlapping); its panels, grids and recap are read back and compared with the trace;
in Chinese its labels and captions must be Chinese and quote the trace.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from scene_utils import chinese, shared_dry_run, texts

from scenes.kit.fmt import shape
from scenes.specs.receptive_field import SPEC


@pytest.fixture(scope="module")
def default():
    return shared_dry_run(SPEC)


@pytest.fixture(scope="module")
def default_zh():
    return shared_dry_run(SPEC, lang="zh")


def test_default_numbers(default):
    scene, problems = default
    assert problems == []
    stack = [texts(scene.panels["stack", n]) for n in (1, 2, 3)]
    single = [texts(scene.panels["single", n]) for n in (2, 3)]
    assert [s[0] for s in stack] == [
        "receptive field 3×3",
        "receptive field 5×5",
        "receptive field 7×7",
    ]
    assert [s[1] for s in stack] == ["weights: 9", "weights: 2·9 = 18", "weights: 3·9 = 27"]
    assert [s[2] for s in stack] == ["ReLUs: 1", "ReLUs: 2", "ReLUs: 3"]
    assert [s[:2] for s in single] == [
        ["receptive field 5×5", "weights: 5·5 = 25"],
        ["receptive field 7×7", "weights: 7·7 = 49"],
    ]
    assert [s[2] for s in single] == ["ReLUs: 1", "ReLUs: 1"]
    assert texts(scene.panels["channels"]) == ["×C²: 27·64² = 110592", "×C²: 49·64² = 200704"]
    # the highlighted cells are the trace's masks: 7×7 of the input, 5×5, 3×3, the cell
    t = scene.full
    assert [int(m.sum()) for m in t.masks] == [49, 25, 9, 1]
    assert [g.shape for g in scene.grids] == [(9, 9), (7, 7), (5, 5), (3, 3)]
    table = scene.recap[1]
    assert [row.original_text.split()[1] for row in table[1:]] == ["3×3", "5×5", "7×7"]
    assert scene.recap in scene.mobjects  # the recap is what the video ends on


def test_english_cues_stay_english(default):
    scene, _ = default
    cues = [text for _, text in scene.cues]
    assert "3 layers (3×3, 3×3, 3×3): receptive field 7×7, 27 weights, 3 ReLUs" in cues
    assert "1 layer (3×3): receptive field 3×3, 9 weights, 1 ReLU" in cues
    assert not any(chinese(text) for text in cues)


@pytest.mark.parametrize(
    ("layers", "input_size"),
    [
        pytest.param([(3, 2, 1), (3, 1, 1)], 9, id="stride-padding"),
        pytest.param([(3, 1, 0, 2), (3,)], 11, id="dilation", marks=pytest.mark.slow),
        pytest.param([(3,)] * 4, 12, id="largest"),
    ],
)
def test_variants(layers, input_size):
    scene, problems = shared_dry_run(SPEC, {"layers": layers, "input_size": input_size})
    assert problems == []
    t = scene.full
    assert (
        texts(scene.panels["stack", len(layers)])[0]
        == f"receptive field {shape(t.size[-1], t.size[-1])}"
    )
    assert [g.shape for g in scene.grids] == [tuple(s) for s in t.map_sizes]


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"layers": [(3,)] * 5}, "at most 4"),
        ({"layers": [(0,)]}, "kernel must be positive"),
        ({"layers": []}, "layers is empty"),
        ({"input_size": 13}, "too large"),
        ({"input_size": 5}, "too small for layer 2"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        SPEC.make_trace(SPEC.resolve(params))


# ---------------------------------------------------------------- in Chinese


def test_chinese_lays_out_cleanly(default_zh):
    _, problems = default_zh
    assert problems == []


def test_chinese_labels(default_zh):
    scene, _ = default_zh
    shown = [
        scene.title[0].original_text,
        scene.grids[1].title.original_text,
        *(m.original_text for m in scene.panels["stack", 3]),
        scene.recap[1][0].original_text,
    ]
    assert [text for text in shown if not chinese(text)] == []


def test_chinese_cues_quote_the_trace(default_zh):
    scene, _ = default_zh
    cues = [text for _, text in scene.cues]
    assert len(cues) >= 5 and all(text.strip() for text in cues)
    assert [text for text in cues if not chinese(text)] == []
    assert [t for t, _ in scene.cues] == sorted(t for t, _ in scene.cues)
    assert "3 层（3×3，3×3，3×3）：感受野 7×7，27 个权重，3 个 ReLU" in cues
    single = [c for c in cues if c.startswith("一个 7×7 卷积核")]
    assert len(single) == 1 and "7×7" in single[0] and "49 个权重" in single[0]
    assert any("27·64² = 110592" in c and "49·64² = 200704" in c for c in cues)


def test_recap_header_sits_on_its_columns_in_chinese(default_zh):
    scene, _ = default_zh
    cells = scene.recap[1].cells  # header row, then one row per stage
    assert len(cells) == 4 and all(len(row) == 5 for row in cells)
    for c in range(5):
        lefts = [row[c].get_left()[0] for row in cells]
        assert np.ptp(lefts) < 0.01, c  # every column starts at one x
    for row in cells:
        for a, b in pairwise(row):
            assert b.get_left()[0] > a.get_right()[0] + 0.2  # no cell runs into the next
