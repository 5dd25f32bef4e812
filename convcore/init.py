"""Weight initialisation mirroring ``torch.nn.init`` (names without the trailing underscore).

Each function takes a shape and an explicit ``rng: numpy.random.Generator`` and returns a new
float64 array; the same seed gives the same weights. Formulas, for a conv weight of shape
``(C_out, C_in/groups, kH, kW)`` with ``fan_in = C_in/groups·kH·kW`` and
``fan_out = C_out·kH·kW`` (:func:`fan_in_and_fan_out`, their one home):

- ``xavier_uniform``: ``U(−b, b)``, ``b = gain·√(6 / (fan_in + fan_out))``
- ``xavier_normal``: ``N(0, std²)``, ``std = gain·√(2 / (fan_in + fan_out))``
- ``kaiming_uniform``: ``U(−b, b)``, ``b = gain·√(3 / fan)``
- ``kaiming_normal``: ``N(0, std²)``, ``std = gain / √fan``

with ``fan`` chosen by ``mode`` and ``gain`` from :func:`calculate_gain`.
:func:`describe_init` returns an :class:`InitTrace`: the sample with every term of its
formula, for the initialisation video.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from functools import partial

import numpy as np

from convcore._args import generator, integer, real

#: Nonlinearities :func:`calculate_gain` knows, as ``torch.nn.init`` names them.
LINEAR_FNS = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)
NONLINEARITIES = (*LINEAR_FNS, "sigmoid", "tanh", "relu", "leaky_relu", "selu")
MODES = ("fan_in", "fan_out")
#: Schemes :func:`describe_init` (and :func:`convcore.train.random_state`) accept.
SCHEMES = (
    "normal",
    "uniform",
    "constant",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_uniform",
    "kaiming_normal",
)


def _shape(shape) -> tuple[int, ...]:
    dims = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
    if not dims:
        raise ValueError(f"shape must have at least one dimension, got {shape!r}")
    return tuple(integer(d, f"shape {shape!r} entry") for d in dims)


def calculate_gain(nonlinearity: str, param=None) -> float:
    """Recommended gain for a nonlinearity, like ``torch.nn.init.calculate_gain``.

    ``1`` for linear/conv/sigmoid, ``5/3`` for tanh, ``√2`` for relu,
    ``√(2 / (1 + negative_slope²))`` for leaky_relu (``param`` = negative slope, default
    0.01), ``3/4`` for selu.

    Raises
    ------
    ValueError
        For an unknown nonlinearity or a leaky_relu ``param`` that is not a number.
    """
    if nonlinearity in LINEAR_FNS or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else real(param, "negative_slope (param)")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}; use one of {NONLINEARITIES}")


def fan_in_and_fan_out(shape) -> tuple[int, int]:
    """Fans of a weight of ``shape``, like torch's ``_calculate_fan_in_and_fan_out``.

    ``fan_in = shape[1]·∏shape[2:]``, ``fan_out = shape[0]·∏shape[2:]``; for a conv weight
    ``(C_out, C_in/groups, kH, kW)`` that is ``C_in/groups·kH·kW`` and ``C_out·kH·kW``.

    Raises
    ------
    ValueError
        If ``shape`` has fewer than 2 dimensions or a dimension < 1.
    """
    dims = _shape(shape)
    if len(dims) < 2:
        raise ValueError(f"fan_in and fan_out need a shape with >= 2 dimensions, got {shape!r}")
    receptive_field = math.prod(dims[2:])
    return dims[1] * receptive_field, dims[0] * receptive_field


def _fan(shape, mode: str) -> int:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    fan_in, fan_out = fan_in_and_fan_out(shape)
    return fan_in if mode == "fan_in" else fan_out


def normal(shape, mean=0.0, std=1.0, *, rng) -> np.ndarray:
    """Samples of ``N(mean, std²)``, shape ``shape`` (``torch.nn.init.normal_``).

    Raises ``ValueError`` for a negative or non-finite ``std``, a non-finite ``mean``, a bad
    shape, or an ``rng`` that is not a ``numpy.random.Generator``.
    """
    mean, std = real(mean, "mean"), real(std, "std", minimum=0.0)
    return generator(rng).normal(mean, std, size=_shape(shape))


def uniform(shape, a=0.0, b=1.0, *, rng) -> np.ndarray:
    """Samples of ``U(a, b)``, shape ``shape`` (``torch.nn.init.uniform_``).

    Raises ``ValueError`` if ``a > b``, a bound is not finite, the shape is bad, or ``rng`` is
    not a ``numpy.random.Generator``.
    """
    a, b = real(a, "a"), real(b, "b")
    if a > b:
        raise ValueError(f"uniform needs a <= b, got a={a!r} > b={b!r}")
    return generator(rng).uniform(a, b, size=_shape(shape))


def constant(shape, val) -> np.ndarray:
    """An array of ``shape`` filled with ``val`` (``torch.nn.init.constant_``)."""
    return np.full(_shape(shape), real(val, "val"))


def xavier_std(shape, gain=1.0) -> float:
    """``gain·√(2 / (fan_in + fan_out))``: the std both Xavier schemes produce."""
    fan_in, fan_out = fan_in_and_fan_out(shape)
    return real(gain, "gain") * math.sqrt(2.0 / float(fan_in + fan_out))


def kaiming_std(shape, a=0, mode="fan_in", nonlinearity="leaky_relu") -> float:
    """``gain / √fan``: the std both Kaiming schemes produce (``a`` = leaky_relu slope)."""
    fan = _fan(shape, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def xavier_uniform(shape, gain=1.0, *, rng) -> np.ndarray:
    """Glorot uniform: ``U(−b, b)``, ``b = gain·√(6 / (fan_in + fan_out))``.

    Raises ``ValueError`` for a shape with fewer than 2 dimensions (no fans).
    """
    bound = math.sqrt(3.0) * xavier_std(shape, gain)
    return uniform(shape, -bound, bound, rng=rng)


def xavier_normal(shape, gain=1.0, *, rng) -> np.ndarray:
    """Glorot normal: ``N(0, std²)``, ``std = gain·√(2 / (fan_in + fan_out))``.

    Raises ``ValueError`` for a shape with fewer than 2 dimensions (no fans).
    """
    return normal(shape, 0.0, xavier_std(shape, gain), rng=rng)


def kaiming_uniform(shape, a=0, mode="fan_in", nonlinearity="leaky_relu", *, rng) -> np.ndarray:
    """He uniform: ``U(−b, b)``, ``b = gain·√(3 / fan)``.

    ``gain = calculate_gain(nonlinearity, a)`` and ``fan`` is ``fan_in`` or ``fan_out``
    (``mode``). PyTorch's default ``Conv2d`` weight init is ``kaiming_uniform(shape, a=√5)``,
    i.e. ``b = 1/√fan_in``.

    Raises ``ValueError`` for an unknown mode or nonlinearity, or fewer than 2 dimensions.
    """
    bound = math.sqrt(3.0) * kaiming_std(shape, a, mode, nonlinearity)
    return uniform(shape, -bound, bound, rng=rng)


def kaiming_normal(shape, a=0, mode="fan_in", nonlinearity="leaky_relu", *, rng) -> np.ndarray:
    """He normal: ``N(0, std²)``, ``std = gain / √fan``, ``gain = calculate_gain(nonlinearity, a)``.

    ``fan`` is ``fan_in`` or ``fan_out`` (``mode``).

    Raises ``ValueError`` for an unknown mode or nonlinearity, or fewer than 2 dimensions.
    """
    return normal(shape, 0.0, kaiming_std(shape, a, mode, nonlinearity), rng=rng)


# ---------------------------------------------------------------- the initialisation video


@dataclass(frozen=True)
class InitTrace:
    """One initialisation scheme applied to one shape: the sample and every formula term.

    Text uses a true minus sign (−) and numbers to 4 significant digits.

    Attributes
    ----------
    scheme : name of the scheme (one of :data:`SCHEMES`).
    shape : shape of the sampled weight.
    distribution : ``'uniform'``, ``'normal'`` or ``'constant'``.
    formula : lines of the general formula, e.g. ``('W ~ U(−bound, bound)',
        'bound = gain·√(6 / (fan_in + fan_out))')``.
    fan_lines : fans with the shape substituted, e.g. ``('fan_in = C_in·kH·kW = 1·3·3 = 9',
        'fan_out = C_out·kH·kW = 1·3·3 = 9')``; empty for schemes that use no fan.
    substituted : the formula with numbers in, ending with the distribution, e.g.
        ``('gain = 1', 'bound = 1·√(6 / (9 + 9)) = 0.5774', 'W ~ U(−0.5774, 0.5774)')``.
    fan_in, fan_out : fans of ``shape`` (None for a shape with fewer than 2 dimensions).
    mode, fan : Kaiming's ``'fan_in'``/``'fan_out'`` and the fan it picks (else None).
    nonlinearity : Kaiming's nonlinearity (else None).
    gain : the gain (Xavier, Kaiming; else None).
    bound : ``b`` of ``U(−b, b)`` (Xavier/Kaiming uniform; else None).
    low, high : support of a uniform scheme (else None).
    mean, std : theoretical mean and standard deviation of each weight.
    sample : array of ``shape``, equal to the scheme's function with the same ``rng``.
    sample_mean, sample_std : of ``sample``.
    counts : (bins,) int histogram of ``sample``.
    edges : (bins + 1,) bin edges: ``[low, high]`` for uniform, ``mean ± max(4·std,
        max |sample − mean|)`` for normal, ``val ± 0.5`` for constant.
    centres : (bins,) bin centres.
    density : (bins,) theoretical probability density at ``centres`` (for a constant: the
        point mass spread over its bin, ``1 / bin width`` there and 0 elsewhere).
    expected_counts : (bins,) ``density · bin width · sample.size``, to draw over ``counts``.
    n_weights : ``sample.size``, the number of weights drawn.
    max_count : the tallest bar, ``max(counts)``.
    max_expected : the highest expected count, ``max(expected_counts)``.
    """

    scheme: str
    shape: tuple[int, ...]
    distribution: str
    formula: tuple[str, ...]
    fan_lines: tuple[str, ...]
    substituted: tuple[str, ...]
    fan_in: int | None
    fan_out: int | None
    mode: str | None
    fan: int | None
    nonlinearity: str | None
    gain: float | None
    bound: float | None
    low: float | None
    high: float | None
    mean: float
    std: float
    sample: np.ndarray
    sample_mean: float
    sample_std: float
    counts: np.ndarray
    edges: np.ndarray
    centres: np.ndarray
    density: np.ndarray
    expected_counts: np.ndarray
    n_weights: int
    max_count: int
    max_expected: float


def _num(value: float) -> str:
    """4 significant digits, a true minus sign."""
    return f"{value:.4g}".replace("-", "−")


def _fan_lines(shape) -> tuple[str, ...]:
    fan_in, fan_out = fan_in_and_fan_out(shape)
    if len(shape) == 2:
        return f"fan_in = {fan_in}", f"fan_out = {fan_out}"
    names = "·kH·kW" if len(shape) == 4 else "".join(f"·k{i + 1}" for i in range(len(shape) - 2))
    rest = "".join(f"·{d}" for d in shape[2:])
    return (
        f"fan_in = C_in{names} = {shape[1]}{rest} = {fan_in}",
        f"fan_out = C_out{names} = {shape[0]}{rest} = {fan_out}",
    )


def _gain_line(nonlinearity: str, a) -> str:
    gain = _num(calculate_gain(nonlinearity, a))
    if nonlinearity == "leaky_relu":
        slope = _num(0.01 if a is None else a)
        return f"gain = √(2 / (1 + {slope}²)) = {gain}"
    text = {"tanh": "5/3", "relu": "√2", "selu": "3/4"}.get(nonlinearity)
    return f"gain = {text} = {gain}" if text else f"gain = {gain}"


def _uniform_terms(low: float, high: float) -> dict:
    return {"low": low, "high": high, "mean": (low + high) / 2, "std": (high - low) / math.sqrt(12)}


def _terms_normal(shape, mean=0.0, std=1.0) -> dict:
    mean, std = real(mean, "mean"), real(std, "std", minimum=0.0)
    return {
        "distribution": "normal",
        "formula": ("W ~ N(mean, std²)",),
        "substituted": (f"W ~ N({_num(mean)}, {_num(std)}²)",),
        "mean": mean,
        "std": std,
    }


def _terms_uniform(shape, a=0.0, b=1.0) -> dict:
    low, high = real(a, "a"), real(b, "b")
    return {
        "distribution": "uniform",
        "formula": ("W ~ U(a, b)",),
        "substituted": (f"W ~ U({_num(low)}, {_num(high)})",),
        **_uniform_terms(low, high),
    }


def _terms_constant(shape, val) -> dict:
    val = real(val, "val")
    return {
        "distribution": "constant",
        "formula": ("W = val",),
        "substituted": (f"W = {_num(val)}",),
        "mean": val,
        "std": 0.0,
    }


_FORMULAS = {
    ("xavier", "uniform"): ("W ~ U(−bound, bound)", "bound = gain·√(6 / (fan_in + fan_out))"),
    ("xavier", "normal"): ("W ~ N(0, std²)", "std = gain·√(2 / (fan_in + fan_out))"),
    ("kaiming", "uniform"): ("W ~ U(−bound, bound)", "bound = gain·√(3 / {mode})"),
    ("kaiming", "normal"): ("W ~ N(0, std²)", "std = gain / √{mode}"),
}
_GAIN_FORMULAS = {"leaky_relu": "√(2 / (1 + a²))", "tanh": "5/3", "relu": "√2", "selu": "3/4"}


def _spread(distribution: str, std: float, line: str) -> dict:
    """Xavier/Kaiming: ``U(−b, b)`` with ``b = √3·std`` (as torch computes it) or ``N(0, std²)``.

    ``line`` is the substituted ``bound = …`` or ``std = …`` formula; its value is appended.
    """
    if distribution == "normal":
        substituted = (f"{line} = {_num(std)}", f"W ~ N(0, {_num(std)}²)")
        return {"substituted": substituted, "mean": 0.0, "std": std}
    bound = math.sqrt(3.0) * std
    return {
        "substituted": (f"{line} = {_num(bound)}", f"W ~ U({_num(-bound)}, {_num(bound)})"),
        "bound": bound,
        **_uniform_terms(-bound, bound),
    }


def _terms_xavier(shape, gain=1.0, *, distribution: str) -> dict:
    fan_in, fan_out = fan_in_and_fan_out(shape)
    std, fans = xavier_std(shape, gain), f"({fan_in} + {fan_out})"
    if distribution == "normal":
        terms = _spread(distribution, std, f"std = {_num(gain)}·√(2 / {fans})")
    else:
        terms = _spread(distribution, std, f"bound = {_num(gain)}·√(6 / {fans})")
    return terms | {
        "distribution": distribution,
        "formula": _FORMULAS["xavier", distribution],
        "fan_lines": _fan_lines(shape),
        "substituted": (f"gain = {_num(gain)}", *terms["substituted"]),
        "gain": float(gain),
    }


def _terms_kaiming(shape, a=0, mode="fan_in", nonlinearity="leaky_relu", *, distribution: str):
    std = kaiming_std(shape, a, mode, nonlinearity)
    fan, gain = _fan(shape, mode), calculate_gain(nonlinearity, a)
    if distribution == "normal":
        terms = _spread(distribution, std, f"std = {_num(gain)} / √{fan}")
    else:
        terms = _spread(distribution, std, f"bound = {_num(gain)}·√(3 / {fan})")
    formula = tuple(line.format(mode=mode) for line in _FORMULAS["kaiming", distribution])
    return terms | {
        "distribution": distribution,
        "formula": (*formula, f"gain = {_GAIN_FORMULAS.get(nonlinearity, '1')}"),
        "fan_lines": _fan_lines(shape),
        "substituted": (_gain_line(nonlinearity, a), *terms["substituted"]),
        "mode": mode,
        "fan": fan,
        "nonlinearity": nonlinearity,
        "gain": gain,
    }


_SAMPLERS = {
    "normal": normal,
    "uniform": uniform,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "kaiming_uniform": kaiming_uniform,
    "kaiming_normal": kaiming_normal,
}
_TERMS = {
    "normal": _terms_normal,
    "uniform": _terms_uniform,
    "constant": _terms_constant,
    "xavier_uniform": partial(_terms_xavier, distribution="uniform"),
    "xavier_normal": partial(_terms_xavier, distribution="normal"),
    "kaiming_uniform": partial(_terms_kaiming, distribution="uniform"),
    "kaiming_normal": partial(_terms_kaiming, distribution="normal"),
}


def initialise(scheme: str, shape, rng=None, **params) -> np.ndarray:
    """Sample ``shape`` with the scheme named ``scheme`` (one of :data:`SCHEMES`).

    ``initialise("kaiming_normal", shape, rng, nonlinearity="relu")`` is
    ``kaiming_normal(shape, nonlinearity="relu", rng=rng)``; ``constant`` takes ``val`` and
    needs no ``rng``.

    Raises
    ------
    ValueError
        For an unknown scheme, or as the scheme's function.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown init scheme {scheme!r}; use one of {SCHEMES}")
    if scheme == "constant":
        return constant(shape, **params)
    return _SAMPLERS[scheme](shape, **params, rng=rng)


def _histogram(terms: dict, sample: np.ndarray, bins: int):
    mean, std = terms["mean"], terms["std"]
    if terms.get("low") is not None and terms["high"] > terms["low"]:
        lo, hi = terms["low"], terms["high"]
    elif std > 0:
        half = max(4 * std, float(np.max(np.abs(sample - mean))))
        lo, hi = mean - half, mean + half
    else:
        lo, hi = mean - 0.5, mean + 0.5
    counts, edges = np.histogram(sample, bins=bins, range=(lo, hi))
    return counts, edges


def _density(terms: dict, edges: np.ndarray) -> np.ndarray:
    centres, width = (edges[:-1] + edges[1:]) / 2, edges[1] - edges[0]
    mean, std = terms["mean"], terms["std"]
    if std == 0:  # a point mass: all of it in the bin holding the mean
        holds = (edges[:-1] <= mean) & (mean < edges[1:])
        return np.where(holds, 1 / width, 0.0)
    if terms["distribution"] == "uniform":
        inside = (terms["low"] <= centres) & (centres <= terms["high"])
        return np.where(inside, 1 / (terms["high"] - terms["low"]), 0.0)
    return np.exp(-0.5 * ((centres - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi))


def describe_init(scheme: str, shape, rng=None, *, bins=20, **params) -> InitTrace:
    """Sample ``shape`` with ``scheme`` and record every term of its formula.

    Parameters
    ----------
    scheme : str
        One of :data:`SCHEMES`.
    shape : int or sequence of int
        E.g. ``(C_out, C_in/groups, kH, kW)``.
    rng : numpy.random.Generator
        Source of the sample (not needed for ``constant``).
    bins : int
        Histogram bins.
    **params
        The scheme's own parameters (``gain``; ``a``, ``mode``, ``nonlinearity``; ``mean``,
        ``std``; ``a``, ``b``; ``val``), with the defaults of its function.

    Returns
    -------
    InitTrace
        Its ``sample`` equals ``initialise(scheme, shape, rng, **params)``.

    Raises
    ------
    ValueError
        For an unknown scheme, ``bins < 1``, or as the scheme's function.
    """
    sample = initialise(scheme, shape, rng, **params)
    dims, bins = _shape(shape), integer(bins, "bins")
    terms = _TERMS[scheme](dims, **params)
    fans = fan_in_and_fan_out(dims) if len(dims) >= 2 else (None, None)
    counts, edges = _histogram(terms, sample, bins)
    density = _density(terms, edges)
    expected = density * (edges[1] - edges[0]) * sample.size
    optional = dict.fromkeys(("fan_lines", "mode", "fan", "nonlinearity", "gain", "bound"))
    optional |= {"low": None, "high": None, "fan_lines": ()}
    return InitTrace(
        **(optional | terms),
        scheme=scheme,
        shape=dims,
        fan_in=fans[0],
        fan_out=fans[1],
        sample=sample,
        sample_mean=float(sample.mean()),
        sample_std=float(sample.std()),
        counts=counts,
        edges=edges,
        centres=(edges[:-1] + edges[1:]) / 2,
        density=density,
        expected_counts=expected,
        n_weights=int(sample.size),
        max_count=int(counts.max()),
        max_expected=float(expected.max()),
    )


#: Which activation each scheme suits, in a sentence (prose for the initialisation video).
SUITS = {
    "normal": "no activation in particular: std 1 ignores the layer's size, "
    "so activations grow layer after layer",
    "uniform": "no activation in particular: every weight is positive, "
    "so all inputs push each output the same way",
    "constant": "biases (val = 0), not weights: filters that start equal stay equal",
    "xavier_uniform": "sigmoid and tanh: keeps the variance of activations and "
    "gradients the same in both directions",
    "xavier_normal": "sigmoid and tanh: the normal twin of Xavier uniform, same std",
    "kaiming_uniform": "ReLU: gain √2 makes up for the half of the signal ReLU zeroes; "
    "PyTorch's default Conv2d init (with a = √5)",
    "kaiming_normal": "ReLU (mode='fan_in', nonlinearity='relu'): gain √2 makes up "
    "for the half of the signal ReLU zeroes",
}
