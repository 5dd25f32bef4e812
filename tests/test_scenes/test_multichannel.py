"""The multichannel video builds from its trace, in English and Chinese.

Each run is a dry run with the layout checked after every animation (nothing off-frame, no
Texts overlapping); the numbers it shows are read back from its Texts and compared with the
trace and with ``conv2d``.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from scene_utils import CJK, shared_dry_run, texts, tr_templates

import scenes.multichannel
from convcore import conv2d
from scenes.kit.fmt import fmt, fmt_factor
from scenes.kit.i18n import ZH
from scenes.specs.multichannel import SPEC

_rng = np.random.default_rng(4)
#: Two channels, three 3×3 filters, padding, stride 3 and one bias for every filter.
VARIANT = {
    "input": _rng.integers(-2, 3, size=(2, 5, 5)).astype(float),
    "kernel": _rng.integers(-1, 2, size=(3, 2, 3, 3)).astype(float),
    "bias": 0.5,
    "padding": 1,
    "stride": 3,
}


def check_numbers(scene):
    """Every output value on screen, and every sum line the scene draws, equals the trace
    and conv2d."""
    t = scene.trace
    bias = t.bias if t.has_bias else None
    expected = conv2d(t.x, t.weight, bias, t.stride, t.pads[::2], t.dilation)
    for o, grid in enumerate(scene.outputs):
        assert texts(grid.numbers) == [fmt(v) for v in expected[0, o].ravel()]
        assert all(number in scene.mobjects for number in grid.numbers)
    for o in range(t.weight.shape[0]):
        for k in range(t.n_steps):
            lines = scene.get_lines(o, k)
            for n, c in enumerate(t.group_channels[o]):
                line = " ".join(texts(lines[1 + n]))
                assert line.startswith(f"channel {c}: ")
                assert line.endswith(f"= {fmt(t.channel_sums[0, o, k, n])}")
            sums = " + ".join(fmt_factor(v) for v in t.channel_sums[0, o, k])
            i, j = t.out_index[k]
            assert texts(lines)[-2].startswith(f"out[{o}][{i}, {j}] = {sums}")
            assert texts(lines)[-1] == fmt(t.values[0, o, k]) == fmt(expected[0, o, i, j])


# ---------------------------------------------------------------- English


def test_default_lays_out_cleanly():
    _, problems = shared_dry_run(SPEC)
    assert problems == []


def test_default_shows_the_trace():
    scene, _ = shared_dry_run(SPEC)
    check_numbers(scene)
    assert [s.original_text for s in scene.shapes] == [
        "x: (C_in, H, W) = (3, 4, 4)",
        "weight: (C_out, C_in, K, K) = (2, 3, 2, 2)",
        "output: (C_out, H_out, W_out) = (2, 3, 3)",
    ]
    assert [col.bias.original_text for col in scene.filters] == ["bias 1", "bias −1"]
    first = texts(scene.get_lines(0, 0))
    assert first[1] == "channel 0: 1·1 + 2·0 + 0·(−1) + 1·2 = 3"
    assert first[-2] == "out[0][0, 0] = 3 + 3 + 5 + bias 1 ="
    cues = [text for _, text in scene.cues]
    assert "Add the channel sums, then the bias: out[0][0, 0] = 3 + 3 + 5 + bias 1 = 12" in cues


def test_variant_lays_out_cleanly_and_shows_the_trace():
    scene, problems = shared_dry_run(SPEC, VARIANT)
    assert problems == []
    check_numbers(scene)
    assert [col.bias.original_text for col in scene.filters] == ["bias 0.5"] * 3


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"input": np.ones((4, 4))}, r"needs a 3-D input \(C_in, H, W\), got 2-D"),
        ({"kernel": np.ones((3, 2, 2))}, r"needs a 4-D kernel \(C_out, C_in, K, K\), got 3-D"),
        ({"kernel": np.ones((2, 2, 2, 2))}, "weight expects 2 input channels .* input has 3"),
        ({"input": np.ones((5, 4, 4)), "kernel": np.ones((2, 5, 2, 2))}, "too many to draw"),
        ({"input": np.ones((3, 8, 8))}, "8×8 is too large"),
        ({"kernel": np.ones((2, 3, 4, 4))}, "kernel 4×4 is too large"),
        ({"bias": [1, 2, 3]}, r"bias must have shape \(2,\)"),
        ({"input": np.full((3, 4, 4), 1e308)}, "overflow"),
        ({"bias": 1e308, "input": np.full((3, 4, 4), 1e308)}, "overflow"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        SPEC.make_trace(SPEC.resolve(params))


def test_one_bias_number_is_every_filters_bias():
    trace = SPEC.make_trace(SPEC.resolve({"bias": 0.5}))
    assert trace.has_bias and list(trace.bias) == [0.5, 0.5]
    assert not SPEC.make_trace(SPEC.resolve({"bias": None})).has_bias


# ---------------------------------------------------------------- Chinese


def test_every_template_has_a_translation():
    templates = tr_templates(scenes.multichannel)
    assert len(templates) > 20
    assert sorted(t for t in templates if t not in ZH) == []


def test_chinese_lays_out_cleanly():
    _, problems = shared_dry_run(SPEC, lang="zh")
    assert problems == []


def test_chinese_labels_and_cues():
    scene, _ = shared_dry_run(SPEC, lang="zh")
    lines = scene.get_lines(0, 0)
    labels = [
        scene.title[0].original_text,
        *(s.original_text for s in scene.shapes),
        *(col[0].original_text for col in scene.filters),
        *(col.bias.original_text for col in scene.filters),
        lines[0].original_text,
        lines[1][0].original_text,
    ]
    assert [text for text in labels if not CJK.search(text)] == []
    cues = [text for _, text in scene.cues]
    assert len(cues) >= 5 and all(text.strip() for text in cues)
    assert [text for text in cues if not CJK.search(text)] == []
    times = [t for t, _ in scene.cues]
    assert times == sorted(times)
    assert "各通道之和相加，再加偏置：out[0][0, 0] = 3 + 3 + 5 + 偏置 1 = 12" in cues
    sums = [c for c in cues if c.startswith("滤波器 0，输出位置 (0, 0)：")]
    assert len(sums) == 1
    assert re.search(r"通道 0：.* = 3；通道 1：.* = 3；通道 2：.* = 5$", sums[0])


@pytest.mark.slow
def test_without_bias_in_chinese():
    scene, problems = shared_dry_run(SPEC, {"bias": None}, lang="zh")
    assert problems == []
    cues = [text for _, text in scene.cues]
    assert not any("偏置" in text for text in cues[1:])  # the title names the general case
    assert any(text.startswith("各通道之和相加：out[0][0, 0] = 3 + 3 + 5 = 11") for text in cues)
    assert [col.bias for col in scene.filters if len(col.bias)] == []
