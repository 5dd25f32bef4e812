"""The backward pass of ``conv2d``: gradients of the input, the weight and the bias.

:func:`conv2d_backward` is the fast route (im2col columns, one matmul per group, col2im; for
stride 1, im2col in cache-sized runs of output rows, :mod:`convcore._blocked`:
``grad_weight`` from the runs of the input's columns, ``grad_x`` as the full correlation
below).
:func:`trace_conv2d_backward` records the textbook route the gradient video draws: each
gradient is itself a convolution.

- ``grad_weight``: the padded input correlated with ``grad_out`` as the kernel, the kernel's
  taps spread apart by the forward stride (dilation = stride) and moved by the forward
  dilation (stride = dilation).
- ``grad_x``: ``grad_out`` with ``stride − 1`` zeros inserted between its cells, padded by
  ``dilation·(k − 1)`` on every side ("full" convolution), correlated with the kernel
  rotated by 180°; the zero padding of the forward pass is then cut off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convcore import _blocked
from convcore._args import as_float_array, check_finite
from convcore.convolve import rotate180
from convcore.functional import ConvArgs, _unfold_padded, conv_args, fold, pad2d
from convcore.trace import ConvTrace, trace_conv2d


def _grad_out(grad_output, a: ConvArgs) -> np.ndarray:
    """Validate ``grad_output`` against the forward output shape; return it batched."""
    g = as_float_array(grad_output, "grad_output", (3, 4))
    expected = (a.x.shape[0], a.weight.shape[0], *a.out_hw)
    shown = expected[1:] if a.unbatched else expected
    if g.shape != shown:
        raise ValueError(f"grad_output must have the conv2d output shape {shown}, got {g.shape}")
    return (g[None] if a.unbatched else g).astype(np.result_type(g, a.x), copy=False)


def conv2d_backward(
    grad_output, input, weight, stride=1, padding=0, dilation=1, groups=1, bias=True
):
    """Gradients of :func:`convcore.conv2d` with respect to input, weight and bias.

    With ``cols`` the im2col columns of the padded input (:func:`convcore.unfold`), per group
    ``g``: ``grad_weight_g = grad_out_g @ cols_gᵀ`` (summed over the batch),
    ``grad_cols_g = weight_gᵀ @ grad_out_g`` folded back (col2im, overlaps added) and cropped
    to the unpadded input; ``grad_bias = Σ_{n, out_h, out_w} grad_out``. With stride 1,
    ``grad_x`` is computed as the full correlation of ``grad_out`` with the flipped kernel
    (see :func:`trace_conv2d_backward`), and neither gradient unfolds the whole batch at
    once.

    Parameters
    ----------
    grad_output : array_like, shape (N, C_out, out_h, out_w) or (C_out, out_h, out_w)
        Gradient of the loss with respect to the convolution's output.
    input : array_like, shape (N, C_in, H, W) or (C_in, H, W)
    weight : array_like, shape (C_out, C_in/groups, kH, kW)
    stride, padding, dilation, groups
        As :func:`convcore.conv2d` (``padding`` may be an int, a pair, 'valid' or 'same').
    bias : bool
        Whether the convolution had a bias; if False, ``grad_bias`` is None.

    Returns
    -------
    grad_input : numpy.ndarray, shape of ``input``
    grad_weight : numpy.ndarray, shape (C_out, C_in/groups, kH, kW)
    grad_bias : numpy.ndarray, shape (C_out,), or None

    Raises
    ------
    ValueError
        As :func:`convcore.conv2d`, or if ``grad_output`` does not have the output shape.
    """
    a = conv_args(input, weight, None, stride, padding, dilation, groups)
    grad_out = _grad_out(grad_output, a)
    gradients = _stride1_gradients if a.stride == (1, 1) else _im2col_gradients
    grad_x, grad_weight = gradients(grad_out, a)
    grad_bias = grad_out.sum(axis=(0, 2, 3)) if bias else None
    return (grad_x[0] if a.unbatched else grad_x), grad_weight, grad_bias


def _im2col_gradients(grad_out: np.ndarray, a: ConvArgs) -> tuple[np.ndarray, np.ndarray]:
    """``(grad_x, grad_weight)`` from the im2col columns of the batch, any stride."""
    n, g = a.x.shape[0], a.groups
    cols, (out_h, out_w) = _unfold_padded(a.x, a.weight.shape[2:], a.stride, a.pads, a.dilation)
    cols = cols.reshape(n, g, -1, out_h * out_w)  # (N, g, Cg·kH·kW, L)
    go = grad_out.reshape(n, g, -1, out_h * out_w)  # (N, g, Og, L)
    # grad_weight_g = Σ_n go_g @ cols_gᵀ: one matmul per group, the batch joined to L
    go_g = go.transpose(1, 2, 0, 3).reshape(g, -1, n * out_h * out_w)
    cols_g = cols.transpose(1, 0, 3, 2).reshape(g, n * out_h * out_w, -1)
    grad_weight = np.matmul(go_g, cols_g).reshape(a.weight.shape)
    # grad_cols_g = weight_gᵀ @ go_g, then col2im
    w_t = a.weight.reshape(g, go.shape[2], -1).transpose(0, 2, 1)
    grad_x = _fold_unpad(np.matmul(w_t[None], go).reshape(n, -1, out_h * out_w), a)
    return grad_x, grad_weight


def _stride1_gradients(grad_out: np.ndarray, a: ConvArgs) -> tuple[np.ndarray, np.ndarray]:
    """``(grad_x, grad_weight)`` of a stride-1 convolution, in runs (:mod:`_blocked`).

    ``grad_x[h] = Σ_i weight[i]·grad_out[h + top − i·d]`` (one axis shown) is ``grad_out``
    zero-padded by ``d·(k − 1) − pad`` on each side, correlated with the flipped kernel;
    where ``pad`` is larger, the correlation starts ``pad − d·(k − 1)`` further in instead.
    """
    x = a.x.astype(grad_out.dtype, copy=False)
    weight = a.weight.astype(grad_out.dtype, copy=False)
    kernel = weight.shape[2:]
    grad_weight = _blocked.weight_gradient(
        x, grad_out, a.pads, a.stride, a.dilation, a.groups, kernel
    )
    (dh, dw), (kh, kw) = a.dilation, kernel
    reach_h, reach_w = dh * (kh - 1), dw * (kw - 1)
    top, bottom, left, right = a.pads
    pads = (reach_h - top, reach_h - bottom, reach_w - left, reach_w - right)
    pads = tuple(max(0, p) for p in pads)
    origin = (max(0, top - reach_h), max(0, left - reach_w))
    flipped = _flip_kernel(weight, a.groups)
    grad_x = _blocked.correlate(
        grad_out, flipped, None, pads, (1, 1), a.dilation, a.groups, x.shape[2:], origin
    )
    return grad_x, grad_weight


def _fold_unpad(grad_cols: np.ndarray, a: ConvArgs) -> np.ndarray:
    """col2im onto the padded input (:func:`convcore.fold`), then cut the padding off."""
    top, bottom, left, right = a.pads
    h, w = a.x.shape[2:]
    kernel = a.weight.shape[2:]
    padded = fold(grad_cols, (h + top + bottom, w + left + right), kernel, a.dilation, 0, a.stride)
    return padded[:, :, top : top + h, left : left + w]


def dilate2d(x: np.ndarray, stride) -> np.ndarray:
    """Insert ``stride − 1`` zeros between the cells of the last two axes.

    Shape ``(..., H, W)`` → ``(..., s_h·(H − 1) + 1, s_w·(W − 1) + 1)``; cell ``(i, j)`` moves
    to ``(s_h·i, s_w·j)``. This undoes the stride of a forward convolution in its gradient.
    """
    s_h, s_w = stride
    h, w = x.shape[-2:]
    out = np.zeros((*x.shape[:-2], s_h * (h - 1) + 1, s_w * (w - 1) + 1), x.dtype)
    out[..., ::s_h, ::s_w] = x
    return out


@dataclass(frozen=True)
class GradientTrace:
    """Both gradients of one convolution, each drawn as a convolution of its own.

    ``Cg = C_in/groups``, ``Og = C_out/groups``, ``g = groups``. ``Hp, Wp`` is the padded
    input; ``Hc, Wc = d·(k − 1) + s·(out − 1) + 1`` is its covered part, the rows and columns
    some window reaches (smaller than ``Hp, Wp`` when the stride skips the last ones).
    ``Hd, Wd = s·(out − 1) + 1`` is the stride-dilated ``grad_out``.

    Attributes
    ----------
    x : (N, C_in, H, W) forward input (batched).
    weight : (C_out, Cg, kH, kW) forward kernel.
    grad_out : (N, C_out, out_h, out_w) gradient of the loss w.r.t. the output.
    stride, dilation : (int, int) of the forward convolution.
    pads : (top, bottom, left, right) forward zero padding.
    groups : forward channel groups.
    has_bias : whether the forward convolution had a bias.

    x_padded : (N, C_in, Hp, Wp) input with the forward padding.
    x_covered : (N, C_in, Hc, Wc) ``x_padded[..., :Hc, :Wc]``.
    grad_out_dilated : (N, C_out, Hd, Wd) ``grad_out`` with ``stride − 1`` zeros between
        cells. As the kernel of the ``grad_weight`` convolution it is ``grad_out`` with
        dilation = stride; it is also the input of the ``grad_x`` convolution.
    grad_weight_conv : ConvTrace of ``grad_weight`` as a convolution. Batch and channels
        swap roles: its input is ``x_covered`` arranged ``(Cg, g·N, Hc, Wc)``; its kernel is
        ``grad_out`` arranged ``(C_out, N, out_h, out_w)`` with dilation = forward stride,
        stride = forward dilation, groups = ``g``; its ``out`` is ``(Cg, C_out, kH, kW)``,
        i.e. ``grad_weight`` with its first two axes swapped. For N = C_in = C_out = 1 every
        array is the picture itself: input ``x_covered``, kernel ``grad_out``, output
        ``grad_weight``.
    grad_weight : (C_out, Cg, kH, kW).
    grad_bias : (C_out,) ``grad_out`` summed over batch and positions (even without bias).

    weight_flipped : (C_in, Og, kH, kW) the kernel rotated by 180° with its in/out channels
        swapped per group (for one channel: ``weight[0, 0, ::-1, ::-1]``).
    grad_out_full : (N, C_out, Hd + 2·d_h·(kH − 1), Wd + 2·d_w·(kW − 1))
        ``grad_out_dilated`` zero-padded by ``dilation·(k − 1)`` on each side.
    grad_x_conv : ConvTrace of the full convolution: input ``grad_out_dilated`` with padding
        ``dilation·(k − 1)`` (its ``x_padded`` is ``grad_out_full``), kernel
        ``weight_flipped``, stride 1, the forward dilation, groups ``g``; its ``out`` is
        ``grad_x_covered``.
    grad_x_covered : (N, C_in, Hc, Wc) gradient w.r.t. the covered part of ``x_padded``.
    grad_x_padded : (N, C_in, Hp, Wp) gradient w.r.t. ``x_padded`` (zero where no window
        reaches).
    grad_x : (N, C_in, H, W) ``grad_x_padded`` with the forward padding cut off.

    What the gradient video draws, sum by sum (``M``: input cells some window reaches):

    pad_mask : (Hp, Wp) bool, True on the forward padding of ``x_padded``.
    inserted_mask : (Hf, Wf) bool over ``grad_out_full``, True on the ``stride − 1`` zeros
        inserted between gradients (False on the full padding and on the gradients).
    grad_x_steps : (M,) steps of ``grad_x_conv`` (row-major over ``Hc, Wc``) whose cell is
        an input cell, not padding: the sums that become ``grad_x``, row-major.
    grad_x_index : (M, 2) the ``grad_x`` (row, column) of each of those steps.
    uncovered : (H, W) bool, True on input cells no window reaches (the stride skips
        them): their gradient is 0 without a sum.
    grad_bias_terms : (C_out, N·out_h·out_w) the terms of each ``grad_bias`` sum:
        ``grad_out`` of that channel, batch by batch, row-major.

    So for one channel (``N = C_in = C_out = 1``), with ``wc = grad_weight_conv`` and
    ``xc = grad_x_conv``: ``grad_weight[0, 0].flat[k] = wc.values[0, 0, k]``, the sum of
    ``wc.products[0, 0, k, 0]`` (input window ``wc.windows[0, k, 0]`` at rows
    ``wc.tap_rows[k]`` and columns ``wc.tap_cols[k]`` of ``x_padded``, times ``grad_out``);
    ``grad_x[0, 0][grad_x_index[m]] = xc.values[0, 0, grad_x_steps[m]]``, the sum of
    ``xc.products[0, 0, grad_x_steps[m], 0]`` (a window of ``grad_out_full`` times
    ``weight_flipped``); ``grad_bias[0]`` the sum of ``grad_bias_terms[0]``. With groups,
    ``wc`` and ``xc`` are grouped convolutions (``wc.groups = xc.groups = groups``).
    """

    x: np.ndarray
    weight: np.ndarray
    grad_out: np.ndarray
    stride: tuple[int, int]
    pads: tuple[int, int, int, int]
    dilation: tuple[int, int]
    groups: int
    has_bias: bool
    x_padded: np.ndarray
    x_covered: np.ndarray
    grad_out_dilated: np.ndarray
    grad_weight_conv: ConvTrace
    grad_weight: np.ndarray
    grad_bias: np.ndarray
    weight_flipped: np.ndarray
    grad_out_full: np.ndarray
    grad_x_conv: ConvTrace
    grad_x_covered: np.ndarray
    grad_x_padded: np.ndarray
    grad_x: np.ndarray
    pad_mask: np.ndarray
    inserted_mask: np.ndarray
    grad_x_steps: np.ndarray
    grad_x_index: np.ndarray
    uncovered: np.ndarray
    grad_bias_terms: np.ndarray

    @property
    def covered_shape(self) -> tuple[int, int]:
        """``(Hc, Wc)``: extent of the padded input that some window reaches."""
        return self.x_covered.shape[2], self.x_covered.shape[3]

    @property
    def stretched_mask(self) -> np.ndarray:
        """(Hd, Wd) bool over ``grad_out_dilated``: ``inserted_mask`` without the padding."""
        top, _, left, _ = self.grad_x_conv.pads
        hd, wd = self.grad_out_dilated.shape[2:]
        return self.inserted_mask[top : top + hd, left : left + wd]


def _covered_hw(a: ConvArgs) -> tuple[int, int]:
    kernel = a.weight.shape[2:]
    return tuple(
        d * (k - 1) + s * (o - 1) + 1
        for d, k, s, o in zip(a.dilation, kernel, a.stride, a.out_hw, strict=True)
    )


def _grad_weight_conv(x_covered: np.ndarray, grad_out: np.ndarray, a: ConvArgs) -> ConvTrace:
    """``grad_weight`` as a convolution: batch ↔ channels swapped, grad_out as the kernel."""
    n, c_in, hc, wc = x_covered.shape
    g, c_out = a.groups, grad_out.shape[1]
    xs = x_covered.reshape(n, g, c_in // g, hc, wc).transpose(2, 1, 0, 3, 4)
    ks = grad_out.reshape(n, g, c_out // g, *a.out_hw).transpose(1, 2, 0, 3, 4)
    return trace_conv2d(
        xs.reshape(c_in // g, g * n, hc, wc),
        ks.reshape(c_out, n, *a.out_hw),
        stride=a.dilation,
        dilation=a.stride,
        groups=g,
    )


def _flip_kernel(weight: np.ndarray, groups: int) -> np.ndarray:
    """Rotate by 180° and swap in/out channels per group: (C_out, Cg, kH, kW) → (C_in, Og, …)."""
    c_out, c_in_g, kh, kw = weight.shape
    w = weight.reshape(groups, c_out // groups, c_in_g, kh, kw).transpose(0, 2, 1, 3, 4)
    return rotate180(w.reshape(groups * c_in_g, c_out // groups, kh, kw))


def _grad_x_conv(grad_out_dilated: np.ndarray, a: ConvArgs) -> ConvTrace:
    """``grad_x`` as the full convolution of the dilated ``grad_out`` with the flipped kernel."""
    kh, kw = a.weight.shape[2:]
    full_pad = (a.dilation[0] * (kh - 1), a.dilation[1] * (kw - 1))
    flipped = _flip_kernel(a.weight, a.groups)
    return trace_conv2d(
        grad_out_dilated, flipped, padding=full_pad, dilation=a.dilation, groups=a.groups
    )


def trace_conv2d_backward(
    grad_output, input, weight, stride=1, padding=0, dilation=1, groups=1, bias=True
) -> GradientTrace:
    """Trace both gradients of a convolution as convolutions (see :class:`GradientTrace`).

    Parameters
    ----------
    grad_output, input, weight, stride, padding, dilation, groups, bias
        As :func:`conv2d_backward` (unbatched arrays are given a batch axis of 1).

    Returns
    -------
    GradientTrace
        Its ``grad_x``, ``grad_weight`` and ``grad_bias`` equal :func:`conv2d_backward`'s.
        Memory grows like two :class:`~convcore.ConvTrace` of the gradient convolutions;
        meant for the small examples a video shows.

    Raises
    ------
    ValueError
        As :func:`conv2d_backward`.
    """
    a = conv_args(input, weight, None, stride, padding, dilation, groups)
    grad_out = _grad_out(grad_output, a)
    hc, wc = _covered_hw(a)
    x_padded = pad2d(a.x, a.pads)
    x_covered = x_padded[:, :, :hc, :wc]
    grad_out_dilated = dilate2d(grad_out, a.stride)
    w_conv = _grad_weight_conv(x_covered, grad_out, a)
    x_conv = _grad_x_conv(grad_out_dilated, a)
    grad_x_padded = np.zeros_like(x_padded, dtype=x_conv.out.dtype)
    grad_x_padded[:, :, :hc, :wc] = x_conv.out
    top, left = a.pads[0], a.pads[2]
    h, w = a.x.shape[2:]
    grad_bias_terms = grad_out.transpose(1, 0, 2, 3).reshape(grad_out.shape[1], -1)
    with np.errstate(over="ignore"):
        grad_bias = grad_bias_terms.sum(axis=1)
    check_finite("the bias gradient's sums", (grad_bias,), {"grad_output": grad_out})
    return GradientTrace(
        x=a.x,
        weight=a.weight,
        grad_out=grad_out,
        stride=a.stride,
        pads=a.pads,
        dilation=a.dilation,
        groups=a.groups,
        has_bias=bool(bias),
        x_padded=x_padded,
        x_covered=x_covered,
        grad_out_dilated=grad_out_dilated,
        grad_weight_conv=w_conv,
        grad_weight=w_conv.out.transpose(1, 0, 2, 3),
        grad_bias=grad_bias,
        weight_flipped=x_conv.weight,
        grad_out_full=x_conv.x_padded,
        grad_x_conv=x_conv,
        grad_x_covered=x_conv.out,
        grad_x_padded=grad_x_padded,
        grad_x=grad_x_padded[:, :, top : top + h, left : left + w],
        pad_mask=_pad_mask(a),
        inserted_mask=_inserted_mask(x_conv, a.stride),
        **_input_steps(a, (hc, wc)),
        grad_bias_terms=grad_bias_terms,
    )


def _pad_mask(a: ConvArgs) -> np.ndarray:
    """(Hp, Wp) bool: True on the forward zero padding."""
    top, bottom, left, right = a.pads
    h, w = a.x.shape[2:]
    mask = np.ones((top + h + bottom, left + w + right), bool)
    mask[top : top + h, left : left + w] = False
    return mask


def _inserted_mask(x_conv: ConvTrace, stride) -> np.ndarray:
    """(Hf, Wf) bool over the padded, dilated ``grad_out``: True on the inserted zeros."""
    top, _, left, _ = x_conv.pads
    hd, wd = x_conv.x.shape[2:]
    inserted = np.ones((hd, wd), bool)
    inserted[:: stride[0], :: stride[1]] = False
    mask = np.zeros(x_conv.x_padded.shape[2:], bool)
    mask[top : top + hd, left : left + wd] = inserted
    return mask


def _input_steps(a: ConvArgs, covered_hw) -> dict[str, np.ndarray]:
    """``grad_x_steps``, ``grad_x_index`` and ``uncovered`` (see :class:`GradientTrace`)."""
    top, _, left, _ = a.pads
    h, w = a.x.shape[2:]
    hc, wc = covered_hw
    rows = np.arange(top, min(top + h, hc))
    cols = np.arange(left, min(left + w, wc))
    r, c = (g.ravel() for g in np.meshgrid(rows, cols, indexing="ij"))
    uncovered = np.ones((h, w), bool)
    uncovered[r - top, c - left] = False
    return {
        "grad_x_steps": r * wc + c,
        "grad_x_index": np.stack([r - top, c - left], axis=1),
        "uncovered": uncovered,
    }


def example_grad_output(shape) -> np.ndarray:
    """The gradient video's default ``grad_out``: 2 and −1 in a checkerboard, 2 top left.

    Parameters
    ----------
    shape : (out_h, out_w)

    Returns
    -------
    numpy.ndarray, shape ``shape``: 2 where row + column is even, −1 where it is odd.
    Unlike all ones, each position's share of a sum shows (its sign and size); unlike
    ±1, the sum over any shape is positive, so a smooth input never cancels to all zeros.
    """
    out_h, out_w = shape
    rows, cols = np.indices((out_h, out_w))
    return np.where((rows + cols) % 2 == 0, 2.0, -1.0)
