"""The learn-kernel video builds from its trace, laid out cleanly, with the trace's numbers.

The trace is :func:`convcore.learn.trace_kernel_learning` (tested against PyTorch, finite
differences and brute force in test_convcore/test_learn.py). Two dry runs in the default
suite: the defaults (1×2 kernel, dark, English) and a 3×3 kernel (light, Chinese).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scene_utils import CJK, dry_run, shared_dry_run, text_boxes

from convcore.learn import trace_kernel_learning
from scenes.kit.fmt import fixed, fixed_factor, fmt
from scenes.kit.image import load_grey
from scenes.learn_kernel import CUES, LearnKernel
from scenes.specs.learn_kernel import PHOTO_SIDE, SPEC

FIXTURES = Path(__file__).parents[1] / "fixtures" / "learn_kernel_torch.npz"
BEATS = ["show_title", "show_data", "show_start", "show_step", "train", "conclude"]
BEATS.append("apply_to_photo")


class Recorder(LearnKernel):
    """The scene, recording the products grid and the equations of each written-out tap."""

    def setup(self):
        super().setup()
        self.taps_seen = []

    def explain_tap(self, k, prod, old):
        equations = super().explain_tap(k, prod, old)
        numbers = [n.original_text for n in prod.numbers]
        self.taps_seen.append((numbers, [e.original_text for e in equations]))
        return equations


@pytest.fixture(scope="module")
def default():
    return shared_dry_run(SPEC)


@pytest.fixture(scope="module")
def recorded():
    values = SPEC.resolve({"kernel_shape": "3x3"})
    return dry_run(Recorder, values=values, theme="light", lang="zh")


def on_screen(scene) -> list[str]:
    return text_boxes(scene)[0]


def test_builds_cleanly_with_every_beat(default, recorded):
    for scene, problems in (default, recorded):
        assert problems == []
        assert [name for _, name in scene.beats] == BEATS


def test_trace_is_convcores_learning_run(default):
    scene, _ = default
    v = SPEC.resolve()
    photo = load_grey(v.image.path, PHOTO_SIDE)
    rng = np.random.default_rng(v.seed)
    expected = trace_kernel_learning((1, 2), lr=v.lr, steps=v.steps, rng=rng, photo=photo)
    np.testing.assert_array_equal(scene.trace.kernels, expected.kernels)
    np.testing.assert_array_equal(scene.trace.loss, expected.loss)
    np.testing.assert_array_equal(scene.trace.photo_learned.values, expected.photo_learned.values)
    assert (v.kernel_shape, v.lr, v.steps, v.seed) == ("1x2", 0.5, 40, 0)  # the torch fixture's


def test_default_fixture_settings_are_the_videos():
    """test_convcore/test_learn.py compares the defaults' run with this PyTorch fixture."""
    with np.load(FIXTURES) as data:
        settings = json.loads(str(data["meta"]))["default"]
    v = SPEC.resolve()
    assert settings == {"kernel_size": [1, 2], "seed": v.seed, "lr": v.lr, "steps": v.steps}


def test_learned_kernel_and_photo_on_screen(default):
    scene, _ = default
    t = scene.trace
    shown = [n.original_text for n in scene.w_grid.numbers]
    assert shown == [fixed(v) for v in t.kernels[-1].ravel()] == ["0.9984", "−0.9984"]
    texts = on_screen(scene)
    assert f"the two maps differ by at most {fixed(t.photo_gap)}" in texts
    assert "photo ⋆ w 96×95" in texts and "kernel w" in texts
    for v in (*t.photo_learned.kernel.ravel(), *t.photo_target.kernel.ravel()):
        assert fixed(v) in texts or fmt(v) in texts


def test_captions_state_the_traces_numbers(default):
    scene, _ = default
    t, d = scene.trace, scene.trace.detail
    cues = [text for _, text in scene.cues]
    i, j = d.taps[0]
    grad = CUES["grad"].format(i=i, j=j, n=42, g=fixed(d.grad[0]))
    assert grad in cues
    update = CUES["update"].format(
        i=i,
        j=j,
        before=fixed(d.before[0]),
        lr="0.5",
        g=fixed_factor(d.grad[0]),
        after=fixed(d.after[0]),
    )
    assert update in cues
    assert CUES["train"].format(n=39, first=fixed(t.loss[0]), last=fmt(t.loss[-1], 4)) in cues
    assert any("[0.9984, −0.9984]" in c and "[1, −1]" in c for c in cues)


def test_written_out_step_shows_products_and_update(recorded):
    scene, _ = recorded
    d = scene.trace.detail
    assert len(scene.taps_seen) == 2  # the taps of K's 1 and −1
    for k, (numbers, equations) in enumerate(scene.taps_seen):
        assert numbers == [fixed(v, 2) for v in d.products[k].ravel()]
        i, j = d.taps[k]
        n, s, g = d.n_outputs, fixed_factor(d.sums[k]), fixed(d.grad[k])
        assert equations[0] == f"∂L/∂w[{i}, {j}] = (2/{n})·Σ (ŷ − y)·x = (2/{n})·{s} = {g}"
        update = f"{fixed(d.before[k])} − 0.5·{fixed_factor(d.grad[k])} = {fixed(d.after[k])}"
        assert equations[1] == f"w[{i}, {j}] ← w − lr·g = {update}"


def test_tall_kernel_explains_column_sums_in_chinese(recorded):
    scene, _ = recorded
    t = scene.trace
    notes = [m.original_text for m in scene.notes]
    assert notes[1] == ", ".join(fixed(v) for v in t.column_sums[-1]) == "0.0000, 1.0000, −1.0000"
    assert notes[0] == "w ≠ K，但它的列和"
    texts = on_screen(scene)
    assert sum(bool(CJK.search(s)) for s in texts) >= 4
    assert any("X 的每一行都相同" in text for _, text in scene.cues)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"lr": 1.5}, r"training diverges with lr=1.5 \(the loss grows from .*use lr < 1.4 "),
        ({"lr": 0.7, "kernel_shape": "3x3"}, r"use lr < 0.586 for a 3×3 kernel"),
        ({"lr": 40.0, "steps": 200}, r"the loss overflows float64\): use lr < 1.4"),
        ({"lr": -0.1}, r"lr must be > 0, got -0.1"),
    ],
)
def test_bad_settings_raise_one_sentence(params, message):
    with pytest.raises(ValueError, match=message):
        SPEC.make_trace(SPEC.resolve(params))


@pytest.mark.slow
@pytest.mark.parametrize(
    "params",
    [{"steps": 1}, {"steps": 200, "lr": 1.2, "seed": 7}, {"kernel_shape": "3x3", "steps": 3}],
)
def test_variants_build_cleanly(params):
    scene, problems = shared_dry_run(SPEC, params, theme="light")
    assert problems == []
    assert [n.original_text for n in scene.w_grid.numbers] == [
        fixed(v) for v in scene.trace.kernels[-1].ravel()
    ]
