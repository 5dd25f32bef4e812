"""``checkerboard``: how many kernel taps of a stride-2 transposed convolution land on each
output cell, for a kernel size the stride does not divide (3) and one it does (4).

With an input of ones and kernels of ones the outputs are those counts (Odena, Dumoulin &
Olah, "Deconvolution and Checkerboard Artifacts", Distill 2016).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convcore.transpose import (
    OverlapPattern,
    TransposeTrace,
    overlap_pattern,
    trace_conv_transpose2d,
)
from scenes.kit.params import STRIDE, Param, SceneSpec, Values, int_range

#: Largest output (cells per side): two grids of numbers side by side.
MAX_OUTPUT = 12
MAX_STRIDE = 4

PARAMS = (
    Param("input_size", int_range(2, 6), 4, "Height and width of the input (all ones)."),
    STRIDE.but(default=2),
    Param("kernel_a", int_range(1, 7), 3, "Kernel size on the left (a kernel of ones)."),
    Param("kernel_b", int_range(1, 7), 4, "Kernel size on the right (a kernel of ones)."),
)


@dataclass(frozen=True)
class CheckerboardTrace:
    """The two transposed convolutions of ones the video compares, left and right."""

    traces: tuple[TransposeTrace, TransposeTrace]
    patterns: tuple[OverlapPattern, OverlapPattern]
    stride: int


def square_stride(stride) -> int:
    """The one stride of both axes, from 1 to 4 (``ValueError`` otherwise)."""
    rows, cols = stride if isinstance(stride, tuple) else (stride, stride)
    if rows != cols or not 1 <= rows <= MAX_STRIDE:
        raise ValueError(
            f"the checkerboard video draws square grids: stride must be one int from 1 to "
            f"{MAX_STRIDE}, got {stride!r}"
        )
    return rows


def checkerboard_traces(v: Values) -> CheckerboardTrace:
    """Both traces and their overlap patterns (``ValueError`` when one cannot be drawn)."""
    stride = square_stride(v.stride)
    x = np.ones((1, 1, v.input_size, v.input_size))
    traces, patterns = [], []
    for kernel in (v.kernel_a, v.kernel_b):
        pattern = overlap_pattern(v.input_size, kernel, stride)
        side = pattern.counts.shape[0]
        if side > MAX_OUTPUT:
            raise ValueError(
                f"output {side}×{side} (kernel {kernel}) is too large to draw legibly (at most "
                f"{MAX_OUTPUT}×{MAX_OUTPUT}); use a smaller input size, stride or kernel"
            )
        if not pattern.levels:
            raise ValueError(
                f"input size {v.input_size} is too small for kernel {kernel} at stride "
                f"{stride}: no output cell is away from the border; use a larger input size"
            )
        traces.append(trace_conv_transpose2d(x, np.ones((1, 1, kernel, kernel)), None, stride))
        patterns.append(pattern)
    return CheckerboardTrace(tuple(traces), tuple(patterns), stride)


SPEC = SceneSpec(
    name="checkerboard",
    module="scenes.checkerboard",
    class_name="CheckerboardArtifacts",
    description=(
        "Checkerboard artifacts: kernel taps per output cell of a stride-2 transposed "
        "convolution, kernel 3 (uneven) against kernel 4 (even)."
    ),
    make_trace=checkerboard_traces,
    params=PARAMS,
)
