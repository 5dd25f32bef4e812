"""Output sizes of transposed convolution and pooling, with every term of each formula.

The sibling of :func:`convcore.functional.output_size` (the one home of the convolution
formula ``floor((i + 2p − d·(k − 1) − 1)/s) + 1``, conv_arithmetic relations 1–6). This
module is the one home of the two formulas built on it; everything else calls them:

- transposed convolution (conv_arithmetic relations 8–14, PyTorch's ``ConvTranspose2d``)::

      out = (i − 1)·s − 2p + d·(k − 1) + output_padding + 1

- pooling (relation 7, plus PyTorch's ``ceil_mode``)::

      out = floor((i + 2p − d·(k − 1) − 1)/s) + 1                 ceil_mode=False
      out = ceil((i + 2p − d·(k − 1) − 1)/s) + 1, minus 1 if the last window would start
            at or beyond i + p (inside the bottom/right padding)  ceil_mode=True

Each ``*_terms`` function returns a frozen dataclass whose fields let a video write its
formula with the numbers substituted.
"""

from __future__ import annotations

from dataclasses import dataclass

from convcore._args import integer
from convcore.functional import output_size_terms


@dataclass(frozen=True)
class TransposedOutputSizeTerms:
    """Every term of the transposed-convolution size formula for one spatial dimension.

    ``out = span − pad_total + kernel_span + output_padding + 1`` with
    ``span = (size − 1)·stride``, ``pad_total = 2·padding``,
    ``kernel_span = dilation·(kernel − 1)``. The same sizes seen as a direct convolution:
    ``stretched`` input cells (``stride − 1`` zeros between inputs), padded by
    ``direct_pad_before`` and ``direct_pad_after``, correlated with the rotated kernel at
    stride 1 (a negative pad crops instead).
    """

    size: int
    kernel: int
    stride: int
    padding: int
    output_padding: int
    dilation: int
    span: int  #: ``(size − 1)·stride``, from the first block's origin to the last one's
    pad_total: int  #: ``2·padding``, cropped from the full output
    kernel_span: int  #: ``dilation·(kernel − 1)``
    full: int  #: ``span + kernel_span + 1``, the uncropped output extent
    out: int  #: ``full − pad_total + output_padding``
    stretched: int  #: ``span + 1``, the input with ``stride − 1`` zeros between cells
    direct_pad_before: int  #: ``kernel_span − padding``
    direct_pad_after: int  #: ``kernel_span − padding + output_padding``


def transposed_output_size_terms(
    size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1
) -> TransposedOutputSizeTerms:
    """The transposed-convolution size formula for one dimension, with every term.

    This is the one home of ``(i − 1)·s − 2p + d·(k − 1) + output_padding + 1``.

    Parameters
    ----------
    size, kernel_size, stride, dilation : int
        Input extent, kernel extent, stride and dilation (all >= 1).
    padding, output_padding : int
        Rows/columns cropped from each side (>= 0); rows/columns added at the bottom/right
        (>= 0, smaller than ``stride`` or ``dilation``).

    Returns
    -------
    TransposedOutputSizeTerms

    Raises
    ------
    ValueError
        If an argument is out of range, ``output_padding`` is not smaller than either
        ``stride`` or ``dilation``, or the output size is not positive.
    """
    size, kernel = integer(size, "size"), integer(kernel_size, "kernel_size")
    stride, dilation = integer(stride, "stride"), integer(dilation, "dilation")
    padding = integer(padding, "padding", minimum=0)
    extra = integer(output_padding, "output_padding", minimum=0)
    if extra >= stride and extra >= dilation:
        raise ValueError(
            f"output_padding must be smaller than either stride or dilation, got "
            f"output_padding {extra}, stride {stride}, dilation {dilation}"
        )
    span, kernel_span = (size - 1) * stride, dilation * (kernel - 1)
    full = span + kernel_span + 1
    out = full - 2 * padding + extra
    if out < 1:
        raise ValueError(
            f"output size {out} is not positive: (size {size} − 1)·stride {stride} − "
            f"2·padding {padding} + dilation {dilation}·(kernel {kernel} − 1) + "
            f"output_padding {extra} + 1 = {out}"
        )
    before = kernel_span - padding
    return TransposedOutputSizeTerms(
        size=size,
        kernel=kernel,
        stride=stride,
        padding=padding,
        output_padding=extra,
        dilation=dilation,
        span=span,
        pad_total=2 * padding,
        kernel_span=kernel_span,
        full=full,
        out=out,
        stretched=span + 1,
        direct_pad_before=before,
        direct_pad_after=before + extra,
    )


def transposed_output_size(
    size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1
) -> int:
    """Output extent of a transposed convolution along one dimension.

    ``(size − 1)·stride − 2·padding + dilation·(kernel_size − 1) + output_padding + 1``.

    Parameters
    ----------
    size, kernel_size, stride, padding, output_padding, dilation : int
        See :func:`transposed_output_size_terms`.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        As :func:`transposed_output_size_terms`.
    """
    return transposed_output_size_terms(
        size, kernel_size, stride, padding, output_padding, dilation
    ).out


@dataclass(frozen=True)
class PoolOutputSizeTerms:
    """Every term of the pooling size formula for one spatial dimension.

    ``floor_out = numerator // stride + 1`` and ``ceil_out = ceil(numerator / stride) + 1``
    with ``numerator = size + pad_total − reach``; ``out`` is ``floor_out`` without
    ``ceil_mode``; with it, ``ceil_out``, less one if ``dropped``: the last window would
    start at ``last_start >= size + padding``, in the bottom/right padding.
    """

    size: int
    kernel: int
    stride: int
    padding: int
    dilation: int
    ceil_mode: bool
    pad_total: int  #: ``2·padding``
    reach: int  #: extent of the dilated window, ``dilation·(kernel − 1) + 1``
    numerator: int  #: ``size + pad_total − reach``
    floor_out: int  #: ``numerator // stride + 1``
    ceil_out: int  #: ``ceil(numerator / stride) + 1``
    dropped: bool  #: ceil mode dropped a last window starting in the padding
    out: int  #: the output extent
    last_start: int  #: padded-input index of the last window's first cell
    overhang: int  #: cells the last window reaches past the padded input (ceil mode)


def pool_output_size_terms(
    size, kernel_size, stride, padding=0, dilation=1, ceil_mode=False
) -> PoolOutputSizeTerms:
    """The pooling size formula for one dimension, with every term.

    This is the one home of PyTorch's pooling size: conv_arithmetic relation 7 (the
    convolution formula of :func:`convcore.output_size_terms`, which this calls) and, with
    ``ceil_mode``, rounding up, then dropping a last window that would start at or beyond
    ``size + padding``.

    Parameters
    ----------
    size, kernel_size, stride, dilation : int
        Input extent, window extent, stride and dilation (all >= 1).
    padding : int
        Padding on each side (>= 0).
    ceil_mode : bool
        Round up instead of down, as PyTorch's ``ceil_mode``.

    Returns
    -------
    PoolOutputSizeTerms

    Raises
    ------
    ValueError
        If an argument is out of range or the dilated window exceeds the padded input.
    """
    padding = integer(padding, "padding", minimum=0)
    conv = output_size_terms(size, kernel_size, stride, padding, dilation)
    stride, numerator = conv.stride, conv.numerator
    ceil_out = -(-numerator // stride) + 1
    dropped = bool(ceil_mode) and (ceil_out - 1) * stride >= conv.size + padding
    out = (ceil_out - dropped) if ceil_mode else conv.out
    last_start = (out - 1) * stride
    return PoolOutputSizeTerms(
        size=conv.size,
        kernel=conv.kernel,
        stride=stride,
        padding=padding,
        dilation=conv.dilation,
        ceil_mode=bool(ceil_mode),
        pad_total=conv.pad_total,
        reach=conv.reach,
        numerator=numerator,
        floor_out=conv.out,
        ceil_out=ceil_out,
        dropped=dropped,
        out=out,
        last_start=last_start,
        overhang=max(0, last_start + conv.reach - (conv.size + 2 * padding)),
    )


def pool_output_size(size, kernel_size, stride, padding=0, dilation=1, ceil_mode=False) -> int:
    """Output extent of a pooling layer along one dimension (as PyTorch).

    ``floor((size + 2·padding − dilation·(kernel_size − 1) − 1) / stride) + 1``; with
    ``ceil_mode`` rounded up, less one if that last window would start in the padding.

    Parameters
    ----------
    size, kernel_size, stride, padding, dilation, ceil_mode
        See :func:`pool_output_size_terms`.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        As :func:`pool_output_size_terms`.
    """
    return pool_output_size_terms(size, kernel_size, stride, padding, dilation, ceil_mode).out
