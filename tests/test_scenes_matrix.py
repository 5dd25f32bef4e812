"""The im2col and conv-as-matmul scenes: dry runs, layout, and the numbers they show.

Each scene is dry-run once per variant (module-scoped fixtures) and its kept mobjects are
read back: every number on screen must be the trace's value, the trace must agree with
convcore.conv2d, and the code panel must highlight lines that exist in convcore's code.
"""

from __future__ import annotations

import numpy as np
import pytest
from scene_utils import dry_run

from convcore import ARTICLE_INPUT, ARTICLE_KERNEL, ARTICLE_OUTPUT, conv2d
from scenes import registry
from scenes.im2col import CHANNEL_INPUT, CHANNEL_KERNEL
from scenes.textfmt import fmt

IM2COL_VARIANTS = {
    "article": ("im2col", {}),
    "stride2-pad1-bias": ("im2col", {"stride": 2, "padding": 1, "bias": -100.0}),
    "channels": ("im2col-channels", {}),
}
MATMUL_VARIANTS = {
    "article": {},
    "stride2-pad1": {"stride": 2, "padding": 1},
}


_RUNS: dict[tuple[str, str], tuple] = {}


def _texts(mobs) -> list[str]:
    return [m.original_text for m in mobs]


def _run(scene_name: str, variant: str, params: dict) -> tuple:
    """Dry-run a scene variant once per test session: ``(scene, layout problems)``."""
    key = (scene_name, variant)
    if key not in _RUNS:
        _RUNS[key] = dry_run(registry.get(scene_name).configured(params))
    return _RUNS[key]


@pytest.fixture(params=list(IM2COL_VARIANTS))
def im2col_run(request):
    name, params = IM2COL_VARIANTS[request.param]
    return (request.param, params, *_run(name, request.param, params))


@pytest.fixture(params=list(MATMUL_VARIANTS))
def matmul_run(request):
    params = MATMUL_VARIANTS[request.param]
    return (request.param, params, *_run("matmul", request.param, params))


# ---------------------------------------------------------------- im2col


def test_im2col_lays_out_cleanly(im2col_run):
    _, _, scene, problems = im2col_run
    assert problems == []
    assert scene.renderer.num_plays > 20


def test_im2col_numbers_on_screen_are_the_trace(im2col_run):
    _, _, scene, _ = im2col_run
    t = scene.trace
    assert _texts(scene.patch_grid.numbers) == [fmt(v) for v in t.patches.ravel()]
    assert _texts(scene.kernel_row.numbers) == [fmt(v) for v in t.kernel_rows[0]]
    assert _texts(scene.result_row.numbers) == [fmt(v) for v in t.values[0]]
    assert _texts(scene.out_grid.numbers) == [fmt(v) for v in t.out[0].ravel()]
    # the sliding-window grid beside it shows convcore's ConvTrace values
    assert _texts(scene.conv_grid.numbers) == [fmt(v) for v in scene.conv_trace.values[0, 0]]
    for c, grid in enumerate(scene.input_grids):
        assert _texts(grid.numbers) == [fmt(v) for v in t.x_padded[c].ravel()]


def test_im2col_trace_equals_conv2d(im2col_run):
    _, params, scene, _ = im2col_run
    t = scene.trace
    bias = [params["bias"]] if "bias" in params else None
    expected = conv2d(t.x, t.weight, bias, t.stride, params.get("padding", 0), t.dilation)
    np.testing.assert_allclose(t.out, expected, atol=1e-12)
    np.testing.assert_allclose(scene.conv_trace.out[0], expected, atol=1e-12)


def test_im2col_code_panel_marks_real_lines(im2col_run):
    _, params, scene, _ = im2col_run
    panel, marked = scene.code_panel, scene.code_lines_marked
    stages = scene.get_code_stages()
    assert len(marked) == len(stages) == (4 if "bias" in params else 3)
    for index, (snippet, _) in zip(marked, stages, strict=True):
        assert snippet in panel.lines[index]
    assert "np.matmul(" in panel.lines[marked[2]] and "_unfold_padded(" in panel.lines[marked[0]]
    with pytest.raises(ValueError, match="0 lines of the code contain"):
        panel.line_index("no such line in convcore")


def test_im2col_article_equation_and_output():
    scene, _ = _run("im2col", "article", {})
    shown = np.array([float(n.original_text) for n in scene.out_grid.numbers]).reshape(3, 3)
    np.testing.assert_array_equal(shown, ARTICLE_OUTPUT)
    eq, result = scene.get_equation(0)
    text = " ".join(_texts(eq))
    assert "1·1 + 2·2 + 3·3 + 6·4 + 7·5" in text and "8·6 + 11·7 + 12·8 + 13·9" in text
    assert "= 1 + 4 + 9 + 24 + 35 + 48 + 77" in text and "96 + 117" in text
    assert result.original_text == "= 411"
    assert scene.get_step_caption(4).original_text == "window for out[1, 1] → column 4"


def test_im2col_channels_blocks_are_labelled():
    scene, _ = _run("im2col-channels", "channels", {})
    t = scene.trace
    np.testing.assert_array_equal(t.x, CHANNEL_INPUT)
    np.testing.assert_array_equal(t.weight[0], CHANNEL_KERNEL)
    tags = [m.original_text for m in scene.patch_extras if hasattr(m, "original_text")]
    assert tags == ["ch 0", "ch 1"]
    assert t.patches.shape == (8, 9) and len(scene.input_grids) == 2


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"input": np.ones((4, 4, 4)), "kernel": np.ones((4, 2, 2))}, "4 input channels are"),
        ({"input": np.ones((3, 3, 3, 3))}, r"needs an \(H, W\) or \(C, H, W\) input"),
        ({"kernel": np.ones((2, 1, 3, 3))}, "draws one output channel"),
        ({"kernel": np.ones((4, 4))}, r"patch matrix 16×4 is too large .*at most 12 rows"),
        ({"padding": 2}, r"patch matrix 9×49 is too large .*25 columns"),
        ({"stride": 0}, "stride must be positive"),
    ],
)
def test_im2col_refuses_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        registry.get("im2col").configured(params).make_trace()


# ---------------------------------------------------------------- conv as matmul


def test_matmul_lays_out_cleanly(matmul_run):
    _, _, scene, problems = matmul_run
    assert problems == []
    assert scene.renderer.num_plays > 20


def test_matmul_matrix_on_screen_is_the_trace(matmul_run):
    _, _, scene, _ = matmul_run
    t = scene.trace
    assert len(scene.entries) == t.n_nonzero
    for (r, q), mob in scene.entries.items():
        assert mob.original_text == fmt(t.matrix[r, q])
    assert len(scene.zero_dots) == t.n_zero
    count = scene.count.original_text
    assert f"= {t.n_total} cells: {t.n_nonzero} hold kernel entries, {t.n_zero} are" in count
    assert _texts(scene.x_row.numbers) == [fmt(v) for v in t.x_flat]
    assert _texts(scene.out_col.numbers) == [fmt(v) for v in t.out_flat]
    assert _texts(scene.g_col.numbers) == [fmt(v) for v in t.grad_out_flat]
    assert _texts(scene.grad_row.numbers) == [fmt(v) for v in t.grad_x_flat]
    assert _texts(scene.grad_grid.numbers) == [fmt(v) for v in t.grad_x.ravel()]


def test_matmul_trace_equals_conv2d(matmul_run):
    _, params, scene, _ = matmul_run
    t = scene.trace
    expected = conv2d(t.x, t.weight, None, t.stride, params.get("padding", 0), t.dilation)
    np.testing.assert_allclose(t.out, expected, atol=1e-12)


def test_matmul_article_numbers():
    scene, _ = _run("matmul", "article", {})
    t = scene.trace
    assert scene.count.original_text.startswith("9×25 = 225 cells: 81 hold kernel entries, 144")
    assert [float(s) for s in _texts(scene.out_col.numbers)] == list(ARTICLE_OUTPUT.ravel())
    eq = scene.get_equation(scene.row_terms_text(0), "out[0, 0] = row 0 · x")
    text = " ".join(_texts(eq[0]))
    assert "1·1 + 2·2 + 3·3 + 6·4 + 7·5 + 8·6" in text and "11·7 + 12·8 + 13·9" in text
    assert eq[1].original_text == "= 411"
    # the busiest column (input cell 12, the centre) takes all nine kernel entries back
    eq = scene.get_equation(scene.column_terms_text(12), "(Mᵀ·g)[12] = column 12 · g")
    assert "9·1 + 8·1 + 7·1" in " ".join(_texts(eq[0]))
    assert eq[1].original_text == f"= {fmt(t.grad_x_flat[12])}" == "= 45"
    np.testing.assert_array_equal(t.x[0], ARTICLE_INPUT)
    np.testing.assert_array_equal(t.weight[0, 0], ARTICLE_KERNEL)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"input": np.ones((2, 5, 5))}, "draws one channel"),
        ({"padding": 1}, r"unrolled matrix 25×25 is too large .*at most 10 rows"),
        ({"input": np.ones((6, 6)), "kernel": np.ones((1, 1))}, r"36×36 is too large"),
        ({"dilation": 3}, "larger than the padded input"),
    ],
)
def test_matmul_refuses_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        registry.get("matmul").configured(params).make_trace()


def test_registry_entries():
    for name, cls in [
        ("im2col", "Im2col"),
        ("im2col-channels", "Im2colMultiChannel"),
        ("matmul", "ConvAsMatmul"),
    ]:
        entry = registry.get(name)
        assert entry.load().__name__ == cls
    assert "bias" not in registry.get("matmul").params
    assert set(registry.get("im2col").params) == set(registry.CONV_PARAMS)
