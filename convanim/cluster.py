"""``convanim build --scheduler tcp://HOST:PORT``: render on a Dask distributed cluster.

The build process stays the client and does everything a local build does: the job list,
the cache check, the traces (computed once, here), the folder lock, the records and the
summary. Only the renders move: each video that must render becomes one Dask task, which a
worker runs with :func:`convanim.build.render_job` (the function the local process pool
runs) into a temporary folder of its own, returning the finished files as bytes. The client
writes them into the output folder as a local render does: through a hidden temporary folder
and one ``os.replace`` per file, the record last. No file system is shared.

Workers must run the same code: before anything renders, every worker hashes the jobs as
the client does (:func:`convanim.jobs.job_hash`) or the build stops; a worker that joins
later and hashes a video differently has it reported failed, not landed. A worker that dies
mid-render (its nanny restarts it) costs a rerun: the scheduler gives the task to another
worker, and reports it failed after ``distributed.scheduler.allowed-failures`` deaths (3 by
default). Ctrl-C or SIGTERM cancels every task; nothing partial is written. (A render
already running finishes on its worker, in its temporary folder, and is thrown away.)

Dask is imported only when a build names a scheduler (``pip install 'convanim[dask]'``).
"""

from __future__ import annotations

import os
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from convanim.build import render_job
from convanim.jobs import Job, Result, job_hash, record_path

CONNECT_TIMEOUT = 5.0  #: seconds to reach the scheduler, and to wait for a first worker
SCHEMES = ("tcp", "tls")
#: Manim's configuration is one global per process: a worker with several threads renders
#: one video at a time (start workers with ``--nthreads 1``, as many as the cores).
RENDER_LOCK = threading.Lock()


class ClusterError(Exception):
    """The cluster cannot be used; the message is one line for the user."""


def check_address(address: str) -> str:
    """``address`` as ``tcp://HOST:PORT`` (a bare ``HOST:PORT`` means tcp); else raise."""
    text = address.strip()
    parts = urlsplit(text if "://" in text else f"tcp://{text}")
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in SCHEMES or not parts.hostname or port is None or parts.path:
        raise ClusterError(
            f"scheduler address {address!r} must look like tcp://HOST:PORT (e.g. "
            "tcp://10.0.0.5:8786, the address `dask scheduler` prints)"
        )
    return f"{parts.scheme}://{parts.netloc}"


def connect(address: str, todo: list[tuple[Job, str]]) -> Cluster:
    """A client of the scheduler at ``address``, its workers checked to run this code.

    Raises :class:`ClusterError` (nothing written yet) when Dask is missing, the address is
    malformed or does not answer within :data:`CONNECT_TIMEOUT`, no worker is connected, or
    a worker's code would render any of ``todo`` differently (its content hash differs).
    """
    address = check_address(address)
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError(
            "--scheduler needs Dask's distributed scheduler: pip install 'convanim[dask]'"
        ) from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError):
        raise ClusterError(
            f"no Dask scheduler answers at {address} (gave up after {CONNECT_TIMEOUT:g} s)"
        ) from None
    cluster = Cluster(client, address)
    try:
        cluster.check_workers(todo)
    except BaseException:
        cluster.close()
        raise
    return cluster


class Cluster:
    """A connected Dask client, used by :func:`convanim.build.run_jobs` as its runner."""

    def __init__(self, client, address: str):
        self.client = client
        self.address = address

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def check_workers(self, todo: list[tuple[Job, str]]) -> None:
        """Raise :class:`ClusterError` unless a worker is there and all hash ``todo`` alike."""
        try:
            self.client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except TimeoutError:
            raise ClusterError(
                f"no Dask worker is connected to the scheduler at {self.address} (start one: "
                f"dask worker {self.address} --nthreads 1)"
            ) from None
        jobs = [job for job, _ in todo]
        wanted = worker_hashes(jobs)  # now, not at the start: the code may have changed since
        for worker, hashes in self.client.run(worker_hashes, jobs, on_error="return").items():
            if hashes != wanted:
                why = mismatch(hashes, jobs, wanted)
                raise ClusterError(
                    f"Dask worker {worker} runs different convanim code ({why}); install the "
                    "same version on every worker"
                )

    def describe(self) -> str:
        threads = self.client.nthreads()
        return (
            f"rendering on the Dask cluster at {self.address} ({len(threads)} workers, "
            f"{sum(threads.values())} threads)"
        )

    def __call__(self, todo, traces, output_dir: Path, results: dict, report) -> None:
        """Render ``todo`` on the cluster; land each video as it arrives and ``report`` it."""
        from distributed import as_completed

        futures = {}
        try:
            for job, digest in todo:
                key = f"convanim-{job.name}-{uuid.uuid4().hex[:12]}"
                future = self.client.submit(
                    render_remotely, job, traces[job.name], key=key, pure=False
                )
                futures[future] = job, digest
            for future in as_completed(futures, loop=self.client.loop):
                job, digest = futures[future]
                results[job.name] = collect(future, job, digest, output_dir)
                report(results[job.name])
        except BaseException:  # Ctrl-C, SIGTERM: no task goes on for a build that is gone
            self.client.cancel(list(futures), force=True)
            raise


def worker_hashes(jobs: list[Job]) -> list[str] | str:
    """On a worker: its content hash of each job (the same code hashes the same)."""
    try:
        return [job_hash(job) for job in jobs]
    except Exception as exc:  # e.g. a scene this worker's version does not have
        return f"{type(exc).__name__}: {exc}"


def mismatch(hashes: list[str] | str | BaseException, jobs: list[Job], wanted: list[str]) -> str:
    """What differs, in a few words, for the error line."""
    if not isinstance(hashes, list):
        return str(hashes).splitlines()[0] if str(hashes) else type(hashes).__name__
    differ = [job.name for job, a, b in zip(jobs, hashes, wanted, strict=True) if a != b]
    return f"{differ[0]!r} hashes differently"


def render_remotely(job: Job, trace: Any) -> tuple[Result, str, dict[str, bytes]]:
    """On a worker: render ``job`` into a temporary folder; return its result, the worker's
    content hash of it (the one its record holds) and the files :func:`render_job` wrote
    (video, poster, captions, record) by name."""
    try:
        digest = job_hash(job)
    except Exception as exc:  # e.g. a scene this worker's version does not have
        error = f"this worker cannot render it: {type(exc).__name__}: {exc}"
        return Result(job.name, "failed", error=error), "", {}
    with RENDER_LOCK, tempfile.TemporaryDirectory(prefix="convanim-") as tmp:
        folder = Path(tmp)
        result = render_job(job, trace, folder, digest)
        if result.status != "rendered":
            return result, digest, {}
        names = [*result.files.values(), record_path(folder, job.name).name]
        return result, digest, {name: (folder / name).read_bytes() for name in names}


def collect(future, job: Job, digest: str, output_dir: Path) -> Result:
    """The result of one task, its files landed in ``output_dir``, or why it failed.

    A worker's hash that differs from ``digest`` (the client's at the start of the build)
    is accepted only when it is the client's hash now: the code changed during the build, on
    both sides alike, and the record names the code that drew the video.
    """
    try:
        result, theirs, payload = future.result()
    except Exception as exc:  # the task's workers died, or the scheduler went away
        return Result(job.name, "failed", error=task_error(exc))
    finally:
        future.release()
    if result.status != "rendered":
        return result
    if theirs != digest and theirs != job_hash(job):
        return Result(
            job.name,
            "failed",
            error=f"its worker runs different convanim code (hash {theirs[:12]}, here "
            f"{digest[:12]}); install the same version on every worker",
        )
    try:
        land(job, payload, output_dir)
    except OSError as exc:
        return Result(job.name, "failed", error=f"cannot write into {output_dir}: {exc}")
    return result


def task_error(exc: BaseException) -> str:
    from distributed.scheduler import KilledWorker

    if isinstance(exc, KilledWorker):
        return (
            f"KilledWorker: {exc.allowed_failures + 1} workers died rendering it "
            f"(the last: {exc.last_worker.address})"
        )
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")


def land(job: Job, payload: dict[str, bytes], output_dir: Path) -> None:
    """Write a worker's files into ``output_dir`` as a local render does: every file into a
    hidden temporary folder, then one ``os.replace`` each, the record last."""
    record = record_path(output_dir, job.name).name
    names = [*sorted(set(payload) - {record}), record]
    if record not in payload or any(
        Path(n).name != n or not n.startswith(f"{job.name}.") for n in names
    ):
        raise OSError(f"unexpected files from the worker: {sorted(payload)}")
    with tempfile.TemporaryDirectory(prefix=f".{job.name}-", dir=output_dir) as tmp:
        for name in names:
            (Path(tmp) / name).write_bytes(payload[name])
        for name in names:
            os.replace(Path(tmp) / name, output_dir / name)
