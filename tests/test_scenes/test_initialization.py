"""The initialisation video builds from its traces, in English and Chinese.

Dry runs with the layout checked after every animation, for the defaults, a short variant and
Chinese; the numbers the scene draws (panels, bars, marks, gradient grids) are the traces',
formatted.
"""

from __future__ import annotations

import numpy as np
import pytest
from scene_utils import CJK, dry_run, shared_dry_run, texts, tr_templates

import scenes.initialization
from convcore.init import SCHEMES, SUITS
from scenes.kit.fmt import fixed, fmt
from scenes.kit.i18n import ZH
from scenes.kit.text import wrap_words
from scenes.specs.initialization import ORDER, SPEC, init_video


def grid(values) -> list[str]:
    return [fixed(v) for v in np.ravel(values)]


# ---------------------------------------------------------------- English


def test_default_lays_out_cleanly():
    scene, problems = shared_dry_run(SPEC)
    assert problems == []
    assert [t.scheme for t in scene.trace.inits] == list(ORDER)
    assert set(ORDER) == set(SCHEMES)
    assert 30 <= scene.renderer.time <= 90


def test_short_variant_lays_out_cleanly():
    """Seed 5, 12 bins, two schemes (the scene draws whichever schemes its trace holds)."""
    values = SPEC.resolve({"seed": 5, "bins": 12})
    trace = init_video(values, schemes=("kaiming_uniform", "constant"))
    scene, problems = dry_run(SPEC.load(), values=values, trace=trace)
    assert problems == []
    assert [len(t.counts) for t in scene.trace.inits] == [12, 12]


def test_panels_show_the_trace_formulas():
    scene, _ = shared_dry_run(SPEC)
    for t in scene.trace.inits:
        shown = [text for part in scene.get_panel(t) for text in texts(part)]
        for line in (*t.formula, *t.fan_lines, *t.substituted):
            assert line in shown, (t.scheme, line)
        assert " ".join(shown).replace("suits: ", "").endswith(" ".join(SUITS[t.scheme].split()))


def test_bars_and_marks_are_the_trace_counts():
    scene, _ = shared_dry_run(SPEC)
    for t in scene.trace.inits:
        bars = scene.get_bars(t)
        counts = t.counts[t.counts > 0]
        assert len(bars) == len(counts)
        heights = np.array([b.height for b in bars])
        np.testing.assert_allclose(heights / heights.max(), counts / counts.max(), rtol=1e-9)
        marks, stats = scene.get_marks(t)
        ends = [fmt(t.edges[0], 4), fmt(t.edges[len(t.edges) // 2], 4), fmt(t.edges[-1], 4)]
        assert [m.original_text for m in marks[:3]] == ends
        assert marks[3].original_text == str(int(t.counts.max()))
        assert (
            texts(stats)[0] == f"sample: mean {fmt(t.sample_mean, 4)}, std {fmt(t.sample_std, 4)}"
        )
    constant = scene.trace.inits[-1]
    assert len(scene.get_bars(constant)) == 1  # every weight equal: one spike
    legend = texts(scene.get_legend(constant))
    assert legend == [f"all {constant.sample.size} weights = 0.1"]


def test_symmetry_grids_are_the_trace_gradients():
    scene, _ = shared_dry_run(SPEC)
    s = scene.trace.symmetry
    on_screen = [text for mob in scene.mobjects for text in texts(mob)]
    rows = [scene.get_symmetry_row(k)[1] for k in range(2)]
    for numbers, grads in zip(rows, (s.constant_grads, s.contrast_grads), strict=True):
        shown = [texts(group) for group in numbers]
        assert shown == [grid(grads[0]), grid(grads[1])]
        assert all(text in on_screen for text in shown[0] + shown[1])
    assert texts(rows[0][0]) == texts(rows[0][1])
    assert texts(rows[1][0]) != texts(rows[1][1])


@pytest.mark.parametrize(
    ("params", "options", "message"),
    [
        ({"seed": -1}, {}, "seed must be an int >= 0"),
        ({}, {"schemes": ("he",)}, "schemes must be a non-empty selection"),
        ({}, {"schemes": ()}, "schemes must be a non-empty selection"),
        ({"bins": 1}, {}, "bins must be an int from 2"),
        ({}, {"weight_shape": (3, 3)}, "weight_shape must be"),
    ],
)
def test_rejects_bad_parameters(params, options, message):
    with pytest.raises(ValueError, match=message):
        init_video(SPEC.resolve(params), **options)
    if not options:
        with pytest.raises(ValueError, match=message):
            SPEC.make_trace(SPEC.resolve(params))


def test_every_scheme_says_what_it_suits():
    assert set(SUITS) == set(SCHEMES)
    assert all(isinstance(text, str) and text for text in SUITS.values())


def test_wrap_words_counts_cjk_double_and_keeps_punctuation_attached():
    assert wrap_words("hello world this is a test", 12) == ["hello world", "this is a", "test"]
    lines = wrap_words("适用于：ReLU 以及它的变体（leaky ReLU、PReLU）：方差按 fan_in 保持", 20)
    assert (
        "".join(lines).replace(" ", "")
        == "适用于：ReLU以及它的变体（leakyReLU、PReLU）：方差按fan_in保持"
    )
    assert not any(line[0] in "，。：；）、！？" for line in lines)
    widths = [sum(2 if CJK.match(c) or c in "（）：、" else 1 for c in line) for line in lines]
    assert max(widths) <= 20 + 2  # a closing mark may overhang rather than start a line


# ---------------------------------------------------------------- Chinese


def test_every_template_has_a_translation():
    templates = tr_templates(scenes.initialization)
    assert len(templates) > 25
    shown_at_run_time = {*SUITS.values(), "xavier uniform"}  # from convcore, not literals
    assert sorted(t for t in templates | shown_at_run_time if t not in ZH) == []


def test_chinese_lays_out_cleanly():
    _, problems = shared_dry_run(SPEC, lang="zh")
    assert problems == []


def test_chinese_labels_and_cues():
    scene, _ = shared_dry_run(SPEC, lang="zh")
    name, *_, suits = scene.get_panel(scene.trace.inits[0])
    labels = [
        scene.title[0].original_text,
        name.original_text,
        suits[-1].original_text,
        scene.axes[2].original_text,
    ]
    assert [text for text in labels if not CJK.search(text)] == []
    cues = [text for _, text in scene.cues]
    assert len(cues) >= 8
    assert [c for c in cues if not CJK.search(c)] == []
    captions = "\n".join(cues)
    s = scene.trace.symmetry
    lines = [line for init in scene.trace.inits for line in init.substituted]
    for number in (*lines, fixed(s.constant_grads[0][0, 0]), fixed(s.contrast_grads[1][0, 0])):
        assert number in captions
    for text in ("W ~ U(−0.08333, 0.08333)", "适用于：ReLU"):
        assert text in captions
