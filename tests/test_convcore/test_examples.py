"""conv_arithmetic's 19 animations and their numbers (convcore.examples), against its own."""

from __future__ import annotations

import numpy as np
import pytest

from convcore import conv2d, conv_transpose2d, output_size, transposed_output_size
from convcore.examples import CONV_ARITHMETIC, conv_arithmetic_data, conv_arithmetic_example

#: Typed in from conv_arithmetic (its README and figures): name → (i, o, p, k, s, d).
DIRECT = {
    "no_padding_no_strides": (4, 2, 0, 3, 1, 1),
    "arbitrary_padding_no_strides": (5, 6, 2, 4, 1, 1),
    "same_padding_no_strides": (5, 5, 1, 3, 1, 1),
    "full_padding_no_strides": (5, 7, 2, 3, 1, 1),
    "no_padding_strides": (5, 2, 0, 3, 2, 1),
    "padding_strides": (5, 3, 1, 3, 2, 1),
    "padding_strides_odd": (6, 3, 1, 3, 2, 1),
    "dilation": (7, 3, 0, 3, 1, 2),
}
NUMERICAL = {
    "numerical_no_padding_no_strides": ("conv", 5, 3, 0, 3, 1),
    "numerical_padding_strides": ("conv", 5, 3, 1, 3, 2),
    "numerical_average_pooling": ("avg", 5, 3, 0, 3, 1),
    "numerical_max_pooling": ("max", 5, 3, 0, 3, 1),
}
#: conv_arithmetic's numerical example (NumPy legacy seed 1234), typed in.
INPUT_5 = [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]
KERNEL_3 = [[0, 1, 2], [2, 2, 0], [0, 1, 2]]
OUTPUT_3 = [[12, 12, 17], [10, 17, 19], [9, 6, 14]]


def test_the_data_is_conv_arithmetics_numerical_example():
    x, kernel = conv_arithmetic_data(5, 3)
    np.testing.assert_array_equal(x, INPUT_5)
    np.testing.assert_array_equal(kernel, KERNEL_3)
    np.testing.assert_array_equal(conv2d(x[None, None], kernel[None, None])[0, 0], OUTPUT_3)
    assert x.dtype == kernel.dtype == np.float64


@pytest.mark.parametrize("size, k", [(2, 3), (4, 3), (6, 4), (7, 3)])
def test_the_data_has_the_asked_sizes_and_conv_arithmetics_ranges(size, k):
    x, kernel = conv_arithmetic_data(size, k)
    assert x.shape == (size, size) and kernel.shape == (k, k)
    assert set(np.unique(x)) <= {0, 1, 2, 3} and set(np.unique(kernel)) <= {0, 1, 2}
    np.testing.assert_array_equal(conv_arithmetic_data(size, k)[0], x)  # seeded: repeatable


def test_the_table_lists_the_19_animations_in_conv_arithmetics_order():
    transposed = [f"{name}_transposed" for name in list(DIRECT)[:7]]
    assert [e.name for e in CONV_ARITHMETIC] == [*DIRECT, *transposed, *NUMERICAL]


@pytest.mark.parametrize("name", list(DIRECT))
def test_direct_sizes(name):
    e = conv_arithmetic_example(name)
    sizes = (e.input_size, e.output_size, e.padding, e.kernel_size, e.stride, e.dilation)
    assert (e.kind, sizes, e.output_padding) == ("conv", DIRECT[name], 0)
    assert (
        output_size(e.input_size, e.kernel_size, e.stride, e.padding, e.dilation) == e.output_size
    )


@pytest.mark.parametrize("name", list(DIRECT)[:7])
def test_transposed_twins_swap_input_and_output(name):
    i, o, p, k, s, d = DIRECT[name]
    e = conv_arithmetic_example(f"{name}_transposed")
    assert (e.kind, e.input_size, e.output_size, e.padding, e.kernel_size) == (
        "transposed",
        o,
        i,
        p,
        k,
    )
    assert (e.stride, e.dilation, e.output_padding) == (s, d, 1 if name.endswith("odd") else 0)
    extra = e.output_padding
    assert transposed_output_size(o, k, s, p, extra, d) == i
    x, kernel = conv_arithmetic_data(o, k)
    out = conv_transpose2d(x[None, None], kernel[None, None], None, s, p, extra, 1, d)
    assert out.shape == (1, 1, i, i)


@pytest.mark.parametrize("name", list(NUMERICAL))
def test_numerical_sizes(name):
    e = conv_arithmetic_example(name)
    kind, i, o, p, k, s = NUMERICAL[name]
    assert (e.kind, e.input_size, e.output_size, e.padding, e.kernel_size, e.stride) == (
        kind,
        i,
        o,
        p,
        k,
        s,
    )


def test_an_unknown_name_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown conv_arithmetic animation 'dilated'.*dilation"):
        conv_arithmetic_example("dilated")
