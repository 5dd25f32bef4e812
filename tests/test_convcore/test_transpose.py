"""convcore.transpose and the transposed size formula of convcore.sizes.

Oracles: PyTorch float64 (committed fixtures ``pool_transpose_torch.npz`` always, live when
installed; tolerance ``TORCH_TOL``), the scatter loop ``conv_transpose2d_direct``, centred
finite differences (the transposed convolution is linear in each argument: tolerance 1e-7),
brute-force tap counting, and conv_arithmetic's relations 8–14 (Dumoulin & Visin,
arXiv:1603.07285) with the sizes of its figures.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import TORCH_TOL, fixture_maker, npz_case, npz_fixtures, numeric_grad

from convcore import (
    conv2d,
    conv_transpose2d,
    conv_transpose2d_backward,
    conv_transpose2d_direct,
    overlap_pattern,
    trace_conv_transpose2d,
    transposed_output_size,
    transposed_output_size_terms,
    transposed_overlap_counts,
)

FIXTURE = "pool_transpose_torch.npz"


def _fixtures():
    return npz_fixtures(FIXTURE)


def _case(case: str):
    """Arrays and keyword arguments of one ``conv_transpose2d`` fixture case."""
    return npz_case(FIXTURE, "conv_transpose2d", case)


def _maker():
    return fixture_maker("make_pool_transpose_fixtures")


CASES = sorted(k.split("/")[1] for k in _fixtures()[1] if k.startswith("conv_transpose2d/"))
FUNCS = pytest.mark.parametrize(
    "func", [conv_transpose2d, conv_transpose2d_direct], ids=["gemm_fold", "direct"]
)


def _random_case(rng: np.random.Generator) -> dict:
    """A random valid conv_transpose2d call: arrays and keyword arguments."""
    groups = int(rng.choice([1, 1, 2]))
    c_in_g, c_out_g = (int(v) for v in rng.integers(1, 3, size=2))
    kernel = tuple(int(v) for v in rng.integers(1, 5, size=2))
    stride = tuple(int(v) for v in rng.integers(1, 4, size=2))
    dilation = tuple(int(v) for v in rng.integers(1, 3, size=2))
    extra = tuple(int(rng.integers(0, max(s, d))) for s, d in zip(stride, dilation, strict=True))
    hw = tuple(int(v) for v in rng.integers(2, 6, size=2))
    full = [
        (i - 1) * s + d * (k - 1) + 1
        for i, s, d, k in zip(hw, stride, dilation, kernel, strict=True)
    ]
    top = [min(2, (f + o - 1) // 2) for f, o in zip(full, extra, strict=True)]  # out >= 1
    padding = tuple(int(rng.integers(0, t + 1)) for t in top)
    bias = rng.standard_normal(c_out_g * groups) if rng.random() < 0.5 else None
    return {
        "input": rng.standard_normal((int(rng.integers(1, 3)), c_in_g * groups, *hw)),
        "weight": rng.standard_normal((c_in_g * groups, c_out_g, *kernel)),
        "bias": bias,
        "stride": stride,
        "padding": padding,
        "output_padding": extra,
        "groups": groups,
        "dilation": dilation,
    }


# ---------------------------------------------------------------- against PyTorch


def test_fixtures_cover_the_required_grid():
    params = [p for k, p in _fixtures()[1].items() if k.startswith("conv_transpose2d/")]
    assert any(p.get("stride") == 2 and p.get("padding") == 1 for p in params)
    assert any(p.get("output_padding") == 1 for p in params)
    assert any(p.get("dilation") == 2 for p in params)
    assert any(p.get("groups") == 2 for p in params)
    assert any(isinstance(p.get("stride"), list) for p in params)


@FUNCS
@pytest.mark.parametrize("case", CASES)
def test_conv_transpose2d_matches_torch_fixture(func, case):
    arrays, kwargs = _case(case)
    out = func(arrays["x"], arrays["weight"], arrays.get("bias"), **kwargs)
    assert out.shape == arrays["out"].shape
    np.testing.assert_allclose(out, arrays["out"], **TORCH_TOL)


@pytest.mark.parametrize("case", CASES)
def test_conv_transpose2d_backward_matches_torch_fixture(case):
    arrays, kwargs = _case(case)
    has_bias = "bias" in arrays
    grad_x, grad_weight, grad_bias = conv_transpose2d_backward(
        arrays["grad_out"], arrays["x"], arrays["weight"], **kwargs, bias=has_bias
    )
    np.testing.assert_allclose(grad_x, arrays["grad_x"], **TORCH_TOL)
    np.testing.assert_allclose(grad_weight, arrays["grad_weight"], **TORCH_TOL)
    if has_bias:
        np.testing.assert_allclose(grad_bias, arrays["grad_bias"], **TORCH_TOL)
    else:
        assert grad_bias is None


@pytest.mark.parametrize("case", [c for c in CASES if _case(c)[1].get("groups", 1) == 1])
def test_trace_matches_torch_fixture(case):
    arrays, kwargs = _case(case)
    t = trace_conv_transpose2d(arrays["x"], arrays["weight"], arrays.get("bias"), **kwargs)
    expected = arrays["out"] if arrays["out"].ndim == 4 else arrays["out"][None]
    np.testing.assert_allclose(t.out, expected, **TORCH_TOL)
    np.testing.assert_allclose(t.direct.out, expected, **TORCH_TOL)


@pytest.mark.torch
@pytest.mark.parametrize("seed", range(20))
def test_conv_transpose2d_matches_live_torch(torch1, seed):
    rng = np.random.default_rng(seed)
    case = _random_case(rng)
    x, weight, bias = case.pop("input"), case.pop("weight"), case.pop("bias")
    out = conv_transpose2d(x, weight, bias, **case)
    grad_out = rng.standard_normal(out.shape)
    expected = _maker().torch_conv_transpose(x, weight, bias, grad_out, case)
    np.testing.assert_allclose(out, expected["out"], **TORCH_TOL)
    got = conv_transpose2d_backward(grad_out, x, weight, **case, bias=bias is not None)
    np.testing.assert_allclose(got[0], expected["grad_x"], **TORCH_TOL)
    np.testing.assert_allclose(got[1], expected["grad_weight"], **TORCH_TOL)
    if bias is not None:
        np.testing.assert_allclose(got[2], expected["grad_bias"], **TORCH_TOL)


# ---------------------------------------------------------------- fast vs direct

# id: (input shape, weight shape, keyword arguments)
GRID = {
    "plain": ((1, 1, 3, 3), (1, 1, 3, 3), {}),
    "stride2_pad1": ((2, 2, 4, 3), (2, 3, 3, 3), {"stride": 2, "padding": 1}),
    "stride2_pad1_outpad1": (
        (1, 2, 3, 4),
        (2, 1, 3, 3),
        {"stride": 2, "padding": 1, "output_padding": 1},
    ),
    "k4_s2_p1": ((1, 3, 4, 4), (3, 2, 4, 4), {"stride": 2, "padding": 1}),
    "dilation2": ((1, 1, 4, 4), (1, 2, 3, 3), {"dilation": 2, "padding": 1}),
    "dilation2_outpad1": ((1, 1, 3, 3), (1, 1, 2, 3), {"dilation": 2, "output_padding": 1}),
    "groups2": ((2, 4, 3, 3), (4, 2, 3, 2), {"groups": 2, "stride": (1, 2)}),
    "depthwise": ((1, 3, 4, 4), (3, 1, 3, 3), {"groups": 3, "stride": 2, "padding": 1}),
    "stride3x2": ((1, 2, 3, 4), (2, 2, 2, 3), {"stride": (3, 2), "output_padding": (2, 1)}),
    "pad_beyond_kernel": ((1, 1, 6, 5), (1, 1, 2, 2), {"padding": (2, 1)}),
    "kernel1_stride3": ((1, 2, 3, 3), (2, 2, 1, 1), {"stride": 3, "padding": 1}),
    "unbatched": ((2, 3, 4), (2, 2, 3, 3), {"stride": 2, "padding": 1}),
}


@pytest.mark.parametrize("with_bias", [False, True], ids=["no_bias", "bias"])
@pytest.mark.parametrize("case", list(GRID))
def test_fast_equals_direct(case, with_bias):
    x_shape, w_shape, kwargs = GRID[case]
    rng = np.random.default_rng(sum(map(ord, case)))
    x, weight = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    bias = rng.standard_normal(w_shape[1] * kwargs.get("groups", 1)) if with_bias else None
    fast = conv_transpose2d(x, weight, bias, **kwargs)
    assert fast.shape == conv_transpose2d_direct(x, weight, bias, **kwargs).shape
    np.testing.assert_allclose(
        fast, conv_transpose2d_direct(x, weight, bias, **kwargs), rtol=1e-12, atol=1e-12
    )


def test_is_the_adjoint_of_conv2d():
    """⟨conv2d(y, W), x⟩ = ⟨y, conv_transpose2d(x, W)⟩ for every x and y."""
    rng = np.random.default_rng(7)
    weight = rng.standard_normal((4, 3, 3, 3))
    kwargs = {"stride": 2, "padding": 1, "dilation": 1, "groups": 1}
    y = rng.standard_normal((2, 3, 9, 9))
    x = rng.standard_normal(conv2d(y, weight, **kwargs).shape)
    lhs = np.sum(conv2d(y, weight, **kwargs) * x)
    rhs = np.sum(y * conv_transpose2d(x, weight, **kwargs))
    assert lhs == pytest.approx(rhs, rel=1e-12)


def test_float32_stays_float32_and_unbatched_stays_unbatched():
    x = np.ones((2, 3, 3), np.float32)
    weight = np.ones((2, 1, 2, 2), np.float32)
    out = conv_transpose2d(x, weight, stride=2)
    assert out.dtype == np.float32
    assert out.shape == (1, 6, 6)
    grads = conv_transpose2d_backward(np.ones_like(out), x, weight, stride=2)
    assert grads[0].shape == x.shape and grads[0].dtype == np.float32
    assert grads[1].shape == weight.shape


# ---------------------------------------------------------------- finite differences


@pytest.mark.parametrize(
    "case",
    [
        "stride2_pad1_outpad1",
        "dilation2_outpad1",
        "groups2",
        "stride3x2",
        "pad_beyond_kernel",
        "unbatched",
    ],
)
def test_backward_matches_finite_differences(case):
    x_shape, w_shape, kwargs = GRID[case]
    rng = np.random.default_rng(sum(map(ord, case)))
    x, weight = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    bias = rng.standard_normal(w_shape[1] * kwargs.get("groups", 1))
    grad_out = rng.standard_normal(conv_transpose2d(x, weight, bias, **kwargs).shape)

    def loss():
        return float(np.sum(conv_transpose2d(x, weight, bias, **kwargs) * grad_out))

    grad_x, grad_weight, grad_bias = conv_transpose2d_backward(grad_out, x, weight, **kwargs)
    np.testing.assert_allclose(grad_x, numeric_grad(loss, x), atol=1e-7)
    np.testing.assert_allclose(grad_weight, numeric_grad(loss, weight), atol=1e-7)
    np.testing.assert_allclose(grad_bias, numeric_grad(loss, bias), atol=1e-7)


# ---------------------------------------------------------------- output size


@pytest.mark.parametrize(
    ("relation", "size", "kernel", "stride", "padding", "output_padding", "expected"),
    [
        ("8: no padding, unit strides", 2, 3, 1, 0, 0, 4),
        ("9: zero padding, unit strides", 6, 4, 1, 2, 0, 5),
        ("10: half padding", 5, 3, 1, 1, 0, 5),
        ("11: full padding", 7, 3, 1, 2, 0, 5),
        ("12: no padding, strides", 2, 3, 2, 0, 0, 5),
        ("13: padding, strides", 3, 3, 2, 1, 0, 5),
        ("14: padding, strides, odd", 3, 3, 2, 1, 1, 6),
    ],
)
def test_conv_arithmetic_relations(
    relation, size, kernel, stride, padding, output_padding, expected
):
    assert transposed_output_size(size, kernel, stride, padding, output_padding) == expected


def test_output_size_terms_substitute_into_the_formula():
    t = transposed_output_size_terms(4, 3, stride=2, padding=1, output_padding=1, dilation=2)
    assert (t.span, t.pad_total, t.kernel_span) == (6, 2, 4)
    assert t.full == t.span + t.kernel_span + 1 == 11
    assert t.out == (4 - 1) * 2 - 2 * 1 + 2 * (3 - 1) + 1 + 1 == 10
    assert (t.stretched, t.direct_pad_before, t.direct_pad_after) == (7, 3, 4)
    assert t.stretched + t.direct_pad_before + t.direct_pad_after - t.kernel_span == t.out


@pytest.mark.parametrize("case", CASES)
def test_output_size_matches_torch_shapes(case):
    arrays, kwargs = _case(case)
    stride, padding, extra, dilation = (
        kwargs.get(k, d)
        for k, d in (("stride", 1), ("padding", 0), ("output_padding", 0), ("dilation", 1))
    )
    pairs = [v if isinstance(v, tuple) else (v, v) for v in (stride, padding, extra, dilation)]
    for axis in (0, 1):
        size, kernel = arrays["x"].shape[-2 + axis], arrays["weight"].shape[2 + axis]
        args = (size, kernel, *(p[axis] for p in pairs))
        assert transposed_output_size(*args) == arrays["out"].shape[-2 + axis]


# ---------------------------------------------------------------- overlap counts


def _brute_counts(size, kernel, stride, padding, output_padding, dilation) -> np.ndarray:
    """Tap counts by running the scatter loop on ones (an independent route)."""
    x = np.ones((1, 1, *size))
    weight = np.ones((1, 1, *kernel))
    out = conv_transpose2d_direct(x, weight, None, stride, padding, output_padding, 1, dilation)
    return out[0, 0].round().astype(np.int64)


@pytest.mark.parametrize(
    "args",
    [
        ((4, 4), (3, 3), 2, 0, 0, 1),
        ((5, 4), (4, 3), (2, 3), 1, (1, 2), 1),
        ((3, 3), (3, 2), 1, 1, 1, 2),
        ((4, 5), (2, 2), 3, 0, 2, 1),
    ],
)
def test_overlap_counts_by_brute_force(args):
    pairs = [a if isinstance(a, tuple) else (a, a) for a in args]
    np.testing.assert_array_equal(transposed_overlap_counts(*args), _brute_counts(*pairs))


def test_checkerboard_stride2():
    """Stride 2: kernel 3 covers cells once or twice alternately; kernel 4 evenly."""
    uneven = transposed_overlap_counts(5, 3, stride=2)
    assert set(np.unique(uneven[1:-1, 1:-1])) == {1, 2, 4}
    np.testing.assert_array_equal(uneven[4, :5], [2, 2, 4, 2, 4])
    even = transposed_overlap_counts(5, 4, stride=2, padding=1)
    assert np.all(even[1:-1, 1:-1] == 4)
    assert even.shape == (10, 10)


# ---------------------------------------------------------------- the trace

TRACE_GRID = {
    "plain": ((1, 1, 2, 2), (1, 1, 3, 3), {}),
    "stride2_pad1_outpad1": (
        (1, 1, 3, 3),
        (1, 1, 3, 3),
        {"stride": 2, "padding": 1, "output_padding": 1},
    ),
    "k4_s2_p1": ((1, 1, 3, 4), (1, 1, 4, 4), {"stride": 2, "padding": 1}),
    "dilation2_outpad1": ((1, 1, 3, 3), (1, 1, 3, 2), {"dilation": 2, "output_padding": 1}),
    "stride2x3": ((1, 1, 3, 2), (1, 1, 2, 3), {"stride": (2, 3), "padding": (0, 1)}),
    "pad_beyond_kernel": ((1, 1, 5, 4), (1, 1, 2, 2), {"padding": 2}),
    "channels": ((1, 2, 3, 3), (2, 3, 3, 3), {"stride": 2, "padding": 1}),
    "batch2": ((2, 1, 2, 3), (1, 2, 2, 2), {"stride": 2}),
    "unbatched": ((1, 3, 3), (1, 1, 3, 3), {"stride": 2}),
}


def _trace_case(case: str, with_bias: bool = True):
    x_shape, w_shape, kwargs = TRACE_GRID[case]
    rng = np.random.default_rng(sum(map(ord, case)))
    x, weight = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    bias = rng.standard_normal(w_shape[1]) if with_bias else None
    return (x, weight, bias), kwargs


@pytest.mark.parametrize("case", list(TRACE_GRID))
def test_both_trace_views_equal_conv_transpose2d(case):
    args, kwargs = _trace_case(case)
    expected = conv_transpose2d(*args, **kwargs)
    expected = expected if expected.ndim == 4 else expected[None]
    t = trace_conv_transpose2d(*args, **kwargs)
    np.testing.assert_allclose(t.out, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(t.direct.out, expected, rtol=1e-12, atol=1e-12)
    r0, r1, c0, c1 = t.out_box
    bias = t.bias[None, :, None, None]
    np.testing.assert_allclose(t.extended[:, :, r0:r1, c0:c1] + bias, expected, atol=1e-12)


@pytest.mark.parametrize("case", list(TRACE_GRID))
def test_scatter_steps(case):
    args, kwargs = _trace_case(case, with_bias=False)
    t = trace_conv_transpose2d(*args, **kwargs)
    h, w = t.x.shape[2:]
    assert t.n_steps == h * w == len(t.running[0])
    np.testing.assert_array_equal(t.in_index, [(i, j) for i in range(h) for j in range(w)])
    np.testing.assert_array_equal(t.origins, t.in_index * np.asarray(t.stride))
    previous = np.zeros_like(t.full)
    for step, (i, j) in enumerate(t.in_index):
        np.testing.assert_array_equal(t.in_values[:, step], t.x[:, :, i, j])
        block = np.einsum("nc,cokl->nokl", t.x[:, :, i, j], t.weight)
        np.testing.assert_allclose(t.blocks[:, step], block, atol=1e-12)
        added = t.running[:, step] - previous
        rows, cols = np.ix_(t.tap_rows[step], t.tap_cols[step])
        np.testing.assert_allclose(added[:, :, rows, cols], block, atol=1e-12)
        added[:, :, rows, cols] = 0
        assert not np.any(added)  # nothing lands outside the block's taps
        previous = t.running[:, step]
    np.testing.assert_array_equal(t.full, t.running[:, -1])


@pytest.mark.parametrize("case", list(TRACE_GRID))
def test_direct_view(case):
    args, kwargs = _trace_case(case)
    t = trace_conv_transpose2d(*args, **kwargs)
    (sh, sw), (h, w) = t.stride, t.x.shape[2:]
    assert t.x_stretched.shape[2:] == (sh * (h - 1) + 1, sw * (w - 1) + 1)
    np.testing.assert_array_equal(t.x_stretched[:, :, ::sh, ::sw], t.x)
    assert t.direct_pads[:2] == (t.size_h.direct_pad_before, t.size_h.direct_pad_after)
    holds = t.direct_source >= 0
    np.testing.assert_array_equal(
        t.x_direct[:, :, holds], t.x.reshape(*t.x.shape[:2], -1)[:, :, t.direct_source[holds]]
    )
    assert not np.any(t.x_direct[:, :, ~holds])
    assert np.array_equal(t.direct_pad_mask | t.direct_gap_mask, ~holds)
    np.testing.assert_array_equal(t.weight_rotated, t.weight.transpose(1, 0, 2, 3)[..., ::-1, ::-1])
    assert t.direct.stride == (1, 1) and t.direct.dilation == t.dilation
    np.testing.assert_array_equal(
        t.overlap_counts,
        transposed_overlap_counts(
            (h, w), t.kernel_size, t.stride, t.padding, t.output_padding, t.dilation
        ),
    )


def test_trace_single_channel_pictures():
    """stride 2, padding 1, output_padding 1 on a 2×2 input of 1..4 with a ones kernel."""
    x = np.arange(1.0, 5.0).reshape(1, 1, 2, 2)
    t = trace_conv_transpose2d(x, np.ones((1, 1, 3, 3)), stride=2, padding=1, output_padding=1)
    assert t.full.shape[2:] == (5, 5) and t.extended.shape[2:] == (6, 6)
    assert t.out_shape == (4, 4) and t.out_box == (1, 5, 1, 5)
    np.testing.assert_array_equal(t.blocks[0, 1, 0], np.full((3, 3), 2.0))
    np.testing.assert_array_equal(t.running[0, 1, 0, 0], [1, 1, 3, 2, 2])  # overlap: 1 + 2
    np.testing.assert_array_equal(t.full[0, 0, 2], [4, 4, 10, 6, 6])  # all four blocks
    assert t.direct_pads == (1, 2, 1, 2)
    pad, gap = -2, -1
    np.testing.assert_array_equal(
        t.direct_source,
        [
            [pad, pad, pad, pad, pad, pad],
            [pad, 0, gap, 1, pad, pad],
            [pad, gap, gap, gap, pad, pad],
            [pad, 2, gap, 3, pad, pad],
            [pad, pad, pad, pad, pad, pad],
            [pad, pad, pad, pad, pad, pad],
        ],
    )


# ---------------------------------------------------------------- invalid arguments


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"output_padding": 1}, r"output_padding \(1, 1\), stride \(1, 1\), dilation \(1, 1\)"),
        ({"stride": 2, "output_padding": (1, 2)}, r"output_padding \(1, 2\), stride \(2, 2\)"),
        ({"padding": 5}, "output size -4 is not positive: .*padding 5"),
        ({"padding": -1}, "padding must be >= 0, got -1"),
        ({"stride": 0}, "stride must be positive, got 0"),
        ({"groups": 2}, "groups=2 must divide the input channels"),
        ({"groups": 0}, "groups must be positive, got 0"),
    ],
)
def test_invalid_arguments(kwargs, match):
    x, weight = np.ones((1, 3, 4, 4)), np.ones((3, 1, 3, 3))
    for func in (conv_transpose2d, conv_transpose2d_direct):
        with pytest.raises(ValueError, match=match):
            func(x, weight, **kwargs)
    with pytest.raises(ValueError, match=match):
        conv_transpose2d_backward(np.ones((1, 1, 6, 6)), x, weight, **kwargs)


def test_invalid_arrays():
    x = np.ones((1, 2, 3, 3))
    with pytest.raises(ValueError, match=r"expects 3 input channels .* input has 2"):
        conv_transpose2d(x, np.ones((3, 1, 2, 2)))
    with pytest.raises(ValueError, match=r"bias must have shape \(4,\), got \(3,\)"):
        conv_transpose2d(x, np.ones((2, 2, 2, 2)), np.ones(3), groups=2)
    with pytest.raises(ValueError, match="weight must be 4-D"):
        conv_transpose2d(x, np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="input contains NaN"):
        conv_transpose2d(np.full((1, 2, 3, 3), np.nan), np.ones((2, 1, 2, 2)))
    with pytest.raises(ValueError, match=r"output shape \(1, 1, 4, 4\), got \(1, 1, 3, 3\)"):
        conv_transpose2d_backward(np.ones((1, 1, 3, 3)), x, np.ones((2, 1, 2, 2)))
    with pytest.raises(ValueError, match="output_padding must be smaller"):
        transposed_overlap_counts(3, 3, output_padding=1)
    with pytest.raises(ValueError, match="output_padding must be smaller"):
        trace_conv_transpose2d(x, np.ones((2, 1, 2, 2)), output_padding=1)


# ---------------------------------------------------------------- overlap pattern


@pytest.mark.parametrize(
    "args",
    [
        ((4, 4), (3, 3), 2, 0, 0, 1),
        ((4, 4), (4, 4), 2, 0, 0, 1),
        ((6, 5), (5, 3), (3, 2), (1, 0), (2, 1), 1),
        ((5, 5), (3, 3), 2, 1, 1, 2),
        ((2, 2), (7, 7), 2, 0, 0, 1),
    ],
)
def test_overlap_pattern_by_brute_force(args):
    """Counts as the scatter loop on ones; the interior is the cells whose count an
    unbounded input would give (every tap a with (r + p − a·d) ≡ 0 mod s lands)."""
    pairs = [a if isinstance(a, tuple) else (a, a) for a in args]
    _, kernel, stride, padding, _, dilation = pairs
    p = overlap_pattern(*args)
    counts = _brute_counts(*pairs)
    np.testing.assert_array_equal(p.counts, counts)
    assert p.peak == counts.max()
    np.testing.assert_allclose(p.relative, counts / counts.max())
    r0, r1, c0, c1 = p.interior
    unbounded = [
        [sum((o + padding[i] - a * dilation[i]) % stride[i] == 0 for a in range(kernel[i]))
         for o in range(counts.shape[i])]
        for i in (0, 1)
    ]  # fmt: skip
    for r in range(r0, r1):
        for c in range(c0, c1):
            assert counts[r, c] == unbounded[0][r] * unbounded[1][c]
    # the box is as large as it can be: just outside it, the border has cost taps
    spans = ((r0, r1), (c0, c1))
    for axis, (lo, hi) in enumerate(spans):
        across = [o for o in range(*spans[1 - axis]) if unbounded[1 - axis][o]][:1]
        for edge in (lo - 1, hi):
            if across and 0 <= edge < counts.shape[axis]:
                cell = (edge, across[0]) if axis == 0 else (across[0], edge)
                assert counts[cell] != unbounded[axis][edge] * unbounded[1 - axis][across[0]]
    inside = counts[r0:r1, c0:c1]
    assert p.levels == tuple(sorted(set(inside.ravel().tolist())))
    assert p.even == (len(p.levels) == 1)
    assert p.divisible == tuple(k % s == 0 for k, s in zip(kernel, stride, strict=True))


def test_overlap_pattern_stride2_checkerboard():
    uneven, even = overlap_pattern(4, 3, 2), overlap_pattern(4, 4, 2)
    assert uneven.levels == (1, 2, 4) and not uneven.even and uneven.divisible == (False, False)
    assert even.levels == (4,) and even.even and even.divisible == (True, True)
    # inside: rows 1–7 alternate 1, 2 taps (×columns); rows 2–7 all get 2 (× 2 = 4)
    assert uneven.interior == (1, 8, 1, 8) and even.interior == (2, 8, 2, 8)
    np.testing.assert_array_equal(uneven.counts[0], [1, 1, 2, 1, 2, 1, 2, 1, 1])
    assert overlap_pattern(2, 7, 2).interior == (5, 5, 5, 5)  # input too small: none inside
    assert overlap_pattern(2, 7, 2).levels == ()
    with pytest.raises(ValueError, match="output_padding must be smaller"):
        overlap_pattern(3, 3, output_padding=1)
