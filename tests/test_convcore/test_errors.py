"""Invalid input raises ValueError naming the offending value, and nothing else ever escapes."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from convcore import (
    conv2d,
    conv2d_direct,
    fold,
    output_size,
    output_size_terms,
    trace_conv2d,
    unfold,
)

X = np.ones((1, 2, 5, 5))  # a valid input ...
W = np.ones((3, 2, 3, 3))  # ... and a valid weight for it
CONV_FUNCS = pytest.mark.parametrize(
    "conv", [conv2d, conv2d_direct, trace_conv2d], ids=["im2col", "direct", "trace"]
)


def _ragged():
    return [[[[1.0, 2.0], [3.0]]]]


def _with(a, index, value):
    a = np.array(a, dtype=np.float64)
    a[index] = value
    return a


# (id, keyword arguments for conv(input=..., weight=..., ...), regex the message must match)
CONV_ERRORS = [
    # sizes
    ("kernel-larger-than-input", {"input": np.ones((1, 2, 2, 5))}, r"kernel extent 3 .*input 2 "),
    (
        "dilated-kernel-larger",
        {"dilation": 3},
        r"kernel extent 7 \(kernel 3 with dilation 3\) is larger than the padded input 5",
    ),
    ("kernel-larger-than-padded", {"weight": np.ones((3, 2, 8, 3)), "padding": 1}, r"7 \(size 5"),
    # stride, dilation, padding, groups
    ("stride-0", {"stride": 0}, r"stride must be positive, got 0"),
    ("stride-negative", {"stride": -2}, r"stride must be positive, got -2"),
    ("stride-pair-negative", {"stride": (1, -1)}, r"stride must be positive, got \(1, -1\)"),
    ("stride-bool", {"stride": True}, r"stride must be an int or a pair of ints, got True"),
    ("stride-float", {"stride": 2.0}, r"stride must be an int or a pair of ints, got 2\.0"),
    ("stride-np-float", {"stride": np.float64(2)}, r"stride must be an int .*got np\.float64"),
    ("stride-0d-array", {"stride": np.array(2)}, r"stride must be an int .*got array\(2\)"),
    ("stride-triple", {"stride": (1, 2, 3)}, r"stride must be .*pair.*got \(1, 2, 3\)"),
    ("stride-none", {"stride": None}, r"stride must be an int or a pair of ints, got None"),
    ("stride-string", {"stride": "2"}, r"stride must be an int or a pair of ints, got '2'"),
    ("dilation-0", {"dilation": 0}, r"dilation must be positive, got 0"),
    ("dilation-pair-0", {"dilation": (2, 0)}, r"dilation must be positive, got \(2, 0\)"),
    ("padding-negative", {"padding": -1}, r"padding must be >= 0, got -1"),
    ("padding-pair-negative", {"padding": (0, -2)}, r"padding must be >= 0, got \(0, -2\)"),
    ("padding-float", {"padding": 1.5}, r"padding must be an int or a pair of ints, got 1\.5"),
    ("padding-string", {"padding": "full"}, r"padding must be .*'valid' or 'same', got 'full'"),
    ("padding-same-uppercase", {"padding": "SAME"}, r"got 'SAME'"),
    ("padding-same-stride2", {"padding": "same", "stride": 2}, r"'same' needs stride 1.*\(2, 2\)"),
    ("padding-same-stride1x2", {"padding": "same", "stride": (1, 2)}, r"stride=\(1, 2\)"),
    ("groups-0", {"groups": 0}, r"groups must be positive, got 0"),
    ("groups-float", {"groups": 1.0}, r"groups must be an int, got 1\.0"),
    ("groups-bool", {"groups": True}, r"groups must be an int, got True"),
    (
        "groups-not-dividing-input",
        {"input": np.ones((1, 3, 5, 5)), "weight": np.ones((4, 1, 3, 3)), "groups": 2},
        r"groups=2 must divide both input channels \(3\) and output channels \(4\)",
    ),
    (
        "groups-not-dividing-output",
        {"input": np.ones((1, 4, 5, 5)), "weight": np.ones((3, 2, 3, 3)), "groups": 2},
        r"groups=2 .*output channels \(3\)",
    ),
    # channels and bias
    (
        "weight-input-channel-mismatch",
        {"input": np.ones((1, 3, 5, 5))},
        r"weight expects 2 input channels \(2 per group × 1 groups\) but input has 3",
    ),
    (
        "weight-group-channel-mismatch",
        {"input": np.ones((1, 4, 5, 5)), "weight": np.ones((4, 1, 3, 3)), "groups": 2},
        r"weight expects 2 input channels \(1 per group × 2 groups\) but input has 4",
    ),
    ("bias-wrong-length", {"bias": np.ones(2)}, r"bias must have shape \(3,\), got \(2,\)"),
    ("bias-2d", {"bias": np.ones((3, 1))}, r"bias must be 1-D, got 2-D with shape \(3, 1\)"),
    ("bias-scalar", {"bias": 1.0}, r"bias must be 1-D, got 0-D"),
    # values
    ("input-nan", {"input": _with(X, (0, 1, 2, 3), np.nan)}, r"input contains NaN or infinity"),
    ("input-inf", {"input": _with(X, (0, 0, 0, 0), np.inf)}, r"input contains NaN or infinity"),
    ("weight-neg-inf", {"weight": _with(W, (2, 1, 0, 0), -np.inf)}, r"weight contains NaN"),
    ("bias-nan", {"bias": np.array([0.0, np.nan, 1.0])}, r"bias contains NaN or infinity"),
    # dimensions, emptiness, types
    ("input-2d", {"input": np.ones((5, 5))}, r"input must be 3-D or 4-D, got 2-D .*\(5, 5\)"),
    ("input-5d", {"input": np.ones((1, 1, 2, 5, 5))}, r"input must be 3-D or 4-D, got 5-D"),
    ("weight-3d", {"weight": np.ones((2, 3, 3))}, r"weight must be 4-D, got 3-D .*\(2, 3, 3\)"),
    ("input-empty", {"input": np.ones((1, 2, 0, 5))}, r"input is empty \(shape \(1, 2, 0, 5\)\)"),
    ("input-empty-batch", {"input": np.ones((0, 2, 5, 5))}, r"input is empty"),
    ("weight-empty", {"weight": np.ones((0, 2, 3, 3))}, r"weight is empty \(shape \(0, 2, 3, 3\)"),
    (
        "input-strings",
        {"input": np.full((1, 2, 5, 5), "a")},
        r"input must be numeric, got dtype <U1",
    ),
    (
        "input-object",
        {"input": np.ones((1, 2, 5, 5), dtype=object)},
        r"input must be numeric, got dtype object",
    ),
    ("weight-none", {"weight": None}, r"weight must be numeric, got dtype object"),
    ("weight-complex", {"weight": W + 1j}, r"weight must be real, got dtype complex128"),
    ("input-ragged", {"input": _ragged()}, r"input is not a rectangular numeric array"),
]


@CONV_FUNCS
@pytest.mark.parametrize(("kwargs", "match"), [pytest.param(k, m, id=i) for i, k, m in CONV_ERRORS])
def test_conv_raises_value_error_naming_the_value(conv, kwargs, match):
    with pytest.raises(ValueError, match=match):
        conv(**{"input": X, "weight": W, **kwargs})


@pytest.mark.parametrize("conv", [conv2d, conv2d_direct], ids=["im2col", "direct"])
@pytest.mark.parametrize(
    ("kwargs", "plain"),
    [
        pytest.param({"stride": np.int64(2)}, {"stride": 2}, id="numpy-int"),
        pytest.param({"stride": [2, 1]}, {"stride": (2, 1)}, id="list"),
        pytest.param({"stride": np.array([2, 1])}, {"stride": (2, 1)}, id="array-pair"),
        pytest.param({"padding": (np.int32(1), 0)}, {"padding": (1, 0)}, id="numpy-int-pair"),
        pytest.param({"groups": np.int64(2)}, {"groups": 2}, id="numpy-groups"),
    ],
)
def test_conv_accepts_numpy_integers_and_sequences(conv, kwargs, plain):
    rng = np.random.default_rng(0)
    x, weight = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((2, 1, 3, 3))
    groups = {"groups": 2} if "groups" not in kwargs else {}
    np.testing.assert_array_equal(
        conv(x, weight, **kwargs, **groups), conv(x, weight, **plain, **groups)
    )


def test_conv_accepts_bool_input_and_nested_lists():
    expected = conv2d(X, W)
    np.testing.assert_array_equal(conv2d(X.astype(bool), W), expected)
    np.testing.assert_array_equal(conv2d(X.tolist(), W.tolist()), expected)
    np.testing.assert_array_equal(expected, 18.0)  # 2 channels × 9 taps of 1·1


# (id, function, arguments, regex)
OTHER_ERRORS = [
    ("fold-wrong-L", fold, (np.ones((1, 9, 8)), 5, 3), r"input has L=8 columns .* number 9"),
    (
        "fold-rows",
        fold,
        (np.ones((1, 10, 9)), 5, 3),
        r"input has 10 rows, not a multiple of kernel_size 3×3",
    ),
    ("fold-rows-k2x3", fold, (np.ones((4, 12)), (4, 5), (2, 3)), r"4 rows, .*kernel_size 2×3"),
    ("fold-4d", fold, (np.ones((1, 1, 9, 9)), 5, 3), r"input must be 2-D or 3-D, got 4-D"),
    ("fold-output-size-0", fold, (np.ones((9, 1)), 0, 3), r"output_size must be positive, got 0"),
    ("fold-kernel-too-big", fold, (np.ones((9, 1)), 2, 3), r"kernel extent 3 .*input 2"),
    ("fold-same", fold, (np.ones((9, 9)), 5, 3, 1, "same"), r"padding must be an int or a pair"),
    ("fold-nan", fold, (np.full((9, 9), np.nan), 5, 3), r"input contains NaN"),
    ("unfold-2d", unfold, (np.ones((5, 5)), 3), r"input must be 3-D or 4-D, got 2-D"),
    ("unfold-kernel-0", unfold, (X, 0), r"kernel_size must be positive, got 0"),
    ("unfold-kernel-float", unfold, (X, 3.0), r"kernel_size must be an int .*got 3\.0"),
    ("unfold-kernel-too-big", unfold, (X, (6, 1)), r"kernel extent 6 .*input 5"),
    ("unfold-stride-0", unfold, (X, 3, 1, 0, 0), r"stride must be positive, got 0"),
    ("unfold-valid", unfold, (X, 3, 1, "valid"), r"padding must be an int or a pair.*'valid'"),
    ("output-size-0", output_size, (0, 3), r"size must be positive, got 0"),
    ("output-size-kernel-0", output_size, (5, 0), r"kernel_size must be positive, got 0"),
    ("output-size-stride-0", output_size, (5, 3, 0), r"stride must be positive, got 0"),
    ("output-size-pad", output_size, (5, 3, 1, -1), r"padding must be >= 0, got -1"),
    ("output-size-too-big", output_size, (5, 4, 1, 0, 2), r"kernel extent 7 \(kernel 4 with"),
    ("output-size-float", output_size_terms, (5.0, 3), r"size must be an int, got 5\.0"),
]


@pytest.mark.parametrize(
    ("func", "args", "match"), [pytest.param(f, a, m, id=i) for i, f, a, m in OTHER_ERRORS]
)
def test_other_functions_raise_value_error_naming_the_value(func, args, match):
    with pytest.raises(ValueError, match=match):
        func(*args)


# Errors PyTorch raises too. Left out: values it accepts (NaN, inf: convcore refuses them so a
# video never shows them), empty arrays (PyTorch allows N = 0 or C_out = 0), and non-arrays.
STRUCTURAL = [
    c for c in CONV_ERRORS if not re.search(r"nan|inf|empty|ragged|string|object|none", c[0])
]


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize(("kwargs", "match"), [pytest.param(k, m, id=i) for i, k, m in STRUCTURAL])
def test_torch_also_rejects_structural_errors(torch, kwargs, match):
    """Where convcore refuses a shape or a parameter, PyTorch refuses it too."""
    call = {"input": X, "weight": W, "bias": None, **kwargs}
    call = {
        k: torch.from_numpy(v) if isinstance(v, np.ndarray) and v.ndim else v
        for k, v in call.items()
    }
    with pytest.raises((RuntimeError, ValueError, TypeError)):
        torch.nn.functional.conv2d(**call)


# ---------------------------------------------------------------- property: ValueError or right

ints = st.integers(-1, 4)
odd_values = [2.0, True, None, "2", (1, 2, 3), np.int64(2), np.array(1), np.array([1, 2])]
any_param = st.one_of(ints, st.tuples(ints, ints), st.sampled_from(odd_values))
any_padding = st.one_of(any_param, st.sampled_from(["same", "valid", "full"]))
ok_int = st.integers(1, 3)
ok_param = st.one_of(ok_int, st.tuples(ok_int, ok_int))
ok_padding = st.one_of(st.integers(0, 2), st.sampled_from(["same", "valid", (0, 1)]))


@st.composite
def conv_calls(draw):
    """Half the calls are anything at all; half are plausible (valid unless a size is off)."""
    plausible = draw(st.booleans())
    if plausible:
        spatial = st.lists(st.integers(1, 6), min_size=2, max_size=2)
        groups = draw(st.sampled_from([1, 1, 2]))
        x_shape = [draw(st.integers(1, 2)), groups * draw(st.integers(1, 2)), *draw(spatial)]
        w_shape = [groups * draw(st.integers(1, 2)), x_shape[1] // groups, *draw(spatial)]
        stride, padding, dilation = draw(ok_param), draw(ok_padding), draw(ok_param)
    else:
        dims = st.integers(0, 6)
        x_shape = draw(st.lists(dims, min_size=2, max_size=5))
        w_shape = draw(st.lists(dims, min_size=3, max_size=5))
        groups = draw(st.one_of(ints, st.just(1.0)))
        stride, padding, dilation = draw(any_param), draw(any_padding), draw(any_param)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    call = {
        "input": rng.standard_normal(x_shape),
        "weight": rng.standard_normal(w_shape),
        "bias": draw(st.sampled_from([None, "match"] if plausible else [None, "match", 2])),
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "groups": groups,
    }
    if call["bias"] is not None:
        length = w_shape[0] if call["bias"] == "match" and w_shape else 2
        call["bias"] = rng.standard_normal(length)
    if not plausible and draw(st.integers(0, 4)) == 0 and call["input"].size:
        call["input"].flat[0] = draw(st.sampled_from([np.nan, np.inf]))
    return call


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conv_calls())
def test_conv_gives_the_direct_result_or_value_error(call):
    try:
        out = conv2d(**call)
    except ValueError as exc:
        event("ValueError")
        with pytest.raises(ValueError, match=re.escape(str(exc))):
            conv2d_direct(**call)
        with pytest.raises(ValueError, match=re.escape(str(exc))):
            trace_conv2d(**call)
        return
    event("valid")
    np.testing.assert_allclose(out, conv2d_direct(**call), rtol=1e-12, atol=1e-12)
    trace = trace_conv2d(**call)
    np.testing.assert_allclose(trace.out.reshape(out.shape), out, rtol=1e-12, atol=1e-12)
