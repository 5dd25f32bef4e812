"""The backward video builds from its trace, laid out cleanly, with the trace's numbers; the
trace is convcore's conv2d_backward (tested against PyTorch autograd, its committed
fixtures and finite differences in test_convcore/test_backward.py)."""

from __future__ import annotations

import numpy as np
import pytest
from manim import Text
from scene_utils import shared_dry_run

from convcore import ARTICLE_INPUT, ARTICLE_KERNEL, conv2d_backward
from convcore.backward import example_grad_output
from scenes.kit.fmt import equation, fmt, product_terms
from scenes.specs.backward import SPEC

STRIDE2 = {"stride": 2, "padding": 1}
#: 6×6 input, stride 2: the windows never reach the last row and column.
UNCOVERED = {"input": np.arange(36.0).reshape(6, 6) % 7, "stride": 2}
#: a typed ∂L/∂Y and uneven 'same' padding (a 2×2 kernel pads 0 top/left, 1 bottom/right).
TYPED = {
    "input": np.arange(16.0).reshape(4, 4) / 4,
    "kernel": np.array([[1.0, -1.0], [0.5, 2.0]]),
    "padding": "same",
    "grad_output": np.array([[1, 0, -1, 2], [0.5, 3, 0, 0], [-2, 0, 1, 0], [0, 0, 0, 1.25]]),
}
RUNS = {
    "default": ({}, "dark", "en"),
    "stride2-zh-light": (STRIDE2, "light", "zh"),
    "uncovered": (UNCOVERED, "dark", "en"),
    "typed-same": (TYPED, "light", "en"),
}
SLOW = {"uncovered", "typed-same"}


def beats(t) -> list[str]:
    """The beats for trace ``t``: one per position of each gradient (the slides a lecturer
    steps through), ``unreached`` only when the stride skips input cells."""
    weight = ["position"] * t.grad_weight_conv.n_steps
    inputs = ["position"] * len(t.grad_x_steps) + ["unreached"] * bool(t.uncovered.any())
    middle = ["stretch_and_rotate", "input_gradient", *inputs]
    return [
        "show_title",
        "show_problem",
        "weight_gradient",
        *weight,
        *middle,
        "bias_gradient",
        "conclude",
    ]


def texts(mobjects) -> list[str]:
    return [m.original_text for m in mobjects]


def cells(values) -> list[str]:
    return [fmt(v) for v in np.ravel(values)]


def run(name: str):
    params, theme, lang = RUNS[name]
    return shared_dry_run(SPEC, params, theme=theme, lang=lang)


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in RUNS]
)
def test_lays_out_cleanly_and_shows_the_trace(name):
    scene, problems = run(name)
    assert problems == []
    assert [b for _, b in scene.beats] == beats(scene.trace)
    t, boards = scene.trace, scene.boards
    params = RUNS[name][0]
    v = SPEC.resolve(params)
    grad_out = (
        v.grad_output if v.grad_output is not None else example_grad_output(t.grad_out.shape[2:])
    )
    grad_x, grad_weight, grad_bias = conv2d_backward(
        grad_out[None, None], t.x, t.weight, v.stride, v.padding
    )
    np.testing.assert_allclose(t.grad_weight, grad_weight, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(t.grad_x, grad_x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(t.grad_bias, grad_bias, rtol=1e-12, atol=1e-12)
    x_grid, g_grid, w_grid = boards["weight_gradient"]
    assert texts(x_grid.numbers) == cells(t.x_padded)
    assert texts(g_grid.numbers) == cells(grad_out)
    assert texts(w_grid.numbers) == cells(grad_weight)
    full, rotated, x_out = boards["input_gradient"]
    assert texts(full.numbers) == cells(t.grad_out_full)
    assert texts(rotated.numbers) == cells(t.weight[0, 0, ::-1, ::-1])
    assert texts(x_out.numbers) == cells(grad_x)
    assert texts(boards["bias_gradient"][1].numbers) == cells(grad_bias)
    stretch = boards["stretch_and_rotate"]
    assert texts(stretch[-1].numbers) == cells(t.weight_flipped)
    if t.stride != (1, 1):
        assert texts(stretch[1].numbers) == cells(t.grad_out_dilated)
    assert [texts(g.numbers) for g in boards["conclude"]] == [
        cells(grad_weight),
        cells(grad_x),
        cells(grad_bias),
    ]


def gradient_cues(scene, name: str) -> list[str]:
    return [text for _, text in scene.cues if text.startswith(name + "[") and "[p, q]" not in text]


def test_every_sum_the_captions_state_is_the_traces():
    scene, _ = run("default")
    t = scene.trace
    wc, xc = t.grad_weight_conv, t.grad_x_conv
    weight_cues = gradient_cues(scene, "∂L/∂W")
    assert len(weight_cues) == 9
    for k, cue in enumerate(weight_cues):
        i, j = wc.out_index[k]
        terms = product_terms(t.x_padded[0, 0, i : i + 3, j : j + 3], t.grad_out[0, 0])
        assert cue == f"∂L/∂W[{i}, {j}] = {equation(terms, None, t.grad_weight[0, 0, i, j])}"
    input_cues = gradient_cues(scene, "∂L/∂X")
    assert len(input_cues) == 25
    for m, cue in enumerate(input_cues):
        k, (i, j) = t.grad_x_steps[m], t.grad_x_index[m]
        terms = product_terms(xc.windows[0, k, 0], t.weight[0, 0, ::-1, ::-1])
        assert cue == f"∂L/∂X[{i}, {j}] = {equation(terms, None, t.grad_x[0, 0, i, j])}"
    assert cues_with(scene, "∂L/∂b = ") == [
        "b is added to every output value: ∂L/∂b = 2 + (−1) + 2 + (−1) + 2 + (−1) + 2 + (−1) "
        "+ 2 = 6"
    ]


def cues_with(scene, part: str) -> list[str]:
    return [text for _, text in scene.cues if part in text]


def test_default_is_the_article_example_with_a_checkerboard_gradient():
    scene, _ = run("default")
    t = scene.trace
    np.testing.assert_array_equal(t.x[0, 0], ARTICLE_INPUT)
    np.testing.assert_array_equal(t.weight[0, 0], ARTICLE_KERNEL)
    np.testing.assert_array_equal(t.grad_out[0, 0], [[2, -1, 2], [-1, 2, -1], [2, -1, 2]])
    # the article's input is a ramp, so ∂L/∂W is one too: (5p + q)·Σ∂L/∂Y + 42, Σ∂L/∂Y = 6
    np.testing.assert_array_equal(
        t.grad_weight[0, 0], [[42, 48, 54], [72, 78, 84], [102, 108, 114]]
    )
    assert t.grad_bias.tolist() == [6.0]
    family = [m for grids in scene.boards.values() for g in grids for m in g.get_family()]
    titles = {m.original_text for m in family if isinstance(m, Text)}
    assert {"input X 5×5", "kernel W 3×3", "∂L/∂Y 3×3 (given)", "∂L/∂W 3×3"} <= titles
    assert {"W rotated 180°", "∂L/∂Y stretched, padded by 2: 7×7", "∂L/∂X 5×5"} <= titles
    assert "∂L/∂b: 1 value" in titles


def test_stride2_in_chinese_shows_the_stretched_gradient():
    scene, _ = run("stride2-zh-light")
    t = scene.trace
    assert t.grad_out_dilated.shape[2:] == (5, 5) and t.grad_out_full.shape[2:] == (9, 9)
    family = [m for grids in scene.boards.values() for g in grids for m in g.get_family()]
    titles = {m.original_text for m in family if isinstance(m, Text)}
    assert {"输入 X 5×5，填充后 7×7", "∂L/∂Y 3×3，抽头相隔 2", "拉伸：中间插零，5×5"} <= titles
    assert {"W 旋转 180°", "∂L/∂Y 拉伸并填充 2：9×9", "∂L/∂X 5×5"} <= titles
    # ∂L/∂W[0, 0]: the input taps 2 apart from the padded corner, times ∂L/∂Y
    first = gradient_cues(scene, "∂L/∂W")[0]
    assert first == (
        "∂L/∂W[0, 0] = 0·2 + 0·(−1) + 0·2 + 0·(−1) + 7·2 + 9·(−1) + 0·2 + 17·(−1) + 19·2 = "
        + fmt(t.grad_weight[0, 0, 0, 0])
    )
    assert len(gradient_cues(scene, "∂L/∂X")) == 25  # padding 1: the 7×7 sums cut to 5×5
    assert any("步幅 2" in text for _, text in scene.cues)


@pytest.mark.slow
def test_cells_no_window_reaches_get_zero_without_a_sum():
    scene, _ = run("uncovered")
    t = scene.trace
    assert len(gradient_cues(scene, "∂L/∂X")) == 25  # 6×6 input, 11 cells unreached
    assert np.count_nonzero(t.uncovered) == 11
    assert np.all(t.grad_x[0, 0, 5] == 0) and np.all(t.grad_x[0, 0, :, 5] == 0)
    assert cues_with(scene, "No window reached")


@pytest.mark.parametrize(
    ("params", "match"),
    [
        (
            {"grad_output": np.ones((2, 2))},
            r"grad_output must have the output's shape 3×3 .*got 2×2",
        ),
        ({"stride": 2, "grad_output": np.ones((3, 3))}, r"output's shape 2×2 .*got 3×3"),
        ({"grad_output": np.ones((3, 3, 1))}, r"output's shape 3×3 .*got 3×3×1"),
        ({"input": np.ones((2, 5, 5))}, r"the backward video draws one channel"),
        ({"input": np.ones((11, 11)), "padding": 1, "stride": 3}, r"padded input 13×13 is too"),
        ({"input": np.ones((7, 7)), "padding": 2, "stride": 2}, r"∂L/∂Y 13×13 is too large"),
        ({"input": np.ones((9, 9)), "kernel": np.ones((6, 6))}, r"kernel 6×6 is too large"),
        ({"input": np.ones((8, 8)), "kernel": np.ones((2, 2))}, r"output 7×7 is too large"),
        ({"input": np.ones((2, 2))}, r"kernel extent 3 is larger than the padded input 2"),
    ],
)
def test_bad_settings_raise_one_sentence(params, match):
    with pytest.raises(ValueError, match=match):
        SPEC.make_trace(SPEC.resolve(params))
