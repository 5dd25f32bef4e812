"""``output-size``: the Dumoulin & Visin cases, or one case of your own, drawn from traces.

Each run is a dry run with the layout checked after every animation (nothing off-frame, no
Texts overlapping); the numbers it shows are read back from its Texts and compared with
convcore; in Chinese its labels and captions must be Chinese and quote the trace.
"""

from __future__ import annotations

import numpy as np
import pytest
from scene_utils import chinese, shared_dry_run, texts

from convcore import output_size
from convcore.arithmetic import DUMOULIN_CASES
from scenes.kit.fmt import fmt, shape
from scenes.kit.grid import Grid
from scenes.kit.text import TextCache, glyph_table
from scenes.kit.theme import THEMES
from scenes.specs.output_size import SPEC

#: Your case in English: a 6×7 input, 2×3 kernel, stride (2, 1), padding 1.
USER_EN = {
    "input": np.arange(1.0, 43).reshape(6, 7),
    "kernel": np.ones((2, 3)),
    "stride": (2, 1),
    "padding": 1,
}
#: Your case in Chinese: the same input and kernel, stride 2.
USER_ZH = {"input": np.arange(1.0, 43).reshape(6, 7), "kernel": np.ones((2, 3)), "stride": 2}


@pytest.fixture(scope="module")
def default():
    return shared_dry_run(SPEC)


@pytest.fixture(scope="module")
def default_zh():
    return shared_dry_run(SPEC, lang="zh")


# ---------------------------------------------------------------- the eight cases


def test_default_lays_out_cleanly(default):
    scene, problems = default
    assert problems == []
    assert len(scene.boards) == len(DUMOULIN_CASES) == 8


@pytest.mark.parametrize("index", range(len(DUMOULIN_CASES)))
def test_cases_show_convcore_sizes(default, index):
    scene, _ = default
    case, board = DUMOULIN_CASES[index], scene.boards[index]
    out = output_size(case.size, case.kernel, case.stride, case.padding, case.dilation)
    assert board.output_grid.title.original_text == f"output {shape(out, out)}"
    assert board.output_grid.shape == (out, out)
    formula = board.numbers[0].original_text
    assert formula.endswith(f"= {out}")
    assert f"⌊({case.size} + 2·{case.padding} − {case.dilation}·({case.kernel} − 1)" in formula
    # the padded grid shows the trace's values, padding cells drawn apart
    trace = scene.trace[index].trace
    assert texts(board.input_grid.numbers) == [fmt(v) for v in trace.x_padded.ravel()]
    assert int(board.input_grid.mask.sum()) == int(trace.pad_mask.sum())


def test_expected_sizes(default):
    # Dumoulin & Visin's answers: 2, 6, 5, 7, 2, 3, 3, 3
    scene, _ = default
    assert [b.output_grid.shape[0] for b in scene.boards] == [2, 6, 5, 7, 2, 3, 3, 3]
    summary = [row.original_text.split()[-1] for row in scene.summary]
    assert summary == ["H_out", "2", "6", "5", "7", "2", "3", "3", "3"]
    assert scene.summary in scene.mobjects  # the summary is what the video ends on


def test_every_position_gets_a_dot(default):
    scene, _ = default
    for case, board in zip(scene.trace, scene.boards, strict=True):
        assert case.trace.n_steps == case.trace.out_shape[0] * case.trace.out_shape[1]
        assert len(board.sweep.all_dots) == len(board.sweep.windows) == case.trace.n_steps
    notes = [b.note.original_text for b in scene.boards]
    assert notes[0] == "window 3×3: 4 positions (dots: top-left taps)"
    assert notes[7] == "window 3×3 reaching 5×5 cells: 9 positions (dots: top-left taps)"


def test_odd_case_crosses_the_unvisited_cells(default):
    scene, _ = default
    odd, cov = scene.boards[6], scene.trace[6].coverage
    assert len(odd.crosses) == cov.n_unvisited == 15
    assert odd.unvisited_note.original_text.startswith("⌊5 / 2⌋ rounds down: the last row and")
    crossed = {tuple(np.round(c.get_center()[:2], 3)) for c in odd.crosses}
    cells = {
        tuple(np.round(odd.input_grid.cell(r, c).get_center()[:2], 3))
        for r, c in np.argwhere(cov.unvisited)
    }
    assert crossed == cells
    assert all(len(b.crosses) == 0 for i, b in enumerate(scene.boards) if i != 6)


# ---------------------------------------------------------------- your case


def test_single_user_case():
    scene, problems = shared_dry_run(SPEC, USER_EN)
    assert problems == []
    (board,) = scene.boards
    oh, ow = output_size(6, 2, 2, 1), output_size(7, 3, 1, 1)
    assert board.output_grid.title.original_text == f"output {shape(oh, ow)}"
    lines = [t.original_text for t in board.numbers]
    assert lines[0].startswith("H_out") and lines[0].endswith(f"= {oh}")
    assert lines[1].startswith("W_out") and lines[1].endswith(f"= {ow}")
    assert board.heading.original_text.startswith("your case: 6×7 input, kernel 2×3")


def test_user_case_defaults():
    # any parameter set: one case; the unset ones are a 5×5 input 1..25, 3×3 ones, s1 p0 d1
    (case,) = SPEC.make_trace(SPEC.resolve({"padding": 1}))
    t = case.trace
    assert case.name == "your case"
    np.testing.assert_array_equal(t.x[0, 0], np.arange(1.0, 26).reshape(5, 5))
    np.testing.assert_array_equal(t.weight[0, 0], np.ones((3, 3)))
    assert (t.stride, t.pads, t.dilation, t.out_shape) == ((1, 1), (1,) * 4, (1, 1), (5, 5))
    assert len(SPEC.make_trace(SPEC.resolve())) == len(DUMOULIN_CASES)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"input": np.ones((13, 13))}, r"13×13 is too large"),
        ({"input": np.ones((2, 4, 4))}, "input and kernel must be 2-D"),
        ({"kernel": np.ones((7, 7))}, "kernel extent 7 is larger than the padded input"),
        ({"stride": 0}, "stride must be positive"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        SPEC.make_trace(SPEC.resolve(params))


# ---------------------------------------------------------------- in Chinese


def test_chinese_lays_out_cleanly(default_zh):
    _, problems = default_zh
    assert problems == []


def test_chinese_labels(default_zh):
    scene, _ = default_zh
    odd = scene.boards[6]
    shown = [
        scene.title[0].original_text,
        odd.heading.original_text,
        odd.input_grid.title.original_text,
        odd.output_grid.title.original_text,
        odd.note.original_text,
        odd.unvisited_note.original_text,
        scene.summary[0].original_text,
        scene.summary[1].original_text,
    ]
    assert [text for text in shown if not chinese(text)] == []


def test_chinese_cues_quote_the_trace(default_zh):
    scene, _ = default_zh
    cues = [text for _, text in scene.cues]
    assert len(cues) >= 5 and all(text.strip() for text in cues)
    assert [text for text in cues if not chinese(text)] == []
    assert [t for t, _ in scene.cues] == sorted(t for t, _ in scene.cues)
    case_cues = [c for c in cues if c.startswith("情形 ")]
    assert len(case_cues) == len(DUMOULIN_CASES)
    for n, (case, cue) in enumerate(zip(DUMOULIN_CASES, case_cues, strict=True), start=1):
        out = output_size(case.size, case.kernel, case.stride, case.padding, case.dilation)
        assert cue.startswith(f"情形 {n}/{len(DUMOULIN_CASES)}：输入 {shape(case.size, case.size)}")
        assert f"→ 输出 {shape(out, out)}；H_out = " in cue
        assert cue.endswith(f"+ 1 = {out}")
    assert "⌊5 / 2⌋ 向下取整：最后一行和最后一列从未落在窗口下（✕）" in cues
    assert cues[-1] == "8 种情形的输出尺寸：2×2，6×6，5×5，7×7，2×2，3×3，3×3，3×3"


def test_summary_columns_line_up_in_chinese(default_zh):
    scene, _ = default_zh
    cells = scene.summary.cells  # header row, then one row per case
    assert len(cells) == 9 and all(len(row) == 7 for row in cells)
    assert np.ptp([row[0].get_left()[0] for row in cells]) < 0.01  # names start at one x
    for c in range(1, 7):  # every column of numbers ends at one x in every row
        assert np.ptp([row[c].get_right()[0] for row in cells]) < 0.01, c
    first = min(row[1].get_left()[0] for row in cells)
    widest_name = max(row[0].get_right()[0] for row in cells)
    assert first > widest_name + 0.2  # no name runs into the numbers


def test_single_user_case_in_chinese():
    scene, problems = shared_dry_run(SPEC, USER_ZH, lang="zh")
    assert problems == []
    (board,) = scene.boards
    assert board.heading.original_text.startswith("自定义情形：输入 6×7，卷积核 2×3")
    oh, ow = output_size(6, 2, 2), output_size(7, 3, 2)
    cue = next(text for _, text in scene.cues if text.startswith("自定义情形"))
    assert f"→ 输出 {shape(oh, ow)}；H_out = " in cue and cue.endswith(f"= {ow}")


# ---------------------------------------------------------------- kit pieces added for it


def test_text_cache_hands_out_the_original_once_built():
    cache = TextCache()
    original = cache.original("12", 24, "#FFFFFF")
    assert cache.original("12", 24, "#FFFFFF") is original and len(cache) == 1
    copy = cache.text("12", 24, "#FFFFFF")
    assert copy is not original and copy.original_text == "12" and len(cache) == 1


def test_glyph_table_lines_up_columns():
    rows = [["情形", "H", "H_out"], ["ab", "12", "3"], ["一二三四", "5", "47"]]
    table = glyph_table(rows, ["#FFFFFF"] * 3, right=[False, True, True])
    assert [row.original_text for row in table] == ["  ".join(r) for r in rows]
    cells = table.cells
    assert np.ptp([row[0].get_left()[0] for row in cells]) < 0.01
    for c in (1, 2):
        assert np.ptp([row[c].get_right()[0] for row in cells]) < 0.01
    assert min(row[1].get_left()[0] for row in cells) > max(r[0].get_right()[0] for r in cells)


def test_grid_flatten_keeps_the_cells_places():
    mask = np.array([[True, False, False], [False, False, True]])
    grid = Grid(np.zeros((2, 3)), "t", THEMES["dark"].input, THEMES["dark"], 0.5, mask)
    grid.place(1.0, -1.0)
    centre = grid.cell(1, 2).get_center()
    grid.flatten()
    assert grid.cells not in grid.submobjects
    assert np.allclose(grid.cell(1, 2).get_center(), centre)
    paths = [m for m in grid.submobjects if m is not grid.title]
    assert len(paths) == 2  # one path for the padding cells, one for the others
