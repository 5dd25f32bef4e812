"""``groups``: one input through groups=1, groups=2 and depthwise; then a depthwise-separable
block against the standard convolution it replaces, parameters and multiply-adds counted.

The numbers are small integers (input 0 to 3, weights −1 to 1) from
``numpy.random.default_rng(seed)``
(:func:`convcore.groups.example_data`): one dense ``(C_in, C_in, k, k)`` weight, of which
every grouping keeps its filters' own kernels (:func:`convcore.groups.group_weight`), and a
``(C_out, C_in, 1, 1)`` pointwise weight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convcore import ConvTrace, trace_conv2d
from convcore.groups import (
    ConvCost,
    SeparableTrace,
    conv_cost,
    example_data,
    group_weight,
    trace_separable,
)
from scenes.kit.params import SEED, Param, SceneSpec, Values, int_range

#: The most pixels (columns of the pointwise product) drawn legibly.
MAX_PIXELS = 16

PARAMS = (
    Param("in_channels", int_range(2, 4), 4, "Input channels C_in (2 to 4), one row each."),
    Param(
        "out_channels",
        int_range(1, 8),
        8,
        "Output channels C_out of the separable block and of the standard convolution it "
        "is compared with (1 to 8).",
    ),
    Param(
        "groups",
        int_range(1, 4),
        2,
        "The grouping shown between groups=1 and depthwise (groups=C_in); it must divide "
        "--in-channels.",
    ),
    Param("side", int_range(2, 5), 4, "Input height and width in cells (2 to 5)."),
    Param("kernel_size", int_range(1, 3), 3, "Kernel size: k for a k×k kernel or window."),
    SEED,
)


@dataclass(frozen=True)
class GroupsVideo:
    """What the video shows, in order.

    ``passes``: the input through ``groups = 1``, the chosen grouping and ``C_in``
    (depthwise), C_in filters each; ``costs``: each pass's weights (:class:`ConvCost`);
    ``separable``: the depthwise pass's weight followed by a 1×1 convolution to C_out
    channels, with the counts against a standard k×k convolution.
    """

    passes: tuple[ConvTrace, ...]
    costs: tuple[ConvCost, ...]
    separable: SeparableTrace


def groups_video(v: Values) -> GroupsVideo:
    """The traces of ``v``'s groupings and separable block (``ValueError`` if impossible)."""
    if v.in_channels % v.groups:
        raise ValueError(
            f"groups={v.groups} must divide the {v.in_channels} input channels (--in-channels)"
        )
    rng = np.random.default_rng(v.seed)
    x, weight, pointwise = example_data(rng, v.in_channels, v.out_channels, v.side, v.kernel_size)
    shown = tuple(dict.fromkeys((1, v.groups, v.in_channels)))
    passes = tuple(trace_conv2d(x, group_weight(weight, g), groups=g) for g in shown)
    out_hw = passes[0].out_shape
    costs = tuple(conv_cost(v.in_channels, v.in_channels, v.kernel_size, out_hw, g) for g in shown)
    separable = trace_separable(x, passes[-1].weight, pointwise)
    pixels = out_hw[0] * out_hw[1]
    if pixels > MAX_PIXELS:
        raise ValueError(
            f"a {out_hw[0]}×{out_hw[1]} output has {pixels} pixels, too many columns to draw "
            f"(at most {MAX_PIXELS}); use a smaller --side or a larger --kernel-size"
        )
    return GroupsVideo(passes, costs, separable)


SPEC = SceneSpec(
    name="groups",
    module="scenes.groups",
    class_name="Groups",
    description="groups=1, 2 and depthwise on one input; a separable block's counts.",
    make_trace=groups_video,
    params=PARAMS,
)
