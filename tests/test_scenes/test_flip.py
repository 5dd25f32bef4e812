"""The flip video builds from its trace, laid out cleanly, with the trace's numbers; the trace
is convcore's convolve2d / correlate2d (tested against scipy.signal in
test_convcore/test_convolve.py), and its cross-correlation is PyTorch's conv2d."""

from __future__ import annotations

import numpy as np
import pytest
from manim import Text
from scene_utils import shared_dry_run, tr_templates

import scenes.flip
from convcore import ARTICLE_INPUT, ARTICLE_KERNEL, ARTICLE_OUTPUT, convolve2d, correlate2d
from scenes.kit.fmt import fmt
from scenes.kit.i18n import ZH
from scenes.specs.flip import SPEC

SYMMETRIC = np.array([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]])
SYMMETRIC_SAME = {"kernel": SYMMETRIC, "mode": "same"}
FULL = {"input": np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 2.0], [3.0, 0.0, 1.0]])}
FULL |= {"kernel": np.array([[1.0, -1.0], [2.0, 0.0]]), "mode": "full"}


def texts(mobjects) -> list[str]:
    return [m.original_text for m in mobjects]


def cues(scene) -> list[str]:
    return [text for _, text in scene.cues]


def check_board(scene, v) -> None:
    """Every number on the board is the trace's, and the trace is convcore's."""
    t = scene.trace
    x, k = np.asarray(v.input), np.asarray(v.kernel)
    np.testing.assert_array_equal(t.out, convolve2d(x, k, v.mode))
    np.testing.assert_array_equal(t.out_correlation, correlate2d(x, k, v.mode))
    padded = t.correlation.x_padded[0, 0]
    assert texts(scene.x_grid.numbers) == [fmt(value) for value in padded.ravel()]
    for side, kernel, out in (
        ("correlation", t.kernel, t.out_correlation),
        ("convolution", t.rotated, t.out),
    ):
        kernel_grid, out_grid = scene.boards[side]
        assert texts(kernel_grid.numbers) == [fmt(value) for value in kernel.ravel()]
        assert texts(out_grid.numbers) == [fmt(value) for value in out.ravel()]


def test_default_is_the_article_example_and_lays_out_cleanly():
    scene, problems = shared_dry_run(SPEC)
    assert problems == []
    check_board(scene, SPEC.resolve())
    t = scene.trace
    np.testing.assert_array_equal(t.out_correlation, ARTICLE_OUTPUT)
    np.testing.assert_array_equal(t.out, [[219, 264, 309], [444, 489, 534], [669, 714, 759]])
    assert not t.kernel_symmetric and t.n_different == 9
    family = [m for m in scene.mobjects for m in m.get_family()]
    family += [m for grid in (scene.x_grid, *scene.big_kernels[:2]) for m in grid.get_family()]
    titles = {m.original_text for m in family if isinstance(m, Text)}
    titles |= {grid.title.original_text for side in scene.boards.values() for grid in side}
    assert {"input x 5×5", "kernel k 3×3", "k rotated 180° 3×3", "x ⋆ k 3×3", "x ∗ k 3×3"} <= titles
    assert [name for _, name in scene.beats] == [
        "show_title",
        "rotate_kernel",
        "show_board",
        "compare_position",
        "compare_outputs",
        "conclude",
        "recap",
    ]
    # the video ends on the board: both outputs and the verdict are on screen
    shown = set(scene.mobjects)
    assert {scene.boards[side][1] for side in scene.boards} <= shown
    assert scene.verdict in shown and scene.cues[-1][1] == scene.verdict_text


def test_cues_quote_both_sums_and_the_verdict():
    scene, _ = shared_dry_run(SPEC)
    said = cues(scene)
    assert (
        "Position (0, 0), the same window: 1·1 + 2·2 + 3·3 + 6·4 + 7·5 + 8·6 + 11·7 + 12·8 + 13·9 "
        "= 411; with the rotated kernel: 1·9 + 2·8 + 3·7 + 6·6 + 7·5 + 8·4 + 11·3 + 12·2 + 13·1 "
        "= 219." in said
    )
    assert "This kernel is not symmetric: its rotation is a different kernel." in said
    assert any(
        c.startswith("The kernel is not symmetric, so the outputs differ at 9 of 9") for c in said
    )
    assert any("411, 456, 501; 636, 681, 726; 861, 906, 951" in c for c in said)
    assert said[-2].startswith("For signal processing it does: only convolution is commutative")


def test_symmetric_kernel_in_chinese_and_light_says_the_outputs_are_equal():
    scene, problems = shared_dry_run(SPEC, SYMMETRIC_SAME, theme="light", lang="zh")
    assert problems == []
    check_board(scene, SPEC.resolve(SYMMETRIC_SAME))
    t = scene.trace
    assert t.kernel_symmetric and t.outputs_equal and t.out.shape == (5, 5)
    said = cues(scene)
    assert "这个卷积核是对称的：旋转后不变。" in said
    assert any(c.startswith("卷积核与其旋转相同，所以两个输出在全部 25 个位置上相等") for c in said)
    assert scene.x_grid.title.original_text == "输入 x 5×5，填充后 7×7"


@pytest.mark.slow
def test_full_mode_with_an_asymmetric_kernel():
    scene, problems = shared_dry_run(SPEC, FULL, lang="zh")
    assert problems == []
    check_board(scene, SPEC.resolve(FULL))
    t = scene.trace
    assert t.out.shape == (4, 4) and t.n_different == 15 and t.position == 0
    assert (
        "位置 (0, 0)，同一个窗口：0·1 + 0·(−1) + 0·2 + 1·0 = 0；乘以旋转后的卷积核："
        in " ".join(cues(scene))
    )


@pytest.mark.torch
@pytest.mark.parametrize("mode", ["valid", "same", "full"])
def test_cross_correlation_side_is_torch_conv2d(torch1, mode):
    x, k = ARTICLE_INPUT[:3, :3], ARTICLE_KERNEL
    trace = SPEC.make_trace(SPEC.resolve({"input": x, "kernel": k, "mode": mode}))
    padding = {"valid": 0, "same": "same", "full": 2}[mode]
    tx, tk = torch1.tensor(x)[None, None], torch1.tensor(k)[None, None]
    expected = torch1.nn.functional.conv2d(tx, tk, padding=padding)[0, 0].numpy()
    np.testing.assert_allclose(trace.out_correlation, expected, rtol=1e-12)
    flipped = torch1.nn.functional.conv2d(tx, torch1.flip(tk, (2, 3)), padding=padding)
    np.testing.assert_allclose(trace.out, flipped[0, 0].numpy(), rtol=1e-12)


def test_every_template_has_a_chinese_translation():
    assert tr_templates(scenes.flip) - set(ZH) == set()


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"kernel": np.ones((2, 2)), "mode": "same"}, r"mode 'same' with the even kernel 2×2"),
        ({"mode": "full"}, r"padded input 9×9 is too large to draw legibly \(at most 7×7\)"),
        (
            {"kernel": np.ones((5, 5)), "input": np.ones((6, 6))},
            r"kernel 5×5 is too large",
        ),
        ({"input": np.ones((7, 7)), "kernel": np.ones((1, 1))}, r"output 7×7 is too large"),
        ({"input": np.ones((2, 3, 3))}, r"the flip video draws one channel"),
        (
            {"input": np.ones((2, 2))},
            r"mode 'valid' needs the kernel \(3, 3\) to fit inside the input \(2, 2\)",
        ),
        ({"input": np.full((3, 3), 1e308)}, r"overflow"),
    ],
)
def test_impossible_settings_raise_one_clear_error(given, message):
    with pytest.raises(ValueError, match=message):
        SPEC.make_trace(SPEC.resolve(given))


def test_parameters():
    assert [p.name for p in SPEC.params] == ["input", "kernel", "mode"]
    assert SPEC.resolve()["mode"] == "valid"
    with pytest.raises(ValueError, match="'circular' is not one of full, same, valid"):
        SPEC.param("mode").kind.text("circular", "--mode")
