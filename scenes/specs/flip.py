"""``flip``: cross-correlation (PyTorch's Conv2d) against true convolution (the kernel rotated
180° first), on the same input: equal outputs for a symmetric kernel, different ones for an
asymmetric kernel such as the default (the article's 5×5 input and 3×3 kernel 1..9).
"""

from __future__ import annotations

import numpy as np

from convcore import ARTICLE_INPUT, ARTICLE_KERNEL, ConvolveTrace, trace_convolve2d
from convcore.convolve import MODES
from scenes.kit.params import INPUT, KERNEL, Param, SceneSpec, Values, check_legible, choice

#: Largest padded input (cells per side) drawn beside two kernels and two outputs.
MAX_INPUT = 7
#: Largest kernel (cells per side): a sum of at most 16 products under each output.
MAX_KERNEL = 4
#: Largest output (cells per side), drawn twice.
MAX_OUTPUT = 5

PARAMS = (
    INPUT.but(default=ARTICLE_INPUT),
    KERNEL.but(default=ARTICLE_KERNEL),
    Param(
        "mode",
        choice(MODES),
        "valid",
        "scipy.signal's mode: full, same or valid (the default: conv2d's output size).",
    ),
)


def check_drawable(trace: ConvolveTrace) -> None:
    """Raise ``ValueError`` when the trace is too large, or padded unevenly, to draw."""
    conv, corr = trace.convolution, trace.correlation
    (hp, wp), (kh, kw), (oh, ow) = conv.x_padded.shape[2:], trace.kernel.shape, trace.out.shape
    if conv.pads != corr.pads:
        raise ValueError(
            f"mode 'same' with the even kernel {kh}×{kw} pads cross-correlation and "
            "convolution on opposite sides, which this video does not draw; use an odd "
            "kernel, or mode 'valid' or 'full'"
        )
    advice = "use a smaller input or kernel, or mode 'valid'"
    check_legible("padded input", (hp, wp), MAX_INPUT, advice)
    check_legible("kernel", (kh, kw), MAX_KERNEL, advice)
    check_legible("output", (oh, ow), MAX_OUTPUT, advice)


def flip_trace(v: Values) -> ConvolveTrace:
    """Convolution and cross-correlation of ``v.input`` with ``v.kernel`` in ``v.mode``."""
    x, k = np.asarray(v.input), np.asarray(v.kernel)
    if x.ndim != 2 or k.ndim != 2:
        raise ValueError(
            "the flip video draws one channel: input and kernel must be 2-D, "
            f"got input {x.shape} and kernel {k.shape}"
        )
    trace = trace_convolve2d(x, k, v.mode)
    check_drawable(trace)
    return trace


SPEC = SceneSpec(
    name="flip",
    module="scenes.flip",
    class_name="Flip",
    description="Cross-correlation (PyTorch) against true convolution: the kernel rotated 180°.",
    make_trace=flip_trace,
    params=PARAMS,
)
