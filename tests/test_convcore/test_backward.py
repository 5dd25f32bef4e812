"""convcore.backward: conv2d_backward and the gradient-as-convolution trace.

Oracles: PyTorch float64 autograd (committed fixtures always, live when installed; tolerance
``TORCH_TOL``) and centred finite differences in float64. ``conv2d`` is linear in each
argument, so central differences are exact up to rounding (tolerance 1e-7).
The gradient video's examples are also committed as ``fixtures/backward_video_torch.npz``
(see make_backward_video_fixtures.py); every sum the backward trace records, and every
product in it, is checked by brute-force loops against those gradients.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from helpers import TORCH_TOL, numeric_grad, random_conv_case
from learning_fixtures import as_kwargs, fields, fixture_maker, learning_fixtures

from convcore import conv2d
from convcore.backward import (
    GradientTrace,
    conv2d_backward,
    dilate2d,
    example_grad_output,
    trace_conv2d_backward,
)

BACKWARD_CASES = sorted(learning_fixtures()[1]["backward"])


def _case(case: str):
    arrays = fields("backward", case)
    return arrays, as_kwargs(learning_fixtures()[1]["backward"][case])


def _batched(a: np.ndarray, like: np.ndarray) -> np.ndarray:
    return a[None] if a.ndim == 3 and like.ndim == 4 else a


# ---------------------------------------------------------------- against PyTorch


@pytest.mark.parametrize("case", BACKWARD_CASES)
def test_conv2d_backward_matches_torch_fixture(case):
    arrays, kwargs = _case(case)
    has_bias = "grad_bias" in arrays
    grad_x, grad_weight, grad_bias = conv2d_backward(
        arrays["grad_out"], arrays["x"], arrays["weight"], **kwargs, bias=has_bias
    )
    assert grad_x.shape == arrays["x"].shape
    np.testing.assert_allclose(grad_x, arrays["grad_x"], **TORCH_TOL)
    np.testing.assert_allclose(grad_weight, arrays["grad_weight"], **TORCH_TOL)
    if has_bias:
        np.testing.assert_allclose(grad_bias, arrays["grad_bias"], **TORCH_TOL)
    else:
        assert grad_bias is None


@pytest.mark.parametrize("case", BACKWARD_CASES)
def test_gradient_trace_matches_torch_fixture(case):
    arrays, kwargs = _case(case)
    t = trace_conv2d_backward(arrays["grad_out"], arrays["x"], arrays["weight"], **kwargs)
    batched_x = arrays["x"] if arrays["x"].ndim == 4 else arrays["x"][None]
    np.testing.assert_allclose(t.grad_x, _batched(arrays["grad_x"], batched_x), **TORCH_TOL)
    np.testing.assert_allclose(t.grad_weight, arrays["grad_weight"], **TORCH_TOL)
    if "grad_bias" in arrays:
        np.testing.assert_allclose(t.grad_bias, arrays["grad_bias"], **TORCH_TOL)


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("seed", range(25))
def test_conv2d_backward_matches_live_torch(torch, seed):
    rng = np.random.default_rng(seed)
    case = random_conv_case(rng)
    x, weight, bias = case.pop("input"), case.pop("weight"), case.pop("bias")
    out = conv2d(x, weight, bias, **case)
    grad_out = rng.standard_normal(out.shape)
    expected = fixture_maker().torch_backward(x, weight, bias, grad_out, case)
    got = conv2d_backward(grad_out, x, weight, **case, bias=bias is not None)
    np.testing.assert_allclose(got[0], expected["grad_x"], **TORCH_TOL)
    np.testing.assert_allclose(got[1], expected["grad_weight"], **TORCH_TOL)
    if bias is not None:
        np.testing.assert_allclose(got[2], expected["grad_bias"], **TORCH_TOL)


# ---------------------------------------------------------------- finite differences

# id: (input shape, weight shape, keyword arguments)
FD_GRID = {
    "stride2_pad1": ((1, 2, 7, 6), (2, 2, 3, 3), {"stride": 2, "padding": 1}),
    "stride3x2_pad2x1": ((2, 1, 7, 8), (2, 1, 2, 3), {"stride": (3, 2), "padding": (2, 1)}),
    "dilation2_pad1": ((1, 2, 7, 7), (2, 2, 3, 3), {"dilation": 2, "padding": 1}),
    "groups2": ((1, 4, 5, 5), (4, 2, 3, 2), {"groups": 2, "stride": (1, 2)}),
    "kernel2x4": ((1, 1, 5, 7), (2, 1, 2, 4), {"padding": (1, 0)}),
    "same_even": ((1, 2, 5, 6), (2, 2, 2, 4), {"padding": "same"}),
    "same_even_dilation2": ((1, 1, 7, 6), (1, 1, 4, 2), {"padding": "same", "dilation": 2}),
    "unbatched": ((2, 6, 5), (2, 2, 3, 3), {"stride": 2, "padding": 1}),
}


@pytest.mark.parametrize("case", list(FD_GRID))
def test_conv2d_backward_matches_finite_differences(case):
    x_shape, w_shape, kwargs = FD_GRID[case]
    rng = np.random.default_rng(sum(map(ord, case)))
    x, weight = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    bias = rng.standard_normal(w_shape[0])
    grad_out = rng.standard_normal(conv2d(x, weight, bias, **kwargs).shape)

    def loss():
        return float(np.sum(conv2d(x, weight, bias, **kwargs) * grad_out))

    grad_x, grad_weight, grad_bias = conv2d_backward(grad_out, x, weight, **kwargs)
    np.testing.assert_allclose(grad_x, numeric_grad(loss, x), atol=1e-7)
    np.testing.assert_allclose(grad_weight, numeric_grad(loss, weight), atol=1e-7)
    np.testing.assert_allclose(grad_bias, numeric_grad(loss, bias), atol=1e-7)


# ---------------------------------------------------------------- the gradient trace


@pytest.mark.parametrize("case", list(FD_GRID))
def test_gradient_trace_routes_equal_conv2d_backward(case):
    x_shape, w_shape, kwargs = FD_GRID[case]
    rng = np.random.default_rng(7)
    x, weight = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    grad_out = rng.standard_normal(conv2d(x, weight, **kwargs).shape)
    grad_x, grad_weight, grad_bias = conv2d_backward(grad_out, x, weight, **kwargs)
    t = trace_conv2d_backward(grad_out, x, weight, **kwargs)
    np.testing.assert_allclose(t.grad_x, _batched(grad_x, t.x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(t.grad_weight, grad_weight, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(t.grad_bias, grad_bias, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", range(30))
def test_gradient_trace_routes_equal_conv2d_backward_random(seed):
    rng = np.random.default_rng(1000 + seed)
    case = random_conv_case(rng)
    x, weight = case.pop("input"), case.pop("weight")
    del case["bias"]
    grad_out = rng.standard_normal(conv2d(x, weight, **case).shape)
    grad_x, grad_weight, _ = conv2d_backward(grad_out, x, weight, **case)
    t = trace_conv2d_backward(grad_out, x, weight, **case)
    np.testing.assert_allclose(t.grad_x, grad_x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(t.grad_weight, grad_weight, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(t.grad_x_conv.out, t.grad_x_covered)
    np.testing.assert_allclose(t.grad_weight_conv.out.transpose(1, 0, 2, 3), t.grad_weight)


@pytest.fixture
def strided_trace() -> GradientTrace:
    """One channel, 6×7 input, 3×3 kernel, stride 2, padding 1, dilation 1: 3×4 output."""
    rng = np.random.default_rng(3)
    x, weight = rng.standard_normal((6, 7)), rng.standard_normal((3, 3))
    grad_out = rng.standard_normal((3, 4))
    return trace_conv2d_backward(grad_out[None, None], x[None, None], weight[None, None], 2, 1)


def test_gradient_trace_single_channel_pictures(strided_trace):
    t = strided_trace
    assert t.x_padded.shape == (1, 1, 8, 9)
    assert t.covered_shape == (7, 9)  # 2·(3 − 1) + 3 = 7 rows: the last padded row is unused
    np.testing.assert_array_equal(t.x_covered, t.x_padded[:, :, :7, :9])
    # grad_out with stride − 1 = 1 zero between cells
    assert t.grad_out_dilated.shape == (1, 1, 5, 7)
    np.testing.assert_array_equal(t.grad_out_dilated[0, 0, ::2, ::2], t.grad_out[0, 0])
    assert np.count_nonzero(t.grad_out_dilated[0, 0, 1::2, :]) == 0
    assert np.count_nonzero(t.grad_out_dilated[0, 0, :, 1::2]) == 0
    # grad_weight: the covered input correlated with grad_out spread by the stride
    wc = t.grad_weight_conv
    np.testing.assert_array_equal(wc.x, t.x_covered)
    np.testing.assert_array_equal(wc.weight, t.grad_out)
    assert wc.dilation == t.stride and wc.stride == t.dilation
    assert wc.out.shape == (1, 1, 3, 3)
    np.testing.assert_allclose(wc.values.reshape(3, 3), t.grad_weight[0, 0], rtol=1e-12)
    # grad_x: full convolution with the kernel rotated by 180°
    np.testing.assert_array_equal(t.weight_flipped[0, 0], t.weight[0, 0, ::-1, ::-1])
    assert t.grad_out_full.shape == (1, 1, 5 + 4, 7 + 4)  # padded by dilation·(k − 1) = 2
    xc = t.grad_x_conv
    np.testing.assert_array_equal(xc.x_padded, t.grad_out_full)
    np.testing.assert_array_equal(xc.weight, t.weight_flipped)
    assert xc.pads == (2, 2, 2, 2) and xc.stride == (1, 1)
    np.testing.assert_array_equal(t.grad_x_padded[:, :, :7, :9], t.grad_x_covered)
    assert np.count_nonzero(t.grad_x_padded[:, :, 7:]) == 0
    np.testing.assert_array_equal(t.grad_x, t.grad_x_padded[:, :, 1:7, 1:8])


def test_gradient_trace_article_example():
    """The article's 5×5 input and 3×3 kernel with grad_out = 1 everywhere: grad_weight is
    5×5 ⋆ 3×3 → 3×3 (window sums); grad_x is the 3×3 grad_out padded by 2 to 7×7 ⋆ the
    flipped kernel → 5×5 (each kernel tap added where its windows land)."""
    x = np.arange(1.0, 26.0).reshape(1, 1, 5, 5)
    weight = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    t = trace_conv2d_backward(np.ones((1, 1, 3, 3)), x, weight)
    assert t.grad_out_dilated.shape == (1, 1, 3, 3) and t.grad_out_full.shape == (1, 1, 7, 7)
    window_sums = [[x[0, 0, i : i + 3, j : j + 3].sum() for j in range(3)] for i in range(3)]
    np.testing.assert_array_equal(t.grad_weight[0, 0], window_sums)
    np.testing.assert_array_equal(
        t.grad_weight[0, 0], [[63, 72, 81], [108, 117, 126], [153, 162, 171]]
    )
    spread = np.zeros((5, 5))
    for i in range(3):
        for j in range(3):
            spread[i : i + 3, j : j + 3] += weight[0, 0]
    np.testing.assert_array_equal(t.grad_x[0, 0], spread)
    assert t.grad_x[0, 0, 2, 2] == 45  # the centre is under all 9 windows: 1 + 2 + … + 9


def test_dilate2d():
    x = np.arange(1.0, 7.0).reshape(2, 3)
    np.testing.assert_array_equal(
        dilate2d(x, (2, 3)), [[1, 0, 0, 2, 0, 0, 3], [0] * 7, [4, 0, 0, 5, 0, 0, 6]]
    )
    np.testing.assert_array_equal(dilate2d(x, (1, 1)), x)


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("func", [conv2d_backward, trace_conv2d_backward])
@pytest.mark.parametrize(
    ("grad_out_shape", "match"),
    [
        ((1, 1, 3, 4), r"grad_output must have the conv2d output shape \(1, 1, 3, 3\)"),
        ((1, 2, 3, 3), r"grad_output must have the conv2d output shape"),
        ((3, 3), r"grad_output must be 3-D or 4-D"),
    ],
)
def test_wrong_grad_output_shape(func, grad_out_shape, match):
    with pytest.raises(ValueError, match=match):
        func(np.ones(grad_out_shape), np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)))


def test_unbatched_grad_output_must_be_unbatched():
    with pytest.raises(ValueError, match=r"output shape \(1, 3, 3\), got \(1, 1, 3, 3\)"):
        conv2d_backward(np.ones((1, 1, 3, 3)), np.ones((1, 5, 5)), np.ones((1, 1, 3, 3)))


def test_grad_output_nan():
    with pytest.raises(ValueError, match="grad_output contains NaN"):
        conv2d_backward(np.full((1, 1, 3, 3), np.nan), np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)))


def test_invalid_forward_arguments_raise_like_conv2d():
    with pytest.raises(ValueError, match="stride must be positive"):
        conv2d_backward(np.ones((1, 1, 3, 3)), np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), 0)
    with pytest.raises(ValueError, match="padding='same' needs stride 1"):
        conv2d_backward(
            np.ones((1, 1, 3, 3)), np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), 2, "same"
        )


# ---------------------------------------------------------------- sum by sum (the video)

VIDEO_FIXTURES = Path(__file__).parents[1] / "fixtures" / "backward_video_torch.npz"


def _video_fixtures() -> tuple[dict[str, np.ndarray], dict]:
    with np.load(VIDEO_FIXTURES) as data:
        return {k: data[k] for k in data.files if k != "meta"}, json.loads(str(data["meta"]))


VIDEO_ARRAYS, VIDEO_META = _video_fixtures()


def _video_case(case: str) -> tuple[dict[str, np.ndarray], dict]:
    prefix = case + "/"
    arrays = {k[len(prefix) :]: v for k, v in VIDEO_ARRAYS.items() if k.startswith(prefix)}
    return arrays, VIDEO_META[case]


def check_weight_sums(t: GradientTrace, grad_weight: np.ndarray) -> None:
    """Every ``grad_weight`` entry is its recorded sum, each product an input value times a
    ``grad_out`` value, the input at ``kernel tap·dilation + output cell·stride``."""
    wc, n = t.grad_weight_conv, t.x.shape[0]
    c_out, c_in_g = grad_weight.shape[:2]
    (sh, sw), (dh, dw) = t.stride, t.dilation
    out_h, out_w = t.grad_out.shape[2:]
    for o, c, k in np.ndindex(c_out, c_in_g, wc.n_steps):
        p, q = wc.out_index[k]
        channel = o // (c_out // t.groups) * c_in_g + c
        assert list(wc.tap_rows[k]) == [p * dh + i * sh for i in range(out_h)]
        assert list(wc.tap_cols[k]) == [q * dw + j * sw for j in range(out_w)]
        for b, i, j in np.ndindex(n, out_h, out_w):
            x = t.x_padded[b, channel, p * dh + i * sh, q * dw + j * sw]
            assert wc.windows[c, k, o // (c_out // t.groups) * n + b, i, j] == x
            assert wc.products[c, o, k, b, i, j] == x * t.grad_out[b, o, i, j]
        np.testing.assert_allclose(wc.products[c, o, k].sum(), wc.values[c, o, k], rtol=1e-12)
        np.testing.assert_allclose(wc.values[c, o, k], grad_weight[o, c, p, q], **TORCH_TOL)


def check_input_sums(t: GradientTrace, grad_x: np.ndarray) -> None:
    """Every ``grad_x`` entry is its recorded sum over a window of the stretched, fully
    padded ``grad_out`` times the kernel rotated by 180°; unreached cells are 0."""
    xc = t.grad_x_conv
    n, c_in, h, w = grad_x.shape
    c_out, c_in_g, kh, kw = t.weight.shape
    per_group = c_out // t.groups
    dh, dw = t.dilation
    assert len(t.grad_x_steps) + np.count_nonzero(t.uncovered) == h * w
    assert np.all(grad_x[:, :, t.uncovered] == 0)
    for m, k in enumerate(t.grad_x_steps):
        r, c = t.grad_x_index[m]
        assert not t.uncovered[r, c]
        assert tuple(xc.out_index[k]) == (r + t.pads[0], c + t.pads[2])
        top, left = xc.out_index[k]  # stride 1: the window's top-left cell
        for b, ci in np.ndindex(n, c_in):
            group = ci // c_in_g
            for oo, a, e in np.ndindex(per_group, kh, kw):
                o = group * per_group + oo
                g = t.grad_out_full[b, o, top + a * dh, left + e * dw]
                flipped = t.weight[o, ci - group * c_in_g, kh - 1 - a, kw - 1 - e]
                assert xc.products[b, ci, k, oo, a, e] == g * flipped
            np.testing.assert_allclose(xc.values[b, ci, k], grad_x[b, ci, r, c], **TORCH_TOL)


def check_stretched(t: GradientTrace) -> None:
    """``grad_out_full`` holds ``grad_out`` ``stride`` apart inside the full padding;
    everything else is a padding zero or an inserted zero (``inserted_mask``)."""
    top, _, left, _ = t.grad_x_conv.pads
    sh, sw = t.stride
    out_h, out_w = t.grad_out.shape[2:]
    values = np.zeros(t.grad_out_full.shape[2:], bool)
    values[top : top + sh * (out_h - 1) + 1 : sh, left : left + sw * (out_w - 1) + 1 : sw] = True
    np.testing.assert_array_equal(
        t.grad_out_full[:, :, values].reshape(t.grad_out.shape), t.grad_out
    )
    assert np.all(t.grad_out_full[:, :, ~values] == 0)
    assert not np.any(t.inserted_mask & (values | t.grad_x_conv.pad_mask))
    assert np.count_nonzero(t.inserted_mask) == (
        (sh * (out_h - 1) + 1) * (sw * (out_w - 1) + 1) - out_h * out_w
    )


def check_bias_sums(t: GradientTrace, grad_bias: np.ndarray) -> None:
    for o in range(t.grad_out.shape[1]):
        assert list(t.grad_bias_terms[o]) == list(t.grad_out[:, o].ravel())
        np.testing.assert_allclose(t.grad_bias_terms[o].sum(), grad_bias[o], **TORCH_TOL)
    np.testing.assert_allclose(t.grad_bias, grad_bias, **TORCH_TOL)


def check_every_sum(t: GradientTrace, grad_x, grad_weight, grad_bias) -> None:
    check_weight_sums(t, grad_weight)
    check_input_sums(t, _batched(grad_x, t.x))
    check_stretched(t)
    check_bias_sums(t, grad_bias)


@pytest.mark.parametrize("case", BACKWARD_CASES)
def test_every_recorded_sum_is_autograds_fixture(case):
    arrays, kwargs = _case(case)
    t = trace_conv2d_backward(arrays["grad_out"], arrays["x"], arrays["weight"], **kwargs)
    grad_out = _batched(arrays["grad_out"], t.x)
    grad_bias = arrays.get("grad_bias", grad_out.sum(axis=(0, 2, 3)))  # no bias: Σ grad_out
    check_every_sum(t, arrays["grad_x"], arrays["grad_weight"], grad_bias)
    if "grad_bias" not in arrays:
        return
    np.testing.assert_array_equal(t.pad_mask.shape, t.x_padded.shape[2:])
    assert np.count_nonzero(~t.pad_mask) == t.x.shape[2] * t.x.shape[3]


@pytest.mark.parametrize("case", sorted(VIDEO_META))
def test_video_examples_match_autograd_fixture(case):
    arrays, kwargs = _video_case(case)
    if case != "typed":  # the default grad_out is the checkerboard typed into the fixture
        np.testing.assert_array_equal(
            example_grad_output(arrays["grad_out"].shape), arrays["grad_out"]
        )
    x, weight, g = (arrays[k][None, None] for k in ("x", "weight", "grad_out"))
    t = trace_conv2d_backward(g, x, weight, **kwargs)
    grads = (arrays["grad_x"][None, None], arrays["grad_weight"][None, None])
    check_every_sum(t, *grads, arrays["grad_bias"])


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("seed", range(8))
def test_every_recorded_sum_is_live_autograds(torch, seed):
    rng = np.random.default_rng(500 + seed)
    case = random_conv_case(rng)
    x, weight, bias = case.pop("input"), case.pop("weight"), case.pop("bias")
    bias = rng.standard_normal(weight.shape[0]) if bias is None else bias
    grad_out = rng.standard_normal(conv2d(x, weight, bias, **case).shape)
    expected = fixture_maker().torch_backward(x, weight, bias, grad_out, case)
    t = trace_conv2d_backward(grad_out, x, weight, **case)
    check_every_sum(t, expected["grad_x"], expected["grad_weight"], expected["grad_bias"])


@pytest.mark.parametrize("case", sorted(VIDEO_META))
def test_video_sums_match_finite_differences(case):
    arrays, kwargs = _video_case(case)
    x, weight, g = (arrays[k][None, None].copy() for k in ("x", "weight", "grad_out"))
    bias = np.zeros(1)

    def loss():
        return float(np.sum(conv2d(x, weight, bias, **kwargs) * g))

    t = trace_conv2d_backward(g, x, weight, **kwargs)
    numeric_w = numeric_grad(loss, weight)[0, 0]
    np.testing.assert_allclose(t.grad_weight_conv.values[0, 0], numeric_w.ravel(), atol=1e-7)
    numeric_x = numeric_grad(loss, x)[0, 0]
    sums = t.grad_x_conv.values[0, 0, t.grad_x_steps]
    np.testing.assert_allclose(sums, numeric_x[tuple(t.grad_x_index.T)], atol=1e-7)
    np.testing.assert_allclose(t.grad_bias_terms[0].sum(), numeric_grad(loss, bias)[0], atol=1e-7)


def test_stride2_uncovered_cells_have_no_sum():
    """6×6 input, 3×3 kernel, stride 2: windows reach rows and columns 0..4 only."""
    arrays, kwargs = _case("stride2_uncovered")
    t = trace_conv2d_backward(arrays["grad_out"], arrays["x"], arrays["weight"], **kwargs)
    expected = np.zeros((6, 6), bool)
    expected[5, :] = expected[:, 5] = True
    np.testing.assert_array_equal(t.uncovered, expected)
    assert len(t.grad_x_steps) == 25
    np.testing.assert_array_equal(
        t.grad_x_index[:6], [[0, 0], [0, 1], [0, 2], [0, 3], [0, 4], [1, 0]]
    )


def test_stretched_gradient_masks(strided_trace):
    t = strided_trace  # 3×4 grad_out, stride 2 → 5×7 stretched, padded by 2 → 9×11
    expected = np.zeros((9, 11), bool)
    expected[2:7, 2:9] = True
    expected[2:7:2, 2:9:2] = False
    np.testing.assert_array_equal(t.inserted_mask, expected)
    np.testing.assert_array_equal(t.stretched_mask, expected[2:7, 2:9])
    np.testing.assert_array_equal(t.grad_out_dilated[0, 0][t.stretched_mask], 0)
    pad = np.ones((8, 9), bool)
    pad[1:7, 1:8] = False
    np.testing.assert_array_equal(t.pad_mask, pad)
    assert list(t.grad_x_steps[:3]) == [1 * 9 + 1, 1 * 9 + 2, 1 * 9 + 3]  # row 1 of 7×9


def test_example_grad_output():
    np.testing.assert_array_equal(example_grad_output((2, 3)), [[2, -1, 2], [-1, 2, -1]])
    assert example_grad_output((1, 1)).tolist() == [[2.0]]


def test_bias_gradient_overflow_is_refused():
    grad_out = np.full((1, 1, 2, 2), 1e308)
    with pytest.raises(ValueError, match="the bias gradient's sums overflow"):
        trace_conv2d_backward(grad_out, np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 2, 2)))
