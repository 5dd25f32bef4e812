"""The explicit registry of videos, in lecture order: ``convanim list`` and the gallery
show them in this order. Each entry is a scene's own declaration (``scenes/specs/``), so
listing and checking parameters never imports Manim.
"""

from __future__ import annotations

from scenes.kit.params import SceneSpec
from scenes.specs import (
    im2col,
    initialization,
    matmul,
    multichannel,
    output_size,
    receptive_field,
    sliding,
    training,
)

SCENES: dict[str, SceneSpec] = {
    spec.name: spec
    for spec in (
        sliding.SPEC,
        im2col.SPEC,
        im2col.CHANNELS_SPEC,
        matmul.SPEC,
        output_size.SPEC,
        receptive_field.SPEC,
        multichannel.SPEC,
        training.SPEC,
        initialization.SPEC,
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


def order(name: str) -> int:
    """Position of scene ``name`` in lecture order (unknown scenes last)."""
    return list(SCENES).index(name) if name in SCENES else len(SCENES)
