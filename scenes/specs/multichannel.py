"""``multichannel``: C_in input channels, C_out filters; per-channel sums, their total, a bias."""

from __future__ import annotations

import numpy as np

from convcore import ConvTrace, trace_conv2d
from convcore.functional import per_filter_bias
from scenes.kit.fmt import shape
from scenes.kit.params import BIAS, DILATION, INPUT, KERNEL, PADDING_PARAM, STRIDE, SceneSpec

#: The default example: 3 input channels of 4×4 small integers …
EXAMPLE_INPUT = np.array(
    [
        [[1, 2, 0, 1], [0, 1, 3, 1], [2, 1, 0, 2], [1, 0, 1, 3]],
        [[0, 1, 1, 2], [2, 0, 1, 0], [1, 3, 2, 1], [0, 1, 0, 2]],
        [[2, 0, 1, 1], [1, 1, 0, 2], [0, 2, 1, 0], [3, 1, 2, 1]],
    ],
    dtype=float,
)
#: … two filters of three 2×2 kernels each …
EXAMPLE_WEIGHT = np.array(
    [
        [[[1, 0], [-1, 2]], [[0, 1], [1, 0]], [[2, -1], [0, 1]]],
        [[[-1, 1], [0, 1]], [[1, 1], [0, -1]], [[0, 2], [1, 0]]],
    ],
    dtype=float,
)
#: … and one bias per filter (from the command line: one number for every filter).
EXAMPLE_BIAS = (1.0, -1.0)

MAX_C_IN, MAX_C_OUT = 4, 3
MAX_PADDED = 7  # cells per side of a padded input channel
MAX_KERNEL = 3


def check_drawable(trace: ConvTrace) -> None:
    """Raise ``ValueError`` when the trace has too many channels or cells to draw legibly."""
    c_out, c_in, kh, kw = trace.weight.shape
    hp, wp = trace.x_padded.shape[2:]
    if c_in > MAX_C_IN or c_out > MAX_C_OUT:
        raise ValueError(
            f"{c_in} input channels and {c_out} filters are too many to draw (at most "
            f"{MAX_C_IN} input channels and {MAX_C_OUT} filters)"
        )
    if max(hp, wp) > MAX_PADDED:
        raise ValueError(
            f"padded input {shape(hp, wp)} is too large to draw per channel (at most "
            f"{MAX_PADDED}×{MAX_PADDED})"
        )
    if max(kh, kw) > MAX_KERNEL:
        raise ValueError(f"kernel {shape(kh, kw)} is too large to draw (at most 3×3)")


def multichannel_trace(v) -> ConvTrace:
    """The trace of ``v.input`` (C_in, H, W) convolved with ``v.kernel`` (C_out, C_in, K, K)."""
    x, w = np.asarray(v.input), np.asarray(v.kernel)
    if x.ndim != 3:
        raise ValueError(
            f"the multichannel video needs a 3-D input (C_in, H, W), got {x.ndim}-D with "
            f"shape {x.shape}; give it as a .npy file"
        )
    if w.ndim != 4:
        raise ValueError(
            f"the multichannel video needs a 4-D kernel (C_out, C_in, K, K), got {w.ndim}-D "
            f"with shape {w.shape}; give it as a .npy file"
        )
    bias = per_filter_bias(v.bias, w.shape[0])
    trace = trace_conv2d(x, w, bias, v.stride, v.padding, v.dilation)
    check_drawable(trace)
    return trace


SPEC = SceneSpec(
    name="multichannel",
    module="scenes.multichannel",
    class_name="MultiChannel",
    description="3 input channels, 2 filters: per-channel sums, their total plus a bias, 2 maps.",
    make_trace=multichannel_trace,
    params=(
        INPUT.but(default=EXAMPLE_INPUT),
        KERNEL.but(default=EXAMPLE_WEIGHT),
        BIAS.but(default=EXAMPLE_BIAS),
        STRIDE,
        PADDING_PARAM,
        DILATION,
    ),
)
