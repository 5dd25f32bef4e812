"""The im2col scenes (``im2col``, ``im2col-channels``): layout, the numbers they show, zh.

Each run is dry-run once per session (``shared_dry_run``) and read back by every test that
needs it: every number on screen must be the trace's value, the trace must agree with
convcore.conv2d, the code panel must mark lines that exist in convcore's code, and the
Chinese runs must translate every template they use.
"""

from __future__ import annotations

import numpy as np
import pytest
from scene_utils import CJK, shared_dry_run

import scenes.kit.scene
from convcore import ARTICLE_INPUT, ARTICLE_KERNEL, ARTICLE_OUTPUT, conv2d
from scenes.kit.fmt import fmt
from scenes.kit.i18n import ZH, tr
from scenes.specs.im2col import CHANNEL_INPUT, CHANNEL_KERNEL, CHANNELS_SPEC, SPEC, Im2colTraces
from scenes.specs.sliding import CONV_PARAMS

BIAS_PARAMS = {"stride": 2, "padding": 1, "bias": -100.0}
#: (spec, parsed params, theme, language) of each dry run; the slow ones add little.
RUNS = {
    "article": (SPEC, {}, "dark", "en"),
    "stride2-pad1-bias-light": (SPEC, BIAS_PARAMS, "light", "en"),
    "channels-zh": (CHANNELS_SPEC, {}, "dark", "zh"),
    "channels": (CHANNELS_SPEC, {}, "dark", "en"),
    "article-zh": (SPEC, {}, "dark", "zh"),
}
SLOW = {"channels", "article-zh"}
_UNTRANSLATED: dict[str, list[str]] = {}


def _param(name: str):
    return pytest.param(name, id=name, marks=[pytest.mark.slow] if name in SLOW else [])


def _texts(mobs) -> list[str]:
    return [m.original_text for m in mobs]


def _run(name: str):
    """``(params, scene, layout problems)`` of a run; Chinese runs record the templates
    they used without a translation (in ``_UNTRANSLATED``)."""
    spec, params, theme, lang = RUNS[name]
    untranslated: set[str] = set()

    def recording_tr(template, lang, **values):
        if lang == "zh" and template not in ZH:
            untranslated.add(template)
        return tr(template, lang, **values)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scenes.kit.scene, "tr", recording_tr)
        scene, problems = shared_dry_run(spec, params, theme, lang)
    _UNTRANSLATED.setdefault(name, sorted(untranslated))
    return params, scene, problems


@pytest.fixture(params=[_param(n) for n in RUNS])
def run(request):
    return (request.param, *_run(request.param))


@pytest.fixture(params=[_param(n) for n in RUNS if RUNS[n][3] == "zh"])
def zh_run(request):
    return (request.param, *_run(request.param))


# ---------------------------------------------------------------- every run


def test_lays_out_cleanly(run):
    _, _, scene, problems = run
    assert problems == []
    assert scene.renderer.num_plays > 20


def test_numbers_on_screen_are_the_trace(run):
    _, _, scene, _ = run
    t = scene.trace.im2col
    assert _texts(scene.patch_grid.numbers) == [fmt(v) for v in t.patches.ravel()]
    assert _texts(scene.kernel_row.numbers) == [fmt(v) for v in t.kernel_rows[0]]
    assert _texts(scene.result_row.numbers) == [fmt(v) for v in t.values[0]]
    assert _texts(scene.out_grid.numbers) == [fmt(v) for v in t.out[0].ravel()]
    # the sliding-window grid beside it shows convcore's ConvTrace values
    assert _texts(scene.conv_grid.numbers) == [fmt(v) for v in scene.trace.conv.values[0, 0]]
    for c, grid in enumerate(scene.input_grids):
        assert _texts(grid.numbers) == [fmt(v) for v in t.x_padded[c].ravel()]


def test_trace_equals_conv2d(run):
    _, params, scene, _ = run
    t = scene.trace.im2col
    assert isinstance(scene.trace, Im2colTraces)
    bias = [params["bias"]] if "bias" in params else None
    expected = conv2d(t.x, t.weight, bias, t.stride, params.get("padding", 0), t.dilation)
    np.testing.assert_allclose(t.out, expected, atol=1e-12)
    np.testing.assert_allclose(scene.trace.conv.out[0], expected, atol=1e-12)


def test_code_panel_marks_real_lines(run):
    _, params, scene, _ = run
    panel, tour, stages = scene.code_panel, scene.code_tour, scene.get_code_stages()
    marked = [panel.line_index(snippet) for snippet, _ in stages]
    assert len(marked) == len(tour.captions) == (4 if "bias" in params else 3)
    for index, (snippet, _) in zip(marked, stages, strict=True):
        assert snippet in panel.lines[index]
    assert "np.matmul(" in panel.lines[marked[2]] and "_unfold_padded(" in panel.lines[marked[0]]
    assert _texts(tour.captions) == [text for _, text in stages]
    last = panel.line_marker(marked[-1])  # the marker ends on the last stage's line
    np.testing.assert_allclose(tour.marker.get_center(), last.get_center(), atol=1e-6)
    with pytest.raises(ValueError, match="0 lines of the code contain"):
        panel.line_index("no such line in convcore")


# ---------------------------------------------------------------- one run each


def test_article_equation_and_output():
    _, scene, _ = _run("article")
    shown = np.array([float(n.original_text) for n in scene.out_grid.numbers]).reshape(3, 3)
    np.testing.assert_array_equal(shown, ARTICLE_OUTPUT)
    eq, result = scene.get_equation(0)
    text = " ".join(_texts(eq))
    assert "1·1 + 2·2 + 3·3 + 6·4 + 7·5" in text and "8·6 + 11·7 + 12·8 + 13·9" in text
    assert "= 1 + 4 + 9 + 24 + 35 + 48 + 77" in text and "96 + 117" in text
    assert result.original_text == "= 411"
    assert scene.get_step_caption(4).original_text == "window for out[1, 1] → column 4"


@pytest.mark.parametrize("name", [_param("channels-zh"), _param("channels")])
def test_channels_blocks_are_labelled(name):
    _, scene, _ = _run(name)
    t, lang = scene.trace.im2col, RUNS[name][3]
    np.testing.assert_array_equal(t.x, CHANNEL_INPUT)
    np.testing.assert_array_equal(t.weight[0], CHANNEL_KERNEL)
    tags = [m.original_text for m in scene.patch_extras if hasattr(m, "original_text")]
    assert tags == [tr("ch {c}", lang, c=c) for c in range(2)]
    assert t.patches.shape == (8, 9) and len(scene.input_grids) == 2
    assert len(scene.kernel_row.separators) == 1  # between the two channels' entries


# ---------------------------------------------------------------- Chinese


def test_zh_every_template_translated(zh_run):
    name, _, _, problems = zh_run
    assert problems == []
    assert _UNTRANSLATED[name] == [], f"{name}: templates missing from ZH"


def test_zh_labels_are_chinese(zh_run):
    name, _, scene, _ = zh_run
    labels = {
        "title": scene.title[0].original_text,
        "patch matrix": scene.patch_grid.title.original_text,
        "kernel row": scene.kernel_row.title.original_text,
        "code caption": scene.code_tour.captions[0].original_text,
    }
    for what, text in labels.items():
        assert CJK.search(text), f"{name} {what}: {text!r}"


def test_zh_cues_are_chinese_and_state_the_trace_numbers(zh_run):
    name, _, scene, _ = zh_run
    t, cues = scene.trace.im2col, [text for _, text in scene.cues]
    assert len(cues) >= 8
    assert all(CJK.search(text) for text in cues), [c for c in cues if not CJK.search(c)]
    captions = "\n".join(cues)
    for number in [f"= {fmt(t.values[0, 0])}", ", ".join(fmt(v) for v in t.values[0])]:
        assert number in captions, f"{name}: {number!r} in no caption"
    expected = {
        "article-zh": ["第 0 列：out[0, 0] 的窗口，1, 2, 3, 6, 7, 8, 11, 12, 13", "13·9 = 411"],
        "channels-zh": ["1·(−1) = 44"],
    }[name]
    for text in expected:
        assert text in captions, f"{name}: {text!r}"


# ---------------------------------------------------------------- declarations


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"input": np.ones((4, 4, 4)), "kernel": np.ones((4, 2, 2))}, "4 input channels are"),
        ({"input": np.ones((3, 3, 3, 3))}, r"needs an \(H, W\) or \(C, H, W\) input"),
        ({"kernel": np.ones((2, 1, 3, 3))}, "draws one output channel"),
        ({"kernel": np.ones((4, 4))}, r"patch matrix 16×4 is too large .*at most 12 rows"),
        ({"padding": 2}, r"patch matrix 9×49 is too large .*25 columns"),
        ({"stride": 0}, "stride must be positive"),
    ],
)
def test_refuses_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        SPEC.make_trace(SPEC.resolve(params))


def test_declarations():
    assert SPEC.load().__name__ == "Im2col"
    assert CHANNELS_SPEC.load().__name__ == "Im2colMultiChannel"
    assert SPEC.load().spec is SPEC and CHANNELS_SPEC.load().spec is CHANNELS_SPEC
    names = [p.name for p in CONV_PARAMS]
    assert [p.name for p in SPEC.params] == [p.name for p in CHANNELS_SPEC.params] == names
    np.testing.assert_array_equal(SPEC.resolve().input, ARTICLE_INPUT)
    np.testing.assert_array_equal(SPEC.resolve().kernel, ARTICLE_KERNEL)
    np.testing.assert_array_equal(CHANNELS_SPEC.resolve().input, CHANNEL_INPUT)
    np.testing.assert_array_equal(CHANNELS_SPEC.resolve().kernel, CHANNEL_KERNEL)
