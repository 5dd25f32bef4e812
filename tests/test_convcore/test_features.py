"""Named kernels, feature maps, ReLU and colour-scale numbers (convcore.features).

Oracles: the kernels' definitions (outer products of the Sobel/binomial factors, identity
minus Laplacian), known answers on ramps and paraboloids, brute-force loops, and live
``scipy.ndimage`` (sobel, laplace, correlate1d, uniform_filter) and PyTorch (conv2d, relu)
when installed.
"""

from __future__ import annotations

import numpy as np
import pytest

from convcore import (
    KERNEL_NAMES,
    KERNELS,
    feature_map,
    grey_levels,
    named_kernel,
    relu,
    strongest_block,
    symmetric_limit,
    trace_feature_maps,
)

RNG = np.random.default_rng(12)
IMAGE = RNG.integers(0, 256, size=(9, 11)).astype(float)
DELTA = np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], float)


def brute_correlate(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    kh, kw = k.shape
    out = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = sum(x[i + a, j + b] * k[a, b] for a in range(kh) for b in range(kw))
    return out


# -- the table -----------------------------------------------------------------------------


def test_the_table_holds_the_six_names_the_issue_asks_for():
    assert KERNEL_NAMES == ("sobel-x", "sobel-y", "laplacian", "blur", "sharpen", "edge")


@pytest.mark.parametrize(
    ("name", "definition"),
    [
        ("sobel-x", np.outer([1, 2, 1], [-1, 0, 1])),
        ("sobel-y", np.outer([-1, 0, 1], [1, 2, 1])),
        ("laplacian", np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]])),
        ("blur", np.outer([1, 2, 1], [1, 2, 1]) / 16),
        ("sharpen", DELTA - np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]])),
        ("edge", 9 * DELTA - np.ones((3, 3))),
    ],
)
def test_each_kernel_is_its_definition(name, definition):
    np.testing.assert_array_equal(named_kernel(name), definition)


def test_named_kernel_gives_a_copy_and_the_table_is_read_only():
    k = named_kernel("blur")
    k[0, 0] = 99
    assert KERNELS["blur"][0, 0] == 1 / 16
    with pytest.raises(ValueError, match="read-only"):
        KERNELS["sobel-x"][0, 0] = 5


def test_unknown_kernel_names_the_known_ones():
    with pytest.raises(
        ValueError, match=r"unknown kernel 'sobel'; known kernels: sobel-x, sobel-y"
    ):
        named_kernel("sobel")


# -- known answers ---------------------------------------------------------------------------

COLS, ROWS = np.meshgrid(np.arange(7.0), np.arange(6.0))


@pytest.mark.parametrize(
    ("name", "image", "value"),
    [
        ("sobel-x", COLS, 8.0),  # brightening to the right: +1 per column, weights 1+2+1, ×2
        ("sobel-x", ROWS, 0.0),
        ("sobel-y", ROWS, 8.0),  # brightening downward
        ("sobel-y", -3 * COLS, 0.0),
        ("laplacian", ROWS**2 + COLS**2, 4.0),  # ∇²(x² + y²) = 4
        ("laplacian", 5 * ROWS - 2 * COLS, 0.0),  # flat planes have no curvature
        ("blur", np.full((6, 7), 42.0), 42.0),  # weights sum to 1
        ("sharpen", np.full((6, 7), 42.0), 42.0),
        ("edge", np.full((6, 7), 42.0), 0.0),
        ("edge", 5 * ROWS - 2 * COLS, 0.0),
    ],
)
def test_kernels_give_known_answers(name, image, value):
    fm = feature_map(image, named_kernel(name), name)
    np.testing.assert_allclose(fm.values, np.full((4, 5), value), atol=1e-12)


@pytest.mark.parametrize("name", KERNEL_NAMES)
def test_feature_maps_equal_brute_force_loops(name):
    fm = feature_map(IMAGE, named_kernel(name), name)
    np.testing.assert_allclose(fm.values, brute_correlate(IMAGE, KERNELS[name]), rtol=1e-12)


def scipy_reference(ndimage, name: str, x: np.ndarray) -> np.ndarray:
    """Each kernel's response by scipy.ndimage's own filters, interior only."""
    smooth = [0.25, 0.5, 0.25]
    full = {
        "sobel-x": lambda: ndimage.sobel(x, axis=1),
        "sobel-y": lambda: ndimage.sobel(x, axis=0),
        "laplacian": lambda: ndimage.laplace(x),
        "blur": lambda: ndimage.correlate1d(ndimage.correlate1d(x, smooth, 0), smooth, 1),
        "sharpen": lambda: x - ndimage.laplace(x),
        "edge": lambda: 9 * x - 9 * ndimage.uniform_filter(x, 3),
    }[name]()
    return full[1:-1, 1:-1]


@pytest.mark.parametrize("name", KERNEL_NAMES)
def test_feature_maps_match_scipy_ndimage(name):
    ndimage = pytest.importorskip("scipy.ndimage")
    fm = feature_map(IMAGE, named_kernel(name), name)
    np.testing.assert_allclose(fm.values, scipy_reference(ndimage, name, IMAGE), atol=1e-9)


@pytest.mark.torch
@pytest.mark.parametrize("name", KERNEL_NAMES)
def test_feature_maps_and_relu_match_live_torch(torch1, name):
    f = torch1.nn.functional
    x = torch1.tensor(IMAGE[None, None])
    k = torch1.tensor(KERNELS[name][None, None].copy())
    expected = f.conv2d(x, k)[0, 0]
    fm = feature_map(IMAGE, named_kernel(name), name)
    np.testing.assert_allclose(fm.values, expected.numpy(), rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(fm.relu, f.relu(expected).numpy(), rtol=1e-12, atol=1e-9)


# -- ReLU, grey levels, colour scales ---------------------------------------------------------


def test_relu_is_max_of_x_and_zero():
    x = np.array([[-2.5, 0.0, 3.0], [-0.0, 1e-300, -1e300]])
    np.testing.assert_array_equal(relu(x), [[0, 0, 3], [0, 1e-300, 0]])
    values = RNG.normal(size=(3, 4, 5))
    expected = [v if v > 0 else 0.0 for v in values.ravel()]
    np.testing.assert_array_equal(relu(values).ravel(), expected)


def test_relu_refuses_nan():
    with pytest.raises(ValueError, match="NaN or infinity"):
        relu([1.0, np.nan])


def test_grey_levels_round_to_eight_bit_values():
    np.testing.assert_array_equal(
        grey_levels([[0.0, 0.5, 1.0], [1 / 255, 0.2, 0.999]]), [[0, 128, 255], [1, 51, 255]]
    )
    np.testing.assert_array_equal(grey_levels([[0.0, 0.5, 1.0]], levels=2), [[0, 0, 1]])


@pytest.mark.parametrize(
    ("image", "levels", "message"),
    [
        ([[0.0, 1.5]], 256, r"image values must lie in \[0, 1\], got 0 … 1.5"),
        ([[-0.1, 1.0]], 256, r"must lie in \[0, 1\]"),
        ([[0.0, 1.0]], 1, r"levels must be >= 2, got 1"),
        ([0.0, 1.0], 256, r"image must be 2-D"),
    ],
)
def test_grey_levels_refuse_what_is_not_a_grey_image(image, levels, message):
    with pytest.raises(ValueError, match=message):
        grey_levels(image, levels)


def test_symmetric_limit_is_the_largest_magnitude_or_one():
    assert symmetric_limit([[-911.0, 802.0]]) == 911.0
    assert symmetric_limit([[3.0, -2.0]]) == 3.0
    assert symmetric_limit(np.zeros((2, 2))) == 1.0


def test_feature_map_statistics_and_scales():
    fm = feature_map(IMAGE, named_kernel("sobel-x"), "sobel-x")
    flat = list(fm.values.ravel())
    assert (fm.minimum, fm.maximum) == (min(flat), max(flat))
    assert fm.mean == pytest.approx(sum(flat) / len(flat), rel=1e-12)
    assert fm.limit == max(abs(v) for v in flat)
    np.testing.assert_allclose(fm.scaled * fm.limit, fm.values, rtol=1e-12)
    assert fm.scaled.min() >= -1 and fm.scaled.max() <= 1
    assert 1.0 in np.abs(fm.scaled)  # the scale reaches the largest value exactly
    negatives = sum(1 for v in flat if v < 0)
    assert fm.zeroed == negatives and fm.zeroed_fraction == negatives / len(flat)
    assert fm.relu_limit == max(flat) > 0
    np.testing.assert_allclose(fm.relu_scaled, relu(fm.values) / max(flat), rtol=1e-12)


def test_a_flat_map_gets_unit_scales_not_a_division_by_zero():
    fm = feature_map(np.full((5, 5), 7.0), named_kernel("edge"), "edge")
    assert (fm.limit, fm.relu_limit, fm.zeroed) == (1.0, 1.0, 0)
    np.testing.assert_array_equal(fm.scaled, np.zeros((3, 3)))


def test_overflowing_maps_are_refused():
    with pytest.raises(ValueError, match=r"the custom feature map's values overflow"):
        feature_map(np.full((4, 4), 1e308), np.ones((2, 2)))


# -- the trace ----------------------------------------------------------------------------------


def brute_strongest(values: np.ndarray, size: int) -> tuple[int, int]:
    best = max(
        (abs(values[i, j]), -i, -j) for i in range(values.shape[0]) for j in range(values.shape[1])
    )
    i, j = -best[1], -best[2]
    h, w = values.shape
    return min(max(i - size // 2, 0), h - size), min(max(j - size // 2, 0), w - size)


@pytest.mark.parametrize("seed", range(6))
def test_strongest_block_centres_on_the_largest_magnitude(seed):
    values = np.random.default_rng(seed).normal(size=(7, 9))
    assert strongest_block(values, 3) == brute_strongest(values, 3)


def test_strongest_block_stays_inside_at_the_corners():
    values = np.zeros((6, 6))
    values[0, 5] = -9
    assert strongest_block(values, 3) == (0, 3)
    values[5, 0] = 10
    assert strongest_block(values, 4) == (2, 0)


@pytest.mark.parametrize(
    ("kernel", "origin"),
    [(named_kernel("sobel-x"), None), (np.arange(10.0).reshape(2, 5) - 4, (2, 1))],
)
def test_the_patch_trace_is_the_matching_block_of_the_full_map(kernel, origin):
    t = trace_feature_maps(IMAGE, kernel, "k", ("blur", "edge"), patch_size=3, patch_origin=origin)
    top, left = t.patch_origin
    if origin is None:
        assert t.patch_origin == strongest_block(t.main.values, 3)
    block = t.main.values[top : top + 3, left : left + 3]
    np.testing.assert_allclose(t.patch.out[0, 0], block, rtol=1e-12)
    kh, kw = kernel.shape
    np.testing.assert_array_equal(t.patch.x[0, 0], IMAGE[top : top + 2 + kh, left : left + 2 + kw])
    np.testing.assert_allclose(t.patch.values[0, 0], block.ravel(), rtol=1e-12)
    assert [m.name for m in t.compare] == ["blur", "edge"]
    np.testing.assert_allclose(t.compare[1].values, brute_correlate(IMAGE, KERNELS["edge"]))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(patch_size=10), r"patch_size 10 is larger than the 7×9 feature map"),
        (dict(patch_origin=(5, 0)), r"patch \(5, 0\) must lie in the 7×9 feature map"),
        (dict(compare=("smooth",)), r"unknown kernel 'smooth'"),
        (dict(kernel=np.ones((10, 3))), r"kernel"),
    ],
)
def test_the_trace_refuses_impossible_settings(kwargs, message):
    args = dict(image=IMAGE, kernel=named_kernel("laplacian")) | kwargs
    with pytest.raises(ValueError, match=message):
        trace_feature_maps(**args)
