"""Receptive fields: which input cells one output cell of a stack of convolutions depends on.

Layers are square: one ``kernel``, ``stride``, ``padding`` and ``dilation`` for both axes,
so every formula here is per axis. After ``l`` layers (``l = 0`` is the input itself)::

    size_l  = size_{l−1} + (k_l − 1)·d_l·jump_{l−1}                   size_0  = 1
    jump_l  = jump_{l−1}·s_l                                          jump_0  = 1
    first_l = first_{l−1} − p_l·jump_{l−1}                            first_0 = 0
    start_l = start_{l−1} + ((k_l − 1)·d_l/2 − p_l)·jump_{l−1}        start_0 = 0

``size`` is the receptive field's extent in input cells, ``jump`` the input distance
between adjacent output cells, ``first`` the input coordinate of the first cell of output
cell 0's field (negative: it starts in the padding) and ``start`` its centre. Output cell
``u`` sees input cells ``[first + u·jump, first + u·jump + size)``. This module is the one
home of these recurrences.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

import numpy as np

from convcore._args import integer, pair
from convcore.functional import output_size

Box = tuple[int, int, int, int]  # row_start, row_stop, col_start, col_stop (stops exclusive)


@dataclass(frozen=True)
class Layer:
    """One square convolution layer: kernel, stride, padding (each side) and dilation.

    Raises
    ------
    ValueError
        If ``kernel``, ``stride`` or ``dilation`` is not a positive int, or ``padding`` is
        not an int >= 0.
    """

    kernel: int = 3
    stride: int = 1
    padding: int = 0
    dilation: int = 1

    def __post_init__(self):
        for name, minimum in (("kernel", 1), ("stride", 1), ("padding", 0), ("dilation", 1)):
            object.__setattr__(self, name, integer(getattr(self, name), name, minimum))


_LAYER_KEYS = tuple(f.name for f in fields(Layer))


def _as_layer(spec, i: int) -> Layer:
    if isinstance(spec, Layer):
        return spec
    if isinstance(spec, Mapping) and set(spec) <= set(_LAYER_KEYS):
        args = spec
    elif isinstance(spec, (tuple, list)) and 1 <= len(spec) <= 4:
        args = dict(zip(_LAYER_KEYS, spec, strict=False))
    else:
        raise ValueError(
            f"layer {i} must be a Layer, a (kernel, stride, padding, dilation) tuple or a dict "
            f"with keys {', '.join(_LAYER_KEYS)}; got {spec!r}"
        )
    try:
        return Layer(**args)
    except ValueError as exc:
        raise ValueError(f"layer {i}: {exc}") from None


def as_layers(layers) -> tuple[Layer, ...]:
    """Normalise a sequence of layer specs (``Layer``, tuple or dict) to ``Layer`` objects.

    A tuple lists ``(kernel, stride, padding, dilation)``, trailing entries optional; a
    dict uses those names as keys.

    Raises
    ------
    ValueError
        If ``layers`` is empty or not a sequence, or a layer is malformed or out of range.
    """
    if isinstance(layers, (Layer, Mapping, str)) or not isinstance(layers, Iterable):
        raise ValueError(f"layers must be a sequence of layers, got {layers!r}")
    out = tuple(_as_layer(spec, i) for i, spec in enumerate(layers))
    if not out:
        raise ValueError("layers is empty: give at least one layer")
    return out


@dataclass(frozen=True)
class ReceptiveField:
    """Receptive-field size, jump, first cell and centre after each layer of a chain.

    Attributes
    ----------
    layers : the ``L`` layers.
    size : (L+1,) int, receptive-field extent in input cells after ``l`` layers.
    jump : (L+1,) int, input distance between adjacent cells of feature map ``l``.
    first : (L+1,) int, input coordinate of the first cell seen by cell 0 of map ``l``
        (unclipped; negative means it lies in the padding).
    start : (L+1,) float, input coordinate of the centre of cell 0's field,
        ``first + (size − 1)/2``.
    """

    layers: tuple[Layer, ...]
    size: np.ndarray
    jump: np.ndarray
    first: np.ndarray
    start: np.ndarray

    def span(self, index: int) -> tuple[int, int]:
        """Unclipped ``(start, stop)`` input cells seen by cell ``index`` of the last map."""
        begin = int(self.first[-1] + index * self.jump[-1])
        return begin, begin + int(self.size[-1])


def _recurrences(layers: tuple[Layer, ...]) -> ReceptiveField:
    """:func:`receptive_field` without the non-empty check (no layers: the cell itself)."""
    size, jump, first, start = [1], [1], [0], [0.0]
    for layer in layers:
        k, s, p, d = layer.kernel, layer.stride, layer.padding, layer.dilation
        size.append(size[-1] + (k - 1) * d * jump[-1])
        start.append(start[-1] + ((k - 1) * d / 2 - p) * jump[-1])
        first.append(first[-1] - p * jump[-1])
        jump.append(jump[-1] * s)
    arrays = (np.array(v) for v in (size, jump, first, start))
    return ReceptiveField(layers, *arrays)


def receptive_field(layers) -> ReceptiveField:
    """Receptive field of a chain of square convolutions, after each layer.

    ``size_l = size_{l−1} + (k_l − 1)·d_l·jump_{l−1}``, ``jump_l = jump_{l−1}·s_l``,
    ``start_l = start_{l−1} + ((k_l − 1)·d_l/2 − p_l)·jump_{l−1}`` (see the module doc).

    Parameters
    ----------
    layers : sequence of Layer, (kernel, stride, padding, dilation) tuples or dicts

    Returns
    -------
    ReceptiveField
        Arrays of length ``L + 1``; index 0 is the input (size 1, jump 1, start 0).

    Raises
    ------
    ValueError
        If ``layers`` is empty, or a kernel, stride or dilation is < 1 or a padding < 0.
    """
    return _recurrences(as_layers(layers))


def feature_sizes(layers, input_size) -> np.ndarray:
    """Spatial size of the input and of every feature map, via :func:`convcore.output_size`.

    Parameters
    ----------
    layers : sequence of layer specs (see :func:`receptive_field`)
    input_size : int or (int, int)
        ``(H, W)`` of the input.

    Returns
    -------
    numpy.ndarray, shape (L+1, 2), int
        Row ``l`` is ``(height, width)`` after ``l`` layers.

    Raises
    ------
    ValueError
        If a layer is invalid or the input is too small for some layer's kernel.
    """
    layers = as_layers(layers)
    sizes = [pair(input_size, "input_size")]
    for i, layer in enumerate(layers):
        try:
            sizes.append(tuple(_layer_out(n, layer) for n in sizes[-1]))
        except ValueError as exc:
            raise ValueError(f"input_size {sizes[0]} is too small for layer {i}: {exc}") from None
    return np.array(sizes)


def _layer_out(size: int, layer: Layer) -> int:
    return output_size(size, layer.kernel, layer.stride, layer.padding, layer.dilation)


def _check_index(index: tuple[int, int], out_hw) -> None:
    if index[0] >= out_hw[0] or index[1] >= out_hw[1]:
        raise ValueError(
            f"out_index {index} lies outside the {out_hw[0]}×{out_hw[1]} output "
            f"(rows 0..{out_hw[0] - 1}, columns 0..{out_hw[1] - 1})"
        )


def _clip(box: Box, hw) -> Box:
    r0, r1, c0, c1 = box
    return max(r0, 0), min(r1, int(hw[0])), max(c0, 0), min(c1, int(hw[1]))


@dataclass(frozen=True)
class InputRegion:
    """The input box one output cell sees: ``(row_start, row_stop, col_start, col_stop)``.

    Stops are exclusive. ``unclipped`` may reach into the padding (negative starts, stops
    beyond the input); ``clipped`` is its intersection with the input, or None when no
    input size was given. The box is a bounding box: dilation or a stride larger than the
    kernel leaves holes in it, and cells near the end the strided windows never reach may
    lie inside it (see :class:`ReceptiveTrace` ``masks`` for the exact cells).
    """

    unclipped: Box
    clipped: Box | None


def input_region(layers, out_index, input_size=None) -> InputRegion:
    """The input region seen by one cell of the last feature map.

    Parameters
    ----------
    layers : sequence of layer specs (see :func:`receptive_field`)
    out_index : int or (int, int)
        ``(row, column)`` of the cell in the last feature map.
    input_size : int or (int, int), optional
        ``(H, W)`` of the input; when given, ``out_index`` is checked against the output
        size and the region is also clipped to the input.

    Returns
    -------
    InputRegion

    Raises
    ------
    ValueError
        As :func:`receptive_field` and :func:`feature_sizes`, or if ``out_index`` is
        negative or outside the output.
    """
    rf = receptive_field(layers)
    index = pair(out_index, "out_index", minimum=0)
    box = (*rf.span(index[0]), *rf.span(index[1]))
    if input_size is None:
        return InputRegion(box, None)
    sizes = feature_sizes(rf.layers, input_size)
    _check_index(index, sizes[-1])
    return InputRegion(box, _clip(box, sizes[0]))


def _feeding_cells(layers, sizes, index: int) -> list[np.ndarray]:
    """Per map, along one axis, the cells that feed cell ``index`` of the last map.

    Walks back through each layer's taps ``u·s − p + t·d`` (``t < k``), dropping padding.
    """
    cells = [np.array([index])]
    for layer, size_in in zip(reversed(layers), reversed(sizes[:-1]), strict=True):
        taps = np.arange(layer.kernel) * layer.dilation - layer.padding
        taps = np.unique(cells[0][:, None] * layer.stride + taps[None, :])
        cells.insert(0, taps[(taps >= 0) & (taps < size_in)])
    return cells


def _masks(layers, sizes: np.ndarray, index) -> tuple[np.ndarray, ...]:
    rows = _feeding_cells(layers, sizes[:, 0], index[0])
    cols = _feeding_cells(layers, sizes[:, 1], index[1])
    masks = []
    for hw, r, c in zip(sizes, rows, cols, strict=True):
        mask = np.zeros(tuple(hw), bool)
        mask[np.ix_(r, c)] = True
        masks.append(mask)
    return tuple(masks)


@dataclass(frozen=True)
class ReceptiveTrace:
    """How one output cell of a chain of ``L`` convolutions reaches back to the input.

    Map ``m`` is the input for ``m = 0`` and the output of layer ``m`` otherwise; map ``L``
    holds the chosen cell. Channels are ``C`` in every map (weight counts only).

    Attributes
    ----------
    layers : the ``L`` layers.
    input_size : (H, W).
    out_index : (row, column) of the chosen cell in map ``L``.
    channels : ``C``, the channel count assumed for the weight counts.
    map_sizes : (L+1, 2) int, ``(height, width)`` of every map (via ``output_size``).
    size, jump, first, start : (L+1,) the chain's receptive field after each layer, in
        input cells (see :class:`ReceptiveField`).
    region_size : (L+1,) int, extent (in map ``m``'s own cells) of the window of map ``m``
        that feeds the chosen cell; ``region_size[0] == size[-1]``, ``region_size[L] == 1``.
    regions : (L+1, 4) int, that window's unclipped box ``(row_start, row_stop, col_start,
        col_stop)`` in map ``m`` coordinates (stops exclusive; may reach into padding).
    regions_clipped : (L+1, 4) int, the box intersected with map ``m``.
    masks : L+1 bool arrays, ``masks[m]`` of shape ``map_sizes[m]``: exactly the cells of
        map ``m`` the chosen cell depends on (holes from dilation or large strides, and
        no padding cells). ``masks[L]`` is the chosen cell alone.
    mask_counts : (L+1,) int, cells set in each mask.
    weights_stack : ``Σ k_l²``, weights per channel pair in the chain (no biases).
    weights_single : ``size[-1]²``, weights per channel pair of one kernel with the same
        receptive field.
    weights_stack_total, weights_single_total : the same times ``C²``.
    nonlinear_stack : ``L``, one non-linearity after every layer of the chain.
    nonlinear_single : 1, one after the single big kernel.
    layer_weights : (L,) int, ``k_l²``, weights per channel pair of each layer
        (``weights_stack`` is their sum).
    single_layer : the one layer with the chain's receptive field (see
        :func:`equivalent_layer`), the "one big kernel" the chain is compared with.
    """

    layers: tuple[Layer, ...]
    input_size: tuple[int, int]
    out_index: tuple[int, int]
    channels: int
    map_sizes: np.ndarray
    size: np.ndarray
    jump: np.ndarray
    first: np.ndarray
    start: np.ndarray
    region_size: np.ndarray
    regions: np.ndarray
    regions_clipped: np.ndarray
    masks: tuple[np.ndarray, ...]
    mask_counts: np.ndarray
    weights_stack: int
    weights_single: int
    weights_stack_total: int
    weights_single_total: int
    nonlinear_stack: int
    nonlinear_single: int
    layer_weights: np.ndarray
    single_layer: Layer


def _regions(layers, sizes, index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per map: region extent, unclipped box and clipped box feeding cell ``index``."""
    tails = [_recurrences(layers[m:]) for m in range(len(layers) + 1)]
    boxes = np.array([(*rf.span(index[0]), *rf.span(index[1])) for rf in tails])
    clipped = np.array([_clip(tuple(box), hw) for box, hw in zip(boxes, sizes, strict=True)])
    return np.array([rf.size[-1] for rf in tails]), boxes, clipped


def receptive_trace(layers, input_size, out_index, channels=1) -> ReceptiveTrace:
    """Trace the receptive field of one output cell through every feature map.

    Parameters
    ----------
    layers : sequence of layer specs (see :func:`receptive_field`)
    input_size : int or (int, int)
        ``(H, W)`` of the input.
    out_index : int or (int, int)
        ``(row, column)`` of the chosen cell in the last feature map.
    channels : int
        ``C`` for the weight counts (``C`` input and output channels in every layer).

    Returns
    -------
    ReceptiveTrace

    Raises
    ------
    ValueError
        As :func:`input_region`, or if ``channels`` is not a positive int.
    """
    rf = receptive_field(layers)
    sizes = feature_sizes(rf.layers, input_size)
    index = pair(out_index, "out_index", minimum=0)
    _check_index(index, sizes[-1])
    region_size, regions, regions_clipped = _regions(rf.layers, sizes, index)
    masks = _masks(rf.layers, sizes, index)
    return ReceptiveTrace(
        layers=rf.layers,
        input_size=tuple(int(n) for n in sizes[0]),
        out_index=index,
        map_sizes=sizes,
        size=rf.size,
        jump=rf.jump,
        first=rf.first,
        start=rf.start,
        region_size=region_size,
        regions=regions,
        regions_clipped=regions_clipped,
        masks=masks,
        mask_counts=np.array([mask.sum() for mask in masks]),
        **_weight_counts(rf, integer(channels, "channels")),
    )


def _weight_counts(rf: ReceptiveField, c: int) -> dict:
    """The chain's weights and non-linearities vs one kernel with the same field."""
    per_layer = np.array([layer.kernel**2 for layer in rf.layers])
    stack = int(per_layer.sum())
    single = int(rf.size[-1]) ** 2
    return {
        "layer_weights": per_layer,
        "single_layer": _equivalent(rf),
        "channels": c,
        "weights_stack": stack,
        "weights_single": single,
        "weights_stack_total": stack * c * c,
        "weights_single_total": single * c * c,
        "nonlinear_stack": len(rf.layers),
        "nonlinear_single": 1,
    }


def _equivalent(rf: ReceptiveField) -> Layer:
    return Layer(int(rf.size[-1]), int(rf.jump[-1]), int(-rf.first[-1]), 1)


def equivalent_layer(layers) -> Layer:
    """The single layer whose every output cell sees the same input span as the chain's.

    Kernel ``size[-1]``, stride ``jump[-1]``, padding ``−first[-1]``, dilation 1: output
    cell ``u`` sees input cells ``[first + u·jump, first + u·jump + size)`` exactly as after
    the chain (for stride-1 chains of ``n`` ``k×k`` layers: one ``(n·(k−1)+1)²`` kernel).

    Raises
    ------
    ValueError
        As :func:`receptive_field`.
    """
    return _equivalent(receptive_field(layers))


def central_cell(layers, input_size) -> tuple[int, int]:
    """``(row, column)`` of the middle cell of the chain's last feature map.

    ``(n − 1) // 2`` per axis for an ``n``-cell map (the upper/left middle when ``n`` is even).

    Raises
    ------
    ValueError
        As :func:`feature_sizes`.
    """
    rows, cols = feature_sizes(layers, input_size)[-1]
    return int(rows - 1) // 2, int(cols - 1) // 2


@dataclass(frozen=True)
class StackStage:
    """The first ``n`` layers of a chain traced back from the middle cell of their last map,
    and one big kernel with the same receptive field traced from the same cell.

    ``single`` is None for ``n = 1`` (one layer is its own big kernel).
    """

    stack: ReceptiveTrace
    single: ReceptiveTrace | None


def stack_stages(layers, input_size, channels=1) -> tuple[StackStage, ...]:
    """One :class:`StackStage` per prefix of ``layers`` (1, 2, …, ``L`` layers).

    Each prefix is traced from its :func:`central_cell`; its big kernel is
    :func:`equivalent_layer` of the prefix, traced from the same cell.

    Raises
    ------
    ValueError
        As :func:`receptive_trace` (e.g. an input too small for some layer).
    """
    layers = as_layers(layers)
    stages = []
    for n in range(1, len(layers) + 1):
        cell = central_cell(layers[:n], input_size)
        stack = receptive_trace(layers[:n], input_size, cell, channels)
        single = None
        if n > 1:
            single = receptive_trace([stack.single_layer], input_size, cell, channels)
        stages.append(StackStage(stack, single))
    return tuple(stages)


@dataclass(frozen=True)
class StackComparison:
    """``n`` stacked ``k×k`` stride-1 layers vs one ``K×K`` kernel with the same field.

    ``K = n·(k − 1) + 1`` (from :func:`receptive_field`). Weights per channel pair:
    ``n·k²`` vs ``K²`` (2·9 = 18 vs 25, 3·9 = 27 vs 49 for ``k = 3``); with ``C`` input and
    output channels everywhere, both times ``C²``. Biases are not counted.

    Attributes
    ----------
    kernel : ``k``.
    channels : ``C``.
    n_layers : (m,) int, the stack depths compared.
    receptive : (m,) int, ``K`` for each depth.
    per_pair_stack : (m,) int, ``n·k²``.
    per_pair_single : (m,) int, ``K²``.
    stack_weights : (m,) int, ``n·k²·C²``.
    single_weights : (m,) int, ``K²·C²``.
    saved : (m,) int, ``single_weights − stack_weights``.
    nonlinear_stack : (m,) int, ``n`` non-linearities (one after each layer).
    nonlinear_single : (m,) int, 1.
    """

    kernel: int
    channels: int
    n_layers: np.ndarray
    receptive: np.ndarray
    per_pair_stack: np.ndarray
    per_pair_single: np.ndarray
    stack_weights: np.ndarray
    single_weights: np.ndarray
    saved: np.ndarray
    nonlinear_stack: np.ndarray
    nonlinear_single: np.ndarray


def stack_comparison(n_layers=(1, 2, 3), kernel=3, channels=1) -> StackComparison:
    """Weights and non-linearities of stacked small kernels vs one big kernel.

    Parameters
    ----------
    n_layers : int or sequence of int
        Stack depths ``n`` to compare (each >= 1).
    kernel : int
        ``k``, the small kernel's size.
    channels : int
        ``C``, input and output channels of every layer.

    Returns
    -------
    StackComparison

    Raises
    ------
    ValueError
        If ``n_layers`` is empty or any argument is not a positive int.
    """
    ns = [integer(n, "n_layers") for n in np.atleast_1d(np.asarray(n_layers, dtype=object))]
    if not ns:
        raise ValueError("n_layers is empty: give at least one stack depth")
    k, c = integer(kernel, "kernel"), integer(channels, "channels")
    n = np.array(ns)
    big = np.array([receptive_field([Layer(k)] * depth).size[-1] for depth in ns])
    stack, single = n * k * k, big * big
    return StackComparison(
        kernel=k,
        channels=c,
        n_layers=n,
        receptive=big,
        per_pair_stack=stack,
        per_pair_single=single,
        stack_weights=stack * c * c,
        single_weights=single * c * c,
        saved=(single - stack) * c * c,
        nonlinear_stack=n,
        nonlinear_single=np.ones_like(n),
    )
