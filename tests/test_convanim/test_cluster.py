"""Builds on a Dask cluster (``--scheduler``): a scheduler and two worker processes on
127.0.0.1 give the records a local build gives; workers that die, addresses that do not
answer, Ctrl-C.

The scenes here are tiny ones from this file and tiny_scene.py, registered in the test
process and (by a worker plugin, so that a restarted worker has them too) in every worker.
Their content hash covers only their own module while these tests run (``SHARED_CODE``
emptied on both sides), so the other engineers' edits elsewhere in the tree cannot change a
hash between the client and a worker mid-test.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from manim import FadeIn, Square

from convanim import build, cluster, jobs, registry
from convanim.cli import main
from scenes.kit.params import SceneSpec
from scenes.kit.scene import ConvScene

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

pytestmark = pytest.mark.render

FOLDER = "CONVANIM_TEST_FOLDER"  #: environment variable: where the scenes below keep markers


def marker_folder(values):
    """The scenes below draw no convolution: their trace is the test's marker folder."""
    return os.environ.get(FOLDER, "")


def spec(name, cls_name):
    return SceneSpec(name, __name__, cls_name, f"Test scene {name}.", marker_folder)


DYING = spec("dying", "Dying")
DOOMED = spec("doomed", "Doomed")
LINGERING = spec("lingering", "Lingering")


class Dying(ConvScene):
    """Kills its worker process on its first render; renders on the second."""

    spec = DYING

    def construct(self):
        died = Path(self.trace) / f"{self.spec.name}-died"
        if self.spec.name == "doomed" or not died.exists():
            died.touch()
            os._exit(1)  # as a worker killed by the OOM killer or a segfault
        self.cue("Rendered after a worker died.")
        self.play(FadeIn(Square(color=self.theme.input)), run_time=0.5)


class Doomed(Dying):
    """Kills every worker that renders it."""

    spec = DOOMED


class Lingering(ConvScene):
    """Says it started, then waits (at most 20 s) until the test releases it."""

    spec = LINGERING

    def construct(self):
        folder = Path(self.trace)
        (folder / "started").touch()
        deadline = time.monotonic() + 20
        while not (folder / "release").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.play(FadeIn(Square()), run_time=0.5)


def scenes_for_tests() -> dict:
    from tiny_scene import EXPLODING, TINY

    return {s.name: s for s in (TINY, EXPLODING, DYING, DOOMED, LINGERING)}


def register_test_scenes() -> None:
    """Make the test scenes known, their hash covering only their own module."""
    registry.SCENES = {**registry.SCENES, **scenes_for_tests()}
    jobs.SHARED_CODE = ()


class RegisterScenes(distributed.WorkerPlugin):
    """Runs :func:`register_test_scenes` in every worker, restarted ones included."""

    def setup(self, worker):
        register_test_scenes()


@pytest.fixture(scope="module")
def scheduler():
    """The address of a scheduler with two single-thread worker processes (each behind a
    nanny that restarts it). One death is forgiven per task; one task per worker at once."""
    settings = {
        "distributed.scheduler.allowed-failures": 1,
        "distributed.scheduler.worker-saturation": 1.0,
    }
    with (
        dask.config.set(settings),
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
        ) as local,
        distributed.Client(local, set_as_default=False) as client,
    ):
        client.register_plugin(RegisterScenes())
        yield local.scheduler_address


@pytest.fixture
def scenes(monkeypatch, tmp_path):
    """The test scenes in this process; their marker folder."""
    monkeypatch.setattr(registry, "SCENES", {**registry.SCENES, **scenes_for_tests()})
    monkeypatch.setattr(jobs, "SHARED_CODE", ())
    monkeypatch.setenv(FOLDER, str(tmp_path))
    return tmp_path


def convanim(*args):
    return CliRunner().invoke(main, ["build", "-q", "low", *args])


def record(folder: Path, name: str) -> dict:
    return json.loads((folder / f"{name}.json").read_text())


def names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} - {".convanim.lock", "index.html"}


#: Fields of a record that differ between a cluster and a local build: the render time (a
#: worker's, measured around the same render_job call), nothing else.
TIMING = {"render_seconds"}


def test_a_cluster_build_lands_what_a_local_build_writes(scheduler, scenes):
    remote, local = scenes / "remote", scenes / "local"
    result = convanim("tiny", "dying", "exploding", "-o", str(remote), "--scheduler", scheduler)
    assert result.exit_code == 1, result.output
    assert "rendering on the Dask cluster at tcp://127.0.0.1:" in result.stderr
    assert (scenes / "dying-died").exists()  # its first worker died; another rendered it
    assert "exploding: FAILED RuntimeError: boom (tiny_scene.py:" in result.stderr
    assert "1 of 3 videos failed" in result.stderr
    assert convanim("tiny", "dying", "exploding", "-j", "1", "-o", str(local)).exit_code == 1
    assert (
        names(remote)
        == names(local)
        == {f"{n}.{kind}" for n in ("tiny", "dying") for kind in ("mp4", "png", "vtt", "json")}
    )
    for name in ("tiny", "dying"):
        ours, theirs = record(remote, name), record(local, name)
        assert set(ours) == set(theirs)
        assert {k: v for k, v in ours.items() if k not in TIMING} == {
            k: v for k, v in theirs.items() if k not in TIMING
        }
        for kind in ("mp4", "png", "vtt"):  # the same bytes, encoder included
            path = f"{name}.{kind}"
            assert (remote / path).read_bytes() == (local / path).read_bytes(), path
    again = convanim("tiny", "dying", "-o", str(remote), "--scheduler", scheduler)
    assert again.exit_code == 0 and again.stderr.count("up to date") == 2, again.output


def test_ctrl_c_cancels_the_cluster_build_and_writes_nothing(scheduler, scenes):
    out = scenes / "media"
    code = (
        "import sys; sys.path.insert(0, sys.argv.pop(1)); import test_cluster; "
        "test_cluster.register_test_scenes(); from convanim.cli import main; main()"
    )
    args = ["build", "lingering", "-q", "low", "-o", str(out), "--scheduler", scheduler]
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(Path(__file__).parent), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (scenes / "started").exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the render never started"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
        assert proc.returncode == 130, stderr
        assert stderr.strip().splitlines()[-1] == "convanim: interrupted", stderr
        assert names(out) == set() and not (out / "index.html").exists()
        with distributed.Client(scheduler, set_as_default=False) as client:
            deadline = time.monotonic() + 10  # the scheduler forgets the task at once
            while client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.tasks)):
                assert time.monotonic() < deadline, "the build's task was not cancelled"
                time.sleep(0.1)
    finally:
        (scenes / "release").touch()  # a worker's thread cannot be stopped: let it finish
        proc.kill()


def test_a_scheduler_that_does_not_answer_is_one_line_exit_2(scenes, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1.0)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = scenes / "media"
    start = time.monotonic()
    result = convanim("tiny", "-o", str(out), "--scheduler", f"tcp://127.0.0.1:{port}")
    assert time.monotonic() - start < 4
    assert result.exit_code == 2 and not out.exists()
    assert result.stderr.strip() == (
        f"convanim: error: no Dask scheduler answers at tcp://127.0.0.1:{port} (gave up after 1 s)"
    )


def test_a_scheduler_without_workers_is_one_line_exit_2(scenes, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1.0)
    out = scenes / "media"
    with distributed.LocalCluster(
        n_workers=0, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=":0"
    ) as empty:
        result = convanim("tiny", "-o", str(out), "--scheduler", empty.scheduler_address)
    assert result.exit_code == 2 and not out.exists()
    assert result.stderr.startswith("convanim: error: no Dask worker is connected")
    assert len(result.stderr.strip().splitlines()) == 1


def test_workers_running_other_code_are_refused(scheduler, scenes, monkeypatch):
    monkeypatch.setattr(cluster, "job_hash", lambda job: "0" * 64)  # the client's code differs
    out = scenes / "media"
    result = convanim("tiny", "-o", str(out), "--scheduler", scheduler)
    assert result.exit_code == 2 and not out.exists()
    assert result.stderr.startswith("convanim: error: Dask worker tcp://127.0.0.1:")
    assert "runs different convanim code ('tiny' hashes differently)" in result.stderr


def test_code_that_changes_during_the_build_is_recorded_as_rendered(scheduler, scenes, monkeypatch):
    monkeypatch.setattr(build, "job_hash", lambda job: "0" * 64)  # the hash at the start
    out = scenes / "media"
    assert convanim("tiny", "-o", str(out), "--scheduler", scheduler).exit_code == 0
    assert record(out, "tiny")["hash"] == jobs.job_hash(jobs.Job("tiny", "tiny", quality="low"))


class Finished:
    """A future whose task has finished with ``value``."""

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value

    def release(self):
        pass


def test_a_video_from_a_worker_with_other_code_is_not_landed(scenes):
    job = jobs.Job("tiny", "tiny", quality="low")
    rendered = jobs.Result("tiny", "rendered", {"mp4": "tiny.mp4"}, 1.0, 3, 0.5)
    files = {"tiny.mp4": b"mp4", "tiny.json": b"{}"}
    result = cluster.collect(Finished((rendered, "f" * 64, files)), job, "0" * 64, scenes)
    assert result.status == "failed" and not (scenes / "tiny.mp4").exists()
    assert result.error.startswith("its worker runs different convanim code (hash ffffffffffff")
    landed = cluster.collect(Finished((rendered, "0" * 64, files)), job, "0" * 64, scenes)
    assert landed is rendered and (scenes / "tiny.mp4").read_bytes() == b"mp4"


@pytest.mark.parametrize(
    "address",
    ["http://127.0.0.1:8786", "tcp://127.0.0.1", "tcp://127.0.0.1:99999", "tcp://:8786", "a b"],
)
def test_malformed_addresses_are_one_line_exit_2(tmp_path, address):
    result = convanim("sliding", "-o", str(tmp_path / "media"), "--scheduler", address)
    assert result.exit_code == 2 and not (tmp_path / "media").exists()
    assert result.stderr.strip() == (
        f"convanim: error: scheduler address {address!r} must look like tcp://HOST:PORT "
        "(e.g. tcp://10.0.0.5:8786, the address `dask scheduler` prints)"
    )


@pytest.mark.parametrize(
    ("given", "address"),
    [("tcp://10.0.0.5:8786", "tcp://10.0.0.5:8786"), ("node7:8786", "tcp://node7:8786")],
)
def test_addresses_are_normalised(given, address):
    assert cluster.check_address(given) == address


def test_without_dask_scheduler_is_one_line_exit_2(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    result = convanim("sliding", "-o", str(tmp_path / "m"), "--scheduler", "tcp://h:8786")
    assert result.exit_code == 2 and not (tmp_path / "m").exists()
    assert "--scheduler needs Dask's distributed scheduler: pip install 'convanim[dask]'" in (
        result.stderr
    )


@pytest.mark.parametrize("name", list(registry.SCENES))
def test_every_trace_travels_to_a_worker(name):
    spec = registry.SCENES[name]
    trace = spec.make_trace(spec.resolve({}))
    assert same(pickle.loads(pickle.dumps(trace)), trace)


def same(a, b) -> bool:
    """``a`` and ``b`` are equal all the way down: arrays by dtype, shape and every value."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if dataclasses.is_dataclass(a):
        fields = [f.name for f in dataclasses.fields(a)]
        return all(same(getattr(a, f), getattr(b, f)) for f in fields)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b or (a != a and b != b)  # NaN equals NaN here


# Last: it kills both workers, whose restarts would slow the tests after it.
def test_a_video_whose_workers_keep_dying_fails_alone(scheduler, scenes):
    out = scenes / "media"
    result = convanim("doomed", "tiny", "-o", str(out), "--scheduler", scheduler)
    assert result.exit_code == 1, result.output
    assert "doomed: FAILED KilledWorker: 2 workers died rendering it" in result.stderr
    assert names(out) == {"tiny.mp4", "tiny.png", "tiny.vtt", "tiny.json"}
