"""The training video: when the weights change, phase by phase, from the training trace.

Two dry runs (the article's example in English; momentum, two epochs, light theme, Chinese)
record what the grids and the text under the code show after every phase; the numbers on
screen must be the trace's, formatted, and only ``step`` may change the weights.
"""

from __future__ import annotations

import numpy as np
import pytest
from manim import Text
from scene_utils import CJK, dry_run

from convcore.init import SCHEMES
from scenes.kit.fmt import fixed, fixed_factor, fmt
from scenes.kit.i18n import ZH
from scenes.kit.text import join_lines
from scenes.specs.training import SPEC, random_start
from scenes.training import TrainingStep

PHASES = ("zero_grad", "forward", "loss", "backward", "step")


def grid(values) -> list[str]:
    return [fixed(v) for v in np.ravel(values)]


def on_screen(scene) -> dict[str, list[str]]:
    """The strings each grid shows now, and the lines of text under the code."""
    shown = {k: g.numbers for k, g in scene.grids.items() if g.numbers in scene.mobjects}
    texts = {k: [n.original_text for n in numbers] for k, numbers in shown.items()}
    return texts | {"detail": [t.original_text for t in scene.detail]}


class Recorder(TrainingStep):
    """The scene, recording the screen after each phase and templates with no translation."""

    def setup(self):
        super().setup()
        self.seen, self.untranslated = [], set()
        for phase in PHASES:
            setattr(self, f"phase_{phase}", self.recording(phase, getattr(self, f"phase_{phase}")))

    def recording(self, phase, run):
        def recorded(e, *args):
            run(e, *args)
            self.seen.append((e, phase, on_screen(self)))

        return recorded

    def tr(self, template: str, **values) -> str:
        if template not in ZH:
            self.untranslated.add(template)
        return super().tr(template, **values)


def recorded_run(params: dict, theme: str, lang: str):
    return dry_run(Recorder, values=SPEC.resolve(params), theme=theme, lang=lang)


@pytest.fixture(scope="module")
def article():
    return recorded_run({}, "dark", "en")


@pytest.fixture(scope="module")
def zh_momentum():
    return recorded_run({"momentum": 0.9, "epochs": 2}, "light", "zh")


def by_phase(scene, phase: str) -> list[dict]:
    return [shown for _, p, shown in scene.seen if p == phase]


# ---------------------------------------------------------------- layout and storyboard


@pytest.mark.parametrize("run", ["article", "zh_momentum"])
def test_builds_with_a_clean_layout(run, request):
    scene, problems = request.getfixturevalue(run)
    assert problems == []
    assert scene.renderer.num_plays > 20
    assert 30 <= scene.renderer.time <= 95


def test_loop_lines_follow_the_trace_phases(article):
    scene, _ = article
    assert scene.trace.phases == PHASES
    assert scene.code.lines == [
        "for epoch in range(3):",
        "    optimizer.zero_grad()",
        "    outputs = net(input)",
        "    loss = criterion(outputs, target)",
        "    loss.backward()",
        "    optimizer.step()",
    ]
    assert [phase for _, phase, _ in scene.seen[:5]] == list(PHASES)


def test_grids_show_each_phase_snapshot(article):
    scene, _ = article
    t = scene.trace
    assert len(scene.seen) == t.epochs * len(t.phases)
    for e, phase, shown in scene.seen:
        p = t.phases.index(phase)
        for i, layer in enumerate(t.layers):
            assert shown[f"w{i}"] == grid(layer.weight.values[e, p]), (e, phase)
            assert shown[f"b{i}"] == grid(layer.bias.values[e, p])
            assert shown[f"gw{i}"] == grid(layer.weight.grads[e, p]), (e, phase)
            assert shown[f"gb{i}"] == grid(layer.bias.grads[e, p])
            if phase != "zero_grad" or e > 0:
                assert shown[f"map{i}"] == grid(layer.output[e if phase != "zero_grad" else e - 1])
        assert shown["input"] == [fixed(v, 2) for v in np.ravel(t.x)]


def test_only_step_changes_the_weights_on_screen(article):
    scene, _ = article
    for e in range(scene.trace.epochs):
        shown = {phase: s for k, phase, s in scene.seen if k == e}
        weights = [shown[phase]["w0"] for phase in PHASES]
        assert weights[0] == weights[1] == weights[2] == weights[3]  # identical after backward
        assert weights[4] != weights[3]
        assert set(shown["zero_grad"]["gw0"]) == {"0.0000"}  # zero_grad cleared them
        assert set(shown["backward"]["gw0"]) != {"0.0000"}


def test_step_equation_uses_the_trace_terms(article):
    scene, _ = article
    w, lr = scene.trace.layers[0].weight, scene.trace.optimizer.lr
    steps = [shown["detail"] for shown in by_phase(scene, "step")]
    for e, lines in enumerate(steps):
        cell = (e, 0, 0, 0, 0)
        assert lines[0] == "step(): w' = w − lr·g, every w"
        assert (
            lines[-2] == f"w' = {fixed(w.before[cell])} − {fmt(lr, 6)}·{fixed_factor(w.grad[cell])}"
        )
        assert lines[-1] == f"= {fixed(w.after[cell])}"
    # the article's conv1 weight w[0, 0] = −0.0435 in epoch 1 (the gradient is this example's)
    assert steps[0][-2:] == ["w' = −0.0435 − 0.01·0.1109", "= −0.0446"]


def test_loss_and_backward_captions_state_the_trace_numbers(article):
    scene, _ = article
    t = scene.trace
    loss, backward = by_phase(scene, "loss")[0]["detail"], by_phase(scene, "backward")[0]["detail"]
    assert loss[-2:] == [
        f"= ({fixed(t.output[0].item())} − {fixed_factor(t.target.item())})²",
        f"= {fixed_factor(t.residual[0].item())}²  =  {fixed(t.loss[0])}",
    ]
    assert backward[-1] == "−0.0435 → −0.0435"  # backward leaves the weight alone


def test_loss_plot_labels_are_the_trace_losses(article):
    scene, _ = article
    texts = [m for mob in scene.mobjects for m in mob.get_family() if isinstance(m, Text)]
    assert len(scene.plot_dots) == scene.trace.epochs
    for dot, loss in zip(scene.plot_dots, scene.trace.loss, strict=True):
        above = [
            t for t in texts if abs(t.get_x() - dot.get_x()) < 1e-6 and t.get_y() > dot.get_y()
        ]
        assert fixed(loss) in [t.original_text for t in above]
    heights = [d.get_center()[1] for d in scene.plot_dots]
    assert heights == sorted(heights, reverse=True)  # the loss goes down


def test_momentum_equation_shows_the_buffer(zh_momentum):
    scene, _ = zh_momentum
    w = scene.trace.layers[0].weight
    first, second = (shown["detail"] for shown in by_phase(scene, "step"))
    assert first[2] == f"buf = g = {fixed(w.momentum_buffer[0, 0, 0, 0, 0])}"
    assert second[2] == (
        f"buf = 0.9·{fixed_factor(w.momentum_buffer[0, 0, 0, 0, 0])} "
        f"+ {fixed_factor(w.grad[1, 0, 0, 0, 0])}"
    )
    assert second[3] == f"= {fixed(w.momentum_buffer[1, 0, 0, 0, 0])}"
    assert second[-1] == f"= {fixed(w.after[1, 0, 0, 0, 0])}"


# ---------------------------------------------------------------- in Chinese


def test_zh_every_template_is_translated(zh_momentum):
    scene, _ = zh_momentum
    assert sorted(scene.untranslated) == []


def test_zh_labels_are_chinese(zh_momentum):
    scene, _ = zh_momentum
    labels = {
        "title": scene.title[0].original_text,
        "map": scene.grids["map0"].title.original_text,
        "status": scene.status.original_text,
        "loss axis": scene.axes[2].original_text,
    }
    for what, text in labels.items():
        assert CJK.search(text), f"{what}: {text!r}"


def test_zh_cues_are_chinese_and_state_the_trace_numbers(zh_momentum):
    scene, _ = zh_momentum
    cues = [text for _, text in scene.cues]
    assert len(cues) >= 8
    assert all(CJK.search(text) for text in cues), [c for c in cues if not CJK.search(c)]
    captions = "\n".join(cues)
    t = scene.trace
    for number in [*(fixed(v) for v in t.loss), fixed(t.layers[0].weight.after[0, 0, 0, 0, 0])]:
        assert number in captions
    # the article's numbers (momentum changes nothing in the first epoch's step)
    for text in ["损失 0.0864", "(−0.3394)²  =  0.1152", "−0.0435 − 0.01·0.1109", "= −0.0446"]:
        assert text in captions


# ---------------------------------------------------------------- parameters and trace


def test_parameters_are_the_old_cli_options():
    params = {p.name: p for p in SPEC.params}
    assert list(params) == ["lr", "epochs", "momentum", "seed", "init"]
    assert [p.default for p in SPEC.params] == [0.01, 3, 0.0, None, None]
    assert params["epochs"].kind.text("5", "--epochs") == 5
    with pytest.raises(ValueError, match="6 is not in the range 1<=x<=5"):
        params["epochs"].kind.text("6", "--epochs")
    assert params["init"].kind.text("kaiming_normal", "--init") == "kaiming_normal"
    with pytest.raises(ValueError, match="'constant' is not one of"):
        params["init"].kind.text("constant", "--init")
    assert {s for s in SCHEMES if s != "constant"} <= set(
        params["init"].kind.metavar[1:-1].split("|")
    )


def test_random_start_is_seeded_and_repeatable():
    values = SPEC.resolve({"seed": 3, "init": "kaiming_normal", "epochs": 1})
    trace, again = SPEC.make_trace(values), SPEC.make_trace(values)
    assert trace.epochs == 1
    np.testing.assert_array_equal(trace.params[0].initial, again.params[0].initial)
    article = SPEC.make_trace(SPEC.resolve({"epochs": 1}))
    assert not np.array_equal(trace.params[0].initial, article.params[0].initial)
    assert random_start(values) == ("kaiming_normal", 3)
    assert random_start(SPEC.resolve({"seed": 3})) == ("xavier_uniform", 3)
    assert random_start(SPEC.resolve({"init": "normal"})) == ("normal", 0)
    assert random_start(SPEC.resolve()) is None


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"epochs": 0}, "epochs must be from 1 to 5"),
        ({"epochs": 6}, "epochs must be from 1 to 5"),
        ({"epochs": 2.5}, "epochs must be an int"),
        ({"lr": 0}, "lr must be a number > 0"),
        ({"momentum": 1.0}, r"momentum must be a number in \[0, 1\)"),
        ({"init": "constant"}, "init must be one of"),
        ({"seed": -1}, "seed must be an int >= 0"),
        ({"lr": 10.0}, "training diverges"),
        ({"lr": 1e200}, "training diverges"),
    ],
)
def test_rejects_bad_parameters(given, message):
    with pytest.raises(ValueError, match=message):
        SPEC.make_trace(SPEC.resolve(given))


def test_caption_helpers():
    assert fixed_factor(-0.12345) == "(−0.1235)" and fixed_factor(0.5) == "0.5000"
    assert (
        join_lines(["weights and biases,", "no activation"]) == "weights and biases, no activation"
    )
    assert (
        join_lines(["两层的权重和偏置，", "中间没有激活函数"])
        == "两层的权重和偏置，中间没有激活函数"
    )
