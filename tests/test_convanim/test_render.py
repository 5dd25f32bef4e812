"""Real renders: a playable video comes out whole, or nothing does.

The sliding-window render runs by default; every other scene renders in the slow group
(``scripts/test.sh -m slow``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
from click.testing import CliRunner

import convcore
from convanim import registry
from convanim.build import render_job
from convanim.cli import main
from convanim.jobs import Job

ROOT = Path(__file__).resolve().parents[2]


def probe(path: Path) -> tuple[int, float, tuple[int, int], np.ndarray]:
    """Decode every frame: (frame count, duration in s, (width, height), last frame)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [f for f in container.decode(stream)]
        duration = float(container.duration / av.time_base)
        last = frames[-1].to_ndarray(format="rgb24")
    return len(frames), duration, (last.shape[1], last.shape[0]), last


def build(name: str, out: Path):
    result = CliRunner().invoke(main, ["build", name, "-q", "low", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out / f"{name}.mp4", result


def check_video(path: Path):
    n, duration, size, last = probe(path)
    assert size == (854, 480)
    assert duration > 10
    assert abs(n - duration * 15) <= 2  # 15 fps at low quality, every frame decodable
    assert last.std() > 5  # the last frame shows something, not a blank screen
    stem = path.stem
    expected = {
        f"{stem}.mp4",
        f"{stem}.png",
        f"{stem}.vtt",
        f"{stem}.json",
        "index.html",
        ".convanim.lock",
    }
    assert {p.name for p in path.parent.iterdir()} == expected  # no temporary leftovers


@pytest.mark.render
def test_sliding_renders_a_playable_video(tmp_path):
    path, result = build("sliding", tmp_path)
    assert f"sliding: rendered {path}" in result.stderr
    check_video(path)
    check_captions(path)


def seconds(stamp: str) -> float:
    hours, minutes, rest = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def check_captions(path: Path):
    """Cue times lie inside the video; every position's sum equals convcore's output."""
    _, duration, _, _ = probe(path)
    vtt = path.with_suffix(".vtt").read_text()
    spans = re.findall(r"^(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})$", vtt, re.M)
    assert len(spans) >= 10
    for start, stop in spans:
        assert 0 <= seconds(start) < seconds(stop) <= duration + 0.05
    sums = re.findall(r"^Position \((\d), (\d)\): .* = (\d+)$", vtt, re.M)
    expected = convcore.conv2d(
        convcore.ARTICLE_INPUT[None, None], convcore.ARTICLE_KERNEL[None, None]
    )
    assert [(int(i), int(j)) for i, j, _ in sums] == [(i, j) for i in range(3) for j in range(3)]
    assert [float(v) for *_, v in sums] == list(expected.ravel())
    record = json.loads(path.with_suffix(".json").read_text())
    assert record["effective_params"]["stride"] == 1 and record["effective_params"]["bias"] is None


@pytest.mark.render
@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in registry.SCENES if n != "sliding"])
def test_every_scene_renders_a_playable_video(tmp_path, name):
    path, _ = build(name, tmp_path)
    check_video(path)


@pytest.mark.render
def test_a_failed_render_leaves_no_file_behind(tiny, tmp_path):
    earlier = tmp_path / "sliding.mp4"
    earlier.write_bytes(b"an earlier, complete video")
    result = render_job(Job("sliding", "exploding", quality="low"), None, tmp_path, "digest")
    assert result.status == "failed" and "RuntimeError: boom" in result.error
    assert earlier.read_bytes() == b"an earlier, complete video"
    assert [p.name for p in tmp_path.iterdir()] == ["sliding.mp4"]


@pytest.mark.render
def test_the_readme_manim_command_works_from_the_root():
    """``manim render scenes/sliding.py`` run from the repository root (dry run, low quality)."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    cmd = [
        sys.executable,
        "-m",
        "manim",
        "render",
        "-ql",
        "--dry_run",
        "scenes/sliding.py",
        "SlidingWindow",
    ]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
