"""Convolution arithmetic mirroring ``torch.nn.functional``: conv2d, unfold, fold.

Shapes follow PyTorch: input ``(N, C_in, H, W)`` (or unbatched ``(C_in, H, W)``), weight
``(C_out, C_in/groups, kH, kW)``, bias ``(C_out,)``. ``stride``, ``padding`` and
``dilation`` are an int or a pair. Like PyTorch's ``Conv2d`` this is cross-correlation:
the kernel is not flipped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convcore import _blocked
from convcore._args import (
    Pads,
    as_float_array,
    batched,
    conv_pads,
    integer,
    pair,
)


@dataclass(frozen=True)
class OutputSizeTerms:
    """Every term of the output-size formula for one spatial dimension.

    ``out = floor((size + pad_total − dilation·(kernel − 1) − 1) / stride) + 1``, where
    ``pad_total`` is ``2·P`` for symmetric padding.
    """

    size: int
    kernel: int
    stride: int
    pad_before: int  #: padding before the first row/column
    pad_after: int  #: padding after the last row/column
    pad_total: int  #: ``pad_before + pad_after`` (``2·P`` when symmetric)
    dilation: int
    reach: int  #: extent of the dilated kernel, ``dilation·(kernel − 1) + 1``
    numerator: int  #: ``size + pad_total − reach``
    out: int  #: ``numerator // stride + 1``


def output_size_terms(size, kernel_size, stride=1, padding=0, dilation=1) -> OutputSizeTerms:
    """The output-size formula for one dimension, with every intermediate term.

    This is the one home of ``floor((H + 2P − D·(K−1) − 1) / S) + 1`` in convanim.

    Parameters
    ----------
    size, kernel_size, stride, dilation : int
        Input extent, kernel extent, stride (>= 1) and dilation (>= 1).
    padding : int or (int, int)
        Padding on each side (>= 0), or the ``(before, after)`` pads when they differ.

    Returns
    -------
    OutputSizeTerms

    Raises
    ------
    ValueError
        If an argument is out of range or the dilated kernel exceeds the padded input.
    """
    size, kernel = integer(size, "size"), integer(kernel_size, "kernel_size")
    stride, dilation = integer(stride, "stride"), integer(dilation, "dilation")
    before, after = pair(padding, "padding", minimum=0)
    reach = dilation * (kernel - 1) + 1
    numerator = size + before + after - reach
    if numerator < 0:
        dilated = "" if dilation == 1 else f" (kernel {kernel} with dilation {dilation})"
        raise ValueError(
            f"kernel extent {reach}{dilated} is larger than the padded input "
            f"{size + before + after} (size {size} + padding {before + after})"
        )
    return OutputSizeTerms(
        size,
        kernel,
        stride,
        before,
        after,
        before + after,
        dilation,
        reach,
        numerator,
        numerator // stride + 1,
    )


def output_size(size, kernel_size, stride=1, padding=0, dilation=1) -> int:
    """Output extent of a convolution along one dimension.

    ``floor((size + 2·padding − dilation·(kernel_size − 1) − 1) / stride) + 1``.

    Parameters
    ----------
    size, kernel_size, stride, padding, dilation : int
        See :func:`output_size_terms`.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        As :func:`output_size_terms`.
    """
    return output_size_terms(size, kernel_size, stride, padding, dilation).out


def pad2d(x: np.ndarray, pads: Pads) -> np.ndarray:
    """Zero-pad the last two axes of ``x`` by ``(top, bottom, left, right)``."""
    top, bottom, left, right = pads
    if not any(pads):
        return x
    h, w = x.shape[-2:]
    padded = np.zeros((*x.shape[:-2], top + h + bottom, left + w + right), x.dtype)
    padded[..., top : top + h, left : left + w] = x
    return padded


def _out_hw(in_hw, kernel, stride, pads: Pads, dilation) -> tuple[int, int]:
    return (
        output_size(in_hw[0], kernel[0], stride[0], pads[:2], dilation[0]),
        output_size(in_hw[1], kernel[1], stride[1], pads[2:], dilation[1]),
    )


def _windows(x_padded: np.ndarray, kernel, stride, dilation, out_hw) -> np.ndarray:
    """Zero-copy strided view ``(N, C, kH, kW, out_h, out_w)`` of every window tap."""
    sn, sc, sh, sw = x_padded.strides
    shape = (*x_padded.shape[:2], *kernel, *out_hw)
    strides = (sn, sc, sh * dilation[0], sw * dilation[1], sh * stride[0], sw * stride[1])
    return np.lib.stride_tricks.as_strided(x_padded, shape, strides, writeable=False)


def _unfold_padded(x: np.ndarray, kernel, stride, pads: Pads, dilation):
    n, c_in, h, w = x.shape
    out_hw = _out_hw((h, w), kernel, stride, pads, dilation)
    view = _windows(pad2d(x, pads), kernel, stride, dilation, out_hw)
    return view.reshape(n, c_in * kernel[0] * kernel[1], out_hw[0] * out_hw[1]), out_hw


def unfold(input, kernel_size, dilation=1, padding=0, stride=1) -> np.ndarray:
    """Extract sliding windows into columns (im2col), like ``torch.nn.functional.unfold``.

    Parameters
    ----------
    input : array_like, shape (N, C, H, W) or (C, H, W)
    kernel_size, dilation, padding, stride : int or (int, int)

    Returns
    -------
    numpy.ndarray, shape (N, C·kH·kW, L) or (C·kH·kW, L)
        Column ``l`` holds the window of output position ``l`` (row-major over
        ``(out_h, out_w)``); rows are ordered channel, kernel row, kernel column.

    Raises
    ------
    ValueError
        On a wrong number of dimensions, non-finite values, stride or dilation < 1,
        negative padding, or a dilated kernel larger than the padded input.
    """
    x, unbatched = batched(as_float_array(input, "input", (3, 4)))
    kernel = pair(kernel_size, "kernel_size")
    stride, dilation = pair(stride, "stride"), pair(dilation, "dilation")
    pads = conv_pads(pair(padding, "padding", minimum=0), kernel, stride, dilation)
    cols, _ = _unfold_padded(x, kernel, stride, pads, dilation)
    return cols[0] if unbatched else cols


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1) -> np.ndarray:
    """Sum columns back into an image (col2im), like ``torch.nn.functional.fold``.

    Overlapping window taps are added, so ``fold(unfold(x))`` multiplies each pixel by the
    number of windows that cover it.

    Parameters
    ----------
    input : array_like, shape (N, C·kH·kW, L) or (C·kH·kW, L)
    output_size : int or (int, int)
        Spatial size ``(H, W)`` of the image to rebuild.
    kernel_size, dilation, padding, stride : int or (int, int)

    Returns
    -------
    numpy.ndarray, shape (N, C, H, W) or (C, H, W)

    Raises
    ------
    ValueError
        If the column count is not a multiple of ``kH·kW``, ``L`` does not match the
        number of windows, or an argument is out of range.
    """
    cols = as_float_array(input, "input", (2, 3))
    unbatched = cols.ndim == 2
    cols = cols[None] if unbatched else cols
    h, w = pair(output_size, "output_size")
    kernel = pair(kernel_size, "kernel_size")
    stride, dilation = pair(stride, "stride"), pair(dilation, "dilation")
    pads = conv_pads(pair(padding, "padding", minimum=0), kernel, stride, dilation)
    n, rows, length = cols.shape
    if rows % (kernel[0] * kernel[1]):
        raise ValueError(
            f"input has {rows} rows, not a multiple of kernel_size {kernel[0]}×{kernel[1]}"
        )
    out_h, out_w = _out_hw((h, w), kernel, stride, pads, dilation)
    if out_h * out_w != length:
        raise ValueError(f"input has L={length} columns but the windows number {out_h * out_w}")
    c = rows // (kernel[0] * kernel[1])
    taps = cols.reshape(n, c, *kernel, out_h, out_w)
    padded = np.zeros((n, c, h + pads[0] + pads[1], w + pads[2] + pads[3]), cols.dtype)
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            r0, c0 = i * dilation[0], j * dilation[1]
            rows_sl = slice(r0, r0 + stride[0] * (out_h - 1) + 1, stride[0])
            cols_sl = slice(c0, c0 + stride[1] * (out_w - 1) + 1, stride[1])
            padded[:, :, rows_sl, cols_sl] += taps[:, :, i, j]
    out = padded[:, :, pads[0] : pads[0] + h, pads[2] : pads[2] + w]
    return out[0] if unbatched else out


@dataclass(frozen=True)
class ConvArgs:
    """Validated, normalised arguments of one convolution (internal vocabulary)."""

    x: np.ndarray  # (N, C_in, H, W)
    weight: np.ndarray  # (C_out, C_in/groups, kH, kW)
    bias: np.ndarray | None  # (C_out,)
    stride: tuple[int, int]
    pads: Pads
    dilation: tuple[int, int]
    groups: int
    unbatched: bool
    out_hw: tuple[int, int]


def per_filter_bias(bias, c_out: int) -> np.ndarray | None:
    """``bias`` as one value per filter: a single number becomes every filter's bias.

    Parameters
    ----------
    bias : None, number, or array_like of shape (C_out,)
    c_out : int
        Number of filters (output channels).

    Returns
    -------
    None, or an array of shape (C_out,) (a sequence is returned as an array unchanged;
    :func:`conv2d` checks its shape).

    Raises
    ------
    ValueError
        If ``bias`` is not numeric or not finite.
    """
    if bias is None:
        return None
    values = as_float_array(bias, "bias", (0, 1))
    return np.full(integer(c_out, "c_out"), values[()]) if values.ndim == 0 else values


def check_groups(c_in, c_out, groups) -> int:
    """``groups`` as an ``int``, checking that it divides ``c_in`` and ``c_out``."""
    groups = integer(groups, "groups")
    if c_in % groups or c_out % groups:
        raise ValueError(
            f"groups={groups} must divide both input channels ({c_in}) "
            f"and output channels ({c_out})"
        )
    return groups


def group_channels(c_in, c_out, groups=1) -> np.ndarray:
    """The input channels each output channel reads, as in ``torch.nn.Conv2d(groups=...)``.

    The channels split into ``groups`` equal, consecutive groups: output channel ``o``
    belongs to group ``g = o // (C_out/groups)`` and reads input channels
    ``g·Cg, …, g·Cg + Cg − 1`` with ``Cg = C_in/groups`` (``groups = C_in``: depthwise, one
    channel each). This is the one home of that rule in convcore.

    Parameters
    ----------
    c_in, c_out, groups : int
        Input and output channels, and the number of groups (divides both).

    Returns
    -------
    numpy.ndarray, shape (C_out, C_in/groups), int
        Row ``o``: the input channels ``weight[o, 0], …, weight[o, Cg − 1]`` meet.

    Raises
    ------
    ValueError
        If an argument is not a positive int or ``groups`` does not divide both counts.
    """
    c_in, c_out = integer(c_in, "c_in"), integer(c_out, "c_out")
    groups = check_groups(c_in, c_out, groups)
    c_in_g = c_in // groups
    first = (np.arange(c_out) // (c_out // groups)) * c_in_g
    return first[:, None] + np.arange(c_in_g)[None, :]


def conv_args(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> ConvArgs:
    """Validate and normalise the arguments of :func:`conv2d` (raises ``ValueError``)."""
    x, unbatched = batched(as_float_array(input, "input", (3, 4)))
    weight = as_float_array(weight, "weight", (4,))
    c_out, c_in_g, kh, kw = weight.shape
    c_in = x.shape[1]
    groups = check_groups(c_in, c_out, groups)
    if c_in_g * groups != c_in:
        raise ValueError(
            f"weight expects {c_in_g * groups} input channels ({c_in_g} per group × "
            f"{groups} groups) but input has {c_in}"
        )
    if bias is not None:
        bias = as_float_array(bias, "bias", (1,))
        if bias.shape != (c_out,):
            raise ValueError(f"bias must have shape ({c_out},), got {bias.shape}")
    stride, dilation = pair(stride, "stride"), pair(dilation, "dilation")
    pads = conv_pads(padding, (kh, kw), stride, dilation)
    out_hw = _out_hw(x.shape[2:], (kh, kw), stride, pads, dilation)
    dtype = np.result_type(x, weight, *(() if bias is None else (bias,)))
    x, weight = x.astype(dtype, copy=False), weight.astype(dtype, copy=False)
    bias = None if bias is None else bias.astype(dtype, copy=False)
    return ConvArgs(x, weight, bias, stride, pads, dilation, groups, unbatched, out_hw)


def _finish(out: np.ndarray, a: ConvArgs) -> np.ndarray:
    if a.bias is not None:
        out = out + a.bias[:, None, None]
    return out[0] if a.unbatched else out


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> np.ndarray:
    """2-D convolution (cross-correlation) like ``torch.nn.functional.conv2d``, vectorised.

    im2col (:func:`unfold`) followed by one matrix product per group
    (:func:`conv2d_from_args`). With stride 1 the columns of a few output rows at a time
    are unfolded into a buffer that stays in cache and multiplied straight into the output
    (``convcore._blocked``): same arithmetic, several times faster on large inputs.

    Parameters
    ----------
    input : array_like, shape (N, C_in, H, W) or (C_in, H, W)
    weight : array_like, shape (C_out, C_in/groups, kH, kW)
    bias : array_like, shape (C_out,), optional
    stride, dilation : int or (int, int)
        Both >= 1.
    padding : int, (int, int), 'valid' or 'same'
        Zeros added on each side; ``'same'`` keeps the size (stride 1 only).
    groups : int
        Splits channels into independent groups; must divide C_in and C_out.

    Returns
    -------
    numpy.ndarray, shape (N, C_out, out_h, out_w) or (C_out, out_h, out_w)
        ``out_h = floor((H + 2P − D·(kH − 1) − 1) / S) + 1`` (see :func:`output_size`).

    Raises
    ------
    ValueError
        On a wrong number of dimensions, NaN or infinity, stride or dilation < 1, negative
        padding, channels that do not match the weight or are not divisible by ``groups``,
        or a dilated kernel larger than the padded input.
    """
    a = conv_args(input, weight, bias, stride, padding, dilation, groups)
    if a.stride == (1, 1):
        return _conv2d_stride1(a)
    return conv2d_from_args(a)


def _conv2d_stride1(a: ConvArgs) -> np.ndarray:
    """:func:`conv2d` with stride 1, im2col in cache-sized runs (:mod:`convcore._blocked`)."""
    out = _blocked.correlate(
        a.x, a.weight, a.bias, a.pads, a.stride, a.dilation, a.groups, a.out_hw
    )
    return out[0] if a.unbatched else out


def conv2d_from_args(a: ConvArgs) -> np.ndarray:
    """:func:`conv2d` on arguments already validated by :func:`conv_args`."""
    c_out, c_in_g, kh, kw = a.weight.shape
    cols, out_hw = _unfold_padded(a.x, (kh, kw), a.stride, a.pads, a.dilation)
    n, g = a.x.shape[0], a.groups
    cols = cols.reshape(n, g, c_in_g * kh * kw, -1)
    w = a.weight.reshape(g, c_out // g, c_in_g * kh * kw)
    out = np.matmul(w[None], cols).reshape(n, c_out, *out_hw)
    return _finish(out, a)


def conv2d_direct(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution written as the textbook loop: one window, one dot product at a time.

    Same parameters, result and errors as :func:`conv2d`; slow, but every step is visible.
    This is the code the sliding-window video shows.
    """
    a = conv_args(input, weight, bias, stride, padding, dilation, groups)
    x = pad2d(a.x, a.pads)
    (sh, sw), (dh, dw) = a.stride, a.dilation
    c_out, cg, kh, kw = a.weight.shape
    out = np.zeros((len(x), c_out, *a.out_hw), x.dtype)
    for n in range(len(x)):
        for o in range(c_out):
            c0 = o // (c_out // a.groups) * cg  # o's group
            for i in range(a.out_hw[0]):
                for j in range(a.out_hw[1]):
                    rows = slice(i * sh, i * sh + dh * (kh - 1) + 1, dh)
                    cols = slice(j * sw, j * sw + dw * (kw - 1) + 1, dw)
                    window = x[n, c0 : c0 + cg, rows, cols]
                    out[n, o, i, j] = np.sum(window * a.weight[o])
    return _finish(out, a)
