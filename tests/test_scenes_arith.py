"""The arithmetic videos (output size, receptive field, multichannel) build from their traces.

Each scene is built in manim's dry-run mode with the layout checked after every animation
(nothing off-frame, no Texts overlapping), for its defaults and a variant; the numbers it
shows are read back from its Texts and compared with convcore.
"""

from __future__ import annotations

import numpy as np
import pytest
from scene_utils import dry_run

from convcore import conv2d, output_size
from convcore.arithmetic import coverage
from scenes import registry
from scenes.output_size import DUMOULIN_CASES, OutputSizes, SizeCase
from scenes.textfmt import fmt, fmt_factor, shape


def texts(group) -> list[str]:
    """The strings of every Text in ``group`` (depth first)."""
    return [m.original_text for m in group.get_family() if hasattr(m, "original_text")]


# ---------------------------------------------------------------- output size


@pytest.fixture(scope="module")
def sizes_scene():
    scene, problems = dry_run(registry.get("output-size").configured({}))
    return scene, problems


def test_output_size_default_lays_out_cleanly(sizes_scene):
    scene, problems = sizes_scene
    assert problems == []
    assert len(scene.shown_cases) == len(DUMOULIN_CASES) == 8


@pytest.mark.parametrize("index", range(len(DUMOULIN_CASES)))
def test_output_size_cases_show_convcore_sizes(sizes_scene, index):
    scene, _ = sizes_scene
    case, shown = DUMOULIN_CASES[index], scene.shown_cases[index]
    out = output_size(case.size, case.kernel, case.stride, case.padding, case.dilation)
    assert shown.output_grid.title.original_text == f"output {shape(out, out)}"
    assert shown.output_grid.shape == (out, out)
    formula = shown.numbers[0].original_text
    assert formula.endswith(f"= {out}")
    assert f"⌊({case.size} + 2·{case.padding} − {case.dilation}·({case.kernel} − 1)" in formula
    # the padded grid shows the trace's values, padding cells drawn apart
    trace = scene.shown[index].trace
    assert texts(shown.input_grid.numbers) == [fmt(v) for v in trace.x_padded.ravel()]
    assert int(shown.input_grid.mask.sum()) == int(trace.pad_mask.sum())


def test_output_size_expected_sizes(sizes_scene):
    # Dumoulin & Visin's answers: 2, 6, 5, 7, 2, 3, 3, 3
    scene, _ = sizes_scene
    shown = [s.output_grid.shape[0] for s in scene.shown_cases]
    assert shown == [2, 6, 5, 7, 2, 3, 3, 3]
    summary = [out.original_text for _, out in scene.summary_rows[1:]]
    assert summary == ["2", "6", "5", "7", "2", "3", "3", "3"]


def test_output_size_every_position_gets_a_dot(sizes_scene):
    scene, _ = sizes_scene
    for case in scene.shown:
        assert case.trace.n_steps == case.trace.out_shape[0] * case.trace.out_shape[1]
    notes = [s.note.original_text for s in scene.shown_cases]
    assert notes[0] == "window 3×3: 4 positions (dots: top-left taps)"
    assert notes[7] == "window 3×3 reaching 5×5 cells: 9 positions (dots: top-left taps)"


def test_output_size_odd_case_crosses_the_unvisited_cells(sizes_scene):
    scene, _ = sizes_scene
    odd = scene.shown_cases[6]
    cov = coverage(scene.shown[6].trace)
    assert len(odd.crosses) == cov.n_unvisited == 15
    assert odd.unvisited_note.original_text.startswith("⌊5 / 2⌋ rounds down: the last row and")
    crossed = {tuple(np.round(c.get_center()[:2], 3)) for c in odd.crosses}
    cells = {
        tuple(np.round(odd.input_grid.cell(r, c).get_center()[:2], 3))
        for r, c in np.argwhere(cov.unvisited)
    }
    assert crossed == cells
    assert all(len(s.crosses) == 0 for i, s in enumerate(scene.shown_cases) if i != 6)


def test_output_size_single_user_case():
    params = {
        "input": np.arange(1.0, 43).reshape(6, 7),
        "kernel": np.ones((2, 3)),
        "stride": (2, 1),
        "padding": 1,
    }
    scene, problems = dry_run(registry.get("output-size").configured(params))
    assert problems == []
    (shown,) = scene.shown_cases
    oh, ow = output_size(6, 2, 2, 1), output_size(7, 3, 1, 1)
    assert shown.output_grid.title.original_text == f"output {shape(oh, ow)}"
    lines = [t.original_text for t in shown.numbers]
    assert lines[0].startswith("H_out") and lines[0].endswith(f"= {oh}")
    assert lines[1].startswith("W_out") and lines[1].endswith(f"= {ow}")
    assert shown.heading.original_text.startswith("your case: 6×7 input, kernel 2×3")


def test_output_size_case_list_is_a_parameter():
    cls = type("Two", (OutputSizes,), {"cases": (SizeCase("a", 3, 3), SizeCase("b", 6, 2, 3))})
    assert [c.trace.out_shape for c in cls.make_trace()] == [(1, 1), (2, 2)]


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"input": np.ones((13, 13))}, r"13×13 is too large"),
        ({"input": np.ones((2, 4, 4))}, "input and kernel must be 2-D"),
        ({"kernel": np.ones((7, 7))}, "kernel extent 7 is larger than the padded input"),
        ({"stride": 0}, "stride must be positive"),
    ],
)
def test_output_size_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        registry.get("output-size").configured(params).make_trace()


def test_output_size_empty_case_list():
    with pytest.raises(ValueError, match="cases is empty"):
        type("Empty", (OutputSizes,), {"cases": ()}).make_trace()


# ---------------------------------------------------------------- receptive field


def test_receptive_field_default_numbers():
    scene, problems = dry_run(registry.get("receptive-field").configured({}))
    assert problems == []
    stack = [texts(scene.panels["stack", n]) for n in (1, 2, 3)]
    single = [texts(scene.panels["single", n]) for n in (2, 3)]
    assert [s[0] for s in stack] == [
        "receptive field 3×3",
        "receptive field 5×5",
        "receptive field 7×7",
    ]
    assert [s[1] for s in stack] == ["weights: 9", "weights: 2·9 = 18", "weights: 3·9 = 27"]
    assert [s[2] for s in stack] == ["ReLUs: 1", "ReLUs: 2", "ReLUs: 3"]
    assert [s[:2] for s in single] == [
        ["receptive field 5×5", "weights: 5·5 = 25"],
        ["receptive field 7×7", "weights: 7·7 = 49"],
    ]
    assert [s[2] for s in single] == ["ReLUs: 1", "ReLUs: 1"]
    assert texts(scene.panels["channels"]) == ["×C²: 27·64² = 110592", "×C²: 49·64² = 200704"]
    # the highlighted cells are the trace's masks: 7×7 of the input, 5×5, 3×3, the cell
    t = scene.full
    assert [int(m.sum()) for m in t.masks] == [49, 25, 9, 1]
    assert [g.shape for g in scene.grids] == [(9, 9), (7, 7), (5, 5), (3, 3)]
    recap = [row.original_text.split() for row in scene.recap_rows[1:]]
    assert [r[1] for r in recap] == ["3×3", "5×5", "7×7"]


@pytest.mark.parametrize(
    ("layers", "input_size"),
    [([(3, 2, 1), (3, 1, 1)], 9), ([(3, 1, 0, 2), (3,)], 11), ([(3,)] * 4, 12)],
)
def test_receptive_field_variants(layers, input_size):
    cls = registry.get("receptive-field").configured({})
    cls = type(cls.__name__, (cls,), {"layers": layers, "input_size": input_size})
    scene, problems = dry_run(cls)
    assert problems == []
    t = scene.full
    assert (
        texts(scene.panels["stack", len(layers)])[0]
        == f"receptive field {shape(t.size[-1], t.size[-1])}"
    )
    assert [g.shape for g in scene.grids] == [tuple(s) for s in t.map_sizes]


@pytest.mark.parametrize(
    ("attrs", "match"),
    [
        ({"layers": [(3,)] * 5}, "at most 4"),
        ({"layers": [(0,)]}, "kernel must be positive"),
        ({"layers": []}, "layers is empty"),
        ({"input_size": 13}, "too large"),
        ({"input_size": 5}, "too small for layer 2"),
    ],
)
def test_receptive_field_bad_parameters(attrs, match):
    cls = type("Bad", (registry.get("receptive-field").load(),), attrs)
    with pytest.raises(ValueError, match=match):
        cls.make_trace()


# ---------------------------------------------------------------- multichannel


def check_multichannel(scene):
    """Every output value on screen, and every sum line, equals the trace and conv2d."""
    t = scene.trace
    expected = conv2d(
        t.x, t.weight, t.bias if t.has_bias else None, t.stride, t.pads[::2], t.dilation
    )
    for o, grid in enumerate(scene.outputs):
        assert texts(grid.numbers) == [fmt(v) for v in expected[0, o].ravel()]
    for (o, k), lines in scene.shown_lines.items():
        shown = texts(lines)
        if k == 0:  # detailed: one line (wrapped when long) per input channel
            for n, c in enumerate(t.group_channels[o]):
                line = " ".join(texts(lines[1 + n]))
                assert line.startswith(f"channel {c}: ")
                assert line.endswith(f"= {fmt(t.channel_sums[0, o, k, n])}")
        sums = " + ".join(fmt_factor(v) for v in t.channel_sums[0, o, k])
        assert shown[-2].startswith(f"out[{o}][{t.out_index[k][0]}, {t.out_index[k][1]}] = {sums}")
        assert shown[-1] == fmt(t.values[0, o, k])
    assert len(scene.shown_lines) == t.weight.shape[0] * t.n_steps


def test_multichannel_default():
    scene, problems = dry_run(registry.get("multichannel").configured({}))
    assert problems == []
    check_multichannel(scene)
    assert [s.original_text for s in scene.shapes] == [
        "x: (C_in, H, W) = (3, 4, 4)",
        "weight: (C_out, C_in, K, K) = (2, 3, 2, 2)",
        "output: (C_out, H_out, W_out) = (2, 3, 3)",
    ]
    assert [col.bias.original_text for col in scene.filters] == ["bias 1", "bias −1"]
    first = texts(scene.shown_lines[0, 0])
    assert first[1] == "channel 0: 1·1 + 2·0 + 0·(−1) + 1·2 = 3"
    assert first[-2] == "out[0][0, 0] = 3 + 3 + 5 + bias 1 ="


def test_multichannel_variant():
    rng = np.random.default_rng(4)
    params = {
        "input": rng.integers(-2, 3, size=(2, 5, 5)).astype(float),
        "kernel": rng.integers(-1, 2, size=(3, 2, 3, 3)).astype(float),
        "bias": 0.5,
        "padding": 1,
        "stride": 3,
    }
    scene, problems = dry_run(registry.get("multichannel").configured(params))
    assert problems == []
    check_multichannel(scene)
    assert [col.bias.original_text for col in scene.filters] == ["bias 0.5"] * 3


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"input": np.ones((4, 4))}, r"needs a 3-D input \(C_in, H, W\), got 2-D"),
        ({"kernel": np.ones((3, 2, 2))}, r"needs a 4-D kernel \(C_out, C_in, K, K\), got 3-D"),
        ({"kernel": np.ones((2, 2, 2, 2))}, "weight expects 2 input channels .* input has 3"),
        ({"input": np.ones((5, 4, 4)), "kernel": np.ones((2, 5, 2, 2))}, "too many to draw"),
        ({"input": np.ones((3, 8, 8))}, "8×8 is too large"),
        ({"kernel": np.ones((2, 3, 4, 4))}, "kernel 4×4 is too large"),
        ({"bias": [1, 2, 3]}, r"bias must have shape \(2,\)"),
    ],
)
def test_multichannel_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        registry.get("multichannel").configured(params).make_trace()
