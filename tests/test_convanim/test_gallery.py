"""The gallery page loads in a real browser: every video's metadata and every caption track."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from convanim.cli import main
from convanim.gallery import write_gallery

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def dump_dom(page, profile) -> str:
    """The page's DOM after its scripts ran, from headless Chromium."""
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--allow-file-access-from-files",
        "--virtual-time-budget=15000",
        "--dump-dom",
        page.as_uri(),
    ]
    done = subprocess.run([CHROMIUM, *flags], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.render
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/setup.sh test)")
def test_gallery_videos_and_captions_load_in_chromium(tiny, tmp_path):
    out = tmp_path / "media"
    out.mkdir()
    for name, fmt in (("tiny", "mp4"), ("tiny", "webm")):
        runner = CliRunner().invoke(
            main, ["build", name, "-q", "low", "-j", "1", "--format", fmt, "-o", str(out / fmt)]
        )
        assert runner.exit_code == 0, runner.output
    for fmt in ("mp4", "webm"):
        dom = dump_dom(out / fmt / "index.html", tmp_path / f"profile-{fmt}")
        videos = re.findall(r"<video[^>]*>", dom)
        tracks = re.findall(r"<track[^>]*>", dom)
        assert len(videos) == 1 and len(tracks) == 1
        duration = re.search(r'data-duration="([\d.]+)"', videos[0])
        assert duration and float(duration.group(1)) > 0, videos[0]
        cues = re.search(r'data-loaded="(\d+)"', tracks[0])
        assert cues and int(cues.group(1)) == 2, tracks[0]  # the tiny scene's two cues


def test_gallery_lists_videos_in_lecture_order(tmp_path):
    """Registry order (sliding before training before initialization), then by name."""
    for name, scene in [
        ("b-init", "initialization"),
        ("z-sliding", "sliding"),
        ("a-training", "training"),
        ("a-sliding", "sliding"),
    ]:
        (tmp_path / f"{name}.png").write_bytes(b"png")
        record = {
            "name": name,
            "scene": scene,
            "hash": "x",
            "files": {"png": f"{name}.png"},
            "format": "png",
            "quality": "low",
            "theme": "dark",
            "lang": "en",
            "title": name,
            "description": "",
            "params": {},
        }
        (tmp_path / f"{name}.json").write_text(json.dumps(record))
    page = write_gallery(tmp_path).read_text()
    order = re.findall(r'<section class="video" id="([^"]+)"', page)
    assert order == ["a-sliding", "z-sliding", "a-training", "b-init"]
