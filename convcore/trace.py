"""Traces: every number a convolution video shows, computed once, as arrays.

A trace is a frozen dataclass of NumPy arrays (one row per output position, not one Python
object per step). Scenes index it; they never compute.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from convcore._args import check_finite
from convcore._shapes import SizedTrace
from convcore.functional import (
    OutputSizeTerms,
    _windows,
    conv2d_from_args,
    conv_args,
    group_channels,
    output_size_terms,
    pad2d,
)


@dataclass(frozen=True)
class ConvTrace(SizedTrace):
    """The complete arithmetic of one 2-D convolution, position by position.

    Shapes use ``L`` for the number of traced output positions (all of them unless
    ``positions`` was given), ``Cg = C_in / groups``.

    Attributes
    ----------
    x : (N, C_in, H, W) input.
    x_padded : (N, C_in, Hp, Wp) input with the zero padding added.
    pad_mask : (Hp, Wp) bool, True on padding cells.
    weight : (C_out, Cg, kH, kW) kernel.
    bias : (C_out,) bias, zeros when ``has_bias`` is False.
    has_bias : whether a bias was given.
    stride, dilation : (int, int).
    pads : (top, bottom, left, right) zero padding.
    groups : number of channel groups.
    size_h, size_w : the output-size formula's terms for height and width.
    group_channels : (C_out, Cg) input channels that output channel ``o`` reads.
    positions : (L,) flat index (row-major over the output map) of each traced position.
    out_index : (L, 2) output (row, column) of each traced position.
    origins : (L, 2) top-left tap of each window, in padded-input coordinates.
    tap_rows, tap_cols : (L, kH), (L, kW) padded-input rows / columns of the window taps
        (dilation leaves gaps between them).
    windows : (N, L, C_in, kH, kW) input values under each window (all channels).
    products : (N, C_out, L, Cg, kH, kW) window × kernel, element by element.
    channel_sums : (N, C_out, L, Cg) products summed over each input channel's window.
    sums : (N, C_out, L) all products summed (bias not included).
    values : (N, C_out, L) ``sums + bias``: the output value at each traced position.
    out : (N, C_out, out_h, out_w) the full output map (equal to :func:`conv2d`).
    """

    x: np.ndarray
    x_padded: np.ndarray
    pad_mask: np.ndarray
    weight: np.ndarray
    bias: np.ndarray
    has_bias: bool
    stride: tuple[int, int]
    pads: tuple[int, int, int, int]
    dilation: tuple[int, int]
    groups: int
    size_h: OutputSizeTerms
    size_w: OutputSizeTerms
    group_channels: np.ndarray
    positions: np.ndarray
    out_index: np.ndarray
    origins: np.ndarray
    tap_rows: np.ndarray
    tap_cols: np.ndarray
    windows: np.ndarray
    products: np.ndarray
    channel_sums: np.ndarray
    sums: np.ndarray
    values: np.ndarray
    out: np.ndarray

    @property
    def n_steps(self) -> int:
        """Number of traced output positions ``L``."""
        return len(self.positions)


def _positions(positions, out_hw) -> np.ndarray:
    total = out_hw[0] * out_hw[1]
    if positions is None:
        return np.arange(total)
    idx = np.arange(total)[positions] if isinstance(positions, slice) else np.asarray(positions)
    if idx.ndim != 1 or not np.issubdtype(idx.dtype, np.integer):
        raise ValueError("positions must be a slice or a 1-D array of integer indices")
    if idx.size and (idx.min() < 0 or idx.max() >= total):
        raise ValueError(f"positions must lie in [0, {total}), got {idx.min()}..{idx.max()}")
    return idx


def _products(windows, weight, groups) -> np.ndarray:
    """(N, C_out, L, Cg, kH, kW) products, one group at a time (no extra full-size copy)."""
    n, length, _, kh, kw = windows.shape
    c_out, c_in_g = weight.shape[:2]
    per_group = c_out // groups
    out = np.empty((n, c_out, length, c_in_g, kh, kw), np.result_type(windows, weight))
    for g in range(groups):
        win = windows[:, None, :, g * c_in_g : (g + 1) * c_in_g]
        ker = weight[g * per_group : (g + 1) * per_group, None]
        np.multiply(win, ker[None], out=out[:, g * per_group : (g + 1) * per_group])
    return out


def trace_conv2d(
    input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *, positions=None
) -> ConvTrace:
    """Trace a convolution: windows, products, sums and outputs at every position.

    Parameters
    ----------
    input, weight, bias, stride, padding, dilation, groups
        As :func:`convcore.conv2d` (unbatched input is given a batch axis of 1).
    positions : slice or array of int, optional
        Flat output positions (row-major) to trace; all by default. Memory grows with
        ``N·C_out·L·C_in/groups·kH·kW``, so select positions to trace large inputs.

    Returns
    -------
    ConvTrace

    Raises
    ------
    ValueError
        As :func:`convcore.conv2d`, for positions outside the output map, or when a
        product or sum overflows float64 (finite inputs such as 1e308 · 2).
    """
    a = conv_args(input, weight, bias, stride, padding, dilation, groups)
    a = replace(a, unbatched=False)  # a trace always keeps the batch axis, `out` included
    c_out, _, kh, kw = a.weight.shape
    pos = _positions(positions, a.out_hw)
    out_index = np.stack(np.divmod(pos, a.out_hw[1]), axis=1)
    origins = out_index * np.asarray(a.stride)
    x_padded = pad2d(a.x, a.pads)
    view = _windows(x_padded, (kh, kw), a.stride, a.dilation, a.out_hw)
    windows = view[..., out_index[:, 0], out_index[:, 1]].transpose(0, 4, 1, 2, 3)
    bias_arr = np.zeros(c_out, a.x.dtype) if a.bias is None else a.bias
    with np.errstate(over="ignore", invalid="ignore"):
        products = _products(windows, a.weight, a.groups)
        channel_sums = products.sum(axis=(-2, -1))
        sums = channel_sums.sum(axis=-1)
        values = sums + bias_arr[None, :, None]
    check_finite("the convolution's values", (products, values), {"input": a.x, "weight": a.weight})
    pad_mask = np.ones(x_padded.shape[2:], bool)
    pad_mask[a.pads[0] : a.pads[0] + a.x.shape[2], a.pads[2] : a.pads[2] + a.x.shape[3]] = False
    return ConvTrace(
        x=a.x,
        x_padded=x_padded,
        pad_mask=pad_mask,
        weight=a.weight,
        bias=bias_arr,
        has_bias=a.bias is not None,
        stride=a.stride,
        pads=a.pads,
        dilation=a.dilation,
        groups=a.groups,
        size_h=output_size_terms(a.x.shape[2], kh, a.stride[0], a.pads[:2], a.dilation[0]),
        size_w=output_size_terms(a.x.shape[3], kw, a.stride[1], a.pads[2:], a.dilation[1]),
        group_channels=group_channels(a.x.shape[1], c_out, a.groups),
        positions=pos,
        out_index=out_index,
        origins=origins,
        tap_rows=origins[:, :1] + a.dilation[0] * np.arange(kh)[None, :],
        tap_cols=origins[:, 1:] + a.dilation[1] * np.arange(kw)[None, :],
        windows=windows,
        products=products,
        channel_sums=channel_sums,
        sums=sums,
        values=values,
        out=conv2d_from_args(a),
    )
