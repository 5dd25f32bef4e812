"""convcore.functional: conv2d, conv2d_direct, unfold, fold, output_size(_terms).

Oracles: the article's typed-in example, Dumoulin & Visin's "A guide to convolution
arithmetic" (arXiv:1603.07285), PyTorch float64 (committed fixtures always, live when
installed), brute-force counting. Tolerance against PyTorch: ``TORCH_TOL`` (1e-10 absolute
and relative, on values of order 1-10).
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import (
    TORCH_TOL,
    fixture_case,
    fixture_ids,
    random_conv_case,
    torch_fixtures,
    window_counts,
)

import convcore
from convcore import conv2d, conv2d_direct, fold, output_size, output_size_terms, unfold

CONV_FUNCS = pytest.mark.parametrize("conv", [conv2d, conv2d_direct], ids=["im2col", "direct"])

# ---------------------------------------------------------------- the article's example

#: The article's output, typed in again here so the test does not trust convcore's constant.
ARTICLE_OUTPUT_TYPED = np.array([[411, 456, 501], [636, 681, 726], [861, 906, 951]])


def test_article_constants():
    np.testing.assert_array_equal(convcore.ARTICLE_INPUT, np.arange(1, 26).reshape(5, 5))
    np.testing.assert_array_equal(convcore.ARTICLE_KERNEL, np.arange(1, 10).reshape(3, 3))
    np.testing.assert_array_equal(convcore.ARTICLE_OUTPUT, ARTICLE_OUTPUT_TYPED)


@CONV_FUNCS
def test_article_example(conv):
    x = convcore.ARTICLE_INPUT[None, None]
    weight = convcore.ARTICLE_KERNEL[None, None]
    out = conv(x, weight)
    assert out.shape == (1, 1, 3, 3)
    np.testing.assert_array_equal(out[0, 0], convcore.ARTICLE_OUTPUT)
    np.testing.assert_array_equal(out[0, 0], ARTICLE_OUTPUT_TYPED)


@CONV_FUNCS
def test_article_example_from_nested_lists(conv):
    x = [[[[5 * r + c + 1 for c in range(5)] for r in range(5)]]]
    weight = [[[[3 * r + c + 1 for c in range(3)] for r in range(3)]]]
    np.testing.assert_array_equal(conv(x, weight)[0, 0], ARTICLE_OUTPUT_TYPED)


def test_article_example_is_not_flipped():
    """Cross-correlation as in PyTorch: a flipped kernel (true convolution) differs."""
    flipped = conv2d(
        convcore.ARTICLE_INPUT[None, None], convcore.ARTICLE_KERNEL[None, None, ::-1, ::-1]
    )
    first = 1 * 9 + 2 * 8 + 3 * 7 + 6 * 6 + 7 * 5 + 8 * 4 + 11 * 3 + 12 * 2 + 13 * 1
    assert flipped[0, 0, 0, 0] == first == 219
    assert not np.array_equal(flipped[0, 0], ARTICLE_OUTPUT_TYPED)


# ---------------------------------------------------------------- committed PyTorch fixtures


def test_fixtures_cover_the_required_grid():
    _, params = torch_fixtures()
    conv = {k: v for k, v in params.items() if k.startswith("conv2d/")}
    assert len(conv) >= 20
    assert any(p.get("stride") == 2 and p.get("padding") == 1 for p in conv.values())
    assert any(p.get("stride") == [2, 3] for p in conv.values())
    assert any(p.get("padding") == [0, 2] for p in conv.values())
    assert any(p.get("dilation") == 2 for p in conv.values())
    assert any(p.get("dilation") == [1, 2] for p in conv.values())
    assert {2, 3} <= {p.get("groups") for p in conv.values()}
    assert any(p.get("padding") == "same" and p.get("dilation") for p in conv.values())
    assert any(p.get("padding") == "valid" for p in conv.values())
    arrays, _ = torch_fixtures()
    assert any(k.endswith("/bias") for k in arrays)
    assert any(arrays[k].ndim == 3 for k in arrays if k.startswith("conv2d/") and k.endswith("/x"))
    kernels = {arrays[k].shape[2:] for k in arrays if k.endswith("/weight")}
    assert {(2, 3), (1, 3), (2, 4)} <= kernels
    assert any(arrays[k].shape[0] > 1 for k in arrays if k.endswith("/x") and arrays[k].ndim == 4)


@pytest.mark.parametrize("case", fixture_ids("conv2d"))
@CONV_FUNCS
def test_conv2d_matches_torch_fixture(conv, case):
    fields, kwargs = fixture_case("conv2d", case)
    out = conv(fields["x"], fields["weight"], fields.get("bias"), **kwargs)
    assert out.shape == fields["out"].shape
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, fields["out"], **TORCH_TOL)


@pytest.mark.parametrize("case", fixture_ids("unfold"))
def test_unfold_matches_torch_fixture(case):
    fields, kwargs = fixture_case("unfold", case)
    cols = unfold(fields["x"], **kwargs)
    assert cols.shape == fields["out"].shape
    np.testing.assert_allclose(cols, fields["out"], **TORCH_TOL)


@pytest.mark.parametrize("case", fixture_ids("fold"))
def test_fold_matches_torch_fixture(case):
    fields, kwargs = fixture_case("fold", case)
    image = fold(fields["x"], **kwargs)
    assert image.shape == fields["out"].shape
    np.testing.assert_allclose(image, fields["out"], **TORCH_TOL)


# ---------------------------------------------------------------- live PyTorch comparison

LIVE_SEEDS = range(40)


def _torch_conv(torch, case):
    args = [torch.from_numpy(case["input"]), torch.from_numpy(case["weight"])]
    args.append(None if case["bias"] is None else torch.from_numpy(case["bias"]))
    kwargs = {k: case[k] for k in ("stride", "padding", "dilation", "groups")}
    return torch.nn.functional.conv2d(*args, **kwargs).numpy()


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("seed", LIVE_SEEDS)
def test_conv2d_matches_live_torch(torch, seed):
    case = random_conv_case(np.random.default_rng(seed))
    expected = _torch_conv(torch, case)
    out = conv2d(**case)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, **TORCH_TOL)
    np.testing.assert_allclose(conv2d_direct(**case), expected, **TORCH_TOL)


@pytest.mark.torch
@pytest.mark.parametrize("seed", LIVE_SEEDS)
def test_unfold_fold_match_live_torch(torch, seed):
    case = random_conv_case(np.random.default_rng(seed))
    if isinstance(case["padding"], str):  # torch's unfold/fold take numbers only
        case["padding"] = (0, 0)
    kwargs = {"kernel_size": case["weight"].shape[2:]}
    kwargs |= {k: case[k] for k in ("stride", "padding", "dilation")}
    x = case["input"]
    expected = torch.nn.functional.unfold(torch.from_numpy(x), **kwargs).numpy()
    cols = unfold(x, **kwargs)
    np.testing.assert_allclose(cols, expected, **TORCH_TOL)
    y = np.random.default_rng(1000 + seed).standard_normal(cols.shape)
    size = x.shape[2:]
    expected = torch.nn.functional.fold(torch.from_numpy(y), size, **kwargs).numpy()
    np.testing.assert_allclose(fold(y, size, **kwargs), expected, **TORCH_TOL)


# ---------------------------------------------------------------- direct == vectorised

DIRECT_GRID = [
    pytest.param((1, 1, 5, 5), (1, 1, 3, 3), {}, id="plain"),
    pytest.param((2, 2, 7, 7), (3, 2, 3, 3), {"stride": 2, "padding": 1}, id="s2p1"),
    pytest.param((1, 2, 6, 6), (2, 2, 3, 3), {"stride": 2, "padding": 1}, id="s2p1-even"),
    pytest.param((1, 1, 9, 8), (2, 1, 3, 3), {"stride": 3, "padding": 2}, id="s3p2"),
    pytest.param((1, 2, 9, 9), (2, 2, 3, 3), {"dilation": 2}, id="d2"),
    pytest.param(
        (1, 1, 9, 9), (1, 1, 3, 3), {"dilation": 2, "stride": 2, "padding": 1}, id="d2s2p1"
    ),
    pytest.param((1, 4, 6, 6), (4, 2, 3, 3), {"groups": 2}, id="g2"),
    pytest.param((2, 6, 5, 7), (3, 2, 2, 3), {"groups": 3, "padding": (1, 0)}, id="g3"),
    pytest.param((1, 3, 6, 6), (6, 1, 3, 3), {"groups": 3, "stride": 2}, id="depthwise"),
    pytest.param((1, 2, 5, 7), (2, 2, 2, 3), {"stride": (1, 2)}, id="k2x3"),
    pytest.param((1, 1, 4, 6), (2, 1, 1, 3), {"padding": (0, 1)}, id="k1x3"),
    pytest.param((1, 2, 6, 5), (2, 2, 4, 2), {"padding": "same"}, id="same-even"),
    pytest.param((1, 2, 7, 7), (2, 2, 3, 3), {"padding": "same", "dilation": 2}, id="same-d2"),
    pytest.param((2, 3, 5, 4), (2, 3, 7, 6), {"padding": 1}, id="kernel-fills-padded"),
    pytest.param(
        (2, 4, 9, 8),
        (4, 2, 3, 2),
        {"stride": (2, 1), "padding": (1, 2), "dilation": (2, 1), "groups": 2},
        id="everything",
    ),
]


@pytest.mark.parametrize("bias", [False, True], ids=["nobias", "bias"])
@pytest.mark.parametrize(("x_shape", "w_shape", "kwargs"), DIRECT_GRID)
def test_direct_equals_vectorised(x_shape, w_shape, kwargs, bias):
    rng = np.random.default_rng(7)
    x, weight = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0]) if bias else None
    fast, slow = conv2d(x, weight, b, **kwargs), conv2d_direct(x, weight, b, **kwargs)
    assert fast.shape == slow.shape
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", range(30))
def test_direct_equals_vectorised_random(seed):
    case = random_conv_case(np.random.default_rng(100 + seed))
    np.testing.assert_allclose(conv2d(**case), conv2d_direct(**case), rtol=1e-12, atol=1e-12)


@CONV_FUNCS
def test_bias_is_added_per_output_channel(conv):
    rng = np.random.default_rng(3)
    x, weight = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))
    bias = np.array([1.5, -2.0, 10.0])
    diff = conv(x, weight, bias) - conv(x, weight)
    expected = np.broadcast_to(bias[None, :, None, None], diff.shape)
    np.testing.assert_allclose(diff, expected, rtol=1e-12, atol=1e-12)


@CONV_FUNCS
def test_unbatched_input_gives_unbatched_output(conv):
    rng = np.random.default_rng(4)
    x, weight = rng.standard_normal((2, 6, 5)), rng.standard_normal((3, 2, 3, 3))
    out = conv(x, weight, stride=2, padding=1)
    assert out.shape == (3, 3, 3)
    np.testing.assert_array_equal(out, conv(x[None], weight, stride=2, padding=1)[0])


@CONV_FUNCS
def test_groups_are_independent_convolutions(conv):
    rng = np.random.default_rng(5)
    x, weight = rng.standard_normal((1, 4, 6, 6)), rng.standard_normal((6, 2, 3, 3))
    out = conv(x, weight, groups=2)
    np.testing.assert_allclose(out[:, :3], conv(x[:, :2], weight[:3]), rtol=1e-12)
    np.testing.assert_allclose(out[:, 3:], conv(x[:, 2:], weight[3:]), rtol=1e-12)


@CONV_FUNCS
def test_padding_same_keeps_size_with_extra_pad_bottom_right(conv):
    """Kernel 2 with 'same': total padding 1, on the bottom/right (PyTorch's choice)."""
    x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    weight = np.ones((1, 1, 2, 2))
    out = conv(x, weight, padding="same")
    expected = [
        [1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 3 + 6],
        [4 + 5 + 7 + 8, 5 + 6 + 8 + 9, 6 + 9],
        [7 + 8, 8 + 9, 9],
    ]
    np.testing.assert_array_equal(out[0, 0], expected)


# ---------------------------------------------------------------- dtypes


@CONV_FUNCS
def test_float32_in_float32_out(conv):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((1, 2, 5, 5)).astype(np.float32)
    weight = rng.standard_normal((2, 2, 3, 3)).astype(np.float32)
    bias = np.ones(2, np.float32)
    out = conv(x, weight, bias, padding=1)
    assert out.dtype == np.float32
    expected = conv(
        x.astype(np.float64), weight.astype(np.float64), bias.astype(np.float64), padding=1
    )
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


@CONV_FUNCS
def test_int_input_gives_float64(conv):
    x = np.arange(1, 26, dtype=np.int32).reshape(1, 1, 5, 5)
    out = conv(x, np.arange(1, 10).reshape(1, 1, 3, 3))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out[0, 0], ARTICLE_OUTPUT_TYPED)


def test_unfold_fold_dtypes():
    x32 = np.ones((1, 1, 4, 4), np.float32)
    assert unfold(x32, 2).dtype == np.float32
    assert fold(unfold(x32, 2), 4, 2).dtype == np.float32
    assert unfold(np.ones((1, 1, 4, 4), np.int64), 2).dtype == np.float64
    assert fold(np.ones((4, 9), np.int64), 4, 2).dtype == np.float64


# ---------------------------------------------------------------- unfold / fold


def test_unfold_article_columns():
    cols = unfold(convcore.ARTICLE_INPUT[None, None], 3)
    assert cols.shape == (1, 9, 9)
    np.testing.assert_array_equal(cols[0, :, 0], [1, 2, 3, 6, 7, 8, 11, 12, 13])
    np.testing.assert_array_equal(cols[0, :, 5], [8, 9, 10, 13, 14, 15, 18, 19, 20])
    np.testing.assert_array_equal(cols[0, :, 8], [13, 14, 15, 18, 19, 20, 23, 24, 25])
    # im2col: the flattened kernel times the patch matrix is the article's output.
    np.testing.assert_array_equal(
        (convcore.ARTICLE_KERNEL.reshape(1, 9) @ cols[0]).reshape(3, 3), ARTICLE_OUTPUT_TYPED
    )


def test_unfold_rows_are_channel_then_kernel_row_then_column():
    x = np.stack([np.zeros((3, 3)), 100 + np.arange(9.0).reshape(3, 3)])  # (C=2, 3, 3)
    cols = unfold(x, (2, 2))  # unbatched: (C·kH·kW, L)
    assert cols.shape == (8, 4)
    np.testing.assert_array_equal(cols[:4], 0)
    np.testing.assert_array_equal(cols[4:, 0], [100, 101, 103, 104])
    np.testing.assert_array_equal(cols[4:, 3], [104, 105, 107, 108])


FOLD_GRID = [
    pytest.param((5, 5), {"kernel_size": 3}, id="k3"),
    pytest.param((7, 6), {"kernel_size": 3, "stride": 2, "padding": 1}, id="k3s2p1"),
    pytest.param((6, 6), {"kernel_size": 2, "stride": 3}, id="k2s3-gaps"),
    pytest.param((7, 7), {"kernel_size": 3, "dilation": 2}, id="k3d2"),
    pytest.param(
        (6, 7),
        {"kernel_size": (2, 3), "dilation": (1, 2), "padding": (0, 1), "stride": (2, 1)},
        id="mixed",
    ),
    pytest.param((4, 5), {"kernel_size": (6, 7), "padding": 1}, id="kernel-fills-padded"),
]


def _pairs(kwargs):
    out = {"stride": 1, "padding": 0, "dilation": 1, **kwargs}
    return {k: v if isinstance(v, tuple) else (v, v) for k, v in out.items()}


@pytest.mark.parametrize(("size", "kwargs"), FOLD_GRID)
def test_fold_unfold_multiplies_by_window_count(size, kwargs):
    p = _pairs(kwargs)
    counts = window_counts(size, p["kernel_size"], p["stride"], p["padding"], p["dilation"])
    assert counts.max() >= 1
    x = np.random.default_rng(8).standard_normal((2, 3, *size))
    np.testing.assert_allclose(fold(unfold(x, **kwargs), size, **kwargs), x * counts, rtol=1e-12)
    ones = np.ones((1, 1, *size))
    np.testing.assert_array_equal(fold(unfold(ones, **kwargs), size, **kwargs)[0, 0], counts)


def test_window_counts_known_answer():
    """The brute-force counter itself: 3×3 windows over 4×4 cover the centre four times."""
    expected = [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]]
    np.testing.assert_array_equal(window_counts((4, 4), (3, 3), (1, 1), (0, 0), (1, 1)), expected)


@pytest.mark.parametrize(("size", "kwargs"), FOLD_GRID)
def test_fold_is_the_adjoint_of_unfold(size, kwargs):
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 3, *size))
    cols = unfold(x, **kwargs)
    y = rng.standard_normal(cols.shape)
    lhs, rhs = np.vdot(cols, y), np.vdot(x, fold(y, size, **kwargs))
    assert lhs == pytest.approx(rhs, rel=1e-12, abs=1e-12)


def test_fold_unbatched():
    y = np.arange(36.0).reshape(4, 9)  # C=1, k=2, 3×3 windows over 4×4
    np.testing.assert_array_equal(fold(y, (4, 4), 2), fold(y[None], (4, 4), 2)[0])
    assert fold(y, (4, 4), 2).shape == (1, 4, 4)


# ---------------------------------------------------------------- output size

# (size, kernel, stride, padding, dilation, out): Dumoulin & Visin, "A guide to convolution
# arithmetic for deep learning", figures and relationships as cited.
GUIDE_ANSWERS = [
    pytest.param(4, 3, 1, 0, 1, 2, id="fig2.1-no-pad-unit-stride"),
    pytest.param(5, 3, 1, 0, 1, 3, id="5x5-k3"),
    pytest.param(5, 4, 1, 2, 1, 6, id="fig2.2-arbitrary-pad"),
    pytest.param(5, 3, 1, 1, 1, 5, id="fig2.3-half-pad"),
    pytest.param(5, 3, 1, 2, 1, 7, id="fig2.4-full-pad"),
    pytest.param(5, 3, 2, 0, 1, 2, id="fig2.5-no-pad-stride2"),
    pytest.param(5, 3, 2, 1, 1, 3, id="fig2.6-pad1-stride2"),
    pytest.param(6, 3, 2, 1, 1, 3, id="fig2.7-pad1-stride2-odd"),
    pytest.param(7, 3, 1, 0, 2, 3, id="fig5.1-dilation2"),
    pytest.param(7, 3, 2, 1, 1, 4, id="manimml-7-k3-s2-p1"),
    pytest.param(224, 3, 1, 1, 1, 224, id="vgg-same"),
    pytest.param(224, 7, 2, 3, 1, 112, id="resnet-stem"),
]


@pytest.mark.parametrize(("size", "kernel", "stride", "padding", "dilation", "out"), GUIDE_ANSWERS)
def test_output_size_known_answers(size, kernel, stride, padding, dilation, out):
    assert output_size(size, kernel, stride, padding, dilation) == out


@pytest.mark.parametrize("size", [1, 2, 5, 6, 7, 10])
@pytest.mark.parametrize("kernel", [1, 2, 3, 4])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", [0, 1, 2])
@pytest.mark.parametrize("dilation", [1, 2])
def test_output_size_counts_window_positions(size, kernel, stride, padding, dilation):
    reach = dilation * (kernel - 1) + 1
    padded = size + 2 * padding
    if reach > padded:
        with pytest.raises(ValueError, match=f"kernel extent {reach}"):
            output_size(size, kernel, stride, padding, dilation)
        return
    positions = range(0, padded - reach + 1, stride)  # every top-left corner that fits
    assert output_size(size, kernel, stride, padding, dilation) == len(positions)


def test_output_size_terms_fields():
    t = output_size_terms(7, 3, stride=2, padding=1, dilation=2)
    assert (t.size, t.kernel, t.stride, t.pad_total, t.dilation) == (7, 3, 2, 2, 2)
    assert t.reach == 5  # 2·(3 − 1) + 1
    assert t.numerator == 4  # 7 + 2 − 5
    assert t.out == 3  # 4 // 2 + 1


def test_output_size_terms_asymmetric_padding():
    t = output_size_terms(6, 4, padding=(1, 2))
    assert (t.pad_total, t.reach, t.numerator, t.out) == (3, 4, 5, 6)


def test_output_size_terms_is_frozen():
    t = output_size_terms(5, 3)
    with pytest.raises(AttributeError):
        t.out = 4


@pytest.mark.parametrize(("size", "kwargs"), FOLD_GRID)
def test_conv_output_shape_uses_output_size(size, kwargs):
    p = _pairs(kwargs)
    weight = np.ones((1, 1, *p["kernel_size"]))
    out = conv2d(
        np.ones((1, 1, *size)), weight, **{k: v for k, v in kwargs.items() if k != "kernel_size"}
    )
    expected = tuple(
        output_size(size[d], p["kernel_size"][d], p["stride"][d], p["padding"][d], p["dilation"][d])
        for d in range(2)
    )
    assert out.shape[2:] == expected


# ---------------------------------------------------------------- per-filter bias


def test_per_filter_bias_broadcasts_one_number():
    from convcore.functional import per_filter_bias

    assert per_filter_bias(None, 3) is None
    np.testing.assert_array_equal(per_filter_bias(0.5, 3), [0.5, 0.5, 0.5])
    np.testing.assert_array_equal(per_filter_bias(np.float64(-2), 1), [-2.0])
    np.testing.assert_array_equal(per_filter_bias((1, -1), 2), [1.0, -1.0])
    x, w = np.ones((1, 2, 3, 3)), np.ones((3, 2, 2, 2))
    np.testing.assert_array_equal(conv2d(x, w, per_filter_bias(0.5, 3)), conv2d(x, w) + 0.5)
    with pytest.raises(ValueError, match="bias contains NaN"):
        per_filter_bias(float("nan"), 2)
    with pytest.raises(ValueError, match=r"bias must have shape \(2,\)"):
        conv2d(x, np.ones((2, 2, 2, 2)), per_filter_bias([1, 2, 3], 2))
