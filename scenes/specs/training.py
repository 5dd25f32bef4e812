"""``training``: when the kernel weights change, phase by phase over a few epochs of SGD."""

from __future__ import annotations

import math
import numbers

import numpy as np

from convcore.init import SCHEMES
from convcore.train import TrainingState, TrainingTrace, article_example, random_state
from convcore.train import trace_training as run_training
from scenes.kit.params import FLOAT, SEED, Param, SceneSpec, choice, int_range

MAX_EPOCHS = 5
MAX_ABS = 100.0  #: largest |value| drawn with 4 decimals in a cell
#: Weight schemes of a random start (a constant start would train nothing worth showing).
INIT_SCHEMES = tuple(s for s in SCHEMES if s != "constant")
DEFAULT_SCHEME, DEFAULT_SEED = "xavier_uniform", 0


def random_start(v) -> tuple[str, int] | None:
    """``(scheme, seed)`` of a random start, or None for the article's example."""
    if v.seed is None and v.init is None:
        return None
    scheme = DEFAULT_SCHEME if v.init is None else v.init
    return scheme, DEFAULT_SEED if v.seed is None else v.seed


def start_state(v) -> TrainingState:
    """The article's example, or a seeded random start (raises ``ValueError``)."""
    start = random_start(v)
    if start is None:
        return article_example()
    scheme, seed = start
    if scheme not in INIT_SCHEMES:
        raise ValueError(f"init must be one of {', '.join(INIT_SCHEMES)}, got {scheme!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be an int >= 0, got {seed!r}")
    example = article_example()
    rng = np.random.default_rng(seed)
    return random_state(example.layers, example.x.shape, rng=rng, scheme=scheme)


def check_settings(v) -> None:
    """Raise ``ValueError`` for epochs, lr or momentum the video cannot use."""
    epochs = v.epochs
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral):
        raise ValueError(f"epochs must be an int from 1 to {MAX_EPOCHS}, got {epochs!r}")
    if not 1 <= epochs <= MAX_EPOCHS:
        raise ValueError(f"epochs must be from 1 to {MAX_EPOCHS}, got {epochs}")
    if not isinstance(v.lr, numbers.Real) or not v.lr > 0:
        raise ValueError(f"lr must be a number > 0, got {v.lr!r}")
    if not isinstance(v.momentum, numbers.Real) or not 0 <= v.momentum < 1:
        raise ValueError(f"momentum must be a number in [0, 1), got {v.momentum!r}")


def diverges(largest: float) -> ValueError:
    return ValueError(
        f"training diverges (a value reaches {largest:.4g}); numbers of |value| >= "
        f"{MAX_ABS:g} cannot be drawn: use a smaller lr or fewer epochs"
    )


def training_trace(v) -> TrainingTrace:
    """The training run the video draws (raises ``ValueError`` on unusable parameters)."""
    check_settings(v)
    state = start_state(v)
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            trace = run_training(state, epochs=v.epochs, lr=v.lr, momentum=v.momentum)
    except ValueError as exc:
        if "NaN or infinity" not in str(exc):
            raise
        raise diverges(math.inf) from exc  # a gradient overflowed
    if not math.isfinite(trace.largest_abs) or trace.largest_abs >= MAX_ABS:
        raise diverges(trace.largest_abs)
    return trace


SPEC = SceneSpec(
    name="training",
    module="scenes.training",
    class_name="TrainingStep",
    description=(
        "When weights change: zero_grad, forward, loss, backward, step over 3 epochs of SGD."
    ),
    make_trace=training_trace,
    params=(
        Param("lr", FLOAT, 0.01, "SGD learning rate (> 0)."),
        Param("epochs", int_range(1, MAX_EPOCHS), 3, "Training epochs (1 to 5)."),
        Param("momentum", FLOAT, 0.0, "SGD momentum in [0, 1)."),
        SEED.but(
            default=None,
            help="Random seed (numpy default_rng; training: a random start, not the article's).",
        ),
        Param(
            "init",
            choice(INIT_SCHEMES),
            None,
            "Weight scheme of a random start (xavier_uniform with --seed alone).",
        ),
    ),
)
