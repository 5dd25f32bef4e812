"""``learn-kernel``: d2l.ai's "Learning a Kernel": SGD finds the edge kernel ``[1, −1]``.

d2l's image ``X`` (6×8, a dark band between white edges), the target ``Y = X ⋆ [1, −1]``,
and a randomly initialised ``Conv2d(1, 1, kernel_size, bias=False)`` trained with MSE and
SGD by :func:`convcore.learn.trace_kernel_learning`; the learned kernel is then applied to
a photograph (``--image``, by default the shipped one) beside the true kernel.
"""

from __future__ import annotations

import numpy as np

from convcore.learn import KernelLearningTrace, edge_image, stable_lr, trace_kernel_learning
from scenes.kit.image import load_grey
from scenes.kit.params import FLOAT, IMAGE, SEED, Param, SceneSpec, Values, choice, int_range

#: The kernel sizes the video offers, as the option spells them.
KERNEL_SIZES = {"1x2": (1, 2), "3x3": (3, 3)}
MAX_STEPS = 200
#: Longest side of the photograph, in pixels (its feature maps are drawn as pictures).
PHOTO_SIDE = 96
#: Largest |value| drawn (kernel entries, gradients, outputs with 4 decimals).
MAX_ABS = 100.0

PARAMS = (
    Param(
        "kernel_shape",
        choice(tuple(KERNEL_SIZES)),
        "1x2",
        "Size of the learned kernel: 1x2 (d2l's) or 3x3 (it learns only column sums).",
    ),
    Param("lr", FLOAT, 0.5, "SGD learning rate (> 0; diverges above 1.4 for 1x2, 0.58 for 3x3)."),
    Param("steps", int_range(1, MAX_STEPS), 40, f"SGD steps (1 to {MAX_STEPS})."),
    SEED.but(help="Random seed of the starting kernel (numpy default_rng)."),
    IMAGE.but(help="Photograph the learned kernel is applied to (PNG, JPEG; default: shipped)."),
)


def diverges(v: Values, reason: str) -> ValueError:
    """The one-line refusal of a learning rate that makes training diverge."""
    limit = stable_lr(edge_image(), KERNEL_SIZES[v.kernel_shape])
    return ValueError(
        f"training diverges with lr={v.lr:g} ({reason}): use lr < {limit:.3g} "
        f"for a {v.kernel_shape.replace('x', '×')} kernel"
    )


def learn_kernel_trace(v: Values) -> KernelLearningTrace:
    """Learn the edge kernel with ``v``'s settings; ``ValueError`` if it cannot be drawn."""
    if v.lr <= 0:
        raise ValueError(f"lr must be > 0, got {v.lr:g}")
    photo = load_grey(v.image.path, PHOTO_SIDE, "--image")
    kh, kw = KERNEL_SIZES[v.kernel_shape]
    if min(photo.shape) < max(kh, kw):
        raise ValueError(f"--image is {photo.shape[0]}×{photo.shape[1]} pixels: too small")
    rng = np.random.default_rng(v.seed)
    try:
        trace = trace_kernel_learning((kh, kw), lr=v.lr, steps=v.steps, rng=rng, photo=photo)
    except ValueError as exc:
        if "diverges" not in str(exc):
            raise
        raise diverges(v, "the loss overflows float64") from None
    first, last = trace.loss[0], trace.loss[-1]
    if last > first or trace.largest_abs >= MAX_ABS:
        raise diverges(v, f"the loss grows from {first:.4g} to {last:.4g}")
    return trace


SPEC = SceneSpec(
    name="learn-kernel",
    module="scenes.learn_kernel",
    class_name="LearnKernel",
    description="d2l's Learning a Kernel: SGD finds the edge kernel [1, −1]; then a photo.",
    make_trace=learn_kernel_trace,
    params=PARAMS,
)
