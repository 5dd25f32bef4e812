"""The image input: reading photographs in grey (scenes/kit/image.py), the ``--image``,
``--kernel`` and ``--kernels`` kinds (scenes/kit/params.py), and the cache following the
image file's content. No Manim."""

from __future__ import annotations

import struct
import tomllib
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from convanim.jobs import Job, job_hash
from convcore import KERNEL_NAMES
from scenes.kit.image import (
    DEFAULT_IMAGE,
    MAX_PIXELS,
    check_image,
    diverging_rgb,
    grey_rgb,
    load_grey,
)
from scenes.kit.params import IMAGE, IMAGE_KIND, ImageFile, image_file, name_or_matrix, names_list

ROOT = Path(__file__).resolve().parents[2]


def save(path: Path, array, **kwargs) -> Path:
    Image.fromarray(np.asarray(array, np.uint8)).save(path, **kwargs)
    return path


def png_header(path: Path, width: int, height: int) -> Path:
    """A PNG that claims ``width``×``height`` grey pixels and holds none (tiny on disk)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)
    return path


# -- reading ----------------------------------------------------------------------------------


def test_the_shipped_photograph_is_128_grey_pixels_a_side_and_never_enlarged():
    full = load_grey(DEFAULT_IMAGE, 500)
    assert full.shape == (128, 128) and full.dtype == np.float64
    np.testing.assert_array_equal(full, np.asarray(Image.open(DEFAULT_IMAGE)) / 255)
    small = load_grey(DEFAULT_IMAGE, 96)
    assert small.shape == (96, 96) and 0 <= small.min() < 0.05 and small.max() > 0.95


def test_colour_becomes_bt601_luma(tmp_path):
    rgb = [[[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 200, 30]]]
    grey = load_grey(save(tmp_path / "c.png", rgb), 8)
    luma = [0.299 * r + 0.587 * g + 0.114 * b for r, g, b in rgb[0]]
    np.testing.assert_allclose(grey[0] * 255, luma, atol=0.5)  # 8-bit: within half a level


def test_the_longer_side_shrinks_to_max_side_keeping_the_aspect(tmp_path):
    path = save(tmp_path / "wide.png", np.tile(np.arange(300) % 256, (200, 1)))
    assert load_grey(path, 60).shape == (40, 60)
    tall = save(tmp_path / "tall.jpg", np.full((300, 120, 3), 77), quality=95)
    grey = load_grey(tall, 50)
    assert grey.shape == (50, 20)
    np.testing.assert_allclose(grey, 77 / 255, atol=2 / 255)


def test_transparency_is_composited_over_white(tmp_path):
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[:2, :, 3] = 255  # top half opaque black, bottom half transparent black
    grey = load_grey(save(tmp_path / "a.png", rgba), 4)
    np.testing.assert_array_equal(grey, [[0] * 4] * 2 + [[1] * 4] * 2)


def test_sixteen_bit_grey_keeps_its_scale(tmp_path):
    path = tmp_path / "deep.png"
    Image.fromarray(np.array([[0, 32768, 65535]], np.uint16)).save(path)
    np.testing.assert_allclose(load_grey(path, 3), [[0, 32768 / 65535, 1]], rtol=1e-12)


def test_a_huge_compressible_png_is_downsampled_not_refused(tmp_path):
    path = tmp_path / "huge.png"
    Image.new("L", (6000, 4000), 200).save(path)  # 24 megapixels, ~30 KB on disk
    assert path.stat().st_size < 100_000
    grey = load_grey(path, 64)
    assert grey.shape == (43, 64)
    np.testing.assert_allclose(grey, 200 / 255, atol=1e-12)


def test_a_jpeg_over_the_pixel_limit_decodes_at_a_fraction_of_its_size(tmp_path):
    path = tmp_path / "huge.jpg"
    Image.new("L", (8000, 6400), 90).save(path, quality=80)
    assert 8000 * 6400 > MAX_PIXELS  # a PNG this size would be refused, see below
    grey = load_grey(path, 64)
    assert grey.shape == (51, 64)
    np.testing.assert_allclose(grey, 90 / 255, atol=2 / 255)


@pytest.fixture
def bad(tmp_path) -> dict[str, Path]:
    good = save(tmp_path / "good.png", np.arange(64 * 64 * 3).reshape(64, 64, 3) % 251)
    made = {"missing": tmp_path / "nowhere.png", "folder": tmp_path / "folder.png"}
    made["folder"].mkdir()
    (made.setdefault("empty", tmp_path / "empty.png")).write_bytes(b"")
    (made.setdefault("text", tmp_path / "notes.png")).write_text("not an image")
    data = good.read_bytes()
    (made.setdefault("truncated", tmp_path / "cut.png")).write_bytes(data[: len(data) // 2])
    made["bomb"] = png_header(tmp_path / "bomb.png", 100_000, 100_000)
    made["too-many"] = png_header(tmp_path / "big.png", 9000, 9000)
    return made


ERRORS = {
    "missing": r"^--image: no such file: .*nowhere.png$",
    "folder": r"^--image: .*folder.png is a folder, not an image file$",
    "empty": r"^--image: .*empty.png is empty$",
    "text": r"^--image: .*notes.png is not an image Pillow can read \(PNG, JPEG, ...\)$",
    "bomb": r"^--image: .*bomb.png has too many pixels to decode in memory \(at most 50,000,000\)$",
    "too-many": r"^--image: .*big.png is 9000×9000, too many pixels to decode in memory",
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_bad_files_are_one_sentence_from_both_the_check_and_the_reader(bad, case):
    with pytest.raises(ValueError, match=ERRORS[case]):
        check_image(bad[case], "--image")
    with pytest.raises(ValueError, match=ERRORS[case]):
        load_grey(bad[case], 64, "--image")


def test_a_truncated_file_passes_the_header_check_and_fails_to_decode(bad):
    check_image(bad["truncated"])
    with pytest.raises(ValueError, match=r"^image: cannot decode .*cut.png: image file is trunc"):
        load_grey(bad["truncated"], 64)


@pytest.mark.parametrize("max_side", [0, -3, 2.5, True])
def test_max_side_must_be_a_positive_int(max_side):
    with pytest.raises(ValueError, match="max_side must be a positive int"):
        load_grey(DEFAULT_IMAGE, max_side)


# -- colours ------------------------------------------------------------------------------------


def test_diverging_colours_hit_their_ends_and_blend_linearly():
    rgb = diverging_rgb(np.array([[-1.0, -0.5, 0.0, 0.5, 1.0]]), "#0000FF", "#FFFFFF", "#FF0000")
    assert rgb.dtype == np.uint8
    np.testing.assert_array_equal(
        rgb[0], [[0, 0, 255], [128, 128, 255], [255, 255, 255], [255, 128, 128], [255, 0, 0]]
    )


def test_grey_pictures_repeat_the_level_in_each_channel():
    np.testing.assert_array_equal(grey_rgb(np.array([[0.0, 255.0]])), [[[0] * 3, [255] * 3]])


# -- parameter kinds -----------------------------------------------------------------------------


def test_the_image_parameter_defaults_to_the_shipped_photograph():
    assert IMAGE.default == image_file(DEFAULT_IMAGE)
    assert IMAGE.default.path == str(DEFAULT_IMAGE) and len(IMAGE.default.sha256) == 64


def test_the_shipped_photograph_is_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["scenes.kit"]
    package = ROOT / "scenes" / "kit"
    assert DEFAULT_IMAGE in {p.resolve() for pattern in patterns for p in package.glob(pattern)}


def test_lecture_files_resolve_image_paths_against_their_folder(tmp_path):
    save(tmp_path / "photo.png", np.full((8, 8), 9))
    parsed = IMAGE_KIND.value("photo.png", "image", tmp_path)
    assert parsed == ImageFile(str(tmp_path / "photo.png"), parsed.sha256)
    with pytest.raises(ValueError, match=r"^image must be the path of an image file, got 3$"):
        IMAGE_KIND.value(3, "image", tmp_path)
    with pytest.raises(ValueError, match=r"^--image: give the path of a PNG or JPEG file$"):
        IMAGE_KIND.text("  ", "--image")


def test_name_or_matrix_keeps_names_and_parses_matrices():
    kind = name_or_matrix(KERNEL_NAMES)
    assert kind.text(" Sobel-X ", "--kernel") == "sobel-x"
    np.testing.assert_array_equal(kind.text("1 2; 3 4", "--kernel"), [[1, 2], [3, 4]])
    assert kind.value("blur", "kernel", None) == "blur"
    np.testing.assert_array_equal(kind.value([[1, 0], [0, 1]], "kernel", None), np.eye(2))
    with pytest.raises(ValueError, match=r"^--kernel: 'sobelx' is not one of sobel-x, sobel-y"):
        kind.text("sobelx", "--kernel")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("sobel-x,nope", r"'nope' is not one of sobel-x"),
        ("blur,blur", r"give 1 to 4 different names"),
        (",,", r"give 1 to 4 different names"),
        ("blur,edge,sharpen,laplacian,sobel-x", r"give 1 to 4 different names"),
        (["blur", 3], r"must be names separated by commas"),
    ],
)
def test_names_lists_refuse_unknown_repeated_or_too_many_names(raw, message):
    with pytest.raises(ValueError, match=message):
        names_list(KERNEL_NAMES, 4).value(raw, "--kernels")


def test_names_lists_read_commas_and_toml_lists_alike():
    kind = names_list(KERNEL_NAMES, 4)
    assert kind.text("sobel-x, Blur", "--kernels") == ("sobel-x", "blur")
    assert kind.value(["edge"], "kernels", None) == ("edge",)


# -- the cache -------------------------------------------------------------------------------------


def test_editing_the_image_makes_the_video_stale(tmp_path):
    path = save(tmp_path / "photo.png", np.full((32, 32), 100))

    def job() -> Job:  # parsed afresh, as each build does
        params = {"image": IMAGE_KIND.text(str(path), "--image")}
        return Job("feature-maps", "feature-maps", params, quality="low")

    before = job_hash(job())
    assert job_hash(job()) == before  # same content: up to date
    save(path, np.full((32, 32), 101))  # same name and size, one grey level brighter
    assert job_hash(job()) != before
