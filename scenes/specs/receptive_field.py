"""``receptive-field``: one output cell traced back through stacked layers vs one big kernel."""

from __future__ import annotations

from convcore.receptive import StackStage, as_layers, stack_stages
from scenes.kit.fmt import shape
from scenes.kit.params import LAYERS, Param, SceneSpec, Values, int_range

#: Most layers (feature maps side by side) that fit the frame legibly.
MAX_LAYERS = 4
#: Largest input (cells per side) drawn legibly beside its feature maps.
MAX_INPUT = 12

PARAMS = (
    Param(
        "layers",
        LAYERS,
        ((3, 1, 0, 1),) * 3,
        'Stacked layers as "kernel,stride,padding,dilation; ..." (e.g. "3,1,0,1; 3,2,0,1").',
    ),
    Param("input_size", int_range(1, 64), 9, "Input side length."),
    Param("channels", int_range(1, 4096), 64, "Channels C in the C² weight count."),
)


def receptive_stages(v: Values) -> tuple[StackStage, ...]:
    """One stage per prefix of the layers (``ValueError`` if unusable or too large)."""
    layers = as_layers(v.layers)
    if len(layers) > MAX_LAYERS:
        raise ValueError(f"{len(layers)} layers: at most {MAX_LAYERS} can be drawn")
    if v.input_size > MAX_INPUT:
        size = shape(v.input_size, v.input_size)
        raise ValueError(f"input {size} is too large to draw (at most {MAX_INPUT}×{MAX_INPUT})")
    return stack_stages(layers, v.input_size, v.channels)


SPEC = SceneSpec(
    name="receptive-field",
    module="scenes.receptive_field",
    class_name="ReceptiveField",
    description="Receptive field of stacked 3×3 layers (3 → 5 → 7) vs one 5×5 or 7×7 kernel.",
    make_trace=receptive_stages,
    params=PARAMS,
)
