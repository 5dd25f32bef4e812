"""conv_arithmetic's 19 animations (Dumoulin & Visin), each under its own name, with numbers.

Eight direct convolutions, their seven transposed twins (drawn, as conv_arithmetic draws
them, as the equal direct convolution over the stretched, padded input with the kernel
rotated 180°) and four numerical ones (two convolutions, average and max pooling). Each
has conv_arithmetic's sizes and numbers (:func:`convcore.examples.conv_arithmetic_data`),
and each size and value can be changed (``convanim build padding_strides --stride 3``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from convcore import ConvTrace, PoolTrace, TransposeTrace, trace_conv_transpose2d, trace_pool2d
from convcore.examples import CONV_ARITHMETIC, ArithmeticExample, conv_arithmetic_data
from scenes.kit.params import (
    CEIL_MODE,
    COUNT_INCLUDE_PAD,
    INPUT,
    KERNEL,
    OUTPUT_PADDING,
    PADDING_PARAM,
    STRIDE,
    Param,
    SceneSpec,
    Values,
)
from scenes.kit.params import DILATION as DILATION_PARAM
from scenes.specs import pooling, sliding, transposed

#: The parameters declared by the ``pooling`` and ``transposed`` videos, reused here.
POOLING_PARAMS = {p.name: p for p in pooling.PARAMS}
TRANSPOSED_PARAMS = {p.name: p for p in transposed.PARAMS}


@dataclass(frozen=True)
class ArithmeticTrace:
    """What one conv_arithmetic video draws: which animation, and its trace.

    ``trace`` is a :class:`ConvTrace` (``kind`` ``'conv'``), a :class:`TransposeTrace`
    (``'transposed'``; the video sweeps its ``direct`` view) or a :class:`PoolTrace`
    (``'max'``, ``'avg'``).
    """

    name: str
    kind: str
    trace: ConvTrace | TransposeTrace | PoolTrace

    @property
    def swept(self) -> ConvTrace | PoolTrace:
        """The trace whose windows the video sweeps."""
        return self.trace.direct if self.kind == "transposed" else self.trace


def _matrices(v: Values, video: str, names: tuple[str, ...]) -> list[np.ndarray]:
    arrays = [np.asarray(v[n]) for n in names]
    if any(a.ndim != 2 for a in arrays):
        shapes = " and ".join(f"{n} {a.shape}" for n, a in zip(names, arrays, strict=True))
        raise ValueError(
            f"the {video} video draws one channel: {' and '.join(names)} must be 2-D, got {shapes}"
        )
    return arrays


def _trace(e: ArithmeticExample, v: Values) -> ConvTrace | TransposeTrace | PoolTrace:
    if e.kind == "conv":
        return sliding.single_channel_trace(Values({**v, "bias": None}), e.name)
    if e.kind == "transposed":
        x, k = _matrices(v, e.name, ("input", "kernel"))
        settings = dict(stride=v.stride, padding=v.padding, output_padding=v.output_padding)
        trace = trace_conv_transpose2d(
            x[None, None], k[None, None], dilation=v.dilation, **settings
        )
        sliding.check_drawable(trace.direct)  # the stretched, padded input is what is drawn
        return trace
    (x,) = _matrices(v, e.name, ("input",))
    settings = dict(padding=v.padding, ceil_mode=v.ceil_mode, mode=e.kind)
    if e.kind == "max":
        settings["dilation"] = v.dilation
    else:
        settings["count_include_pad"] = v.count_include_pad
    trace = trace_pool2d(x[None, None], v.kernel_size, v.stride, **settings)
    sliding.check_drawable(trace)
    return trace


def _make_trace(e: ArithmeticExample) -> Callable[[Values], ArithmeticTrace]:
    def make_trace(v: Values) -> ArithmeticTrace:
        return ArithmeticTrace(e.name, e.kind, _trace(e, v))

    make_trace.__doc__ = f"The trace of conv_arithmetic's {e.name} (``ValueError`` if impossible)."
    return make_trace


def _params(e: ArithmeticExample) -> tuple[Param, ...]:
    x, kernel = conv_arithmetic_data(e.input_size, e.kernel_size)
    if e.kind == "conv":
        return (
            INPUT.but(default=x),
            KERNEL.but(default=kernel),
            STRIDE.but(default=e.stride),
            PADDING_PARAM.but(default=e.padding),
            DILATION_PARAM.but(default=e.dilation),
        )
    if e.kind == "transposed":
        return (
            INPUT.but(default=x),
            KERNEL.but(default=kernel),
            STRIDE.but(default=e.stride),
            TRANSPOSED_PARAMS["padding"].but(default=e.padding),
            OUTPUT_PADDING.but(default=e.output_padding),
            DILATION_PARAM.but(default=e.dilation),
        )
    pool = (
        INPUT.but(default=x),
        POOLING_PARAMS["kernel_size"].but(default=e.kernel_size),
        POOLING_PARAMS["stride"].but(default=e.stride),
        POOLING_PARAMS["padding"].but(default=e.padding),
    )
    if e.kind == "max":
        return (*pool, POOLING_PARAMS["dilation"].but(default=e.dilation), CEIL_MODE)
    return (*pool, CEIL_MODE, COUNT_INCLUDE_PAD)


DESCRIPTIONS = {
    "conv": "Convolution: {i}×{i} input, {k}×{k} kernel, stride {s}, padding {p}{d} → {o}×{o}",
    "transposed": "Transposed convolution: {i}×{i} input, {k}×{k} kernel, stride {s}, "
    "padding {p}{op} → {o}×{o}, as a direct one",
    "max": "Max pooling: {i}×{i} input, {k}×{k} windows, stride {s} → {o}×{o}",
    "avg": "Average pooling: {i}×{i} input, {k}×{k} windows, stride {s} → {o}×{o}",
}


def _spec(e: ArithmeticExample) -> SceneSpec:
    d = f", dilation {e.dilation}" if e.dilation != 1 else ""
    op = f", output_padding {e.output_padding}" if e.output_padding else ""
    sizes = dict(i=e.input_size, o=e.output_size, k=e.kernel_size, s=e.stride, p=e.padding)
    return SceneSpec(
        name=e.name,
        module="scenes.conv_arithmetic",
        class_name="ConvArithmetic",
        description=DESCRIPTIONS[e.kind].format(d=d, op=op, **sizes) + ".",
        make_trace=_make_trace(e),
        params=_params(e),
        group="conv-arithmetic",
    )


#: One declaration per animation, in conv_arithmetic's order.
SPECS: tuple[SceneSpec, ...] = tuple(_spec(e) for e in CONV_ARITHMETIC)
(
    NO_PADDING_NO_STRIDES,
    ARBITRARY_PADDING_NO_STRIDES,
    SAME_PADDING_NO_STRIDES,
    FULL_PADDING_NO_STRIDES,
    NO_PADDING_STRIDES,
    PADDING_STRIDES,
    PADDING_STRIDES_ODD,
    DILATION,
    NO_PADDING_NO_STRIDES_TRANSPOSED,
    ARBITRARY_PADDING_NO_STRIDES_TRANSPOSED,
    SAME_PADDING_NO_STRIDES_TRANSPOSED,
    FULL_PADDING_NO_STRIDES_TRANSPOSED,
    NO_PADDING_STRIDES_TRANSPOSED,
    PADDING_STRIDES_TRANSPOSED,
    PADDING_STRIDES_ODD_TRANSPOSED,
    NUMERICAL_NO_PADDING_NO_STRIDES,
    NUMERICAL_PADDING_STRIDES,
    NUMERICAL_AVERAGE_POOLING,
    NUMERICAL_MAX_POOLING,
) = SPECS
#: The declaration the scene class falls back on (``manim render scenes/conv_arithmetic.py``).
SPEC = NO_PADDING_NO_STRIDES
