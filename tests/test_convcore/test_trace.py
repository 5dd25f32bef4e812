"""convcore.trace: trace_conv2d records every window, product and sum a video shows."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from helpers import random_conv_case

import convcore
from convcore import conv2d, trace_conv2d

# The article's part 10, typed in: for each position (row-major) the top-left origin, the
# window under the kernel (row-major) and the nine products, whose sums are the output.
ARTICLE_STEPS = [
    ((0, 0), [1, 2, 3, 6, 7, 8, 11, 12, 13], [1, 4, 9, 24, 35, 48, 77, 96, 117], 411),
    ((0, 1), [2, 3, 4, 7, 8, 9, 12, 13, 14], [2, 6, 12, 28, 40, 54, 84, 104, 126], 456),
    ((0, 2), [3, 4, 5, 8, 9, 10, 13, 14, 15], [3, 8, 15, 32, 45, 60, 91, 112, 135], 501),
    ((1, 0), [6, 7, 8, 11, 12, 13, 16, 17, 18], [6, 14, 24, 44, 60, 78, 112, 136, 162], 636),
    ((1, 1), [7, 8, 9, 12, 13, 14, 17, 18, 19], [7, 16, 27, 48, 65, 84, 119, 144, 171], 681),
    ((1, 2), [8, 9, 10, 13, 14, 15, 18, 19, 20], [8, 18, 30, 52, 70, 90, 126, 152, 180], 726),
    ((2, 0), [11, 12, 13, 16, 17, 18, 21, 22, 23], [11, 24, 39, 64, 85, 108, 147, 176, 207], 861),
    ((2, 1), [12, 13, 14, 17, 18, 19, 22, 23, 24], [12, 26, 42, 68, 90, 114, 154, 184, 216], 906),
    ((2, 2), [13, 14, 15, 18, 19, 20, 23, 24, 25], [13, 28, 45, 72, 95, 120, 161, 192, 225], 951),
]


@pytest.fixture(scope="module")
def article():
    return trace_conv2d(convcore.ARTICLE_INPUT[None, None], convcore.ARTICLE_KERNEL[None, None])


def test_article_shapes(article):
    assert article.n_steps == 9
    assert article.out_shape == (3, 3)
    assert article.kernel_size == (3, 3)
    assert article.windows.shape == (1, 9, 1, 3, 3)
    assert article.products.shape == (1, 1, 9, 1, 3, 3)
    assert article.channel_sums.shape == (1, 1, 9, 1)
    assert article.sums.shape == article.values.shape == (1, 1, 9)
    assert article.out.shape == (1, 1, 3, 3)
    assert not article.has_bias
    np.testing.assert_array_equal(article.bias, [0.0])


@pytest.mark.parametrize("step", range(9))
def test_article_every_position(article, step):
    origin, window, products, total = ARTICLE_STEPS[step]
    assert article.positions[step] == step
    np.testing.assert_array_equal(article.out_index[step], origin)  # stride 1: index = origin
    np.testing.assert_array_equal(article.origins[step], origin)
    np.testing.assert_array_equal(article.windows[0, step, 0].ravel(), window)
    np.testing.assert_array_equal(article.products[0, 0, step, 0].ravel(), products)
    assert sum(products) == total
    assert article.sums[0, 0, step] == total
    assert article.values[0, 0, step] == total
    np.testing.assert_array_equal(article.tap_rows[step], origin[0] + np.arange(3))
    np.testing.assert_array_equal(article.tap_cols[step], origin[1] + np.arange(3))


def test_article_values_equal_out_and_conv2d(article):
    np.testing.assert_array_equal(article.values.reshape(1, 1, 3, 3), article.out)
    np.testing.assert_array_equal(article.out[0, 0], convcore.ARTICLE_OUTPUT)
    np.testing.assert_array_equal(
        article.out, conv2d(convcore.ARTICLE_INPUT[None, None], convcore.ARTICLE_KERNEL[None, None])
    )


def test_article_size_terms(article):
    for terms in (article.size_h, article.size_w):
        assert (terms.size, terms.kernel, terms.reach, terms.numerator, terms.out) == (
            5,
            3,
            3,
            2,
            3,
        )


def test_trace_is_frozen(article):
    with pytest.raises(dataclasses.FrozenInstanceError):
        article.values = None


def test_unbatched_input_gets_a_batch_axis():
    trace = trace_conv2d(convcore.ARTICLE_INPUT[None], convcore.ARTICLE_KERNEL[None, None])
    assert trace.x.shape == (1, 1, 5, 5)
    assert trace.out.shape == (1, 1, 3, 3)
    np.testing.assert_array_equal(trace.out[0, 0], convcore.ARTICLE_OUTPUT)


def test_pad_mask_and_padded_input():
    x = np.arange(1.0, 7.0).reshape(1, 1, 2, 3)
    trace = trace_conv2d(x, np.ones((1, 1, 3, 3)), padding=(1, 2))
    assert trace.pads == (1, 1, 2, 2)
    assert trace.x_padded.shape == (1, 1, 4, 7)
    expected_mask = np.ones((4, 7), bool)
    expected_mask[1:3, 2:5] = False
    np.testing.assert_array_equal(trace.pad_mask, expected_mask)
    np.testing.assert_array_equal(trace.x_padded[0, 0][~trace.pad_mask], x.ravel())
    np.testing.assert_array_equal(trace.x_padded[0, 0][trace.pad_mask], 0)
    # Origin (0, 0) covers padded rows 0..2 and columns 0..2: x[0, 0] = 1 and x[1, 0] = 4
    # sit in its last column, everything else is padding.
    np.testing.assert_array_equal(trace.windows[0, 0, 0], [[0, 0, 0], [0, 0, 1], [0, 0, 4]])
    assert trace.values[0, 0, 0] == 5


def test_pad_mask_same_even_kernel_pads_bottom_right():
    trace = trace_conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 4)), padding="same")
    assert trace.pads == (0, 1, 1, 2)
    assert trace.pad_mask.shape == (4, 6)
    np.testing.assert_array_equal(trace.pad_mask.sum(axis=1), [3, 3, 3, 6])
    assert trace.out_shape == (3, 3)


def test_taps_with_dilation_and_stride_leave_gaps():
    x = np.arange(81.0).reshape(1, 1, 9, 9)
    trace = trace_conv2d(x, np.ones((1, 1, 3, 3)), stride=2, dilation=2, padding=1)
    assert trace.out_shape == (4, 4)  # (9 + 2 − 5) // 2 + 1
    np.testing.assert_array_equal(trace.origins[:5], [[0, 0], [0, 2], [0, 4], [0, 6], [2, 0]])
    np.testing.assert_array_equal(trace.out_index[5], [1, 1])
    np.testing.assert_array_equal(trace.tap_rows[5], [2, 4, 6])
    np.testing.assert_array_equal(trace.tap_cols[5], [2, 4, 6])
    np.testing.assert_array_equal(trace.tap_cols[3], [6, 8, 10])  # last column is padding
    # Windows read the padded input at exactly those taps.
    for step in range(trace.n_steps):
        rows, cols = trace.tap_rows[step], trace.tap_cols[step]
        np.testing.assert_array_equal(
            trace.windows[0, step, 0], trace.x_padded[0, 0][np.ix_(rows, cols)]
        )
    # position (1, 1): padded rows/cols 2, 4, 6 are input rows/cols 1, 3, 5
    np.testing.assert_array_equal(trace.windows[0, 5, 0], x[0, 0][np.ix_([1, 3, 5], [1, 3, 5])])


def test_taps_non_square_stride_and_dilation():
    trace = trace_conv2d(
        np.ones((1, 1, 7, 9)), np.ones((1, 1, 2, 3)), stride=(2, 3), dilation=(1, 2)
    )
    assert trace.out_shape == (3, 2)
    np.testing.assert_array_equal(trace.tap_rows[:, 0], [0, 0, 2, 2, 4, 4])
    np.testing.assert_array_equal(trace.tap_rows[0], [0, 1])
    np.testing.assert_array_equal(trace.tap_cols[1], [3, 5, 7])


@pytest.fixture(scope="module")
def grouped():
    rng = np.random.default_rng(11)
    x = rng.standard_normal((2, 4, 6, 5))
    weight = rng.standard_normal((6, 2, 3, 2))
    bias = np.array([0.5, -1.0, 2.0, 3.0, -4.0, 0.25])
    kwargs = {"stride": (2, 1), "padding": 1, "dilation": (1, 2), "groups": 2}
    return trace_conv2d(x, weight, bias, **kwargs), (x, weight, bias, kwargs)


def test_grouped_trace_arithmetic(grouped):
    trace, (x, weight, bias, kwargs) = grouped
    c_out, c_in_g = 6, 2
    length = trace.n_steps
    assert trace.products.shape == (2, c_out, length, c_in_g, 3, 2)
    assert trace.has_bias
    np.testing.assert_array_equal(trace.bias, bias)
    np.testing.assert_allclose(trace.products.sum(axis=(-3, -2, -1)), trace.sums, rtol=1e-12)
    np.testing.assert_allclose(trace.channel_sums.sum(axis=-1), trace.sums, rtol=1e-12)
    np.testing.assert_allclose(trace.sums + bias[None, :, None], trace.values, rtol=1e-12)
    np.testing.assert_allclose(trace.values.reshape(trace.out.shape), trace.out, rtol=1e-12)
    np.testing.assert_allclose(trace.out, conv2d(x, weight, bias, **kwargs), rtol=1e-12)


def test_grouped_trace_channels(grouped):
    trace, (_, weight, _, _) = grouped
    np.testing.assert_array_equal(trace.group_channels, [[0, 1]] * 3 + [[2, 3]] * 3)
    # channel_sums[n, o, l, c] = sum(window of input channel group_channels[o, c] × weight[o, c])
    for o in range(6):
        for c in range(2):
            window = trace.windows[:, :, trace.group_channels[o, c]]  # (N, L, kH, kW)
            expected = (window * weight[o, c]).sum(axis=(-2, -1))
            np.testing.assert_allclose(trace.channel_sums[:, o, :, c], expected, rtol=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_random_trace_matches_conv2d(seed):
    case = random_conv_case(np.random.default_rng(200 + seed))
    trace = trace_conv2d(**case)
    expected = conv2d(**case)
    expected = expected if expected.ndim == 4 else expected[None]
    np.testing.assert_allclose(trace.out, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        trace.values.reshape(expected.shape), expected, rtol=1e-12, atol=1e-12
    )


POSITION_SELECTIONS = [
    pytest.param(slice(3, 11), id="slice"),
    pytest.param(slice(None, None, 4), id="slice-step"),
    pytest.param(slice(-5, None), id="slice-negative"),
    pytest.param(np.array([0, 7, 14, 2]), id="array"),
    pytest.param([5, 5, 1], id="list-repeats"),
    pytest.param(slice(0, 0), id="empty"),
]


@pytest.mark.parametrize("positions", POSITION_SELECTIONS)
def test_positions_selects_rows_of_the_full_trace(grouped, positions):
    full, (x, weight, bias, kwargs) = grouped
    part = trace_conv2d(x, weight, bias, **kwargs, positions=positions)
    idx = np.arange(full.n_steps)[positions]
    np.testing.assert_array_equal(part.positions, idx)
    for name in ("out_index", "origins", "tap_rows", "tap_cols"):
        np.testing.assert_array_equal(getattr(part, name), getattr(full, name)[idx])
    np.testing.assert_array_equal(part.windows, full.windows[:, idx])
    for name in ("products", "channel_sums", "sums", "values"):
        np.testing.assert_array_equal(getattr(part, name), getattr(full, name)[:, :, idx])
    np.testing.assert_array_equal(part.out, full.out)  # the full map is always there


@pytest.mark.parametrize(
    ("positions", "match"),
    [
        (np.array([0, 20]), r"\[0, 10\), got 0\.\.20"),  # 2 × 5 output map: 10 positions
        ([-1], r"got -1\.\.-1"),
        (np.array([[0, 1]]), "1-D array of integer"),
        (np.array([0.0, 1.0]), "1-D array of integer"),
        (3, "1-D array of integer"),
        ("abc", "1-D array of integer"),
    ],
)
def test_bad_positions_raise(positions, match):
    x, weight = np.ones((1, 1, 4, 7)), np.ones((1, 1, 3, 3))
    assert conv2d(x, weight, padding=(0, 0), stride=(1, 1)).shape[2:] == (2, 5)
    with pytest.raises(ValueError, match=match):
        trace_conv2d(x, weight, positions=positions)


def test_large_input_traces_only_the_positions_asked_for():
    """1×3×224×224 float32, 64 filters 3×3, padding 1: trace a slice of the 50176 positions."""
    rng = np.random.default_rng(12)
    x = rng.standard_normal((1, 3, 224, 224), dtype=np.float32)
    weight = rng.standard_normal((64, 3, 3, 3), dtype=np.float32)
    small = trace_conv2d(x, weight, padding=1, positions=slice(0, 500))
    large = trace_conv2d(x, weight, padding=1, positions=slice(0, 2000))
    assert large.out.shape == (1, 64, 224, 224)
    assert large.products.dtype == np.float32
    assert large.products.shape == (1, 64, 2000, 3, 3, 3)
    assert large.products.nbytes == 64 * 2000 * 27 * 4
    assert large.products.nbytes == 4 * small.products.nbytes
    assert large.windows.nbytes == 4 * small.windows.nbytes
    np.testing.assert_allclose(
        large.values, large.out.reshape(1, 64, -1)[:, :, :2000], rtol=1e-4, atol=1e-4
    )
    np.testing.assert_array_equal(large.out_index[-1], [8, 207])  # 1999 = 8·224 + 207


@pytest.mark.parametrize(
    ("x", "w"),
    [
        (np.full((1, 1, 2, 2), 1e308), np.full((1, 1, 2, 2), 2.0)),  # a product overflows
        (np.full((1, 1, 2, 2), 1.5e308), np.ones((1, 1, 2, 2))),  # only the sum overflows
    ],
)
def test_overflowing_values_are_refused_not_traced_as_inf(x, w):
    with pytest.raises(ValueError, match=r"overflow: .* \(largest \|input\| 1(\.5)?e\+308"):
        trace_conv2d(x, w)
    assert np.isfinite(trace_conv2d(x / 1e10, w).values).all()
