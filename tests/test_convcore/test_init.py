"""convcore.init: gains, fans, the samplers of ``torch.nn.init`` and describe_init.

Oracles: PyTorch's ``calculate_gain`` and ``_calculate_fan_in_and_fan_out`` (committed values
always, live when installed); the formulas of the article's part 8 on large samples (bounds
exact, standard deviations within 3 %: with ≥ 18 432 draws the sampling error of a standard
deviation is about 0.5 %).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from learning_fixtures import learning_fixtures

from convcore import init
from convcore.init import (
    SCHEMES,
    calculate_gain,
    constant,
    describe_init,
    fan_in_and_fan_out,
    initialise,
    kaiming_normal,
    kaiming_uniform,
    normal,
    uniform,
    xavier_normal,
    xavier_uniform,
)

GAINS = learning_fixtures()[1]["gains"]
FANS = learning_fixtures()[1]["fans"]
LARGE = [(64, 32, 3, 3), (128, 64, 5, 5)]


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# ---------------------------------------------------------------- gains and fans


@pytest.mark.parametrize(("nonlinearity", "param", "expected"), GAINS)
def test_gain_matches_torch_fixture(nonlinearity, param, expected):
    assert calculate_gain(nonlinearity, param) == pytest.approx(expected, rel=1e-15)


@pytest.mark.torch
@pytest.mark.parametrize(("nonlinearity", "param", "expected"), GAINS)
def test_gain_matches_live_torch(torch, nonlinearity, param, expected):
    got = calculate_gain(nonlinearity, param)
    assert got == pytest.approx(torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-15)


def test_every_nonlinearity_is_in_the_fixture():
    assert {nl for nl, _, _ in GAINS} == set(init.NONLINEARITIES)


def test_gain_values():
    assert calculate_gain("relu") == math.sqrt(2)
    assert calculate_gain("tanh") == 5 / 3
    assert calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)


@pytest.mark.parametrize(("shape", "fan_in", "fan_out"), FANS)
def test_fans_match_torch_fixture(shape, fan_in, fan_out):
    assert fan_in_and_fan_out(shape) == (fan_in, fan_out)


@pytest.mark.torch
@pytest.mark.parametrize(("shape", "fan_in", "fan_out"), FANS)
def test_fans_match_live_torch(torch, shape, fan_in, fan_out):
    expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    assert fan_in_and_fan_out(shape) == expected


def test_conv_fans_article():
    """Part 8: for a conv weight (C_out, C_in, K, K), fan_in = C_in·K·K, fan_out = C_out·K·K."""
    assert fan_in_and_fan_out((1, 1, 3, 3)) == (9, 9)
    assert fan_in_and_fan_out((16, 3, 5, 5)) == (75, 400)
    assert fan_in_and_fan_out((6, 2, 3, 3)) == (18, 54)  # groups=2: shape[1] = C_in/groups


# ---------------------------------------------------------------- samplers and formulas


@pytest.mark.parametrize("shape", LARGE)
@pytest.mark.parametrize("gain", [1.0, calculate_gain("tanh")])
def test_xavier_uniform_bound(shape, gain):
    fan_in, fan_out = fan_in_and_fan_out(shape)
    bound = gain * math.sqrt(6 / (fan_in + fan_out))
    w = xavier_uniform(shape, gain, rng=rng())
    assert w.shape == shape and w.dtype == np.float64
    assert -bound <= w.min() < -0.99 * bound and 0.99 * bound < w.max() <= bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.03)
    assert abs(w.mean()) < 0.03 * bound


@pytest.mark.parametrize("shape", LARGE)
def test_xavier_normal_std(shape):
    fan_in, fan_out = fan_in_and_fan_out(shape)
    w = xavier_normal(shape, 2.0, rng=rng())
    assert w.std() == pytest.approx(2.0 * math.sqrt(2 / (fan_in + fan_out)), rel=0.03)


@pytest.mark.parametrize("shape", LARGE)
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize(("nonlinearity", "a"), [("relu", 0), ("leaky_relu", 0.2), ("tanh", 0)])
def test_kaiming_std_and_bound(shape, mode, nonlinearity, a):
    fan = dict(zip(["fan_in", "fan_out"], fan_in_and_fan_out(shape), strict=True))[mode]
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    w = kaiming_normal(shape, a, mode, nonlinearity, rng=rng())
    assert w.std() == pytest.approx(std, rel=0.03)
    u = kaiming_uniform(shape, a, mode, nonlinearity, rng=rng())
    bound = std * math.sqrt(3)
    assert -bound <= u.min() < -0.99 * bound and 0.99 * bound < u.max() <= bound


def test_kaiming_normal_article_formula():
    """Part 8: He normal, mode='fan_in', nonlinearity='relu': N(0, std = √(2 / fan_in))."""
    w = kaiming_normal((64, 32, 3, 3), mode="fan_in", nonlinearity="relu", rng=rng())
    assert w.std() == pytest.approx(math.sqrt(2 / 288), rel=0.03)


def test_kaiming_defaults_are_torchs():
    """torch's defaults a=0, leaky_relu give gain √2; a=√5 is nn.Conv2d's: bound 1/√fan_in."""
    shape = (64, 32, 3, 3)
    assert init.kaiming_std(shape) == pytest.approx(math.sqrt(2 / 288), rel=1e-15)
    bound = math.sqrt(3) * init.kaiming_std(shape, a=math.sqrt(5))
    assert bound == pytest.approx(1 / math.sqrt(288), rel=1e-15)


@pytest.mark.parametrize("shape", LARGE)
def test_normal_uniform_constant(shape):
    n = normal(shape, 0.5, 2.0, rng=rng())
    assert n.mean() == pytest.approx(0.5, abs=0.05) and n.std() == pytest.approx(2.0, rel=0.03)
    u = uniform(shape, -1.0, 3.0, rng=rng())
    assert -1.0 <= u.min() and u.max() < 3.0
    assert u.std() == pytest.approx(4 / math.sqrt(12), rel=0.03)
    np.testing.assert_array_equal(constant(shape, 0.25), np.full(shape, 0.25))


def test_defaults_follow_torch():
    """normal N(0, 1) and uniform U(0, 1) by default, as nn.init.normal_/uniform_."""
    big = (256, 256)
    assert normal(big, rng=rng()).std() == pytest.approx(1.0, rel=0.02)
    u = uniform(big, rng=rng())
    assert 0 <= u.min() and u.max() < 1 and u.mean() == pytest.approx(0.5, abs=0.01)


SAMPLERS = {
    "normal": lambda shape, r: normal(shape, rng=r),
    "uniform": lambda shape, r: uniform(shape, rng=r),
    "xavier_uniform": lambda shape, r: xavier_uniform(shape, rng=r),
    "xavier_normal": lambda shape, r: xavier_normal(shape, rng=r),
    "kaiming_uniform": lambda shape, r: kaiming_uniform(shape, rng=r),
    "kaiming_normal": lambda shape, r: kaiming_normal(shape, rng=r),
}


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_same_seed_same_weights(name):
    sample = SAMPLERS[name]
    np.testing.assert_array_equal(sample((8, 4, 3, 3), rng(5)), sample((8, 4, 3, 3), rng(5)))
    assert not np.array_equal(sample((8, 4, 3, 3), rng(5)), sample((8, 4, 3, 3), rng(6)))
    np.testing.assert_array_equal(
        initialise(name, (8, 4, 3, 3), rng(5)), sample((8, 4, 3, 3), rng(5))
    )


def test_returns_new_arrays():
    a, b = constant((2, 2), 1.0), constant((2, 2), 1.0)
    a[0, 0] = 5
    assert b[0, 0] == 1


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: calculate_gain("softmax"), "unsupported nonlinearity 'softmax'"),
        (lambda: calculate_gain("leaky_relu", "x"), "negative_slope"),
        (lambda: calculate_gain("leaky_relu", True), "negative_slope"),
        (lambda: kaiming_normal((4, 4), mode="fan_avg", rng=rng()), "mode must be one of"),
        (lambda: kaiming_uniform((4, 4), nonlinearity="gelu", rng=rng()), "'gelu'"),
        (lambda: fan_in_and_fan_out((5,)), r"fan_in and fan_out need .* >= 2 dimensions"),
        (lambda: xavier_uniform(5, rng=rng()), ">= 2 dimensions, got 5"),
        (lambda: kaiming_normal((3,), rng=rng()), ">= 2 dimensions"),
        (lambda: normal((), rng=rng()), "at least one dimension"),
        (lambda: normal((3, 0), rng=rng()), "shape"),
        (lambda: normal((3, 2.5), rng=rng()), "shape"),
        (lambda: normal((3, 3), std=-1.0, rng=rng()), "std must be >= 0.0, got -1.0"),
        (lambda: normal((3, 3), mean=float("nan"), rng=rng()), "mean must be finite"),
        (lambda: uniform((3, 3), 1.0, 0.0, rng=rng()), "a <= b"),
        (lambda: constant((3, 3), "zero"), "val must be a real number"),
        (lambda: xavier_uniform((3, 3), rng=42), "rng must be a numpy.random.Generator"),
        (lambda: xavier_uniform((3, 3), rng=None), "rng must be a numpy.random.Generator"),
        (lambda: initialise("glorot", (3, 3), rng()), "unknown init scheme 'glorot'"),
        (lambda: describe_init("xavier_uniform", (3, 3), rng(), bins=0), "bins"),
    ],
)
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_rng_is_required_keyword():
    with pytest.raises(TypeError):
        xavier_uniform((3, 3))  # no hidden global generator


# ---------------------------------------------------------------- describe_init


def test_describe_article_xavier():
    """The article's ConvNet: Conv2d(1, 1, 3) weights by Xavier uniform."""
    t = describe_init("xavier_uniform", (1, 1, 3, 3), rng(1))
    assert (t.fan_in, t.fan_out, t.gain) == (9, 9, 1.0)
    assert t.bound == pytest.approx(math.sqrt(6 / 18), rel=1e-15)
    assert (t.low, t.high) == (-t.bound, t.bound)
    assert t.formula == ("W ~ U(−bound, bound)", "bound = gain·√(6 / (fan_in + fan_out))")
    assert t.fan_lines == ("fan_in = C_in·kH·kW = 1·3·3 = 9", "fan_out = C_out·kH·kW = 1·3·3 = 9")
    assert t.substituted == (
        "gain = 1",
        "bound = 1·√(6 / (9 + 9)) = 0.5774",
        "W ~ U(−0.5774, 0.5774)",
    )
    np.testing.assert_array_equal(t.sample, xavier_uniform((1, 1, 3, 3), rng=rng(1)))


def test_describe_kaiming_relu():
    t = describe_init("kaiming_normal", (64, 32, 3, 3), rng(2), nonlinearity="relu", bins=30)
    assert (t.mode, t.fan, t.nonlinearity) == ("fan_in", 288, "relu")
    assert t.gain == math.sqrt(2) and t.std == pytest.approx(math.sqrt(2 / 288), rel=1e-15)
    assert t.bound is None and t.low is None
    assert t.formula == ("W ~ N(0, std²)", "std = gain / √fan_in", "gain = √2")
    assert t.substituted == (
        "gain = √2 = 1.414",
        "std = 1.414 / √288 = 0.08333",
        "W ~ N(0, 0.08333²)",
    )
    assert t.sample_std == pytest.approx(t.std, rel=0.03)
    np.testing.assert_array_equal(
        t.sample, kaiming_normal((64, 32, 3, 3), nonlinearity="relu", rng=rng(2))
    )


@pytest.mark.parametrize("scheme", SCHEMES)
def test_describe_histogram(scheme):
    params = {"val": 0.1} if scheme == "constant" else {}
    t = describe_init(scheme, (32, 16, 3, 3), rng(3), bins=25, **params)
    assert t.scheme == scheme and t.shape == (32, 16, 3, 3)
    assert t.counts.shape == t.centres.shape == t.density.shape == t.expected_counts.shape == (25,)
    assert t.edges.shape == (26,) and t.counts.sum() == t.sample.size  # every draw counted
    np.testing.assert_allclose(t.centres, (t.edges[:-1] + t.edges[1:]) / 2)
    assert t.expected_counts.sum() == pytest.approx(t.sample.size, rel=0.01)
    assert t.sample_mean == pytest.approx(t.mean, abs=0.05 * max(t.std, 1))
    assert t.sample_std == pytest.approx(t.std, rel=0.03, abs=1e-12)
    # counts follow the theoretical expectation bin by bin (chi-square-like, loose)
    big = t.expected_counts > 50
    np.testing.assert_allclose(t.counts[big], t.expected_counts[big], rtol=0.25)


def test_describe_fan_lines_other_ranks():
    assert describe_init("xavier_normal", (4, 3), rng()).fan_lines == ("fan_in = 3", "fan_out = 4")
    t = describe_init("normal", (5,), rng())
    assert t.fan_in is None and t.fan_lines == ()


def test_describe_leaky_relu_gain_line():
    t = describe_init("kaiming_uniform", (8, 2, 3, 3), rng(), a=0.2, mode="fan_out")
    assert t.substituted[0] == "gain = √(2 / (1 + 0.2²)) = 1.387"
    assert t.formula[1] == "bound = gain·√(3 / fan_out)" and t.fan == 72


@pytest.mark.parametrize("scheme", SCHEMES)
def test_describe_histogram_summary_fields(scheme):
    """The numbers the video reads off the histogram, brute-force from the sample."""
    params = {"val": 0.1} if scheme == "constant" else {}
    t = describe_init(scheme, (16, 8, 3, 3), rng(4), bins=12, **params)
    assert t.n_weights == 16 * 8 * 3 * 3 == t.sample.size
    assert t.max_count == max(int(c) for c in t.counts)
    assert t.max_expected == max(float(e) for e in t.expected_counts)
    if scheme == "constant":  # one spike holding every weight
        assert t.max_count == t.n_weights
