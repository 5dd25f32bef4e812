"""convcore._blocked: the fast route of conv2d and conv2d_backward (im2col in runs of rows).

``conv2d`` and ``conv2d_backward`` send stride-1 convolutions here; these tests call the
fast route explicitly over a grid (dilation 1/2, padding 0/1/'same', groups 1/2, batch 1/3,
float32/float64, one or many runs per image) and compare it with the readable routes:
``conv2d_direct`` (the loop) and the im2col route (``conv2d_from_args``, and
``_im2col_gradients`` for the gradients). Tolerances: 1e-12 in float64 (values of order
1-10), 2e-5 in float32 (the float64 result rounded to float32 and summed in float32).
"""

from __future__ import annotations

import numpy as np
import pytest

import convcore
from convcore import _blocked, conv2d, conv2d_backward, conv2d_direct
from convcore.backward import _grad_out, _im2col_gradients, _stride1_gradients
from convcore.functional import _conv2d_stride1, conv2d_from_args, conv_args

TOL = {np.float64: {"rtol": 1e-12, "atol": 1e-12}, np.float32: {"rtol": 2e-5, "atol": 2e-5}}

GRID = [
    pytest.param(
        dtype,
        batch,
        groups,
        padding,
        dilation,
        id=f"{d_id}-n{batch}-g{groups}-p{padding}-d{dilation}",
    )
    for dtype, d_id in ((np.float64, "f64"), (np.float32, "f32"))
    for batch in (1, 3)
    for groups in (1, 2)
    for padding in (0, 1, "same")
    for dilation in (1, 2)
]
GRID_ARGS = "dtype, batch, groups, padding, dilation"

#: CHUNK_BYTES of 1 makes one run per output row; the default gives one run per image here.
CHUNKS = pytest.mark.parametrize("chunk", [1, _blocked.CHUNK_BYTES], ids=["row-runs", "one-run"])


def _case(dtype, batch, groups, seed=0, hw=(7, 9), kernel=(3, 2), bias=True):
    """Random input ``(batch, 4, *hw)``, weight ``(6, 4/groups, *kernel)`` and bias (6,)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, 4, *hw)).astype(dtype)
    weight = rng.standard_normal((6, 4 // groups, *kernel)).astype(dtype)
    b = rng.standard_normal(6).astype(dtype) if bias else None
    return x, weight, b


@CHUNKS
@pytest.mark.parametrize(GRID_ARGS, GRID)
def test_fast_forward_equals_direct_and_im2col(
    monkeypatch, chunk, dtype, batch, groups, padding, dilation
):
    monkeypatch.setattr(_blocked, "CHUNK_BYTES", chunk)
    x, weight, bias = _case(dtype, batch, groups)
    a = conv_args(x, weight, bias, 1, padding, dilation, groups)
    fast = _conv2d_stride1(a)
    assert fast.dtype == dtype and fast.shape == (batch, 6, *a.out_hw)
    np.testing.assert_allclose(fast, conv2d_from_args(a), **TOL[dtype])
    direct = conv2d_direct(x, weight, bias, 1, padding, dilation, groups)
    np.testing.assert_allclose(fast, direct, **TOL[dtype])
    np.testing.assert_array_equal(conv2d(x, weight, bias, 1, padding, dilation, groups), fast)


@CHUNKS
@pytest.mark.parametrize(GRID_ARGS, GRID)
def test_fast_backward_equals_im2col_route(
    monkeypatch, chunk, dtype, batch, groups, padding, dilation
):
    monkeypatch.setattr(_blocked, "CHUNK_BYTES", chunk)
    x, weight, _ = _case(dtype, batch, groups)
    a = conv_args(x, weight, None, 1, padding, dilation, groups)
    grad_out = np.random.default_rng(1).standard_normal((batch, 6, *a.out_hw)).astype(dtype)
    grad_x, grad_weight = _stride1_gradients(_grad_out(grad_out, a), a)
    expected_x, expected_weight = _im2col_gradients(_grad_out(grad_out, a), a)
    assert grad_x.dtype == grad_weight.dtype == dtype
    assert grad_x.shape == x.shape and grad_weight.shape == weight.shape
    np.testing.assert_allclose(grad_x, expected_x, **TOL[dtype])
    np.testing.assert_allclose(grad_weight, expected_weight, **TOL[dtype])
    public = conv2d_backward(grad_out, x, weight, 1, padding, dilation, groups)
    np.testing.assert_array_equal(public[0], grad_x)
    np.testing.assert_array_equal(public[1], grad_weight)


# Padding larger than the dilated kernel's reach (grad_x starts inside the padded grad_out),
# asymmetric pads, 1×1 kernels and kernels as large as the padded input.
EDGE_CASES = [
    pytest.param((5, 6), (3, 3), 3, 1, id="pad3-k3"),
    pytest.param((5, 6), (2, 3), (3, 0), 2, id="pad3,0-k2x3-d2"),
    pytest.param((4, 4), (1, 1), 2, 1, id="k1-pad2"),
    pytest.param((4, 5), (4, 5), 0, 1, id="kernel-fills-input"),
    pytest.param((3, 3), (2, 2), "same", 3, id="same-d3-even-kernel"),
    pytest.param((6, 2), (3, 1), (1, 0), (2, 1), id="tall-d2x1"),
]


@pytest.mark.parametrize(("hw", "kernel", "padding", "dilation"), EDGE_CASES)
@pytest.mark.parametrize("groups", [1, 2])
def test_fast_routes_edge_cases(hw, kernel, padding, dilation, groups):
    x, weight, bias = _case(np.float64, 2, groups, seed=3, hw=hw, kernel=kernel)
    a = conv_args(x, weight, bias, 1, padding, dilation, groups)
    np.testing.assert_allclose(_conv2d_stride1(a), conv2d_from_args(a), **TOL[np.float64])
    grad_out = np.random.default_rng(4).standard_normal((2, 6, *a.out_hw))
    got = _stride1_gradients(grad_out, a)
    expected = _im2col_gradients(grad_out, a)
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, e, **TOL[np.float64])


@pytest.mark.parametrize("stride", [(2, 2), (3, 1)])
@pytest.mark.parametrize("groups", [1, 2])
def test_blocked_functions_take_any_stride(stride, groups):
    """correlate and weight_gradient are written for any stride, not only the dispatched 1."""
    x, weight, bias = _case(np.float64, 2, groups, seed=5, hw=(9, 8))
    a = conv_args(x, weight, bias, stride, 1, (1, 2), groups)
    out = _blocked.correlate(a.x, a.weight, a.bias, a.pads, a.stride, a.dilation, groups, a.out_hw)
    np.testing.assert_allclose(out, conv2d_from_args(a), **TOL[np.float64])
    grad_out = np.random.default_rng(6).standard_normal(out.shape)
    grad_weight = _blocked.weight_gradient(
        a.x, grad_out, a.pads, a.stride, a.dilation, groups, weight.shape[2:]
    )
    np.testing.assert_allclose(grad_weight, _im2col_gradients(grad_out, a)[1], **TOL[np.float64])


def test_correlate_origin_shifts_the_windows():
    x, weight, _ = _case(np.float64, 1, 1, seed=7, hw=(6, 7))
    pads = (1, 2, 0, 3)
    shifted = _blocked.correlate(x, weight, None, pads, (1, 1), (1, 1), 1, (4, 5), (2, 3))
    padded = np.pad(x, [(0, 0), (0, 0), (1, 2), (0, 3)])[:, :, 2:, 3:]
    np.testing.assert_allclose(shifted, conv2d_direct(padded, weight)[:, :, :4, :5], rtol=1e-12)


def test_overrunning_windows_raise_instead_of_reading_outside():
    x, weight, _ = _case(np.float64, 1, 1, hw=(5, 5))
    with pytest.raises(ValueError, match=r"5×4 windows overrun the padded image 5×5"):
        _blocked.correlate(x, weight, None, (0, 0, 0, 0), (1, 1), (1, 1), 1, (5, 4))


# ---------------------------------------------------------------- dispatch and dtypes


def test_conv2d_dispatches_stride1_to_the_fast_route(monkeypatch):
    calls = []
    original = _blocked.correlate

    def spy(*args, **kwargs):
        calls.append(args[4])  # stride
        return original(*args, **kwargs)

    monkeypatch.setattr(_blocked, "correlate", spy)
    x, weight, bias = _case(np.float64, 1, 1)
    conv2d(x, weight, bias, stride=1, padding=1)
    conv2d(x, weight, bias, stride=2, padding=1)  # the im2col route
    conv2d_backward(np.ones((1, 6, 7, 10)), x, weight, stride=1, padding=1)  # grad_x
    conv2d_backward(np.ones((1, 6, 4, 5)), x, weight, stride=2, padding=1)  # the im2col route
    assert calls == [(1, 1), (1, 1)]


def test_unbatched_input_through_the_fast_routes():
    x, weight, bias = _case(np.float64, 1, 2)
    out = conv2d(x[0], weight, bias, padding="same", groups=2)
    assert out.shape == (6, 7, 9)
    np.testing.assert_allclose(out, conv2d_direct(x, weight, bias, padding="same", groups=2)[0])
    grad_x, grad_weight, grad_bias = conv2d_backward(
        np.ones(out.shape), x[0], weight, padding="same", groups=2
    )
    assert grad_x.shape == x[0].shape and grad_weight.shape == weight.shape
    np.testing.assert_allclose(grad_bias, np.full(6, 63.0))


def test_float32_stays_float32_on_a_large_input(monkeypatch):
    """Runs of 2 output rows (20 per image), no float64 anywhere."""
    monkeypatch.setattr(_blocked, "CHUNK_BYTES", 1 << 16)  # 16·3·3·40 float32 = 23 KB a row
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 16, 40, 40)).astype(np.float32)
    weight = rng.standard_normal((8, 16, 3, 3)).astype(np.float32)
    grad_out = rng.standard_normal((2, 8, 40, 40)).astype(np.float32)
    out = conv2d(x, weight, padding=1)
    grads = conv2d_backward(grad_out, x, weight, padding=1)
    assert {a.dtype for a in (out, *grads)} == {np.dtype(np.float32)}
    x64, w64, g64 = (a.astype(np.float64) for a in (x, weight, grad_out))
    np.testing.assert_allclose(out, conv2d(x64, w64, padding=1), rtol=1e-4, atol=1e-4)
    for got, want in zip(grads, conv2d_backward(g64, x64, w64, padding=1), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-3)


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
@pytest.mark.parametrize(GRID_ARGS, [p for p in GRID if p.values[0] is np.float64])
def test_fast_routes_match_live_torch(torch, dtype, batch, groups, padding, dilation):
    x, weight, bias = _case(dtype, batch, groups, seed=9)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, weight, bias))
    y = torch.nn.functional.conv2d(tx, tw, tb, 1, padding, dilation, groups)
    grad_out = np.random.default_rng(10).standard_normal(tuple(y.shape))
    y.backward(torch.tensor(grad_out))
    tol = {"rtol": 1e-10, "atol": 1e-10}
    np.testing.assert_allclose(
        convcore.conv2d(x, weight, bias, 1, padding, dilation, groups), y.detach().numpy(), **tol
    )
    grads = conv2d_backward(grad_out, x, weight, 1, padding, dilation, groups)
    for got, want in zip(grads, (tx.grad, tw.grad, tb.grad), strict=True):
        np.testing.assert_allclose(got, want.numpy(), **tol)
