"""The feature-maps video builds from its trace, laid out cleanly, and shows the trace's
numbers; the trace is convcore's (``test_convcore/test_features.py`` checks it against
scipy.ndimage, PyTorch and brute force) applied to the image as ``load_grey`` reads it."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from scene_utils import shared_dry_run, tr_templates

import scenes.feature_maps
from convcore import conv2d, grey_levels, named_kernel, relu
from scenes.kit.fmt import fmt
from scenes.kit.i18n import ZH
from scenes.kit.image import DEFAULT_IMAGE, load_grey
from scenes.kit.params import image_file
from scenes.specs.feature_maps import SPEC


@pytest.fixture(scope="module")
def colour_jpeg(tmp_path_factory):
    """A 240×160 colour JPEG: a red-to-blue ramp with a bright square."""
    cols = np.linspace(0, 255, 240, dtype=np.uint8)
    rgb = np.zeros((160, 240, 3), np.uint8)
    rgb[..., 0], rgb[..., 2] = cols, cols[::-1]
    rgb[50:110, 90:150] = 250
    path = tmp_path_factory.mktemp("img") / "colour.jpg"
    Image.fromarray(rgb).save(path, quality=92)
    return path


def texts(mobjects) -> list[str]:
    return [m.original_text for m in mobjects]


def check_numbers(scene, image_path, size, kernel, names):
    t = scene.trace
    image = grey_levels(load_grey(image_path, size))
    np.testing.assert_array_equal(t.image, image)
    expected = conv2d(image[None, None], kernel[None, None])[0, 0]
    np.testing.assert_allclose(t.main.values, expected, rtol=1e-12)
    np.testing.assert_array_equal(t.main.relu, relu(expected))
    top, left = t.patch_origin
    np.testing.assert_allclose(t.patch.out[0, 0], expected[top : top + 3, left : left + 3])
    assert texts(scene.patch_grid.numbers) == [fmt(v) for v in t.patch.x[0, 0].ravel()]
    assert texts(scene.out_grid.numbers) == [fmt(v) for v in t.patch.out[0, 0].ravel()]
    assert texts(scene.kernel_grid.numbers) == [fmt(v, 4) for v in kernel.ravel()]
    low, high = fmt(expected.min()), fmt(expected.max())
    assert (
        low in scene.map_panel.stats.original_text and high in scene.map_panel.stats.original_text
    )
    limit = fmt(max(-expected.min(), expected.max()))
    assert texts(scene.map_panel.bar[2]) == [limit, "0", fmt(-float(limit.replace("−", "-")))]
    assert texts(scene.relu_panel.bar[2]) == [high, "0"]
    assert str(int((expected < 0).sum())) in scene.relu_panel.stats.original_text
    assert [m.name for m in t.compare] == list(names)
    for m in t.compare:
        np.testing.assert_allclose(
            m.values, conv2d(image[None, None], named_kernel(m.name)[None, None])[0, 0]
        )


def test_default_lays_out_cleanly_and_shows_the_trace():
    scene, problems = shared_dry_run(SPEC, {})
    assert problems == []
    check_numbers(
        scene, DEFAULT_IMAGE, 96, named_kernel("sobel-x"), ("sobel-x", "sobel-y", "laplacian")
    )
    assert texts(scene.compare_labels)[1:] == ["sobel-x", "sobel-y", "laplacian"]
    assert scene.photo.title.original_text == "image 96×96"
    assert [name for _, name in scene.beats] == [
        "show_title",
        "show_image",
        "zoom_patch",
        "work_patch",
        "show_map",
        "show_relu",
        "compare_kernels",
        "conclude",
    ]


def test_a_colour_jpeg_in_chinese_and_light_with_four_kernels(colour_jpeg):
    params = {
        "image": image_file(colour_jpeg),
        "size": 72,
        "kernel": "laplacian",
        "kernels": ("blur", "sharpen", "edge", "sobel-y"),
        "patch": (10, 20),
    }
    scene, problems = shared_dry_run(SPEC, params, theme="light", lang="zh")
    assert problems == []
    assert scene.trace.image.shape == (48, 72)
    assert scene.trace.patch_origin == (10, 20)
    check_numbers(scene, colour_jpeg, 72, named_kernel("laplacian"), params["kernels"])
    assert scene.photo.title.original_text == "图像 48×72"


@pytest.mark.slow
def test_a_custom_five_by_five_kernel_lays_out_cleanly():
    kernel = np.arange(25.0).reshape(5, 5) - 12
    scene, problems = shared_dry_run(SPEC, {"kernel": kernel, "size": 40})
    assert problems == []
    check_numbers(scene, DEFAULT_IMAGE, 40, kernel, ("sobel-x", "sobel-y", "laplacian"))
    assert scene.kernel_grid.title.original_text == "kernel custom 5×5"


def test_every_template_has_a_chinese_translation():
    assert tr_templates(scenes.feature_maps) - set(ZH) == set()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"size": 16, "kernel": np.ones((5, 5)), "patch": (13, 0)}, r"patch \(13, 0\) must lie"),
        ({"kernel": np.ones((6, 6))}, r"at most 5×5"),
        ({"kernel": np.ones((2, 3, 3))}, r"2-D kernel"),
    ],
)
def test_impossible_settings_are_refused_in_one_sentence(params, message):
    with pytest.raises(ValueError, match=message):
        SPEC.make_trace(SPEC.resolve(params))


def test_a_tiny_image_is_refused_with_its_size(tmp_path):
    path = tmp_path / "thin.png"
    Image.new("L", (200, 6), 100).save(path)
    with pytest.raises(ValueError, match=r"the image is 3×96 pixels at --size 96: too small"):
        SPEC.make_trace(SPEC.resolve({"image": image_file(path)}))
