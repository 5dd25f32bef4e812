"""``sliding``: the kernel slides over one input channel; every product and sum."""

from __future__ import annotations

import numpy as np

from convcore import ARTICLE_INPUT, ARTICLE_KERNEL, ConvTrace, trace_conv2d
from scenes.kit.params import (
    BIAS,
    DILATION,
    INPUT,
    KERNEL,
    PADDING_PARAM,
    STRIDE,
    SceneSpec,
    check_legible,
)

#: Largest padded input (cells per side) drawn legibly as a number grid at 1080p.
MAX_INPUT = 12
#: Largest kernel (cells per side) whose products still fit under the grids.
MAX_KERNEL = 5

CONV_PARAMS = (
    INPUT.but(default=ARTICLE_INPUT),
    KERNEL.but(default=ARTICLE_KERNEL),
    BIAS,
    STRIDE,
    PADDING_PARAM,
    DILATION,
)


def check_drawable(trace: ConvTrace) -> None:
    """Raise ``ValueError`` when the trace is too large to draw legibly."""
    advice = "use a smaller input or less padding"
    check_legible("padded input", trace.x_padded.shape[2:], MAX_INPUT, advice)
    check_legible("kernel", trace.kernel_size, MAX_KERNEL)


def single_channel_trace(v, video: str = "sliding-window") -> ConvTrace:
    """The trace of a one-channel convolution of ``v.input`` with ``v.kernel``."""
    x, k = np.asarray(v.input), np.asarray(v.kernel)
    if x.ndim != 2 or k.ndim != 2:
        raise ValueError(
            f"the {video} video draws one channel: input and kernel must be 2-D, "
            f"got input {x.shape} and kernel {k.shape}"
        )
    bias = None if v.bias is None else [v.bias]
    trace = trace_conv2d(x[None, None], k[None, None], bias, v.stride, v.padding, v.dilation)
    check_drawable(trace)
    return trace


SPEC = SceneSpec(
    name="sliding",
    module="scenes.sliding",
    class_name="SlidingWindow",
    description="The kernel slides over the input: every window, its products and their sum.",
    make_trace=single_channel_trace,
    params=CONV_PARAMS,
)
