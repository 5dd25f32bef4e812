"""The groups video builds from its trace, laid out cleanly, in English and Chinese.

Every number it shows is read back from its Texts and compared with the trace, and the
trace with convcore's ``conv2d`` (grouped and depthwise, tested against PyTorch in
test_convcore/test_groups.py) and the counts of ``separable_cost``.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from scene_utils import CJK, shared_dry_run, texts, tr_templates

import scenes.groups
from convcore import conv2d
from convcore.groups import block_diagonal, conv_cost, separable_cost
from scenes.kit.fmt import dot_equation, fmt, fraction, separable_formulas, sum_equation
from scenes.kit.i18n import ZH
from scenes.specs.groups import SPEC

#: Two channels, groups=1 and depthwise only, a 5×5 input, 2×2 kernels: 16 pixels.
VARIANT = {"in_channels": 2, "out_channels": 3, "groups": 1, "side": 5, "kernel_size": 2}


def check_numbers(scene):
    """Kernels, sums, the pointwise product and the table equal the trace and convcore."""
    video = scene.trace
    x = video.passes[0].x
    for t, cost in zip(video.passes, video.costs, strict=True):
        dense = block_diagonal(t.weight, t.groups)  # a grouped conv is the dense one, masked
        np.testing.assert_array_equal(t.out, conv2d(x, t.weight, groups=t.groups))
        np.testing.assert_array_equal(t.out, conv2d(x, dense))
        assert cost.weights == t.weight.size
        for o in range(t.weight.shape[0]):
            column = scene.filter_column(t, o)
            for n, kernel in enumerate(column.kernels):
                assert kernel.title.original_text == f"w[{o}, {n}]"
                assert texts(kernel.numbers) == [fmt(v) for v in t.weight[o, n].ravel()]
        lines, said = scene.sum_lines(t, scene.groups_of(t), 1.0)
        totals = [line for line in texts(lines) if line.startswith("out[")]
        assert [line.rsplit(" = ", 1)[1] for line in totals] == [fmt(v) for v in t.out[0, :, 0, 0]]
        assert all(total in said for total in totals)
    s = video.separable
    np.testing.assert_array_equal(s.depthwise.out, video.passes[-1].out)
    x_grid, _, y_grid = scene.product_board(s.pointwise)
    assert texts(x_grid.numbers) == [
        fmt(v) for v in s.depthwise.out[0].reshape(len(x[0]), -1).ravel()
    ]
    expected = conv2d(s.depthwise.out[0], s.pointwise.weight).reshape(len(s.out), -1)
    assert texts(y_grid.numbers) == [fmt(v) for v in expected.ravel()]
    c_out, c_in = s.pointwise.kernel_rows.shape
    assert s.cost == separable_cost(c_in, c_out, s.depthwise.kernel_size, s.depthwise.out_shape)


# ---------------------------------------------------------------- English


def test_default_lays_out_cleanly_and_shows_the_trace():
    scene, problems = shared_dry_run(SPEC)
    assert problems == []
    check_numbers(scene)
    assert [t.groups for t in scene.trace.passes] == [1, 2, 4]
    assert [c.weights for c in scene.trace.costs] == [144, 72, 36]
    assert [name for _, name in scene.beats] == [
        "show_title",
        "show_input",
        *["show_grouping"] * 3,
        "show_pointwise",
        "show_parameters",
        "show_multiply_adds",
        "show_ratio",
    ]


def test_default_table_and_ratio_have_the_numbers_substituted():
    scene, _ = shared_dry_run(SPEC)
    rows = [" ".join(line.split()) for line in texts(scene.table)]
    assert rows[1].endswith("C_out·C_in·k² = 8·4·3² = 288 2·2·288 = 1152")
    assert rows[2].endswith("C_in·k² = 4·3² = 36 2·2·36 = 144")
    assert rows[3].endswith("C_out·C_in = 8·4 = 32 2·2·32 = 128")
    assert rows[4].endswith("36 + 32 = 68 144 + 128 = 272")
    assert texts(scene.ratio) == [
        "separable / standard = 68 / 288 = 272 / 1152 = 17/72 ≈ 0.236",
        "= 1/C_out + 1/k² = 1/8 + 1/9 = 17/72",
        "4.2× fewer parameters and multiply-adds",
    ]


def test_default_cues_quote_the_trace():
    scene, _ = shared_dry_run(SPEC)
    cues = [text for _, text in scene.cues]
    assert "groups = 2: 2 groups of 2 channels; a filter sees only its group's: " in " ".join(cues)
    assert any(
        "weight (C_out, C_in/groups, kH, kW) = (4, 2, 3, 3), 4·2·3·3 = 72" in c for c in cues
    )
    sums = [c for c in cues if c.startswith("output (0, 0)")]
    assert len(sums) == 3
    assert "group 0: x[0], x[1]: out[0] = −1 + 9 = 8, out[1] = −2 + 3 = 1" in sums[1]
    assert "y[0, (0, 0)] = 1·(−1) + (−1)·3 + 0·3 + 0·0 = −4" in " ".join(cues)


@pytest.mark.slow
def test_variant_lays_out_cleanly_and_shows_the_trace():
    scene, problems = shared_dry_run(SPEC, VARIANT)
    assert problems == []
    check_numbers(scene)
    assert [t.groups for t in scene.trace.passes] == [1, 2]
    assert scene.trace.separable.pointwise.patches.shape == (2, 16)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"groups": 3}, r"groups=3 must divide the 4 input channels \(--in-channels\)"),
        ({"in_channels": 3}, "groups=2 must divide the 3 input channels"),
        ({"side": 5, "kernel_size": 1}, "25 pixels, too many columns to draw"),
        ({"side": 2}, "kernel extent 3 is larger than the padded input 2"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        SPEC.make_trace(SPEC.resolve(params))


def test_parameters_and_seed():
    assert [p.name for p in SPEC.params] == [
        "in_channels",
        "out_channels",
        "groups",
        "side",
        "kernel_size",
        "seed",
    ]
    with pytest.raises(ValueError, match="not in the range"):
        SPEC.param("out_channels").kind.text("9", "--out-channels")
    one, other = (SPEC.make_trace(SPEC.resolve({"seed": s})) for s in (0, 1))
    assert not np.array_equal(one.passes[0].x, other.passes[0].x)
    again = SPEC.make_trace(SPEC.resolve({"seed": 1}))
    np.testing.assert_array_equal(again.passes[0].weight, other.passes[0].weight)


# ---------------------------------------------------------------- Chinese


def test_every_template_has_a_translation():
    templates = tr_templates(scenes.groups)
    assert len(templates) > 25
    assert sorted(t for t in templates if t not in ZH) == []


def test_chinese_light_lays_out_cleanly():
    scene, problems = shared_dry_run(SPEC, theme="light", lang="zh")
    assert problems == []
    cues = [text for _, text in scene.cues]
    assert [text for text in cues if not CJK.search(text)] == []
    assert "第 0 组：x[0], x[1]：out[0] = −1 + 9 = 8, out[1] = −2 + 3 = 1" in " ".join(cues)
    assert texts(scene.ratio)[0] == "可分离 / 标准 = 68 / 288 = 272 / 1152 = 17/72 ≈ 0.236"
    assert CJK.search(scene.table[0].original_text)


# ---------------------------------------------------------------- the kit helpers added


def test_fraction_and_separable_formulas():
    assert fraction(Fraction(17, 72)) == "17/72" and fraction(Fraction(4, 2)) == "2"
    lines = separable_formulas(separable_cost(3, 16, 3, (5, 4)))
    assert lines["standard"] == ("C_out·C_in·k² = 16·3·3² = 432", "5·4·432 = 8640")
    assert lines["depthwise"] == ("C_in·k² = 3·3² = 27", "5·4·27 = 540")
    assert lines["pointwise"] == ("C_out·C_in = 16·3 = 48", "5·4·48 = 960")
    assert lines["separable"] == ("27 + 48 = 75", "540 + 960 = 1500")
    assert conv_cost(3, 16, 3, (5, 4)).macs == 8640


def test_sum_and_dot_equations():
    assert sum_equation(np.array([-1.0, 9.0]), 8.0) == "−1 + 9 = 8"
    assert sum_equation(np.array([4.0, -2.0, 0.5]), 2.5) == "4 + (−2) + 0.5 = 2.5"
    assert sum_equation(np.array([-3.0]), -3.0) == "−3"
    window, kernel = np.array([[1.0, -1.0]]), np.array([[2.0, 3.0]])
    assert dot_equation(window, kernel, -1.0) == "1·2 + (−1)·3 = −1"
