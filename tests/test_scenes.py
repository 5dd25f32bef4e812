"""Every scene builds from its trace in manim's dry-run mode, legibly laid out."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from scene_utils import dry_run

from convcore import ARTICLE_OUTPUT, conv2d, conv2d_direct
from scenes import registry
from scenes.textfmt import fmt

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
        input=np.linspace(-1, 1, 16).reshape(4, 4), kernel=[[0.25, -0.5], [0.125, 1]], stride=(1, 2)
    ),
    "largest": dict(
        input=np.arange(100.0).reshape(10, 10), kernel=np.ones((5, 5)), padding=1, stride=3
    ),
}


@pytest.mark.parametrize("scene_name", list(registry.SCENES))
def test_every_registered_scene_builds_in_dry_run(scene_name):
    scene, problems = dry_run(registry.get(scene_name).configured({}))
    assert scene.renderer.num_plays > 5
    assert problems == []


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_sliding_variants_lay_out_cleanly(variant):
    scene, problems = dry_run(registry.get("sliding").configured(VARIANTS[variant]))
    assert problems == []
    t = scene.trace
    # every output cell shows the trace's value, and the trace agrees with conv2d
    shown = [n.original_text for n in scene.output_grid.numbers]
    assert shown == [fmt(v) for v in t.values[0, 0]]
    p = VARIANTS[variant]
    bias = None if "bias" not in p else [p["bias"]]
    expected = conv2d(np.asarray(t.x), t.weight, bias, t.stride, p.get("padding", 0), t.dilation)
    np.testing.assert_allclose(t.values[0, 0], expected[0, 0].ravel(), atol=1e-12)


def test_sliding_article_numbers_on_screen():
    scene, _ = dry_run(registry.get("sliding").configured({}))
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


def test_sliding_padding_cells_are_drawn_distinctly():
    scene, _ = dry_run(registry.get("sliding").configured({"padding": 1}))
    grid, mask = scene.input_grid, scene.trace.pad_mask
    fills = np.array([c.get_fill_color().to_hex() for c in grid.cells]).reshape(mask.shape)
    assert len(set(fills[mask])) == 1 and len(set(fills[~mask])) == 1
    assert fills[mask][0] != fills[~mask][0]


def test_sliding_dilated_window_has_gaps():
    scene, _ = dry_run(registry.get("sliding").configured({"dilation": 2}))
    window = scene.get_window(0)
    centres = sorted({round(sq.get_center()[0], 3) for sq in window})
    assert len(centres) == 3
    step = np.diff(centres)
    np.testing.assert_allclose(step, 2 * scene.input_grid.cell_size, atol=1e-6)


def test_too_large_input_is_refused_with_the_limit():
    cls = registry.get("sliding").configured({"input": np.ones((13, 13))})
    with pytest.raises(ValueError, match=r"13×13 is too large .*at most 12×12"):
        cls.make_trace()


def test_sliding_shows_convcores_own_loop_code():
    scene, _ = dry_run(registry.get("sliding").configured({}))
    real = [line.strip() for line in inspect.getsource(conv2d_direct).splitlines()]
    shown = [line.strip() for line in scene.code.lines]
    assert shown[0].startswith("out = np.zeros(") and shown[-1] == "return _finish(out, a)"
    assert all(line in real for line in shown)
    # the last animated line is the one that writes the output value
    out_line = scene.code.line_marker(scene.code.line_index("out[n, o, i, j] ="))
    assert scene.marker.get_center()[1] == pytest.approx(out_line.get_center()[1])
