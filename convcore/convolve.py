"""True 2-D convolution, as ``scipy.signal.convolve2d`` computes it, beside cross-correlation.

PyTorch's ``conv2d`` (and :func:`convcore.conv2d`) computes cross-correlation: the kernel
slides over the input as it is. The convolution of signal processing rotates the kernel by
180° first, ``(x ∗ k)[i, j] = Σ_a Σ_b x[i − a, j − b]·k[a, b]``. Both are computed here as
:func:`convcore.conv2d` of the zero-padded input (with the rotated kernel for a
convolution), in ``scipy.signal``'s three modes:

- ``'full'``: every overlap of input and kernel, ``(H + kH − 1, W + kW − 1)``;
- ``'same'``: the input's shape, the middle of ``'full'`` (it starts ``(kH − 1) // 2`` rows
  and ``(kW − 1) // 2`` columns in, as scipy centres it, also for even kernels);
- ``'valid'``: the windows inside the input, ``(H − kH + 1, W − kW + 1)`` (when the kernel is
  the larger in every dimension scipy swaps the two, and so do :func:`convolve2d` and
  :func:`correlate2d`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from convcore._args import Pads, as_float_array, conv_pads
from convcore.functional import conv2d, output_size_terms, pad2d
from convcore.trace import ConvTrace, trace_conv2d

MODES = ("full", "same", "valid")


def rotate180(kernel) -> np.ndarray:
    """``kernel`` rotated by 180° in its last two axes (``kernel[..., ::-1, ::-1]``, a copy):
    rows and columns reversed, the flip that turns cross-correlation into convolution."""
    return np.ascontiguousarray(np.asarray(kernel)[..., ::-1, ::-1])


def _mode(mode) -> str:
    if not isinstance(mode, str) or mode not in MODES:
        raise ValueError(f"mode must be 'full', 'same' or 'valid', got {mode!r}")
    return mode


def mode_pads(mode: str, kernel_shape: tuple[int, int], rotated: bool = False) -> Pads:
    """The zero padding ``(top, bottom, left, right)`` of ``scipy.signal``'s ``mode``.

    ``'full'``: ``kH − 1`` rows and ``kW − 1`` columns on each side; ``'valid'``: none;
    ``'same'``: ``kH − 1`` rows in all, for a cross-correlation ``(kH − 1) // 2`` on top and
    the odd one at the bottom (as PyTorch's ``padding='same'``), for a convolution
    (``rotated``) the mirror image, so that both keep scipy's centre.

    Raises
    ------
    ValueError
        If ``mode`` is not one of ``'full'``, ``'same'``, ``'valid'``.
    """
    padding = {"full": (kernel_shape[0] - 1, kernel_shape[1] - 1), "same": "same"}
    top, bottom, left, right = conv_pads(
        padding.get(_mode(mode), "valid"), tuple(kernel_shape), (1, 1), (1, 1)
    )
    return (bottom, top, right, left) if rotated else (top, bottom, left, right)


def _args(x, kernel, mode) -> tuple[np.ndarray, np.ndarray, str]:
    x = as_float_array(x, "x", (2,))
    kernel = as_float_array(kernel, "kernel", (2,))
    dtype = np.result_type(x, kernel)
    return x.astype(dtype, copy=False), kernel.astype(dtype, copy=False), _mode(mode)


def _swap_needed(x_shape, kernel_shape) -> bool:
    """scipy's rule in ``'valid'`` mode: the kernel must fit inside ``x``, or ``x`` inside
    the kernel (then the two swap places)."""
    fits = all(k <= s for s, k in zip(x_shape, kernel_shape, strict=True))
    if not fits and not all(s <= k for s, k in zip(x_shape, kernel_shape, strict=True)):
        raise ValueError(
            f"in 'valid' mode one of x {x_shape} and kernel {kernel_shape} must be at least "
            "as large as the other in every dimension (scipy.signal's rule)"
        )
    return not fits


def _correlate(x: np.ndarray, kernel: np.ndarray, pads: Pads) -> np.ndarray:
    return conv2d(pad2d(x, pads)[None, None], kernel[None, None])[0, 0]


def convolve2d(x, kernel, mode="full") -> np.ndarray:
    """True 2-D convolution, equal to ``scipy.signal.convolve2d(x, kernel, mode)``.

    ``out[i, j] = Σ_a Σ_b x[i − a, j − b]·kernel[a, b]`` (zeros outside ``x``), computed as
    the cross-correlation (:func:`convcore.conv2d`) of ``x``, padded by :func:`mode_pads`,
    with the kernel rotated by 180°.

    Parameters
    ----------
    x, kernel : array_like, 2-D, not empty, finite
    mode : {'full', 'same', 'valid'}
        Output ``(H + kH − 1, W + kW − 1)``, ``(H, W)`` or ``(H − kH + 1, W − kW + 1)``.
        In ``'valid'`` mode a kernel at least as large as ``x`` in every dimension swaps
        places with it (convolution is commutative), as in scipy.

    Returns
    -------
    numpy.ndarray, 2-D, float

    Raises
    ------
    ValueError
        If ``x`` or ``kernel`` is not 2-D, empty or not finite, ``mode`` is unknown, or in
        ``'valid'`` mode neither array is at least as large as the other in every dimension.
    """
    x, kernel, mode = _args(x, kernel, mode)
    if mode == "valid" and _swap_needed(x.shape, kernel.shape):
        x, kernel = kernel, x
    return _correlate(x, rotate180(kernel), mode_pads(mode, kernel.shape, rotated=True))


def correlate2d(x, kernel, mode="full") -> np.ndarray:
    """2-D cross-correlation, equal to ``scipy.signal.correlate2d(x, kernel, mode)``.

    ``out[i, j] = Σ_a Σ_b x[i + a, j + b]·kernel[a, b]`` over ``x`` padded by
    :func:`mode_pads`: what ``torch.nn.functional.conv2d`` computes (``'valid'``: padding
    0; ``'same'``: ``padding='same'``; ``'full'``: padding ``kH − 1, kW − 1``).

    Parameters
    ----------
    x, kernel, mode
        As :func:`convolve2d`. When ``'valid'`` swaps them, the result is rotated by 180°,
        as in scipy (``correlate(x, k)[n] = correlate(k, x)[−n]``).

    Returns
    -------
    numpy.ndarray, 2-D, float

    Raises
    ------
    ValueError
        As :func:`convolve2d`.
    """
    x, kernel, mode = _args(x, kernel, mode)
    if mode == "valid" and _swap_needed(x.shape, kernel.shape):
        return rotate180(_correlate(kernel, x, mode_pads(mode, x.shape)))
    return _correlate(x, kernel, mode_pads(mode, kernel.shape))


@dataclass(frozen=True)
class ConvolveTrace:
    """True convolution beside cross-correlation, on the same input and kernel.

    Attributes
    ----------
    mode : 'full', 'same' or 'valid'.
    x : (H, W) input.
    kernel : (kH, kW) kernel as given.
    rotated : (kH, kW) the kernel rotated by 180° (:func:`rotate180`).
    kernel_symmetric : whether the kernel equals its rotation.
    convolution : ConvTrace of ``x`` padded by ``mode_pads(mode, …, rotated=True)`` with
        weight ``rotated``: windows, products, sums; its ``out[0, 0]`` is
        :func:`convolve2d`.
    correlation : ConvTrace of ``x`` padded by ``mode_pads(mode, …)`` with weight ``kernel``:
        its ``out[0, 0]`` is :func:`correlate2d` (and ``torch.nn.functional.conv2d``).
    out, out_correlation : (out_h, out_w) the two outputs.
    differs : (out_h, out_w) bool, True where the two outputs differ.
    n_different : number of positions where they differ.
    position : a flat output position to show in detail: the first where the outputs
        differ (0 when they are equal).
    """

    mode: str
    x: np.ndarray
    kernel: np.ndarray
    rotated: np.ndarray
    kernel_symmetric: bool
    convolution: ConvTrace
    correlation: ConvTrace
    out: np.ndarray
    out_correlation: np.ndarray
    differs: np.ndarray
    n_different: int
    position: int

    @property
    def outputs_equal(self) -> bool:
        """Whether convolution and cross-correlation gave the same output."""
        return self.n_different == 0


def _padded_trace(x: np.ndarray, kernel: np.ndarray, pads: Pads) -> ConvTrace:
    """:func:`trace_conv2d` of ``x`` with per-side ``pads`` (``conv2d``'s padding is the same
    on both sides of an axis; ``'same'`` with an even kernel is not)."""
    t = trace_conv2d(pad2d(x, pads)[None, None], kernel[None, None])
    (h, w), (kh, kw) = x.shape, kernel.shape
    pad_mask = np.ones(t.x_padded.shape[2:], bool)
    pad_mask[pads[0] : pads[0] + h, pads[2] : pads[2] + w] = False
    return replace(
        t,
        x=x[None, None],
        pad_mask=pad_mask,
        pads=pads,
        size_h=output_size_terms(h, kh, 1, pads[:2]),
        size_w=output_size_terms(w, kw, 1, pads[2:]),
    )


def trace_convolve2d(x, kernel, mode="full") -> ConvolveTrace:
    """Trace :func:`convolve2d` and :func:`correlate2d` of ``x`` with ``kernel`` side by side.

    Parameters
    ----------
    x, kernel : array_like, 2-D
    mode : {'full', 'same', 'valid'}

    Returns
    -------
    ConvolveTrace

    Raises
    ------
    ValueError
        As :func:`convolve2d`; in ``'valid'`` mode also when the kernel does not fit inside
        ``x`` (a trace slides the kernel over the input, it does not swap them), and when a
        product or sum overflows float64.
    """
    x, kernel, mode = _args(x, kernel, mode)
    if mode == "valid" and any(k > s for s, k in zip(x.shape, kernel.shape, strict=True)):
        raise ValueError(
            f"mode 'valid' needs the kernel {kernel.shape} to fit inside the input {x.shape}; "
            "use mode 'full' or 'same'"
        )
    rotated = rotate180(kernel)
    conv = _padded_trace(x, rotated, mode_pads(mode, kernel.shape, rotated=True))
    corr = _padded_trace(x, kernel, mode_pads(mode, kernel.shape))
    out, out_corr = conv.out[0, 0], corr.out[0, 0]
    scale = np.abs(x).max() * np.abs(kernel).sum()  # bounds |out|: rounding, not a difference
    differs = ~np.isclose(out, out_corr, rtol=1e-12, atol=1e-12 * scale)
    first = np.flatnonzero(differs)
    return ConvolveTrace(
        mode=mode,
        x=x,
        kernel=kernel,
        rotated=rotated,
        kernel_symmetric=bool(np.array_equal(kernel, rotated)),
        convolution=conv,
        correlation=corr,
        out=out,
        out_correlation=out_corr,
        differs=differs,
        n_different=int(differs.sum()),
        position=int(first[0]) if first.size else 0,
    )
