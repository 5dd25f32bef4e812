"""The explicit registry of videos, in lecture order: ``convanim list`` and the gallery
show them in this order. Each entry is a scene's own declaration (``scenes/specs/``), so
listing and checking parameters never imports Manim.
"""

from __future__ import annotations

from scenes.kit.params import SceneSpec
from scenes.specs import (
    backward,
    checkerboard,
    conv_arithmetic,
    feature_maps,
    flip,
    im2col,
    initialization,
    learn_kernel,
    matmul,
    multichannel,
    output_size,
    pooling,
    receptive_field,
    sliding,
    training,
    transposed,
)
from scenes.specs import groups as grouped  # registry.groups() is a function below

SCENES: dict[str, SceneSpec] = {
    spec.name: spec
    for spec in (
        sliding.SPEC,
        flip.SPEC,
        im2col.SPEC,
        im2col.CHANNELS_SPEC,
        matmul.SPEC,
        output_size.SPEC,
        receptive_field.SPEC,
        multichannel.SPEC,
        grouped.SPEC,
        transposed.SPEC,
        pooling.SPEC,
        checkerboard.SPEC,
        feature_maps.SPEC,
        backward.SPEC,
        training.SPEC,
        learn_kernel.SPEC,
        initialization.SPEC,
        *conv_arithmetic.SPECS,
    )
}


def get(name: str) -> SceneSpec:
    """The declaration called ``name`` (``ValueError`` listing the known names)."""
    try:
        return SCENES[name]
    except KeyError:
        raise ValueError(f"unknown scene {name!r}; known scenes: {', '.join(SCENES)}") from None


def groups() -> list[str]:
    """The groups of videos (``SceneSpec.group``), in lecture order."""
    return list(dict.fromkeys(spec.group for spec in SCENES.values()))


def in_group(group: str) -> list[str]:
    """The names of the videos in ``group``, in lecture order."""
    return [spec.name for spec in SCENES.values() if spec.group == group]


def order(name: str) -> int:
    """Position of scene ``name`` in lecture order (unknown scenes last)."""
    return list(SCENES).index(name) if name in SCENES else len(SCENES)
