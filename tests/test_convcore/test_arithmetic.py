"""convcore.arithmetic: window coverage of the padded input, against brute force; the
output-size cases of Dumoulin & Visin, against the guide's answers and PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

from convcore import output_size, trace_conv2d
from convcore.arithmetic import (
    DUMOULIN_CASES,
    SizeCase,
    case_trace,
    case_traces,
    coverage,
    size_case_trace,
)

# (size, kernel, stride, padding, dilation): Dumoulin & Visin's cases and a few more
CASES = [
    (4, 3, 1, 0, 1),
    (5, 4, 1, 2, 1),
    (5, 3, 1, 1, 1),
    (5, 3, 1, 2, 1),
    (5, 3, 2, 0, 1),
    (5, 3, 2, 1, 1),
    (6, 3, 2, 1, 1),
    (7, 3, 1, 0, 2),
    (7, 2, 3, 0, 1),  # stride larger than the kernel: gaps between windows
    (9, 3, 3, 1, 3),
]


def brute_force_counts(size, kernel, stride, padding, dilation) -> np.ndarray:
    """Loop over every window and every tap, counting visits per padded cell."""
    hp = size + 2 * padding
    out = output_size(size, kernel, stride, padding, dilation)
    counts = np.zeros((hp, hp), dtype=int)
    for i in range(out):
        for j in range(out):
            for a in range(kernel):
                for b in range(kernel):
                    counts[i * stride + a * dilation, j * stride + b * dilation] += 1
    return counts


def _trace(size, kernel, stride, padding, dilation, **kw):
    x = np.arange(size * size, dtype=float).reshape(1, 1, size, size)
    return trace_conv2d(x, np.ones((1, 1, kernel, kernel)), None, stride, padding, dilation, **kw)


@pytest.mark.parametrize("case", CASES)
def test_counts_match_brute_force(case):
    cov = coverage(_trace(*case))
    expected = brute_force_counts(*case)
    np.testing.assert_array_equal(cov.counts, expected)
    np.testing.assert_array_equal(cov.visited, expected > 0)
    np.testing.assert_array_equal(cov.unvisited, expected == 0)
    assert cov.n_unvisited == int((expected == 0).sum())


def test_odd_case_leaves_last_row_and_column():
    # Dumoulin & Visin's "odd" example: 6×6 input, k3, s2, p1 → 3×3; padded row/column 7 unseen
    cov = coverage(_trace(6, 3, 2, 1, 1))
    assert (cov.rows_after, cov.cols_after) == (1, 1)
    assert cov.unvisited[7].all() and cov.unvisited[:, 7].all()
    assert cov.n_unvisited == 15 and cov.n_unvisited_input == 0
    assert not cov.unvisited[:7, :7].any()


def test_unvisited_input_cells_are_counted():
    cov = coverage(_trace(7, 2, 3, 0, 1))  # windows at 0-1 and 3-4: rows 2, 5, 6 unseen
    assert cov.rows_after == 2
    assert cov.n_unvisited_input == 49 - 16


@pytest.mark.parametrize("case", CASES[:3])
def test_full_cover_has_nothing_after(case):
    cov = coverage(_trace(*case))
    assert (cov.rows_after, cov.cols_after, cov.n_unvisited) == (0, 0, 0)


def test_partial_trace_counts_only_traced_positions():
    cov = coverage(_trace(4, 3, 1, 0, 1, positions=[0]))
    assert cov.counts.sum() == 9
    assert cov.counts[:3, :3].all() and cov.n_unvisited == 7


# ---------------------------------------------------------------- the output-size cases

#: Dumoulin & Visin's output sizes of their cases, typed in from the guide (not computed).
GUIDE_OUTPUTS = [2, 6, 5, 7, 2, 3, 3, 3]


def test_dumoulin_cases_give_the_guides_sizes():
    shown = case_traces()
    assert [c.name for c in shown] == [c.name for c in DUMOULIN_CASES]
    assert [c.trace.out_shape for c in shown] == [(n, n) for n in GUIDE_OUTPUTS]
    assert [c.trace.n_steps for c in shown] == [n * n for n in GUIDE_OUTPUTS]


@pytest.mark.parametrize("case", DUMOULIN_CASES, ids=lambda c: c.name)
def test_size_case_trace_is_the_case(case):
    t = size_case_trace(case)
    np.testing.assert_array_equal(t.x.ravel(), np.arange(1, case.size**2 + 1))
    np.testing.assert_array_equal(t.weight, np.ones((1, 1, case.kernel, case.kernel)))
    assert (t.stride, t.pads[0], t.dilation) == (
        (case.stride,) * 2,
        case.padding,
        (case.dilation,) * 2,
    )
    args = (case.size, case.kernel, case.stride, case.padding, case.dilation)
    np.testing.assert_array_equal(coverage(t).counts, brute_force_counts(*args))


@pytest.mark.torch
@pytest.mark.parametrize("case", DUMOULIN_CASES, ids=lambda c: c.name)
def test_size_case_outputs_match_torch(case, torch):
    t = size_case_trace(case)
    out = torch.nn.functional.conv2d(
        torch.from_numpy(t.x),
        torch.from_numpy(t.weight),
        None,
        case.stride,
        case.padding,
        case.dilation,
    )
    np.testing.assert_allclose(t.out, out.numpy(), rtol=1e-12)


def test_case_traces_of_other_cases_and_their_coverage():
    shown = case_traces((SizeCase("a", 3, 3), SizeCase("b", 6, 2, 3)))
    assert [c.trace.out_shape for c in shown] == [(1, 1), (2, 2)]
    odd = case_traces(DUMOULIN_CASES[6:7])[0]
    assert odd.coverage.n_unvisited == 15 and odd.coverage.rows_after == 1
    named = case_trace("x", odd.trace)
    np.testing.assert_array_equal(named.coverage.counts, odd.coverage.counts)


def test_case_traces_refuse_an_empty_list():
    with pytest.raises(ValueError, match="cases is empty"):
        case_traces(())
