"""Access to ``fixtures/learning_torch.npz`` and its generator (backward, init, train)."""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path

import numpy as np

FIXTURE_DIR = Path(__file__).with_name("fixtures")
FIXTURES = FIXTURE_DIR / "learning_torch.npz"


@cache
def learning_fixtures() -> tuple[dict[str, np.ndarray], dict]:
    """Arrays and ``meta`` of ``learning_torch.npz`` (see make_learning_fixtures.py)."""
    with np.load(FIXTURES) as data:
        arrays = {k: data[k] for k in data.files if k != "meta"}
        meta = json.loads(str(data["meta"]))
    return arrays, meta


def fields(kind: str, case: str) -> dict[str, np.ndarray]:
    """The arrays stored under ``<kind>/<case>/``, keyed by the rest of their name."""
    arrays, _ = learning_fixtures()
    prefix = f"{kind}/{case}/"
    return {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}


def as_kwargs(params: dict) -> dict:
    """JSON keyword arguments with lists turned back into tuples."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}


def fixture_maker():
    """The generator script as a module (imports torch: call only after ``importorskip``)."""
    path = FIXTURE_DIR / "make_learning_fixtures.py"
    spec = importlib.util.spec_from_file_location("make_learning_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
