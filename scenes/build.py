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
import hashlib
import json
import os
import signal
import sys
import tempfile
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from importlib import metadata
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from scenes import registry

FORMATS = ("mp4", "webm", "gif", "png")
LOCK_NAME = ".convanim.lock"
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Job:
    """One output to build: ``output_dir/name.<format>`` from scene ``scene``."""

    name: str
    scene: str
    params: dict = field(default_factory=dict)
    quality: str = "high"
    format: str = "mp4"
    theme: str = "dark"
    lang: str = "en"

    def scene_class(self) -> type:
        """The registered scene class with this job's parameters, theme and language."""
        return registry.get(self.scene).configured(self.params, self.theme, self.lang)

    def settings(self) -> dict:
        """Everything about the job that is recorded beside the video (JSON-ready)."""
        return {
            "scene": self.scene,
            "params": {k: canonical(v) for k, v in sorted(self.params.items())},
            "quality": self.quality,
            "format": self.format,
            "theme": self.theme,
            "lang": self.lang,
        }


@dataclass
class Result:
    """What became of one job."""

    name: str
    status: str  # "rendered", "cached" or "failed"
    files: dict[str, str] = field(default_factory=dict)  # kind → file name
    duration: float = 0.0  # seconds of video
    size: int = 0  # bytes of the main file
    render_seconds: float = 0.0
    error: str = ""


def canonical(value):
    """A JSON-ready, exact form of a parameter (arrays keep shape and every digit)."""
    if isinstance(value, np.ndarray):
        return {"shape": list(value.shape), "values": [float(v) for v in value.ravel()]}
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    return value


def code_files(scene: str) -> list[Path]:
    """The source files whose change must re-render ``scene``."""
    module = registry.get(scene).module
    own = ROOT / (module.replace(".", "/") + ".py")
    shared = [ROOT / "scenes" / n for n in ("common.py", "textfmt.py", "i18n.py", "captions.py")]
    return [own, *shared, *sorted((ROOT / "convcore").glob("*.py"))]


def job_hash(job: Job) -> str:
    """Content hash of everything that determines the job's output."""
    digest = hashlib.sha256()
    for path in code_files(job.scene):
        if path.exists():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    recipe = {**job.settings(), "manim": metadata.version("manim")}
    digest.update(json.dumps(recipe, sort_keys=True).encode())
    return digest.hexdigest()


def sidecar_path(output_dir: Path, name: str) -> Path:
    return output_dir / f"{name}.json"


def cached_result(job: Job, output_dir: Path, digest: str) -> Result | None:
    """The recorded result when the job is unchanged and all its files are there whole."""
    try:
        record = json.loads(sidecar_path(output_dir, job.name).read_text())
    except (OSError, ValueError):
        return None
    if record.get("hash") != digest:
        return None
    for kind, name in record.get("files", {}).items():
        path = output_dir / name
        if not path.is_file() or path.stat().st_size != record["sizes"][kind]:
            return None
    return Result(
        job.name,
        "cached",
        record["files"],
        record["duration"],
        record["sizes"][job.format],
        record["render_seconds"],
    )


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


def render_job(job: Job, output_dir: Path, digest: str) -> Result:
    """Render one job into ``output_dir`` (atomically); failures are returned, not raised."""
    from scenes.render import render_to_folder

    start = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix=f".{job.name}-", dir=output_dir) as tmp:
            made = render_to_folder(job, Path(tmp))
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
        "description": registry.get(job.scene).description,
        "effective_params": made.params,
    }
    write_atomically(sidecar_path(output_dir, job.name), json.dumps(record, indent=2))
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


def run_jobs(jobs: list[Job], output_dir: Path, workers: int, force: bool, report) -> list[Result]:
    """Build ``jobs`` (cached ones skipped unless ``force``); ``report(result)`` as each ends.

    Raises ``KeyboardInterrupt`` after cleaning up when interrupted (SIGINT or SIGTERM).
    """
    results: dict[str, Result] = {}
    todo = []
    for job in jobs:
        digest = job_hash(job)
        hit = None if force else cached_result(job, output_dir, digest)
        if hit:
            results[job.name] = hit
            report(hit)
        else:
            todo.append((job, digest))
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        if workers <= 1 or len(todo) <= 1:
            for job, digest in todo:
                results[job.name] = render_job(job, output_dir, digest)
                report(results[job.name])
        else:
            _run_parallel(todo, output_dir, workers, results, report)
    finally:
        signal.signal(signal.SIGTERM, previous)
    return [results[job.name] for job in jobs]


def _run_parallel(todo, output_dir, workers, results, report) -> None:
    context = get_context("spawn")
    pool = ProcessPoolExecutor(min(workers, len(todo)), context, initializer=_worker_init)
    try:
        pending = {pool.submit(render_job, job, output_dir, digest): job for job, digest in todo}
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


def summary_rows(results: list[Result]) -> list[dict]:
    """One row per job for the summary table."""
    return [asdict(r) for r in results]


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use `convanim build`")
