"""``checkerboard``: kernel taps per output cell, kernel 3 against kernel 4 at stride 2.

The counts on screen are read back from the scene's Texts and compared with the trace, the
trace with convcore (``transposed_overlap_counts``, ``conv_transpose2d`` of ones, both
tested against brute force and PyTorch); away from the border kernel 4 covers every cell
equally while kernel 3 alternates.
"""

from __future__ import annotations

import numpy as np
import pytest
from scene_utils import CJK, shared_dry_run

from convcore.transpose import conv_transpose2d, transposed_overlap_counts
from scenes.kit.fmt import fmt
from scenes.specs.checkerboard import SPEC


def counts_on_screen(scene, n: int) -> np.ndarray:
    out = scene.panels[n][2]
    rows, cols = out.shape
    assert set(scene.shown[n]) == {(r, c) for r in range(rows) for c in range(cols)}
    texts = [[scene.shown[n][r, c].original_text for c in range(cols)] for r in range(rows)]
    return np.array(texts, dtype=float)


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({}, id="default"),
        pytest.param(
            {"input_size": 3, "stride": 3, "kernel_a": 4, "kernel_b": 6},
            id="stride3",
            marks=pytest.mark.slow,
        ),
    ],
)
def test_counts_on_screen_are_the_trace_and_convcore(params):
    scene, problems = shared_dry_run(SPEC, params)
    assert problems == []
    v = scene.values
    for n, kernel in enumerate((v.kernel_a, v.kernel_b)):
        trace, pattern = scene.trace.traces[n], scene.trace.patterns[n]
        expected = transposed_overlap_counts(v.input_size, kernel, v.stride)
        np.testing.assert_array_equal(pattern.counts, expected)
        np.testing.assert_array_equal(trace.overlap_counts, expected)
        x, weight = np.ones((1, 1, v.input_size, v.input_size)), np.ones((1, 1, kernel, kernel))
        ones = conv_transpose2d(x, weight, stride=v.stride)
        np.testing.assert_array_equal(trace.out, ones)
        np.testing.assert_array_equal(ones[0, 0], expected)  # the output is the count
        np.testing.assert_array_equal(counts_on_screen(scene, n), expected)
        assert scene.panels[n][2].title.original_text.endswith(f"(kernel {kernel})")


def test_kernel_4_is_even_inside_and_kernel_3_alternates():
    scene, _ = shared_dry_run(SPEC)
    uneven, even = (counts_on_screen(scene, n) for n in (0, 1))
    r0, r1, c0, c1 = scene.trace.patterns[1].interior
    inside = even[r0:r1, c0:c1]
    assert inside.size >= 16 and np.all(inside == 4)
    r0, r1, c0, c1 = scene.trace.patterns[0].interior
    inside = uneven[r0:r1, c0:c1]
    assert set(np.unique(inside)) == {1, 2, 4}
    assert np.all(inside[:, 1:] != inside[:, :-1]) and np.all(inside[1:] != inside[:-1])
    verdicts = [" ".join(line.original_text for line in group) for group in scene.verdicts]
    assert verdicts[0].startswith("kernel 3, not a multiple of stride 2: 1, 2, 4 taps")
    assert verdicts[1].startswith("kernel 4, a multiple of stride 2: 4 taps on every cell")
    cues = [text for _, text in scene.cues]
    assert any("Odena, Dumoulin & Olah" in text and "Distill 2016" in text for text in cues)


def test_chinese_lays_out_cleanly_with_chinese_labels():
    scene, problems = shared_dry_run(SPEC, lang="zh")
    assert problems == []
    labels = [scene.title[0].original_text, *(p[2].title.original_text for p in scene.panels)]
    labels += [line.original_text for group in scene.verdicts for line in group]
    assert [text for text in labels if not CJK.search(text)] == []
    assert scene.panels[0][2].title.original_text == "输出 9×9（卷积核 3）"
    cues = [text for _, text in scene.cues]
    assert any("框内单元的抽头数为 1, 2, 4" in text for text in cues)


@pytest.mark.parametrize(
    "given, match",
    [
        ({"input_size": 6}, r"output 13×13 \(kernel 3\) is too large to draw legibly"),
        ({"input_size": 5, "kernel_b": 7}, r"output 15×15 \(kernel 7\) is too large"),
        ({"input_size": 2, "kernel_a": 7}, "input size 2 is too small for kernel 7 at stride 2"),
    ],
)
def test_settings_it_cannot_draw_raise(given, match):
    with pytest.raises(ValueError, match=match):
        SPEC.make_trace(SPEC.resolve(given))


def test_parameters_are_declared_with_their_ranges():
    assert [p.name for p in SPEC.params] == ["input_size", "stride", "kernel_a", "kernel_b"]
    assert [p.default for p in SPEC.params] == [4, 2, 3, 4]
    assert SPEC.param("kernel_b").kind.text("5", "--kernel-b") == 5
    for name, raw in (("kernel_a", "0"), ("input_size", "1")):
        with pytest.raises(ValueError, match="is not in the range"):
            SPEC.param(name).kind.text(raw, "--" + name)
    for stride in (5, (2, 1)):
        with pytest.raises(ValueError, match="stride must be one int from 1 to 4"):
            SPEC.make_trace(SPEC.resolve({"stride": stride}))
    assert SPEC.make_trace(SPEC.resolve({"stride": (1, 1)})).stride == 1
    assert fmt(SPEC.make_trace(SPEC.resolve()).patterns[0].peak) == "4"
