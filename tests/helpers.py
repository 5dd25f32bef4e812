"""Helpers shared by the convcore tests: committed fixtures, random cases, brute force."""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path

import numpy as np

FIXTURES = Path(__file__).with_name("fixtures") / "conv_torch.npz"

#: Tolerance against PyTorch float64 results (committed and live): absolute and relative.
TORCH_TOL = {"rtol": 1e-10, "atol": 1e-10}


@cache
def torch_fixtures() -> tuple[dict[str, np.ndarray], dict[str, dict]]:
    """Arrays and parameters of ``fixtures/conv_torch.npz`` (see make_conv_fixtures.py)."""
    with np.load(FIXTURES) as data:
        arrays = {k: data[k] for k in data.files if k != "meta"}
        meta = json.loads(str(data["meta"]))
    return arrays, meta["params"]


def fixture_ids(kind: str) -> list[str]:
    """Case ids of one kind (``conv2d``, ``unfold`` or ``fold``) in the committed fixtures."""
    _, params = torch_fixtures()
    return sorted(key.split("/", 1)[1] for key in params if key.startswith(kind + "/"))


def fixture_case(kind: str, case: str) -> tuple[dict[str, np.ndarray], dict]:
    """Arrays (``x``, ``weight``, ``bias``, ``out`` as stored) and keyword arguments."""
    arrays, params = torch_fixtures()
    prefix = f"{kind}/{case}/"
    fields = {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
    kwargs = {
        k: tuple(v) if isinstance(v, list) else v for k, v in params[kind + "/" + case].items()
    }
    return fields, kwargs


def random_conv_case(rng: np.random.Generator, max_batch: int = 2) -> dict:
    """A random valid conv2d call: arrays and keyword arguments (stride, padding, ...)."""
    groups = int(rng.choice([1, 1, 2, 3]))
    c_in_g, c_out_g = (int(v) for v in rng.integers(1, 3, size=2))
    kernel = tuple(int(v) for v in rng.integers(1, 5, size=2))
    dilation = tuple(int(v) for v in rng.integers(1, 4, size=2))
    stride = tuple(int(v) for v in rng.integers(1, 4, size=2))
    padding = tuple(int(v) for v in rng.integers(0, 3, size=2))
    if rng.random() < 0.2:
        padding = "valid"
    elif rng.random() < 0.2:
        padding, stride = "same", (1, 1)
    pad = padding if isinstance(padding, tuple) else (0, 0)
    reach = [d * (k - 1) + 1 for d, k in zip(dilation, kernel, strict=True)]
    hw = [max(1, r - 2 * p) + int(rng.integers(0, 6)) for r, p in zip(reach, pad, strict=True)]
    x_shape = (int(rng.integers(1, max_batch + 1)), c_in_g * groups, *hw)
    weight_shape = (c_out_g * groups, c_in_g, *kernel)
    bias = rng.standard_normal(weight_shape[0]) if rng.random() < 0.5 else None
    return {
        "input": rng.standard_normal(x_shape),
        "weight": rng.standard_normal(weight_shape),
        "bias": bias,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "groups": groups,
    }


def window_counts(size_hw, kernel, stride, padding, dilation) -> np.ndarray:
    """How many sliding windows cover each pixel, by walking every window and every tap."""
    (h, w), (kh, kw), (sh, sw), (ph, pw), (dh, dw) = size_hw, kernel, stride, padding, dilation
    counts = np.zeros((h, w), dtype=np.int64)
    for top in range(0, h + 2 * ph - (dh * (kh - 1) + 1) + 1, sh):
        for left in range(0, w + 2 * pw - (dw * (kw - 1) + 1) + 1, sw):
            for i in range(kh):
                for j in range(kw):
                    r, c = top + i * dh - ph, left + j * dw - pw
                    if 0 <= r < h and 0 <= c < w:
                        counts[r, c] += 1
    return counts


@cache
def npz_fixtures(filename: str) -> tuple[dict[str, np.ndarray], dict[str, dict]]:
    """Arrays and parameters of one committed fixture file in ``tests/fixtures``."""
    with np.load(FIXTURES.with_name(filename)) as data:
        arrays = {k: data[k] for k in data.files if k != "meta"}
        meta = json.loads(str(data["meta"]))
    return arrays, meta["params"]


def npz_case(filename: str, kind: str, case: str) -> tuple[dict[str, np.ndarray], dict]:
    """Arrays and keyword arguments (lists as tuples) of one case of a fixture file."""
    arrays, params = npz_fixtures(filename)
    prefix = f"{kind}/{case}/"
    fields = {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
    kwargs = params[prefix[:-1]]
    return fields, {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}


def npz_ids(filename: str, kind: str) -> list[str]:
    """Case ids of one kind in a fixture file."""
    return sorted(k.split("/")[1] for k in npz_fixtures(filename)[1] if k.startswith(kind + "/"))


@cache
def fixture_maker(name: str):
    """A fixture generator in ``tests/fixtures`` as a module (it imports torch: call it
    only after ``pytest.importorskip("torch")``)."""
    path = FIXTURES.with_name(f"{name}.py")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def numeric_grad(f, a: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Centred finite differences of the scalar ``f()`` over every entry of ``a`` (which
    ``f`` reads; each entry is nudged in place and restored)."""
    grad = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        orig = a[idx]
        a[idx] = orig + eps
        plus = f()
        a[idx] = orig - eps
        minus = f()
        a[idx] = orig
        grad[idx] = (plus - minus) / (2 * eps)
    return grad
