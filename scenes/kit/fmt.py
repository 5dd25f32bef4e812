"""Numbers and equations as text, shared by scenes, captions and ``convanim explain``.

Formatting only: every value comes from a trace, nothing here does arithmetic on it.
"""

from __future__ import annotations

import math

import numpy as np

MINUS = "\u2212"  # a real minus sign, the width of a plus
DOT = "\u00b7"
TIMES = "\u00d7"


#: Integers up to this many digits are written out; longer numbers compactly (``1.23e+15``).
MAX_DIGITS = 7


def fmt(value: float, digits: int = 3) -> str:
    """Format a number for the screen, the same way in cells, equations and captions.

    Integers of up to :data:`MAX_DIGITS` digits without a decimal point; other numbers with
    at most ``digits`` decimals, trailing zeros removed; numbers too long for that (≥ 10⁷,
    or so small they would round to 0) compactly with three significant digits
    (``1.23e+15``, ``4.2e−05``); infinities as ``∞``. A true minus sign throughout.
    """
    v = float(value)
    if math.isinf(v):  # max pooling's padding
        return "∞" if v > 0 else MINUS + "∞"
    size = abs(v)
    if size >= 10**MAX_DIGITS or 0 < size < 0.5 * 10**-digits:
        text = f"{v:.{digits}g}"
    elif v.is_integer():
        text = str(int(v))
    else:
        text = f"{v:.{digits}f}".rstrip("0").rstrip(".")
        if text in ("-0", ""):
            text = "0"
    return text.replace("-", MINUS)


def fmt_factor(value: float, digits: int = 3) -> str:
    """Like :func:`fmt`, with parentheses around negative numbers (for use in products)."""
    text = fmt(value, digits)
    return f"({text})" if text.startswith(MINUS) else text


def product_terms(window: np.ndarray, kernel: np.ndarray) -> list[str]:
    """``["1·1", "2·2", …]``: one ``window·kernel`` term per tap, row-major."""
    return [
        f"{fmt_factor(a)}{DOT}{fmt_factor(b)}"
        for a, b in zip(np.ravel(window), np.ravel(kernel), strict=True)
    ]


def equation(terms: list[str], bias: float | None, value: float, bias_word: str = "bias") -> str:
    """``"1·1 + 2·2 + … = 411"`` (with ``+ bias b`` when a bias is given)."""
    text = " + ".join(terms)
    if bias is not None:
        text += f" + {bias_word} {fmt_factor(bias)}"
    return f"{text} = {fmt(value)}"


def dot_equation(window: np.ndarray, kernel: np.ndarray, value: float) -> str:
    """``"1·1 + 2·2 + … = 411"``: :func:`product_terms` summed to ``value`` (from the trace)."""
    return equation(product_terms(window, kernel), None, value)


def sum_equation(values, total: float) -> str:
    """``"−1 + 9 = 8"``: ``values`` summed (negative ones after the first in parentheses)
    and their ``total`` (from the trace); only the total when there is one value."""
    first, *rest = np.ravel(values)
    return equation([fmt(first), *map(fmt_factor, rest)], None, total) if rest else fmt(total)


def shape(*dims: int) -> str:
    """``"5×5"``."""
    return TIMES.join(str(d) for d in dims)


def fmt_rows(values: np.ndarray) -> str:
    """A matrix on one line for a caption: ``"1, 2; 3, 4"``."""
    return "; ".join(", ".join(fmt(v) for v in row) for row in np.asarray(values))


def matrix_lines(values: np.ndarray, digits: int = 3) -> list[str]:
    """Rows of a 2-D array as right-aligned text columns."""
    cells = [[fmt(v, digits) for v in row] for row in np.asarray(values)]
    width = max(len(c) for row in cells for c in row)
    return ["  ".join(c.rjust(width) for c in row) for row in cells]


def size_formula(terms, symbol: str = "H") -> tuple[str, str]:
    """The output-size formula and the same with one dimension's numbers substituted.

    ``terms`` is a :class:`convcore.OutputSizeTerms`; the substituted line quotes its fields.
    """
    general = f"{symbol}_out = ⌊({symbol} + 2P {MINUS} D{DOT}(K {MINUS} 1) {MINUS} 1) / S⌋ + 1"
    same = terms.pad_before == terms.pad_after
    pad = f"2{DOT}{terms.pad_before}" if same else f"({terms.pad_before} + {terms.pad_after})"
    numbers = (
        f"{symbol}_out = ⌊({terms.size} + {pad} {MINUS} {terms.dilation}{DOT}({terms.kernel} "
        f"{MINUS} 1) {MINUS} 1) / {terms.stride}⌋ + 1 = ⌊{terms.numerator} / {terms.stride}⌋ "
        f"+ 1 = {terms.out}"
    )
    return general, numbers


def transposed_size_formula(terms, symbol: str = "H") -> tuple[str, str]:
    """The transposed-convolution size formula, and the same with one dimension's numbers.

    ``terms`` is a :class:`convcore.TransposedOutputSizeTerms`; the substituted line quotes
    its fields (``(2 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 4``).
    """
    general = (
        f"{symbol}_out = ({symbol} {MINUS} 1){DOT}S {MINUS} 2P + D{DOT}(K {MINUS} 1) "
        f"+ output_padding + 1"
    )
    numbers = (
        f"{symbol}_out = ({terms.size} {MINUS} 1){DOT}{terms.stride} {MINUS} 2{DOT}"
        f"{terms.padding} + {terms.dilation}{DOT}({terms.kernel} {MINUS} 1) + "
        f"{terms.output_padding} + 1 = {terms.out}"
    )
    return general, numbers


def pool_size_formula(terms, symbol: str = "H") -> tuple[str, str]:
    """The pooling output-size formula and the same with one dimension's numbers.

    ``terms`` is a :class:`convcore.PoolOutputSizeTerms`; the substituted line quotes its
    fields: ``⌈ ⌉`` with ``ceil_mode``, and ``− 1`` when it dropped a last window that would
    start in the padding.
    """
    left, right = ("⌈", "⌉") if terms.ceil_mode else ("⌊", "⌋")
    general = (
        f"{symbol}_out = {left}({symbol} + 2P {MINUS} D{DOT}(K {MINUS} 1) {MINUS} 1) / S{right} + 1"
    )
    rounded = terms.ceil_out if terms.ceil_mode else terms.floor_out
    numbers = (
        f"{symbol}_out = {left}({terms.size} + 2{DOT}{terms.padding} {MINUS} {terms.dilation}"
        f"{DOT}({terms.kernel} {MINUS} 1) {MINUS} 1) / {terms.stride}{right} + 1 = "
        f"{left}{terms.numerator} / {terms.stride}{right} + 1 = {rounded}"
    )
    if terms.dropped:
        numbers += f" {MINUS} 1 = {terms.out}"
    return general, numbers


def size_lines(formula, size_h, size_w) -> tuple[str, list[str]]:
    """``formula``'s general line (one of the ``*_size_formula`` above) and its numbers for
    H, and for W when W's terms differ."""
    general, h_line = formula(size_h, "H")
    return general, [h_line] + ([formula(size_w, "W")[1]] if size_w != size_h else [])


def fixed(value: float, digits: int = 4) -> str:
    """``value`` with exactly ``digits`` decimals and a true minus sign (``−0.0435``).

    Values that round to zero print without a sign (``0.0000``, never ``−0.0000``).
    """
    text = f"{float(value):.{digits}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", MINUS)


def fixed_factor(value: float, digits: int = 4) -> str:
    """Like :func:`fixed`, with parentheses around negative numbers (for use in products)."""
    text = fixed(value, digits)
    return f"({text})" if text.startswith(MINUS) else text


def fmt_pair(p: tuple[int, int]) -> str:
    """``2`` for (2, 2), ``(2, 1)`` otherwise."""
    return str(p[0]) if p[0] == p[1] else f"({p[0]}, {p[1]})"


def fmt_pads(pads: tuple[int, int, int, int], tr=None) -> str:
    """Padding as ``1``, ``(1, 2)`` or ``0/1/0/1 (top/bottom/left/right)``, translated."""
    top, bottom, left, right = pads
    if top == bottom == left == right:
        return str(top)
    if top == bottom and left == right:
        return f"({top}, {left})"
    sides = "(top/bottom/left/right)" if tr is None else tr("(top/bottom/left/right)")
    return f"{top}/{bottom}/{left}/{right} {sides}"


def conv_settings(tr, trace, with_bias: bool = True) -> str:
    """``stride 1, padding 0, dilation 1[, bias b]`` from a trace, through ``tr``."""
    text = tr(
        "stride {stride}, padding {padding}, dilation {dilation}",
        stride=fmt_pair(trace.stride),
        padding=fmt_pads(trace.pads, tr),
        dilation=fmt_pair(trace.dilation),
    )
    if with_bias and trace.has_bias:
        text += tr(", bias {bias}", bias=fmt(trace.bias[0]))
    return text


def fraction(value) -> str:
    """An exact ``fractions.Fraction`` as ``17/72`` (``2`` when it is whole)."""
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


def separable_formulas(cost) -> dict[str, tuple[str, str]]:
    """Parameter and multiply-add lines of a :class:`convcore.groups.SeparableCost`, with
    its numbers substituted: ``{"standard": ("C_out·C_in·k² = 8·4·3² = 288",
    "2·2·288 = 1152"), "depthwise": …, "pointwise": …, "separable": …}``."""
    s, d, p = cost.standard, cost.depthwise, cost.pointwise
    k, (h, w) = s.kernel[0], s.out_hw
    square = f"{k}²" if s.kernel[0] == s.kernel[1] else f"{s.kernel[0]}{DOT}{s.kernel[1]}"

    def macs(layer) -> str:
        return f"{h}{DOT}{w}{DOT}{layer.weights} = {layer.macs}"

    return {
        "standard": (
            f"C_out{DOT}C_in{DOT}k² = {s.c_out}{DOT}{s.c_in}{DOT}{square} = {s.weights}",
            macs(s),
        ),
        "depthwise": (f"C_in{DOT}k² = {d.c_in}{DOT}{square} = {d.weights}", macs(d)),
        "pointwise": (f"C_out{DOT}C_in = {p.c_out}{DOT}{p.c_in} = {p.weights}", macs(p)),
        "separable": (
            f"{d.params} + {p.params} = {cost.params}",
            f"{d.macs} + {p.macs} = {cost.macs}",
        ),
    }
