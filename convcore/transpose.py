"""Transposed convolution mirroring ``torch.nn.functional.conv_transpose2d``, and its trace.

Shapes follow PyTorch: input ``(N, C_in, H, W)`` (or unbatched ``(C_in, H, W)``), weight
``(C_in, C_out/groups, kH, kW)`` (in and out swapped with respect to ``conv2d``), bias
``(C_out,)``. ``stride``, ``padding``, ``output_padding`` and ``dilation`` are an int or a
pair.

Every input cell scatters a copy of the kernel scaled by its value into the output: block
``(i, j)`` lands with its top-left tap at ``(i·s, j·s)`` of the *full* output, taps
``dilation`` apart, overlapping blocks add. The full output is ``(H − 1)·s + d·(k − 1) + 1``
rows high; ``output_padding`` adds zero rows at the bottom (columns at the right) and
``padding`` crops that many from each side (:func:`convcore.transposed_output_size`).

The same numbers as a direct convolution: the input stretched by ``s − 1`` zeros between
cells, padded by ``d·(k − 1) − p`` at the top/left and ``d·(k − 1) − p + output_padding``
at the bottom/right, correlated at stride 1 with the kernel rotated by 180°.

:func:`conv_transpose2d` is the fast route (one matrix product input → kernel blocks, then
col2im one stride phase at a time); :func:`conv_transpose2d_direct` is the scatter loop;
:func:`trace_conv_transpose2d` records both pictures for the videos.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from convcore._args import as_float_array, batched, integer, pair
from convcore._shapes import SizedTrace
from convcore.backward import _flip_kernel, dilate2d
from convcore.functional import _unfold_padded, pad2d
from convcore.sizes import TransposedOutputSizeTerms, transposed_output_size_terms
from convcore.trace import ConvTrace, trace_conv2d


@dataclass(frozen=True)
class TransposeArgs:
    """Validated, normalised arguments of one transposed convolution (internal)."""

    x: np.ndarray  # (N, C_in, H, W)
    weight: np.ndarray  # (C_in, C_out/groups, kH, kW)
    bias: np.ndarray | None  # (C_out,)
    stride: tuple[int, int]
    padding: tuple[int, int]
    output_padding: tuple[int, int]
    dilation: tuple[int, int]
    groups: int
    unbatched: bool
    size_h: TransposedOutputSizeTerms
    size_w: TransposedOutputSizeTerms

    @property
    def out_hw(self) -> tuple[int, int]:
        return self.size_h.out, self.size_w.out

    @property
    def full_hw(self) -> tuple[int, int]:
        return self.size_h.full, self.size_w.full


def _channels(x: np.ndarray, weight: np.ndarray, groups: int) -> int:
    """Check channels against the weight and ``groups``; return ``C_out``."""
    c_in = x.shape[1]
    if weight.shape[0] != c_in:
        raise ValueError(
            f"weight of shape {weight.shape} expects {weight.shape[0]} input channels "
            f"(its first axis) but input has {c_in}"
        )
    if c_in % groups:
        raise ValueError(f"groups={groups} must divide the input channels ({c_in})")
    return weight.shape[1] * groups


def _sizes(x, weight, stride, padding, output_padding, dilation):
    """Height and width terms of :func:`convcore.transposed_output_size_terms`."""
    if any(o >= s and o >= d for o, s, d in zip(output_padding, stride, dilation, strict=True)):
        raise ValueError(
            f"output_padding must be smaller than either stride or dilation, got "
            f"output_padding {output_padding}, stride {stride}, dilation {dilation}"
        )
    return tuple(
        transposed_output_size_terms(
            x.shape[2 + i],
            weight.shape[2 + i],
            stride[i],
            padding[i],
            output_padding[i],
            dilation[i],
        )
        for i in range(2)
    )


def transpose_args(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> TransposeArgs:
    """Validate and normalise the arguments of :func:`conv_transpose2d` (``ValueError``)."""
    x, unbatched = batched(as_float_array(input, "input", (3, 4)))
    weight = as_float_array(weight, "weight", (4,))
    groups = integer(groups, "groups")
    c_out = _channels(x, weight, groups)
    if bias is not None:
        bias = as_float_array(bias, "bias", (1,))
        if bias.shape != (c_out,):
            raise ValueError(f"bias must have shape ({c_out},), got {bias.shape}")
    stride, dilation = pair(stride, "stride"), pair(dilation, "dilation")
    padding = pair(padding, "padding", minimum=0)
    output_padding = pair(output_padding, "output_padding", minimum=0)
    size_h, size_w = _sizes(x, weight, stride, padding, output_padding, dilation)
    dtype = np.result_type(x, weight, *(() if bias is None else (bias,)))
    x, weight = x.astype(dtype, copy=False), weight.astype(dtype, copy=False)
    bias = None if bias is None else bias.astype(dtype, copy=False)
    return TransposeArgs(
        x,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        dilation,
        groups,
        unbatched,
        size_h,
        size_w,
    )


def _crop(full: np.ndarray, a: TransposeArgs) -> np.ndarray:
    """Full output → output: ``output_padding`` zeros at the bottom/right, ``padding`` cut."""
    (ph, pw), (oph, opw) = a.padding, a.output_padding
    extended = pad2d(full, (0, oph, 0, opw))
    out_h, out_w = a.out_hw
    return extended[:, :, ph : ph + out_h, pw : pw + out_w]


def _finish(out: np.ndarray, a: TransposeArgs) -> np.ndarray:
    out = out + a.bias[:, None, None] if a.bias is not None else np.ascontiguousarray(out)
    return out[0] if a.unbatched else out


def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> np.ndarray:
    """2-D transposed convolution like ``torch.nn.functional.conv_transpose2d``, vectorised.

    Image by image, one matrix product per group turns every input cell into its kernel
    block scaled by the cell (``blocks_g = weight_gᵀ @ x_g``, ``(C_out/groups·kH·kW,
    H·W)``); the blocks are then added into place, one stride phase at a time, and
    cropped (col2im, see :func:`_add_blocks`).

    Parameters
    ----------
    input : array_like, shape (N, C_in, H, W) or (C_in, H, W)
    weight : array_like, shape (C_in, C_out/groups, kH, kW)
    bias : array_like, shape (C_out,), optional
    stride, dilation : int or (int, int)
        Both >= 1.
    padding : int or (int, int)
        Rows/columns cropped from each side of the full output (>= 0).
    output_padding : int or (int, int)
        Rows/columns added at the bottom/right (>= 0, smaller than stride or dilation).
    groups : int
        Must divide C_in; C_out = ``weight.shape[1]·groups``.

    Returns
    -------
    numpy.ndarray, shape (N, C_out, out_h, out_w) or (C_out, out_h, out_w)
        ``out_h = (H − 1)·s − 2p + d·(kH − 1) + output_padding + 1`` (see
        :func:`convcore.transposed_output_size`).

    Raises
    ------
    ValueError
        On a wrong number of dimensions, NaN or infinity, stride or dilation < 1, negative
        padding, ``output_padding`` not smaller than either stride or dilation, channels that
        do not match the weight or are not divisible by ``groups``, or an output size < 1.
    """
    a = transpose_args(input, weight, bias, stride, padding, output_padding, groups, dilation)
    n, c_in, h, w = a.x.shape
    g, (_, c_out_g, kh, kw) = a.groups, a.weight.shape
    # zero rows/columns at the bottom/right, for the shifts of _add_blocks
    mh, mw = (d * (k - 1) // s for d, k, s in zip(a.dilation, (kh, kw), a.stride, strict=True))
    x = pad2d(a.x, (0, mh, 0, mw)).reshape(n, g, c_in // g, (h + mh) * (w + mw))
    w_t = a.weight.reshape(g, c_in // g, c_out_g * kh * kw).transpose(0, 2, 1)
    out = np.empty((n, g * c_out_g, *a.out_hw), a.x.dtype)
    for i in range(n):  # one image at a time, so that its blocks stay in the CPU cache
        blocks = np.matmul(w_t, x[i]).reshape(g * c_out_g, kh * kw, -1)
        _add_blocks(blocks, a, (h + mh, w + mw), out[i])
    if a.bias is not None:
        out += a.bias[:, None, None]
    return out[0] if a.unbatched else out


def _add_blocks(blocks: np.ndarray, a: TransposeArgs, hw_padded, out: np.ndarray) -> None:
    """Add one image's blocks ``(C_out, kH·kW, Hp·Wp)`` into ``out``, by stride phase.

    col2im: tap ``(i, j)`` of input cell ``(r, c)`` lands on full-output row ``r·s + i·d``,
    which is row ``r + (i·d) // s`` of phase ``(i·d) % s`` (the rows ``≡ phase mod s``).
    Within a phase every tap's plane is the input grid shifted by whole cells: on the
    flattened ``Hp × Wp`` grid (the input with ``(d·(k − 1)) // s`` zero rows and columns
    added, so shifted cells never wrap) that is one contiguous addition per tap. Each phase
    is then written into ``out`` ``(C_out, out_h, out_w)`` with stride ``s``, the padding
    cropped. Measured on 8×64×28×28 → 64, k=4, s=2, float32, one thread: 13 ms in all,
    against 24 ms with :func:`convcore.fold`, whose ``kH·kW`` strided additions run over
    rows only ``W`` long.
    """
    c_out, taps, length = blocks.shape
    (sh, sw), (dh, dw), kw = a.stride, a.dilation, a.weight.shape[3]
    hp, wp = hw_padded
    phases: dict[tuple[int, int], np.ndarray] = {}
    for t in range(taps):
        (qh, rh), (qw, rw) = divmod(t // kw * dh, sh), divmod(t % kw * dw, sw)
        shift = qh * wp + qw
        if (rh, rw) in phases:
            phases[rh, rw][:, shift:] += blocks[:, t, : length - shift]
        else:
            plane = phases[rh, rw] = np.empty((c_out, length), blocks.dtype)
            plane[:, :shift] = 0
            plane[:, shift:] = blocks[:, t, : length - shift]
    out[...] = 0  # phases without taps (dilation a multiple of stride) and output_padding
    for (rh, rw), plane in phases.items():
        (rows, plane_rows), (cols, plane_cols) = _phase(rh, a.size_h, hp), _phase(rw, a.size_w, wp)
        out[:, rows, cols] = plane.reshape(c_out, hp, wp)[:, plane_rows, plane_cols]


def _phase(phase: int, terms: TransposedOutputSizeTerms, plane_size: int) -> tuple[slice, slice]:
    """Output rows of one stride phase, and the rows of its plane that they show."""
    first = (phase - terms.padding) % terms.stride  # output row o is full row o + padding
    start = (first + terms.padding - phase) // terms.stride
    count = max(0, min(len(range(first, terms.out, terms.stride)), plane_size - start))
    return slice(first, first + terms.stride * count, terms.stride), slice(start, start + count)


def conv_transpose2d_direct(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> np.ndarray:
    """Transposed convolution written as the scatter loop: one input cell at a time.

    Each input value times its kernel is added into the full output at ``(i·s, j·s)``;
    the full output is then cropped. Same parameters, result and errors as
    :func:`conv_transpose2d`; slow, but every step is visible.
    """
    a = transpose_args(input, weight, bias, stride, padding, output_padding, groups, dilation)
    n, c_in, h, w = a.x.shape
    _, c_out_g, kh, kw = a.weight.shape
    c_in_g = c_in // a.groups
    (sh, sw), (dh, dw) = a.stride, a.dilation
    full = np.zeros((n, c_out_g * a.groups, *a.full_hw), a.x.dtype)
    for b in range(n):
        for ci in range(c_in):
            o0 = ci // c_in_g * c_out_g  # first output channel of ci's group
            for i in range(h):
                for j in range(w):
                    rows = slice(i * sh, i * sh + dh * (kh - 1) + 1, dh)
                    cols = slice(j * sw, j * sw + dw * (kw - 1) + 1, dw)
                    full[b, o0 : o0 + c_out_g, rows, cols] += a.x[b, ci, i, j] * a.weight[ci]
    return _finish(_crop(full, a), a)


def _grad_out(grad_output, a: TransposeArgs) -> np.ndarray:
    """Validate ``grad_output`` against the forward output shape; return it batched."""
    g = as_float_array(grad_output, "grad_output", (3, 4))
    expected = (a.x.shape[0], a.weight.shape[1] * a.groups, *a.out_hw)
    shown = expected[1:] if a.unbatched else expected
    if g.shape != shown:
        raise ValueError(
            f"grad_output must have the conv_transpose2d output shape {shown}, got {g.shape}"
        )
    return (g[None] if a.unbatched else g).astype(np.result_type(g, a.x), copy=False)


def conv_transpose2d_backward(
    grad_output,
    input,
    weight,
    stride=1,
    padding=0,
    output_padding=0,
    groups=1,
    dilation=1,
    bias=True,
):
    """Gradients of :func:`conv_transpose2d` with respect to input, weight and bias.

    A transposed convolution is the adjoint of ``conv2d`` with the same weight, so with
    ``cols`` the im2col columns of ``grad_out`` (:func:`convcore.unfold` with the forward
    stride, padding and dilation; one window per input cell), per group ``g``:
    ``grad_x_g = weight_g @ cols_g`` (that is, ``conv2d(grad_out, weight)``),
    ``grad_weight_g = Σ_n x_g @ cols_gᵀ``, and ``grad_bias = Σ_{n, out_h, out_w} grad_out``.

    Parameters
    ----------
    grad_output : array_like, shape (N, C_out, out_h, out_w) or (C_out, out_h, out_w)
    input : array_like, shape (N, C_in, H, W) or (C_in, H, W)
    weight : array_like, shape (C_in, C_out/groups, kH, kW)
    stride, padding, output_padding, groups, dilation
        As :func:`conv_transpose2d`.
    bias : bool
        Whether the transposed convolution had a bias; if False, ``grad_bias`` is None.

    Returns
    -------
    grad_input : numpy.ndarray, shape of ``input``
    grad_weight : numpy.ndarray, shape (C_in, C_out/groups, kH, kW)
    grad_bias : numpy.ndarray, shape (C_out,), or None

    Raises
    ------
    ValueError
        As :func:`conv_transpose2d`, or if ``grad_output`` does not have the output shape.
    """
    a = transpose_args(input, weight, None, stride, padding, output_padding, groups, dilation)
    grad_out = _grad_out(grad_output, a)
    n, c_in, h, w = a.x.shape
    g, (ph, pw) = a.groups, a.padding
    weight = a.weight.astype(grad_out.dtype, copy=False)
    cols, out_hw = _unfold_padded(
        grad_out, weight.shape[2:], a.stride, (ph, ph, pw, pw), a.dilation
    )
    cols = cols.reshape(n, g, -1, *out_hw)[..., :h, :w].reshape(n, g, -1, h * w)
    grad_x = np.matmul(weight.reshape(g, c_in // g, -1)[None], cols).reshape(a.x.shape)
    x_g = a.x.reshape(n, g, c_in // g, h * w).transpose(1, 2, 0, 3).reshape(g, c_in // g, -1)
    cols_g = cols.transpose(1, 0, 3, 2).reshape(g, n * h * w, -1)
    grad_weight = np.matmul(x_g, cols_g).reshape(weight.shape)
    grad_bias = grad_out.sum(axis=(0, 2, 3)) if bias else None
    return (grad_x[0] if a.unbatched else grad_x), grad_weight, grad_bias


def _taps_1d(terms: TransposedOutputSizeTerms) -> np.ndarray:
    """Output index of every (input cell, kernel tap) along one axis, ``(size, kernel)``."""
    cells, taps = np.arange(terms.size), np.arange(terms.kernel)
    return cells[:, None] * terms.stride + taps[None, :] * terms.dilation - terms.padding


def _counts_1d(terms: TransposedOutputSizeTerms) -> np.ndarray:
    landed = _taps_1d(terms).ravel()
    landed = landed[(landed >= 0) & (landed < terms.out)]
    return np.bincount(landed, minlength=terms.out)


def transposed_overlap_counts(
    input_size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1
) -> np.ndarray:
    """How many kernel taps of a transposed convolution land on each output cell.

    Cell ``(r, c)`` receives ``count_h[r]·count_w[c]`` taps, where ``count_h[r]`` counts the
    pairs (input row ``i``, kernel row ``a``) with ``i·s + a·d − p = r``. Uneven counts are
    the checkerboard artifacts of transposed convolutions whose kernel size is not a
    multiple of the stride (stride 2: kernel 3 uneven, kernel 4 even away from the border).

    Parameters
    ----------
    input_size : int or (int, int)
        Input ``(H, W)``.
    kernel_size, stride, padding, output_padding, dilation : int or (int, int)
        As :func:`conv_transpose2d`.

    Returns
    -------
    numpy.ndarray of int64, shape (out_h, out_w)

    Raises
    ------
    ValueError
        As :func:`convcore.transposed_output_size_terms`.
    """
    size, kernel = pair(input_size, "input_size"), pair(kernel_size, "kernel_size")
    stride, dilation = pair(stride, "stride"), pair(dilation, "dilation")
    padding = pair(padding, "padding", minimum=0)
    extra = pair(output_padding, "output_padding", minimum=0)
    count_h, count_w = (
        _counts_1d(
            transposed_output_size_terms(
                size[i], kernel[i], stride[i], padding[i], extra[i], dilation[i]
            )
        )
        for i in (0, 1)
    )
    return np.outer(count_h, count_w)


@dataclass(frozen=True)
class OverlapPattern:
    """How evenly the kernel taps of a transposed convolution cover its output.

    Attributes
    ----------
    counts : (out_h, out_w) int64, kernel taps landing on each output cell
        (:func:`transposed_overlap_counts`).
    interior : (row_start, row_stop, col_start, col_stop) the output cells away from the
        border: the rows (columns) between the borders whose count is what an unbounded
        input would give (every tap ``a`` with ``r + p − a·d`` a multiple of ``s`` lands);
        empty (start ≥ stop) when the input is too small for any.
    levels : the distinct counts in the interior, ascending (empty with the interior).
    even : whether the interior has exactly one level (no checkerboard).
    divisible : (bool, bool) whether the kernel size is a multiple of the stride, per axis
        (with dilation 1: exactly when the interior is even).
    peak : the largest count.
    relative : (out_h, out_w) float, ``counts / peak`` (for shading).
    """

    counts: np.ndarray
    interior: tuple[int, int, int, int]
    levels: tuple[int, ...]
    even: bool
    divisible: tuple[bool, bool]
    peak: int
    relative: np.ndarray


def _interior_1d(terms: TransposedOutputSizeTerms) -> tuple[int, int]:
    """``(start, stop)``: the run of output indices whose count an unbounded input would
    give too (every tap whose offset fits the stride lands), between the borders."""
    taps = terms.dilation * np.arange(terms.kernel)
    landed = np.arange(terms.out)[:, None] + terms.padding - taps[None, :]
    unbounded = np.count_nonzero(landed % terms.stride == 0, axis=1)
    off = np.flatnonzero(_counts_1d(terms) != unbounded)
    low, high = off[off < terms.out / 2], off[off >= terms.out / 2]
    start = int(low.max()) + 1 if len(low) else 0
    stop = int(high.min()) if len(high) else terms.out
    return start, max(start, stop)


def overlap_pattern(
    input_size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1
) -> OverlapPattern:
    """The overlap counts of a transposed convolution and how even they are inside.

    Parameters and errors as :func:`transposed_overlap_counts`. Stride 2 with kernel 4:
    every interior cell gets 4 taps (``even``); with kernel 3: 1, 2 or 4 (a checkerboard,
    Odena et al. 2016).

    Returns
    -------
    OverlapPattern
    """
    size, kernel = pair(input_size, "input_size"), pair(kernel_size, "kernel_size")
    stride, dilation = pair(stride, "stride"), pair(dilation, "dilation")
    padding = pair(padding, "padding", minimum=0)
    extra = pair(output_padding, "output_padding", minimum=0)
    terms = [
        transposed_output_size_terms(
            size[i], kernel[i], stride[i], padding[i], extra[i], dilation[i]
        )
        for i in (0, 1)
    ]
    counts = np.outer(_counts_1d(terms[0]), _counts_1d(terms[1]))
    (r0, r1), (c0, c1) = _interior_1d(terms[0]), _interior_1d(terms[1])
    levels = tuple(int(v) for v in np.unique(counts[r0:r1, c0:c1]))
    peak = int(counts.max())
    return OverlapPattern(
        counts=counts,
        interior=(r0, r1, c0, c1),
        levels=levels,
        even=len(levels) == 1,
        divisible=tuple(bool(k % s == 0) for k, s in zip(kernel, stride, strict=True)),
        peak=peak,
        relative=counts / peak,
    )


@dataclass(frozen=True)
class TransposeTrace(SizedTrace):
    """A transposed convolution recorded two ways: scatter, and the equal direct convolution.

    ``L = H·W`` steps, one per input cell in row-major order. ``Hf, Wf`` is the full
    (uncropped) output, ``(H − 1)·s + d·(k − 1) + 1``; ``He, We = Hf + output_padding``.

    Attributes
    ----------
    x : (N, C_in, H, W) input.
    weight : (C_in, C_out, kH, kW) kernel.
    bias : (C_out,) bias, zeros when ``has_bias`` is False.
    has_bias : whether a bias was given.
    stride, padding, output_padding, dilation : (int, int).
    size_h, size_w : the output-size formula's terms for height and width.

    Scatter view
    in_index : (L, 2) input (row, column) of each step.
    in_values : (N, L, C_in) input value of each step.
    products : (N, L, C_in, C_out, kH, kW) input value × kernel, per channel pair.
    blocks : (N, L, C_out, kH, kW) ``products`` summed over input channels: what each step
        adds (for one channel: ``x[i, j]·weight``).
    origins : (L, 2) full-output (row, column) where the block's top-left tap lands,
        ``(i·s, j·s)``.
    tap_rows, tap_cols : (L, kH), (L, kW) full-output rows / columns of the block's taps.
    running : (N, L, C_out, Hf, Wf) full output after each step (running sums where
        blocks overlap; no bias).
    full : (N, C_out, Hf, Wf) the full output, ``running[:, -1]``.
    extended : (N, C_out, He, We) ``full`` with ``output_padding`` zero rows at the bottom
        and columns at the right.
    out_box : (row_start, row_stop, col_start, col_stop) of the output inside ``extended``:
        ``padding`` cropped from each side.
    overlap_counts : (out_h, out_w) kernel taps landing on each output cell
        (:func:`transposed_overlap_counts`).

    Direct view
    x_stretched : (N, C_in, s_h·(H − 1) + 1, s_w·(W − 1) + 1) input with ``s − 1`` zeros
        between cells.
    direct_pads : (top, bottom, left, right) ``d·(k − 1) − p`` before and
        ``d·(k − 1) − p + output_padding`` after; a negative pad crops.
    x_direct : (N, C_in, Hp, Wp) ``x_stretched`` padded by ``direct_pads``.
    direct_source : (Hp, Wp) int, the flat input index ``i·W + j`` of the cell that each
        cell of ``x_direct`` holds; −1 on inserted zeros, −2 on padding.
    weight_rotated : (C_out, C_in, kH, kW) the kernel rotated by 180°, in and out swapped
        (for one channel: ``weight[0, 0, ::-1, ::-1]``).
    direct : ConvTrace of ``x_direct`` correlated with ``weight_rotated`` (and ``bias``),
        stride 1, the given dilation; ``direct.out`` equals ``out``.

    out : (N, C_out, out_h, out_w) the output (equal to :func:`conv_transpose2d`).
    """

    x: np.ndarray
    weight: np.ndarray
    bias: np.ndarray
    has_bias: bool
    stride: tuple[int, int]
    padding: tuple[int, int]
    output_padding: tuple[int, int]
    dilation: tuple[int, int]
    size_h: TransposedOutputSizeTerms
    size_w: TransposedOutputSizeTerms
    in_index: np.ndarray
    in_values: np.ndarray
    products: np.ndarray
    blocks: np.ndarray
    origins: np.ndarray
    tap_rows: np.ndarray
    tap_cols: np.ndarray
    running: np.ndarray
    full: np.ndarray
    extended: np.ndarray
    out_box: tuple[int, int, int, int]
    overlap_counts: np.ndarray
    x_stretched: np.ndarray
    direct_pads: tuple[int, int, int, int]
    x_direct: np.ndarray
    direct_source: np.ndarray
    weight_rotated: np.ndarray
    direct: ConvTrace
    out: np.ndarray

    @property
    def n_steps(self) -> int:
        """Number of scatter steps ``L = H·W``."""
        return len(self.in_index)

    @property
    def direct_pad_mask(self) -> np.ndarray:
        """(Hp, Wp) bool, True on the padding of ``x_direct``."""
        return self.direct_source == -2

    @property
    def direct_gap_mask(self) -> np.ndarray:
        """(Hp, Wp) bool, True on the zeros inserted between input cells."""
        return self.direct_source == -1


def _scatter_view(a: TransposeArgs) -> dict[str, np.ndarray]:
    """The scatter fields of a :class:`TransposeTrace` (see its docstring)."""
    n, c_in, h, w = a.x.shape
    kh, kw = a.weight.shape[2:]
    in_index = np.stack(np.divmod(np.arange(h * w), w), axis=1)
    in_values = a.x.reshape(n, c_in, h * w).transpose(0, 2, 1)
    products = in_values[..., None, None, None] * a.weight[None, None]
    blocks = products.sum(axis=2)  # (N, L, C_out, kH, kW)
    origins = in_index * np.asarray(a.stride)
    tap_rows = origins[:, :1] + a.dilation[0] * np.arange(kh)[None, :]
    tap_cols = origins[:, 1:] + a.dilation[1] * np.arange(kw)[None, :]
    steps = np.zeros((h * w, *a.full_hw, n, blocks.shape[2]), blocks.dtype)
    at = np.arange(h * w)[:, None, None]
    steps[at, tap_rows[:, :, None], tap_cols[:, None, :]] = blocks.transpose(1, 3, 4, 0, 2)
    running = np.cumsum(steps, axis=0).transpose(3, 0, 4, 1, 2)  # (N, L, C_out, Hf, Wf)
    return {
        "in_index": in_index,
        "in_values": in_values,
        "products": products,
        "blocks": blocks,
        "origins": origins,
        "tap_rows": tap_rows,
        "tap_cols": tap_cols,
        "running": running,
    }


def _pad_or_crop(x: np.ndarray, pads) -> np.ndarray:
    """Zero-pad the last two axes by ``(top, bottom, left, right)``; negative pads crop."""
    top, bottom, left, right = pads
    h, w = x.shape[-2:]
    x = x[..., max(0, -top) : h - max(0, -bottom), max(0, -left) : w - max(0, -right)]
    return pad2d(x, tuple(max(0, p) for p in pads))


def _direct_view(a: TransposeArgs) -> dict:
    """The direct-convolution fields of a :class:`TransposeTrace` (see its docstring)."""
    pads = (
        a.size_h.direct_pad_before,
        a.size_h.direct_pad_after,
        a.size_w.direct_pad_before,
        a.size_w.direct_pad_after,
    )
    x_stretched = dilate2d(a.x, a.stride)
    x_direct = _pad_or_crop(x_stretched, pads)
    h, w = a.x.shape[2:]
    source = dilate2d(np.arange(h * w).reshape(h, w) + 1, a.stride) - 1  # gaps: −1
    weight_rotated = _flip_kernel(a.weight, 1)
    return {
        "x_stretched": x_stretched,
        "direct_pads": pads,
        "x_direct": x_direct,
        "direct_source": _pad_or_crop(source + 2, pads) - 2,  # padding: −2
        "weight_rotated": weight_rotated,
        "direct": trace_conv2d(x_direct, weight_rotated, a.bias, dilation=a.dilation),
    }


def trace_conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, dilation=1
) -> TransposeTrace:
    """Trace a transposed convolution as scatter steps and as a direct convolution.

    Parameters
    ----------
    input, weight, bias, stride, padding, output_padding, dilation
        As :func:`conv_transpose2d` with ``groups=1`` (unbatched input is given a batch
        axis of 1). Memory grows like ``N·H·W·C_out·Hf·Wf`` (``running``): meant for the
        small single-image examples a video shows.

    Returns
    -------
    TransposeTrace
        Its ``full`` cropped, ``direct.out`` and ``out`` all equal
        :func:`conv_transpose2d`.

    Raises
    ------
    ValueError
        As :func:`conv_transpose2d`.
    """
    a = transpose_args(input, weight, bias, stride, padding, output_padding, 1, dilation)
    a = replace(a, unbatched=False)  # a trace always keeps the batch axis, `out` included
    scatter = _scatter_view(a)
    full = scatter["running"][:, -1]
    (ph, pw), (oph, opw), (out_h, out_w) = a.padding, a.output_padding, a.out_hw
    return TransposeTrace(
        x=a.x,
        weight=a.weight,
        bias=np.zeros(a.weight.shape[1], a.x.dtype) if a.bias is None else a.bias,
        has_bias=a.bias is not None,
        stride=a.stride,
        padding=a.padding,
        output_padding=a.output_padding,
        dilation=a.dilation,
        size_h=a.size_h,
        size_w=a.size_w,
        **scatter,
        full=full,
        extended=pad2d(full, (0, oph, 0, opw)),
        out_box=(ph, ph + out_h, pw, pw + out_w),
        overlap_counts=np.outer(_counts_1d(a.size_h), _counts_1d(a.size_w)),
        **_direct_view(a),
        out=_finish(_crop(full, a), a),
    )
