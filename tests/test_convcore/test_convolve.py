"""convcore.convolve: true convolution and cross-correlation in scipy.signal's three modes.

Oracles: ``scipy.signal.convolve2d`` / ``correlate2d`` (the reference for these modes; live,
over many shapes drawn by hypothesis, exact for integer values), the definition
``Σ x[i − a, j − b]·k[a, b]`` as a brute-force loop, answers worked out by hand and the
article's typed-in output, and PyTorch's ``conv2d`` in float64 for the cross-correlation.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convcore import (
    ARTICLE_INPUT,
    ARTICLE_KERNEL,
    ARTICLE_OUTPUT,
    conv2d,
    convolve2d,
    correlate2d,
    rotate180,
    trace_convolve2d,
)
from convcore.convolve import MODES, mode_pads

X2 = np.array([[1.0, 2.0], [3.0, 4.0]])
K2 = np.array([[1.0, 0.0], [0.0, -1.0]])
#: Worked out by hand on the 3×3 'full' board: the convolution is x placed at (0, 0) minus x
#: placed at (1, 1); the cross-correlation x placed at (1, 1) minus x placed at (0, 0).
KNOWN = {
    ("convolve", "full"): [[1, 2, 0], [3, 3, -2], [0, -3, -4]],
    ("convolve", "same"): [[1, 2], [3, 3]],
    ("convolve", "valid"): [[3]],
    ("correlate", "full"): [[-1, -2, 0], [-3, -3, 2], [0, 3, 4]],
    ("correlate", "same"): [[-3, 2], [3, 4]],
    ("correlate", "valid"): [[-3]],
}
FUNCS = {"convolve": convolve2d, "correlate": correlate2d}


def brute_full(x: np.ndarray, k: np.ndarray, rotated: bool) -> np.ndarray:
    """The definitions, one term at a time, over every overlap: convolution
    ``Σ x[i − a, j − b]·k[a, b]``, cross-correlation ``Σ x[i + a − kH + 1, j + b − kW + 1]·k[a, b]``
    (zeros outside ``x``)."""
    (h, w), (kh, kw) = x.shape, k.shape
    out = np.zeros((h + kh - 1, w + kw - 1))
    for i, j, a, b in np.ndindex(*out.shape, kh, kw):
        r, c = (i - a, j - b) if rotated else (i + a - kh + 1, j + b - kw + 1)
        if 0 <= r < h and 0 <= c < w:
            out[i, j] += x[r, c] * k[a, b]
    return out


def crop(full: np.ndarray, mode: str, x_shape, k_shape, rotated: bool) -> np.ndarray:
    """scipy's documented crop of the full result: 'same' the middle, starting (k − 1) // 2
    in for a convolution and k // 2 for a correlation (its mirror); 'valid' the inside."""
    if mode == "full":
        return full
    size = x_shape if mode == "same" else [s - k + 1 for s, k in zip(x_shape, k_shape, strict=True)]
    if mode == "same":
        start = [(k - 1) // 2 if rotated else k // 2 for k in k_shape]
    else:
        start = [k - 1 for k in k_shape]
    return full[start[0] : start[0] + size[0], start[1] : start[1] + size[1]]


@pytest.mark.parametrize(("func", "mode"), list(KNOWN))
def test_hand_worked_answers(func, mode):
    np.testing.assert_array_equal(FUNCS[func](X2, K2, mode), KNOWN[func, mode])


def test_the_articles_output_is_a_correlation_and_a_convolution_with_the_rotated_kernel():
    np.testing.assert_array_equal(
        correlate2d(ARTICLE_INPUT, ARTICLE_KERNEL, "valid"), ARTICLE_OUTPUT
    )
    rotated = rotate180(ARTICLE_KERNEL)
    np.testing.assert_array_equal(convolve2d(ARTICLE_INPUT, rotated, "valid"), ARTICLE_OUTPUT)
    np.testing.assert_array_equal(rotated, [[9, 8, 7], [6, 5, 4], [3, 2, 1]])


def test_an_impulse_gives_back_the_kernel_or_its_rotation():
    delta = np.zeros((3, 3))
    delta[1, 1] = 1
    k = np.arange(1.0, 10.0).reshape(3, 3)
    np.testing.assert_array_equal(convolve2d(delta, k, "same"), k)
    np.testing.assert_array_equal(correlate2d(delta, k, "same"), rotate180(k))


def test_same_mode_centres_even_kernels_as_scipy():
    """'same' is the middle of 'full' starting (k − 1) // 2 in: for a 2-wide kernel the
    convolution keeps the first columns of 'full' and the correlation, like PyTorch's
    padding='same', pads on the right."""
    x, k = np.array([[1.0, 2.0, 3.0]]), np.ones((1, 2))
    np.testing.assert_array_equal(convolve2d(x, k, "full"), [[1, 3, 5, 3]])
    np.testing.assert_array_equal(convolve2d(x, k, "same"), [[1, 3, 5]])
    np.testing.assert_array_equal(correlate2d(x, k, "same"), [[3, 5, 3]])
    assert mode_pads("same", (2, 2)) == (0, 1, 0, 1)
    assert mode_pads("same", (2, 2), rotated=True) == (1, 0, 1, 0)
    assert mode_pads("same", (3, 4)) == (1, 1, 1, 2)
    assert mode_pads("full", (3, 2)) == mode_pads("full", (3, 2), rotated=True) == (2, 2, 1, 1)
    assert mode_pads("valid", (3, 3)) == (0, 0, 0, 0)


def test_valid_mode_swaps_a_larger_kernel_as_scipy_does():
    small, big = np.array([[1.0, -1.0]]), np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(convolve2d(small, big, "valid"), convolve2d(big, small, "valid"))
    np.testing.assert_array_equal(convolve2d(small, big, "valid"), [[1, 1], [1, 1]])
    np.testing.assert_array_equal(correlate2d(small, big, "valid"), [[-1, -1], [-1, -1]])
    np.testing.assert_array_equal(correlate2d(big, small, "valid"), [[-1, -1], [-1, -1]])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("seed", range(6))
def test_equals_the_definition_loop(mode, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=rng.integers(3, 7, size=2))
    k = rng.normal(size=rng.integers(1, 4, size=2))
    for func, rotated in ((convolve2d, True), (correlate2d, False)):
        expected = crop(brute_full(x, k, rotated), mode, x.shape, k.shape, rotated)
        np.testing.assert_allclose(func(x, k, mode), expected, rtol=1e-12, atol=1e-12)


def test_convolution_is_commutative_and_associative_correlation_is_not():
    """The closing caption's claims, checked."""
    rng = np.random.default_rng(3)
    x, a, b = rng.integers(-4, 5, (5, 4)), rng.integers(-3, 4, (2, 3)), rng.integers(-3, 4, (3, 2))
    np.testing.assert_array_equal(convolve2d(x, a), convolve2d(a, x))
    two_filters = convolve2d(convolve2d(x, a), b)
    np.testing.assert_array_equal(two_filters, convolve2d(x, convolve2d(a, b)))
    assert not np.array_equal(correlate2d(x, a), correlate2d(a, x))
    assert not np.array_equal(correlate2d(correlate2d(x, a), b), correlate2d(x, correlate2d(a, b)))


# -- scipy.signal, live -------------------------------------------------------------------


def _int_matrix(max_side: int):
    return st.tuples(st.integers(1, max_side), st.integers(1, max_side)).flatmap(
        lambda shape: st.lists(
            st.integers(-9, 9), min_size=shape[0] * shape[1], max_size=shape[0] * shape[1]
        ).map(lambda v: np.array(v, float).reshape(shape))
    )


@settings(max_examples=300, deadline=None)
@given(x=_int_matrix(7), k=_int_matrix(5), mode=st.sampled_from(MODES))
def test_equals_scipy_signal_on_any_shapes(x, k, mode):
    signal = pytest.importorskip("scipy.signal")
    for ours, theirs in ((convolve2d, signal.convolve2d), (correlate2d, signal.correlate2d)):
        try:
            expected = theirs(x, k, mode)
        except ValueError:  # 'valid' with neither array the larger in every dimension
            with pytest.raises(ValueError, match="at least as large as the other"):
                ours(x, k, mode)
            continue
        np.testing.assert_array_equal(ours(x, k, mode), expected)  # integers: exact


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), mode=st.sampled_from(MODES))
def test_equals_scipy_signal_on_real_values(seed, mode):
    signal = pytest.importorskip("scipy.signal")
    rng = np.random.default_rng(seed)
    x = rng.normal(size=rng.integers(4, 9, size=2)) * 10.0 ** rng.integers(-3, 4)
    k = rng.normal(size=rng.integers(1, 5, size=2))
    tol = 1e-12 * np.abs(x).max() * np.abs(k).sum()
    np.testing.assert_allclose(convolve2d(x, k, mode), signal.convolve2d(x, k, mode), atol=tol)
    np.testing.assert_allclose(correlate2d(x, k, mode), signal.correlate2d(x, k, mode), atol=tol)


# -- PyTorch: cross-correlation is what conv2d computes ----------------------------------

TORCH_PADDING = {
    "valid": lambda k: 0,
    "same": lambda k: "same",
    "full": lambda k: (k[0] - 1, k[1] - 1),
}


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kernel_shape", [(3, 3), (2, 3), (1, 4)])
def test_correlation_is_torch_conv2d_and_convolution_is_it_with_the_rotated_kernel(
    torch1, mode, kernel_shape
):
    rng = np.random.default_rng(7)
    x, k = rng.normal(size=(5, 6)), rng.normal(size=kernel_shape)
    pad = TORCH_PADDING[mode](kernel_shape)
    tx, tk = torch1.tensor(x)[None, None], torch1.tensor(k)[None, None]
    torch_corr = torch1.nn.functional.conv2d(tx, tk, padding=pad)[0, 0].numpy()
    np.testing.assert_allclose(correlate2d(x, k, mode), torch_corr, atol=1e-12)
    trace = trace_convolve2d(x, k, mode)
    np.testing.assert_allclose(trace.out_correlation, torch_corr, atol=1e-12)
    if mode != "same" or (kernel_shape[0] % 2 and kernel_shape[1] % 2):  # odd: same centre
        flipped = torch1.flip(tk, dims=(2, 3))
        torch_conv = torch1.nn.functional.conv2d(tx, flipped, padding=pad)[0, 0].numpy()
        np.testing.assert_allclose(convolve2d(x, k, mode), torch_conv, atol=1e-12)


# -- the trace ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("x_shape", "k_shape"), [((5, 5), (3, 3)), ((4, 5), (2, 3)), ((3, 4), (3, 4))]
)
def test_trace_records_both_sides(mode, x_shape, k_shape):
    rng = np.random.default_rng(11)
    x, k = rng.integers(-5, 6, x_shape).astype(float), rng.integers(-3, 4, k_shape).astype(float)
    t = trace_convolve2d(x, k, mode)
    np.testing.assert_array_equal(t.out, convolve2d(x, k, mode))
    np.testing.assert_array_equal(t.out_correlation, correlate2d(x, k, mode))
    np.testing.assert_array_equal(t.rotated, rotate180(k))
    np.testing.assert_array_equal(t.convolution.weight[0, 0], t.rotated)
    np.testing.assert_array_equal(t.correlation.weight[0, 0], k)
    for side, rotated in ((t.convolution, True), (t.correlation, False)):
        assert side.pads == mode_pads(mode, k_shape, rotated)
        np.testing.assert_array_equal(side.x[0, 0], x)
        assert side.out_shape == t.out.shape == side.out.shape[2:]
        assert side.pad_mask.sum() == side.x_padded[0, 0].size - x.size
        np.testing.assert_array_equal(side.x_padded[0, 0][~side.pad_mask], x.ravel())
        # each window, position by position: products and sums equal the brute-force ones
        for step in range(side.n_steps):
            i, j = side.out_index[step]
            rows, cols = side.tap_rows[step], side.tap_cols[step]
            window = side.x_padded[0, 0][np.ix_(rows, cols)]
            np.testing.assert_array_equal(side.windows[0, step, 0], window)
            np.testing.assert_array_equal(side.products[0, 0, step, 0], window * side.weight[0, 0])
            assert side.values[0, 0, step] == pytest.approx(side.out[0, 0, i, j], abs=1e-12)
    np.testing.assert_array_equal(t.differs, t.out != t.out_correlation)
    assert t.n_different == t.differs.sum()


def test_trace_of_the_article_example():
    t = trace_convolve2d(ARTICLE_INPUT, ARTICLE_KERNEL, "valid")
    np.testing.assert_array_equal(t.out_correlation, ARTICLE_OUTPUT)
    # the window 1..13 times the rotated kernel 9..1: 1·9 + 2·8 + 3·7 + 6·6 + 7·5 + 8·4 + …
    assert t.convolution.values[0, 0, 0] == 9 + 16 + 21 + 36 + 35 + 32 + 33 + 24 + 13 == 219
    assert not t.kernel_symmetric and not t.outputs_equal
    assert t.n_different == 9 and t.position == 0


def test_a_symmetric_kernel_gives_equal_outputs():
    k = np.array([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]])
    for mode in MODES:
        t = trace_convolve2d(ARTICLE_INPUT, k, mode)
        assert t.kernel_symmetric and t.outputs_equal and t.position == 0
        np.testing.assert_array_equal(t.out, t.out_correlation)


def test_symmetric_even_kernel_in_same_mode_still_differs_by_the_centring():
    t = trace_convolve2d(ARTICLE_INPUT, np.ones((2, 2)), "same")
    assert t.kernel_symmetric and not t.outputs_equal


def test_position_is_the_first_difference():
    x = np.zeros((4, 4))
    x[2, 3] = 1.0  # only windows that reach x[2, 3] see a difference
    t = trace_convolve2d(x, np.array([[1.0, 2.0], [3.0, 4.0]]), "valid")
    assert t.position == int(np.flatnonzero(t.differs)[0]) == 3 * 1 + 2  # out[1, 2]


def test_rounding_is_not_a_difference():
    """An asymmetric kernel on a constant input: the same sum in another order."""
    t = trace_convolve2d(np.full((4, 4), 0.1), np.array([[0.7, 0.2], [0.3, 1e-3]]), "valid")
    assert not t.kernel_symmetric and t.outputs_equal


# -- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("func", [convolve2d, correlate2d, trace_convolve2d])
@pytest.mark.parametrize(
    ("x", "k", "mode", "message"),
    [
        (
            np.ones((2, 3, 3)),
            np.ones((2, 2)),
            "full",
            r"x must be 2-D, got 3-D with shape \(2, 3, 3\)",
        ),
        (np.ones(4), np.ones((2, 2)), "full", r"x must be 2-D, got 1-D"),
        (np.ones((3, 3)), np.ones((1, 2, 2)), "full", r"kernel must be 2-D, got 3-D"),
        (np.ones((0, 3)), np.ones((2, 2)), "full", r"x is empty \(shape \(0, 3\)\)"),
        (np.ones((3, 3)), np.ones((2, 0)), "same", r"kernel is empty"),
        (
            np.ones((3, 3)),
            np.ones((2, 2)),
            "circular",
            r"mode must be 'full', 'same' or 'valid', got 'circular'",
        ),
        (
            np.ones((3, 3)),
            np.ones((2, 2)),
            None,
            r"mode must be 'full', 'same' or 'valid', got None",
        ),
        ([[1, np.nan]], np.ones((1, 1)), "full", r"x contains NaN or infinity"),
        ([["a"]], np.ones((1, 1)), "full", r"x must be numeric"),
        (
            np.ones((2, 5)),
            np.ones((3, 2)),
            "valid",
            r"(at least as large as the other|to fit inside)",
        ),
    ],
)
def test_bad_input_raises_value_error_naming_it(func, x, k, mode, message):
    with pytest.raises(ValueError, match=message):
        func(x, k, mode)


def test_the_trace_slides_the_kernel_and_does_not_swap():
    with pytest.raises(
        ValueError, match=r"needs the kernel \(3, 3\) to fit inside the input \(2, 2\)"
    ):
        trace_convolve2d(np.ones((2, 2)), np.ones((3, 3)), "valid")
    assert trace_convolve2d(np.ones((2, 2)), np.ones((3, 3)), "full").out.shape == (4, 4)


def test_overflowing_products_are_refused():
    with pytest.raises(ValueError, match="overflow"):
        trace_convolve2d(np.full((3, 3), 1e308), np.full((2, 2), 2.0), "valid")


def test_conv2d_agrees_on_the_valid_correlation():
    rng = np.random.default_rng(5)
    x, k = rng.normal(size=(6, 5)), rng.normal(size=(3, 2))
    np.testing.assert_allclose(
        correlate2d(x, k, "valid"), conv2d(x[None, None], k[None, None])[0, 0]
    )
