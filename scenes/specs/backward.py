"""``backward``: backpropagation through one convolution, sum by sum.

The three gradients of ``Y = X ⋆ W + b`` for a given ``∂L/∂Y``, each in the sliding-window
style: ``∂L/∂W`` as the input correlated with ``∂L/∂Y``, ``∂L/∂X`` as the full correlation
of the stretched ``∂L/∂Y`` with the kernel rotated 180°, ``∂L/∂b`` as the sum of ``∂L/∂Y``.
The default is the article's 5×5 input and 3×3 kernel with ``∂L/∂Y`` 2 and −1 in a
checkerboard (:func:`convcore.backward.example_grad_output`).
"""

from __future__ import annotations

import numpy as np

from convcore import ARTICLE_INPUT, ARTICLE_KERNEL, conv2d
from convcore.backward import GradientTrace, example_grad_output, trace_conv2d_backward
from scenes.kit.params import (
    INPUT,
    KERNEL,
    MATRIX,
    PADDING_PARAM,
    STRIDE,
    Param,
    SceneSpec,
    check_legible,
)

#: Largest padded input, or stretched and fully padded ∂L/∂Y (cells per side).
MAX_GRID = 12
#: Largest kernel (cells per side): its taps are the terms of each ∂L/∂X sum.
MAX_KERNEL = 5
#: Largest output (cells per side): its cells are the terms of each ∂L/∂W sum.
MAX_OUTPUT = 5

GRAD_OUTPUT = Param(
    "grad_output",
    MATRIX,
    None,
    "∂L/∂Y, the loss's gradient at the output: a matrix of the output's shape, same forms "
    "as --input. Default: 2 and −1 in a checkerboard, 2 at the top left.",
)
PARAMS = (
    INPUT.but(default=ARTICLE_INPUT),
    KERNEL.but(default=ARTICLE_KERNEL),
    STRIDE,
    PADDING_PARAM,
    GRAD_OUTPUT,
)


def _side(rows: int, cols: int) -> str:
    return f"{rows}×{cols}"


def check_drawable(trace: GradientTrace) -> None:
    """Raise ``ValueError`` when the trace is too large to draw legibly."""
    checks = (
        ("kernel", trace.weight.shape[2:], MAX_KERNEL),
        ("output", trace.grad_out.shape[2:], MAX_OUTPUT),
        ("padded input", trace.x_padded.shape[2:], MAX_GRID),
        ("stretched, fully padded ∂L/∂Y", trace.grad_out_full.shape[2:], MAX_GRID),
    )
    advice = "use a smaller input or kernel, or another stride or padding"
    for what, size, most in checks:
        check_legible(what, size, most, advice)


def backward_trace(v) -> GradientTrace:
    """The gradients of a one-channel convolution for ``v.grad_output`` (``ValueError`` as
    torch, for a ``grad_output`` of the wrong shape, or when it cannot be drawn)."""
    x, k = np.asarray(v.input), np.asarray(v.kernel)
    if x.ndim != 2 or k.ndim != 2:
        raise ValueError(
            f"the backward video draws one channel: input and kernel must be 2-D, "
            f"got input {x.shape} and kernel {k.shape}"
        )
    out_hw = conv2d(x[None, None], k[None, None], None, v.stride, v.padding).shape[2:]
    g = example_grad_output(out_hw) if v.grad_output is None else np.asarray(v.grad_output)
    if g.shape != out_hw:
        raise ValueError(
            f"grad_output must have the output's shape {_side(*out_hw)} (for this input, "
            f"kernel, stride and padding), got {'×'.join(map(str, g.shape))}"
        )
    trace = trace_conv2d_backward(g[None, None], x[None, None], k[None, None], v.stride, v.padding)
    check_drawable(trace)
    return trace


SPEC = SceneSpec(
    name="backward",
    module="scenes.backward",
    class_name="Backward",
    description=(
        "Backpropagation through a convolution: ∂L/∂W, ∂L/∂X (the stretched gradient with "
        "the kernel rotated 180°) and ∂L/∂b, every product and sum."
    ),
    make_trace=backward_trace,
    params=PARAMS,
)
