"""What a user can get wrong: one clear line, exit status 2, no traceback, nothing written.

Each case runs through the CLI against an output folder that already holds files; the
folder must be byte-for-byte unchanged afterwards. User text is parsed, never evaluated.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from convanim.cli import main
from scenes.kit.params import parse_matrix

PWNED = Path("/tmp/convanim-pwned")


def files(tmp: Path) -> dict[str, Path]:
    """Input files of every awkward kind, made fresh for each test."""
    made = {}
    tmp.mkdir()
    np.save(made.setdefault("strings", tmp / "strings.npy"), np.array([["a", "b"], ["c", "d"]]))
    np.save(made.setdefault("cube", tmp / "cube.npy"), np.ones((2, 3, 3)))
    np.save(made.setdefault("big", tmp / "big.npy"), np.ones((20, 20)))
    np.save(made.setdefault("nan", tmp / "nan.npy"), np.array([[1.0, np.nan], [0, 1]]))
    (made.setdefault("corrupt", tmp / "corrupt.npy")).write_bytes(b"\x93NUMPY garbage")
    (made.setdefault("binary", tmp / "binary.txt")).write_bytes(b"\xff\xfe\x00\x81 1 2")
    (made.setdefault("ragged", tmp / "ragged.csv")).write_text("1,2,3\n4,5\n")
    (made.setdefault("folder", tmp / "folder.csv")).mkdir()
    (made.setdefault("a_file", tmp / "a_file")).write_text("not a folder")
    (made.setdefault("empty_png", tmp / "empty.png")).write_bytes(b"")
    png = io.BytesIO()
    Image.fromarray((np.arange(4096) % 251).astype(np.uint8).reshape(64, 64)).save(png, "PNG")
    (made.setdefault("cut_png", tmp / "cut.png")).write_bytes(png.getvalue()[:140])  # half of it
    chunks = [(b"IHDR", struct.pack(">IIBBBBB", 9000, 9000, 8, 0, 0, 0, 0))]  # 81 megapixels
    chunks += [(b"IDAT", zlib.compress(b"")), (b"IEND", b"")]  # no pixels: 57 bytes on disk
    body = b"".join(
        struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d)) for k, d in chunks
    )
    (made.setdefault("huge_png", tmp / "huge.png")).write_bytes(b"\x89PNG\r\n\x1a\n" + body)
    return made


def lecture(tmp: Path, body: str) -> str:
    path = tmp / "lecture.toml"
    path.write_text(body)
    return str(path)


SLIDING = '[[video]]\nscene = "sliding"\n'
FEATURES = ["build", "feature-maps"]
# (id, arguments, expected message); {name} is replaced by the path of files()[name].
CASES = [
    ("ragged-inline", ["explain", "--input", "1 2; 3"], r"row 2 has 1 values but row 1 has 2"),
    ("ragged-csv", ["explain", "--input", "{ragged}"], r"row 2 has 2 values but row 1 has 3"),
    ("non-numeric", ["explain", "--input", "1 x; 2 3"], r"'x' is not a number \(row 1, column 2\)"),
    (
        "code-is-not-run",
        ["explain", "--input", "__import__('os').system('touch /tmp/convanim-pwned')"],
        r"is not a number",
    ),
    ("nan-inline", ["explain", "--kernel", "1 nan; 0 1"], r"'nan' is not finite"),
    ("inf-inline", ["explain", "--input", "1 inf; 2 3"], r"'inf' is not finite"),
    ("nan-npy", ["explain", "--input", "{nan}"], r"contains NaN or infinity"),
    ("empty", ["explain", "--input", ""], r"--input is empty"),
    ("only-separators", ["explain", "--kernel", " ; ;"], r"--kernel is empty"),
    (
        "kernel-too-big",
        ["explain", "--input", "1 2; 3 4"],
        r"kernel extent 3 is larger than the padded input 2",
    ),
    (
        "dilated-too-big",
        ["explain", "--dilation", "3"],
        r"kernel extent 7 \(kernel 3 with dilation 3\)",
    ),
    ("stride-0", ["explain", "--stride", "0"], r"stride must be positive, got 0"),
    ("stride-triple", ["explain", "--stride", "1,2,3"], r"must be one or two ints"),
    ("stride-word", ["explain", "--stride", "two"], r"'two' is not an int"),
    ("dilation-0", ["explain", "--dilation", "0"], r"dilation must be positive"),
    ("padding-negative", ["explain", "--padding", "-1"], r"padding must be >= 0"),
    ("padding-word", ["explain", "--padding", "full"], r"'full' is not an int .*'same' or 'valid'"),
    (
        "same-strided",
        ["explain", "--padding", "same", "--stride", "2"],
        r"padding='same' needs stride 1",
    ),
    ("bias-word", ["explain", "--bias", "one"], r"'one' is not a valid float"),
    ("npy-strings", ["explain", "--input", "{strings}"], r"must hold numbers, not <U1"),
    ("npy-3d", ["explain", "--input", "{cube}"], r"input and kernel must be 2-D"),
    ("npy-corrupt", ["explain", "--input", "{corrupt}"], r"cannot read .*corrupt.npy"),
    ("txt-binary", ["explain", "--input", "{binary}"], r"cannot read .*binary.txt"),
    ("missing-file", ["explain", "--kernel", "nowhere.csv"], r"no such file: nowhere.csv"),
    ("folder-as-file", ["explain", "--input", "{folder}"], r"no such file: .*folder.csv"),
    ("unknown-scene", ["build", "nope"], r"unknown scene 'nope'; known scenes: sliding"),
    ("unknown-command", ["render"], r"No such command 'render'"),
    ("quality", ["build", "sliding", "--quality", "8k"], r"'8k' is not one of"),
    ("format", ["build", "sliding", "--format", "avi"], r"'avi' is not one of"),
    ("theme", ["build", "sliding", "--theme", "blue"], r"'blue' is not one of"),
    ("lang", ["build", "sliding", "--lang", "fr"], r"'fr' is not one of"),
    ("jobs-0", ["build", "sliding", "--jobs", "0"], r"0 is not in the range 1<=x<=64"),
    (
        "nothing-to-build",
        ["build"],
        r"name the scenes to build, use --all or --preset, or give --config",
    ),
    (
        "too-large-to-draw",
        ["build", "sliding", "--input", "{big}"],
        r"20×20 is too large to draw legibly \(at most 12×12\)",
    ),
    ("output-is-a-file", ["build", "sliding", "-o", "{a_file}"], r"is a file"),
    (
        "output-parent-missing",
        ["build", "sliding", "-o", "/nonexistent/deeper/media"],
        r"parent does not exist",
    ),
    (
        "output-unwritable",
        ["build", "sliding", "-o", "/proc/convanim-media"],
        r"cannot create output folder",
    ),
    (
        "overflowing-products",
        ["build", "sliding", "--input", "1e308 1e308 1; 1 1 1; 1 1 1", "--kernel", "2 2; 2 2"],
        r"overflow: a product or sum is not a finite float64 number \(largest \|input\| 1e\+308",
    ),
    (
        "overflowing-matrix-product",
        ["build", "matmul", "--input", "1e308 1 1; 1 1 1; 1 1 1", "--kernel", "2 1; 1 1"],
        r"the matrix product's values overflow",
    ),
    (
        "overflowing-im2col",
        ["build", "im2col", "--input", "1e308 1 1; 1 1 1; 1 1 1", "--kernel", "2 1; 1 1"],
        r"im2col's values overflow",
    ),
    (
        "overflowing-sum",
        ["explain", "--input", "1.5e308 1.5e308; 1 1", "--kernel", "1 1; 1 1"],
        r"the convolution's values overflow",
    ),
    (
        "output-padding-too-large",
        ["build", "transposed", "--output-padding", "2"],
        r"output_padding must be smaller than either stride or dilation, got output_padding "
        r"\(2, 2\), stride \(2, 2\)",
    ),
    (
        "pool-padding-over-half",
        ["build", "numerical_max_pooling", "--padding", "2"],
        r"pad should be at most half of effective kernel size",
    ),
    ("avg-pool-dilation", ["build", "pooling", "--pool", "avg", "--dilation", "2"], r"no dilation"),
    ("pool-word", ["build", "pooling", "--pool", "min"], r"'min' is not one of max, avg"),
    ("flip-mode-word", ["build", "flip", "--mode", "circular"], r"'circular' is not one of full"),
    (
        "flip-same-even-kernel",
        ["build", "flip", "--mode", "same", "--kernel", "1 2; 3 4"],
        r"mode 'same' with the even kernel 2×2 pads cross-correlation and convolution on opposite",
    ),
    (
        "flip-kernel-larger-than-input",
        ["build", "flip", "--input", "1 2; 3 4"],
        r"mode 'valid' needs the kernel \(3, 3\) to fit inside the input \(2, 2\)",
    ),
    (
        "flip-full-too-large",
        ["build", "flip", "--mode", "full"],
        r"padded input 9×9 is too large to draw legibly \(at most 7×7\)",
    ),
    (
        "lecture-ceil-mode-word",
        ["build", "--config", "@[[video]]\nscene = 'pooling'\nceil_mode = 'yes'"],
        r"ceil_mode must be true or false",
    ),
    (
        "groups-not-dividing",
        ["build", "groups", "--groups", "3"],
        r"groups=3 must divide the 4 input channels \(--in-channels\)",
    ),
    (
        "groups-too-many-pixels",
        ["build", "groups", "--side", "5", "--kernel-size", "1"],
        r"a 5×5 output has 25 pixels, too many columns to draw \(at most 16\)",
    ),
    (
        "groups-kernel-larger-than-input",
        ["build", "groups", "--side", "2"],
        r"kernel extent 3 is larger than the padded input 2",
    ),
    ("groups-in-channels", ["build", "groups", "--in-channels", "5"], r"5 is not in the range"),
    ("train-lr-nan", ["train", "--lr", "nan"], r"lr must be finite"),
    (
        "learn-kernel-diverges",
        ["build", "learn-kernel", "--lr", "2"],
        r"training diverges with lr=2 \(the loss grows from 0.1628 to .*\): use lr < 1.4 for a 1×2",
    ),
    (
        "learn-kernel-overflows",
        ["build", "learn-kernel", "--kernel-shape", "3x3", "--lr", "40", "--steps", "200"],
        r"training diverges with lr=40 \(the loss overflows float64\): use lr < 0.586",
    ),
    ("learn-kernel-lr-0", ["build", "learn-kernel", "--lr", "0"], r"lr must be > 0, got 0"),
    ("learn-kernel-shape", ["build", "learn-kernel", "--kernel-shape", "2x2"], r"'2x2' is not one"),
    ("learn-kernel-steps", ["build", "learn-kernel", "--steps", "201"], r"201 is not in the range"),
    (
        "learn-kernel-image",
        ["build", "learn-kernel", "--image", "{corrupt}"],
        r"--image: .*corrupt.npy is not an image Pillow can read",
    ),
    (
        "backward-grad-output-shape",
        ["build", "backward", "--grad-output", "1 2; 3 4"],
        r"grad_output must have the output's shape 3×3 \(for this input, kernel, stride and "
        r"padding\), got 2×2",
    ),
    (
        "backward-grad-output-strided",
        ["build", "backward", "--stride", "2", "--grad-output", "1 2 3; 4 5 6; 7 8 9"],
        r"grad_output must have the output's shape 2×2 .*got 3×3",
    ),
    ("backward-grad-output-3d", ["build", "backward", "--grad-output", "{cube}"], r"got 2×3×3"),
    ("backward-grad-output-word", ["build", "backward", "--grad-output", "1 x"], r"'x' is not"),
    ("backward-too-large", ["build", "backward", "--input", "{big}"], r"output 18×18 is too large"),
    (
        "backward-overflow",
        ["build", "backward", "--grad-output", "1e308 1e308 1e308; 1 1 1; 1 1 1"],
        r"overflow: a product or sum is not a finite float64 number",
    ),
    ("train-epochs", ["train", "--epochs", "0"], r"0 is not in the range"),
    (
        "lecture-unknown-key",
        ["build", "--config", "@" + SLIDING + "colour = 'red'"],
        r"video 1 \(sliding\): unknown key 'colour'|video 1: unknown key 'colour'",
    ),
    (
        "lecture-wrong-type",
        ["build", "--config", "@" + SLIDING + "stride = '2'"],
        r"key 'stride': stride must be an int or a pair",
    ),
    (
        "lecture-unknown-scene",
        ["build", "--config", "@[[video]]\nscene = 'nope'"],
        r"unknown scene 'nope'",
    ),
    (
        "lecture-bad-matrix",
        ["build", "--config", "@" + SLIDING + "kernel = [[1, 2], [3]]"],
        r"key 'kernel': kernel must be a rectangular array",
    ),
    (
        "lecture-impossible",
        ["build", "--config", "@" + SLIDING + "input = '1 2; 3 4'"],
        r"kernel extent 3 is larger than the padded input 2",
    ),
    (
        "lecture-escape",
        ["build", "--config", "@" + SLIDING + "output = '../../etc/x'"],
        r"output name '../../etc/x' must be",
    ),
    (
        "lecture-absolute",
        ["build", "--config", "@" + SLIDING + "output = '/tmp/x'"],
        r"output name '/tmp/x' must be",
    ),
    (
        "lecture-missing",
        ["build", "--config", "no-such-lecture.toml"],
        r"cannot read: No such file",
    ),
    ("image-missing", [*FEATURES, "--image", "nowhere.png"], r"--image: no such file: nowhere.png"),
    ("image-folder", [*FEATURES, "--image", "{folder}"], r"folder.csv is a folder, not an image"),
    ("image-not-an-image", [*FEATURES, "--image", "{binary}"], r"binary.txt is not an image"),
    ("image-empty", [*FEATURES, "--image", "{empty_png}"], r"--image: .*empty.png is empty$"),
    ("image-truncated", [*FEATURES, "--image", "{cut_png}"], r"cannot decode .*cut.png: image"),
    (
        "image-too-many-pixels",
        [*FEATURES, "--image", "{huge_png}"],
        r"huge.png is 9000×9000, too many pixels to decode in memory \(at most 50,000,000\)",
    ),
    (
        "lecture-image-missing",
        ["build", "--config", "@[[video]]\nscene = 'feature-maps'\nimage = 'gone.jpg'"],
        r"key 'image': image: no such file: .*gone.jpg",
    ),
    ("kernel-name", [*FEATURES, "--kernel", "sobelx"], r"'sobelx' is not one of sobel-x, sobel-y"),
    ("kernels-unknown", [*FEATURES, "--kernels", "blur,nope"], r"'nope' is not one of sobel-x"),
    (
        "lecture-plus-options",
        ["build", "--config", "@" + SLIDING, "--stride", "2"],
        r"go in the lecture file",
    ),
    (
        "scheduler-without-port",
        ["build", "sliding", "--scheduler", "tcp://nowhere"],
        r"scheduler address 'tcp://nowhere' must look like tcp://HOST:PORT",
    ),
    ("scheduler-http", ["build", "sliding", "--scheduler", "http://h:1"], r"must look like tcp://"),
    (
        "slides-of-a-gif",
        ["build", "sliding", "--slides", "--format", "gif"],
        r"sliding: slide decks need a video \(--format mp4 or webm\), not gif",
    ),
    (
        "lecture-slides-word",
        ["build", "--config", "@slides = 'yes'\n" + SLIDING],
        r"slides = 'yes' must be true or false",
    ),
    (
        "lecture-slides-of-a-png",
        ["build", "--config", "@slides = true\n" + SLIDING + "format = 'png'"],
        r"video 1 \(sliding\): slide decks need a video \(--format mp4 or webm\), not png",
    ),
]


@pytest.mark.parametrize(("args", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, args, pattern):
    made = files(tmp_path / "in")
    out = tmp_path / "media"
    out.mkdir()
    (out / "earlier.mp4").write_bytes(b"an earlier video")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.iterdir()}
    args = [a.format(**{k: str(v) for k, v in made.items()}) for a in args]
    args = [lecture(tmp_path, a[1:]) if a.startswith("@") else a for a in args]
    if args[0] == "build" and "-o" not in args:
        args += ["-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("convanim: error: "), result.stderr
    assert re.search(pattern, lines[0]), lines[0]
    assert "Traceback" not in result.output and result.stdout == ""
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.iterdir()}
    assert after == before
    assert not PWNED.exists()


def test_the_table_has_at_least_thirty_distinct_cases():
    assert len({c[0] for c in CASES}) == len(CASES) >= 30


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789 .,;-+eE\nnaif_x()'")), max_size=40))
def test_matrix_parser_gives_a_matrix_or_a_value_error(text):
    try:
        result = parse_matrix(text, "m")
    except ValueError as exc:
        assert str(exc).startswith("m")
        return
    assert result.ndim == 2 and result.size > 0 and np.all(np.isfinite(result))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_matrix_parser_never_fails_otherwise_on_any_text(text):
    try:
        parse_matrix(text.replace("\x00", ""), "m")
    except ValueError:
        pass
