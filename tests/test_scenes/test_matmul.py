"""The conv-as-matmul scene (``matmul``): layout, the numbers it shows, zh.

Each run is dry-run once per session (``shared_dry_run``) and read back by every test that
needs it: every number on screen must be the trace's value, the trace must agree with
convcore.conv2d, and the Chinese run must translate every template it uses.
"""

from __future__ import annotations

import numpy as np
import pytest
from scene_utils import CJK, shared_dry_run

import scenes.kit.scene
from convcore import ARTICLE_INPUT, ARTICLE_KERNEL, ARTICLE_OUTPUT, conv2d
from scenes.kit.fmt import fmt
from scenes.kit.i18n import ZH, tr
from scenes.specs.matmul import SPEC

#: (parsed params, theme, language) of each dry run.
RUNS = {
    "article": ({}, "dark", "en"),
    "stride2-pad1-light": ({"stride": 2, "padding": 1}, "light", "en"),
    "article-zh": ({}, "dark", "zh"),
}
_UNTRANSLATED: dict[str, list[str]] = {}


def _texts(mobs) -> list[str]:
    return [m.original_text for m in mobs]


def _run(name: str):
    """``(params, scene, layout problems)`` of a run; the Chinese run records the templates
    it used without a translation (in ``_UNTRANSLATED``)."""
    params, theme, lang = RUNS[name]
    untranslated: set[str] = set()

    def recording_tr(template, lang, **values):
        if lang == "zh" and template not in ZH:
            untranslated.add(template)
        return tr(template, lang, **values)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scenes.kit.scene, "tr", recording_tr)
        scene, problems = shared_dry_run(SPEC, params, theme, lang)
    _UNTRANSLATED.setdefault(name, sorted(untranslated))
    return params, scene, problems


@pytest.fixture(params=list(RUNS))
def run(request):
    return (request.param, *_run(request.param))


# ---------------------------------------------------------------- every run


def test_lays_out_cleanly(run):
    _, _, scene, problems = run
    assert problems == []
    assert scene.renderer.num_plays > 20


def test_matrix_on_screen_is_the_trace(run):
    _, _, scene, _ = run
    t = scene.trace
    assert len(scene.entries) == t.n_nonzero
    for (r, q), mob in scene.entries.items():
        assert mob.original_text == fmt(t.matrix[r, q])
        np.testing.assert_allclose(mob.get_center(), scene.cell_square(r, q).get_center())
    assert len(scene.zero_dots.get_subpaths()) == t.n_zero  # one dot per structural zero
    numbers = (t.n_total, t.n_nonzero, t.n_zero)
    assert _texts(scene.x_row.numbers) == [fmt(v) for v in t.x_flat]
    assert _texts(scene.out_col.numbers) == [fmt(v) for v in t.out_flat]
    assert _texts(scene.g_col.numbers) == [fmt(v) for v in t.grad_out_flat]
    assert _texts(scene.grad_row.numbers) == [fmt(v) for v in t.grad_x_flat]
    assert _texts(scene.grad_grid.numbers) == [fmt(v) for v in t.grad_x.ravel()]
    if scene.lang == "en":
        count = scene.count.original_text
        assert "= {} cells: {} hold kernel entries, {} are".format(*numbers) in count


def test_trace_equals_conv2d(run):
    _, params, scene, _ = run
    t = scene.trace
    expected = conv2d(t.x, t.weight, None, t.stride, params.get("padding", 0), t.dilation)
    np.testing.assert_allclose(t.out, expected, atol=1e-12)


def test_busiest_column_is_sent_back(run):
    _, _, scene, _ = run
    t, q = scene.trace, scene.trace.busiest_column
    assert t.column_counts[q] == t.column_counts.max()
    text = scene.sum_text(scene.column_terms_text(q))  # column q of M · g = (Mᵀ·g)[q]
    assert text.endswith(f"= {fmt(t.grad_x_flat[q])}")
    assert any(cue.endswith(text) for _, cue in scene.cues)


# ---------------------------------------------------------------- the article's numbers


def test_article_numbers():
    _, scene, _ = _run("article")
    t = scene.trace
    assert scene.count.original_text.startswith("9×25 = 225 cells: 81 hold kernel entries, 144")
    assert [float(s) for s in _texts(scene.out_col.numbers)] == list(ARTICLE_OUTPUT.ravel())
    eq = scene.get_equation(scene.row_terms_text(0), "out[0, 0] = row 0 · x")
    text = " ".join(_texts(eq[0]))
    assert "1·1 + 2·2 + 3·3 + 6·4 + 7·5 + 8·6" in text and "11·7 + 12·8 + 13·9" in text
    assert eq[1].original_text == "= 411"
    # the busiest column (input cell 12, the centre) takes all nine kernel entries back
    assert t.busiest_column == 12
    eq = scene.get_equation(scene.column_terms_text(12), "(Mᵀ·g)[12] = column 12 · g")
    assert "9·1 + 8·1 + 7·1" in " ".join(_texts(eq[0]))
    assert eq[1].original_text == f"= {fmt(t.grad_x_flat[12])}" == "= 45"
    np.testing.assert_array_equal(t.x[0], ARTICLE_INPUT)
    np.testing.assert_array_equal(t.weight[0, 0], ARTICLE_KERNEL)


# ---------------------------------------------------------------- Chinese


def test_zh_every_template_translated():
    _, _, problems = _run("article-zh")
    assert problems == []
    assert _UNTRANSLATED["article-zh"] == [], "templates missing from ZH"


def test_zh_labels_are_chinese():
    _, scene, _ = _run("article-zh")
    labels = {
        "title": scene.title[0].original_text,
        "count": scene.count.original_text,
        "gradient": scene.grad_grid.title.original_text,
        "input": scene.x_label.original_text,
    }
    for what, text in labels.items():
        assert CJK.search(text), f"{what}: {text!r}"


def test_zh_cues_are_chinese_and_state_the_trace_numbers():
    _, scene, _ = _run("article-zh")
    t, cues = scene.trace, [text for _, text in scene.cues]
    assert len(cues) >= 8
    assert all(CJK.search(text) for text in cues), [c for c in cues if not CJK.search(c)]
    captions = "\n".join(cues)
    numbers = [f"{t.n_total} ", f"{t.n_nonzero} ", f"{t.n_zero} ", f"= {fmt(t.out_flat[0])}"]
    numbers.append(f"= {fmt(t.grad_x_flat[t.busiest_column])}")
    for number in numbers:
        assert number in captions, f"{number!r} in no caption"
    for text in ["9×25 = 225 个格子：81 个卷积核元素，144 个零", "M 的第 0 行乘以 x", "= 411"]:
        assert text in captions, f"{text!r}"


# ---------------------------------------------------------------- declaration


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"input": np.ones((2, 5, 5))}, "draws one channel"),
        ({"padding": 1}, r"unrolled matrix 25×25 is too large .*at most 10 rows"),
        ({"input": np.ones((6, 6)), "kernel": np.ones((1, 1))}, r"36×36 is too large"),
        ({"dilation": 3}, "larger than the padded input"),
    ],
)
def test_refuses_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        SPEC.make_trace(SPEC.resolve(params))


def test_declaration():
    assert SPEC.load().__name__ == "ConvAsMatmul" and SPEC.load().spec is SPEC
    assert [p.name for p in SPEC.params] == ["input", "kernel", "stride", "padding", "dilation"]
    np.testing.assert_array_equal(SPEC.resolve().input, ARTICLE_INPUT)
    np.testing.assert_array_equal(SPEC.resolve().kernel, ARTICLE_KERNEL)
    with pytest.raises(ValueError, match="does not take 'bias'"):
        SPEC.param("bias")
