"""``feature-maps``: a photograph through well-known kernels; a patch in detail, the whole map
as a picture with its colour bar, the map after ReLU, and several kernels side by side.

The image (``--image``, by default the shipped photograph) is read in grey
(:func:`scenes.kit.image.load_grey`), shrunk to ``--size`` pixels on its longer side and
taken as 8-bit grey levels 0 … 255 (:func:`convcore.grey_levels`), so the patch's
arithmetic shows whole numbers.
"""

from __future__ import annotations

import numpy as np

from convcore import KERNEL_NAMES, FeatureMapsTrace, grey_levels, named_kernel, trace_feature_maps
from scenes.kit.image import load_grey
from scenes.kit.params import (
    IMAGE,
    INT_OR_PAIR,
    KERNEL,
    Param,
    SceneSpec,
    Values,
    int_range,
    name_or_matrix,
    names_list,
)

#: Largest kernel (cells per side) whose window and products fit beside the patch.
MAX_KERNEL = 5
#: Side of the block of the feature map computed window by window.
PATCH = 3
#: Most kernels side by side at the end (one picture each, beside the image).
MAX_COMPARE = 4

PARAMS = (
    IMAGE,
    Param("size", int_range(16, 256), 96, "Longest side of the image in pixels (16 to 256)."),
    KERNEL.but(
        kind=name_or_matrix(KERNEL_NAMES),
        default="sobel-x",
        help="Kernel: " + ", ".join(KERNEL_NAMES) + ", or a matrix like --input.",
    ),
    Param(
        "kernels",
        names_list(KERNEL_NAMES, MAX_COMPARE),
        ("sobel-x", "sobel-y", "laplacian"),
        f"Kernels compared side by side at the end: 1 to {MAX_COMPARE} names, e.g. "
        "sobel-x,sobel-y,laplacian.",
    ),
    Param(
        "patch",
        INT_OR_PAIR,
        None,
        f"Row,column of the {PATCH}×{PATCH} block of the feature map worked out in detail "
        "(default: around the strongest response).",
    ),
)


def feature_maps_trace(v: Values) -> FeatureMapsTrace:
    """The feature maps of ``v.image`` for ``v.kernel`` and ``v.kernels``."""
    image = grey_levels(load_grey(v.image.path, v.size))
    if isinstance(v.kernel, str):
        name, kernel = v.kernel, named_kernel(v.kernel)
    else:
        name, kernel = "custom", np.asarray(v.kernel)
    if kernel.ndim != 2 or max(kernel.shape) > MAX_KERNEL:
        raise ValueError(
            f"kernel {kernel.shape} cannot be drawn: give a 2-D kernel of at most "
            f"{MAX_KERNEL}×{MAX_KERNEL}"
        )
    h, w = image.shape
    kh, kw = kernel.shape
    if h < kh + PATCH - 1 or w < kw + PATCH - 1:
        raise ValueError(
            f"the image is {h}×{w} pixels at --size {v.size}: too small for a {kh}×{kw} "
            f"kernel and a {PATCH}×{PATCH} patch; use a larger --size or another image"
        )
    patch = (v.patch, v.patch) if isinstance(v.patch, int) else v.patch
    return trace_feature_maps(image, kernel, name, v.kernels, PATCH, patch)


SPEC = SceneSpec(
    name="feature-maps",
    module="scenes.feature_maps",
    class_name="FeatureMaps",
    description="A photograph through well-known kernels: feature maps, colour bars, ReLU.",
    make_trace=feature_maps_trace,
    params=PARAMS,
)
