"""``matmul``: convolution as one matrix product ``M·x``, and its transpose ``Mᵀ·g``."""

from __future__ import annotations

import math

import numpy as np

from convcore import ARTICLE_INPUT, ARTICLE_KERNEL, ConvMatrixTrace, conv_matrix_trace
from scenes.kit.fmt import shape
from scenes.kit.params import DILATION, INPUT, KERNEL, PADDING_PARAM, STRIDE, SceneSpec

M_W = 10.4  #: width for the matrix's cells
M_H = 3.9  #: height for the matrix's cells
MIN_CELL = 0.36  #: numbers stay ≥ 14 pt at 1080p; below this the matrix is refused
MAX_CELL = 0.5


def matrix_cell(rows: int, cols: int) -> float:
    """Cell edge of an R×Q matrix drawn in the matrix's area."""
    return min(MAX_CELL, M_W / cols, M_H / rows)


def matrix_trace_for(v) -> ConvMatrixTrace:
    """The trace of ``v.input`` convolved as ``M·x`` (``ValueError`` if not drawable)."""
    x, k = np.asarray(v.input), np.asarray(v.kernel)
    if x.ndim != 2 or k.ndim != 2:
        raise ValueError(
            f"the matrix video draws one channel: input and kernel must be 2-D, "
            f"got input {x.shape} and kernel {k.shape}"
        )
    trace = conv_matrix_trace(x, k, v.stride, v.padding, v.dilation)
    rows, cols = trace.matrix.shape
    if matrix_cell(rows, cols) < MIN_CELL:
        raise ValueError(
            f"the unrolled matrix {shape(rows, cols)} is too large to draw legibly (at "
            f"most {math.floor(M_H / MIN_CELL)} rows = outputs and "
            f"{math.floor(M_W / MIN_CELL)} columns = input cells); use a smaller input, "
            "a larger stride or less padding"
        )
    return trace


SPEC = SceneSpec(
    name="matmul",
    module="scenes.matmul",
    class_name="ConvAsMatmul",
    description="Convolution as one matrix: the unrolled 9×25 kernel times x, and its transpose.",
    make_trace=matrix_trace_for,
    params=(
        INPUT.but(default=ARTICLE_INPUT),
        KERNEL.but(default=ARTICLE_KERNEL),
        STRIDE,
        PADDING_PARAM,
        DILATION,
    ),
)
