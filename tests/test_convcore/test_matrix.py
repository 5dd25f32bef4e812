"""convcore.matrix: conv_matrix, conv_matrix_trace, im2col_trace.

Oracles: :func:`convcore.conv2d` (itself tested against PyTorch), the article's example and
its counts (9×25 matrix, 81 kernel entries, 144 zeros), the adjoint identity
``<conv2d(x), g> == <x, M.T g>``, central finite differences, :func:`convcore.fold`, and
live PyTorch autograd / ``conv_transpose2d`` in float64. Tolerance: ``TOL`` (values of
order 1-10, sums of at most a few hundred terms).
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import TORCH_TOL, random_conv_case

from convcore import ARTICLE_INPUT, ARTICLE_KERNEL, conv2d, fold, unfold
from convcore._args import pair
from convcore.matrix import conv_matrix, conv_matrix_trace, im2col_trace

TOL = {"rtol": 1e-12, "atol": 1e-12}

#: The article's output, typed in again so the test does not trust convcore's constant.
ARTICLE_OUT = np.array([[411, 456, 501], [636, 681, 726], [861, 906, 951]], dtype=float)

# (c_in, c_out, (H, W), (kH, kW), stride, padding, dilation, groups)
GRID = {
    "article": (1, 1, (5, 5), (3, 3), 1, 0, 1, 1),
    "stride2_pad1": (2, 3, (7, 7), (3, 3), 2, 1, 1, 1),
    "nonsquare_all": (2, 2, (6, 9), (2, 3), (2, 3), (1, 2), 1, 1),
    "dilation2": (1, 2, (7, 8), (3, 3), 1, 1, 2, 1),
    "dilation2_stride2": (3, 2, (9, 8), (3, 2), 2, (2, 1), (2, 3), 1),
    "groups2": (4, 6, (6, 5), (3, 2), (2, 1), (1, 0), (1, 2), 2),
    "depthwise": (3, 3, (5, 5), (3, 3), 1, 1, 1, 3),
    "same_even": (2, 2, (5, 6), (2, 4), 1, "same", 1, 1),
    "valid": (2, 1, (4, 6), (3, 3), 1, "valid", 1, 1),
    "one_by_one": (3, 2, (4, 3), (1, 1), 1, 0, 1, 1),
    "stride_gt_kernel": (1, 2, (7, 7), (1, 2), 3, 1, 1, 1),
    "kernel_fills_input": (2, 2, (3, 4), (3, 4), 1, 0, 1, 2),
}


def _case(name: str, rng: np.random.Generator) -> dict:
    c_in, c_out, hw, kernel, stride, padding, dilation, groups = GRID[name]
    return {
        "input": rng.standard_normal((c_in, *hw)),
        "weight": rng.standard_normal((c_out, c_in // groups, *kernel)),
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "groups": groups,
    }


def _random(seed: int) -> dict:
    case = random_conv_case(np.random.default_rng(seed), max_batch=1)
    case["input"] = case["input"][0]
    del case["bias"]
    return case


def _params(case: dict) -> dict:
    return {k: v for k, v in case.items() if k not in ("input", "weight")}


ALL_CASES = [pytest.param(name, id=name) for name in GRID] + [
    pytest.param(seed, id=f"random{seed}") for seed in range(20)
]


def _get(which) -> dict:
    return _random(which) if isinstance(which, int) else _case(which, np.random.default_rng(0))


# ---------------------------------------------------------------- conv_matrix == conv2d


@pytest.mark.parametrize("which", ALL_CASES)
def test_conv_matrix_equals_conv2d(which):
    case = _get(which)
    x, weight = case["input"], case["weight"]
    m = conv_matrix(weight, x.shape[1:], **_params(case))
    out = conv2d(x, weight, **_params(case))
    assert m.shape == (out.size, x.size)
    np.testing.assert_allclose(m @ x.reshape(-1), out.reshape(-1), **TOL)


def test_article_matrix_counts_and_bands():
    m = conv_matrix(ARTICLE_KERNEL[None, None], (5, 5))
    assert m.shape == (9, 25)
    assert np.count_nonzero(m) == 81
    assert m.size - np.count_nonzero(m) == 144
    for r in range(9):  # row r: the kernel placed at window (r // 3, r % 3), zeros elsewhere
        i, j = divmod(r, 3)
        expected = np.zeros((5, 5))
        expected[i : i + 3, j : j + 3] = ARTICLE_KERNEL
        np.testing.assert_array_equal(m[r].reshape(5, 5), expected)
    np.testing.assert_array_equal((m @ ARTICLE_INPUT.reshape(-1)).reshape(3, 3), ARTICLE_OUT)


def test_article_trace():
    t = conv_matrix_trace(ARTICLE_INPUT, ARTICLE_KERNEL)
    assert (t.n_total, t.n_nonzero, t.n_zero) == (225, 81, 144)
    np.testing.assert_array_equal(t.out[0], ARTICLE_OUT)
    np.testing.assert_array_equal(t.row_columns[0], [0, 1, 2, 5, 6, 7, 10, 11, 12])
    np.testing.assert_array_equal(t.row_columns[4], [6, 7, 8, 11, 12, 13, 16, 17, 18])
    np.testing.assert_array_equal(t.row_terms[0], [1, 4, 9, 24, 35, 48, 77, 96, 117])
    assert t.row_terms[0].sum() == 411
    np.testing.assert_array_equal(t.tap_index[4], [0, 1, 1])
    np.testing.assert_array_equal(t.row_out_index[5], [0, 1, 2])
    np.testing.assert_array_equal(t.column_in_index[7], [0, 1, 2])
    assert t.out_shape == (3, 3) and t.kernel_size == (3, 3)
    # corners feed one output, edge centres three, the centre all nine
    np.testing.assert_array_equal(
        t.column_counts.reshape(5, 5)[::2, ::2], [[1, 3, 1], [3, 9, 3], [1, 3, 1]]
    )
    # all-ones g: each pixel receives the sum of the kernel entries that ever touch it
    assert t.grad_x[0, 0, 0] == 1 and t.grad_x[0, 2, 2] == ARTICLE_KERNEL.sum()


def test_padding_cells_are_missing_columns():
    t = conv_matrix_trace(ARTICLE_INPUT, ARTICLE_KERNEL, padding=1)
    assert t.matrix.shape == (25, 25)
    # output (0, 0) sees only the 2×2 corner: 4 entries, kernel entries 4, 5, 7, 8
    np.testing.assert_array_equal(t.row_columns[0], [-1, -1, -1, -1, 0, 1, -1, 5, 6])
    assert np.count_nonzero(t.matrix[0]) == 4
    assert t.n_nonzero == 4 * 4 + 12 * 6 + 9 * 9


@pytest.mark.parametrize("which", ALL_CASES)
def test_trace_fields_agree(which):
    case = _get(which)
    t = conv_matrix_trace(case["input"], case["weight"], **_params(case))
    np.testing.assert_allclose(t.out, conv2d(case["input"], case["weight"], **_params(case)), **TOL)
    np.testing.assert_allclose(t.row_terms.sum(axis=1), t.out_flat, **TOL)
    np.testing.assert_array_equal(t.matrix, conv_matrix(t.weight, t.x.shape[1:], **_params(case)))
    used = t.entry_index >= 0
    assert t.n_nonzero == used.sum() == (t.row_columns >= 0).sum()
    assert t.n_zero == t.n_total - t.n_nonzero and t.n_total == t.matrix.size
    o = t.row_out_index[:, 0]
    flat_w = t.weight.reshape(t.weight.shape[0], -1)
    expected = np.where(used, flat_w[o[:, None], np.maximum(t.entry_index, 0)], 0.0)
    np.testing.assert_array_equal(t.matrix, expected)
    rows = np.broadcast_to(np.arange(t.matrix.shape[0])[:, None], t.row_columns.shape)
    hit = t.row_columns >= 0
    np.testing.assert_array_equal(t.entry_index[rows[hit], t.row_columns[hit]], np.where(hit)[1])
    np.testing.assert_array_equal(t.row_values, flat_w[o])
    np.testing.assert_array_equal(t.matrix_t, t.matrix.T)
    np.testing.assert_array_equal(t.column_counts, used.sum(axis=0))


@pytest.mark.parametrize("which", ALL_CASES)
def test_busiest_column_feeds_the_most_outputs(which):
    """Brute force: count each input cell's uses over every window, take the first largest."""
    case = _get(which)
    t = conv_matrix_trace(case["input"], case["weight"], **_params(case))
    c_out, c_in_g, kh, kw = t.weight.shape
    c_in, h, w = t.x.shape
    uses = np.zeros((c_in, h, w), int)
    for o, i, j, c, a, b in np.ndindex(c_out, *t.out_shape, c_in_g, kh, kw):
        r = i * t.stride[0] + a * t.dilation[0] - t.pads[0]
        col = j * t.stride[1] + b * t.dilation[1] - t.pads[2]
        if 0 <= r < h and 0 <= col < w:
            uses[o // (c_out // t.groups) * c_in_g + c, r, col] += 1
    counts = list(uses.ravel())
    assert t.busiest_column == counts.index(max(counts))
    assert isinstance(t.busiest_column, int)


def test_article_busiest_column_is_the_centre():
    t = conv_matrix_trace(ARTICLE_INPUT, ARTICLE_KERNEL)
    assert t.busiest_column == 12 and t.column_counts[12] == 9
    # with padding 1 every interior cell is used nine times: the first of them wins
    assert conv_matrix_trace(ARTICLE_INPUT, ARTICLE_KERNEL, padding=1).busiest_column == 6


# ---------------------------------------------------------------- the transpose


@pytest.mark.parametrize("which", ALL_CASES)
def test_transpose_adjoint_identity(which):
    """``<conv2d(x), g> == <x, M.T g>``: M.T g is the gradient of x ↦ <conv2d(x), g>."""
    case = _get(which)
    rng = np.random.default_rng(1)
    out = conv2d(case["input"], case["weight"], **_params(case))
    g = rng.standard_normal(out.shape)
    t = conv_matrix_trace(case["input"], case["weight"], **_params(case), grad_out=g)
    np.testing.assert_allclose(np.sum(out * g), np.sum(case["input"] * t.grad_x), **TOL)
    np.testing.assert_allclose(t.grad_terms.sum(axis=1), t.grad_x_flat, **TOL)
    np.testing.assert_array_equal(t.grad_out, g)


@pytest.mark.parametrize("name", ["article", "stride2_pad1", "dilation2", "groups2", "same_even"])
def test_transpose_is_gradient_by_finite_differences(name):
    case = _case(name, np.random.default_rng(2))
    x, weight, params = case["input"], case["weight"], _params(case)
    g = np.random.default_rng(3).standard_normal(conv2d(x, weight, **params).shape)
    t = conv_matrix_trace(x, weight, **params, grad_out=g)
    eps, numeric = 1e-3, np.zeros(x.size)
    for q in range(x.size):
        step = np.zeros(x.size)
        step[q] = eps
        plus = conv2d(x + step.reshape(x.shape), weight, **params)
        minus = conv2d(x - step.reshape(x.shape), weight, **params)
        numeric[q] = np.sum((plus - minus) * g) / (2 * eps)
    np.testing.assert_allclose(t.grad_x_flat, numeric, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize(
    "name", ["article", "stride2_pad1", "nonsquare_all", "dilation2", "one_by_one", "valid"]
)
def test_transpose_equals_fold_of_outer_products(name):
    case = _case(name, np.random.default_rng(4))
    x, weight = case["input"], case["weight"]
    padding = 0 if case["padding"] == "valid" else case["padding"]
    params = {"stride": case["stride"], "padding": padding, "dilation": case["dilation"]}
    out = conv2d(x, weight, **params)
    g = np.random.default_rng(5).standard_normal(out.shape)
    t = conv_matrix_trace(x, weight, **params, grad_out=g)
    cols = weight.reshape(weight.shape[0], -1).T @ g.reshape(g.shape[0], -1)
    expected = fold(cols, x.shape[1:], weight.shape[2:], **params)
    np.testing.assert_allclose(t.grad_x, expected, **TOL)


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
@pytest.mark.parametrize("which", ALL_CASES)
def test_transpose_against_torch_autograd(which, torch):
    case = _get(which)
    params = _params(case)
    x = torch.tensor(case["input"][None], dtype=torch.float64, requires_grad=True)
    weight = torch.tensor(case["weight"], dtype=torch.float64)
    out = torch.nn.functional.conv2d(x, weight, **params)
    g = np.random.default_rng(6).standard_normal(tuple(out.shape[1:]))
    out.backward(torch.tensor(g[None]))
    t = conv_matrix_trace(case["input"], case["weight"], **params, grad_out=g)
    np.testing.assert_allclose(t.out, out.detach().numpy()[0], **TORCH_TOL)
    np.testing.assert_allclose(t.grad_x, x.grad.numpy()[0], **TORCH_TOL)


@pytest.mark.torch
@pytest.mark.parametrize("name", ["article", "stride2_pad1", "dilation2", "groups2", "depthwise"])
def test_transpose_against_torch_conv_transpose2d(name, torch):
    case = _case(name, np.random.default_rng(7))
    x, weight, params = case["input"], case["weight"], _params(case)
    out = conv2d(x, weight, **params)
    g = np.random.default_rng(8).standard_normal(out.shape)
    t = conv_matrix_trace(x, weight, **params, grad_out=g)
    expected = torch.nn.functional.conv_transpose2d(
        torch.tensor(g[None]),
        torch.tensor(weight),
        output_padding=_output_padding(x.shape[1:], out.shape[1:], weight.shape[2:], case),
        **params,
    )[0].numpy()
    np.testing.assert_allclose(t.grad_x, expected, **TORCH_TOL)


def _output_padding(in_hw, out_hw, kernel, case) -> tuple[int, ...]:
    """Rows/columns conv_transpose2d must add back: ``H − ((out − 1)·S − 2P + D·(K − 1) + 1)``."""
    params = [pair(case[name], name, minimum=0) for name in ("stride", "padding", "dilation")]
    terms = zip(in_hw, out_hw, kernel, *params, strict=True)
    return tuple(h - ((o - 1) * s - 2 * p + d * (k - 1) + 1) for h, o, k, s, p, d in terms)


# ---------------------------------------------------------------- im2col_trace


def test_im2col_article():
    t = im2col_trace(ARTICLE_INPUT, ARTICLE_KERNEL)
    assert t.patches.shape == (9, 9) and t.kernel_rows.shape == (1, 9)
    np.testing.assert_array_equal(t.patches[:, 0], [1, 2, 3, 6, 7, 8, 11, 12, 13])
    np.testing.assert_array_equal(t.terms[0, :, 0], [1, 4, 9, 24, 35, 48, 77, 96, 117])
    np.testing.assert_array_equal(t.product[0], ARTICLE_OUT.reshape(-1))
    np.testing.assert_array_equal(t.out[0], ARTICLE_OUT)
    np.testing.assert_array_equal(t.source_rows[:, 0], [0, 0, 0, 1, 1, 1, 2, 2, 2])
    np.testing.assert_array_equal(t.source_cols[:, 8], [2, 3, 4, 2, 3, 4, 2, 3, 4])
    assert not t.is_padding.any() and not t.has_bias


@pytest.mark.parametrize(
    "name",
    ["article", "stride2_pad1", "nonsquare_all", "dilation2", "same_even", "stride_gt_kernel"],
)
def test_im2col_trace_fields_agree(name):
    case = _case(name, np.random.default_rng(9))
    x, weight, params = case["input"], case["weight"], _params(case)
    del params["groups"]
    bias = np.arange(weight.shape[0], dtype=float)
    t = im2col_trace(x, weight, bias, **params)
    np.testing.assert_allclose(t.out, conv2d(x, weight, bias, **params), **TOL)
    np.testing.assert_allclose(t.terms.sum(axis=1), t.product, **TOL)
    np.testing.assert_allclose(t.values, t.product + bias[:, None], **TOL)
    channel = t.patch_row_index[:, :1]
    np.testing.assert_array_equal(t.x_padded[channel, t.padded_rows, t.padded_cols], t.patches)
    np.testing.assert_array_equal(t.is_padding, t.pad_mask[t.padded_rows, t.padded_cols])
    np.testing.assert_array_equal(t.patches[t.is_padding], 0)
    inside = ~t.is_padding
    np.testing.assert_array_equal(x.reshape(-1)[t.source_index[inside]], t.patches[inside])
    assert (t.source_index[t.is_padding] == -1).all()
    np.testing.assert_array_equal(t.source_rows + t.pads[0], t.padded_rows)
    np.testing.assert_array_equal(t.source_cols + t.pads[2], t.padded_cols)
    if not isinstance(params["padding"], str):
        np.testing.assert_array_equal(t.patches, unfold(x, weight.shape[2:], **params))
    assert t.out_index.shape == (t.patches.shape[1], 2)


def test_im2col_padding_marks():
    t = im2col_trace(ARTICLE_INPUT, ARTICLE_KERNEL, padding=1)
    assert t.patches.shape == (9, 25)
    np.testing.assert_array_equal(
        t.is_padding[:, 0], [True, True, True, True, False, False, True, False, False]
    )
    np.testing.assert_array_equal(t.source_rows[:, 0], [-1, -1, -1, 0, 0, 0, 1, 1, 1])


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"input_size": 0}, "input_size must be positive"),
        ({"input_size": (2, 5)}, "larger than the padded input"),
        ({"input_size": 5, "stride": 0}, "stride must be positive"),
        ({"input_size": 5, "padding": -1}, "padding must be >= 0"),
        ({"input_size": 5, "dilation": 0}, "dilation must be positive"),
        ({"input_size": 5, "groups": 2}, "groups=2 must divide"),
        ({"input_size": (5, 5, 5)}, "input_size must be an int or a pair"),
        ({"input_size": 5, "padding": "full"}, "padding must be"),
        ({"input_size": 5, "stride": 2, "padding": "same"}, "needs stride 1"),
    ],
)
def test_conv_matrix_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        conv_matrix(np.ones((3, 1, 3, 3)), **kwargs)


def test_conv_matrix_weight_errors():
    with pytest.raises(ValueError, match="weight must be 4-D"):
        conv_matrix(np.ones((3, 3)), 5)
    with pytest.raises(ValueError, match="NaN"):
        conv_matrix(np.full((1, 1, 3, 3), np.nan), 5)


def test_trace_errors():
    with pytest.raises(ValueError, match="grad_out must hold C_out·out_h·out_w = 9"):
        conv_matrix_trace(ARTICLE_INPUT, ARTICLE_KERNEL, grad_out=np.ones(8))
    with pytest.raises(ValueError, match="input must be 2-D or 3-D"):
        conv_matrix_trace(np.ones(5), ARTICLE_KERNEL)
    with pytest.raises(ValueError, match="weight must be 2-D or 4-D"):
        im2col_trace(ARTICLE_INPUT, np.ones((1, 3, 3)))
    with pytest.raises(ValueError, match="weight expects 2 input channels"):
        im2col_trace(ARTICLE_INPUT, np.ones((1, 2, 3, 3)))
    with pytest.raises(ValueError, match="larger than the padded input"):
        im2col_trace(np.ones((2, 2)), ARTICLE_KERNEL)
