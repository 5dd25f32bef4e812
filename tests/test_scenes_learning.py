"""The learning videos (training step, initialisation) and the symmetry example they draw.

Scenes build in dry run with a clean layout, for the defaults and a variant; the numbers they
keep on screen are the trace's, formatted. The symmetry example is checked against PyTorch
(float64, live when importable; tolerance 1e-10).
"""

from __future__ import annotations

import numpy as np
import pytest
from scene_utils import dry_run

from convcore.init import SCHEMES, SUITS
from convcore.train import SYMMETRY_LAYERS, symmetry_trace
from scenes import registry
from scenes.initialization import Initialization
from scenes.textfmt import fixed, fmt
from scenes.training import factor

PHASES = ("zero_grad", "forward", "loss", "backward", "step")


def configured(name: str, **attrs) -> type:
    """The registered scene with class attributes set (the CLI options are wired later)."""
    base = registry.get(name).configured({})
    return type(base.__name__, (base,), attrs)


def grid(values) -> list[str]:
    return [fixed(v) for v in np.ravel(values)]


@pytest.fixture(scope="module")
def training():
    return dry_run(configured("training"))


@pytest.fixture(scope="module")
def training_momentum():
    return dry_run(configured("training", momentum=0.9, epochs=2))


@pytest.fixture(scope="module")
def initialization():
    return dry_run(configured("initialization"))


# ---------------------------------------------------------------- training video


@pytest.mark.parametrize("case", ["training", "training_momentum"])
def test_training_builds_with_a_clean_layout(case, request):
    scene, problems = request.getfixturevalue(case)
    assert problems == []
    assert scene.renderer.num_plays > 20
    assert 30 <= scene.renderer.time <= 95


def test_training_loop_lines_follow_the_trace_phases(training):
    scene, _ = training
    assert scene.trace.phases == PHASES
    assert list(scene.code_lines) == ["for", *scene.trace.phases]
    assert [s for e, s, _ in scene.snapshots[:5]] == list(PHASES)


def test_training_grids_show_each_phase_snapshot(training):
    scene, _ = training
    t = scene.trace
    assert len(scene.snapshots) == t.epochs * len(t.phases)
    for e, phase, shown in scene.snapshots:
        p = t.phases.index(phase)
        for i, layer in enumerate(t.layers):
            assert shown[f"w{i}"] == grid(layer.weight.values[e, p]), (e, phase)
            assert shown[f"b{i}"] == grid(layer.bias.values[e, p])
            assert shown[f"gw{i}"] == grid(layer.weight.grads[e, p]), (e, phase)
            if phase != "zero_grad" or e > 0:
                assert shown[f"map{i}"] == grid(layer.output[e if phase != "zero_grad" else e - 1])
        assert shown["input"] == [fixed(v, 2) for v in np.ravel(t.x)]


def test_only_step_changes_the_weights_on_screen(training):
    scene, _ = training
    for e in range(scene.trace.epochs):
        by_phase = {phase: shown for k, phase, shown in scene.snapshots if k == e}
        weights = [by_phase[phase]["w0"] for phase in PHASES]
        assert weights[0] == weights[1] == weights[2] == weights[3]  # identical after backward
        assert weights[4] != weights[3]
        assert set(by_phase["zero_grad"]["gw0"]) == {"0.0000"}  # zero_grad cleared them
        assert set(by_phase["backward"]["gw0"]) != {"0.0000"}


def test_training_step_equation_uses_the_trace_terms(training):
    scene, _ = training
    w, lr = scene.trace.layers[0].weight, scene.trace.optimizer.lr
    for e, lines in enumerate(scene.step_texts):
        cell = (e, 0, 0, 0, 0)
        assert lines[-2] == f"w' = {fixed(w.before[cell])} − {fmt(lr, 6)}·{factor(w.grad[cell])}"
        assert lines[-1] == f"= {fixed(w.after[cell])}"
    # the article's conv1 weight w[0, 0] = −0.0435 in epoch 1 (the gradient is this example's)
    assert scene.step_texts[0][-2:] == ["w' = −0.0435 − 0.01·0.1109", "= −0.0446"]


def test_training_loss_plot_labels_are_the_trace_losses(training):
    scene, _ = training
    assert [v.original_text for v in scene.plot_values] == [fixed(v) for v in scene.trace.loss]
    assert len(scene.plot_dots) == scene.trace.epochs
    heights = [d.get_center()[1] for d in scene.plot_dots]
    assert heights == sorted(heights, reverse=True)  # the loss goes down


def test_training_momentum_equation_shows_the_buffer(training_momentum):
    scene, _ = training_momentum
    w = scene.trace.layers[0].weight
    first, second = scene.step_texts
    assert first[1] == f"buf = g = {fixed(w.momentum_buffer[0, 0, 0, 0, 0])}"
    assert second[1] == (
        f"buf = 0.9·{factor(w.momentum_buffer[0, 0, 0, 0, 0])} + {factor(w.grad[1, 0, 0, 0, 0])}"
    )
    assert second[2] == f"= {fixed(w.momentum_buffer[1, 0, 0, 0, 0])}"
    assert second[-1] == f"= {fixed(w.after[1, 0, 0, 0, 0])}"


def test_training_random_start_builds():
    cls = configured("training", seed=3, init="kaiming_normal", epochs=1)
    trace = cls.make_trace()
    assert trace.epochs == 1
    again = configured("training", seed=3, init="kaiming_normal", epochs=1).make_trace()
    np.testing.assert_array_equal(trace.params[0].initial, again.params[0].initial)


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ({"epochs": 0}, "epochs must be from 1 to 5"),
        ({"epochs": 6}, "epochs must be from 1 to 5"),
        ({"epochs": 2.5}, "epochs must be an int"),
        ({"lr": 0}, "lr must be a number > 0"),
        ({"momentum": 1.0}, r"momentum must be a number in \[0, 1\)"),
        ({"init": "constant"}, "init must be one of"),
        ({"seed": -1}, "seed must be an int >= 0"),
        ({"lr": 10.0}, "training diverges"),
    ],
)
def test_training_rejects_bad_parameters(attrs, message):
    with pytest.raises(ValueError, match=message):
        configured("training", **attrs).make_trace()


# ---------------------------------------------------------------- initialisation video


def test_initialization_builds_with_a_clean_layout(initialization):
    scene, problems = initialization
    assert problems == []
    assert [t.scheme for t in scene.inits] == list(Initialization.schemes)
    assert set(Initialization.schemes) == set(SCHEMES)
    assert 30 <= scene.renderer.time <= 90


def test_initialization_variant_builds_with_a_clean_layout():
    cls = configured("initialization", seed=5, schemes=("kaiming_uniform", "constant"), bins=12)
    scene, problems = dry_run(cls)
    assert problems == []
    assert [len(t.counts) for t in scene.inits] == [12, 12]


def test_initialization_panels_show_the_trace_formulas(initialization):
    scene, _ = initialization
    for trace, shown in zip(scene.inits, scene.shown_panels, strict=True):
        for line in (*trace.formula, *trace.fan_lines, *trace.substituted):
            assert line in shown, (trace.scheme, line)
        assert (
            " ".join(shown).replace("suits: ", "").endswith(" ".join(SUITS[trace.scheme].split()))
        )


def test_initialization_bars_are_the_trace_counts(initialization):
    scene, _ = initialization
    for t in scene.inits:
        bars = scene.get_bars(t)
        counts = t.counts[t.counts > 0]
        assert len(bars) == len(counts)
        heights = np.array([b.height for b in bars])
        np.testing.assert_allclose(heights / heights.max(), counts / counts.max(), rtol=1e-9)
        marks, _ = scene.get_marks(t)
        ends = [fmt(t.edges[0], 4), fmt(t.edges[len(t.edges) // 2], 4), fmt(t.edges[-1], 4)]
        assert [m.original_text for m in marks[:3]] == ends
        assert marks[3].original_text == str(int(t.counts.max()))
    constant = scene.inits[-1]
    assert len(scene.get_bars(constant)) == 1  # every weight equal: one spike


def test_initialization_symmetry_grids_are_the_trace_gradients(initialization):
    scene, _ = initialization
    s = scene.symmetry
    for shown, grads in zip(scene.grad_texts, (s.constant_grads, s.contrast_grads), strict=True):
        assert shown == [grid(grads[0]), grid(grads[1])]
    assert scene.grad_texts[0][0] == scene.grad_texts[0][1]
    assert scene.grad_texts[1][0] != scene.grad_texts[1][1]


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ({"seed": -1}, "seed must be an int >= 0"),
        ({"schemes": ("he",)}, "schemes must be a non-empty selection"),
        ({"schemes": ()}, "schemes must be a non-empty selection"),
        ({"bins": 1}, "bins must be an int from 2"),
        ({"weight_shape": (3, 3)}, "weight_shape must be"),
    ],
)
def test_initialization_rejects_bad_parameters(attrs, message):
    with pytest.raises(ValueError, match=message):
        configured("initialization", **attrs).make_trace()


def test_every_scheme_says_what_it_suits():
    assert set(SUITS) == set(SCHEMES)
    assert all(isinstance(text, str) and text for text in SUITS.values())


# ---------------------------------------------------------------- the symmetry example


def test_constant_init_gives_both_filters_the_same_gradient():
    s = symmetry_trace(np.random.default_rng(0))
    assert s.constant_equal and s.constant_after_equal
    np.testing.assert_array_equal(s.constant_grads[0], s.constant_grads[1])
    np.testing.assert_array_equal(s.constant_filters, np.full((2, 3, 3), 0.1))
    assert not np.allclose(s.constant_grads, 0)  # equal, but not trivially zero


def test_xavier_init_gives_the_filters_different_gradients():
    s = symmetry_trace(np.random.default_rng(0))
    assert not s.contrast_equal and not s.contrast_after_equal
    assert np.abs(s.contrast_grads[0] - s.contrast_grads[1]).max() > 1e-3
    assert s.contrast_scheme == "xavier_uniform"


def test_symmetry_twins_share_input_and_target():
    s = symmetry_trace(np.random.default_rng(1), val=0.3)
    np.testing.assert_array_equal(s.constant.x, s.contrast.x)
    np.testing.assert_array_equal(s.constant.target, s.contrast.target)
    assert s.val == 0.3 and s.constant_equal


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"size": 4}, "size must be >= 5"),
        ({"contrast_scheme": "constant"}, "contrast_scheme must be a random scheme"),
        ({"contrast_scheme": "he"}, "unknown init scheme"),
        ({"val": float("nan")}, "val"),
    ],
)
def test_symmetry_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        symmetry_trace(np.random.default_rng(0), **kwargs)


@pytest.mark.torch
@pytest.mark.parametrize("net", ["constant", "contrast"])
def test_symmetry_gradients_match_live_torch(torch, net):
    s = symmetry_trace(np.random.default_rng(0))
    trace = getattr(s, net)
    convs = [
        torch.nn.Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size).double()
        for layer in SYMMETRY_LAYERS
    ]
    with torch.no_grad():
        for conv, layer in zip(convs, trace.layers, strict=True):
            conv.weight.copy_(torch.from_numpy(layer.weight.initial))
            conv.bias.copy_(torch.from_numpy(layer.bias.initial))
    out = convs[1](convs[0](torch.from_numpy(s.x)))
    torch.nn.functional.mse_loss(out, torch.from_numpy(s.target)).backward()
    grads = convs[0].weight.grad[:, 0]
    np.testing.assert_allclose(getattr(s, f"{net}_grads"), grads.numpy(), rtol=1e-10, atol=1e-12)
    # torch sums in another order: equal to rounding for the twins, far apart otherwise
    same = np.allclose(grads[0].numpy(), grads[1].numpy(), rtol=1e-12, atol=1e-14)
    assert same == (net == "constant")


def test_fixed_format():
    assert fixed(-0.04351) == "−0.0435"
    assert fixed(-0.00001) == "0.0000"
    assert fixed(2) == "2.0000"
    assert fixed(1.23456, 2) == "1.23"
