"""``im2col`` and ``im2col-channels``: windows → columns, one matrix product, reshaped.

Also where the scene's layout is planned (pure geometry from the trace's shapes), since the
same plan decides whether a trace can be drawn legibly at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from convcore import (
    ARTICLE_INPUT,
    ARTICLE_KERNEL,
    ConvTrace,
    Im2colTrace,
    im2col_trace,
    trace_conv2d,
)
from scenes.kit.fmt import shape
from scenes.kit.params import (
    BIAS,
    DILATION,
    INPUT,
    KERNEL,
    PADDING_PARAM,
    STRIDE,
    SceneSpec,
    Values,
)

#: Two 4×4 input channels and a 2×2×2 kernel: the ``im2col-channels`` example.
CHANNEL_INPUT = np.stack(
    [
        np.arange(1.0, 17.0).reshape(4, 4),
        np.array([[1, 0, 2, 1], [0, 1, 1, 2], [2, 1, 0, 1], [1, 2, 1, 0]], dtype=float),
    ]
)
CHANNEL_KERNEL = np.array([[[1, 2], [3, 4]], [[1, 0], [0, -1]]], dtype=float)

MAX_CHANNELS = 3
FRAME_W = 13.8  # usable width (the frame is 14.2 wide)
TOP = 2.2  # top edge of the grids' cells; titles sit above it
PATCH_H = 4.5  # height for the patch matrix's cells
PATCH_W = 9.0  # width for the patch matrix's cells (and channel labels)
MAX_CELL = 0.5
MIN_CELL = 0.36  # patch matrix cells: two-digit numbers stay ≥ 14 pt
MIN_INPUT_CELL = 0.3
GAP = 0.5  # between the left column and the patch matrix
BLOCK_LABEL_W = 0.9  # channel labels right of the patch matrix
ROW_GAP = 0.25  # patch matrix → output row
MAX_LEFT_W = 7.4
ABOVE = 0.6  # room for a title above a grid's cells
BELOW = 0.45  # room for channel tags below a grid's cells
CAPTION_H = 0.55  # room for the step caption under the input grids


@dataclass(frozen=True)
class Im2colTraces:
    """What the video draws: the im2col trace, and the sliding-window trace of the same
    convolution (the reshaped output is shown beside ``conv.out``)."""

    im2col: Im2colTrace
    conv: ConvTrace


@dataclass(frozen=True)
class Layout:
    """Where everything goes, from the trace's shapes only (no theme, no mobjects)."""

    patch_cell: float
    kernel_row_cell: float
    input_cell: float
    one_row: bool  # input and kernel grids side by side (else kernel grids below)
    left_x: float  # left edge of the left column
    left_w: float
    patch_left: float
    result_y: float  # centre line of the kernel row and the output row

    @property
    def left_centre(self) -> float:
        return self.left_x + self.left_w / 2

    @property
    def area_top(self) -> float:
        return TOP + ABOVE


def plan_layout(trace: Im2colTrace) -> Layout:
    """The :class:`Layout` of a trace; cells may come out too small (see check_drawable)."""
    k, n_cols = trace.patches.shape
    block_w = BLOCK_LABEL_W if trace.x.shape[0] > 1 else 0.0
    pc = min(MAX_CELL, PATCH_H / k, (PATCH_W - block_w) / n_cols)
    left_w = min(MAX_LEFT_W, FRAME_W - n_cols * pc - GAP - block_w)
    total = left_w + GAP + n_cols * pc + block_w
    left_x = -total / 2
    result_y = TOP - k * pc - ROW_GAP - pc / 2
    area_h = TOP - (result_y + pc / 2 + 0.35 + CAPTION_H)
    input_cell, one_row = _input_cell(trace, left_w, area_h)
    return Layout(
        patch_cell=pc,
        kernel_row_cell=min(pc, left_w / k),
        input_cell=input_cell,
        one_row=one_row,
        left_x=left_x,
        left_w=left_w,
        patch_left=left_x + left_w + GAP,
        result_y=result_y,
    )


def _input_cell(trace: Im2colTrace, width: float, height: float) -> tuple[float, bool]:
    """Cell of the input and kernel grids in a width×height area, and whether they sit in
    one row (else the kernel grids go below the input grids): whichever gives larger cells.
    """
    c_in, hp, wp = trace.x_padded.shape
    kh, kw = trace.kernel_size
    tags = BELOW if c_in > 1 else 0.0
    one_row = min(
        (width - 0.3 * 2 * (c_in - 1) - 0.5) / (c_in * (wp + kw)),
        (height - tags) / max(hp, kh),
    )
    stacked = min(
        (width - 0.3 * (c_in - 1)) / (c_in * max(wp, kw)),
        (height - 2 * tags - ABOVE - 0.2) / (hp + kh),
    )
    return min(MAX_CELL, max(one_row, stacked)), one_row >= stacked


def check_drawable(trace: Im2colTrace) -> None:
    """Raise ``ValueError`` when the trace is too large to draw legibly."""
    k, n_cols = trace.patches.shape
    c_in = trace.x.shape[0]
    if c_in > MAX_CHANNELS:
        raise ValueError(f"{c_in} input channels are too many to draw (at most {MAX_CHANNELS})")
    layout = plan_layout(trace)
    if layout.patch_cell < MIN_CELL:
        max_rows = math.floor(PATCH_H / MIN_CELL)
        max_cols = math.floor((PATCH_W - (BLOCK_LABEL_W if c_in > 1 else 0)) / MIN_CELL)
        raise ValueError(
            f"patch matrix {shape(k, n_cols)} is too large to draw legibly (at most "
            f"{max_rows} rows = C·kH·kW and {max_cols} columns = out_h·out_w); "
            "use a smaller input or kernel, a larger stride, or fewer channels"
        )
    if layout.input_cell < MIN_INPUT_CELL:
        hp, wp = trace.x_padded.shape[1:]
        raise ValueError(
            f"padded input {shape(c_in, hp, wp)} is too large to draw beside its "
            f"{shape(k, n_cols)} patch matrix; use a smaller input or less padding"
        )


def im2col_traces(v: Values) -> Im2colTraces:
    """The im2col and sliding-window traces of ``v`` (``ValueError`` if not drawable)."""
    x, w = np.asarray(v.input, dtype=float), np.asarray(v.kernel, dtype=float)
    if x.ndim not in (2, 3):
        raise ValueError(f"the im2col video needs an (H, W) or (C, H, W) input, got {x.shape}")
    if w.ndim == 3:
        w = w[None]
    if w.ndim not in (2, 4) or (w.ndim == 4 and w.shape[0] != 1):
        raise ValueError(
            "the im2col video draws one output channel: the kernel must be (kH, kW), "
            f"(C, kH, kW) or (1, C, kH, kW), got {np.shape(v.kernel)}"
        )
    bias = None if v.bias is None else [v.bias]
    trace = im2col_trace(x, w, bias, v.stride, v.padding, v.dilation)
    check_drawable(trace)
    conv = trace_conv2d(trace.x[None], trace.weight, bias, v.stride, v.padding, v.dilation)
    return Im2colTraces(im2col=trace, conv=conv)


def _params(x: np.ndarray, kernel: np.ndarray) -> tuple:
    return (
        INPUT.but(default=x),
        KERNEL.but(default=kernel),
        BIAS,
        STRIDE,
        PADDING_PARAM,
        DILATION,
    )


SPEC = SceneSpec(
    name="im2col",
    module="scenes.im2col",
    class_name="Im2col",
    description=(
        "im2col: windows become columns, times the kernel row, reshaped; then the NumPy code."
    ),
    make_trace=im2col_traces,
    params=_params(ARTICLE_INPUT, ARTICLE_KERNEL),
)

CHANNELS_SPEC = SceneSpec(
    name="im2col-channels",
    module="scenes.im2col",
    class_name="Im2colMultiChannel",
    description=(
        "im2col with 2 input channels: the patch matrix stacks one row block per channel."
    ),
    make_trace=im2col_traces,
    params=_params(CHANNEL_INPUT, CHANNEL_KERNEL),
)
