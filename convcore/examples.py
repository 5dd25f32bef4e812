"""Example data: the source article's worked example (its part 10), and conv_arithmetic's
19 animations with their numbers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: 5×5 input holding 1..25, row-major.
ARTICLE_INPUT = np.arange(1, 26, dtype=np.float64).reshape(5, 5)
#: 3×3 kernel holding 1..9, row-major.
ARTICLE_KERNEL = np.arange(1, 10, dtype=np.float64).reshape(3, 3)
#: The output the article prints (stride 1, padding 0, no bias). Typed in from the article,
#: not computed, so that tests compare convcore against the article.
ARTICLE_OUTPUT = np.array([[411, 456, 501], [636, 681, 726], [861, 906, 951]], dtype=np.float64)


@dataclass(frozen=True)
class ArithmeticExample:
    """One of conv_arithmetic's 19 animations (Dumoulin & Visin): what it computes, and sizes.

    ``kind`` is ``'conv'``, ``'transposed'``, ``'max'`` or ``'avg'``. ``input_size`` and
    ``output_size`` are the animation's own (for a transposed one: the input is its direct
    twin's output, the output its direct twin's input); ``padding``, ``stride``,
    ``dilation`` and ``output_padding`` are the arguments of ``conv2d``,
    ``conv_transpose2d`` or the pooling that reproduces it (square, one channel).
    """

    name: str
    kind: str
    input_size: int
    output_size: int
    padding: int
    kernel_size: int
    stride: int
    dilation: int = 1
    output_padding: int = 0


def _examples() -> tuple[ArithmeticExample, ...]:
    direct = (  # name, i, o, p, k, s, d (typed in from conv_arithmetic)
        ("no_padding_no_strides", 4, 2, 0, 3, 1, 1),
        ("arbitrary_padding_no_strides", 5, 6, 2, 4, 1, 1),
        ("same_padding_no_strides", 5, 5, 1, 3, 1, 1),
        ("full_padding_no_strides", 5, 7, 2, 3, 1, 1),
        ("no_padding_strides", 5, 2, 0, 3, 2, 1),
        ("padding_strides", 5, 3, 1, 3, 2, 1),
        ("padding_strides_odd", 6, 3, 1, 3, 2, 1),
        ("dilation", 7, 3, 0, 3, 1, 2),
    )
    convs = [ArithmeticExample(n, "conv", i, o, p, k, s, d) for n, i, o, p, k, s, d in direct]
    # the transposed twins: input and output swapped; output_padding restores an odd size
    transposed = [
        ArithmeticExample(f"{n}_transposed", "transposed", o, i, p, k, s, d, int(n.endswith("odd")))
        for n, i, o, p, k, s, d in direct[:7]
    ]
    numerical = [
        ArithmeticExample("numerical_no_padding_no_strides", "conv", 5, 3, 0, 3, 1),
        ArithmeticExample("numerical_padding_strides", "conv", 5, 3, 1, 3, 2),
        ArithmeticExample("numerical_average_pooling", "avg", 5, 3, 0, 3, 1),
        ArithmeticExample("numerical_max_pooling", "max", 5, 3, 0, 3, 1),
    ]
    return (*convs, *transposed, *numerical)


#: conv_arithmetic's 19 animations, in its README's order (direct, transposed, numerical).
CONV_ARITHMETIC: tuple[ArithmeticExample, ...] = _examples()


def conv_arithmetic_example(name: str) -> ArithmeticExample:
    """The animation called ``name`` (``ValueError`` listing the known names)."""
    for example in CONV_ARITHMETIC:
        if example.name == name:
            return example
    known = ", ".join(e.name for e in CONV_ARITHMETIC)
    raise ValueError(f"unknown conv_arithmetic animation {name!r}; known: {known}")


def conv_arithmetic_data(input_size: int, kernel_size: int) -> tuple[np.ndarray, np.ndarray]:
    """conv_arithmetic's numbers: an ``input_size²`` input and a ``kernel_size²`` kernel.

    NumPy's legacy generator seeded with 1234 (a local ``RandomState``, as its
    ``numpy.random.seed(1234)``): input ``randint(0, 4)``, then kernel ``randint(0, 3)``.
    For 5 and 3 this is its numerical example, whose convolution is
    ``[[12, 12, 17], [10, 17, 19], [9, 6, 14]]``.

    Returns
    -------
    x : numpy.ndarray, shape (input_size, input_size), float64
    kernel : numpy.ndarray, shape (kernel_size, kernel_size), float64
    """
    rng = np.random.RandomState(1234)
    x = rng.randint(0, 4, size=(input_size, input_size))
    kernel = rng.randint(0, 3, size=(kernel_size, kernel_size))
    return x.astype(np.float64), kernel.astype(np.float64)
