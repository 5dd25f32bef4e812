"""Feature maps of an image: well-known kernels, ReLU, and the numbers of a colour scale.

A feature map is one kernel's :func:`~convcore.conv2d` over a grey image (no padding,
stride 1). :func:`feature_map` records it with what a picture of it needs: its range, the
symmetric colour-scale limit of a diverging map centred on 0, the values scaled to
[−1, 1], and the same after ReLU. :func:`trace_feature_maps` adds a small patch traced
position by position (:func:`~convcore.trace_conv2d`) and the maps of further kernels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convcore._args import as_float_array, check_finite, integer
from convcore.functional import conv2d
from convcore.trace import ConvTrace, trace_conv2d


def _kernel(rows, scale: float = 1.0) -> np.ndarray:
    k = np.array(rows, dtype=np.float64) * scale
    k.setflags(write=False)
    return k


#: Named 3×3 kernels, applied as cross-correlation (PyTorch's ``conv2d``).
#:
#: ``sobel-x``, ``sobel-y``
#:     Sobel & Feldman's operator (1968), the ``[1, 2, 1]`` smoothing times the
#:     ``[−1, 0, 1]`` difference, signed as ``scipy.ndimage.sobel`` along columns
#:     (axis 1) and rows (axis 0): positive where the image brightens to the right / downward.
#: ``laplacian``
#:     The 4-neighbour discrete Laplacian, ``scipy.ndimage.laplace``'s stencil.
#: ``blur``
#:     The 3×3 Gaussian (binomial) blur ``[1, 2, 1]ᵀ[1, 2, 1] / 16`` (Wikipedia, "Kernel
#:     (image processing)").
#: ``sharpen``
#:     Identity minus the Laplacian (Wikipedia, "Kernel (image processing)").
#: ``edge``
#:     The 8-neighbour edge detector ``8·centre − neighbours`` (Wikipedia, "Kernel (image
#:     processing)", ridge/edge detection).
KERNELS: dict[str, np.ndarray] = {
    "sobel-x": _kernel([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "sobel-y": _kernel([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "laplacian": _kernel([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    "blur": _kernel([[1, 2, 1], [2, 4, 2], [1, 2, 1]], 1 / 16),
    "sharpen": _kernel([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    "edge": _kernel([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
}
KERNEL_NAMES: tuple[str, ...] = tuple(KERNELS)


def named_kernel(name: str) -> np.ndarray:
    """A writable copy of the kernel ``name`` from :data:`KERNELS`.

    Raises
    ------
    ValueError
        When ``name`` is not one of :data:`KERNEL_NAMES`.
    """
    if name not in KERNELS:
        raise ValueError(f"unknown kernel {name!r}; known kernels: {', '.join(KERNEL_NAMES)}")
    return KERNELS[name].copy()


def relu(input) -> np.ndarray:
    """``max(x, 0)`` element-wise, as ``torch.nn.functional.relu`` (any shape, float)."""
    x = as_float_array(input, "input", tuple(range(8)))
    return np.maximum(x, 0.0)


def grey_levels(image, levels: int = 256) -> np.ndarray:
    """Grey values in [0, 1] as whole levels ``0 … levels − 1`` (8-bit: 0 … 255).

    ``round(x · (levels − 1))``, half to even. Raises ``ValueError`` for values outside
    [0, 1] or fewer than 2 levels.
    """
    x = as_float_array(image, "image", (2,))
    levels = integer(levels, "levels", minimum=2)
    if x.min() < 0 or x.max() > 1:
        raise ValueError(f"image values must lie in [0, 1], got {x.min():g} … {x.max():g}")
    return np.round(x * (levels - 1))


def symmetric_limit(values) -> float:
    """The colour-scale limit of a diverging map centred on 0: ``max |v|`` (1 if all 0)."""
    x = as_float_array(values, "values", tuple(range(1, 8)))
    limit = float(np.max(np.abs(x)))
    return limit if limit > 0 else 1.0


@dataclass(frozen=True)
class FeatureMap:
    """One kernel's feature map and the numbers its picture shows.

    Attributes
    ----------
    name : the kernel's name (``"custom"`` for a matrix).
    kernel : (kH, kW).
    values : (out_h, out_w) ``conv2d(image, kernel)``, no padding, stride 1.
    minimum, maximum, mean : of ``values``.
    limit : the colour scale runs from ``−limit`` to ``limit`` (:func:`symmetric_limit`).
    scaled : (out_h, out_w) ``values / limit``, in [−1, 1].
    relu : (out_h, out_w) ``relu(values)``.
    relu_limit : ``max(relu)`` (1 when it is all 0): its colour scale runs 0 … relu_limit.
    relu_scaled : ``relu / relu_limit``, in [0, 1].
    zeroed : how many values ReLU sets to 0 (the negative ones); ``zeroed_fraction`` of all.
    """

    name: str
    kernel: np.ndarray
    values: np.ndarray
    minimum: float
    maximum: float
    mean: float
    limit: float
    scaled: np.ndarray
    relu: np.ndarray
    relu_limit: float
    relu_scaled: np.ndarray
    zeroed: int
    zeroed_fraction: float

    @property
    def shape(self) -> tuple[int, int]:
        """``(out_h, out_w)``."""
        return self.values.shape

    @property
    def ticks(self) -> tuple[float, float, float]:
        """The colour bar's labels: ``(−limit, 0, limit)``."""
        return -self.limit, 0.0, self.limit

    @property
    def relu_ticks(self) -> tuple[float, float]:
        """The ReLU map's colour bar labels: ``(0, relu_limit)``."""
        return 0.0, self.relu_limit


def feature_map(image, kernel, name: str = "custom") -> FeatureMap:
    """The feature map of a 2-D ``image`` under a 2-D ``kernel``, with its colour scales.

    Raises
    ------
    ValueError
        As :func:`convcore.conv2d` (e.g. a kernel larger than the image), or when the
        values overflow float64.
    """
    x = as_float_array(image, "image", (2,))
    k = as_float_array(kernel, "kernel", (2,))
    with np.errstate(over="ignore", invalid="ignore"):
        values = conv2d(x[None, None], k[None, None])[0, 0]
    check_finite(f"the {name} feature map's values", (values,), {"image": x, "kernel": k})
    limit = symmetric_limit(values)
    rectified = relu(values)
    relu_limit = float(rectified.max()) if rectified.max() > 0 else 1.0
    zeroed = int(np.count_nonzero(values < 0))
    return FeatureMap(
        name=name,
        kernel=k,
        values=values,
        minimum=float(values.min()),
        maximum=float(values.max()),
        mean=float(values.mean()),
        limit=limit,
        scaled=values / limit,
        relu=rectified,
        relu_limit=relu_limit,
        relu_scaled=rectified / relu_limit,
        zeroed=zeroed,
        zeroed_fraction=zeroed / values.size,
    )


def strongest_block(values: np.ndarray, size: int) -> tuple[int, int]:
    """Top-left ``(row, col)`` of the ``size``×``size`` block of ``values`` centred (as
    near as fits) on its largest ``|value|`` (the first, row-major, on ties)."""
    h, w = values.shape
    i, j = np.unravel_index(np.argmax(np.abs(values)), values.shape)
    top = int(np.clip(i - size // 2, 0, max(h - size, 0)))
    left = int(np.clip(j - size // 2, 0, max(w - size, 0)))
    return top, left


@dataclass(frozen=True)
class FeatureMapsTrace:
    """A feature-maps video: the image, its main map, a patch in detail, more maps.

    Attributes
    ----------
    image : (H, W) the image the kernels see.
    main : the feature map of the video's kernel.
    patch_origin : (row, col) of the patch's top-left pixel in ``image``; the patch's output
        block starts at the same (row, col) of ``main.values``.
    patch : the :class:`~convcore.ConvTrace` of the patch (a few positions, every product).
    compare : the feature maps shown side by side at the end.
    """

    image: np.ndarray
    main: FeatureMap
    patch_origin: tuple[int, int]
    patch: ConvTrace
    compare: tuple[FeatureMap, ...]


def trace_feature_maps(
    image, kernel, name: str = "custom", compare=(), patch_size: int = 3, patch_origin=None
) -> FeatureMapsTrace:
    """Feature maps of ``image``: ``kernel``'s with a ``patch_size``² block traced in detail,
    and one per named kernel in ``compare``.

    Parameters
    ----------
    image : (H, W) array.
    kernel : (kH, kW) array; ``name`` is what the video calls it.
    compare : names from :data:`KERNEL_NAMES`.
    patch_size : side of the traced output block (it reads ``patch_size + kH − 1`` rows).
    patch_origin : (row, col) of the block in the output map; by default the block around
        the strongest response (:func:`strongest_block`).

    Raises
    ------
    ValueError
        As :func:`feature_map`; for an unknown name, or a block outside the output map.
    """
    x = as_float_array(image, "image", (2,))
    main = feature_map(x, kernel, name)
    size = integer(patch_size, "patch_size")
    oh, ow = main.shape
    if size > min(oh, ow):
        raise ValueError(f"patch_size {size} is larger than the {oh}×{ow} feature map")
    top, left = strongest_block(main.values, size) if patch_origin is None else patch_origin
    if not (0 <= top <= oh - size and 0 <= left <= ow - size):
        raise ValueError(
            f"patch ({top}, {left}) must lie in the {oh}×{ow} feature map "
            f"(row ≤ {oh - size}, column ≤ {ow - size})"
        )
    kh, kw = main.kernel.shape
    patch = x[top : top + size + kh - 1, left : left + size + kw - 1]
    traced = trace_conv2d(patch[None, None], main.kernel[None, None])
    maps = tuple(feature_map(x, named_kernel(n), n) for n in compare)
    return FeatureMapsTrace(x, main, (int(top), int(left)), traced, maps)
