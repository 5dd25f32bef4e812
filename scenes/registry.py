"""The explicit registry of scenes the CLI can build: name → module, class, description.

Scene modules are imported only when a scene is loaded, so listing is instant.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

#: CLI option name → scene class attribute.
PARAM_ATTRS = {
    "input": "input_matrix",
    "kernel": "kernel_matrix",
    "bias": "bias",
    "stride": "stride",
    "padding": "padding",
    "dilation": "dilation",
    "lr": "lr",
    "epochs": "epochs",
    "momentum": "momentum",
    "seed": "seed",
    "init": "init",
    "bins": "bins",
    "layers": "layers",
    "input_size": "input_size",
    "channels": "channels",
}
CONV_PARAMS = ("input", "kernel", "bias", "stride", "padding", "dilation")


@dataclass(frozen=True)
class SceneEntry:
    """One buildable video."""

    name: str
    module: str
    class_name: str
    description: str
    params: tuple[str, ...] = ()

    def load(self) -> type:
        """Import the scene module and return the scene class."""
        return getattr(importlib.import_module(self.module), self.class_name)

    def configured(self, params: dict, theme: str = "dark", lang: str = "en") -> type:
        """A subclass of the scene with the given parameters set as class attributes.

        Only parameters this scene accepts are applied.
        """
        base = self.load()
        attrs = {PARAM_ATTRS[k]: v for k, v in params.items() if k in self.params}
        attrs["theme_name"] = theme
        attrs["lang"] = lang
        return type(base.__name__, (base,), attrs)


SCENES: dict[str, SceneEntry] = {
    entry.name: entry
    for entry in (
        SceneEntry(
            "sliding",
            "scenes.sliding",
            "SlidingWindow",
            "The kernel slides over the input: every window, its products and their sum.",
            CONV_PARAMS,
        ),
        SceneEntry(
            "im2col",
            "scenes.im2col",
            "Im2col",
            "im2col: windows become columns, times the kernel row, reshaped; then the NumPy code.",
            CONV_PARAMS,
        ),
        SceneEntry(
            "im2col-channels",
            "scenes.im2col",
            "Im2colMultiChannel",
            "im2col with 2 input channels: the patch matrix stacks one row block per channel.",
            CONV_PARAMS,
        ),
        SceneEntry(
            "matmul",
            "scenes.matmul",
            "ConvAsMatmul",
            "Convolution as one matrix: the unrolled 9×25 kernel times x, and its transpose.",
            ("input", "kernel", "stride", "padding", "dilation"),
        ),
        SceneEntry(
            "output-size",
            "scenes.output_size",
            "OutputSizes",
            "Output size: padding, stride and dilation case by case (Dumoulin & Visin).",
            ("input", "kernel", "stride", "padding", "dilation"),
        ),
        SceneEntry(
            "receptive-field",
            "scenes.receptive_field",
            "ReceptiveField",
            "Receptive field of stacked 3×3 layers (3 → 5 → 7) vs one 5×5 or 7×7 kernel.",
            ("layers", "input_size", "channels"),
        ),
        SceneEntry(
            "multichannel",
            "scenes.multichannel",
            "MultiChannel",
            "3 input channels, 2 filters: per-channel sums, their total plus a bias, 2 maps.",
            CONV_PARAMS,
        ),
        SceneEntry(
            "training",
            "scenes.training",
            "TrainingStep",
            "When weights change: zero_grad, forward, loss, backward, step over 3 epochs of SGD.",
            ("lr", "epochs", "momentum", "seed", "init"),
        ),
        SceneEntry(
            "initialization",
            "scenes.initialization",
            "Initialization",
            "Weight init: 7 schemes, histograms, formulas; why a constant never breaks symmetry.",
            ("seed", "bins"),
        ),
    )
}


def get(name: str) -> SceneEntry:
    """The entry called ``name`` (raises ``ValueError`` listing the known names)."""
    try:
        return SCENES[name]
    except KeyError:
        raise ValueError(f"unknown scene {name!r}; known scenes: {', '.join(SCENES)}") from None
