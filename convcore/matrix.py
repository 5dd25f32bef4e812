"""Convolution as one matrix product: the unrolled weight matrix, and im2col.

Two ways to write ``conv2d`` as a single matrix product, for one (unbatched) input:

* :func:`conv_matrix` unrolls the *weight* into a mostly-zero matrix ``M`` of shape
  ``(C_out·out_h·out_w, C_in·H·W)`` so that ``out.reshape(-1) = M @ x.reshape(-1)``.
  Its transpose maps output gradients back onto the input: ``grad_x = M.T @ grad_out``.
* :func:`im2col_trace` unrolls the *input* into a patch matrix (:func:`convcore.unfold`)
  and multiplies it by the flattened kernel: ``out = weight_rows @ patches``.

Row and column orders are always row-major: output rows run over ``(o, i, j)``, input
columns over ``(c, r, col)``, patch rows over ``(c, kernel row, kernel column)`` as in
:func:`convcore.unfold`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convcore._args import as_float_array, check_finite, integer, pair
from convcore._shapes import SizedTrace
from convcore.functional import (
    ConvArgs,
    OutputSizeTerms,
    _unfold_padded,
    conv_args,
    group_channels,
    output_size_terms,
    pad2d,
)


def _tap_grid(kernel, stride, dilation, out_hw) -> tuple[np.ndarray, np.ndarray]:
    """Padded-input ``(rows, cols)``, each ``(kH·kW, L)``, of every tap of every window.

    Rows are ordered (kernel row, kernel column) and columns row-major over the output,
    as in :func:`convcore.unfold`.
    """
    tap_r, tap_c = np.divmod(np.arange(kernel[0] * kernel[1]), kernel[1])
    out_r, out_c = np.divmod(np.arange(out_hw[0] * out_hw[1]), out_hw[1])
    rows = tap_r[:, None] * dilation[0] + out_r[None, :] * stride[0]
    cols = tap_c[:, None] * dilation[1] + out_c[None, :] * stride[1]
    return rows, cols


def _size_terms(a: ConvArgs) -> tuple[OutputSizeTerms, OutputSizeTerms]:
    kh, kw = a.weight.shape[2:]
    h, w = a.x.shape[2:]
    return (
        output_size_terms(h, kh, a.stride[0], a.pads[:2], a.dilation[0]),
        output_size_terms(w, kw, a.stride[1], a.pads[2:], a.dilation[1]),
    )


def _matrix_args(weight, input_size, stride, padding, dilation, groups) -> ConvArgs:
    """Validate via :func:`conv_args` on a zero input of the size the weight expects."""
    weight = as_float_array(weight, "weight", (4,))
    h, w = pair(input_size, "input_size")
    c_in = weight.shape[1] * integer(groups, "groups")
    return conv_args(np.zeros((c_in, h, w)), weight, None, stride, padding, dilation, groups)


def _row_columns(a: ConvArgs) -> np.ndarray:
    """``(C_out·L, Cg·kH·kW)`` column of ``M`` that each kernel entry occupies, −1 on padding.

    Row ``o·L + l`` is output channel ``o`` at flat output position ``l``; entry ``t``
    indexes ``weight[o].reshape(-1)``.
    """
    c_out, c_in_g, kh, kw = a.weight.shape
    h, w = a.x.shape[2:]
    rows, cols = _tap_grid((kh, kw), a.stride, a.dilation, a.out_hw)
    r, c = rows - a.pads[0], cols - a.pads[2]
    inside = (r >= 0) & (r < h) & (c >= 0) & (c < w)
    channel = group_channels(a.x.shape[1], c_out, a.groups)  # (C_out, Cg)
    column = channel[:, :, None, None] * (h * w) + (r * w + c)[None, None]
    column = np.where(inside[None, None], column, -1)  # (C_out, Cg, kH·kW, L)
    column = column.reshape(c_out, c_in_g * kh * kw, -1)  # (C_out, T, L)
    return column.transpose(0, 2, 1).reshape(-1, c_in_g * kh * kw)


def _scatter(row_columns: np.ndarray, values: np.ndarray, n_cols: int, fill) -> np.ndarray:
    """Dense ``(R, n_cols)`` array holding ``values[r, t]`` at ``row_columns[r, t]``."""
    out = np.full((row_columns.shape[0], n_cols), fill, dtype=values.dtype)
    rows = np.broadcast_to(np.arange(row_columns.shape[0])[:, None], row_columns.shape)
    used = row_columns >= 0
    out[rows[used], row_columns[used]] = values[used]  # taps of one window never collide
    return out


def _weight_rows(a: ConvArgs) -> np.ndarray:
    """``(C_out·L, Cg·kH·kW)``: row ``o·L + l`` holds ``weight[o].reshape(-1)``."""
    c_out = a.weight.shape[0]
    return np.repeat(a.weight.reshape(c_out, -1), a.out_hw[0] * a.out_hw[1], axis=0)


def _matrix_from_args(a: ConvArgs) -> np.ndarray:
    return _scatter(_row_columns(a), _weight_rows(a), a.x[0].size, 0.0)


def conv_matrix(weight, input_size, stride=1, padding=0, dilation=1, groups=1) -> np.ndarray:
    """The convolution as one matrix: the unrolled, mostly-zero weight matrix ``M``.

    Row ``o·out_h·out_w + i·out_w + j`` holds output ``(o, i, j)``'s kernel, laid out on
    the columns of the input cells its window covers; padding cells are simply missing
    columns. For one unbatched input ``x`` of shape ``(C_in, H, W)``::

        M @ x.reshape(-1) == conv2d(x, weight, None, stride, padding, dilation,
                                    groups).reshape(-1)
        M.T @ grad_out.reshape(-1) == grad_x.reshape(-1)   # the input gradient

    For the article's 5×5 input and 3×3 kernel ``M`` is 9×25 with 81 kernel entries.

    Parameters
    ----------
    weight : array_like, shape (C_out, C_in/groups, kH, kW)
    input_size : int or (int, int)
        Spatial size ``(H, W)`` of the input; ``C_in = weight.shape[1]·groups``.
    stride, padding, dilation, groups
        As :func:`convcore.conv2d` (``padding`` may be ``'valid'`` or ``'same'``).

    Returns
    -------
    numpy.ndarray, shape (C_out·out_h·out_w, C_in·H·W)
        Dense; memory grows with the product of input and output sizes.

    Raises
    ------
    ValueError
        As :func:`convcore.conv2d`, or if ``input_size`` is not a positive int or pair.
    """
    return _matrix_from_args(_matrix_args(weight, input_size, stride, padding, dilation, groups))


def _single(input, weight) -> tuple[np.ndarray, np.ndarray]:
    """Accept ``(H, W)``/``(C_in, H, W)`` input and ``(kH, kW)``/4-D weight; return 3-D, 4-D."""
    x = as_float_array(input, "input", (2, 3))
    weight = as_float_array(weight, "weight", (2, 4))
    return (x[None] if x.ndim == 2 else x), (weight[None, None] if weight.ndim == 2 else weight)


def _indices(shape) -> np.ndarray:
    """``(prod(shape), len(shape))`` multi-index of every element of ``shape``, row-major."""
    return np.stack(np.unravel_index(np.arange(int(np.prod(shape))), shape), axis=1)


@dataclass(frozen=True)
class ConvMatrixTrace(SizedTrace):
    """Convolution of one input as ``M @ x``, and the transpose's action ``M.T @ g``.

    Shapes use ``R = C_out·out_h·out_w`` (rows of ``M``), ``Q = C_in·H·W`` (columns) and
    ``T = Cg·kH·kW`` (kernel entries per output channel, ``Cg = C_in/groups``).
    Row ``r`` is output ``row_out_index[r] = (o, i, j)``; column ``q`` is input cell
    ``column_in_index[q] = (c, row, col)``; kernel entry ``t`` is
    ``weight[o].reshape(-1)[t] = weight[o, tap_index[t][0], tap_index[t][1], tap_index[t][2]]``.

    Attributes
    ----------
    x : (C_in, H, W) the input.
    weight : (C_out, Cg, kH, kW) the kernel.
    stride, dilation : (int, int).
    pads : (top, bottom, left, right) zero padding (padding cells are missing columns).
    groups : number of channel groups.
    size_h, size_w : the output-size formula's terms for height and width.
    matrix : (R, Q) the unrolled weight matrix ``M``.
    matrix_t : (Q, R) its transpose ``M.T`` (a view).
    entry_index : (R, Q) int, the kernel entry ``t`` in each cell of ``M``; −1 where the
        cell is a structural zero.
    row_columns : (R, T) int, column of ``M`` holding kernel entry ``t`` in row ``r``;
        −1 where that entry lands on padding (it then appears nowhere in the row).
    row_values : (R, T) the kernel entry values along each row (``weight[o]`` flattened).
    row_terms : (R, T) each kernel entry times the input value it meets (0 on padding);
        ``row_terms.sum(1) == out_flat``.
    row_out_index : (R, 3) int ``(o, i, j)`` of each row.
    column_in_index : (Q, 3) int ``(c, row, col)`` of each column.
    tap_index : (T, 3) int ``(channel within group, kernel row, kernel column)`` of entry t.
    x_flat : (Q,) the flattened input.
    out_flat : (R,) ``matrix @ x_flat``.
    out : (C_out, out_h, out_w) ``out_flat`` reshaped (equal to :func:`convcore.conv2d`).
    n_total : ``R·Q`` cells of ``M``.
    n_nonzero : cells holding a kernel entry (structural non-zeros, whatever their value).
    n_zero : ``n_total − n_nonzero``.
    column_counts : (Q,) int, kernel entries in each column of ``M``: how many outputs
        input cell ``q`` feeds (the number of terms summed into ``grad_x_flat[q]``).
    busiest_column : the column of ``M`` with the most kernel entries (the first of equals):
        the input cell that feeds the most outputs.
    grad_out : (C_out, out_h, out_w) the output-side vector ``g`` fed to the transpose.
    grad_out_flat : (R,) ``g`` flattened.
    grad_terms : (Q, R) ``matrix_t * grad_out_flat``: the terms summed into each input cell.
    grad_x_flat : (Q,) ``matrix_t @ grad_out_flat``.
    grad_x : (C_in, H, W) ``grad_x_flat`` reshaped: the gradient of ``<conv2d(x), g>`` with
        respect to ``x``, i.e. the transposed convolution of ``g``.
    """

    x: np.ndarray
    weight: np.ndarray
    stride: tuple[int, int]
    pads: tuple[int, int, int, int]
    dilation: tuple[int, int]
    groups: int
    size_h: OutputSizeTerms
    size_w: OutputSizeTerms
    matrix: np.ndarray
    matrix_t: np.ndarray
    entry_index: np.ndarray
    row_columns: np.ndarray
    row_values: np.ndarray
    row_terms: np.ndarray
    row_out_index: np.ndarray
    column_in_index: np.ndarray
    tap_index: np.ndarray
    x_flat: np.ndarray
    out_flat: np.ndarray
    out: np.ndarray
    n_total: int
    n_nonzero: int
    n_zero: int
    column_counts: np.ndarray
    busiest_column: int
    grad_out: np.ndarray
    grad_out_flat: np.ndarray
    grad_terms: np.ndarray
    grad_x_flat: np.ndarray
    grad_x: np.ndarray


def _grad_out(grad_out, n_rows: int, out_shape) -> np.ndarray:
    """``(R,)`` flat output-side vector: ones by default, else ``grad_out`` with R values."""
    if grad_out is None:
        return np.ones(n_rows)
    g = as_float_array(grad_out, "grad_out", (1, 2, 3))
    if g.size != n_rows:
        raise ValueError(
            f"grad_out must hold C_out·out_h·out_w = {n_rows} values (shape {out_shape}), "
            f"got shape {g.shape}"
        )
    return g.reshape(-1)


def _entry_index(row_columns: np.ndarray, n_cols: int) -> np.ndarray:
    """``(R, Q)`` kernel entry index in each cell of ``M``, −1 on structural zeros."""
    entries = np.broadcast_to(np.arange(row_columns.shape[1])[None, :], row_columns.shape)
    return _scatter(row_columns, entries, n_cols, -1)


def _forward_fields(a: ConvArgs) -> dict:
    """The :class:`ConvMatrixTrace` fields of ``M`` and of the product ``M @ x``."""
    row_columns, row_values = _row_columns(a), _weight_rows(a)
    x_flat = a.x.reshape(-1)
    matrix = _scatter(row_columns, row_values, x_flat.size, 0.0)
    out_flat = matrix @ x_flat
    n_nonzero = int(np.count_nonzero(row_columns >= 0))
    column_counts = np.bincount(row_columns[row_columns >= 0], minlength=x_flat.size)
    return {
        "matrix": matrix,
        "entry_index": _entry_index(row_columns, x_flat.size),
        "row_columns": row_columns,
        "row_values": row_values,
        "row_terms": np.where(row_columns >= 0, row_values * x_flat[row_columns], 0.0),
        "row_out_index": _indices((a.weight.shape[0], *a.out_hw)),
        "column_in_index": _indices(a.x.shape[1:]),
        "tap_index": _indices(a.weight.shape[1:]),
        "x_flat": x_flat,
        "out_flat": out_flat,
        "out": out_flat.reshape(a.weight.shape[0], *a.out_hw),
        "n_total": matrix.size,
        "n_nonzero": n_nonzero,
        "n_zero": matrix.size - n_nonzero,
        "column_counts": column_counts,
        "busiest_column": int(np.argmax(column_counts)),
    }


def _transpose_fields(matrix: np.ndarray, g: np.ndarray, out_shape, x_shape) -> dict:
    """The :class:`ConvMatrixTrace` fields of the transpose's action ``M.T @ g``."""
    grad_x_flat = matrix.T @ g
    return {
        "matrix_t": matrix.T,
        "grad_out": g.reshape(out_shape),
        "grad_out_flat": g,
        "grad_terms": matrix.T * g[None, :],
        "grad_x_flat": grad_x_flat,
        "grad_x": grad_x_flat.reshape(x_shape),
    }


def conv_matrix_trace(
    input, weight, stride=1, padding=0, dilation=1, groups=1, *, grad_out=None
) -> ConvMatrixTrace:
    """Trace ``conv2d`` as one matrix product ``M @ x`` and its transpose ``M.T @ g``.

    Parameters
    ----------
    input : array_like, shape (C_in, H, W), or (H, W) for one channel
    weight : array_like, shape (C_out, C_in/groups, kH, kW), or (kH, kW) for one channel
    stride, padding, dilation, groups
        As :func:`convcore.conv2d`. No bias: it would be added after the product.
    grad_out : array_like with C_out·out_h·out_w values, optional
        The vector ``g`` sent back through ``M.T`` (any shape with that many values, read
        row-major as ``(C_out, out_h, out_w)``); all ones by default.

    Returns
    -------
    ConvMatrixTrace
        ``out`` equals :func:`convcore.conv2d`; ``grad_x`` equals the input gradient of
        ``sum(conv2d(x) * grad_out)``, i.e. ``conv_transpose2d(grad_out, weight)``.

    Raises
    ------
    ValueError
        As :func:`convcore.conv2d`, or if ``grad_out`` has the wrong number of values.
    """
    x, weight = _single(input, weight)
    a = conv_args(x, weight, None, stride, padding, dilation, groups)
    size_h, size_w = _size_terms(a)
    with np.errstate(over="ignore", invalid="ignore"):
        forward = _forward_fields(a)
    results = (forward["row_terms"], forward["out_flat"])
    check_finite("the matrix product's values", results, {"input": a.x, "weight": a.weight})
    out_shape = forward["out"].shape
    g = _grad_out(grad_out, forward["out_flat"].size, out_shape)
    return ConvMatrixTrace(
        x=a.x[0],
        weight=a.weight,
        stride=a.stride,
        pads=a.pads,
        dilation=a.dilation,
        groups=a.groups,
        size_h=size_h,
        size_w=size_w,
        **forward,
        **_transpose_fields(forward["matrix"], g, out_shape, a.x.shape[1:]),
    )


@dataclass(frozen=True)
class Im2colTrace(SizedTrace):
    """Convolution of one input as im2col: ``kernel_rows @ patches``, reshaped.

    Shapes use ``K = C_in·kH·kW`` (rows of the patch matrix, ordered channel, kernel row,
    kernel column as in :func:`convcore.unfold`) and ``L = out_h·out_w`` (its columns, one
    per output position, row-major). With ``groups`` > 1 output channel ``o`` reads only
    the patch rows of its group's channels (``in_group[o]``): ``kernel_rows`` is then
    block-diagonal, zero outside the group, and the one product still gives the output.

    Attributes
    ----------
    x : (C_in, H, W) the input.
    x_padded : (C_in, Hp, Wp) the input with its zero padding.
    pad_mask : (Hp, Wp) bool, True on padding cells.
    weight : (C_out, C_in/groups, kH, kW) the kernel.
    bias : (C_out,) bias, zeros when ``has_bias`` is False.
    has_bias : whether a bias was given.
    stride, dilation : (int, int).
    pads : (top, bottom, left, right) zero padding.
    groups : number of channel groups.
    size_h, size_w : the output-size formula's terms for height and width.
    patches : (K, L) the patch matrix, :func:`convcore.unfold` of the input; column ``l``
        is the window of output position ``out_index[l]`` (zeros on padding).
    patch_row_index : (K, 3) int ``(channel, kernel row, kernel column)`` of each row.
    out_index : (L, 2) int output ``(row, column)`` of each column.
    padded_rows, padded_cols : (K, L) int cell of ``x_padded`` each patch entry came from.
    source_rows, source_cols : (K, L) int the same cell in ``x`` coordinates (outside
        ``[0, H)``/``[0, W)`` on padding).
    source_index : (K, L) int flat index into ``x.reshape(-1)``, −1 on padding.
    is_padding : (K, L) bool, True where the entry is a padding zero.
    kernel_rows : (C_out, K) the flattened kernel, one row per output channel (row ``o``
        holds ``weight[o]`` on its group's patch rows and zeros elsewhere).
    in_group : (C_out, K) bool, True on the patch rows output channel ``o`` reads (all
        True when ``groups`` is 1).
    terms : (C_out, K, L) ``kernel_rows[:, :, None] * patches``: the products of each
        row·column dot product.
    product : (C_out, L) ``kernel_rows @ patches`` (``terms.sum(1)``; bias not included).
    values : (C_out, L) ``product + bias``.
    out : (C_out, out_h, out_w) ``values`` reshaped (equal to :func:`convcore.conv2d`).
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
    patches: np.ndarray
    patch_row_index: np.ndarray
    out_index: np.ndarray
    padded_rows: np.ndarray
    padded_cols: np.ndarray
    source_rows: np.ndarray
    source_cols: np.ndarray
    source_index: np.ndarray
    is_padding: np.ndarray
    kernel_rows: np.ndarray
    in_group: np.ndarray
    terms: np.ndarray
    product: np.ndarray
    values: np.ndarray
    out: np.ndarray


def _patch_sources(a: ConvArgs) -> dict:
    """Where every patch entry comes from: padded and unpadded cells, padding flags."""
    c_in, h, w = a.x.shape[1:]
    rows, cols = _tap_grid(a.weight.shape[2:], a.stride, a.dilation, a.out_hw)
    padded_rows, padded_cols = np.tile(rows, (c_in, 1)), np.tile(cols, (c_in, 1))
    src_r, src_c = padded_rows - a.pads[0], padded_cols - a.pads[2]
    is_padding = (src_r < 0) | (src_r >= h) | (src_c < 0) | (src_c >= w)
    channel = np.repeat(np.arange(c_in), rows.shape[0])[:, None]
    x_padded = pad2d(a.x[0], a.pads)
    pad_mask = np.ones(x_padded.shape[1:], bool)
    pad_mask[a.pads[0] : a.pads[0] + h, a.pads[2] : a.pads[2] + w] = False
    return {
        "x_padded": x_padded,
        "pad_mask": pad_mask,
        "padded_rows": padded_rows,
        "padded_cols": padded_cols,
        "source_rows": src_r,
        "source_cols": src_c,
        "source_index": np.where(is_padding, -1, (channel * h + src_r) * w + src_c),
        "is_padding": is_padding,
    }


def _in_group(a: ConvArgs) -> np.ndarray:
    """``(C_out, C_in·kH·kW)`` bool: the patch rows (channel-major) output ``o`` reads."""
    c_out, _, kh, kw = a.weight.shape
    channels = group_channels(a.x.shape[1], c_out, a.groups)  # (C_out, Cg)
    mask = np.zeros((c_out, a.x.shape[1]), bool)
    mask[np.arange(c_out)[:, None], channels] = True
    return np.repeat(mask, kh * kw, axis=1)


def im2col_trace(
    input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1
) -> Im2colTrace:
    """Trace ``conv2d`` as im2col: patch matrix, flattened kernel, one product, reshape.

    ``out = (kernel_rows @ patches + bias).reshape(C_out, out_h, out_w)`` with
    ``patches = unfold(x)`` of shape ``(C_in·kH·kW, out_h·out_w)``. With ``groups`` > 1,
    ``kernel_rows`` is block-diagonal (each filter's kernel on its group's patch rows,
    zeros elsewhere), so the same single product computes the grouped convolution.

    Parameters
    ----------
    input : array_like, shape (C_in, H, W), or (H, W) for one channel
    weight : array_like, shape (C_out, C_in/groups, kH, kW), or (kH, kW) for one channel
    bias : array_like, shape (C_out,), optional
    stride, padding, dilation, groups
        As :func:`convcore.conv2d`.

    Returns
    -------
    Im2colTrace

    Raises
    ------
    ValueError
        As :func:`convcore.conv2d`.
    """
    x, weight = _single(input, weight)
    a = conv_args(x, weight, bias, stride, padding, dilation, groups)
    c_out, _, kh, kw = a.weight.shape
    patches = _unfold_padded(a.x, (kh, kw), a.stride, a.pads, a.dilation)[0][0]
    in_group = _in_group(a)
    kernel_rows = np.zeros((c_out, patches.shape[0]), a.weight.dtype)
    kernel_rows[in_group] = a.weight.reshape(-1)
    bias_arr = np.zeros(c_out, a.x.dtype) if a.bias is None else a.bias
    with np.errstate(over="ignore", invalid="ignore"):
        products = kernel_rows[:, :, None] * patches[None]
        product = kernel_rows @ patches
        values = product + bias_arr[:, None]
    check_finite("im2col's values", (products, values), {"input": a.x, "weight": a.weight})
    size_h, size_w = _size_terms(a)
    return Im2colTrace(
        x=a.x[0],
        weight=a.weight,
        bias=bias_arr,
        has_bias=a.bias is not None,
        stride=a.stride,
        pads=a.pads,
        dilation=a.dilation,
        groups=a.groups,
        size_h=size_h,
        size_w=size_w,
        patches=patches,
        patch_row_index=_indices((a.x.shape[1], kh, kw)),
        out_index=_indices(a.out_hw),
        kernel_rows=kernel_rows,
        in_group=in_group,
        terms=kernel_rows[:, :, None] * patches[None],
        product=product,
        values=values,
        out=values.reshape(c_out, *a.out_hw),
        **_patch_sources(a),
    )
