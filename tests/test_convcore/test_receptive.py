"""convcore.receptive: Layer, receptive_field, feature_sizes, input_region, traces.

Oracles: the article's numbers (3 → 5 → 7 for stacked 3×3 layers; 2·9 = 18 vs 25 and
3·9 = 27 vs 49 weights), hand-worked chains, and brute force: which input cells change one
output of a chain of all-ones convolutions (:func:`convcore.conv2d` on one-hot inputs),
which columns a product of :func:`conv_matrix` matrices uses, and live torch autograd.
"""

from __future__ import annotations

import numpy as np
import pytest

from convcore import conv2d
from convcore.matrix import conv_matrix
from convcore.receptive import (
    Layer,
    as_layers,
    central_cell,
    equivalent_layer,
    feature_sizes,
    input_region,
    receptive_field,
    receptive_trace,
    stack_comparison,
    stack_stages,
)

# ---------------------------------------------------------------- the recurrences


def test_stacked_3x3_grows_3_5_7():
    rf = receptive_field([Layer(3)] * 3)
    np.testing.assert_array_equal(rf.size, [1, 3, 5, 7])
    np.testing.assert_array_equal(rf.jump, [1, 1, 1, 1])
    np.testing.assert_array_equal(rf.start, [0, 1, 2, 3])


def test_stride_then_stride_1():
    rf = receptive_field([(3, 2), (3, 1)])
    np.testing.assert_array_equal(rf.size, [1, 3, 7])
    np.testing.assert_array_equal(rf.jump, [1, 2, 2])
    np.testing.assert_array_equal(rf.start, [0, 1, 3])


@pytest.mark.parametrize(
    ("layers", "size", "jump"),
    [
        ([(3, 1, 0, 2)], [1, 5], [1, 1]),
        ([(3, 1, 1, 1), (3, 1, 2, 2), (3, 1, 4, 4)], [1, 3, 7, 15], [1, 1, 1, 1]),
        ([(7, 2, 3), (3, 2, 1), (3, 1, 1)], [1, 7, 11, 19], [1, 2, 4, 4]),  # ResNet stem-like
        ([(2, 2), (2, 2), (2, 2)], [1, 2, 4, 8], [1, 2, 4, 8]),
        ([(1, 2), (3, 1)], [1, 1, 5], [1, 2, 2]),
    ],
)
def test_hand_worked_chains(layers, size, jump):
    rf = receptive_field(layers)
    np.testing.assert_array_equal(rf.size, size)
    np.testing.assert_array_equal(rf.jump, jump)


def test_padding_shifts_first_and_start():
    rf = receptive_field([(3, 1, 1), (3, 2, 1), (3, 1, 1)])
    np.testing.assert_array_equal(rf.first, [0, -1, -2, -4])
    np.testing.assert_array_equal(rf.start, [0, 0, 0, 0])  # 'same'-style padding: centred
    np.testing.assert_array_equal(rf.start, rf.first + (rf.size - 1) / 2)


def test_layer_spec_forms_agree():
    forms = [
        [Layer(3, 2, 1, 1), Layer(5, 1, 2, 2)],
        [(3, 2, 1), (5, 1, 2, 2)],
        [{"kernel": 3, "stride": 2, "padding": 1}, {"kernel": 5, "padding": 2, "dilation": 2}],
        ([3, 2, 1, 1], [5, 1, 2, 2]),
    ]
    expected = as_layers(forms[0])
    for form in forms:
        assert as_layers(form) == expected
        rf = receptive_field(form)
        np.testing.assert_array_equal(rf.size, [1, 3, 19])


def test_feature_sizes_use_output_size():
    sizes = feature_sizes([(3, 2, 1), (3, 1, 0), (2, 2)], (9, 12))
    np.testing.assert_array_equal(sizes, [[9, 12], [5, 6], [3, 4], [1, 2]])


# ---------------------------------------------------------------- input_region


def test_input_region_article_chain():
    region = input_region([(3,), (3,)], (1, 2), input_size=7)
    assert region.unclipped == (1, 6, 2, 7)
    assert region.clipped == (1, 6, 2, 7)
    assert input_region([(3,), (3,)], 0).clipped is None


def test_input_region_border_is_clipped():
    region = input_region([(3, 1, 1)] * 2, (0, 4), input_size=5)
    assert region.unclipped == (-2, 3, 2, 7)
    assert region.clipped == (0, 3, 2, 5)


def test_clipped_box_can_overstate_at_the_far_end():
    """Strided windows may never reach the last input cells, although the box covers them."""
    layers = [(3, 2, 0), (3, 1, 1)]
    assert input_region(layers, (1, 1), input_size=6).clipped == (0, 6, 0, 6)
    mask = receptive_trace(layers, 6, (1, 1)).masks[0]
    assert mask[:5, :5].all() and not mask[5].any() and not mask[:, 5].any()


# ---------------------------------------------------------------- brute force

CHAINS = {
    "3x3_twice": ([(3,), (3,)], (7, 7)),
    "3x3_thrice": ([(3,)] * 3, (9, 9)),
    "s2_then_s1": ([(3, 2), (3, 1)], (9, 9)),
    "same_padding": ([(3, 1, 1)] * 3, (6, 6)),
    "s2_p1_nonsquare": ([(3, 2, 1), (3, 1, 1)], (7, 8)),
    "dilated": ([(3, 1, 0, 2), (3, 1, 0, 1)], (9, 9)),
    "dilated_holes": ([(3, 1, 0, 2), (3, 1, 0, 2)], (10, 9)),
    "stride_gt_kernel": ([(1, 2), (3, 1, 1)], (8, 7)),
    "mixed": ([(5, 2, 2), (3, 1, 1, 2), (3, 2, 1)], (11, 13)),
    "far_end_unreached": ([(3, 2, 0), (3, 1, 1)], (6, 6)),
    "big_padding": ([(3, 1, 2), (2, 2, 1)], (4, 5)),
}
CELLS = ["first", "middle", "last", "corner"]


def _ones_chain(x: np.ndarray, layers) -> list[np.ndarray]:
    """Every feature map of a chain of all-ones convolutions (x: (N, 1, H, W))."""
    maps = [x]
    for k, s, p, d in ((lyr.kernel, lyr.stride, lyr.padding, lyr.dilation) for lyr in layers):
        maps.append(conv2d(maps[-1], np.ones((1, 1, k, k)), None, s, p, d))
    return maps


def _pick(cell: str, out_hw) -> tuple[int, int]:
    h, w = out_hw
    return {"first": (0, 0), "middle": (h // 2, w // 2), "last": (h - 1, w - 1)}.get(
        cell, (h - 1, 0)
    )


def _brute_force(layers, input_size, cell) -> tuple[tuple[int, int], np.ndarray]:
    """The chosen output cell, and the input cells whose one-hot image changes it."""
    h, w = input_size
    one_hot = np.eye(h * w).reshape(h * w, 1, h, w)
    out = _ones_chain(one_hot, as_layers(layers))[-1]
    index = _pick(cell, out.shape[2:])
    return index, out[:, 0, index[0], index[1]].reshape(h, w) > 0


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("chain", CHAINS)
def test_masks_match_perturbation(chain, cell):
    layers, input_size = CHAINS[chain]
    index, brute = _brute_force(layers, input_size, cell)
    t = receptive_trace(layers, input_size, index)
    np.testing.assert_array_equal(t.masks[0], brute)
    rows, cols = np.nonzero(brute)
    r0, r1, c0, c1 = t.regions_clipped[0]
    assert r0 <= rows.min() and rows.max() < r1 and c0 <= cols.min() and cols.max() < c1
    assert input_region(layers, index, input_size).clipped == tuple(t.regions_clipped[0])


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize(
    "chain", [c for c in CHAINS if all(lyr.padding == 0 for lyr in as_layers(CHAINS[c][0]))]
)
def test_unclipped_box_is_brute_force_bounding_box_without_padding(chain, cell):
    """Without padding the box never clips and its ends are always reached."""
    layers, input_size = CHAINS[chain]
    index, brute = _brute_force(layers, input_size, cell)
    rows, cols = np.nonzero(brute)
    box = (rows.min(), rows.max() + 1, cols.min(), cols.max() + 1)
    assert input_region(layers, index).unclipped == box
    assert receptive_field(layers).size[-1] == box[1] - box[0] == box[3] - box[2]


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("chain", CHAINS)
def test_every_intermediate_mask_matches_matrix_product(chain, cell):
    """Map m's mask == the columns used by the chosen row of M_L ⋯ M_{m+1} (all-ones kernels)."""
    layers, input_size = CHAINS[chain]
    index, _ = _brute_force(layers, input_size, cell)
    t = receptive_trace(layers, input_size, index)
    row = np.zeros(int(np.prod(t.map_sizes[-1])))
    row[index[0] * t.map_sizes[-1][1] + index[1]] = 1
    for m in range(len(t.layers), -1, -1):
        np.testing.assert_array_equal(t.masks[m], row.reshape(t.map_sizes[m]) > 0)
        if m:
            lyr = t.layers[m - 1]
            ones = np.ones((1, 1, lyr.kernel, lyr.kernel))
            matrix = conv_matrix(ones, t.map_sizes[m - 1], lyr.stride, lyr.padding, lyr.dilation)
            row = row @ matrix


@pytest.mark.torch
@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("chain", CHAINS)
def test_masks_match_torch_autograd(chain, cell, torch):
    layers, input_size = CHAINS[chain]
    x = torch.ones((1, 1, *input_size), dtype=torch.float64, requires_grad=True)
    out = x
    for lyr in as_layers(layers):
        ones = torch.ones((1, 1, lyr.kernel, lyr.kernel), dtype=torch.float64)
        out = torch.nn.functional.conv2d(out, ones, None, lyr.stride, lyr.padding, lyr.dilation)
    index = _pick(cell, tuple(out.shape[2:]))
    out[0, 0, index[0], index[1]].backward()
    t = receptive_trace(layers, input_size, index)
    np.testing.assert_array_equal(t.masks[0], x.grad.numpy()[0, 0] != 0)


# ---------------------------------------------------------------- the trace


def test_trace_fields():
    t = receptive_trace([(3, 2, 1), (3, 1, 1)], (7, 7), (0, 3), channels=4)
    np.testing.assert_array_equal(t.map_sizes, [[7, 7], [4, 4], [4, 4]])
    np.testing.assert_array_equal(t.size, [1, 3, 7])
    np.testing.assert_array_equal(t.region_size, [7, 3, 1])
    np.testing.assert_array_equal(t.regions, [[-3, 4, 3, 10], [-1, 2, 2, 5], [0, 1, 3, 4]])
    np.testing.assert_array_equal(t.regions_clipped, [[0, 4, 3, 7], [0, 2, 2, 4], [0, 1, 3, 4]])
    np.testing.assert_array_equal(t.mask_counts, [16, 4, 1])
    assert t.masks[2][0, 3] and t.mask_counts[2] == 1
    assert (t.weights_stack, t.weights_single) == (18, 49)
    assert (t.weights_stack_total, t.weights_single_total) == (18 * 16, 49 * 16)
    assert (t.nonlinear_stack, t.nonlinear_single) == (2, 1)
    assert t.input_size == (7, 7) and t.out_index == (0, 3) and t.channels == 4


@pytest.mark.parametrize("chain", CHAINS)
def test_trace_map_sizes_match_conv2d(chain):
    layers, input_size = CHAINS[chain]
    maps = _ones_chain(np.ones((1, 1, *input_size)), as_layers(layers))
    t = receptive_trace(layers, input_size, 0)
    np.testing.assert_array_equal(t.map_sizes, [m.shape[2:] for m in maps])
    assert [m.shape for m in t.masks] == [m.shape[2:] for m in maps]


def test_stack_comparison_article_numbers():
    c = stack_comparison()
    np.testing.assert_array_equal(c.n_layers, [1, 2, 3])
    np.testing.assert_array_equal(c.receptive, [3, 5, 7])
    np.testing.assert_array_equal(c.per_pair_stack, [9, 18, 27])
    np.testing.assert_array_equal(c.per_pair_single, [9, 25, 49])
    np.testing.assert_array_equal(c.saved, [0, 7, 22])
    np.testing.assert_array_equal(c.nonlinear_stack, [1, 2, 3])
    np.testing.assert_array_equal(c.nonlinear_single, [1, 1, 1])


def test_stack_comparison_channels_and_depth():
    c = stack_comparison(n_layers=2, kernel=3, channels=64)
    assert c.stack_weights.tolist() == [18 * 64 * 64]
    assert c.single_weights.tolist() == [25 * 64 * 64]
    c = stack_comparison([4], kernel=5)
    assert c.receptive.tolist() == [17] and c.per_pair_stack.tolist() == [100]


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("layers", "match"),
    [
        ([], "layers is empty"),
        ([(0,)], "layer 0: kernel must be positive"),
        ([(3,), (3, 0)], "layer 1: stride must be positive"),
        ([(3, 1, -1)], "layer 0: padding must be >= 0"),
        ([(3, 1, 0, 0)], "layer 0: dilation must be positive"),
        ([(3.5,)], "layer 0: kernel must be an int"),
        ([(3, 1, 0, 1, 9)], "layer 0 must be a Layer"),
        ([{"kernel": 3, "size": 2}], "layer 0 must be a Layer"),
        ([3], "layer 0 must be a Layer"),
        (Layer(3), "layers must be a sequence"),
        (3, "layers must be a sequence"),
    ],
)
def test_layer_errors(layers, match):
    with pytest.raises(ValueError, match=match):
        receptive_field(layers)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"out_index": (3, 0), "input_size": 7}, r"out_index \(3, 0\) lies outside the 3×3"),
        ({"out_index": (0, 5), "input_size": (9, 7)}, "lies outside the 5×3"),
        ({"out_index": -1}, "out_index must be >= 0"),
        ({"out_index": 0, "input_size": 4}, r"input_size \(4, 4\) is too small for layer 1"),
        ({"out_index": 0, "input_size": 0}, "input_size must be positive"),
    ],
)
def test_input_region_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        input_region([(3,), (3,)], **kwargs)


def test_trace_and_comparison_errors():
    with pytest.raises(ValueError, match="lies outside"):
        receptive_trace([(3,)], 5, (0, 3))
    with pytest.raises(ValueError, match="channels must be positive"):
        receptive_trace([(3,)], 5, 0, channels=0)
    with pytest.raises(ValueError, match="n_layers is empty"):
        stack_comparison([])
    with pytest.raises(ValueError, match="n_layers must be positive"):
        stack_comparison([2, 0])
    with pytest.raises(ValueError, match="kernel must be positive"):
        stack_comparison(kernel=0)


# ---------------------------------------------------------------- scene helpers


def test_layer_weights_and_single_layer():
    t = receptive_trace([(3,), (5,), (3, 1, 0, 2)], 15, 0, channels=2)
    np.testing.assert_array_equal(t.layer_weights, [9, 25, 9])
    assert t.weights_stack == t.layer_weights.sum() == 43
    assert t.single_layer == Layer(int(t.size[-1]))
    assert t.single_layer.kernel**2 == t.weights_single


@pytest.mark.parametrize("chain", CHAINS)
def test_equivalent_layer_sees_the_chains_span(chain):
    layers, input_size = CHAINS[chain]
    single = equivalent_layer(layers)
    rf, one = receptive_field(layers), receptive_field([single])
    for u in range(4):
        assert one.span(u) == rf.span(u)
    assert receptive_trace(layers, input_size, 0).single_layer == single


@pytest.mark.parametrize(
    ("layers", "input_size", "cell"),
    [
        ([(3,)] * 3, 9, (1, 1)),
        ([(3,)] * 2, 9, (2, 2)),
        ([(3,)], (9, 8), (3, 2)),
        ([(3,)], 3, (0, 0)),
    ],
)
def test_central_cell(layers, input_size, cell):
    assert central_cell(layers, input_size) == cell


# ---------------------------------------------------------------- stages of a stack


def test_stack_stages_article_chain():
    stages = stack_stages([(3,)] * 3, 9, channels=64)
    assert [int(s.stack.size[-1]) for s in stages] == [3, 5, 7]
    assert [s.stack.out_index for s in stages] == [(3, 3), (2, 2), (1, 1)]
    assert stages[0].single is None
    assert [s.single.single_layer.kernel for s in stages[1:]] == [5, 7]
    assert [s.single.weights_single for s in stages[1:]] == [25, 49]
    assert stages[-1].stack.weights_stack_total == 27 * 64 * 64


@pytest.mark.parametrize(
    ("layers", "input_size"),
    [([(3,)] * 3, 9), ([(3, 2, 1), (3, 1, 1)], 9), ([(3, 1, 0, 2), (3,)], 11), ([(3,)] * 4, 12)],
)
def test_stack_stages_single_kernel_sees_the_same_input(layers, input_size):
    for n, stage in enumerate(stack_stages(layers, input_size), start=1):
        t = stage.stack
        assert t.out_index == central_cell(layers[:n], input_size)
        direct = receptive_trace(layers[:n], input_size, t.out_index)
        np.testing.assert_array_equal(t.masks[0], direct.masks[0])
        if stage.single is not None:
            assert stage.single.out_index == t.out_index
            np.testing.assert_array_equal(stage.single.regions_clipped[0], t.regions_clipped[0])
            np.testing.assert_array_equal(stage.single.size[-1], t.size[-1])


def test_stack_stages_errors():
    with pytest.raises(ValueError, match="too small for layer 2"):
        stack_stages([(3,)] * 3, 5)
    with pytest.raises(ValueError, match="layers is empty"):
        stack_stages([], 9)
