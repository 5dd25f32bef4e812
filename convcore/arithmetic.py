"""Convolution arithmetic on a trace: how often the window covers each padded input cell.

The output-size formula ``floor((H + 2P − D·(K−1) − 1) / S) + 1`` rounds down, so with a
stride ``S > 1`` the last ``(H + 2P − D·(K−1) − 1) mod S`` rows (columns) of the padded
input may never lie under the window; dilation can leave cells between taps unvisited too.
:func:`coverage` records, from a :class:`~convcore.trace.ConvTrace`'s tap rows and columns,
which cells the window visits and which it never reaches.

:data:`DUMOULIN_CASES` are the worked cases of Dumoulin & Visin, "A guide to convolution
arithmetic for deep learning" (2016); :func:`case_traces` traces them (or any
:class:`SizeCase`) with their coverage, for the output-size video.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convcore.trace import ConvTrace, trace_conv2d


@dataclass(frozen=True)
class Coverage:
    """How many traced window positions cover each cell of the padded input.

    Attributes
    ----------
    counts : (Hp, Wp) int, number of traced positions whose taps include the cell.
    visited : (Hp, Wp) bool, ``counts > 0``.
    unvisited : (Hp, Wp) bool, ``counts == 0`` (padding cells included).
    n_unvisited : number of padded cells never visited.
    n_unvisited_input : of those, the cells of the input itself (not padding).
    rows_after, cols_after : padded rows / columns after the last row / column any window
        reaches (the remainder the floor in the output-size formula drops, when every
        position is traced).
    """

    counts: np.ndarray
    visited: np.ndarray
    unvisited: np.ndarray
    n_unvisited: int
    n_unvisited_input: int
    rows_after: int
    cols_after: int


def coverage(trace: ConvTrace) -> Coverage:
    """Count, for every padded input cell, the traced windows that cover it.

    Parameters
    ----------
    trace : ConvTrace
        Any trace; only its ``tap_rows``, ``tap_cols`` and ``pad_mask`` are read (every
        traced position counts once per tap it places on a cell).

    Returns
    -------
    Coverage
        Arrays of the padded input's shape ``(Hp, Wp)``.
    """
    hp, wp = trace.pad_mask.shape
    counts = np.zeros((hp, wp), dtype=np.int64)
    rows = trace.tap_rows[:, :, None]  # (L, kH, 1)
    cols = trace.tap_cols[:, None, :]  # (L, 1, kW)
    rows, cols = np.broadcast_arrays(rows, cols)
    np.add.at(counts, (rows.ravel(), cols.ravel()), 1)
    unvisited = counts == 0
    last_row = int(trace.tap_rows.max()) if trace.n_steps else -1
    last_col = int(trace.tap_cols.max()) if trace.n_steps else -1
    return Coverage(
        counts=counts,
        visited=~unvisited,
        unvisited=unvisited,
        n_unvisited=int(unvisited.sum()),
        n_unvisited_input=int((unvisited & ~trace.pad_mask).sum()),
        rows_after=hp - 1 - last_row,
        cols_after=wp - 1 - last_col,
    )


@dataclass(frozen=True)
class SizeCase:
    """One square convolution of a ``size×size`` input holding 1, 2, …, ``size²`` with a
    ``kernel×kernel`` kernel of ones; ``name`` says what the case shows."""

    name: str
    size: int
    kernel: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1


#: Dumoulin & Visin's figures 2.1–2.4, 2.6, 2.7, 2.8 (odd) and 5.1 (dilation), in order.
DUMOULIN_CASES = (
    SizeCase("no padding, unit stride", 4, 3),
    SizeCase("arbitrary padding", 5, 4, padding=2),
    SizeCase('half ("same") padding', 5, 3, padding=1),
    SizeCase("full padding", 5, 3, padding=2),
    SizeCase("no padding, stride 2", 5, 3, stride=2),
    SizeCase("padding 1, stride 2", 5, 3, stride=2, padding=1),
    SizeCase("padding 1, stride 2, odd size", 6, 3, stride=2, padding=1),
    SizeCase("dilation 2", 7, 3, dilation=2),
)


@dataclass(frozen=True)
class CaseTrace:
    """A named convolution as the output-size video shows it: its trace and coverage."""

    name: str
    trace: ConvTrace
    coverage: Coverage


def size_case_trace(case: SizeCase) -> ConvTrace:
    """The trace of ``case``: input ``1…size²`` (1, 1, size, size), kernel of ones.

    Raises
    ------
    ValueError
        As :func:`convcore.trace_conv2d` (e.g. a kernel larger than the padded input).
    """
    x = np.arange(1.0, case.size**2 + 1).reshape(1, 1, case.size, case.size)
    weight = np.ones((1, 1, case.kernel, case.kernel))
    return trace_conv2d(x, weight, None, case.stride, case.padding, case.dilation)


def case_trace(name: str, trace: ConvTrace) -> CaseTrace:
    """``trace`` named ``name``, with its :func:`coverage`."""
    return CaseTrace(name, trace, coverage(trace))


def case_traces(cases=DUMOULIN_CASES) -> tuple[CaseTrace, ...]:
    """Trace every :class:`SizeCase` of ``cases`` (default: Dumoulin & Visin's), in order.

    Raises
    ------
    ValueError
        If ``cases`` is empty, or as :func:`size_case_trace`.
    """
    if not cases:
        raise ValueError("cases is empty: give at least one SizeCase")
    return tuple(case_trace(case.name, size_case_trace(case)) for case in cases)
