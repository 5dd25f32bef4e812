"""``convanim build``: render scenes in parallel, incrementally, atomically.

A *job* is one output (a scene with its parameters, quality, format, theme and language).
Its content hash covers the code that draws it, so an unchanged job is not rendered again:
the hash is recorded in ``NAME.json`` beside the video, written only after the video (and
its poster and captions) are in place. Every file is rendered into a hidden temporary
folder inside the output folder and moved into place with ``os.replace``; an interrupted
or failed job leaves earlier outputs untouched and no partial file at a final path. A lock
file keeps two builds from writing into one folder at once.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from convanim.jobs import Job, Result, cached_result, job_hash, record_path
from convanim.render import render_to_folder

LOCK_NAME = ".convanim.lock"


def stale(jobs: Iterable[Job], output_dir: Path, force: bool) -> list[tuple[Job, str]]:
    """The jobs that must render, with their hashes: all with ``force``, else those whose
    record is missing, out of date or whose files are not all there whole."""
    todo = [(job, job_hash(job)) for job in jobs]
    if force or not output_dir.is_dir():
        return todo
    return [(job, digest) for job, digest in todo if not cached_result(job, output_dir, digest)]


def compute_traces(todo: list[tuple[Job, str]]) -> dict[str, Any]:
    """Each job's trace, computed once (``ValueError`` on parameters that cannot be used).

    Runs before anything renders, so a bad parameter stops the build with nothing written;
    the renders receive these traces instead of computing them again.
    """
    traces = {}
    for job, _ in todo:
        try:
            traces[job.name] = job.spec.make_trace(job.values())
        except ValueError as exc:
            raise ValueError(f"{job.origin}: {exc}" if job.origin else str(exc)) from None
    return traces


class BuildLocked(Exception):
    """Another build holds the output folder's lock."""


class FolderLock:
    """An exclusive, non-blocking lock on an output folder (released when the process ends)."""

    def __init__(self, folder: Path):
        self.path = folder / LOCK_NAME
        self.handle = None

    def __enter__(self):
        self.handle = open(self.path, "a")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            raise BuildLocked(
                f"another convanim build is writing into {self.path.parent}; wait for it to "
                "finish or use another --output-dir"
            ) from None
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def render_job(job: Job, trace: Any, output_dir: Path, digest: str) -> Result:
    """Render one job into ``output_dir`` (atomically); failures are returned, not raised."""
    start = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix=f".{job.name}-", dir=output_dir) as tmp:
            made = render_to_folder(job, trace, Path(tmp))
            sizes = {kind: path.stat().st_size for kind, path in made.files.items()}
            files = {kind: f"{job.name}{path.suffix}" for kind, path in made.files.items()}
            for kind, path in made.files.items():
                os.replace(path, output_dir / files[kind])
    except Exception as exc:  # a scene that fails must fail alone
        last = traceback.extract_tb(exc.__traceback__)[-1]
        where = f" ({Path(last.filename).name}:{last.lineno})"
        return Result(
            job.name,
            "failed",
            error=f"{type(exc).__name__}: {exc}{where}",
            render_seconds=time.perf_counter() - start,
        )
    seconds = time.perf_counter() - start
    record = {
        **job.settings(),
        "name": job.name,
        "hash": digest,
        "files": files,
        "sizes": sizes,
        "duration": made.duration,
        "render_seconds": seconds,
        "title": made.title,
        "description": job.spec.description,
        **made.timeline(),  # beats and captions: slide decks are cut from them
    }
    write_atomically(record_path(output_dir, job.name), json.dumps(record, indent=2))
    return Result(job.name, "rendered", files, made.duration, sizes[job.format], seconds)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and one ``os.replace``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _worker_init() -> None:
    """In a worker: SIGTERM unwinds like Ctrl-C, so temporary files are removed."""
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGINT, _raise_interrupt)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def run_jobs(
    jobs: list[Job],
    todo: list[tuple[Job, str]],
    traces: dict[str, Any],
    output_dir: Path,
    workers: int,
    report: Callable[[Result], None],
    runner: Callable | None = None,
) -> list[Result]:
    """Render ``todo`` (from :func:`stale`) with their ``traces``; the other ``jobs`` are up
    to date. ``report(result)`` is called as each job ends; results come in ``jobs`` order.
    ``runner(todo, traces, output_dir, results, report)``, when given, renders instead of
    local processes (a :class:`convanim.cluster.Cluster`).

    Raises ``KeyboardInterrupt`` after cleaning up when interrupted (SIGINT or SIGTERM).
    """
    results: dict[str, Result] = {}
    rendering = {job.name for job, _ in todo}
    for job in jobs:
        if job.name not in rendering:
            results[job.name] = cached_result(job, output_dir, job_hash(job))
            report(results[job.name])
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        if runner is not None:
            runner(todo, traces, output_dir, results, report)
        elif workers <= 1 or len(todo) <= 1:
            for job, digest in todo:
                results[job.name] = render_job(job, traces[job.name], output_dir, digest)
                report(results[job.name])
        else:
            _run_parallel(todo, traces, output_dir, workers, results, report)
    finally:
        signal.signal(signal.SIGTERM, previous)
    return [results[job.name] for job in jobs]


def _run_parallel(todo, traces, output_dir, workers, results, report) -> None:
    context = get_context("spawn")
    pool = ProcessPoolExecutor(min(workers, len(todo)), context, initializer=_worker_init)
    try:
        pending = {
            pool.submit(render_job, job, traces[job.name], output_dir, digest): job
            for job, digest in todo
        }
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                job = pending.pop(future)
                results[job.name] = future.result()
                report(results[job.name])
    except BaseException:
        processes = list(getattr(pool, "_processes", {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:  # each worker cleans its temporary folder and exits
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=30)
        raise
    pool.shutdown(wait=True)
