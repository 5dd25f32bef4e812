"""``pooling``: max and average pooling with every value, then where the gradient goes.

By default both are shown, max first, over conv_arithmetic's numeric pooling input (a 5×5
grid, 3×3 windows, stride 1: the windows overlap, so the backward pass accumulates). The
backward pass uses ``grad_output`` = all ones, the gradient of ``L = out.sum()``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convcore import PoolGradientTrace, trace_pool2d, trace_pool2d_backward
from scenes.kit.params import (
    CEIL_MODE,
    COUNT_INCLUDE_PAD,
    DILATION,
    INPUT,
    INT_OR_PAIR,
    PADDING_PARAM,
    POOL,
    STRIDE,
    Param,
    SceneSpec,
    Values,
    check_legible,
    int_range,
)

#: conv_arithmetic's numeric pooling input (NumPy legacy seed 1234, ``randint(0, 4)``).
POOL_INPUT = np.array(
    [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]], float
)
#: Largest padded input (cells per side) drawn legibly beside the two gradient grids.
MAX_INPUT = 8
#: Most windows stepped through in one sweep (a 7×7 output); each takes about a second.
MAX_WINDOWS = 49
MODES = ("max", "avg")

PARAMS = (
    INPUT.but(default=POOL_INPUT),
    Param("kernel_size", int_range(1, 5), 3, "Pooling window size (1 to 5)."),
    STRIDE.but(
        help="Stride: 2 or 2,1 (rows, columns). Default 1 (overlapping windows, as in "
        "conv_arithmetic's figures); PyTorch's default is the kernel size."
    ),
    PADDING_PARAM.but(
        kind=INT_OR_PAIR,
        help="Padding on each side: 1 or 1,0 (at most half the window; max: −∞, avg: 0).",
    ),
    DILATION.but(help="Dilation: 2 or 2,1 (max pooling only)."),
    POOL.but(default=None, help="Show only max or avg pooling (default: both, max first)."),
    CEIL_MODE,
    COUNT_INCLUDE_PAD,
)


@dataclass(frozen=True)
class PoolingTrace:
    """The passes the video shows, in order: one forward + backward trace per mode."""

    passes: tuple[PoolGradientTrace, ...]

    @property
    def modes(self) -> tuple[str, ...]:
        return tuple(p.forward.mode for p in self.passes)


def check_drawable(g: PoolGradientTrace) -> None:
    """Raise ``ValueError`` when the trace is too large to draw legibly."""
    advice = "use a smaller input or less padding"
    check_legible("padded input", g.forward.x_padded.shape[2:], MAX_INPUT, advice)
    if g.n_steps > MAX_WINDOWS:
        raise ValueError(
            f"{g.n_steps} windows are too many to step through (at most {MAX_WINDOWS}); "
            "use a larger stride or kernel size, or a smaller input"
        )


def pooling_traces(v: Values) -> PoolingTrace:
    """Forward and backward traces of max and/or average pooling of ``v.input``."""
    x = np.asarray(v.input)
    if x.ndim != 2:
        raise ValueError(f"the pooling video draws one channel: input must be 2-D, got {x.shape}")
    modes = MODES if v.pool is None else (v.pool,)
    if v.pool is None and v.dilation not in (1, (1, 1)):
        raise ValueError(
            f"average pooling has no dilation, got dilation {v.dilation}: "
            "add --pool max to show max pooling alone"
        )
    passes = []
    for mode in modes:
        settings = dict(kernel_size=v.kernel_size, stride=v.stride, padding=v.padding, mode=mode)
        settings |= dict(dilation=v.dilation, ceil_mode=v.ceil_mode)
        settings |= dict(count_include_pad=v.count_include_pad)
        ones = np.ones_like(trace_pool2d(x[None, None], **settings).out)  # L = out.sum()
        passes.append(trace_pool2d_backward(ones, x[None, None], **settings))
        check_drawable(passes[-1])
    return PoolingTrace(tuple(passes))


SPEC = SceneSpec(
    name="pooling",
    module="scenes.pooling",
    class_name="Pooling",
    description="Max and average pooling with values; then where each gradient goes.",
    make_trace=pooling_traces,
    params=PARAMS,
)
