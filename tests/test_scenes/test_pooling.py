"""The pooling video builds from its trace, laid out cleanly, with the trace's numbers; the
trace is convcore's pooling (itself tested against PyTorch in test_convcore/test_pool.py)."""

from __future__ import annotations

import numpy as np
import pytest
from manim import Text
from scene_utils import shared_dry_run, tr_templates

import scenes.pooling
from convcore import (
    avg_pool2d,
    avg_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
    pool_output_size_terms,
)
from scenes.kit.fmt import fmt, pool_size_formula
from scenes.kit.i18n import ZH
from scenes.kit.text import wrap_terms
from scenes.specs.pooling import POOL_INPUT, SPEC

#: conv_arithmetic's max pooling of its 5×5 input (3×3 windows, stride 1).
CONV_ARITHMETIC_MAX = [[3, 3, 3], [3, 3, 3], [3, 2, 3]]
#: Average pooling, 2×2 windows, stride 2, padding 1, ceil_mode (a 4th window would start in
#: the padding: dropped) and count_include_pad=False (divisors 1, 2 or 4).
AVG_CEIL = dict(pool="avg", kernel_size=2, stride=2, padding=1, ceil_mode=True)
AVG_CEIL["count_include_pad"] = False
VARIANTS = {
    "default": {},
    "avg-ceil": AVG_CEIL,
    "max-padding-dilation": dict(
        pool="max", kernel_size=2, padding=1, dilation=2, input=np.arange(36.0).reshape(6, 6) % 7
    ),
    "largest-window": dict(kernel_size=5, padding=2, input=np.arange(16.0).reshape(4, 4) / 3),
}
SLOW = {"max-padding-dilation", "largest-window"}


def texts(mobjects) -> list[str]:
    return [m.original_text for m in mobjects]


def settings(v) -> dict:
    """The keyword arguments of convcore's pooling functions for parameter values ``v``."""
    return dict(
        kernel_size=v.kernel_size, stride=v.stride, padding=v.padding, ceil_mode=v.ceil_mode
    )


def expected(g, v):
    """(out, grad_x) of convcore's max/avg_pool2d and their backward for one pass."""
    x, ones = np.asarray(v.input)[None, None], np.ones_like(g.forward.out)
    if g.forward.mode == "max":
        kw = settings(v) | {"dilation": v.dilation}
        return max_pool2d(x, **kw), max_pool2d_backward(ones, x, **kw)
    kw = settings(v) | {"count_include_pad": v.count_include_pad}
    return avg_pool2d(x, **kw), avg_pool2d_backward(ones, x, **kw)


@pytest.mark.parametrize(
    "variant", [pytest.param(v, marks=pytest.mark.slow) if v in SLOW else v for v in VARIANTS]
)
def test_variants_lay_out_cleanly_and_show_the_trace(variant):
    scene, problems = shared_dry_run(SPEC, VARIANTS[variant])
    assert problems == []
    v = SPEC.resolve(VARIANTS[variant])
    for g in scene.trace.passes:
        t, mode = g.forward, g.forward.mode
        out, grad_x = expected(g, v)
        np.testing.assert_allclose(t.out, out, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(g.grad_x, grad_x, rtol=1e-12, atol=1e-12)
        forward, backward = scene.boards[mode, "forward"], scene.boards[mode, "backward"]
        padded = [fmt(value) for value in t.x_padded[0, 0].ravel()]
        assert texts(forward.x_grid.numbers) == texts(backward.x_grid.numbers) == padded
        assert texts(forward.out_grid.numbers) == [fmt(value) for value in t.out[0, 0].ravel()]
        assert texts(backward.grad_out.numbers) == ["1"] * t.n_steps
        # ∂L/∂x as it stands after the last window: the running sums' last step
        assert texts(backward.grad_x.numbers) == [fmt(value) for value in g.grad_x[0, 0].ravel()]


def test_default_is_conv_arithmetic_max_then_average():
    scene, _ = shared_dry_run(SPEC)
    assert scene.trace.modes == ("max", "avg")
    maxed, averaged = (g.forward for g in scene.trace.passes)
    np.testing.assert_array_equal(maxed.x[0, 0], POOL_INPUT)
    np.testing.assert_array_equal(maxed.out[0, 0], CONV_ARITHMETIC_MAX)
    np.testing.assert_array_equal(averaged.divisors, [9] * 9)
    # the windows overlap: x[1, 3] is the max of three windows and gets all three gradients
    np.testing.assert_array_equal(scene.trace.passes[0].grad_x[0, 0, 1], [0, 0, 0, 3, 0])
    family = [m for board in scene.boards.values() for m in board.get_family()]
    titles = {m.original_text for m in family if isinstance(m, Text)}
    assert {"input x: 5×5", "output 3×3", "∂L/∂out 3×3", "∂L/∂x 5×5"} <= titles
    assert {"max_pool2d", "avg_pool2d"} <= titles


def window_cues(scene) -> list[str]:
    return [text for _, text in scene.cues if text.startswith("Window (")]


def test_every_window_cue_quotes_the_trace():
    scene, _ = shared_dry_run(SPEC)
    maxed, averaged = (g.forward for g in scene.trace.passes)
    cues = window_cues(scene)
    assert len(cues) == maxed.n_steps + averaged.n_steps
    for k, cue in enumerate(cues[: maxed.n_steps]):
        i, j = maxed.out_index[k]
        values = ", ".join(fmt(v) for v in maxed.windows[0, 0, k].ravel())
        r, c = maxed.argmax_row[0, 0, k], maxed.argmax_col[0, 0, k]
        value = fmt(maxed.values[0, 0, k])
        assert (
            cue
            == f"Window ({i}, {j}): out[{i}, {j}] = max({values}) = {value} (found at x[{r}, {c}])"
        )
    for k, cue in enumerate(cues[maxed.n_steps :]):
        s, d, m = fmt(averaged.sums[0, 0, k]), averaged.divisors[k], fmt(averaged.values[0, 0, k])
        assert cue.endswith(f") / {d} = {s} / {d} = {m}")
    assert (
        cues[-1]
        == "Window (2, 2): out[2, 2] = (2 + 2 + 3 + 0 + 2 + 2 + 0 + 0 + 1) / 9 = 12 / 9 = 1.333"
    )


def test_every_gradient_cue_quotes_the_running_sums():
    scene, _ = shared_dry_run(SPEC)
    g = scene.trace.passes[0]
    steps = [text for _, text in scene.cues if text.startswith("∂L/∂out[")]
    assert len(steps) == 2 * g.n_steps
    before = {}
    for k, cue in enumerate(steps[: g.n_steps]):
        r, c = g.forward.argmax_row[0, 0, k], g.forward.argmax_col[0, 0, k]
        after = fmt(g.running[0, 0, k, r, c])
        assert cue.endswith(f"∂L/∂x[{r}, {c}] = {before.get((r, c), '0')} + 1 = {after}")
        before[r, c] = after
    assert steps[g.n_steps] == (
        "∂L/∂out[0, 0] / 9 = 1 / 9 = 0.111 to each of the window's input cells"
    )
    assert any("1 + 1 = 2" in cue for cue in steps) and any("2 + 1 = 3" in cue for cue in steps)


def test_output_size_formula_with_numbers():
    scene, _ = shared_dry_run(SPEC)
    assert ("Output size: H_out = ⌊(5 + 2·0 − 1·(3 − 1) − 1) / 1⌋ + 1 = ⌊2 / 1⌋ + 1 = 3") in [
        text for _, text in scene.cues
    ]


def test_avg_ceil_mode_says_the_rule_and_each_divisor():
    scene, _ = shared_dry_run(SPEC, AVG_CEIL)
    assert scene.trace.modes == ("avg",)
    t = scene.trace.passes[0].forward
    np.testing.assert_array_equal(t.divisors, [1, 2, 2, 2, 4, 4, 2, 4, 4])
    cues = [text for _, text in scene.cues]
    formula = next(c for c in cues if c.startswith("Output size"))
    assert "⌈5 / 2⌉ + 1 = 4 − 1 = 3" in formula
    assert "the last of 4 windows would start in the padding (at or past 5 + 1)" in formula
    note = "divisor 2: the window's cells inside the input (count_include_pad=False)"
    assert (
        window_cues(scene)[1]
        == f"Window (0, 1): out[0, 1] = (0 + 0 + 3 + 2) / 2 = 5 / 2 = 2.5 ({note})"
    )


def test_chinese_run_is_clean_and_translated():
    scene, problems = shared_dry_run(SPEC, theme="light", lang="zh")
    assert problems == []
    cues = [text for _, text in scene.cues]
    assert cues[0] == "最大池化，平均池化：窗口 3×3，步幅 1，填充 0。"
    assert "窗口 (0, 0)：out[0, 0] = max(3, 3, 2, 0, 0, 1, 3, 1, 2) = 3 (位于 x[0, 0])" in cues
    board = scene.boards["avg", "backward"]
    assert texts(board.grad_x.numbers) == [fmt(v) for v in scene.trace.passes[1].grad_x.ravel()]


def test_every_template_has_a_chinese_translation():
    assert tr_templates(scenes.pooling) - set(ZH) == set()


def test_pool_shows_only_the_chosen_pooling():
    for pool in ("max", "avg"):
        trace = SPEC.make_trace(SPEC.resolve({"pool": pool}))
        assert trace.modes == (pool,)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"padding": 2}, "pad should be at most half of effective kernel size"),
        ({"pool": "avg", "padding": 2}, "pad should be at most half of kernel size"),
        ({"dilation": 2}, "average pooling has no dilation, got dilation 2: add --pool max"),
        ({"pool": "avg", "dilation": 2}, "average pooling has no dilation"),
        ({"input": np.ones((3, 3)), "kernel_size": 4}, "kernel"),
        ({"input": np.ones((9, 9)), "kernel_size": 2}, "too large to draw legibly"),
        ({"input": np.ones((2, 3, 3))}, "must be 2-D"),
        ({"input": np.ones((8, 8)), "kernel_size": 1}, "64 windows are too many"),
        ({"stride": 0}, "stride"),
    ],
)
def test_impossible_settings_raise_one_clear_error(given, message):
    with pytest.raises(ValueError, match=message):
        SPEC.make_trace(SPEC.resolve(given))


def test_parameters():
    assert [p.name for p in SPEC.params] == [
        "input",
        "kernel_size",
        "stride",
        "padding",
        "dilation",
        "pool",
        "ceil_mode",
        "count_include_pad",
    ]
    with pytest.raises(ValueError, match="not in the range"):
        SPEC.param("kernel_size").kind.text("6", "--kernel-size")
    with pytest.raises(ValueError, match="not one of"):
        SPEC.param("pool").kind.text("min", "--pool")
    assert SPEC.resolve()["pool"] is None and SPEC.resolve()["stride"] == 1


# -- the kit helpers this video added --------------------------------------------------


def test_pool_size_formula_substitutes_the_terms():
    general, line = pool_size_formula(pool_output_size_terms(5, 2, 2, 0, 1, ceil_mode=True))
    assert general == "H_out = ⌈(H + 2P − D·(K − 1) − 1) / S⌉ + 1"
    assert line == "H_out = ⌈(5 + 2·0 − 1·(2 − 1) − 1) / 2⌉ + 1 = ⌈3 / 2⌉ + 1 = 3"
    _, floor = pool_size_formula(pool_output_size_terms(5, 2, 2, 0, 1), "W")
    assert floor == "W_out = ⌊(5 + 2·0 − 1·(2 − 1) − 1) / 2⌋ + 1 = ⌊3 / 2⌋ + 1 = 2"


def test_fmt_writes_infinities_and_wrap_terms_breaks_lists():
    assert fmt(float("-inf")) == "−∞" and fmt(float("inf")) == "∞"
    assert wrap_terms("max(1, 2, 3, 4, 5)", 8, ", ") == ["max(1, 2,", "3, 4, 5)"]
    assert wrap_terms("a + b + c", 5) == ["a + b", "+ c"]
