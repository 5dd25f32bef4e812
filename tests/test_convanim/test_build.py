"""The build pipeline: outputs, incremental rebuilds, formats, locking, failures, gallery."""

from __future__ import annotations

import dataclasses
import json
import re

import av
import pytest
from click.testing import CliRunner

from convanim import registry
from convanim.build import FolderLock
from convanim.cli import main
from convanim.jobs import ROOT, Job, job_hash
from convanim.lecture import LectureError, load_lecture

pytestmark = pytest.mark.render


def build(*args):
    return CliRunner().invoke(main, ["build", "-q", "low", "-j", "1", *args])


def record(folder, name):
    return json.loads((folder / f"{name}.json").read_text())


def test_build_writes_video_poster_captions_record_and_gallery(tiny, tmp_path):
    result = build("tiny", "--bias", "2", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        ".convanim.lock",
        "index.html",
        "tiny.json",
        "tiny.mp4",
        "tiny.png",
        "tiny.vtt",
    ]
    rec = record(tmp_path, "tiny")
    assert rec["params"] == {"bias": 2.0} and rec["quality"] == "low"
    assert rec["sizes"]["mp4"] == (tmp_path / "tiny.mp4").stat().st_size
    vtt = (tmp_path / "tiny.vtt").read_text()
    assert vtt.startswith("WEBVTT") and "A square (bias 2.0)." in vtt
    index = (tmp_path / "index.html").read_text()
    assert 'src="tiny.mp4"' in index and 'src="tiny.vtt"' in index and "bias 2.0" in index
    assert re.search(r"tiny\s+│ rendered", result.stderr)


def test_unchanged_build_is_cached_and_changes_rebuild(tiny, tmp_path):
    assert build("tiny", "-o", str(tmp_path)).exit_code == 0
    video = tmp_path / "tiny.mp4"
    first = video.stat().st_mtime_ns
    again = build("tiny", "-o", str(tmp_path))
    assert "tiny: up to date" in again.stderr and video.stat().st_mtime_ns == first
    forced = build("tiny", "-o", str(tmp_path), "--force")
    assert "tiny: rendered" in forced.stderr and video.stat().st_mtime_ns != first
    second = video.stat().st_mtime_ns
    assert "tiny: rendered" in build("tiny", "-o", str(tmp_path), "--bias", "1").stderr
    assert video.stat().st_mtime_ns != second
    video.unlink()  # a record never vouches for a missing video
    assert "tiny: rendered" in build("tiny", "-o", str(tmp_path), "--bias", "1").stderr
    assert video.is_file()


def test_hash_covers_parameters_and_settings(tiny):
    base = Job("tiny", "tiny")
    variants = [
        Job("tiny", "tiny", {"bias": 1.0}),
        Job("tiny", "tiny", quality="low"),
        Job("tiny", "tiny", format="gif"),
        Job("tiny", "tiny", theme="light"),
        Job("tiny", "tiny", lang="zh"),
    ]
    hashes = {job_hash(base), *(job_hash(v) for v in variants)}
    assert len(hashes) == 6
    assert job_hash(base) == job_hash(Job("tiny", "tiny"))


@pytest.mark.parametrize(("fmt", "codec"), [("webm", "vp9"), ("gif", "gif")])
def test_video_formats(tiny, tmp_path, fmt, codec):
    assert build("tiny", "--format", fmt, "-o", str(tmp_path)).exit_code == 0
    with av.open(str(tmp_path / f"tiny.{fmt}")) as container:
        assert container.streams.video[0].codec_context.name == codec
        assert sum(1 for _ in container.decode(video=0)) >= 10
    assert (tmp_path / "tiny.png").is_file() and (tmp_path / "tiny.vtt").is_file()


def test_png_format_is_the_final_frame(tiny, tmp_path):
    assert build("tiny", "--format", "png", "-o", str(tmp_path)).exit_code == 0
    assert (tmp_path / "tiny.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert record(tmp_path, "tiny")["files"] == {"png": "tiny.png"}


def test_a_second_build_into_a_locked_folder_is_refused(tiny, tmp_path):
    with FolderLock(tmp_path):
        result = build("tiny", "-o", str(tmp_path))
    assert result.exit_code == 2
    assert "another convanim build is writing into" in result.stderr
    assert not (tmp_path / "tiny.mp4").exists()


def test_a_failing_scene_fails_alone(tiny, tmp_path):
    result = build("tiny", "exploding", "-o", str(tmp_path))
    assert result.exit_code == 1
    assert "exploding: FAILED RuntimeError: boom (tiny_scene.py:" in result.stderr
    assert "1 of 2 videos failed" in result.stderr
    assert (tmp_path / "tiny.mp4").is_file()
    assert not any(p.name.startswith(("exploding", ".exploding")) for p in tmp_path.iterdir())


def test_example_lecture_file_is_valid():
    jobs = load_lecture(ROOT / "examples" / "lecture.toml")
    assert [job.name for job in jobs][:2] == ["01-sliding-article", "02-sliding-padded"]
    assert jobs[1].params["padding"] == 1 and jobs[1].theme == "light"


LECTURE_ERRORS = [
    (
        '[[video]]\nscene = "sliding"\ncolour = 1',
        r"video 1 \(sliding\): unknown key 'colour'|"
        r"video 1: unknown key 'colour'",
    ),
    ('[[video]]\nscene = "nope"', r"video 1, key 'scene': unknown scene 'nope'"),
    ('[[video]]\nscene = "sliding"\ninput = "1 2; 3"', r"key 'input': input: row 2 has 1"),
    (
        '[[video]]\nscene = "sliding"\ninput = [[1, 2], [3, 4]]',
        r"video 1 \(sliding\): kernel extent 3 is larger than the padded input 2",
    ),
    ('[[video]]\nscene = "sliding"\nstride = 0', r"stride must be positive"),
    ('[[video]]\nscene = "sliding"\nstride = "2"', r"key 'stride': stride must be an int"),
    ('[[video]]\nscene = "sliding"\noutput = "../escape"', r"output name '../escape' must be"),
    ('[[video]]\nscene = "sliding"\noutput = "a/b"', r"output name 'a/b' must be"),
    ('[defaults]\nquality = "8k"\n[[video]]\nscene = "sliding"', r"quality = '8k' is not one of"),
    ('[[video]]\nscene = "sliding"\n[[video]]\nscene = "sliding"', r"both named 'sliding'"),
    ("title = 1", r"unknown key 'title'"),
    ("[[video", r"not valid TOML"),
    ("", r"no \[\[video\]\] entries"),
]


#: Errors found when the trace is computed: the build reports them with the same place.
TRACE_ERRORS = {r"kernel extent", r"stride must be positive"}


@pytest.mark.parametrize(("text", "pattern"), LECTURE_ERRORS)
def test_lecture_file_errors_name_the_file_and_place(tmp_path, text, pattern):
    path = tmp_path / "lecture.toml"
    path.write_text(text)
    if not any(p in pattern for p in TRACE_ERRORS):
        with pytest.raises(LectureError, match=pattern) as info:
            load_lecture(path)
        assert str(path) in str(info.value)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--config", str(path), "-o", str(out)])
    assert result.exit_code == 2 and not out.exists()
    assert re.search(pattern, result.stderr) and str(path) in result.stderr, result.stderr


def test_parameters_are_parsed_and_the_trace_computed_once_per_video(tiny, tmp_path, monkeypatch):
    import tiny_scene

    calls = []

    def counting(values):
        calls.append(dict(values))
        return values.bias

    spec = dataclasses.replace(tiny_scene.TINY, make_trace=counting)
    monkeypatch.setitem(registry.SCENES, "tiny", spec)
    monkeypatch.setattr(tiny_scene.Tiny, "spec", spec)
    assert build("tiny", "--bias", "3", "-o", str(tmp_path)).exit_code == 0
    assert calls == [{"bias": 3.0}]
    assert "A square (bias 3.0)." in (tmp_path / "tiny.vtt").read_text()
    calls.clear()
    assert "up to date" in build("tiny", "--bias", "3", "-o", str(tmp_path)).stderr
    assert calls == []  # an unchanged video is neither traced nor rendered again
