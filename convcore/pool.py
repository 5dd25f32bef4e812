"""Max and average pooling mirroring ``torch.nn.functional``, their gradients and traces.

Input ``(N, C, H, W)`` or unbatched ``(C, H, W)``; ``kernel_size``, ``stride`` (default:
``kernel_size``), ``padding`` and ``dilation`` are an int or a pair. Output sizes come from
:func:`convcore.pool_output_size` (conv_arithmetic relation 7 and PyTorch's ``ceil_mode``).

- Max pooling counts padding as −∞; ties go to the first maximum in window scan order
  (row by row), as in PyTorch, and ``indices`` are flat ``row·W + col`` into each plane.
- Average pooling divides the window sum (padding counts as zero) by ``divisor_override``
  if given, else by the window's cells inside the padded input (``count_include_pad``)
  or inside the input only. A ceil-mode window that overhangs the padded input never
  counts the overhang.

Both are computed one kernel tap at a time over strided views (``kH·kW`` vectorised passes
over the output); :func:`trace_pool2d` and :func:`trace_pool2d_backward` record every
window for the videos.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from convcore._args import as_float_array, batched, pair
from convcore.sizes import PoolOutputSizeTerms, pool_output_size_terms

MODES = ("max", "avg")


@dataclass(frozen=True)
class PoolArgs:
    """Validated, normalised arguments of one pooling (internal vocabulary)."""

    x: np.ndarray  # (N, C, H, W)
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    ceil_mode: bool
    unbatched: bool
    size_h: PoolOutputSizeTerms
    size_w: PoolOutputSizeTerms

    @property
    def out_hw(self) -> tuple[int, int]:
        return self.size_h.out, self.size_w.out

    @property
    def pads(self) -> tuple[int, int, int, int]:
        """(top, bottom, left, right) around the input, the ceil-mode overhang included."""
        (ph, pw), h, w = self.padding, self.size_h, self.size_w
        return ph, ph + h.overhang, pw, pw + w.overhang


def _check_padding(padding, kernel, dilation, mode: str) -> None:
    """PyTorch's rule: padding at most half of the kernel (max: also the dilated kernel)."""
    reach = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
    if mode == "max" and any(p > r // 2 for p, r in zip(padding, reach, strict=True)):
        raise ValueError(
            f"pad should be at most half of effective kernel size, got padding {padding}, "
            f"kernel_size {kernel}, dilation {dilation} (effective kernel size {reach})"
        )
    if any(p > k // 2 for p, k in zip(padding, kernel, strict=True)):
        raise ValueError(
            f"pad should be at most half of kernel size, got padding {padding}, "
            f"kernel_size {kernel}"
        )


def pool_args(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, mode="max"
) -> PoolArgs:
    """Validate and normalise the arguments of a pooling (raises ``ValueError``)."""
    x, unbatched = batched(as_float_array(input, "input", (3, 4)))
    kernel = pair(kernel_size, "kernel_size")
    stride = kernel if stride is None else pair(stride, "stride")
    padding, dilation = pair(padding, "padding", minimum=0), pair(dilation, "dilation")
    if mode == "avg" and dilation != (1, 1):
        raise ValueError(f"average pooling has no dilation, got dilation {dilation}")
    _check_padding(padding, kernel, dilation, mode)
    size_h, size_w = (
        pool_output_size_terms(
            x.shape[2 + i], kernel[i], stride[i], padding[i], dilation[i], bool(ceil_mode)
        )
        for i in (0, 1)
    )
    return PoolArgs(
        x, kernel, stride, padding, dilation, bool(ceil_mode), unbatched, size_h, size_w
    )


def _divisor_override(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ValueError(f"divisor_override must be an int or None, got {value!r}")
    if value == 0:
        raise ValueError(f"divisor_override must not be zero, got {value!r}")
    return int(value)


def _padded(a: PoolArgs, fill: float) -> np.ndarray:
    """``x`` padded by :attr:`PoolArgs.pads` with ``fill`` (−∞ for max, 0 for avg)."""
    top, bottom, left, right = a.pads
    n, c, h, w = a.x.shape
    out = np.full((n, c, top + h + bottom, left + w + right), fill, a.x.dtype)
    out[:, :, top : top + h, left : left + w] = a.x
    return out


def _taps(a: PoolArgs) -> Iterator[tuple[int, int, slice, slice]]:
    """Yield ``(i, j, rows, cols)``: each kernel tap and its slices of the padded input.

    ``padded[..., rows, cols]`` is ``(N, C, out_h, out_w)``: tap ``(i, j)`` of every window.
    """
    (kh, kw), (sh, sw), (dh, dw), (out_h, out_w) = a.kernel, a.stride, a.dilation, a.out_hw
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dh, i * dh + sh * (out_h - 1) + 1, sh)
            cols = slice(j * dw, j * dw + sw * (out_w - 1) + 1, sw)
            yield i, j, rows, cols


def _unpad(padded: np.ndarray, a: PoolArgs) -> np.ndarray:
    (top, _, left, _), (h, w) = a.pads, a.x.shape[2:]
    return padded[:, :, top : top + h, left : left + w]


def _tap_views(a: PoolArgs) -> list[np.ndarray]:
    """Tap ``(i, j)`` of every window, ``(N, C, out_h, out_w)`` each, −∞ on padding."""
    padded = _padded(a, -np.inf) if any(a.pads) else a.x
    return [padded[:, :, rows, cols] for _, _, rows, cols in _taps(a)]


def _window_max(views: list[np.ndarray]) -> np.ndarray:
    best = views[0].copy()
    for view in views[1:]:
        np.maximum(best, view, out=best)
    return best


def _max_and_tap(a: PoolArgs) -> tuple[np.ndarray, np.ndarray]:
    """Window maxima and the flat tap ``i·kW + j`` of the first maximum in scan order."""
    views = _tap_views(a)
    best = _window_max(views)
    dtype = np.min_scalar_type(len(views) - 1)
    tap = np.full(best.shape, len(views) - 1, dtype)
    for t in range(len(views) - 2, -1, -1):  # backwards: the first maximum is written last
        tap = np.where(views[t] == best, dtype.type(t), tap)
    return best, tap


def _flat_indices(tap: np.ndarray, a: PoolArgs) -> np.ndarray:
    """PyTorch's indices: ``row·W + col`` in the unpadded input of each window's max tap."""
    (out_h, out_w), w = a.out_hw, a.x.shape[3]
    i, j = np.divmod(np.arange(a.kernel[0] * a.kernel[1]), a.kernel[1])
    offsets = i * a.dilation[0] * w + j * a.dilation[1]  # of each tap from the window's origin
    rows = np.arange(out_h)[:, None] * a.stride[0] - a.padding[0]
    cols = np.arange(out_w)[None, :] * a.stride[1] - a.padding[1]
    return rows * w + cols + np.take(offsets, tap)


def max_pool2d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """2-D max pooling like ``torch.nn.functional.max_pool2d``.

    ``out[n, c, r, q] = max`` over taps ``(i, j)`` of ``x_pad[n, c, r·s_h + i·d_h,
    q·s_w + j·d_w]``, the padding counting as −∞.

    Parameters
    ----------
    input : array_like, shape (N, C, H, W) or (C, H, W)
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``.
    padding : int or (int, int)
        At most half of ``kernel_size`` (−∞ on each side).
    dilation : int or (int, int)
    ceil_mode : bool
        Round the output size up (see :func:`convcore.pool_output_size`).
    return_indices : bool
        Also return the position of each maximum.

    Returns
    -------
    out : numpy.ndarray, shape (N, C, out_h, out_w) or (C, out_h, out_w)
        ``out_h = floor((H + 2P − D·(K − 1) − 1) / S) + 1`` (or the ceil-mode size).
    indices : numpy.ndarray of int64, same shape, only if ``return_indices``
        Flat index ``row·W + col`` of the (first) maximum in its ``H·W`` plane.

    Raises
    ------
    ValueError
        On a wrong number of dimensions, NaN or infinity, kernel, stride or dilation < 1,
        negative padding or padding over half the kernel, or a window larger than the
        padded input.
    """
    a = pool_args(input, kernel_size, stride, padding, dilation, ceil_mode, "max")
    if not return_indices:
        return _finish(_window_max(_tap_views(a)), a)
    out, tap = _max_and_tap(a)
    return _finish(out, a), _finish(_flat_indices(tap, a), a)


def _finish(out: np.ndarray, a: PoolArgs) -> np.ndarray:
    return out[0] if a.unbatched else out


def _divisors(a: PoolArgs, count_include_pad: bool, divisor_override) -> np.ndarray:
    """(out_h, out_w) divisor of every window (a product of one count per axis)."""
    if divisor_override is not None:
        return np.full(a.out_hw, divisor_override, np.int64)
    counts = []
    for t in (a.size_h, a.size_w):
        start = np.arange(t.out) * t.stride - t.padding  # input coordinates
        stop = np.minimum(start + t.kernel, t.size + t.padding)
        if not count_include_pad:
            start, stop = np.maximum(start, 0), np.minimum(stop, t.size)
        counts.append(stop - start)
    return np.outer(*counts)


def _window_sums(a: PoolArgs) -> np.ndarray:
    padded = _padded(a, 0.0) if any(a.pads) else a.x
    total = None
    for _, _, rows, cols in _taps(a):
        view = padded[:, :, rows, cols]
        total = view.copy() if total is None else np.add(total, view, out=total)
    return total


def avg_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """2-D average pooling like ``torch.nn.functional.avg_pool2d``.

    ``out[n, c, r, q] = Σ_window x_pad / divisor``: the padding counts as zero; the divisor
    is ``divisor_override`` if given, else the window's cells inside the padded input
    (``count_include_pad``) or inside the input alone.

    Parameters
    ----------
    input : array_like, shape (N, C, H, W) or (C, H, W)
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``.
    padding : int or (int, int)
        At most half of ``kernel_size``.
    ceil_mode : bool
        Round the output size up (see :func:`convcore.pool_output_size`).
    count_include_pad : bool
        Whether padding cells count in the divisor.
    divisor_override : int, optional
        A fixed nonzero divisor.

    Returns
    -------
    numpy.ndarray, shape (N, C, out_h, out_w) or (C, out_h, out_w)
        ``out_h = floor((H + 2P − K) / S) + 1`` (or the ceil-mode size).

    Raises
    ------
    ValueError
        As :func:`max_pool2d`, or for a ``divisor_override`` of zero or not an int.
    """
    divisor_override = _divisor_override(divisor_override)
    a = pool_args(input, kernel_size, stride, padding, 1, ceil_mode, "avg")
    divisors = _divisors(a, bool(count_include_pad), divisor_override)
    return _finish(_window_sums(a) / divisors.astype(a.x.dtype), a)


def _grad_out(grad_output, a: PoolArgs) -> np.ndarray:
    """Validate ``grad_output`` against the pooled shape; return it batched."""
    g = as_float_array(grad_output, "grad_output", (3, 4))
    expected = (*a.x.shape[:2], *a.out_hw)
    shown = expected[1:] if a.unbatched else expected
    if g.shape != shown:
        raise ValueError(f"grad_output must have the pooled output shape {shown}, got {g.shape}")
    return (g[None] if a.unbatched else g).astype(np.result_type(g, a.x), copy=False)


def _scatter(per_tap, a: PoolArgs, dtype) -> np.ndarray:
    """Add ``per_tap(i, j)`` (N, C, out_h, out_w) onto each tap's cells; crop the padding."""
    top, bottom, left, right = a.pads
    n, c, h, w = a.x.shape
    padded = np.zeros((n, c, top + h + bottom, left + w + right), dtype)
    for i, j, rows, cols in _taps(a):
        padded[:, :, rows, cols] += per_tap(i, j)
    return _unpad(padded, a)


def max_pool2d_backward(
    grad_output, input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False
):
    """Gradient of :func:`max_pool2d` with respect to its input.

    Each window passes its ``grad_out`` to the cell that held its (first) maximum; cells
    that are the maximum of several windows add their gradients.

    Parameters
    ----------
    grad_output : array_like, shape (N, C, out_h, out_w) or (C, out_h, out_w)
    input : array_like, shape (N, C, H, W) or (C, H, W)
    kernel_size, stride, padding, dilation, ceil_mode
        As :func:`max_pool2d`.

    Returns
    -------
    numpy.ndarray, shape of ``input``

    Raises
    ------
    ValueError
        As :func:`max_pool2d`, or if ``grad_output`` does not have the output shape.
    """
    a = pool_args(input, kernel_size, stride, padding, dilation, ceil_mode, "max")
    grad_out = _grad_out(grad_output, a)
    _, tap = _max_and_tap(a)
    kw = a.kernel[1]
    grad_x = _scatter(lambda i, j: np.where(tap == i * kw + j, grad_out, 0), a, grad_out.dtype)
    return _finish(grad_x, a)


def avg_pool2d_backward(
    grad_output,
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """Gradient of :func:`avg_pool2d` with respect to its input.

    Each window spreads ``grad_out / divisor`` over each of its cells; overlapping windows
    add; what lands on padding is dropped.

    Parameters
    ----------
    grad_output : array_like, shape (N, C, out_h, out_w) or (C, out_h, out_w)
    input : array_like, shape (N, C, H, W) or (C, H, W)
    kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
        As :func:`avg_pool2d`.

    Returns
    -------
    numpy.ndarray, shape of ``input``

    Raises
    ------
    ValueError
        As :func:`avg_pool2d`, or if ``grad_output`` does not have the output shape.
    """
    divisor_override = _divisor_override(divisor_override)
    a = pool_args(input, kernel_size, stride, padding, 1, ceil_mode, "avg")
    grad_out = _grad_out(grad_output, a)
    divisors = _divisors(a, bool(count_include_pad), divisor_override)
    share = grad_out / divisors.astype(grad_out.dtype)
    return _finish(_scatter(lambda i, j: share, a, share.dtype), a)


@dataclass(frozen=True)
class PoolTrace:
    """Every window of one pooling, as arrays. ``L = out_h·out_w`` windows, row-major.

    ``Hp, Wp`` is the padded input (``padding`` on each side, plus the ceil-mode
    overhang at the bottom/right).

    Attributes
    ----------
    x : (N, C, H, W) input.
    mode : ``'max'`` or ``'avg'``.
    kernel_size, stride, padding, dilation : (int, int).
    ceil_mode, count_include_pad : bool.
    divisor_override : int or None.
    size_h, size_w : the output-size formula's terms for height and width.
    x_padded : (N, C, Hp, Wp) input padded with −∞ (max) or 0 (avg).
    pad_mask : (Hp, Wp) bool, True on padding cells.
    out_index : (L, 2) output (row, column) of each window.
    origins : (L, 2) top-left tap of each window, in padded-input coordinates.
    tap_rows, tap_cols : (L, kH), (L, kW) padded-input rows / columns of the window taps.
    in_window : (L, kH, kW) bool, True where a tap lands on the input (not padding).
    windows : (N, C, L, kH, kW) values under each window (−∞ or 0 on padding).
    argmax_tap : (N, C, L) flat tap ``i·kW + j`` of the first maximum (max; else None).
    argmax_row, argmax_col : (N, C, L) input row / column of that maximum (max; else None).
    indices : (N, C, out_h, out_w) PyTorch's ``row·W + col`` indices (max; else None).
    sums : (N, C, L) window sums (avg; else None).
    divisors : (L,) divisor of each window (avg; else None).
    values : (N, C, L) the maximum or the mean of each window.
    out : (N, C, out_h, out_w) the output (equal to :func:`max_pool2d` / :func:`avg_pool2d`).
    """

    x: np.ndarray
    mode: str
    kernel_size: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    ceil_mode: bool
    count_include_pad: bool
    divisor_override: int | None
    size_h: PoolOutputSizeTerms
    size_w: PoolOutputSizeTerms
    x_padded: np.ndarray
    pad_mask: np.ndarray
    out_index: np.ndarray
    origins: np.ndarray
    tap_rows: np.ndarray
    tap_cols: np.ndarray
    in_window: np.ndarray
    windows: np.ndarray
    argmax_tap: np.ndarray | None
    argmax_row: np.ndarray | None
    argmax_col: np.ndarray | None
    indices: np.ndarray | None
    sums: np.ndarray | None
    divisors: np.ndarray | None
    values: np.ndarray
    out: np.ndarray

    @property
    def out_shape(self) -> tuple[int, int]:
        """``(out_h, out_w)``."""
        return self.size_h.out, self.size_w.out

    @property
    def n_steps(self) -> int:
        """Number of windows ``L``."""
        return len(self.out_index)


def _geometry(a: PoolArgs) -> dict[str, np.ndarray]:
    """Window positions and taps shared by the max and avg traces."""
    length = a.out_hw[0] * a.out_hw[1]
    out_index = np.stack(np.divmod(np.arange(length), a.out_hw[1]), axis=1)
    origins = out_index * np.asarray(a.stride)
    tap_rows = origins[:, :1] + a.dilation[0] * np.arange(a.kernel[0])[None, :]
    tap_cols = origins[:, 1:] + a.dilation[1] * np.arange(a.kernel[1])[None, :]
    top, _, left, _ = a.pads
    h, w = a.x.shape[2:]
    rows_in = (tap_rows >= top) & (tap_rows < top + h)
    cols_in = (tap_cols >= left) & (tap_cols < left + w)
    return {
        "out_index": out_index,
        "origins": origins,
        "tap_rows": tap_rows,
        "tap_cols": tap_cols,
        "in_window": rows_in[:, :, None] & cols_in[:, None, :],
    }


def _mode_fields(a: PoolArgs, mode, windows, count_include_pad, divisor_override) -> dict:
    """The max fields (argmax, indices) or the avg fields (sums, divisors) of a trace."""
    n, c, length = windows.shape[:3]
    none = dict.fromkeys(("argmax_tap", "argmax_row", "argmax_col", "indices", "sums", "divisors"))
    if mode == "avg":
        sums = windows.sum(axis=(-2, -1))
        divisors = _divisors(a, count_include_pad, divisor_override).ravel()
        values = sums / divisors.astype(sums.dtype)
        return none | {"sums": sums, "divisors": divisors, "values": values}
    flat = windows.reshape(n, c, length, -1)
    tap = flat.argmax(axis=-1)  # NumPy's argmax also returns the first maximum
    indices = _flat_indices(tap.reshape(n, c, *a.out_hw), a)
    row, col = np.divmod(indices.reshape(n, c, length), a.x.shape[3])
    fields = {"argmax_tap": tap, "argmax_row": row, "argmax_col": col, "indices": indices}
    return none | fields | {"values": flat.max(axis=-1)}


def trace_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    mode="max",
    dilation=1,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
) -> PoolTrace:
    """Trace a max or average pooling: every window, its maximum or its mean.

    Parameters
    ----------
    input, kernel_size, stride, padding, dilation, ceil_mode
        As :func:`max_pool2d` (unbatched input is given a batch axis of 1).
    mode : {'max', 'avg'}
    count_include_pad, divisor_override
        As :func:`avg_pool2d` (ignored for max pooling).

    Returns
    -------
    PoolTrace
        Its ``out`` equals :func:`max_pool2d` or :func:`avg_pool2d`.

    Raises
    ------
    ValueError
        As :func:`max_pool2d` / :func:`avg_pool2d` (dilation must be 1 for 'avg'), or for
        an unknown ``mode``.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    divisor_override = _divisor_override(divisor_override) if mode == "avg" else None
    a = pool_args(input, kernel_size, stride, padding, dilation, ceil_mode, mode)
    geometry = _geometry(a)
    x_padded = _padded(a, -np.inf if mode == "max" else 0.0)
    rows, cols = geometry["tap_rows"], geometry["tap_cols"]
    windows = x_padded[:, :, rows[:, :, None], cols[:, None, :]]  # (N, C, L, kH, kW)
    fields = _mode_fields(a, mode, windows, bool(count_include_pad), divisor_override)
    pad_mask = np.ones(x_padded.shape[2:], bool)
    pad_mask[a.pads[0] : a.pads[0] + a.x.shape[2], a.pads[2] : a.pads[2] + a.x.shape[3]] = False
    return PoolTrace(
        x=a.x,
        mode=mode,
        kernel_size=a.kernel,
        stride=a.stride,
        padding=a.padding,
        dilation=a.dilation,
        ceil_mode=a.ceil_mode,
        count_include_pad=bool(count_include_pad),
        divisor_override=divisor_override,
        size_h=a.size_h,
        size_w=a.size_w,
        x_padded=x_padded,
        pad_mask=pad_mask,
        windows=windows,
        out=fields["values"].reshape(*a.x.shape[:2], *a.out_hw),
        **geometry,
        **fields,
    )


@dataclass(frozen=True)
class PoolGradientTrace:
    """Where the gradient of each pooling window goes. ``L`` windows, row-major.

    Attributes
    ----------
    forward : PoolTrace of the forward pooling.
    grad_out : (N, C, out_h, out_w) gradient of the loss w.r.t. the output.
    shares : (N, C, L) what each receiving cell of a window gets: ``grad_out`` (max) or
        ``grad_out / divisor`` (avg).
    contributions : (N, C, L, kH, kW) the gradient each window sends to each of its taps:
        max, ``shares`` at the argmax tap and 0 elsewhere; avg, ``shares`` at every tap on
        the input and 0 on padding (which has no gradient).
    running : (N, C, L, H, W) ``grad_x`` accumulated window by window.
    grad_x : (N, C, H, W) the gradient w.r.t. the input, ``running[:, :, -1]`` (equal to
        :func:`max_pool2d_backward` / :func:`avg_pool2d_backward`).
    """

    forward: PoolTrace
    grad_out: np.ndarray
    shares: np.ndarray
    contributions: np.ndarray
    running: np.ndarray
    grad_x: np.ndarray

    @property
    def n_steps(self) -> int:
        """Number of windows ``L``."""
        return self.forward.n_steps


def _contributions(t: PoolTrace, shares: np.ndarray) -> np.ndarray:
    n, c, length, kh, kw = t.windows.shape
    if t.mode == "avg":
        return shares[..., None, None] * t.in_window
    hit = t.argmax_tap[..., None] == np.arange(kh * kw)
    return (shares[..., None] * hit).reshape(n, c, length, kh, kw)


def trace_pool2d_backward(
    grad_output,
    input,
    kernel_size,
    stride=None,
    padding=0,
    mode="max",
    dilation=1,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
) -> PoolGradientTrace:
    """Trace the gradient of a pooling: each window's contributions and the running sum.

    Parameters
    ----------
    grad_output : array_like, shape (N, C, out_h, out_w) or (C, out_h, out_w)
    input, kernel_size, stride, padding, mode, dilation, ceil_mode, count_include_pad,
    divisor_override
        As :func:`trace_pool2d`. Memory grows like ``N·C·L·H·W`` (``running``): meant for
        the small examples a video shows.

    Returns
    -------
    PoolGradientTrace

    Raises
    ------
    ValueError
        As :func:`trace_pool2d`, or if ``grad_output`` does not have the output shape.
    """
    t = trace_pool2d(
        input,
        kernel_size,
        stride,
        padding,
        mode,
        dilation,
        ceil_mode,
        count_include_pad,
        divisor_override,
    )
    a = pool_args(input, kernel_size, stride, padding, dilation, ceil_mode, mode)
    grad_out = _grad_out(grad_output, a)
    n, c, length = t.values.shape
    shares = grad_out.reshape(n, c, length)
    if mode == "avg":
        shares = shares / t.divisors.astype(shares.dtype)
    contributions = _contributions(t, shares)
    steps = np.zeros((n, c * length, *t.x_padded.shape[2:]), contributions.dtype)
    at = np.arange(c * length).reshape(c, length)[:, :, None, None]
    rows, cols = t.tap_rows[:, :, None], t.tap_cols[:, None, :]
    steps[:, at, rows, cols] = contributions
    cropped = _unpad(steps, a).reshape(n, c, length, *t.x.shape[2:])
    running = np.cumsum(cropped, axis=2)
    return PoolGradientTrace(t, grad_out, shares, contributions, running, running[:, :, -1])
