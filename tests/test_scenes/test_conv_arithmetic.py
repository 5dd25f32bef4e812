"""conv_arithmetic's 19 animations: their declarations, traces and what the one scene draws.

Sizes are checked against :data:`convcore.examples.CONV_ARITHMETIC` (itself checked against
conv_arithmetic's own numbers in tests/test_convcore/test_examples.py); outputs against
convcore's functions (tested against PyTorch).
"""

from __future__ import annotations

import numpy as np
import pytest
from manim import Text
from scene_utils import dry_run, tr_templates

import scenes.conv_arithmetic as scene_module
from convcore import avg_pool2d, conv2d, conv_transpose2d, max_pool2d
from convcore.examples import CONV_ARITHMETIC, conv_arithmetic_data, conv_arithmetic_example
from scenes.kit.fmt import fmt
from scenes.kit.i18n import ZH
from scenes.kit.text import TextCache
from scenes.specs import conv_arithmetic as specs

NAMES = [e.name for e in CONV_ARITHMETIC]
BY_NAME = {spec.name: spec for spec in specs.SPECS}
#: Dry runs in the default suite: a direct, a transposed (light, Chinese), two poolings.
DEFAULT_RUNS = {
    "numerical_no_padding_no_strides": ("dark", "en"),
    "padding_strides_odd_transposed": ("light", "zh"),
    "numerical_max_pooling": ("dark", "en"),
    "numerical_average_pooling": ("dark", "en"),
}
#: Changed parameters worth a dry run of their own (``-m slow``).
VARIANTS = {
    "padding_strides": {"stride": 3},
    "padding_strides_transposed": {"dilation": 2},
    "numerical_max_pooling": {"padding": 1, "stride": 2, "ceil_mode": True},
    "numerical_average_pooling": {"padding": 1, "count_include_pad": False},
}
_RUNS: dict = {}


def run(name: str, params: dict | None = None, theme: str = "dark", lang: str = "en"):
    """A dry run of one animation, once per session. The trace is passed in, as the build
    does: one scene class draws all 19, so its class-level ``spec`` is only a default."""
    key = (name, repr(sorted((params or {}).items())), theme, lang)
    if key not in _RUNS:
        spec = BY_NAME[name]
        values = spec.resolve(params)
        trace = spec.make_trace(values)
        _RUNS[key] = dry_run(spec.load(), values=values, trace=trace, theme=theme, lang=lang)
    return _RUNS[key]


def expected_output(name: str, v) -> np.ndarray:
    """The animation's output from convcore's functions (tested against PyTorch)."""
    kind, x = conv_arithmetic_example(name).kind, np.asarray(v.input)[None, None]
    if kind == "conv":
        return conv2d(x, v.kernel[None, None], None, v.stride, v.padding, v.dilation)
    if kind == "transposed":
        k = v.kernel[None, None]
        return conv_transpose2d(x, k, None, v.stride, v.padding, v.output_padding, 1, v.dilation)
    if kind == "max":
        return max_pool2d(x, v.kernel_size, v.stride, v.padding, v.dilation, v.ceil_mode)
    return avg_pool2d(x, v.kernel_size, v.stride, v.padding, v.ceil_mode, v.count_include_pad)


# -- declarations and traces (no Manim) --------------------------------------------------


def test_one_declaration_per_animation_named_and_ordered_as_conv_arithmetic():
    assert [s.name for s in specs.SPECS] == NAMES
    for spec in specs.SPECS:
        assert getattr(specs, spec.name.upper()) is spec  # e.g. specs.PADDING_STRIDES_ODD
        assert (spec.module, spec.class_name, spec.group) == (
            "scenes.conv_arithmetic",
            "ConvArithmetic",
            "conv-arithmetic",
        )
        assert spec.description.endswith(".") and len(spec.description) < 110
    assert specs.SPEC is specs.NO_PADDING_NO_STRIDES


@pytest.mark.parametrize("name", NAMES)
def test_defaults_give_conv_arithmetics_sizes_and_convcores_output(name):
    e, spec = conv_arithmetic_example(name), BY_NAME[name]
    v = spec.resolve()
    x, kernel = conv_arithmetic_data(e.input_size, e.kernel_size)
    np.testing.assert_array_equal(v.input, x)
    t = spec.make_trace(v)
    assert (t.name, t.kind) == (name, e.kind)
    trace = t.trace
    assert trace.x.shape[2:] == (e.input_size, e.input_size)
    assert trace.out.shape[2:] == (e.output_size, e.output_size)
    assert (trace.stride, trace.dilation) == ((e.stride,) * 2, (e.dilation,) * 2)
    if e.kind == "conv":
        assert trace.pads == (e.padding,) * 4
    else:
        assert trace.padding == (e.padding,) * 2
    assert trace.kernel_size == (e.kernel_size, e.kernel_size)
    if e.kind != "max" and e.kind != "avg":
        np.testing.assert_array_equal(v.kernel, kernel)
    np.testing.assert_allclose(trace.out, expected_output(name, v), rtol=1e-12, atol=1e-12)
    # the sweep's values are the output, window by window
    np.testing.assert_allclose(t.swept.values[0, 0], trace.out[0, 0].ravel(), rtol=1e-12)
    assert [p.name for p in spec.params][:1] == ["input"]


def test_numerical_no_padding_is_conv_arithmetics_printed_example():
    t = specs.NUMERICAL_NO_PADDING_NO_STRIDES.make_trace(
        specs.NUMERICAL_NO_PADDING_NO_STRIDES.resolve()
    )
    np.testing.assert_array_equal(t.trace.out[0, 0], [[12, 12, 17], [10, 17, 19], [9, 6, 14]])


@pytest.mark.parametrize("name", [n for n in NAMES if n.endswith("_transposed")])
def test_transposed_ones_sweep_the_stretched_padded_input_with_the_rotated_kernel(name):
    e, spec = conv_arithmetic_example(name), BY_NAME[name]
    t = spec.make_trace(spec.resolve())
    trace = t.trace
    assert t.swept is trace.direct and trace.output_padding == (e.output_padding,) * 2
    np.testing.assert_array_equal(trace.direct.weight[0, 0], trace.weight[0, 0, ::-1, ::-1])
    np.testing.assert_array_equal(trace.direct.out, trace.out)
    source = trace.direct_source
    inputs = source >= 0
    np.testing.assert_array_equal(
        trace.x_direct[0, 0][inputs], trace.x[0, 0].ravel()[source[inputs]]
    )
    assert (trace.x_direct[0, 0][~inputs] == 0).all()
    assert trace.direct_gap_mask.any() == (e.stride > 1)  # zeros inserted only when strided
    assert trace.x_direct.shape[2:] == (e.output_size + e.kernel_size - 1,) * 2


def test_padding_strides_odd_transposed_needs_its_output_padding():
    spec = specs.PADDING_STRIDES_ODD_TRANSPOSED
    assert spec.resolve().output_padding == 1
    assert spec.make_trace(spec.resolve({"output_padding": 0})).trace.out.shape[2:] == (5, 5)


@pytest.mark.parametrize("name, params", list(VARIANTS.items()))
def test_parameters_can_be_changed(name, params):
    spec = BY_NAME[name]
    v = spec.resolve(params)
    t = spec.make_trace(v)
    np.testing.assert_allclose(t.trace.out, expected_output(name, v), rtol=1e-12, atol=1e-12)


def test_padding_strides_with_stride_3():
    t = specs.PADDING_STRIDES.make_trace(specs.PADDING_STRIDES.resolve({"stride": 3}))
    assert t.trace.out.shape[2:] == (2, 2)  # ⌊(5 + 2 − 3) / 3⌋ + 1


@pytest.mark.parametrize(
    "name, params, message",
    [
        ("dilation", {"input": np.zeros((2, 3, 3))}, "draws one channel"),
        ("padding_strides_transposed", {"kernel": np.zeros((1, 2, 2))}, "draws one channel"),
        ("padding_strides_odd_transposed", {"output_padding": 2}, "output_padding must be smaller"),
        ("numerical_max_pooling", {"padding": 2}, "pad should be at most half"),
        ("numerical_average_pooling", {"input": np.zeros((2, 5, 5))}, "draws one channel"),
        ("padding_strides", {"padding": 4}, "too large to draw legibly"),
        ("full_padding_no_strides_transposed", {"stride": 3}, "too large to draw legibly"),
        ("no_padding_no_strides", {"kernel": np.ones((5, 5))}, "larger than the padded input"),
    ],
)
def test_impossible_or_illegible_settings_are_refused_in_one_sentence(name, params, message):
    spec = BY_NAME[name]
    with pytest.raises(ValueError, match=message):
        spec.make_trace(spec.resolve(params))


def test_every_text_the_scene_shows_has_a_chinese_translation():
    tables = (scene_module.TITLES, scene_module.INTRO, scene_module.SUMMARY, scene_module.LEGEND)
    texts = {s for table in tables for s in table.values()} | tr_templates(scene_module)
    assert {t for t in texts if t not in ZH} == set()


def test_text_cache_lines_match_pango_texts():
    cache = TextCache()
    string = "out[0, 4] = 0·2 + 3·12 + (−0.5)·2 = 4"
    line = cache.line(string, 26, "#EEEEEE")
    built = Text(string, font="DejaVu Sans", font_size=26, color="#EEEEEE")
    assert isinstance(line, Text) and line.original_text == string
    assert len(line.submobjects) == 1 and line.font_size == pytest.approx(26)
    assert line.width == pytest.approx(built.width, abs=1e-3)
    assert line.height == pytest.approx(built.height, abs=1e-3)
    assert cache.line("   ", 26, "#EEEEEE").original_text == "   "  # no glyph: a plain Text


# -- dry runs --------------------------------------------------------------------------


def shown(numbers) -> list[str]:
    return [n.original_text for n in numbers]


def check_run(name: str, params: dict | None = None, theme: str = "dark", lang: str = "en"):
    scene, problems = run(name, params, theme, lang)
    assert problems == []
    t, sw, kind = scene.trace.trace, scene.trace.swept, scene.trace.kind
    # every cell shows the trace's value: input (padded, stretched), kernel, output
    assert shown(scene.input_grid.numbers) == [fmt(v) for v in sw.x_padded[0, 0].ravel()]
    if kind in ("conv", "transposed"):
        assert shown(scene.kernel_grid.numbers) == [fmt(v) for v in sw.weight[0, 0].ravel()]
    assert shown(scene.output_grid.numbers) == [fmt(v) for v in t.out[0, 0].ravel()]
    assert all(n in scene.mobjects for n in scene.output_grid.numbers)  # all landed
    # one caption per window, with its sum and the trace's value
    steps = [text for _, text in scene.cues if text.startswith(("Position", "位置"))]
    assert len(steps) == sw.n_steps
    for text, value in zip(steps, sw.values[0, 0], strict=True):
        assert text.endswith(f" = {fmt(value)}")
    assert 10 < scene.time < 60
    return scene


@pytest.mark.parametrize(
    "name",
    [n if n in DEFAULT_RUNS else pytest.param(n, marks=pytest.mark.slow) for n in NAMES],
)
def test_each_animation_lays_out_cleanly_with_the_traces_numbers(name):
    theme, lang = DEFAULT_RUNS.get(name, ("dark", "en"))
    check_run(name, theme=theme, lang=lang)


@pytest.mark.slow
@pytest.mark.parametrize("name, params", list(VARIANTS.items()))
def test_changed_parameters_lay_out_cleanly(name, params):
    check_run(name, params)


def test_direct_labels_formula_and_data():
    scene, _ = run("numerical_no_padding_no_strides")
    assert scene.title_text == "No padding, no strides, with numbers"
    assert scene.input_grid.title.original_text == "input 5×5"
    assert scene.kernel_grid.title.original_text == "kernel 3×3"
    assert scene.output_grid.title.original_text == "output 3×3"
    out = [float(n.original_text) for n in scene.output_grid.numbers]
    np.testing.assert_array_equal(np.reshape(out, (3, 3)), [[12, 12, 17], [10, 17, 19], [9, 6, 14]])
    first = next(text for _, text in scene.cues if text.startswith("Position (0, 0)"))
    assert first == "Position (0, 0): 3·0 + 3·1 + 2·2 + 0·2 + 0·2 + 1·0 + 3·0 + 1·1 + 2·2 = 12"
    assert any(
        "H_out = ⌊(5 + 2·0 − 1·(3 − 1) − 1) / 1⌋ + 1 = ⌊2 / 1⌋ + 1 = 3" in text
        for _, text in scene.cues
    )
    assert len(scene.legend) == 0  # no padding: nothing to tell apart


def test_transposed_in_chinese_labels_the_rotated_kernel_zeros_and_both_formulas():
    scene, _ = run("padding_strides_odd_transposed", theme="light", lang="zh")
    assert scene.title_text == "Padding, strides (odd), transposed"
    assert scene.input_grid.title.original_text == "输入 3×3，插零并填充后 8×8"
    assert scene.kernel_grid.title.original_text == "卷积核 3×3，旋转 180°"
    assert scene.output_grid.title.original_text == "输出 6×6"
    legend = [m.original_text for m in scene.legend.get_family() if isinstance(m, Text)]
    assert legend == ["输入", "插入的零（输入之间 stride − 1 个）", "填充（零）"]
    caption = [line.original_text for line in scene.caption]
    assert caption == [
        "H_out = (3 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 6",
        "普通卷积：H_out = ⌊(8 + 2·0 − 1·(3 − 1) − 1) / 1⌋ + 1 = ⌊5 / 1⌋ + 1 = 6",
    ]
    assert scene.cues[0][1].startswith(
        "有填充，有步幅（奇数尺寸），转置（ConvTranspose2d · 步幅 2，"
    )


def test_max_pooling_marks_the_maximum_and_average_pooling_its_divisor():
    scene, _ = run("numerical_max_pooling")
    assert scene.output_grid.title.original_text == "output 3×3"
    assert scene.symbols[0][0].original_text == "max over 3×3"
    first = next(text for _, text in scene.cues if text.startswith("Position (0, 0)"))
    assert first == "Position (0, 0): max(3, 3, 2, 0, 0, 1, 3, 1, 2) = 3"
    legend = [m.original_text for m in scene.legend.get_family() if isinstance(m, Text)]
    assert legend == ["the window's maximum (the first, if tied)"]
    scene, _ = run("numerical_average_pooling")
    first = next(text for _, text in scene.cues if text.startswith("Position (0, 0)"))
    assert first == "Position (0, 0): (3 + 3 + 2 + 0 + 0 + 1 + 3 + 1 + 2) / 9 = 1.667"
    assert scene.title_text == "Average pooling"


def test_without_arguments_the_scene_draws_no_padding_no_strides():
    """``manim render scenes/conv_arithmetic.py ConvArithmetic``: the class's default."""
    scene = scene_module.ConvArithmetic()
    assert scene.trace.name == "no_padding_no_strides"
    np.testing.assert_array_equal(scene.values.input, conv_arithmetic_data(4, 3)[0])
