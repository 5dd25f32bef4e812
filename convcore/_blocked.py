"""Fast convolution and weight gradient: im2col in short runs of output rows.

:func:`convcore.functional.conv2d_from_args` unfolds the whole batch into columns before
one matrix product: for 8×64×56×56 inputs and 3×3 kernels that is 58 MB of columns,
written once and read back from memory by the product. Here the columns of a few output
rows at a time (about ``CHUNK_BYTES``) are copied into one buffer that stays in the CPU
cache, multiplied by the kernel rows straight into the output, and overwritten by the next
run. The arithmetic is the same; only the order of the work changes.

Measured alternatives (8×64×56×56, 3×3, float32): a product per kernel tap on shifted
slices of the flat padded image needs no copy but is 2× slower (nine products with
``K = C_in`` and eight accumulating additions); copying the flat shifted slices instead
of window rows makes the copy contiguous but computes and drops ``(W_p − out_w)/W_p`` of
the columns, a few per cent slower in all.

Every array here is batched and already validated: see :func:`convcore.conv2d` and
:func:`convcore.conv2d_backward`, which dispatch here.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

#: Bytes of the column buffer of one run of output rows. Measured on 8×64×56×56, 3×3: on
#: two cores 2 and 4 MiB ran fastest (1 MiB 10-20% slower, 8 MiB 20% slower); on one core
#: 1 and 2 MiB (one or two L2 caches) did, 4 MiB 5% slower. Fewer, larger runs suffer
#: less when other processes hold the cores, as every OpenBLAS call waits for all of its
#: threads. ``scripts/bench.py --sweep`` times five sizes.
CHUNK_BYTES = 2 << 20


def _padded(x: np.ndarray, pads) -> Iterator[np.ndarray]:
    """Yield each image of ``x`` ``(N, C, H, W)`` zero-padded by ``pads``, in one buffer."""
    if not any(pads):
        yield from x
        return
    _, c, h, w = x.shape
    top, bottom, left, right = pads
    buffer = np.zeros((c, top + h + bottom, left + w + right), x.dtype)
    for image in x:
        buffer[:, top : top + h, left : left + w] = image
        yield buffer


def _row_runs(
    image, kernel, stride, dilation, out_hw, groups=1, ones=False
) -> Iterator[tuple[slice, np.ndarray]]:
    """Yield ``(q, cols)``: the im2col columns of a few output rows of one padded image.

    ``image`` is ``(C, Hp, Wp)``; ``cols`` is ``(groups, C/groups·kH·kW, len(q))``, rows
    ordered channel, kernel row, kernel column (as :func:`convcore.unfold`), plus a last
    row of ones per group if ``ones`` (it multiplies the bias); ``q`` is the slice of flat
    output positions ``r·out_w + c`` it covers.
    """
    c, hp, wp = image.shape
    (kh, kw), (out_h, out_w) = kernel, out_hw
    reach_h = stride[0] * (out_h - 1) + dilation[0] * (kh - 1)
    reach_w = stride[1] * (out_w - 1) + dilation[1] * (kw - 1)
    if reach_h >= hp or reach_w >= wp:  # as_strided below would read outside the image
        raise ValueError(f"{out_h}×{out_w} windows overrun the padded image {hp}×{wp}")
    sc, sh, sw = image.strides
    cg = c // groups
    windows = np.lib.stride_tricks.as_strided(
        image,
        (groups, cg, kh, kw, out_h, out_w),
        (sc * cg, sc, sh * dilation[0], sw * dilation[1], sh * stride[0], sw * stride[1]),
        writeable=False,
    )
    k = cg * kh * kw + ones  # rows per group
    rows = max(1, CHUNK_BYTES // (groups * k * out_w * image.itemsize))
    buffer = np.empty(groups * k * min(rows, out_h) * out_w, image.dtype)
    for r0 in range(0, out_h, rows):
        r1 = min(r0 + rows, out_h)
        cols = buffer[: groups * k * (r1 - r0) * out_w].reshape(groups, k, -1)
        taps = cols[:, : k - ones].reshape(groups, cg, kh, kw, r1 - r0, out_w)  # a view
        np.copyto(taps, windows[..., r0:r1, :])
        if ones:
            cols[:, -1] = 1
        yield slice(r0 * out_w, r1 * out_w), cols


def correlate(x, weight, bias, pads, stride, dilation, groups, out_hw, origin=(0, 0)):
    """Cross-correlation of ``x`` ``(N, C_in, H, W)`` zero-padded by ``pads``.

    As :func:`convcore.conv2d`, except that the windows of the ``out_hw`` outputs start at
    ``origin`` (row, column) of the padded image rather than at its corner. Returns
    ``(N, C_out, out_h, out_w)``. The bias is one more column of the kernel rows, times a
    row of ones in the columns, so that no pass over the output adds it.
    """
    c_out, _, kh, kw = weight.shape
    rows = weight.reshape(groups, c_out // groups, -1)
    if bias is not None:
        rows = np.concatenate([rows, bias.reshape(groups, -1, 1)], axis=2)
    out = np.empty((len(x), c_out, *out_hw), x.dtype)
    for i, image in enumerate(_padded(x, pads)):
        image = image[:, origin[0] :, origin[1] :]
        flat = out[i].reshape(groups, c_out // groups, -1)
        runs = _row_runs(image, (kh, kw), stride, dilation, out_hw, groups, bias is not None)
        for q, cols in runs:
            np.matmul(rows, cols, out=flat[..., q])
    return out


def weight_gradient(x, grad_out, pads, stride, dilation, groups, kernel) -> np.ndarray:
    """``grad_weight`` ``(C_out, C_in/groups, kH, kW)`` of the convolution of ``x``.

    ``grad_weight_gᵀ = Σ_n Σ_runs cols_g @ grad_out_gᵀ`` with the columns of one run of
    output rows (:func:`_row_runs`) at a time (this orientation of the product is about
    1.4× faster in OpenBLAS than ``grad_out_g @ cols_gᵀ``).
    """
    _, c_out, out_h, out_w = grad_out.shape
    shape = (groups, x.shape[1] // groups * kernel[0] * kernel[1], c_out // groups)
    total, part = np.zeros(shape, x.dtype), np.empty(shape, x.dtype)
    for i, image in enumerate(_padded(x, pads)):
        g_flat = grad_out[i].reshape(groups, c_out // groups, -1)
        for q, cols in _row_runs(image, kernel, stride, dilation, (out_h, out_w), groups):
            total += np.matmul(cols, g_flat[..., q].transpose(0, 2, 1), out=part)
    return total.transpose(0, 2, 1).reshape(c_out, -1, *kernel)
