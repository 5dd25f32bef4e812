"""convcore.pool and the pooling size formula of convcore.sizes.

Oracles: PyTorch float64 (committed fixtures ``pool_transpose_torch.npz`` always, live when
installed; tolerance ``TORCH_TOL``), brute-force loops over every window written here,
conv_arithmetic's pooling example (Dumoulin & Visin, arXiv:1603.07285, relation 7 and
its figures of a 5×5 input, 3×3 windows, stride 1), and centred finite differences
(tolerance 1e-7: average pooling is linear; max pooling is linear near inputs without ties).
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import TORCH_TOL, fixture_maker, npz_case, npz_fixtures, npz_ids, numeric_grad

from convcore import (
    avg_pool2d,
    avg_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
    pool_output_size,
    pool_output_size_terms,
    trace_pool2d,
    trace_pool2d_backward,
)

FIXTURE = "pool_transpose_torch.npz"
#: conv_arithmetic's numeric pooling example (NumPy legacy seed 1234, randint(0, 4)).
CONV_ARITHMETIC_INPUT = np.array(
    [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]], float
)
CONV_ARITHMETIC_MAX = np.array([[3, 3, 3], [3, 3, 3], [3, 2, 3]], float)


def _fixtures():
    return npz_fixtures(FIXTURE)


def _case(kind: str, case: str):
    """Arrays and keyword arguments of one pooling fixture case."""
    return npz_case(FIXTURE, kind, case)


def _ids(kind: str) -> list[str]:
    return npz_ids(FIXTURE, kind)


def _maker():
    return fixture_maker("make_pool_transpose_fixtures")


MAX_CASES, AVG_CASES = _ids("max_pool2d"), _ids("avg_pool2d")
TRACE_KEYS = ("kernel_size", "stride", "padding", "dilation", "ceil_mode")


def _batched(a: np.ndarray) -> np.ndarray:
    return a if a.ndim == 4 else a[None]


# ---------------------------------------------------------------- brute force


def _windows(x2d: np.ndarray, kernel, stride, padding, dilation, ceil_mode):
    """``(out_h, out_w)`` and, per window (row-major), its taps ``(row, col, inside)``."""
    h, w = x2d.shape
    out_h, out_w = (
        pool_output_size(n, k, s, p, d, ceil_mode)
        for n, k, s, p, d in zip((h, w), kernel, stride, padding, dilation, strict=True)
    )
    windows = []
    for r in range(out_h):
        for q in range(out_w):
            cells = []
            for i in range(kernel[0]):
                for j in range(kernel[1]):
                    row = r * stride[0] + i * dilation[0] - padding[0]
                    col = q * stride[1] + j * dilation[1] - padding[1]
                    cells.append((row, col, 0 <= row < h and 0 <= col < w))
            windows.append(cells)
    return (out_h, out_w), windows


def _brute_max(x2d, kernel, stride, padding, dilation=(1, 1), ceil_mode=False):
    """Maxima and PyTorch indices, one window and one tap at a time."""
    shape, windows = _windows(x2d, kernel, stride, padding, dilation, ceil_mode)
    out, idx = [], []
    for cells in windows:
        best, best_index = -np.inf, -1
        for row, col, inside in cells:
            if inside and x2d[row, col] > best:  # strict: the first maximum wins
                best, best_index = x2d[row, col], row * x2d.shape[1] + col
        out.append(best)
        idx.append(best_index)
    return np.reshape(out, shape), np.reshape(idx, shape)


def _brute_avg(
    x2d, kernel, stride, padding, ceil_mode=False, count_include_pad=True, divisor_override=None
):
    """Means: sum of the window's input cells over its cells in the padded input or input."""
    (h, w), (ph, pw) = x2d.shape, padding
    shape, windows = _windows(x2d, kernel, stride, padding, (1, 1), ceil_mode)
    out = []
    for cells in windows:
        total = sum(x2d[row, col] for row, col, inside in cells if inside)
        in_padded = sum(-ph <= row < h + ph and -pw <= col < w + pw for row, col, _ in cells)
        in_input = sum(inside for _, _, inside in cells)
        divisor = in_padded if count_include_pad else in_input
        out.append(total / (divisor_override or divisor))
    return np.reshape(out, shape)


def test_conv_arithmetic_example():
    x = CONV_ARITHMETIC_INPUT
    np.testing.assert_array_equal(max_pool2d(x[None], 3, 1)[0], CONV_ARITHMETIC_MAX)
    np.testing.assert_array_equal(_brute_max(x, (3, 3), (1, 1), (0, 0))[0], CONV_ARITHMETIC_MAX)
    means = np.array([[x[r : r + 3, q : q + 3].mean() for q in range(3)] for r in range(3)])
    np.testing.assert_allclose(avg_pool2d(x[None], 3, 1)[0], means, rtol=0, atol=1e-15)
    assert means[0, 0] == pytest.approx(15 / 9)
    for kind, expected in (("max_pool2d", CONV_ARITHMETIC_MAX), ("avg_pool2d", means)):
        arrays, _ = _case(kind, "conv_arithmetic")
        np.testing.assert_allclose(arrays["out"][0, 0], expected, **TORCH_TOL)


@pytest.mark.parametrize("case", MAX_CASES)
def test_max_pool2d_matches_brute_force(case):
    arrays, kwargs = _case("max_pool2d", case)
    x = _batched(arrays["x"])
    out, indices = max_pool2d(x, **kwargs, return_indices=True)
    pairs = {k: kwargs.get(k, d) for k, d in (("padding", 0), ("dilation", 1))}
    kernel = kwargs["kernel_size"]
    args = [
        v if isinstance(v, tuple) else (v, v)
        for v in (kernel, kwargs.get("stride", kernel), pairs["padding"], pairs["dilation"])
    ]
    for n, c in np.ndindex(x.shape[:2]):
        values, idx = _brute_max(x[n, c], *args, kwargs.get("ceil_mode", False))
        np.testing.assert_array_equal(out[n, c], values)
        np.testing.assert_array_equal(indices[n, c], idx)


@pytest.mark.parametrize("case", AVG_CASES)
def test_avg_pool2d_matches_brute_force(case):
    arrays, kwargs = _case("avg_pool2d", case)
    x = _batched(arrays["x"])
    kernel = kwargs["kernel_size"]
    args = [
        v if isinstance(v, tuple) else (v, v)
        for v in (kernel, kwargs.get("stride", kernel), kwargs.get("padding", 0))
    ]
    extra = {
        k: kwargs[k] for k in ("ceil_mode", "count_include_pad", "divisor_override") if k in kwargs
    }
    out = avg_pool2d(x, **kwargs)
    for n, c in np.ndindex(x.shape[:2]):
        np.testing.assert_allclose(out[n, c], _brute_avg(x[n, c], *args, **extra), atol=1e-14)


# ---------------------------------------------------------------- against PyTorch


def test_fixtures_cover_the_required_grid():
    params = _fixtures()[1]
    avg = [p for k, p in params.items() if k.startswith("avg_pool2d/")]
    mx = [p for k, p in params.items() if k.startswith("max_pool2d/")]
    for cases in (avg, mx):
        assert any(p.get("stride") == 2 and p.get("padding") == 1 for p in cases)
        assert any(p.get("ceil_mode") and p.get("padding") for p in cases)
    assert any(p.get("count_include_pad") is False for p in avg)
    assert any(p.get("divisor_override") for p in avg)
    assert any(p.get("dilation") == 2 for p in mx)
    sizes = [pool_output_size_terms(5, 2, 2, 1, ceil_mode=True)]
    assert sizes[0].dropped  # the case "ceil_drops_last" exercises PyTorch's rule


@pytest.mark.parametrize("case", MAX_CASES)
def test_max_pool2d_matches_torch_fixture(case):
    arrays, kwargs = _case("max_pool2d", case)
    out, indices = max_pool2d(arrays["x"], **kwargs, return_indices=True)
    assert out.shape == arrays["out"].shape
    np.testing.assert_allclose(out, arrays["out"], **TORCH_TOL)
    np.testing.assert_array_equal(indices, arrays["indices"].astype(np.int64))
    np.testing.assert_array_equal(max_pool2d(arrays["x"], **kwargs), out)
    grad_x = max_pool2d_backward(arrays["grad_out"], arrays["x"], **kwargs)
    np.testing.assert_allclose(grad_x, arrays["grad_x"], **TORCH_TOL)


@pytest.mark.parametrize("case", AVG_CASES)
def test_avg_pool2d_matches_torch_fixture(case):
    arrays, kwargs = _case("avg_pool2d", case)
    out = avg_pool2d(arrays["x"], **kwargs)
    assert out.shape == arrays["out"].shape
    np.testing.assert_allclose(out, arrays["out"], **TORCH_TOL)
    grad_x = avg_pool2d_backward(arrays["grad_out"], arrays["x"], **kwargs)
    np.testing.assert_allclose(grad_x, arrays["grad_x"], **TORCH_TOL)


@pytest.mark.parametrize(
    ("kind", "case"),
    [("max_pool2d", c) for c in MAX_CASES] + [("avg_pool2d", c) for c in AVG_CASES],
)
def test_traces_match_torch_fixture(kind, case):
    arrays, kwargs = _case(kind, case)
    mode = kind[:3]
    t = trace_pool2d(arrays["x"], **kwargs, mode=mode)
    np.testing.assert_allclose(t.out, _batched(arrays["out"]), **TORCH_TOL)
    if mode == "max":
        np.testing.assert_array_equal(t.indices, _batched(arrays["indices"]))
    g = trace_pool2d_backward(arrays["grad_out"], arrays["x"], **kwargs, mode=mode)
    np.testing.assert_allclose(g.grad_x, _batched(arrays["grad_x"]), **TORCH_TOL)


def _random_pool_case(rng: np.random.Generator, mode: str) -> dict:
    """A random valid pooling call's keyword arguments (``input`` included)."""
    kernel = tuple(int(v) for v in rng.integers(1, 5, size=2))
    stride = tuple(int(v) for v in rng.integers(1, 4, size=2))
    dilation = (1, 1) if mode == "avg" else tuple(int(v) for v in rng.integers(1, 3, size=2))
    padding = tuple(int(rng.integers(0, k // 2 + 1)) for k in kernel)
    reach = [d * (k - 1) + 1 for d, k in zip(dilation, kernel, strict=True)]
    hw = [max(1, r - 2 * p) + int(rng.integers(0, 5)) for r, p in zip(reach, padding, strict=True)]
    case = {
        "input": rng.standard_normal((int(rng.integers(1, 3)), 2, *hw)),
        "kernel_size": kernel,
        "stride": stride,
        "padding": padding,
        "ceil_mode": bool(rng.random() < 0.5),
    }
    if mode == "max":
        return case | {"dilation": dilation}
    override = int(rng.integers(1, 5)) if rng.random() < 0.3 else None
    return case | {"count_include_pad": bool(rng.random() < 0.5), "divisor_override": override}


@pytest.mark.torch
@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("seed", range(15))
def test_pooling_matches_live_torch(torch1, mode, seed):
    rng = np.random.default_rng(seed)
    case = _random_pool_case(rng, mode)
    x = case.pop("input")
    kind = f"{mode}_pool2d"
    forward = max_pool2d if mode == "max" else avg_pool2d
    backward = max_pool2d_backward if mode == "max" else avg_pool2d_backward
    out = forward(x, **case)
    grad_out = rng.standard_normal(out.shape)
    expected = _maker().torch_pool(kind, x, grad_out, case)
    np.testing.assert_allclose(out, expected["out"], **TORCH_TOL)
    np.testing.assert_allclose(backward(grad_out, x, **case), expected["grad_x"], **TORCH_TOL)
    if mode == "max":
        _, indices = max_pool2d(x, **case, return_indices=True)
        np.testing.assert_array_equal(indices, expected["indices"])


# ---------------------------------------------------------------- finite differences


FD_CASES = {
    "k3_s2_p1": {"kernel_size": 3, "stride": 2, "padding": 1},
    "ceil_pad1": {"kernel_size": 2, "stride": 2, "padding": 1, "ceil_mode": True},
    "rect_overlap": {"kernel_size": (3, 2), "stride": (1, 2), "padding": (1, 0)},
    "ceil_overhang": {"kernel_size": 3, "stride": 2, "ceil_mode": True},
}


@pytest.mark.parametrize("case", list(FD_CASES))
def test_max_pool2d_backward_matches_finite_differences(case):
    kwargs = FD_CASES[case] | ({"dilation": 2} if case == "k3_s2_p1" else {})
    rng = np.random.default_rng(sum(map(ord, case)))
    x = rng.permutation(2 * 7 * 6).reshape(1, 2, 7, 6) / 10.0  # distinct: no ties
    grad_out = rng.standard_normal(max_pool2d(x, **kwargs).shape)

    def loss():
        return float(np.sum(max_pool2d(x, **kwargs) * grad_out))

    expected = numeric_grad(loss, x)
    np.testing.assert_allclose(max_pool2d_backward(grad_out, x, **kwargs), expected, atol=1e-7)


@pytest.mark.parametrize("extra", [{}, {"count_include_pad": False}, {"divisor_override": 5}])
@pytest.mark.parametrize("case", list(FD_CASES))
def test_avg_pool2d_backward_matches_finite_differences(case, extra):
    kwargs = FD_CASES[case] | extra
    rng = np.random.default_rng(sum(map(ord, case)))
    x = rng.standard_normal((1, 2, 7, 6))
    grad_out = rng.standard_normal(avg_pool2d(x, **kwargs).shape)

    def loss():
        return float(np.sum(avg_pool2d(x, **kwargs) * grad_out))

    expected = numeric_grad(loss, x)
    np.testing.assert_allclose(avg_pool2d_backward(grad_out, x, **kwargs), expected, atol=1e-7)


# ---------------------------------------------------------------- output size


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((5, 3, 1), 3),  # conv_arithmetic's figure: relation 7
        ((32, 2, 2), 16),
        ((7, 3, 2, 1), 4),
        ((6, 3, 2, 0, 1, True), 3),  # ceil: the last window overhangs by one
        ((6, 3, 2, 0, 1, False), 2),
        ((5, 2, 2, 1, 1, True), 3),  # ceil would give 4, but it would start in the padding
        ((9, 3, 1, 1, 2), 7),
    ],
)
def test_pool_output_size(args, expected):
    assert pool_output_size(*args) == expected


def test_pool_output_size_terms():
    t = pool_output_size_terms(5, 2, 2, padding=1, ceil_mode=True)
    assert (t.pad_total, t.reach, t.numerator) == (2, 2, 5)
    assert (t.floor_out, t.ceil_out, t.dropped, t.out) == (3, 4, True, 3)
    assert t.last_start == 4 and t.overhang == 0
    t = pool_output_size_terms(6, 3, 2, ceil_mode=True)
    assert (t.floor_out, t.ceil_out, t.dropped, t.out, t.overhang) == (2, 3, False, 3, 1)
    t = pool_output_size_terms(7, 3, 2, padding=1, dilation=2)
    assert (t.reach, t.numerator, t.out) == (5, 4, 3) and not t.ceil_mode


@pytest.mark.parametrize(
    ("kind", "case"),
    [("max_pool2d", c) for c in MAX_CASES] + [("avg_pool2d", c) for c in AVG_CASES],
)
def test_pool_output_size_matches_torch_shapes(kind, case):
    arrays, kwargs = _case(kind, case)
    t = trace_pool2d(arrays["x"], **kwargs, mode=kind[:3])
    assert t.out_shape == arrays["out"].shape[-2:]


# ---------------------------------------------------------------- the traces


def test_max_trace_fields():
    x = CONV_ARITHMETIC_INPUT[None]
    t = trace_pool2d(x, 3, 1)
    assert t.mode == "max" and t.n_steps == 9 and t.windows.shape == (1, 1, 9, 3, 3)
    np.testing.assert_array_equal(t.windows[0, 0, 7], x[0, 2:5, 1:4])
    np.testing.assert_array_equal(t.values[0, 0], CONV_ARITHMETIC_MAX.ravel())
    # window (0, 0) holds 3 at (0, 0) and (0, 1): the first in scan order is the maximum
    assert (t.argmax_tap[0, 0, 0], t.argmax_row[0, 0, 0], t.argmax_col[0, 0, 0]) == (0, 0, 0)
    np.testing.assert_array_equal(x[0][t.argmax_row[0, 0], t.argmax_col[0, 0]], t.values[0, 0])
    assert t.sums is None and t.divisors is None
    assert not t.pad_mask.any() and t.in_window.all()


def test_avg_trace_fields_with_padding_and_ceil():
    x = np.arange(1.0, 26.0).reshape(1, 1, 5, 5)
    t = trace_pool2d(x, 2, 2, padding=1, mode="avg", ceil_mode=True, count_include_pad=False)
    assert t.out_shape == (3, 3) and t.x_padded.shape[2:] == (7, 7)
    assert t.argmax_tap is None and t.indices is None
    np.testing.assert_array_equal(t.divisors.reshape(3, 3), [[1, 2, 2], [2, 4, 4], [2, 4, 4]])
    np.testing.assert_array_equal(t.in_window[0], [[False, False], [False, True]])
    assert t.sums[0, 0, 0] == 1.0 and t.values[0, 0, 4] == (7 + 8 + 12 + 13) / 4
    np.testing.assert_array_equal(t.origins[4], (2, 2))
    np.testing.assert_array_equal(t.tap_rows[4], (2, 3))
    assert t.pad_mask[0].all() and not t.pad_mask[1:6, 1:6].any()


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize(
    "kwargs",
    [
        {"kernel_size": 3, "stride": 1, "padding": 1},
        {"kernel_size": 2, "stride": 2},
        {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    ],
)
def test_gradient_trace_steps(mode, kwargs):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 2, 5, 6))
    grad_out = rng.standard_normal(trace_pool2d(x, **kwargs, mode=mode).out.shape)
    g = trace_pool2d_backward(grad_out, x, **kwargs, mode=mode)
    backward = max_pool2d_backward if mode == "max" else avg_pool2d_backward
    np.testing.assert_allclose(g.grad_x, backward(grad_out, x, **kwargs), atol=1e-14)
    t = g.forward
    previous = np.zeros_like(x)
    for step in range(g.n_steps):
        added = g.running[:, :, step] - previous
        rows = t.tap_rows[step] - t.padding[0]
        cols = t.tap_cols[step] - t.padding[1]
        inside = t.in_window[step]
        for i, j in zip(*np.nonzero(inside), strict=True):
            np.testing.assert_allclose(
                added[:, :, rows[i], cols[j]], g.contributions[:, :, step, i, j], atol=1e-14
            )
            added[:, :, rows[i], cols[j]] = 0
        np.testing.assert_allclose(added, 0, atol=1e-14)
        previous = g.running[:, :, step]
    assert not np.any(g.contributions[:, :, ~t.in_window])
    if mode == "max":
        np.testing.assert_array_equal(g.contributions.sum(axis=(-2, -1)), g.shares)
    else:
        np.testing.assert_allclose(g.shares, g.grad_out.reshape(g.shares.shape) / t.divisors)


def test_max_gradient_goes_to_the_first_maximum():
    x = np.array([[[1.0, 5.0, 5.0], [5.0, 0.0, 2.0]]])
    g = trace_pool2d_backward(np.array([[[1.0, 10.0]]]), x, 2, 1)
    np.testing.assert_array_equal(g.grad_x[0, 0], [[0, 11, 0], [0, 0, 0]])
    np.testing.assert_array_equal(g.running[0, 0, 0], [[0, 1, 0], [0, 0, 0]])


def test_float32_and_unbatched():
    x = np.ones((3, 4, 4), np.float32)
    for out in (max_pool2d(x, 2), avg_pool2d(x, 2), max_pool2d(x, 2, return_indices=True)[0]):
        assert out.dtype == np.float32 and out.shape == (3, 2, 2)
    grad = avg_pool2d_backward(np.ones((3, 2, 2), np.float32), x, 2)
    assert grad.dtype == np.float32 and grad.shape == x.shape
    np.testing.assert_array_equal(grad, 0.25)


# ---------------------------------------------------------------- invalid arguments


@pytest.mark.parametrize(
    ("func", "kwargs", "match"),
    [
        (
            max_pool2d,
            {"kernel_size": 3, "padding": 2},
            r"pad should be at most half of effective kernel size, got padding \(2, 2\)",
        ),
        (
            max_pool2d,
            {"kernel_size": 3, "padding": 2, "dilation": 2},
            r"pad should be at most half of kernel size, got padding \(2, 2\)",
        ),
        (
            max_pool2d,
            {"kernel_size": 1, "padding": 1, "dilation": 3},
            r"effective kernel size, got padding \(1, 1\)",
        ),
        (
            avg_pool2d,
            {"kernel_size": 3, "padding": (0, 2)},
            r"pad should be at most half of kernel size, got padding \(0, 2\)",
        ),
        (
            avg_pool2d,
            {"kernel_size": 2, "divisor_override": 0},
            "divisor_override must not be zero, got 0",
        ),
        (
            avg_pool2d,
            {"kernel_size": 2, "divisor_override": 1.5},
            "divisor_override must be an int or None, got 1.5",
        ),
        (max_pool2d, {"kernel_size": 7}, "kernel extent 7 is larger than the padded input 6"),
        (max_pool2d, {"kernel_size": 2, "stride": 0}, "stride must be positive, got 0"),
        (avg_pool2d, {"kernel_size": 0}, "kernel_size must be positive, got 0"),
        (max_pool2d, {"kernel_size": 2, "padding": -1}, "padding must be >= 0, got -1"),
    ],
)
def test_invalid_arguments(func, kwargs, match):
    with pytest.raises(ValueError, match=match):
        func(np.ones((1, 6, 6)), **kwargs)
    backward = max_pool2d_backward if func is max_pool2d else avg_pool2d_backward
    with pytest.raises(ValueError, match=match):
        backward(np.ones((1, 3, 3)), np.ones((1, 6, 6)), **kwargs)


def test_invalid_trace_arguments():
    x = np.ones((1, 6, 6))
    with pytest.raises(ValueError, match="mode must be 'max' or 'avg', got 'min'"):
        trace_pool2d(x, 2, mode="min")
    with pytest.raises(ValueError, match=r"average pooling has no dilation, got dilation \(2, 2\)"):
        trace_pool2d(x, 2, mode="avg", dilation=2)
    with pytest.raises(ValueError, match=r"pooled output shape \(1, 3, 3\), got \(1, 2, 2\)"):
        trace_pool2d_backward(np.ones((1, 2, 2)), x, 2)
    with pytest.raises(ValueError, match=r"pooled output shape \(1, 3, 3\), got \(1, 1, 3, 3\)"):
        max_pool2d_backward(np.ones((1, 1, 3, 3)), x, 2)
    with pytest.raises(ValueError, match="input must be 3-D or 4-D, got 2-D"):
        max_pool2d(np.ones((6, 6)), 2)
    with pytest.raises(ValueError, match="input contains NaN"):
        avg_pool2d(np.full((1, 4, 4), np.nan), 2)
