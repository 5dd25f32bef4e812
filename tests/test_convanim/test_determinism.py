"""The same build twice gives the same traces and the same decoded frames."""

from __future__ import annotations

import hashlib
import json

import av
import numpy as np
import pytest
from click.testing import CliRunner

import convcore
from convanim.cli import main


def frame_hashes(path) -> list[str]:
    with av.open(str(path)) as container:
        return [
            hashlib.sha256(f.to_ndarray(format="rgb24").tobytes()).hexdigest()
            for f in container.decode(video=0)
        ]


def test_traces_are_identical_between_runs():
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((2, 3, 7, 7)), rng.standard_normal((4, 3, 3, 3))
    a = convcore.trace_conv2d(x, w, [1, 2, 3, 4], stride=2, padding=1)
    b = convcore.trace_conv2d(x, w, [1, 2, 3, 4], stride=2, padding=1)
    for name in ("windows", "products", "sums", "values", "out", "origins"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    t1 = convcore.trace_training(convcore.article_example(), epochs=3)
    t2 = convcore.trace_training(convcore.article_example(), epochs=3)
    assert np.array_equal(t1.loss, t2.loss)


def test_seeded_initialisation_is_identical():
    for scheme in convcore.init.SCHEMES:
        params = {"val": 0.5} if scheme == "constant" else {}
        a = convcore.init.initialise(scheme, (8, 4, 3, 3), np.random.default_rng(11), **params)
        b = convcore.init.initialise(scheme, (8, 4, 3, 3), np.random.default_rng(11), **params)
        assert np.array_equal(a, b), scheme


@pytest.mark.render
def test_two_builds_decode_to_identical_frames_and_record_their_parameters(tmp_path):
    args = [
        "build",
        "sliding",
        "-q",
        "low",
        "-j",
        "1",
        "--input",
        "1 2 3; 4 5 6; 7 8 9",
        "--kernel",
        "1 0; 0 -1",
        "--bias",
        "0.5",
    ]
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        result = CliRunner().invoke(main, [*args, "-o", str(tmp_path / folder)])
        assert result.exit_code == 0, result.output
    hashes_a = frame_hashes(tmp_path / "a" / "sliding.mp4")
    assert len(hashes_a) > 100
    assert hashes_a == frame_hashes(tmp_path / "b" / "sliding.mp4")
    assert (tmp_path / "a" / "sliding.vtt").read_text() == (
        tmp_path / "b" / "sliding.vtt"
    ).read_text()
    record = json.loads((tmp_path / "a" / "sliding.json").read_text())
    assert record["params"] == {
        "input": {"shape": [3, 3], "values": [1, 2, 3, 4, 5, 6, 7, 8, 9]},
        "kernel": {"shape": [2, 2], "values": [1, 0, 0, -1]},
        "bias": 0.5,
    }
