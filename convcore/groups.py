"""Grouped, depthwise and depthwise-separable convolution: weights, traces and costs.

``groups`` splits the channels of a convolution into independent groups (see
:func:`convcore.functional.group_channels`): a filter sees only its group's input
channels, so its weight is ``(C_out, C_in/groups, kH, kW)``. A grouped convolution is a
dense one whose weight is zero outside each filter's group (:func:`block_diagonal`);
``groups = C_in`` is depthwise, one channel per filter. A depthwise-separable block is a
depthwise k×k convolution followed by a 1×1 (pointwise) one, a per-pixel matrix product
over the channels (:func:`trace_separable`). :func:`conv_cost` and :func:`separable_cost`
are the one home of parameter and multiply-add counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from convcore._args import as_float_array, generator, integer, pair
from convcore.functional import check_groups, group_channels
from convcore.matrix import Im2colTrace, im2col_trace
from convcore.trace import ConvTrace, trace_conv2d


def group_weight(weight, groups) -> np.ndarray:
    """Keep each filter's kernels for its own group's channels (the rest are dropped).

    Parameters
    ----------
    weight : array_like, shape (C_out, C_in, kH, kW)
        A dense (``groups=1``) weight.
    groups : int
        Divides ``C_in`` and ``C_out``.

    Returns
    -------
    numpy.ndarray, shape (C_out, C_in/groups, kH, kW)
        ``out[o, n] = weight[o, group_channels(C_in, C_out, groups)[o, n]]``; the inverse
        of :func:`block_diagonal` on its non-zero part.

    Raises
    ------
    ValueError
        If ``weight`` is not a finite 4-D array or ``groups`` does not divide its channels.
    """
    weight = as_float_array(weight, "weight", (4,))
    c_out, c_in = weight.shape[:2]
    channels = group_channels(c_in, c_out, groups)
    return weight[np.arange(c_out)[:, None], channels]


def block_diagonal(weight, groups) -> np.ndarray:
    """The dense weight of a grouped convolution: zeros outside each filter's group.

    ``conv2d(x, block_diagonal(w, g)) == conv2d(x, w, groups=g)``.

    Parameters
    ----------
    weight : array_like, shape (C_out, C_in/groups, kH, kW)
    groups : int

    Returns
    -------
    numpy.ndarray, shape (C_out, C_in, kH, kW)

    Raises
    ------
    ValueError
        If ``weight`` is not a finite 4-D array or ``groups`` does not divide ``C_out``.
    """
    weight = as_float_array(weight, "weight", (4,))
    c_out, c_in_g, kh, kw = weight.shape
    groups = integer(groups, "groups")
    channels = group_channels(c_in_g * groups, c_out, groups)
    dense = np.zeros((c_out, c_in_g * groups, kh, kw), weight.dtype)
    dense[np.arange(c_out)[:, None], channels] = weight
    return dense


@dataclass(frozen=True)
class ConvCost:
    """Parameters and multiply-adds of one convolution layer.

    Attributes
    ----------
    c_in, c_out, groups : channels and groups.
    kernel : (kH, kW).
    out_hw : (out_h, out_w) output size.
    per_output : ``C_in/groups · kH · kW``: weights per filter, and products per output value.
    weights : ``C_out · C_in/groups · kH · kW``.
    biases : ``C_out`` with a bias, else 0.
    params : ``weights + biases`` (what ``torch.nn.Conv2d`` counts).
    outputs : ``C_out · out_h · out_w`` output values.
    macs : ``outputs · per_output`` multiply-adds (a product added to a sum; the bias is
        not counted).
    """

    c_in: int
    c_out: int
    groups: int
    kernel: tuple[int, int]
    out_hw: tuple[int, int]
    per_output: int
    weights: int
    biases: int
    params: int
    outputs: int
    macs: int


def conv_cost(c_in, c_out, kernel_size, out_size, groups=1, bias=False) -> ConvCost:
    """Count the parameters and multiply-adds of a (grouped) convolution.

    Parameters
    ----------
    c_in, c_out : int
        Input and output channels.
    kernel_size, out_size : int or (int, int)
        Kernel ``(kH, kW)`` and output ``(out_h, out_w)`` sizes.
    groups : int
        Divides ``c_in`` and ``c_out``.
    bias : bool
        Whether the layer has a bias (one per output channel).

    Returns
    -------
    ConvCost

    Raises
    ------
    ValueError
        If a size is not a positive int (pair) or ``groups`` does not divide the channels.
    """
    c_in, c_out = integer(c_in, "c_in"), integer(c_out, "c_out")
    kernel, out_hw = pair(kernel_size, "kernel_size"), pair(out_size, "out_size")
    groups = check_groups(c_in, c_out, groups)
    per_output = c_in // groups * kernel[0] * kernel[1]
    weights, biases = c_out * per_output, c_out if bias else 0
    outputs = c_out * out_hw[0] * out_hw[1]
    return ConvCost(
        c_in,
        c_out,
        groups,
        kernel,
        out_hw,
        per_output,
        weights,
        biases,
        weights + biases,
        outputs,
        outputs * per_output,
    )


@dataclass(frozen=True)
class SeparableCost:
    """A standard k×k convolution against a depthwise-separable block of the same shape.

    Attributes
    ----------
    standard : C_in → C_out, k×k, ``groups=1``.
    depthwise : C_in → C_in, k×k, ``groups=C_in``.
    pointwise : C_in → C_out, 1×1, on the depthwise output.
    params, macs : the block's totals (depthwise + pointwise).
    param_ratio, mac_ratio : block / standard, exact.
    inv_c_out, inv_k2 : ``1/C_out`` and ``1/(kH·kW)``.
    formula_ratio : ``1/C_out + 1/(kH·kW)``; equal to both ratios without biases.
    ratio : ``float(param_ratio)``.
    times_fewer : ``float(1 / param_ratio)``: how many times fewer parameters.
    """

    standard: ConvCost
    depthwise: ConvCost
    pointwise: ConvCost
    params: int
    macs: int
    param_ratio: Fraction
    mac_ratio: Fraction
    inv_c_out: Fraction
    inv_k2: Fraction
    formula_ratio: Fraction
    ratio: float
    times_fewer: float


def separable_cost(c_in, c_out, kernel_size, out_size, bias=False) -> SeparableCost:
    """Count a depthwise-separable block against the standard convolution it replaces.

    Without biases, both ratios are ``(C_in·k² + C_in·C_out) / (C_out·C_in·k²)
    = 1/C_out + 1/k²`` (``k² = kH·kW``).

    Parameters
    ----------
    c_in, c_out : int
    kernel_size, out_size : int or (int, int)
        The k×k kernel and the output size (the block keeps the depthwise output's size).
    bias : bool
        Whether every layer has a bias.

    Returns
    -------
    SeparableCost

    Raises
    ------
    ValueError
        As :func:`conv_cost`.
    """
    standard = conv_cost(c_in, c_out, kernel_size, out_size, 1, bias)
    depthwise = conv_cost(c_in, c_in, kernel_size, out_size, c_in, bias)
    pointwise = conv_cost(c_in, c_out, 1, out_size, 1, bias)
    params, macs = depthwise.params + pointwise.params, depthwise.macs + pointwise.macs
    param_ratio = Fraction(params, standard.params)
    inv_c_out, inv_k2 = Fraction(1, c_out), Fraction(1, standard.kernel[0] * standard.kernel[1])
    return SeparableCost(
        standard,
        depthwise,
        pointwise,
        params,
        macs,
        param_ratio,
        Fraction(macs, standard.macs),
        inv_c_out,
        inv_k2,
        inv_c_out + inv_k2,
        float(param_ratio),
        float(1 / param_ratio),
    )


@dataclass(frozen=True)
class SeparableTrace:
    """A depthwise-separable block on one input: depthwise k×k, then pointwise 1×1.

    Attributes
    ----------
    depthwise : the depthwise convolution (``groups = C_in``), every position traced.
    pointwise : the 1×1 convolution of ``depthwise.out`` as im2col: ``patches`` is the
        depthwise output with one column per pixel, ``kernel_rows`` the ``(C_out, C_in)``
        pointwise weight, ``product[:, l]`` pixel ``l``'s channel vector times it.
    cost : parameters and multiply-adds against a standard convolution of the same shape.
    out : (C_out, out_h, out_w) the block's output.
    """

    depthwise: ConvTrace
    pointwise: Im2colTrace
    cost: SeparableCost
    out: np.ndarray


def trace_separable(
    input, depthwise_weight, pointwise_weight, stride=1, padding=0, dilation=1
) -> SeparableTrace:
    """Trace a depthwise-separable block (no biases) and count it against a standard one.

    Parameters
    ----------
    input : array_like, shape (C_in, H, W)
    depthwise_weight : array_like, shape (C_in, 1, kH, kW)
    pointwise_weight : array_like, shape (C_out, C_in, 1, 1)
    stride, padding, dilation
        Of the depthwise convolution, as :func:`convcore.conv2d`.

    Returns
    -------
    SeparableTrace
        ``out`` equals ``conv2d(conv2d(x, depthwise_weight, groups=C_in, ...),
        pointwise_weight)``.

    Raises
    ------
    ValueError
        If a weight has the wrong shape, or as :func:`convcore.conv2d`.
    """
    x = as_float_array(input, "input", (3,))
    dw = as_float_array(depthwise_weight, "depthwise_weight", (4,))
    pw = as_float_array(pointwise_weight, "pointwise_weight", (4,))
    c_in = x.shape[0]
    if dw.shape[:2] != (c_in, 1):
        raise ValueError(
            f"depthwise_weight must have shape ({c_in}, 1, kH, kW) for {c_in} input "
            f"channels, got {dw.shape}"
        )
    if pw.shape[1:] != (c_in, 1, 1):
        raise ValueError(f"pointwise_weight must have shape (C_out, {c_in}, 1, 1), got {pw.shape}")
    depthwise = trace_conv2d(x, dw, None, stride, padding, dilation, groups=c_in)
    pointwise = im2col_trace(depthwise.out[0], pw)
    cost = separable_cost(c_in, pw.shape[0], dw.shape[2:], depthwise.out_shape)
    return SeparableTrace(depthwise, pointwise, cost, pointwise.out)


def example_data(rng, c_in, c_out, size, kernel_size) -> tuple[np.ndarray, ...]:
    """Small integers for a video: input 0..3, weights −1..1, drawn from ``rng``.

    Parameters
    ----------
    rng : numpy.random.Generator
    c_in, c_out, size, kernel_size : int

    Returns
    -------
    x : (C_in, size, size) input.
    weight : (C_in, C_in, k, k) a dense weight; :func:`group_weight` takes each grouping
        from it, so every grouping shares the kernels it keeps.
    pointwise : (C_out, C_in, 1, 1) a 1×1 weight.
    """
    rng = generator(rng)
    c_in, c_out = integer(c_in, "c_in"), integer(c_out, "c_out")
    size, k = integer(size, "size"), integer(kernel_size, "kernel_size")
    x = rng.integers(0, 4, size=(c_in, size, size)).astype(np.float64)
    weight = rng.integers(-1, 2, size=(c_in, c_in, k, k)).astype(np.float64)
    pointwise = rng.integers(-1, 2, size=(c_out, c_in, 1, 1)).astype(np.float64)
    return x, weight, pointwise
