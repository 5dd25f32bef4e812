"""Kit pieces shared by several scenes, tested on their own (the scenes' dry runs use them
too): sweeps in chunks, fitting, channel blocks and their rules, sparse-matrix pictures,
worked equations, the step plot, and the line spacing of multi-line labels."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from manim import Square, Text

from scenes.kit.anim import chunks
from scenes.kit.grid import Grid, block_rules, dotted_cells, grid_block, pattern_picture
from scenes.kit.plot import StepPlot
from scenes.kit.text import equation_block, fit, label
from scenes.kit.theme import THEMES

DARK = THEMES["dark"]


@pytest.mark.parametrize(
    ("n", "parts", "sizes"),
    [(9, 3, [3, 3, 3]), (10, 3, [4, 4, 2]), (2, 5, [1, 1]), (0, 3, []), (7, 1, [7])],
)
def test_chunks_cover_every_item_in_order_in_at_most_parts_runs(n, parts, sizes):
    runs = chunks(list(range(n)), parts)
    assert [len(r) for r in runs] == sizes and len(runs) <= parts
    assert [x for run in runs for x in run] == list(range(n))


def test_fit_shrinks_to_width_then_height_and_never_enlarges():
    wide = fit(Square(10), width=4, height=2)
    assert wide.width == pytest.approx(2) and wide.height == pytest.approx(2)
    assert fit(Square(1), width=4, height=2).width == pytest.approx(1)


def test_grid_block_titles_the_channels_and_puts_each_tag_below_its_cells():
    grids = [Grid(np.ones((2, 2)), f"c{k}", DARK.input, DARK, 0.5) for k in range(3)]
    block = grid_block(grids, "input 3×2×2", DARK.input)
    title, row = block
    assert title.original_text == "input 3×2×2" and list(row) == grids
    assert title.get_bottom()[1] > max(g.cells.get_top()[1] for g in grids)
    for left, right in itertools.pairwise(grids):
        assert left.cells.get_right()[0] < right.cells.get_left()[0]  # side by side
    for g in grids:
        assert g.title.get_top()[1] < g.cells.get_bottom()[1]  # the tag below its cells


def test_block_rules_run_along_the_chosen_rows_and_columns():
    grid = Grid(np.ones((4, 6)), "patch matrix", DARK.input, DARK, 0.4)
    rules = block_rules(grid, rows=[2], cols=[3])
    across, down = rules
    assert across.get_start()[1] == pytest.approx(grid.cell(2, 0).get_top()[1])
    assert across.get_length() == pytest.approx(grid.cells.width)
    assert down.get_start()[0] == pytest.approx(grid.cell(0, 3).get_left()[0])
    assert down.get_length() == pytest.approx(grid.cells.height)


def test_dotted_cells_mark_each_structural_zero():
    cells = [Square(0.2).shift([k * 0.2, 0, 0]) for k in range(5)]
    filled = [True, False, False, True, False]
    outline, dots = dotted_cells(cells, filled, DARK)
    centres = [c.get_center()[0] for c, f in zip(cells, filled, strict=True) if not f]
    assert dots.width == pytest.approx(centres[-1] - centres[0] + 2 * 0.028, abs=1e-3)
    assert outline.width == pytest.approx(1.0, abs=1e-2)


def test_pattern_picture_fills_exactly_the_nonzero_cells():
    filled = np.array([[True, False, True], [False, False, True]])
    frame, fills = pattern_picture(filled, 0.1, [1.0, 2.0, 0.0], DARK, DARK.kernel)
    assert len(fills) == filled.sum()
    np.testing.assert_allclose(frame.get_center(), [1.0, 2.0, 0.0], atol=1e-9)
    assert fills[0].get_center()[0] == pytest.approx(0.9)  # row 0, column 0
    assert fills[-1].get_center()[1] == pytest.approx(1.95)  # row 1


def test_equation_block_puts_the_value_right_of_the_last_line_within_bounds():
    block = equation_block(["1·2 + 3·4", "+ 5·6"], "44", DARK, width=3, height=1)
    lines, value = block
    assert [t.original_text for t in lines] == ["1·2 + 3·4", "+ 5·6"]
    assert value.original_text == "44" and value.get_left()[0] > lines[-1].get_right()[0]
    assert block.width <= 3 + 1e-9 and block.height <= 1 + 1e-9


def test_step_plot_places_each_step_by_its_fraction():
    plot = StepPlot((0, 4, -1, 1), 4, [1.0, 0.5, 0.25, 0.0, 0.0], DARK, "loss", "step", "0.16")
    assert plot.point(0) == [0.0, 1.0, 0.0] and plot.point(2) == [2.0, -0.5, 0.0]
    segment = plot.segment(1)
    np.testing.assert_allclose(segment.get_start(), [0, 1, 0])
    np.testing.assert_allclose(segment.get_end(), [1, 0, 0])
    texts = {m.original_text for m in plot.get_family() if isinstance(m, Text)}
    assert {"loss", "step", "0.16", "0", "4"} <= texts


def test_labels_of_several_lines_are_spaced_apart():
    """Pango's own spacing made a Chinese line overlap the one below (groups, zh): the
    two lines together were shorter than the two lines set alone."""
    first, second = "逐点卷积权重", "(C_out, C_in) = (8, 4)"
    two = label(f"{first}\n{second}", DARK.text, 20)
    alone = label(first, DARK.text, 20).height + label(second, DARK.text, 20).height
    assert two.height > alone  # a gap between the lines
