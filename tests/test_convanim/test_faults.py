"""Interrupting a real build (SIGINT, SIGTERM) leaves every finished output intact."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.render

VIDEO = """
[[video]]
scene = "sliding"
output = "{name}"
input = "{input}"
kernel = "1 0; 0 1"
"""


def lecture(path: Path, videos: dict[str, str]) -> Path:
    path.write_text(
        '[defaults]\nquality = "low"\n'
        + "".join(VIDEO.format(name=name, input=matrix) for name, matrix in videos.items())
    )
    return path


def convanim(*args, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "convanim.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != ".convanim.lock"
    }


def interrupt_while_rendering(config: Path, out: Path, sig: int, jobs: int) -> subprocess.Popen:
    """Start a build, wait until a render is under way, send ``sig``; return the process."""
    proc = convanim("build", "--config", str(config), "-o", str(out), "-j", str(jobs))
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".v") and p.is_dir() for p in out.iterdir()):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the build never started rendering"
        time.sleep(0.1)
    time.sleep(1.5)  # well inside manim's render
    proc.send_signal(sig)
    proc.communicate(timeout=120)
    return proc


def test_interrupted_builds_leave_finished_outputs_intact(tmp_path):
    out = tmp_path / "media"
    out.mkdir()
    first = lecture(tmp_path / "one.toml", {"v1": "1 2 3; 4 5 6; 7 8 9"})
    done = convanim("build", "--config", str(first), "-o", str(out), "-j", "1")
    assert done.wait(timeout=300) == 0, done.communicate()
    before = snapshot(out)
    assert {"v1.mp4", "v1.png", "v1.vtt", "v1.json", "index.html"} <= set(before)

    both = lecture(
        tmp_path / "three.toml",
        {"v1": "1 2 3; 4 5 6; 7 8 9", "v2": "1 0 2; 0 3 0; 4 0 5", "v3": "2 2 2; 1 1 1; 0 0 0"},
    )
    for sig, jobs in ((signal.SIGINT, 1), (signal.SIGTERM, 1), (signal.SIGTERM, 2)):
        proc = interrupt_while_rendering(both, out, sig, jobs)
        assert proc.returncode == 130, (sig, jobs)
        after = snapshot(out)
        for name, digest in before.items():  # earlier outputs byte-identical
            if name != "index.html":
                assert after[name] == digest, name
        leftovers = {p.name for p in out.iterdir()} - set(before) - {".convanim.lock"}
        assert leftovers == set(), (sig, jobs, leftovers)  # no partial file, no temp folder
        assert not (out / "v2.json").exists()  # no record claims an unfinished video

    final = convanim("build", "--config", str(both), "-o", str(out), "-j", "2")
    assert final.wait(timeout=600) == 0, final.communicate()
    record = json.loads((out / "v2.json").read_text())
    assert (out / "v2.mp4").stat().st_size == record["sizes"]["mp4"]
    assert snapshot(out)["v1.mp4"] == before["v1.mp4"]  # cached, untouched
