"""Benchmark convcore's transposed convolution, pooling, grouped convolution and true
convolution against PyTorch CPU (and scipy.signal).

Run from the repository root, on a quiet machine, with PyTorch installed::

    .venv/bin/python scripts/bench_pool_transpose.py [--rounds 30] [--threads 2]

On a busy machine wall-clock times say little; compare CPU time on one thread instead::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/bench_pool_transpose.py --threads 1 --cpu-time

Cases (float32, both libraries on the same number of threads, commands alternating):

- ``conv_transpose2d``: 8×64×28×28 → 64 channels, k=4, s=2, p=1 (a 2× upsampling decoder
  layer), with bias; and its backward (``conv_transpose2d_backward`` vs autograd);
- ``max_pool2d`` k=2, s=2 on 8×64×56×56 (without and with indices), its backward, and
  ``avg_pool2d`` k=2, s=2 for comparison;
- grouped ``conv2d`` on 8×64×56×56, 3×3, padding 1: ``groups=4`` (64 → 64) and depthwise
  (``groups=64``, a MobileNet layer), and the depthwise backward (vs autograd);
- ``convolve2d`` (true convolution, ``'same'``) of a 512×512 image with a 5×5 kernel
  against ``scipy.signal.convolve2d`` (float64).

Target: the forward passes within 2× of PyTorch. Prints the median and best time of each
command and the ratios; written so that :func:`commands` and :func:`ratios` can move into
``scripts/bench.py`` as one more item.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

TARGET = 2.0
PAUSE = 0.1  # seconds before each timed command, so the other library's threads go idle


def arrays(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Inputs of both cases, float32."""
    f32 = np.float32
    x = rng.standard_normal((8, 64, 28, 28), dtype=f32)
    return {
        "x": x,
        "weight": rng.standard_normal((64, 64, 4, 4), dtype=f32) / 32,
        "bias": rng.standard_normal(64, dtype=f32),
        "grad_up": rng.standard_normal((8, 64, 56, 56), dtype=f32),
        "pool_x": rng.standard_normal((8, 64, 56, 56), dtype=f32),
        "grad_pool": rng.standard_normal((8, 64, 28, 28), dtype=f32),
        "w_groups": rng.standard_normal((64, 16, 3, 3), dtype=f32) / 12,
        "w_depthwise": rng.standard_normal((64, 1, 3, 3), dtype=f32) / 3,
        "image": rng.standard_normal((512, 512)),
        "image_kernel": rng.standard_normal((5, 5)),
    }


def commands(torch, a: dict[str, np.ndarray]) -> dict[str, tuple]:
    """Pairs ``name: (convcore command, PyTorch command)``; a command is a callable."""
    import convcore

    F = torch.nn.functional
    t = {k: torch.from_numpy(v) for k, v in a.items()}
    up = {"stride": 2, "padding": 1}

    def torch_transpose_backward():
        leaves = [t[k].clone().requires_grad_() for k in ("x", "weight", "bias")]
        F.conv_transpose2d(*leaves, **up).backward(t["grad_up"])

    def torch_max_backward():
        leaf = t["pool_x"].clone().requires_grad_()
        F.max_pool2d(leaf, 2, 2).backward(t["grad_pool"])

    def torch_depthwise_backward():
        leaves = [t[k].clone().requires_grad_() for k in ("pool_x", "w_depthwise")]
        F.conv2d(*leaves, padding=1, groups=64).backward(t["pool_x"])

    def no_grad(f):
        def run():
            with torch.no_grad():
                f()

        return run

    return {
        "conv_transpose2d": (
            lambda: convcore.conv_transpose2d(a["x"], a["weight"], a["bias"], **up),
            no_grad(lambda: F.conv_transpose2d(t["x"], t["weight"], t["bias"], **up)),
        ),
        "conv_transpose2d backward": (
            lambda: convcore.conv_transpose2d_backward(a["grad_up"], a["x"], a["weight"], **up),
            torch_transpose_backward,
        ),
        "max_pool2d": (
            lambda: convcore.max_pool2d(a["pool_x"], 2, 2),
            no_grad(lambda: F.max_pool2d(t["pool_x"], 2, 2)),
        ),
        "max_pool2d indices": (
            lambda: convcore.max_pool2d(a["pool_x"], 2, 2, return_indices=True),
            no_grad(lambda: F.max_pool2d(t["pool_x"], 2, 2, return_indices=True)),
        ),
        "max_pool2d backward": (
            lambda: convcore.max_pool2d_backward(a["grad_pool"], a["pool_x"], 2, 2),
            torch_max_backward,
        ),
        "avg_pool2d": (
            lambda: convcore.avg_pool2d(a["pool_x"], 2, 2),
            no_grad(lambda: F.avg_pool2d(t["pool_x"], 2, 2)),
        ),
        "conv2d groups=4": (
            lambda: convcore.conv2d(a["pool_x"], a["w_groups"], padding=1, groups=4),
            no_grad(lambda: F.conv2d(t["pool_x"], t["w_groups"], padding=1, groups=4)),
        ),
        "conv2d depthwise": (
            lambda: convcore.conv2d(a["pool_x"], a["w_depthwise"], padding=1, groups=64),
            no_grad(lambda: F.conv2d(t["pool_x"], t["w_depthwise"], padding=1, groups=64)),
        ),
        "conv2d depthwise backward": (
            lambda: convcore.conv2d_backward(
                a["pool_x"], a["pool_x"], a["w_depthwise"], padding=1, groups=64
            ),
            torch_depthwise_backward,
        ),
    }


def scipy_commands(a: dict[str, np.ndarray]) -> dict[str, tuple]:
    """Pairs ``name: (convcore command, scipy.signal command)``."""
    import scipy.signal

    import convcore

    image, kernel = a["image"], a["image_kernel"]
    return {
        "convolve2d same": (
            lambda: convcore.convolve2d(image, kernel, "same"),
            lambda: scipy.signal.convolve2d(image, kernel, "same"),
        ),
    }


def ratios(
    pairs: dict[str, tuple], rounds: int, clock=time.perf_counter
) -> dict[str, tuple[float, float, float]]:
    """``name: (convcore ms, PyTorch ms, ratio)`` from medians of alternating rounds.

    ``clock`` is ``time.perf_counter`` (wall) or ``time.thread_time`` (CPU time of this
    thread: meaningful with one thread only).
    """
    times = {name: ([], []) for name in pairs}
    for r in range(rounds + 1):  # round 0 warms up
        for name, commands_ in pairs.items():
            for command, bucket in zip(commands_, times[name], strict=True):
                time.sleep(PAUSE)
                start = clock()
                command()
                if r:
                    bucket.append(clock() - start)
    result = {}
    for name, (ours, theirs) in times.items():
        ours_ms, theirs_ms = statistics.median(ours) * 1e3, statistics.median(theirs) * 1e3
        result[name] = (ours_ms, theirs_ms, ours_ms / theirs_ms)
        best = min(ours) / min(theirs)
        print(
            f"{name:28s} {ours_ms:8.2f} ms  torch {theirs_ms:8.2f} ms  "
            f"median {ours_ms / theirs_ms:5.2f}×  best-of {best:5.2f}×"
        )
    return result


def check(torch, a: dict[str, np.ndarray]) -> None:
    """Fail loudly if convcore and PyTorch disagree on these inputs (float32 tolerances)."""
    import convcore

    F = torch.nn.functional
    t = {k: torch.from_numpy(v) for k, v in a.items()}
    ours = convcore.conv_transpose2d(a["x"], a["weight"], a["bias"], stride=2, padding=1)
    theirs = F.conv_transpose2d(t["x"], t["weight"], t["bias"], stride=2, padding=1)
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(
        convcore.max_pool2d(a["pool_x"], 2, 2), F.max_pool2d(t["pool_x"], 2, 2).numpy()
    )
    for key, groups in (("w_groups", 4), ("w_depthwise", 64)):
        ours = convcore.conv2d(a["pool_x"], a[key], padding=1, groups=groups)
        theirs = F.conv2d(t["pool_x"], t[key], padding=1, groups=groups)
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-4, atol=1e-4)
    import scipy.signal

    np.testing.assert_allclose(
        convcore.convolve2d(a["image"], a["image_kernel"], "same"),
        scipy.signal.convolve2d(a["image"], a["image_kernel"], "same"),
        rtol=1e-12,
        atol=1e-12,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="timed rounds per command")
    parser.add_argument("--threads", type=int, default=2, help="PyTorch threads")
    parser.add_argument(
        "--cpu-time", action="store_true", help="time CPU of this thread (needs --threads 1)"
    )
    args = parser.parse_args()
    if args.cpu_time and (args.threads != 1 or os.environ.get("OPENBLAS_NUM_THREADS") != "1"):
        parser.error("--cpu-time needs --threads 1 and OPENBLAS_NUM_THREADS=1")
    import torch

    torch.set_num_threads(args.threads)
    data = arrays(np.random.default_rng(0))
    check(torch, data)
    clock = time.thread_time if args.cpu_time else time.perf_counter
    result = ratios(commands(torch, data), args.rounds, clock)
    print("against scipy.signal (float64):")
    ratios(scipy_commands(data), args.rounds, clock)
    for name in ("conv_transpose2d", "max_pool2d"):
        verdict = "met" if result[name][2] <= TARGET else "MISSED"
        print(f"{name}: {result[name][2]:.2f}× PyTorch, target ≤ {TARGET}×: {verdict}")


if __name__ == "__main__":
    main()
