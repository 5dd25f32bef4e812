"""The gallery page loads in a real browser: every video's metadata and every caption track."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from scenes import registry
from scenes.cli import main

pytestmark = pytest.mark.render
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


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/setup.sh test)")
def test_gallery_videos_and_captions_load_in_chromium(monkeypatch, tmp_path):
    scenes = dict(registry.SCENES)
    scenes["tiny"] = registry.SceneEntry("tiny", "tiny_scene", "Tiny", "A tiny scene.", ("bias",))
    monkeypatch.setattr(registry, "SCENES", scenes)
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
