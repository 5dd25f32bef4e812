"""``transposed``: the scatter view, the crop and the equal direct convolution, from the trace.

Each run is a dry run with the layout checked after every animation; the numbers on screen
are read back from its Texts and compared with the trace, and the trace with convcore's
``conv_transpose2d`` (itself tested against PyTorch).
"""

from __future__ import annotations

import numpy as np
import pytest
from manim import RIGHT, Create, Scene, Square, VGroup
from scene_utils import CJK, shared_dry_run

from convcore.sizes import transposed_output_size_terms
from convcore.transpose import conv_transpose2d
from scenes.kit.anim import Glide, fade_out_shown, move_marks
from scenes.kit.fmt import fmt, size_lines, transposed_size_formula
from scenes.kit.grid import Grid, cover, widest
from scenes.kit.text import note
from scenes.kit.theme import THEMES
from scenes.specs.transposed import SPEC

VARIANTS = {
    "default": {},
    # pairs, dilation 2 (output_padding 1 < dilation although it equals stride 1 on rows)
    "pairs-dilation": dict(
        input=np.array([[1.0, -2, 3]]),
        kernel=np.array([[1.0, 0.5], [-1, 2]]),
        stride=(1, 2),
        padding=(0, 1),
        output_padding=(1, 1),
        dilation=2,
    ),
    # padding larger than d·(k − 1): the direct view crops the stretched input
    "negative-direct-pad": dict(
        input=np.array([[1.0, 2], [3, 4]]),
        kernel=np.array([[1.0, 2], [3, 4]]),
        stride=3,
        padding=2,
        output_padding=2,
    ),
    "fractions": dict(
        input=np.array([[0.25, -1.5], [2.125, 3]]),
        kernel=np.array([[1.5, -0.25, 2], [0, 1, -3.75], [2, 2, 2]]),
        padding=0,
        output_padding=0,
    ),
    "largest": dict(input=np.arange(16.0).reshape(4, 4) - 5, kernel=np.ones((3, 3)), padding=0),
}
SLOW = {"negative-direct-pad", "fractions", "largest"}


def shown(numbers) -> list[str]:
    return [n.original_text for n in numbers]


def formatted(values) -> list[str]:
    return [fmt(v) for v in np.ravel(values)]


@pytest.mark.parametrize(
    "variant", [pytest.param(v, marks=pytest.mark.slow) if v in SLOW else v for v in VARIANTS]
)
def test_variants_lay_out_cleanly_and_show_the_trace(variant):
    scene, problems = shared_dry_run(SPEC, VARIANTS[variant])
    assert problems == []
    t, v = scene.trace, scene.values
    # the trace is convcore's transposed convolution, both ways
    expected = conv_transpose2d(
        v.input[None, None], v.kernel[None, None], None, v.stride, v.padding, v.output_padding, 1,
        v.dilation,
    )  # fmt: skip
    np.testing.assert_allclose(t.out, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(t.direct.out, t.out, rtol=1e-12, atol=1e-12)
    # every number on screen is the trace's
    he, we = t.extended.shape[2:]
    board = [scene.full_numbers[r, c] for r in range(he) for c in range(we)]
    assert shown(board) == formatted(t.extended[0, 0])
    assert shown(scene.block.numbers) == formatted(t.blocks[0, -1, 0])
    assert shown(scene.output.numbers) == formatted(t.out[0, 0])
    assert shown(scene.direct_input.numbers) == formatted(t.x_direct[0, 0])
    assert shown(scene.rotated.numbers) == formatted(t.weight_rotated[0, 0])
    assert shown(scene.direct_output.numbers) == formatted(t.direct.out[0, 0])
    assert shown(scene.scatter_output.numbers) == formatted(t.out[0, 0])


@pytest.fixture(scope="module")
def default():
    return shared_dry_run(SPEC)


def test_default_is_the_odd_case_with_its_numbers(default):
    scene, _ = default
    t = scene.trace
    assert (t.stride, t.padding, t.output_padding, t.dilation) == ((2, 2), (1, 1), (1, 1), (1, 1))
    rows = [[5, 14, 10, 12], [14, 36, 24, 30], [15, 34, 20, 24], [24, 55, 32, 36]]
    assert t.out[0, 0].tolist() == rows
    assert scene.rotated.title.original_text == "kernel rotated 180°"
    assert scene.direct_input.title.original_text == "stretched to 3×3, padded to 6×6"
    assert scene.board.title.original_text == "full output + output_padding: 6×6"
    assert scene.full_title.original_text == "full output 5×5 (before the crop)"
    assert scene.scatter_output.title.original_text == "scatter, added, cropped: 4×4"
    cues = [text for _, text in scene.cues]
    assert "Output size: H_out = (2 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 4" in cues
    pads = (
        "padding D·(K − 1) − P = 1·(3 − 1) − 1 = 1 at the top/left; "
        "1 + output_padding 1 = 2 at the bottom/right"
    )
    assert any(pads in c for c in cues)
    assert "Position (0, 0): 0·9 + 0·8 + 0·7 + 0·6 + 1·5 + 0·4 + 0·3 + 0·2 + 0·1 = 5" in cues


def test_running_sums_where_copies_overlap_come_from_the_trace(default):
    scene, _ = default
    t = scene.trace
    cues = [text for _, text in scene.cues]
    # step 2 (x[1, 0] = 3) lands on row 2, where step 0's copy already put 7, 8, 9
    k = 2
    sums = [
        f"full[{r}, {c}]: {fmt(t.running[0, k - 1, 0, r, c])} + {fmt(t.blocks[0, k, 0, 0, n])}"
        f" = {fmt(t.running[0, k, 0, r, c])}"
        for n, (r, c) in enumerate(((2, 0), (2, 1), (2, 2)))
    ]
    assert sums == ["full[2, 0]: 7 + 3 = 10", "full[2, 1]: 8 + 6 = 14", "full[2, 2]: 23 + 9 = 32"]
    assert any(", ".join(sums) in c and c.startswith("x[1, 0] = 3: 3 × kernel") for c in cues)


def test_chinese_lays_out_cleanly_with_chinese_labels():
    scene, problems = shared_dry_run(SPEC, lang="zh")
    assert problems == []
    labels = [
        scene.title[0].original_text,
        scene.board.title.original_text,
        scene.rotated.title.original_text,
        scene.direct_input.title.original_text,
        scene.scatter_output.title.original_text,
    ]
    assert [text for text in labels if not CJK.search(text)] == []
    cues = [text for _, text in scene.cues]
    assert "输出尺寸：H_out = (2 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 4" in cues
    assert any(c.startswith("x[1, 0] = 3：3 × 卷积核") for c in cues)


@pytest.mark.parametrize(
    "given, match",
    [
        ({"output_padding": 2}, "output_padding must be smaller than either stride or dilation"),
        ({"stride": 1}, "output_padding must be smaller than either stride or dilation"),
        ({"input": np.ones((5, 5))}, r"input 5×5 is too large to draw legibly \(at most 4×4"),
        ({"kernel": np.ones((6, 6))}, r"kernel 6×6 is too large to draw legibly"),
        ({"kernel": np.ones((5, 5)), "dilation": 2, "output_padding": 0}, "too large to draw"),
        (
            {"input": np.ones((1, 1)), "kernel": np.ones((1, 1)), "output_padding": 0},
            "not positive",
        ),
        ({"padding": -1}, "padding"),
        ({"input": np.ones((2, 2, 2))}, "draws one channel"),
    ],
)
def test_impossible_or_illegible_settings_raise(given, match):
    with pytest.raises(ValueError, match=match):
        SPEC.make_trace(SPEC.resolve(given))


def test_transposed_size_formula_quotes_the_terms():
    terms = transposed_output_size_terms(2, 3, 2, 1, 1, 1)
    assert transposed_size_formula(terms, "W") == (
        "W_out = (W − 1)·S − 2P + D·(K − 1) + output_padding + 1",
        "W_out = (2 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 4",
    )
    # H's numbers, and W's only when its terms differ
    wide = transposed_output_size_terms(3, 3, 2, 1, 1, 1)
    general, lines = size_lines(transposed_size_formula, terms, wide)
    assert general.startswith("H_out = (H − 1)")
    assert lines == [
        "H_out = (2 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 4",
        "W_out = (3 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 6",
    ]
    assert size_lines(transposed_size_formula, terms, terms)[1] == lines[:1]


def test_kit_pieces_the_scene_added():
    assert widest(np.array([1.0, -12.5]), np.array([[100.0]])) == "−12.5"
    lines = note(["a " * 80], THEMES["dark"].text, columns=50)
    assert len(lines) == 4 and lines.width <= 13.4
    square = Square(2)
    assert cover(square, THEMES["light"]).width == pytest.approx(2)
    scene = Scene()
    a, b, c = Square(), Square(), Square()
    pair, alone = VGroup(a, b), c
    scene.add(pair, alone)
    fades = fade_out_shown(scene, VGroup(a, b), c)  # a new group of what is shown
    assert [f.mobject for f in fades] == [pair, alone]
    assert fade_out_shown(scene, a) == []  # part of a group on screen: nothing to fade alone
    # markers: created the first time, then the same ones glide (drawn last)
    shown, moves = move_marks(scene, [], [Square(), Square()])
    assert [type(m) for m in moves] == [Create, Create]
    target = Square().shift(3 * RIGHT)
    kept, moves = move_marks(scene, shown, [target, target])
    assert kept == shown and [type(m) for m in moves] == [Glide, Glide]
    assert moves[0].shift_vector[0] == pytest.approx(3)
    # products written into cells: one Text each, centred, fitting the cell
    grid = Grid(np.ones((2, 2)), "g", "#ffffff", THEMES["dark"], 0.6)
    written = grid.write(["12·3", "4", "−5·6", "7"], "#ffffff")
    assert [t.original_text for t in written] == ["12·3", "4", "−5·6", "7"]
    for text, cell in zip(written, grid.cells, strict=True):
        assert text.width < cell.width
        np.testing.assert_allclose(text.get_center(), cell.get_center(), atol=1e-9)
