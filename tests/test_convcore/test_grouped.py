"""convcore.groups, and groups through trace_conv2d and im2col_trace.

Oracles: PyTorch float64 (committed fixtures ``conv_torch.npz`` for grouped and depthwise
``conv2d``, ``groups_torch.npz`` for separable blocks and ``nn.Conv2d`` parameter and
multiply-add counts; live when torch is installed; tolerance ``TORCH_TOL``), brute-force
loops over windows, pixels and channels, and counting the products a trace records.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from helpers import TORCH_TOL, fixture_case, fixture_maker, npz_case, npz_ids

from convcore import conv2d, im2col_trace, trace_conv2d
from convcore.functional import group_channels
from convcore.groups import (
    block_diagonal,
    conv_cost,
    example_data,
    group_weight,
    separable_cost,
    trace_separable,
)

FIXTURE = "groups_torch.npz"
GROUPED = ["groups2", "groups3", "depthwise", "depthwise_x2"]  # cases of conv_torch.npz


def _grouped(case: str):
    """x, weight, bias (or None), torch's out and the keyword arguments of one case."""
    fields, kwargs = fixture_case("conv2d", case)
    return fields["x"], fields["weight"], fields.get("bias"), fields["out"], kwargs


# ---------------------------------------------------------------- which channels


def test_group_channels_follow_torch_order():
    np.testing.assert_array_equal(group_channels(4, 4, 1), [[0, 1, 2, 3]] * 4)
    np.testing.assert_array_equal(group_channels(4, 4, 2), [[0, 1], [0, 1], [2, 3], [2, 3]])
    np.testing.assert_array_equal(group_channels(4, 4, 4), [[0], [1], [2], [3]])
    np.testing.assert_array_equal(group_channels(3, 6, 3), [[0], [0], [1], [1], [2], [2]])


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((4, 4, 3), r"groups=3 must divide both input channels \(4\) and output channels \(4\)"),
        ((4, 6, 4), r"groups=4 must divide both input channels \(4\) and output channels \(6\)"),
        ((4, 4, 0), "groups must be positive"),
        ((0, 4, 1), "c_in must be positive"),
    ],
)
def test_group_channels_errors(args, match):
    with pytest.raises(ValueError, match=match):
        group_channels(*args)


@pytest.mark.parametrize("case", GROUPED)
def test_block_diagonal_is_the_grouped_convolution(case):
    """A grouped convolution is the dense one with zeros outside each filter's group."""
    x, weight, bias, out, kwargs = _grouped(case)
    groups = kwargs.pop("groups")
    dense = block_diagonal(weight, groups)
    assert dense.shape == (weight.shape[0], x.shape[1], *weight.shape[2:])
    np.testing.assert_allclose(conv2d(x, dense, bias, **kwargs), out, **TORCH_TOL)
    np.testing.assert_array_equal(group_weight(dense, groups), weight)
    outside = np.ones(dense.shape[:2], bool)
    outside[np.arange(len(dense))[:, None], group_channels(x.shape[1], len(dense), groups)] = False
    assert not dense[outside].any()


def test_group_weight_keeps_each_filters_own_kernels():
    dense = np.arange(4 * 4 * 2 * 2, dtype=float).reshape(4, 4, 2, 2)
    kept = group_weight(dense, 2)
    for o, channels in enumerate(([0, 1], [0, 1], [2, 3], [2, 3])):
        np.testing.assert_array_equal(kept[o], dense[o, channels])
    np.testing.assert_array_equal(group_weight(dense, 4)[:, 0], dense[range(4), range(4)])
    with pytest.raises(ValueError, match="groups=3 must divide"):
        group_weight(dense, 3)


# ---------------------------------------------------------------- traces with groups


@pytest.mark.parametrize("case", GROUPED)
def test_trace_conv2d_with_groups_matches_torch(case):
    x, weight, bias, out, kwargs = _grouped(case)
    t = trace_conv2d(x, weight, bias, **kwargs)
    np.testing.assert_allclose(t.out, out, **TORCH_TOL)
    np.testing.assert_allclose(t.values.reshape(out.shape), out, **TORCH_TOL)
    # brute force: each channel sum is its window (of that input channel) times the kernel
    for o, channels in enumerate(t.group_channels):
        for n, c in enumerate(channels):
            for k in range(t.n_steps):
                window = t.x_padded[:, c][:, t.tap_rows[k]][:, :, t.tap_cols[k]]
                expected = (window * weight[o, n]).sum(axis=(1, 2))
                np.testing.assert_allclose(t.channel_sums[:, o, k, n], expected, rtol=1e-12)


@pytest.mark.parametrize("case", GROUPED)
def test_im2col_trace_with_groups_matches_torch(case):
    x, weight, bias, out, kwargs = _grouped(case)
    groups = kwargs["groups"]
    for n in range(len(x)):
        t = im2col_trace(x[n], weight, bias, **kwargs)
        assert t.groups == groups and t.kernel_rows.shape == (len(weight), t.patches.shape[0])
        np.testing.assert_allclose(t.out, out[n], **TORCH_TOL)
        np.testing.assert_array_equal(
            t.kernel_rows, block_diagonal(weight, groups).reshape(len(weight), -1)
        )
        np.testing.assert_array_equal(t.kernel_rows[~t.in_group], 0)
        np.testing.assert_allclose(t.terms.sum(axis=1), t.product, rtol=1e-12, atol=1e-12)
        # the rows filter o reads are exactly its group's channels
        channels = t.patch_row_index[:, 0]
        for o, group in enumerate(group_channels(x.shape[1], len(weight), groups)):
            np.testing.assert_array_equal(t.in_group[o], np.isin(channels, group))


def test_im2col_trace_without_groups_reads_every_row():
    rng = np.random.default_rng(3)
    t = im2col_trace(rng.standard_normal((3, 4, 4)), rng.standard_normal((2, 3, 2, 2)))
    assert t.groups == 1 and t.in_group.all()
    np.testing.assert_array_equal(t.patch_row_index[:, 0], np.repeat([0, 1, 2], 4))


# ---------------------------------------------------------------- separable blocks


@pytest.mark.parametrize("case", npz_ids(FIXTURE, "separable"))
def test_separable_block_matches_torch(case):
    fields, kwargs = npz_case(FIXTURE, "separable", case)
    x, dw, pw = fields["x"], fields["depthwise"], fields["pointwise"]
    for n in range(len(x)):
        t = trace_separable(x[n], dw, pw, **kwargs)
        np.testing.assert_allclose(t.out, fields["out"][n], **TORCH_TOL)
        assert t.depthwise.groups == x.shape[1] and t.out.shape == fields["out"][n].shape


def test_pointwise_is_a_matrix_product_per_pixel():
    """Column ``l`` of the pointwise product: the (C_out, C_in) weight times pixel l's
    channel vector of the depthwise output, by a loop over pixels and channels."""
    fields, kwargs = npz_case(FIXTURE, "separable", "basic")
    t = trace_separable(fields["x"][0], fields["depthwise"], fields["pointwise"], **kwargs)
    depth = t.depthwise.out[0]
    c_out, c_in = fields["pointwise"].shape[:2]
    np.testing.assert_array_equal(t.pointwise.kernel_rows, fields["pointwise"][:, :, 0, 0])
    for pixel, (i, j) in enumerate(t.pointwise.out_index):
        np.testing.assert_array_equal(t.pointwise.patches[:, pixel], depth[:, i, j])
        for o in range(c_out):
            total = sum(fields["pointwise"][o, c, 0, 0] * depth[c, i, j] for c in range(c_in))
            assert t.pointwise.product[o, pixel] == pytest.approx(total, rel=1e-12, abs=1e-12)


def test_separable_weight_shapes_are_checked():
    x = np.ones((4, 5, 5))
    with pytest.raises(ValueError, match=r"depthwise_weight must have shape \(4, 1, kH, kW\)"):
        trace_separable(x, np.ones((4, 2, 3, 3)), np.ones((8, 4, 1, 1)))
    with pytest.raises(ValueError, match=r"pointwise_weight must have shape \(C_out, 4, 1, 1\)"):
        trace_separable(x, np.ones((4, 1, 3, 3)), np.ones((8, 4, 3, 3)))
    with pytest.raises(ValueError, match="larger than the padded input"):
        trace_separable(np.ones((4, 2, 2)), np.ones((4, 1, 3, 3)), np.ones((8, 4, 1, 1)))


# ---------------------------------------------------------------- counts


@pytest.mark.parametrize("case", npz_ids(FIXTURE, "cost"))
def test_counts_match_torch_modules(case):
    fields, p = npz_case(FIXTURE, "cost", case)
    out = p["size"] - p["k"] + 1
    cost = conv_cost(p["c_in"], p["c_out"], p["k"], out, p["groups"], p["bias"])
    assert cost.params == int(fields["params"]) and cost.macs == int(fields["macs"])


@pytest.mark.parametrize("case", npz_ids(FIXTURE, "cost"))
def test_multiply_adds_are_the_products_a_trace_records(case):
    _, p = npz_case(FIXTURE, "cost", case)
    c_in, c_out, k, groups = p["c_in"], p["c_out"], p["k"], p["groups"]
    x = np.ones((1, c_in, p["size"], p["size"]))
    t = trace_conv2d(x, np.ones((c_out, c_in // groups, k, k)), groups=groups)
    cost = conv_cost(c_in, c_out, k, t.out_shape, groups, p["bias"])
    assert cost.macs == t.products.size and cost.outputs == t.values.size
    assert cost.weights == t.weight.size and cost.per_output == t.products[0, 0, 0].size


@pytest.mark.parametrize(("c_in", "c_out", "k"), [(4, 8, 3), (3, 16, 3), (32, 64, 3), (8, 8, 5)])
def test_separable_ratio_is_one_over_c_out_plus_one_over_k_squared(c_in, c_out, k):
    cost = separable_cost(c_in, c_out, k, (7, 7))
    assert cost.params == c_in * k * k + c_in * c_out  # brute force: the two weights' sizes
    assert cost.standard.params == c_out * c_in * k * k
    assert cost.param_ratio == cost.mac_ratio == Fraction(1, c_out) + Fraction(1, k * k)
    assert cost.formula_ratio == cost.param_ratio
    assert cost.ratio == pytest.approx(1 / c_out + 1 / k**2, rel=1e-15)
    assert cost.times_fewer == pytest.approx(1 / cost.ratio, rel=1e-15)
    assert cost.macs == 49 * cost.params and cost.standard.macs == 49 * cost.standard.params


def test_the_default_video_numbers():
    cost = separable_cost(4, 8, 3, 2)
    assert (cost.standard.params, cost.depthwise.params, cost.pointwise.params) == (288, 36, 32)
    assert (cost.standard.macs, cost.macs, cost.param_ratio) == (1152, 272, Fraction(17, 72))


def test_biases_are_counted_and_break_the_identity():
    cost = separable_cost(4, 8, 3, 3, bias=True)
    assert cost.params == 36 + 4 + 32 + 8 and cost.standard.params == 288 + 8
    assert cost.param_ratio != cost.formula_ratio


def test_cost_errors():
    with pytest.raises(ValueError, match="groups=3 must divide"):
        conv_cost(4, 4, 3, 2, groups=3)
    with pytest.raises(ValueError, match="kernel_size must be positive"):
        conv_cost(4, 4, 0, 2)


# ---------------------------------------------------------------- example data


def test_example_data_is_seeded_small_integers():
    a = example_data(np.random.default_rng(0), 4, 8, 4, 3)
    b = example_data(np.random.default_rng(0), 4, 8, 4, 3)
    for left, right in zip(a, b, strict=True):
        np.testing.assert_array_equal(left, right)
    x, weight, pointwise = a
    assert x.shape == (4, 4, 4) and weight.shape == (4, 4, 3, 3)
    assert pointwise.shape == (8, 4, 1, 1)
    assert set(np.unique(x)) <= {0, 1, 2, 3} and set(np.unique(weight)) <= {-1, 0, 1}
    with pytest.raises(ValueError, match=r"rng must be a numpy\.random\.Generator"):
        example_data(0, 4, 8, 4, 3)


# ---------------------------------------------------------------- live PyTorch


@pytest.mark.torch
@pytest.mark.parametrize("seed", range(3))
def test_live_torch_separable_and_counts(torch1, seed):
    maker = fixture_maker("make_groups_fixtures")
    rng = np.random.default_rng(seed)
    c_in, c_out, k = int(rng.integers(1, 5)), int(rng.integers(1, 9)), int(rng.integers(1, 4))
    x = rng.standard_normal((1, c_in, 6, 7))
    dw, pw = rng.standard_normal((c_in, 1, k, k)), rng.standard_normal((c_out, c_in, 1, 1))
    params = {"padding": int(rng.integers(0, 2)), "stride": int(rng.integers(1, 3))}
    t = trace_separable(x[0], dw, pw, **params)
    np.testing.assert_allclose(t.out, maker.torch_separable(x, dw, pw, params)[0], **TORCH_TOL)
    torch_dw = maker.torch_counts(c_in, c_in, k, c_in, False, 6)
    torch_pw = maker.torch_counts(c_in, c_out, 1, 1, False, 6 - k + 1)
    torch_standard = maker.torch_counts(c_in, c_out, k, 1, False, 6)
    cost = separable_cost(c_in, c_out, k, 6 - k + 1)
    assert cost.params == torch_dw[0] + torch_pw[0] and cost.macs == torch_dw[1] + torch_pw[1]
    assert (cost.standard.params, cost.standard.macs) == torch_standard


@pytest.mark.torch
@pytest.mark.parametrize("groups", [1, 2, 4])
def test_live_torch_grouped_traces(torch1, groups):
    rng = np.random.default_rng(groups)
    x, weight = rng.standard_normal((1, 4, 5, 6)), rng.standard_normal((8, 4 // groups, 3, 2))
    kwargs = {"stride": (2, 1), "padding": 1, "dilation": (1, 2), "groups": groups}
    tx, tw = torch1.from_numpy(x), torch1.from_numpy(weight)
    expected = torch1.nn.functional.conv2d(tx, tw, None, **kwargs).numpy()
    np.testing.assert_allclose(trace_conv2d(x, weight, **kwargs).out, expected, **TORCH_TOL)
    np.testing.assert_allclose(im2col_trace(x[0], weight, **kwargs).out, expected[0], **TORCH_TOL)
