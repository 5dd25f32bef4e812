"""Convolution arithmetic on a trace: how often the window covers each padded input cell.

The output-size formula ``floor((H + 2P − D·(K−1) − 1) / S) + 1`` rounds down, so with a
stride ``S > 1`` the last ``(H + 2P − D·(K−1) − 1) mod S`` rows (columns) of the padded
input may never lie under the window; dilation can leave cells between taps unvisited too.
:func:`coverage` records, from a :class:`~convcore.trace.ConvTrace`'s tap rows and columns,
which cells the window visits and which it never reaches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convcore.trace import ConvTrace


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
