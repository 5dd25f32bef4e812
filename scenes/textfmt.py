"""Number and equation formatting shared by scenes, the CLI's ``explain`` and captions.

Formatting only: every value comes from a trace, nothing here does arithmetic on it.
"""

from __future__ import annotations

import numpy as np

MINUS = "\u2212"  # a real minus sign, the width of a plus
DOT = "\u00b7"
TIMES = "\u00d7"


def fmt(value: float, digits: int = 3) -> str:
    """Format a number for the screen: integers without a decimal point, else ≤ ``digits``
    decimals with trailing zeros removed; a true minus sign."""
    v = float(value)
    if v.is_integer() and abs(v) < 1e12:
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


def shape(*dims: int) -> str:
    """``"5×5"``."""
    return TIMES.join(str(d) for d in dims)


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


def fixed(value: float, digits: int = 4) -> str:
    """``value`` with exactly ``digits`` decimals and a true minus sign (``−0.0435``).

    Values that round to zero print without a sign (``0.0000``, never ``−0.0000``).
    """
    text = f"{float(value):.{digits}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", MINUS)
