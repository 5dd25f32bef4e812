"""The sliding-window scene builds from its trace, legibly laid out, with the trace's numbers."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest
from scene_utils import shared_dry_run

from convcore import ARTICLE_OUTPUT, conv2d, conv2d_direct
from scenes.kit.fmt import fmt
from scenes.specs.sliding import SPEC

VARIANTS = {
    "article": {},
    "padding-stride-dilation-bias": dict(
        input=np.arange(36.0).reshape(6, 6) - 10,
        kernel=np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1.0]]),
        stride=2,
        padding=1,
        dilation=2,
        bias=0.5,
    ),
    "non-square-same": dict(
        input=np.arange(1.0, 21).reshape(4, 5), kernel=np.ones((2, 3)), padding="same"
    ),
    "fractions": dict(
        input=np.linspace(-1, 1, 16).reshape(4, 4),
        kernel=np.array([[0.25, -0.5], [0.125, 1]]),
        stride=(1, 2),
    ),
    "largest": dict(
        input=np.arange(100.0).reshape(10, 10), kernel=np.ones((5, 5)), padding=1, stride=3
    ),
    "huge-values": dict(input=np.full((3, 3), 1.2345e15), kernel=np.full((2, 2), -3.0)),
}
#: Variants whose dry runs only repeat what the others prove: run with ``-m slow``.
SLOW = {"non-square-same", "largest"}


@pytest.mark.parametrize(
    "variant",
    [pytest.param(v, marks=pytest.mark.slow) if v in SLOW else v for v in VARIANTS],
)
def test_sliding_variants_lay_out_cleanly(variant):
    scene, problems = shared_dry_run(SPEC, VARIANTS[variant])
    assert problems == []
    assert scene.renderer.num_plays > 5
    t = scene.trace
    # every output cell shows the trace's value, and the trace agrees with conv2d
    shown = [n.original_text for n in scene.output_grid.numbers]
    assert shown == [fmt(v) for v in t.values[0, 0]]
    p = VARIANTS[variant]
    bias = None if "bias" not in p else [p["bias"]]
    expected = conv2d(np.asarray(t.x), t.weight, bias, t.stride, p.get("padding", 0), t.dilation)
    np.testing.assert_allclose(t.values[0, 0], expected[0, 0].ravel(), rtol=1e-12, atol=1e-12)


def test_long_numbers_are_compact_in_cells_equations_and_captions():
    scene, _ = shared_dry_run(SPEC, VARIANTS["huge-values"])
    value = scene.trace.values[0, 0, 0]  # 4 · 1.2345e15 · (−3) = −1.4814e16
    assert fmt(value) == "−1.48e+16"
    assert scene.output_grid.number(0, 0).original_text == "−1.48e+16"
    eq, result = scene.get_equation(0)
    assert result.original_text == "−1.48e+16"
    assert "1.23e+15·(−3)" in " ".join(line.original_text for line in eq)
    assert any("1.23e+15·(−3)" in text and text.endswith("= −1.48e+16") for _, text in scene.cues)


def test_sliding_article_numbers_on_screen():
    scene, _ = shared_dry_run(SPEC)
    shown = np.array([float(n.original_text) for n in scene.output_grid.numbers]).reshape(3, 3)
    np.testing.assert_array_equal(shown, ARTICLE_OUTPUT)
    eq, result = scene.get_equation(0)
    assert eq[0].original_text == "i = 0, j = 0"  # the loop indices beside the code
    assert " ".join(line.original_text for line in eq[1:]) == (
        "out[0, 0] = 1·1 + 2·2 + 3·3 + 6·4 + 7·5 + 8·6 + 11·7 + 12·8 + 13·9 ="
    )
    assert result.original_text == "411"
    eq, result = scene.get_equation(8)
    assert "13·1 + 14·2 + 15·3 + 18·4 + 19·5 + 20·6 + 23·7 + 24·8 + 25·9 =" in " ".join(
        line.original_text for line in eq
    )
    assert result.original_text == "951"


def test_every_grid_is_labelled_with_its_shape():
    scene, _ = shared_dry_run(SPEC)
    titles = [
        g.title.original_text for g in (scene.input_grid, scene.kernel_grid, scene.output_grid)
    ]
    assert titles == ["input 5×5", "kernel 3×3", "output 3×3"]


def test_sliding_padding_cells_are_drawn_distinctly():
    scene, _ = shared_dry_run(SPEC, VARIANTS["padding-stride-dilation-bias"])
    grid, mask = scene.input_grid, scene.trace.pad_mask
    fills = np.array([c.get_fill_color().to_hex() for c in grid.cells]).reshape(mask.shape)
    assert len(set(fills[mask])) == 1 and len(set(fills[~mask])) == 1
    assert fills[mask][0] != fills[~mask][0]


def test_sliding_dilated_window_has_gaps():
    scene, _ = shared_dry_run(SPEC, VARIANTS["padding-stride-dilation-bias"])
    window = scene.get_window(0)
    centres = sorted({round(sq.get_center()[0], 3) for sq in window})
    assert len(centres) == 3
    step = np.diff(centres)
    np.testing.assert_allclose(step, 2 * scene.input_grid.cell_size, atol=1e-6)


def test_too_large_input_is_refused_with_the_limit():
    with pytest.raises(ValueError, match=r"13×13 is too large .*at most 12×12"):
        SPEC.make_trace(SPEC.resolve({"input": np.ones((13, 13))}))


def test_sliding_shows_convcores_own_loop_code():
    scene, _ = shared_dry_run(SPEC)
    real = [line.strip() for line in inspect.getsource(conv2d_direct).splitlines()]
    shown = [line.strip() for line in scene.code.lines]
    assert shown[0].startswith("out = np.zeros(") and shown[-1] == "return _finish(out, a)"
    assert all(line in real for line in shown)
    # the last animated line is the one that writes the output value
    out_line = scene.code.line_marker(scene.code.line_index("out[n, o, i, j] ="))
    assert scene.marker.get_center()[1] == pytest.approx(out_line.get_center()[1])


def test_sliding_in_chinese_lays_out_cleanly():
    scene, problems = shared_dry_run(SPEC, lang="zh")
    assert problems == []
    assert scene.input_grid.title.original_text == "输入 5×5"
    assert scene.output_grid.title.original_text == "输出 3×3"
    assert any(re.match(r"位置 \(0, 1\)：2·1 \+ 3·2 .* = 456$", text) for _, text in scene.cues)


def test_light_theme_colours_the_background_and_grids():
    scene, problems = shared_dry_run(SPEC, theme="light")
    assert problems == []
    assert str(scene.camera.background_color).upper() == "#FFFFFF"
    assert scene.input_grid.title.get_color().to_hex().upper() == "#1565C0"
