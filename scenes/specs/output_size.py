"""``output-size``: the output-size formula case by case (Dumoulin & Visin), or your case.

With no parameter set, the video shows :data:`convcore.arithmetic.DUMOULIN_CASES`; any
parameter set makes it one case of your own, the unset ones taking a 5×5 input 1..25, a
3×3 kernel of ones, stride 1, no padding and dilation 1.
"""

from __future__ import annotations

import numpy as np

from convcore import ARTICLE_INPUT
from convcore.arithmetic import CaseTrace, case_trace, case_traces
from scenes.kit.params import DILATION, INPUT, KERNEL, PADDING_PARAM, STRIDE, SceneSpec, Values
from scenes.specs.sliding import check_drawable, single_channel_trace

#: The input and kernel of your case when only some of its parameters are given.
CASE_INPUT = ARTICLE_INPUT
CASE_KERNEL = np.ones((3, 3))
#: The defaults of your case's other settings.
CASE_SETTINGS = {"stride": 1, "padding": 0, "dilation": 1}

#: All unset by default (the Dumoulin & Visin cases); any one set: your case.
PARAMS = (
    INPUT,
    KERNEL,
    STRIDE.but(default=None),
    PADDING_PARAM.but(default=None),
    DILATION.but(default=None),
)


def user_case(v: Values) -> bool:
    """Whether any parameter is set (then only that case is shown)."""
    return any(v[p.name] is not None for p in PARAMS)


def output_size_traces(v: Values) -> tuple[CaseTrace, ...]:
    """The cases the video draws (``ValueError`` on settings it cannot compute or draw)."""
    if not user_case(v):
        shown = case_traces()
        for case in shown:
            check_drawable(case.trace)
        return shown
    given = {key: v[key] for key in CASE_SETTINGS if v[key] is not None}
    case = Values(
        {
            "input": CASE_INPUT if v.input is None else v.input,
            "kernel": CASE_KERNEL if v.kernel is None else v.kernel,
            "bias": None,
            **CASE_SETTINGS,
            **given,
        }
    )
    return (case_trace("your case", single_channel_trace(case, "output-size")),)


SPEC = SceneSpec(
    name="output-size",
    module="scenes.output_size",
    class_name="OutputSizes",
    description="Output size: padding, stride and dilation case by case (Dumoulin & Visin).",
    make_trace=output_size_traces,
    params=PARAMS,
)
