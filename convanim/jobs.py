"""A job is one video to build; its record beside the video; its content hash; the cache.

A job's parameters are the values the user gave, already parsed by their declared kinds.
The declaration fills in the defaults (:meth:`Job.values`); the record ``NAME.json`` and the
content hash are both made from those values, so they can never disagree with the video.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np

from convanim import registry
from scenes.kit.params import SceneSpec, Values

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("mp4", "webm", "gif", "png")
QUALITIES = {
    "low": "low_quality",  # 854×480, 15 fps
    "medium": "medium_quality",  # 1280×720, 30 fps
    "high": "high_quality",  # 1920×1080, 60 fps
    "4k": "fourk_quality",  # 3840×2160, 60 fps
}
#: Code every video depends on besides its own scene and declaration.
SHARED_CODE = (
    "scenes/kit/*.py",
    "scenes/specs/*.py",  # declarations may share checks
    "convcore/*.py",
    "convanim/render.py",
    "convanim/captions.py",
)


@dataclass(frozen=True)
class Job:
    """One output to build: ``output_dir/name.<format>`` from scene ``scene``."""

    name: str
    scene: str
    params: dict = field(default_factory=dict)  #: the values the user gave (parsed)
    quality: str = "high"
    format: str = "mp4"
    theme: str = "dark"
    lang: str = "en"
    origin: str = ""  #: where the job was asked for (a lecture file's video), for errors

    @property
    def spec(self) -> SceneSpec:
        return registry.get(self.scene)

    def values(self) -> Values:
        """Every parameter's value: the user's, else the declared default."""
        return self.spec.resolve(self.params)

    def settings(self) -> dict:
        """Everything about the job that is recorded beside the video (JSON-ready)."""
        return {
            "scene": self.scene,
            "params": {k: canonical(v) for k, v in sorted(self.params.items())},
            "effective_params": {k: canonical(v) for k, v in self.values().items()},
            "quality": self.quality,
            "format": self.format,
            "theme": self.theme,
            "lang": self.lang,
        }


def canonical(value):
    """A JSON-ready, exact form of a parameter (arrays keep shape and every digit)."""
    if isinstance(value, np.ndarray):
        return {"shape": list(value.shape), "values": [float(v) for v in value.ravel()]}
    if hasattr(value, "_asdict"):  # a named tuple (an image file: its path and digest)
        return {k: canonical(v) for k, v in value._asdict().items()}
    if isinstance(value, tuple):
        return [canonical(v) for v in value]
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    return value


def code_files(scene: str) -> list[Path]:
    """The source files whose change must re-render ``scene``."""
    spec = registry.get(scene)
    own = [_module_file(spec.module), _module_file(spec.make_trace.__module__)]
    shared = sorted(p for pattern in SHARED_CODE for p in ROOT.glob(pattern))
    return list(dict.fromkeys(p for p in [*own, *shared] if p is not None))


def _module_file(module: str) -> Path | None:
    found = importlib.util.find_spec(module)
    return Path(found.origin) if found and found.origin else None


def job_hash(job: Job) -> str:
    """Content hash of everything that determines the job's output."""
    digest = hashlib.sha256()
    for path in code_files(job.scene):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    recipe = {**job.settings(), "manim": metadata.version("manim")}
    digest.update(json.dumps(recipe, sort_keys=True).encode())
    return digest.hexdigest()


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


def record_path(output_dir: Path, name: str) -> Path:
    return output_dir / f"{name}.json"


def cached_result(job: Job, output_dir: Path, digest: str) -> Result | None:
    """The recorded result when the job is unchanged and all its files are there whole."""
    try:
        record = json.loads(record_path(output_dir, job.name).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("hash") != digest:
        return None
    for kind, name in record.get("files", {}).items():
        path = output_dir / name
        if not path.is_file() or path.stat().st_size != record["sizes"][kind]:
            return None
    sizes = record["sizes"]
    return Result(
        job.name,
        "cached",
        record["files"],
        record["duration"],
        sizes[job.format],
        record["render_seconds"],
    )
