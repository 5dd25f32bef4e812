"""Benchmarks of convanim: convcore against PyTorch, a large trace, renders and rebuilds.

Run from the repository root, on a quiet machine (other processes make timings meaningless)::

    .venv/bin/python scripts/bench.py                # all four items; renders take many minutes
    .venv/bin/python scripts/bench.py --skip-render  # items 1, 2 and 5 only
    .venv/bin/python scripts/bench.py --render-only --scenes sliding  # items 3 and 4
    .venv/bin/python scripts/bench.py --quick --scenes sliding   # smoke run at low quality

It prints a table and writes BENCHMARKS.md at the repository root (``--output`` elsewhere).

1. conv2d forward and backward (batch 8, 64→64 channels, 56×56, 3×3, padding 1, float32):
   convcore against PyTorch CPU on the same number of threads, alternating the two, with
   NumPy's own float32 matmul of a comparable size as the ceiling. Targets: forward within
   1.25×, backward (grad_input + grad_weight + grad_bias) within 1.5× of PyTorch.
2. ``convcore.trace_conv2d`` of a 1×3×224×224 input with 64 3×3 filters, padding 1,
   float32, all positions: time, peak memory (in a fresh process) and the trace's arrays.
3. Rendering. a) A preview: the benchmark scene (``--bench-scene``, sliding) at low quality
   (``convanim build sliding --quality low --force -j 1``). Target: ≤ 0.3 s of rendering
   per second of video. b) Each scene alone at 1080p60 (``convanim build NAME --quality
   high --force -j 1``) against the time x264 needs to encode the same frames, measured in
   the same run (``encode_seconds``: the video's own frames, decoded to RGBA, encoded again
   by Manim's segment encoder with the build's settings). Target for the benchmark scene:
   ≤ 1.5×. c) ``convanim build --all --jobs 2 --force`` as a whole. Target: ≤ 1.0 s per
   video second.
4. ``convanim build --all`` again into the same folder, nothing changed. Target: < 2 s.

``--skip-render`` skips items 3 and 4, ``--render-only`` items 1, 2 and 5 (either keeps the
other items' rows and sections of the report already written); ``--quick`` renders
at low quality and runs fewer rounds; ``--scenes a,b`` limits items 3b, 3c and 4 to those
scenes, ``--render-rounds N`` builds the benchmark scene N times in 3a and 3b
(medians); ``--sweep`` times item 1's convcore commands for five sizes of their column buffer
(to tune ``CHUNK_BYTES``). Where a target is missed, BENCHMARKS.md gives a profile of what
limits it (cProfile and a split of the time). PyTorch is needed for items 1 and 5 only.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import itertools
import json
import os
import platform
import pstats
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The conv2d case of item 1: (N, C_in, H, W), (C_out, C_in, kH, kW), padding.
X_SHAPE, W_SHAPE, PADDING = (8, 64, 56, 56), (64, 64, 3, 3), 1
FORWARD_FLOPS = 2 * 8 * 64 * 64 * 3 * 3 * 56 * 56  # 2·N·C_out·C_in·kH·kW·out_h·out_w
FORWARD_TARGET, BACKWARD_TARGET, RENDER_TARGET, REBUILD_TARGET = 1.25, 1.5, 1.0, 2.0
PREVIEW_TARGET, ENCODER_TARGET = 0.3, 1.5  # item 3a: s per video s; 3b: × x264's time
BENCH_SCENE = "sliding"  #: the scene of items 3a and 3b
PAUSE = 0.25  # seconds before each timed command of item 1 (see alternate)


@dataclass
class Report:
    """What the run measured: summary rows for the table, sections for BENCHMARKS.md."""

    rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)

    def row(self, item: str, measured: str, target: str = "", verdict: str = "") -> None:
        self.rows.append((item, measured, target, verdict))


def verdict(value: float, target: float, unit: str = "×") -> str:
    """'met' or 'missed by N%' for a lower-is-better value against its target."""
    if value <= target:
        return f"met ({value:.2f}{unit} ≤ {target:g}{unit})"
    return f"MISSED by {value / target - 1:.0%} ({value:.2f}{unit} > {target:g}{unit})"


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1e3


# ---------------------------------------------------------------- item 1: conv2d vs torch


def alternate(commands: dict, rounds: int) -> dict[str, list[float]]:
    """Seconds of each command in each round, the commands run in turn (after a warm-up).

    A command is ``run`` or ``(setup, run)``: ``setup()`` is not timed and its result is
    passed to ``run``. Each command starts after a pause of ``PAUSE`` seconds, so that the
    thread pool of the library that ran before it has stopped spinning (OpenBLAS's idle
    threads spin for about 0.1 s after each call, PyTorch's OpenMP threads for less).
    """
    times: dict[str, list[float]] = {name: [] for name in commands}
    for r in range(rounds + 1):
        for name, command in commands.items():
            setup, run = command if isinstance(command, tuple) else (None, command)
            state = setup() if setup else None
            time.sleep(PAUSE)
            start = time.perf_counter()
            run(state) if setup else run()
            if r:  # round 0 warms up
                times[name].append(time.perf_counter() - start)
    return times


def conv_arrays():
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.standard_normal(X_SHAPE, dtype=np.float32)
    weight = rng.standard_normal(W_SHAPE, dtype=np.float32) / 24
    bias = rng.standard_normal(W_SHAPE[0], dtype=np.float32)
    grad_out = rng.standard_normal((X_SHAPE[0], W_SHAPE[0], *X_SHAPE[2:]), dtype=np.float32)
    return x, weight, bias, grad_out


def conv_commands(torch, arrays) -> dict:
    """The timed commands of item 1: convcore, PyTorch, the im2col route, NumPy's matmul."""
    import numpy as np

    import convcore
    from convcore.backward import _im2col_gradients
    from convcore.functional import conv2d_from_args, conv_args

    x, weight, bias, grad_out = arrays
    tx, tw, tb, tg = (torch.from_numpy(a) for a in arrays)

    def torch_forward():
        with torch.no_grad():
            torch.nn.functional.conv2d(tx, tw, tb, padding=PADDING)

    def torch_graph():
        leaves = [t.clone().requires_grad_() for t in (tx, tw, tb)]
        return torch.nn.functional.conv2d(*leaves, padding=PADDING)

    def im2col_backward():
        _im2col_gradients(grad_out, conv_args(x, weight, None, 1, PADDING))
        grad_out.sum(axis=(0, 2, 3))

    k = weight[0].size
    a, b = np.ones((W_SHAPE[0], k), np.float32), np.ones((k, X_SHAPE[0] * 56 * 56), np.float32)
    product = np.empty((a.shape[0], b.shape[1]), np.float32)
    return {
        "convcore forward": lambda: convcore.conv2d(x, weight, bias, padding=PADDING),
        "PyTorch forward": torch_forward,
        "NumPy matmul": lambda: np.matmul(a, b, out=product),
        "convcore backward": lambda: convcore.conv2d_backward(grad_out, x, weight, 1, PADDING),
        "PyTorch backward": (torch_graph, lambda y: y.backward(tg)),
        "im2col forward": lambda: conv2d_from_args(conv_args(x, weight, bias, 1, PADDING)),
        "im2col backward": im2col_backward,
    }


def conv_errors(torch, arrays) -> tuple[float, float]:
    """Largest |convcore − PyTorch| / max |PyTorch| of the output and of the gradients."""
    import convcore

    x, weight, bias, grad_out = arrays
    leaves = [torch.from_numpy(a).clone().requires_grad_() for a in (x, weight, bias)]
    y = torch.nn.functional.conv2d(*leaves, padding=PADDING)
    y.backward(torch.from_numpy(grad_out))

    def error(got, want):
        return float(abs(got - want).max() / abs(want).max())

    forward = error(convcore.conv2d(x, weight, bias, padding=PADDING), y.detach().numpy())
    grads = convcore.conv2d_backward(grad_out, x, weight, 1, PADDING)
    backward = max(error(g, t.grad.numpy()) for g, t in zip(grads, leaves, strict=True))
    return forward, backward


def bench_conv(report: Report, rounds: int, threads: int, sweep: bool) -> None:
    try:
        import torch
    except ImportError:
        report.row("1. conv2d vs PyTorch", "skipped: PyTorch is not installed")
        return
    torch.set_num_threads(threads)
    arrays = conv_arrays()
    print(f"item 1: conv2d, {rounds} alternating rounds ...", flush=True)
    times = alternate(conv_commands(torch, arrays), rounds)
    ms = {name: median_ms(t) for name, t in times.items()}
    gflops = {
        name: FORWARD_FLOPS * (2 if "backward" in name else 1) / v / 1e6 for name, v in ms.items()
    }
    gflops["NumPy matmul"] = 2 * 64 * 576 * X_SHAPE[0] * 56 * 56 / ms["NumPy matmul"] / 1e6
    forward = ms["convcore forward"] / ms["PyTorch forward"]
    backward = ms["convcore backward"] / ms["PyTorch backward"]
    shaky = unstable(times)
    note = f" (UNSTABLE: {', '.join(shaky)})" if shaky else ""
    report.row(
        "1. conv2d forward",
        f"{ms['convcore forward']:.1f} ms vs {ms['PyTorch forward']:.1f} ms: {forward:.2f}×",
        f"≤ {FORWARD_TARGET}×",
        verdict(forward, FORWARD_TARGET) + note,
    )
    report.row(
        "1. conv2d backward",
        f"{ms['convcore backward']:.1f} ms vs {ms['PyTorch backward']:.1f} ms: {backward:.2f}×",
        f"≤ {BACKWARD_TARGET}×",
        verdict(backward, BACKWARD_TARGET) + note,
    )
    report.row("1. NumPy float32 matmul", f"{gflops['NumPy matmul']:.0f} GFLOP/s (ceiling)")
    errors = conv_errors(torch, arrays)
    parts = [conv_section(ms, gflops, times, threads, errors)]
    if forward > FORWARD_TARGET or backward > BACKWARD_TARGET:
        parts.append(conv_limits(arrays, ms, gflops))
    if sweep:
        print("item 1: sizes of the column buffer ...", flush=True)
        parts.append(chunk_sweep(arrays, rounds))
    report.sections.append("\n".join(parts))


def chunk_sweep(arrays, rounds: int) -> str:
    """Forward and backward times for several sizes of the column buffer (CHUNK_BYTES)."""
    import convcore
    from convcore import _blocked

    x, weight, bias, grad_out = arrays
    default = _blocked.CHUNK_BYTES
    sizes = [default // 4, default // 2, default, default * 2, default * 4]
    commands = {}
    for size in sizes:

        def use(size=size):
            _blocked.CHUNK_BYTES = size

        commands[f"forward {size}"] = (use, lambda _: convcore.conv2d(x, weight, bias, 1, 1))
        commands[f"backward {size}"] = (
            use,
            lambda _: convcore.conv2d_backward(grad_out, x, weight, 1, PADDING),
        )
    try:
        ms = {name: median_ms(t) for name, t in alternate(commands, rounds).items()}
    finally:
        _blocked.CHUNK_BYTES = default
    lines = [
        f"### Size of the column buffer (`convcore._blocked.CHUNK_BYTES`, now {default})",
        "",
        "| bytes | forward ms | backward ms |",
        "|---:|---:|---:|",
        *(f"| {n} | {ms[f'forward {n}']:.1f} | {ms[f'backward {n}']:.1f} |" for n in sizes),
        "",
    ]
    return "\n".join(lines)


def unstable(times: dict[str, list[float]], spread: float = 1.3) -> list[str]:
    """The compared commands whose slowest round took over ``spread`` times their fastest."""
    compared = {n: t for n, t in times.items() if not n.startswith("im2col")}
    return [name for name, t in compared.items() if max(t) > spread * min(t)]


def conv_section(ms, gflops, times, threads, errors) -> str:
    forward = ms["convcore forward"] / ms["PyTorch forward"]
    backward = ms["convcore backward"] / ms["PyTorch backward"]
    lines = [
        "## 1. conv2d against PyTorch CPU",
        "",
        f"Input {X_SHAPE}, weight {W_SHAPE}, bias, padding {PADDING}, stride 1, float32; "
        f"{threads} threads for both (`torch.set_num_threads({threads})`, "
        f"`OPENBLAS_NUM_THREADS={threads}`). {len(times['convcore forward'])} rounds, each "
        f"running every command below once in turn, {PAUSE} s apart so that the other "
        "library's idle threads have stopped spinning; medians. Forward: "
        f"{FORWARD_FLOPS / 1e9:.2f} GFLOP; backward (grad_input and grad_weight): twice that. "
        "PyTorch's backward is `y.backward(grad)` after an untimed forward (grad_input, "
        "grad_weight and grad_bias).",
        "",
        "| command | median ms | fastest–slowest ms | GFLOP/s | of the matmul ceiling |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in ms:
        spread = f"{min(times[name]) * 1e3:.1f}–{max(times[name]) * 1e3:.1f}"
        lines.append(
            f"| {name} | {ms[name]:.1f} | {spread} | {gflops[name]:.0f} | "
            f"{gflops[name] / gflops['NumPy matmul']:.0%} |"
        )
    shaky = unstable(times)
    lines += [
        "",
        *(
            [
                f"**Unstable timings**: the slowest round of {', '.join(shaky)} took over 1.3× "
                "its fastest, so something else ran on the cores; the ratios below are not "
                "reliable. Rerun on a quiet machine.",
                "",
            ]
            if shaky
            else []
        ),
        f"- Forward: convcore / PyTorch = **{forward:.2f}×**, target ≤ {FORWARD_TARGET}×: "
        f"{verdict(forward, FORWARD_TARGET)}.",
        f"- Backward: convcore / PyTorch = **{backward:.2f}×**, target ≤ {BACKWARD_TARGET}×: "
        f"{verdict(backward, BACKWARD_TARGET)}.",
        f"- The ceiling is NumPy's float32 matmul `(64×576) @ (576×{X_SHAPE[0] * 56 * 56})`, "
        "the product of the forward's whole im2col matrix.",
        "- The im2col rows are the readable route (`conv2d_from_args`, one matmul over the "
        "whole batch's columns), which convcore still takes for stride ≥ 2; the convcore rows "
        "take the stride-1 route of `convcore/_blocked.py`.",
        f"- Largest difference from PyTorch, relative to the largest value: forward "
        f"{errors[0]:.1e}, gradients {errors[1]:.1e} (float32 rounding).",
        "",
    ]
    return "\n".join(lines)


def top_functions(profile: cProfile.Profile | pstats.Stats, count: int = 10) -> str:
    """The ``count`` functions with the most own time, as a Markdown table."""
    stats = profile if isinstance(profile, pstats.Stats) else pstats.Stats(profile)
    total = sum(row[2] for row in stats.stats.values()) or 1.0
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:count]
    lines = ["| function | calls | own s | share |", "|---|---:|---:|---:|"]
    for (filename, line, name), (_, calls, own, _, _) in rows:
        where = name if filename == "~" else f"{short_path(filename)}:{line} {name}"
        lines.append(f"| `{where}` | {calls} | {own:.3f} | {own / total:.0%} |")
    return "\n".join(lines)


def top_cumulative(stats: pstats.Stats, count: int = 10) -> str:
    """convanim's functions with the most time including their callees (Markdown)."""
    own = [item for item in stats.stats.items() if package_of(item[0][0]).startswith("convanim ")]
    rows = sorted(own, key=lambda item: -item[1][3])[:count]
    lines = ["| function | calls | cumulative s |", "|---|---:|---:|"]
    for (filename, line, name), (_, calls, _, cumulative, _) in rows:
        lines.append(f"| `{short_path(filename)}:{line} {name}` | {calls} | {cumulative:.3f} |")
    return "\n".join(lines)


def import_times(args: list[str], count: int = 8) -> str:
    """Seconds spent importing each top-level module in ``convanim build ARGS``."""
    command = [sys.executable, "-X", "importtime", "-m", "convanim.cli", "build", *args]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True)
    totals = {}
    for line in done.stderr.splitlines():
        fields = line.split("|")
        if line.startswith("import time:") and len(fields) == 3 and fields[1].strip().isdigit():
            if not fields[2].startswith("  "):  # nested imports are indented
                totals[fields[2].strip()] = int(fields[1]) / 1e6
    rows = sorted(totals.items(), key=lambda item: -item[1])[:count]
    lines = [
        f"Imports take {sum(totals.values()):.2f} s in all (`python -X importtime`); the "
        "slowest top-level imports, with what they import:",
        "",
        "| module | cumulative s |",
        "|---|---:|",
    ]
    return "\n".join(lines + [f"| {name} | {sec:.2f} |" for name, sec in rows])


def short_path(filename: str) -> str:
    parts = Path(filename).parts
    if "site-packages" in parts:
        return "/".join(parts[parts.index("site-packages") + 1 :])
    if filename.startswith(str(ROOT)):
        return str(Path(filename).relative_to(ROOT))
    return Path(filename).name


def conv_limits(arrays, ms, gflops) -> str:
    """What limits convcore on item 1: a split of its time, and cProfile's view."""
    split = conv_split(arrays)
    products, copies = split["forward products"], split["forward copies"]
    profile = cProfile.Profile()
    import convcore

    x, weight, bias, _ = arrays
    profile.runcall(lambda: [convcore.conv2d(x, weight, bias, padding=1) for _ in range(3)])
    torch_gflops = gflops["PyTorch forward"]
    product_gflops = FORWARD_FLOPS / products / 1e6
    lines = [
        "### What limits it",
        "",
        "convcore's time, split by running its parts alone (medians of 5, ms):",
        "",
        "| part | ms |",
        "|---|---:|",
        *(f"| {name} | {value:.1f} |" for name, value in split.items()),
        "",
        f"- The matrix products alone (OpenBLAS sgemm on runs of a few output rows) take "
        f"{products:.1f} ms of the forward's {ms['convcore forward']:.1f} ms, "
        f"{product_gflops:.0f} GFLOP/s; PyTorch's whole convolution (oneDNN's direct "
        f"convolution kernels) runs at {torch_gflops:.0f} GFLOP/s. With every copy free, "
        f"the forward would still be {products / ms['PyTorch forward']:.2f}× PyTorch.",
        f"- Padding and copying windows into columns take {copies:.1f} ms; NumPy copies on "
        "one core, so this part does not shrink with more threads while the products do.",
        f"- The backward is two such passes: grad_weight from the input's columns "
        f"({split['backward grad_weight']:.1f} ms) and grad_input as the full correlation of "
        f"grad_out with the flipped kernel ({split['backward grad_input']:.1f} ms), of its "
        f"{ms['convcore backward']:.1f} ms; each copies as many columns as the forward.",
        "",
        "cProfile of three forwards (NumPy's ufuncs, matmul included, are not functions to "
        "cProfile: their time is the own time of the function calling them):",
        "",
        top_functions(profile, 8),
        "",
    ]
    return "\n".join(lines)


def conv_split(arrays) -> dict[str, float]:
    """Median ms of the parts of convcore's stride-1 forward and backward, each run alone."""
    import numpy as np

    from convcore import _blocked
    from convcore.backward import _flip_kernel

    x, weight, _, grad_out = arrays
    pads, one, out_hw = (1, 1, 1, 1), (1, 1), X_SHAPE[2:]
    rows = weight.reshape(W_SHAPE[0], -1)
    image = np.pad(x[0], [(0, 0), (1, 1), (1, 1)])
    runs = [(q, c[0].copy()) for q, c in _blocked._row_runs(image, (3, 3), one, one, out_hw)]
    out = np.empty((X_SHAPE[0], W_SHAPE[0], *out_hw), np.float32)

    def copies():
        for padded in _blocked._padded(x, pads):
            for _ in _blocked._row_runs(padded, (3, 3), one, one, out_hw):
                pass

    def products():
        for i in range(len(x)):
            for q, cols in runs:
                np.matmul(rows, cols, out=out[i].reshape(W_SHAPE[0], -1)[:, q])

    flipped = _flip_kernel(weight, 1)
    parts = {
        "forward copies": copies,
        "forward products": products,
        "backward grad_weight": lambda: _blocked.weight_gradient(
            x, grad_out, pads, one, one, 1, (3, 3)
        ),
        "backward grad_input": lambda: _blocked.correlate(
            grad_out, flipped, None, pads, one, one, 1, out_hw
        ),
        "backward grad_bias": lambda: grad_out.sum(axis=(0, 2, 3)),
    }
    return {name: median_ms(t) for name, t in alternate(parts, 5).items()}


# ---------------------------------------------------------------- item 2: a large trace

TRACE_CODE = """
import dataclasses, json, resource, time, tracemalloc
import numpy as np
import convcore

def peak_kib():
    # VmHWM: ru_maxrss of a process started from a large one begins at the parent's size
    try:
        status = open("/proc/self/status").read()
        return int(status.split("VmHWM:")[1].split()[0])
    except (OSError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

rng = np.random.default_rng(0)
x = rng.standard_normal((1, 3, 224, 224), dtype=np.float32)
w = rng.standard_normal((64, 3, 3, 3), dtype=np.float32)
before = peak_kib()
start = time.perf_counter()
trace = convcore.trace_conv2d(x, w, padding=1)
seconds = time.perf_counter() - start
after = peak_kib()
arrays = {f.name: getattr(trace, f.name) for f in dataclasses.fields(trace)
          if isinstance(getattr(trace, f.name), np.ndarray)}

def owner(a):
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a

owners = {id(owner(a)): owner(a).nbytes for a in arrays.values()}
del trace
tracemalloc.start()
convcore.trace_conv2d(x, w, padding=1)
traced_peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({
    "seconds": seconds, "rss_mib": (after - before) / 1024, "traced_mib": traced_peak / 2**20,
    "fields": {k: [list(a.shape), str(a.dtype), a.nbytes] for k, a in arrays.items()},
    "held_mib": sum(owners.values()) / 2**20,
}))
"""


def bench_trace(report: Report) -> None:
    print("item 2: trace_conv2d of 1×3×224×224 in a fresh process ...", flush=True)
    done = subprocess.run(
        [sys.executable, "-c", TRACE_CODE], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if done.returncode:
        report.row("2. trace 224×224", f"FAILED: {done.stderr.strip().splitlines()[-1]}")
        return
    r = json.loads(done.stdout)
    report.row(
        "2. trace 224×224",
        f"{r['seconds']:.2f} s, peak +{r['rss_mib']:.0f} MiB RSS, arrays {r['held_mib']:.0f} MiB",
    )
    fields = sorted(r["fields"].items(), key=lambda item: -item[1][2])
    lines = [
        "## 2. Tracing a 1×3×224×224 input",
        "",
        "`convcore.trace_conv2d(x, w, padding=1)` with 64 filters 3×3, float32, every output "
        "position (50176), in a fresh Python process.",
        "",
        f"- Time: **{r['seconds']:.2f} s**.",
        f"- Peak memory: **+{r['rss_mib']:.0f} MiB** of resident memory over the process "
        "before the call (peak RSS, `VmHWM`: `ru_maxrss` of a process started by a large one "
        f"starts at its parent's size); {r['traced_mib']:.0f} MiB at the peak by "
        "`tracemalloc` in a second call.",
        f"- The trace holds **{r['held_mib']:.0f} MiB** of arrays (distinct buffers; views "
        "count once). Its fields, largest first:",
        "",
        "| field | shape | dtype | MiB |",
        "|---|---|---|---:|",
        *(
            f"| {name} | {tuple(shape)} | {dtype} | {size / 2**20:.1f} |"
            for name, (shape, dtype, size) in fields
            if size >= 1024
        ),
        "",
        "Smaller fields (under 1 KiB) are left out. `products` grows like "
        "N·C_out·positions·C_in·kH·kW: pass `positions=` to trace part of a large input.",
        "",
    ]
    report.sections.append("\n".join(lines))


# ---------------------------------------------------------------- items 3 and 4: rendering


def convanim_command() -> list[str]:
    script = Path(sys.executable).with_name("convanim")
    return [str(script)] if script.exists() else [sys.executable, "-m", "convanim.cli"]


def cpu_seconds(who: int = resource.RUSAGE_SELF) -> float:
    """User + system CPU seconds of this process (all its threads) or of its waited-for
    children."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def run_build(args: list[str], cpu: list[float] | None = None) -> float:
    """Wall seconds of ``convanim build ARGS`` (its CPU seconds appended to ``cpu``);
    raises RuntimeError with the output's tail."""
    start, used = time.perf_counter(), cpu_seconds(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [*convanim_command(), "build", *args], capture_output=True, text=True, cwd=ROOT, check=False
    )
    seconds = time.perf_counter() - start
    if cpu is not None:
        cpu.append(cpu_seconds(resource.RUSAGE_CHILDREN) - used)
    if done.returncode:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-5:])
        raise RuntimeError(f"convanim build {' '.join(args)} failed:\n{tail}")
    return seconds


def record(folder: Path, name: str) -> dict:
    return json.loads((folder / f"{name}.json").read_text())


def encoder_spec(quality: str):
    """Manim's resolved encoder settings for a build at ``quality`` (codec, pixel format,
    crf, preset: ``convanim.render.manim_settings`` applied as the build applies them)."""
    from manim import Scene, tempconfig

    from convanim.render import manim_settings

    with tempfile.TemporaryDirectory() as tmp, tempconfig(manim_settings(quality, Path(tmp), "x")):
        return Scene().session_spec.video_encoder


def encode_seconds(video: Path, quality: str, chunk: int = 120) -> tuple[float, float, int]:
    """Seconds x264 needs to encode ``video``'s own frames again, the CPU seconds it used
    (all threads), and how many frames there are.

    The frames are decoded to RGBA arrays (what Manim's camera hands its encoder) and given
    to Manim's own segment encoder (``VideoSegmentEncoder``: RGBA → yuv420p, libx264 with
    the build's settings) in segments of ``chunk`` frames, as Manim encodes one segment per
    animation. Only the encoding is timed, from the first frame of a segment to the end of
    its flush (x264's threads finish their work inside the timed span); decoding is not.
    """
    import av
    import numpy as np
    from manim.scene.video_segment_encoder import VideoSegmentEncoder

    spec, seconds, cpu, count = encoder_spec(quality), 0.0, 0.0, 0
    with av.open(str(video)) as source, tempfile.TemporaryDirectory() as tmp:
        frames = source.decode(source.streams.video[0])
        for index in itertools.count():
            batch = [  # contiguous, as the camera's (decoded rows may be padded)
                np.ascontiguousarray(f.to_ndarray(format="rgba"))
                for f in itertools.islice(frames, chunk)
            ]
            if not batch:
                break
            encoder = VideoSegmentEncoder(target=Path(tmp) / f"{index}.mp4", spec=spec)
            start, used = time.perf_counter(), cpu_seconds()
            for pixels in batch:
                encoder.write_frame(pixels)
            encoder.finish()
            seconds += time.perf_counter() - start
            cpu += cpu_seconds() - used
            count += len(batch)
    return seconds, cpu, count


def poster_seconds(video: Path) -> float:
    """Seconds the build spends saving ``video``'s poster (``convanim.render.save_poster``)."""
    from convanim.render import save_poster

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        save_poster(video, Path(tmp) / "poster.png")
        return time.perf_counter() - start


@dataclass
class Rendered:
    """One scene built alone: its record's duration and render seconds, the build's wall
    seconds, and (when measured) the seconds x264 needs to encode the same frames."""

    name: str
    duration: float
    render: float
    wall: float
    cpu: float
    encode: float = 0.0
    encode_cpu: float = 0.0
    frames: int = 0
    poster: float = 0.0
    ratios: list[float] = field(default_factory=list)  # render / x264 of each round
    rounds: int = 1

    @property
    def per_second(self) -> float:
        return self.render / self.duration

    @property
    def over_encoder(self) -> float:
        """Render seconds over x264's: the median of the rounds' own ratios when repeated."""
        return statistics.median(self.ratios) if self.ratios else self.render / self.encode


def build_alone(name: str, quality: str, folder: Path, encode: bool, rounds: int) -> Rendered:
    """``convanim build NAME --quality Q --force -j 1`` into ``folder``, measured ``rounds``
    times (each build followed by its encoding when ``encode``): the medians."""
    runs = []
    for _ in range(rounds):
        cpu: list[float] = []
        wall = run_build([name, "--quality", quality, "--force", "-j", "1", "-o", str(folder)], cpu)
        r = record(folder, name)
        done = Rendered(name, r["duration"], r["render_seconds"], wall, cpu[0])
        if encode:
            video = folder / r["files"][r["format"]]
            done.encode, done.encode_cpu, done.frames = encode_seconds(video, quality)
            done.poster = poster_seconds(video)
        runs.append(done)
    if rounds == 1:
        return runs[0]
    middle = {
        key: statistics.median(getattr(run, key) for run in runs)
        for key in ("render", "wall", "cpu", "encode", "encode_cpu", "poster")
    }
    ratios = [run.over_encoder for run in runs] if encode else []
    return Rendered(
        name, runs[0].duration, frames=runs[0].frames, ratios=ratios, rounds=rounds, **middle
    )


def bench_render(
    report: Report, names: list[str], every: bool, quick: bool, bench: str, rounds: int
) -> None:
    quality = "low" if quick else "high"
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="convanim-bench-") as tmp:
        low, each, whole = Path(tmp) / "low", Path(tmp) / "each", Path(tmp) / "all"
        print(f"item 3a: rendering {bench} at low quality ...", flush=True)
        preview = build_alone(bench, "low", low, encode=False, rounds=rounds)
        per_scene = []
        for name in names:
            print(
                f"item 3b: rendering {name} at {quality} quality, encoding it again ...", flush=True
            )
            per_scene.append(
                build_alone(name, quality, each, encode=True, rounds=rounds if name == bench else 1)
            )
        selection = ["--all"] if every else names
        print(f"item 3c: convanim build {' '.join(selection)} --jobs 2 ...", flush=True)
        build_args = [*selection, "--quality", quality, "-o", str(whole)]
        wall = run_build([*build_args, "--jobs", "2", "--force"])
        built = sorted(p.stem for p in whole.glob("*.json"))
        video = sum(record(whole, n)["duration"] for n in built)
        stamps = {n: (whole / f"{n}.json").read_text() for n in built}
        print("item 4: the same build again, nothing changed ...", flush=True)
        rebuild = run_build(build_args)
        unchanged = all((whole / f"{n}.json").read_text() == s for n, s in stamps.items())
        loads.append(os.getloadavg()[0])
        alone = next((r for r in per_scene if r.name == bench), per_scene[0])
        ratio = wall / video
        limits = render_limits(
            preview,
            alone,
            quality,
            ratio,
            max(per_scene, key=lambda r: r.per_second).name,
            rebuild,
            build_args,
            Path(tmp),
        )
    report.row(
        f"3a. preview: {bench} at low quality",
        f"{preview.per_second:.2f} s/s ({preview.render:.1f} s for {preview.duration:.1f} s)",
        f"≤ {PREVIEW_TARGET}",
        verdict(preview.per_second, PREVIEW_TARGET, ""),
    )
    report.row(
        f"3b. {bench} alone at {QUALITY_NAMES[quality]} vs x264 alone",
        f"{alone.over_encoder:.2f}× ({alone.render:.1f} s vs {alone.encode:.1f} s)",
        f"≤ {ENCODER_TARGET}×",
        verdict(alone.over_encoder, ENCODER_TARGET)
        if quality == "high"
        else "not judged (the target is for 1080p60)",
    )
    report.row(
        "3c. whole build: render s / video s",
        f"{ratio:.2f} ({wall:.0f} s for {video:.0f} s of video, {scenes(len(built))})",
        f"≤ {RENDER_TARGET}",
        verdict(ratio, RENDER_TARGET, ""),
    )
    report.row(
        "4. rebuild, nothing changed",
        f"{rebuild:.2f} s",
        f"< {REBUILD_TARGET} s",
        verdict(rebuild, REBUILD_TARGET, " s"),
    )
    section = render_section(
        preview, per_scene, quality, selection, wall, video, rebuild, unchanged, loads
    )
    report.sections.append("\n".join([section, limits]) if limits else section)


UNCHANGED = {
    True: "Every record unchanged: every video was up to date.",
    False: "Some records CHANGED: videos were rendered again.",
}
QUALITY_NAMES = {"low": "480p15", "high": "1080p60"}


def scenes(count: int) -> str:
    return f"{count} scene" if count == 1 else f"{count} scenes"


def encoder_method(quality: str, bench: str, per_scene: list[Rendered]) -> str:
    """How item 3b is measured, as a paragraph."""
    repeated = "".join(
        f"`{r.name}` is built {r.rounds} times, each build followed by its encoding; its row "
        "gives the medians (render / x264: the median of the rounds' ratios, "
        f"{', '.join(f'{x:.2f}' for x in r.ratios)}). "
        for r in per_scene
        if r.rounds > 1
    )
    return (
        f"`convanim build NAME --quality {quality} --force -j 1`; then the video's own frames "
        "are decoded to RGBA (what Manim's camera hands the encoder) and encoded again by "
        "Manim's segment encoder with the build's settings (libx264, yuv420p, crf 23, preset "
        "ultrafast), 120 frames a segment; only the encoding is timed (`encode_seconds`). "
        f"Target for the benchmark scene `{bench}`: render ≤ {ENCODER_TARGET}× encode. "
        f"{repeated}The poster column is the part of the render the build spends on its "
        "last frame (decoded from the last keyframe on: `convanim.render.save_poster`), "
        "timed again here."
    )


def render_section(preview, per_scene, quality, selection, wall, video, rebuild, unchanged, loads):
    ratio, count, q = wall / video, len(per_scene), QUALITY_NAMES[quality]
    lines = [
        "## 3. Rendering",
        "",
        f"Items 3 and 4 measured {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, "
        f"load average (1 min) {loads[0]:.2f} before and {loads[1]:.2f} after "
        f"(`scripts/bench.py {' '.join(sys.argv[1:])}`).",
        "",
        "Render seconds are the `render_seconds` of the NAME.json record the build writes "
        "(from loading the scene module, Manim's import included, to the video, poster and "
        "captions in place); video seconds its `duration`.",
        "",
        f"### 3a. A preview: `convanim build {preview.name} --quality low --force -j 1`",
        "",
        f"{preview.render:.1f} s for {preview.duration:.1f} s of video"
        + (f" (medians of {preview.rounds} builds)" if preview.rounds > 1 else "")
        + ": "
        f"**{preview.per_second:.2f} s per video second**; target ≤ {PREVIEW_TARGET}: "
        f"{verdict(preview.per_second, PREVIEW_TARGET, '')}. The build took {preview.wall:.1f} s "
        f"of wall time from start-up and {preview.cpu:.1f} CPU seconds.",
        "",
        f"### 3b. Each scene alone at {q} against the encoder",
        "",
        encoder_method(quality, preview.name, per_scene),
        "",
        "CPU seconds (all threads; the build's from start-up to exit) are less disturbed by "
        "other processes than wall seconds: on 2 busy cores, compare them too.",
        "",
        "| scene | video s | frames | render s | render s / video s | x264 s | render / x264 "
        "| of which poster s | wall s (with start-up) | CPU s: build / x264 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {r.name} | {r.duration:.1f} | {r.frames} | {r.render:.1f} | "
            f"{r.per_second:.2f} | {r.encode:.1f} | {r.over_encoder:.2f} | {r.poster:.1f} | "
            f"{r.wall:.1f} | {r.cpu:.1f} / {r.encode_cpu:.1f} |"
            for r in per_scene
        ),
        "",
        f"### 3c. Whole build: `convanim build {' '.join(selection)} --quality {quality} "
        "--jobs 2 --force`",
        "",
        f"{wall:.1f} s of wall time for {video:.1f} s of video in {scenes(count)}: "
        f"**{ratio:.2f} s per video second**; target ≤ {RENDER_TARGET}: "
        f"{verdict(ratio, RENDER_TARGET, '')}.",
        "",
        "## 4. Rebuild with nothing changed",
        "",
        f"The same command again into the same folder, without `--force`: **{rebuild:.2f} s** "
        f"of wall time; target < {REBUILD_TARGET} s: {verdict(rebuild, REBUILD_TARGET, ' s')}."
        f" {UNCHANGED[unchanged]}",
        "",
    ]
    return "\n".join(lines)


def profile_build(args: list[str], folder: Path) -> pstats.Stats:
    """cProfile of ``convanim build ARGS`` in a fresh process (renders run in-process)."""
    out = folder / "build.prof"
    command = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "convanim.cli", "build"]
    subprocess.run([*command, *args], capture_output=True, cwd=ROOT, check=True)
    return pstats.Stats(str(out), stream=io.StringIO())


def package_of(filename: str) -> str:
    """The package (or convanim folder) a profiled function's file belongs to."""
    parts = Path(filename).parts
    if filename == "~":
        return "built-in functions (C)"
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1]
    if filename.startswith(str(ROOT)):
        return "convanim " + Path(filename).relative_to(ROOT).parts[0]
    return "Python standard library"


def by_package(stats: pstats.Stats) -> str:
    """Own time grouped by the package it is spent in, as a Markdown table."""
    groups: dict[str, float] = {}
    for (filename, _, _), (_, _, own, _, _) in stats.stats.items():
        groups[package_of(filename)] = groups.get(package_of(filename), 0.0) + own
    total = sum(groups.values()) or 1.0
    rows = sorted(groups.items(), key=lambda item: -item[1])[:10]
    lines = ["| where | own s | share |", "|---|---:|---:|"]
    lines += [f"| {key} | {own:.2f} | {own / total:.0%} |" for key, own in rows]
    return "\n".join(lines)


def render_profile(title: str, args: list[str], folder: Path) -> list[str]:
    """A section with cProfile's view of one ``convanim build ARGS`` (renders in-process)."""
    print(f"profiling convanim build {' '.join(args)} ...", flush=True)
    folder.mkdir()
    stats = profile_build([*args, "--force", "-j", "1", "-o", str(folder)], folder)
    return [
        f"### {title}",
        "",
        f"cProfile of `convanim build {' '.join(args)}` (the encoder's threads are not "
        "profiled; waits for them show as lock `acquire`). Own time by package:",
        "",
        by_package(stats),
        "",
        "Functions with the most own time:",
        "",
        top_functions(stats, 12),
        "",
    ]


def render_limits(preview, alone, quality, ratio, slowest, rebuild, build_args, tmp) -> str:
    """Profiles for the missed targets of items 3 and 4 (empty when all are met)."""
    lines = []
    if preview.per_second > PREVIEW_TARGET:
        title = f"What limits the preview (`{preview.name}` at low quality)"
        lines += render_profile(title, [preview.name, "--quality", "low"], tmp / "preview")
    if quality == "high" and alone.over_encoder > ENCODER_TARGET:
        title = f"What limits `{alone.name}` at {QUALITY_NAMES[quality]} beyond the encoder"
        lines += render_profile(title, [alone.name, "--quality", quality], tmp / "alone")
    if ratio > RENDER_TARGET:
        title = (
            f"What limits the whole build (`{slowest}`, the scene with the most render "
            "seconds per video second)"
        )
        lines += render_profile(title, [slowest, "--quality", quality], tmp / "slowest")
    if rebuild > REBUILD_TARGET:
        print("profiling the rebuild ...", flush=True)
        stats = profile_build(build_args, tmp)
        lines += [
            "### What limits the rebuild",
            "",
            import_times(build_args),
            "",
            "convanim's functions with the most time including their callees (cProfile):",
            "",
            top_cumulative(stats),
            "",
        ]
    return "\n".join(lines)


# ---------------------------------------------------------------- the machine and the report


def machine(threads: int) -> list[str]:
    import numpy as np

    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        models = [
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = models[0] if models else cpu
    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})

    def version(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "not installed"

    return [
        f"- Date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- CPU: {os.cpu_count()} cores, {cpu}",
        f"- Threads: {threads} (OpenBLAS and PyTorch)",
        f"- Python {platform.python_version()}, NumPy {np.__version__} "
        f"(BLAS: {blas.get('name', '?')} {blas.get('version', '')}), "
        f"PyTorch {version('torch')}, Manim {version('manim')}",
    ]


def busy_warning(loads: tuple) -> list[str]:
    """A warning paragraph when other processes kept the cores busy during the run."""
    cores = os.cpu_count() or 1
    if max(loads) < 0.5 * cores:
        return []
    return [
        f"**The machine was busy** (load average up to {max(loads):.1f} on {cores} cores): "
        "other processes took CPU time from these measurements, and OpenBLAS's threads, "
        "which wait for each other at every matrix product, suffer most. Rerun on a quiet "
        "machine before reading the timings.",
        "",
    ]


def report_parts(text: str) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """A report's lines before the table rows, its rows, and its sections by item number."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.startswith("## ")), len(lines))
    head = [line for line in lines[:first] if not re.match(r"\| \d", line)]
    rows = [line for line in lines[:first] if re.match(r"\| \d", line)]
    sections: dict[str, list[str]] = {}
    current = ""
    for line in lines[first:]:
        if line.startswith("## "):
            current = re.match(r"## (\d*)", line).group(1) or line
            sections[current] = []
        sections[current].append(line)
    return head, rows, sections


#: The items a ``--skip-render`` run measures.
NOT_RENDERING = {"1", "2", "5"}


def stamp_section(section: list[str], run_head: list[str]) -> None:
    """Insert, below a section's heading, the date and load of the run that measured it
    (from that run's header) unless the section already says when it was measured."""
    if any("measured" in line.lower() for line in section[1:4]):
        return
    found = {
        key: line.split(":", 1)[1].strip()
        for line in run_head
        for key in ("Date", "Load average (1 min) before and after")
        if line.startswith(f"- {key}:")
    }
    if "Date" in found:
        load = found.get("Load average (1 min) before and after", "?")
        section[1:1] = ["", f"Measured {found['Date']}, load average (1 min) {load}."]


def merged(old: str, new: str, items: set[str]) -> str:
    """``old`` with its table rows and sections of ``items`` replaced by ``new``'s (a run
    of some items only: ``--render-only`` or ``--skip-render``)."""
    old_head, old_rows, old_sections = report_parts(old)
    head, new_rows, new_sections = report_parts(new)
    # each section says when it was measured: the run that wrote it may not be this one
    for sections, run_head in ((old_sections, old_head), (new_sections, head)):
        for item in NOT_RENDERING & set(sections):  # items 3 and 4 carry their own line
            stamp_section(sections[item], run_head)

    def number(row: str) -> str:
        return re.match(r"\| (\d*)", row).group(1)

    def order(item: str) -> float:
        return int(item) if item.isdigit() else float("inf")

    rows = [r for r in old_rows if number(r) not in items]
    rows += [r for r in new_rows if number(r) in items]
    sections = {k: v for k, v in old_sections.items() if k not in items}
    sections |= {k: v for k, v in new_sections.items() if k in items}
    body = [line for key in sorted(sections, key=order) for line in sections[key]]
    while head and not head[-1].strip():
        head.pop()
    rows.sort(key=lambda row: order(number(row)))
    return "\n".join([*head, *rows, "", *body]).rstrip() + "\n"


def write_report(
    report: Report, threads: int, output: Path, loads: tuple, only: set[str] | None = None
) -> None:
    """Print the table and write the report to ``output``; with ``only`` (the items run),
    keep the other items' rows and sections of the report already there."""
    width = [max(len(row[i]) for row in report.rows) for i in range(4)]
    print()
    for line in busy_warning(loads):
        print(line)
    for row in [("item", "measured", "target", "result"), *report.rows]:
        print("  ".join(cell.ljust(width[i]) for i, cell in enumerate(row)).rstrip())
    table = ["| item | measured | target | result |", "|---|---|---|---|"]
    table += [f"| {' | '.join(row)} |" for row in report.rows]
    text = "\n".join(
        [
            "# Benchmarks",
            "",
            "Written by `scripts/bench.py` (run `.venv/bin/python scripts/bench.py`; see its "
            "docstring). Numbers from one run on this machine:",
            "",
            *machine(threads),
            f"- Load average (1 min) before and after: {loads[0]:.2f}, {loads[1]:.2f}",
            "",
            *busy_warning(loads),
            *table,
            "",
            "\n".join(report.sections),
        ]
    )
    if only is not None and output.exists():
        text = merged(output.read_text(), text, only)
    output.write_text(text.rstrip() + "\n")
    print(f"\nwrote {output}")


def bench_pool_transpose(report: Report, threads: int) -> None:
    """Item 5: transposed convolution, pooling and grouped convolution against PyTorch, true
    convolution against scipy.signal (scripts/bench_pool_transpose.py)."""
    import numpy as np
    import torch

    sys.path.insert(0, str(ROOT / "scripts"))
    import bench_pool_transpose as bpt

    torch.set_num_threads(threads)
    data = bpt.arrays(np.random.default_rng(0))
    bpt.check(torch, data)
    result = bpt.ratios(bpt.commands(torch, data), 30, time.perf_counter)
    against_scipy = bpt.ratios(bpt.scipy_commands(data), 30, time.perf_counter)
    lines = [
        "## 5. Transposed convolution, pooling, groups and true convolution",
        "",
        f"`scripts/bench_pool_transpose.py`: float32 against PyTorch {torch.__version__} CPU "
        f"on {threads} threads (wall time, medians of 30 alternating rounds); "
        "`convolve2d` in float64 against scipy.signal. Shapes in that script's docstring.",
        "",
    ]
    lines += ["| case | convcore ms | reference ms | ratio |", "|---|---|---|---|"]
    for name, (ours, theirs, ratio) in [*result.items(), *against_scipy.items()]:
        reference = "scipy" if name in against_scipy else "PyTorch"
        lines.append(f"| `{name}` | {ours:.2f} | {theirs:.2f} ({reference}) | {ratio:.2f}× |")
        if name in ("conv_transpose2d", "max_pool2d", "conv2d depthwise", "convolve2d same"):
            report.row(
                f"5. {name}",
                f"{ours:.1f} ms vs {theirs:.1f} ms: {ratio:.2f}×",
                "≤ 2×",
                verdict(ratio, bpt.TARGET),
            )
    report.sections.append("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="low-quality renders and 3 rounds: a fast smoke run"
    )
    parser.add_argument("--skip-render", action="store_true", help="skip items 3 and 4")
    parser.add_argument(
        "--render-only", action="store_true", help="items 3 and 4 only (no PyTorch needed)"
    )
    parser.add_argument("--scenes", help="comma-separated scenes for items 3b–4 (all)")
    parser.add_argument(
        "--bench-scene", default=BENCH_SCENE, help=f"the scene of items 3a and 3b ({BENCH_SCENE})"
    )
    parser.add_argument(
        "--render-rounds",
        type=int,
        default=3,
        help="builds of the benchmark scene in items 3a and 3b, medians reported (3)",
    )
    parser.add_argument("--rounds", type=int, help="alternating rounds of item 1 (7)")
    parser.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count() or 1,
        help="threads for OpenBLAS and PyTorch (all cores)",
    )
    parser.add_argument(
        "--sweep", action="store_true", help="item 1 also for 5 sizes of the column buffer"
    )
    parser.add_argument(
        "--output", type=Path, default=ROOT / "BENCHMARKS.md", help="where to write the report"
    )
    args = parser.parse_args()
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(args.threads)  # before NumPy loads OpenBLAS
    sys.path.insert(0, str(ROOT))
    from convanim.registry import SCENES

    names = args.scenes.split(",") if args.scenes else list(SCENES)
    unknown = [n for n in [*names, args.bench_scene] if n not in SCENES]
    if unknown:
        parser.error(f"unknown scene {unknown[0]!r}; known: {', '.join(SCENES)}")
    loads = [os.getloadavg()[0]]
    report = Report()
    if not args.render_only:
        bench_conv(report, args.rounds or (3 if args.quick else 7), args.threads, args.sweep)
        bench_trace(report)
        bench_pool_transpose(report, args.threads)
    if not args.skip_render:
        try:
            bench_render(
                report, names, args.scenes is None, args.quick, args.bench_scene, args.render_rounds
            )
        except RuntimeError as exc:  # a failed build: report it, keep items 1 and 2
            report.row("3. and 4. rendering", "FAILED: " + str(exc).splitlines()[0])
            report.sections.append(f"## 3. and 4. Rendering\n\nFAILED:\n\n```\n{exc}\n```\n")
    loads.append(os.getloadavg()[0])
    only = {"3", "4"} if args.render_only else NOT_RENDERING if args.skip_render else None
    write_report(report, args.threads, args.output, tuple(loads), only)


if __name__ == "__main__":
    main()
