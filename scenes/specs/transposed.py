"""``transposed``: a transposed convolution as a scatter of kernel copies, then as the
equal direct convolution over the stretched, padded input with the kernel rotated 180°.

The default is the "odd" case: stride 2 with ``output_padding`` 1 (a 2×2 input, a 3×3
kernel 1..9, padding 1 → a 4×4 output).
"""

from __future__ import annotations

import numpy as np

from convcore.transpose import TransposeTrace, trace_conv_transpose2d
from scenes.kit.params import (
    DILATION,
    INPUT,
    INT_OR_PAIR,
    KERNEL,
    OUTPUT_PADDING,
    PADDING_PARAM,
    STRIDE,
    SceneSpec,
    Values,
    check_legible,
)

DEFAULT_INPUT = np.array([[1.0, 2.0], [3.0, 4.0]])
DEFAULT_KERNEL = np.arange(1.0, 10.0).reshape(3, 3)

#: Largest input (cells per side): one scatter step per input cell.
MAX_INPUT = 4
#: Largest kernel (cells per side) whose copies stay legible.
MAX_KERNEL = 5
#: Largest output grid or stretched, padded input (cells per side) drawn legibly.
MAX_GRID = 12

PARAMS = (
    INPUT.but(default=DEFAULT_INPUT),
    KERNEL.but(default=DEFAULT_KERNEL),
    STRIDE.but(default=2),
    PADDING_PARAM.but(
        kind=INT_OR_PAIR,
        default=1,
        help="Transposed convolution: rows/columns cropped from each side: 1 or 1,2.",
    ),
    OUTPUT_PADDING.but(default=1),
    DILATION,
)


def check_drawable(trace: TransposeTrace) -> None:
    """Raise ``ValueError`` when the trace is too large to draw legibly."""
    why = "one scatter step per input cell"
    check_legible("input", trace.x.shape[2:], MAX_INPUT, why=why)
    check_legible("kernel", trace.kernel_size, MAX_KERNEL)
    advice = "use a smaller input, kernel, stride or dilation"
    check_legible("full output (with output_padding)", trace.extended.shape[2:], MAX_GRID, advice)
    check_legible("stretched, padded input", trace.x_direct.shape[2:], MAX_GRID, advice)


def transposed_trace(v: Values) -> TransposeTrace:
    """The trace of a one-channel transposed convolution (``ValueError`` as torch, or when
    it cannot be drawn legibly)."""
    x, k = np.asarray(v.input), np.asarray(v.kernel)
    if x.ndim != 2 or k.ndim != 2:
        raise ValueError(
            f"the transposed video draws one channel: input and kernel must be 2-D, "
            f"got input {x.shape} and kernel {k.shape}"
        )
    trace = trace_conv_transpose2d(
        x[None, None],
        k[None, None],
        stride=v.stride,
        padding=v.padding,
        output_padding=v.output_padding,
        dilation=v.dilation,
    )
    check_drawable(trace)
    return trace


SPEC = SceneSpec(
    name="transposed",
    module="scenes.transposed",
    class_name="TransposedConvolution",
    description=(
        "Transposed convolution: each input value times the kernel, added where windows "
        "overlap, cropped; then the same output as a direct convolution."
    ),
    make_trace=transposed_trace,
    params=PARAMS,
)
