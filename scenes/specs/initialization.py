"""``initialization``: seven weight schemes sampled and histogrammed; the symmetry problem."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from convcore.init import SCHEMES, InitTrace, describe_init
from convcore.train import SymmetryTrace, symmetry_trace
from scenes.kit.params import SEED, Param, SceneSpec, int_range

#: The schemes in the order the video shows them.
ORDER = (
    "normal",
    "uniform",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_normal",
    "kaiming_uniform",
    "constant",
)
#: Parameters of each scheme, as the article uses them (constant: ``CONSTANT_VAL``).
SCHEME_PARAMS = {
    "normal": {"mean": 0.0, "std": 1.0},
    "uniform": {"a": 0.0, "b": 1.0},
    "xavier_uniform": {},
    "xavier_normal": {},
    "kaiming_normal": {"mode": "fan_in", "nonlinearity": "relu"},
    "kaiming_uniform": {"mode": "fan_in", "nonlinearity": "relu"},
}
CONSTANT_VAL = 0.1
WEIGHT_SHAPE = (64, 32, 3, 3)  # one Conv2d(32, 64, 3) weight
MAX_BINS = 40


@dataclass(frozen=True)
class InitVideo:
    """What the video draws: one :class:`InitTrace` per scheme, and the symmetry example."""

    seed: int
    inits: tuple[InitTrace, ...]
    symmetry: SymmetryTrace


def scheme_params(scheme: str) -> dict:
    return {"val": CONSTANT_VAL} if scheme == "constant" else SCHEME_PARAMS[scheme]


def init_video(v, schemes=ORDER, weight_shape=WEIGHT_SHAPE) -> InitVideo:
    """One :class:`InitTrace` per scheme and the symmetry example (``ValueError`` if bad).

    The schemes draw in order from one ``default_rng(seed)``; the symmetry example from its
    own ``default_rng(seed)``.
    """
    seed, bins = v.seed, v.bins
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be an int >= 0, got {seed!r}")
    unknown = [s for s in schemes if s not in SCHEMES]
    if not schemes or unknown:
        raise ValueError(f"schemes must be a non-empty selection of {SCHEMES}, got {unknown}")
    if len(tuple(weight_shape)) != 4:
        raise ValueError(f"weight_shape must be (C_out, C_in, kH, kW), got {weight_shape}")
    if not isinstance(bins, numbers.Integral) or not 2 <= bins <= MAX_BINS:
        raise ValueError(f"bins must be an int from 2 to {MAX_BINS}, got {bins!r}")
    rng = np.random.default_rng(seed)
    inits = tuple(
        describe_init(s, weight_shape, rng, bins=bins, **scheme_params(s)) for s in schemes
    )
    symmetry = symmetry_trace(np.random.default_rng(seed), val=CONSTANT_VAL)
    return InitVideo(seed, inits, symmetry)


SPEC = SceneSpec(
    name="initialization",
    module="scenes.initialization",
    class_name="Initialization",
    description=(
        "Weight init: 7 schemes, histograms, formulas; why a constant never breaks symmetry."
    ),
    make_trace=init_video,
    params=(
        SEED,
        Param("bins", int_range(2, MAX_BINS), 20, "Histogram bins."),
    ),
)
