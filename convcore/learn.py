"""Learning a kernel from data: d2l.ai's "Learning a Kernel", recorded for the video.

d2l's example (section 7.2, *Convolutions for Images*)::

    X = torch.ones((6, 8)); X[:, 2:6] = 0          # a white–black–white image
    K = torch.tensor([[1.0, -1.0]]); Y = corr2d(X, K)  # its vertical edges
    conv2d = nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False)
    for i in range(10):                              # learn K back from X and Y
        l = (conv2d(X) - Y) ** 2; conv2d.zero_grad(); l.sum().backward()
        conv2d.weight.data[:] -= 3e-2 * conv2d.weight.grad

:func:`trace_kernel_learning` runs the same loop with :func:`convcore.train.trace_training`
(one ``Conv2d(1, 1, kernel_size, bias=False)``, PyTorch's default weight init, SGD) but with
the mean squared error of ``nn.MSELoss()``, whose gradient is the sum's divided by the
number of outputs ``N`` (so a learning rate ``N`` times d2l's does the same: 1.26). It
records the kernel after every step, the loss, one step's gradient written out as a sum of
products, and the learned kernel applied to a photograph.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from convcore._args import as_float_array, generator, integer, pair, real
from convcore.features import FeatureMap, feature_map, grey_levels, symmetric_limit
from convcore.functional import conv2d, unfold
from convcore.init import InitTrace, describe_init
from convcore.train import (
    ConvLayer,
    TrainingState,
    TrainingTrace,
    mse_grad_scale,
    mse_loss,
    trace_training,
)

#: d2l's edge kernel ``K``: a pixel minus its right-hand neighbour.
EDGE_KERNEL = np.array([[1.0, -1.0]])


def edge_image() -> np.ndarray:
    """d2l's ``X``: a 6×8 image of ones with columns 2 to 5 set to 0 (two vertical edges)."""
    x = np.ones((6, 8))
    x[:, 2:6] = 0.0
    return x


def edge_kernel(kernel_size=(1, 2)) -> np.ndarray:
    """:data:`EDGE_KERNEL` inside a ``kH×kW`` kernel of zeros: in the middle row, its 1 in
    the middle column (column 0 for ``kW = 2``).

    Raises ``ValueError`` for a kernel narrower than 2 columns.
    """
    kh, kw = pair(kernel_size, "kernel_size")
    if kw < 2:
        raise ValueError(f"kernel_size must be at least 2 columns wide, got {kh}×{kw}")
    kernel, col = np.zeros((kh, kw)), (kw - 1) // 2
    kernel[kh // 2, col : col + 2] = EDGE_KERNEL[0]
    return kernel


def stable_lr(x: np.ndarray, kernel_size) -> float:
    """The largest learning rate at which SGD on the MSE of ``x ⋆ w`` does not diverge.

    The loss is quadratic in ``w``: its Hessian is ``(2/N)·AᵀA``, ``A`` the (N, kH·kW)
    im2col windows of ``x``. Gradient descent converges for ``lr < 2/λ_max`` and the
    error along the top eigenvector grows by ``|1 − lr·λ_max| > 1`` per step above it.
    """
    cols = unfold(np.asarray(x, float)[None], kernel_size).T  # (N, kH·kW)
    hessian = mse_grad_scale(cols[:, 0]) * cols.T @ cols
    return float(2.0 / np.linalg.eigvalsh(hessian)[-1])


def edge_learning_state(kernel_size=(1, 2), *, rng) -> tuple[TrainingState, InitTrace]:
    """d2l's problem: ``X`` (:func:`edge_image`), the target ``X ⋆ K`` (:func:`edge_kernel`)
    and one ``Conv2d(1, 1, kernel_size, bias=False)`` with PyTorch's default weight init
    (``kaiming_uniform(a=√5)``: ``U(−1/√fan_in, 1/√fan_in)``) drawn from ``rng``.

    Returns the state and the :class:`~convcore.init.InitTrace` of the starting kernel.
    """
    layer = ConvLayer(1, 1, kernel_size, bias=False)
    init = describe_init("kaiming_uniform", layer.weight_shape, generator(rng), a=math.sqrt(5))
    x = edge_image()[None, None]
    target = conv2d(x, edge_kernel(layer.kernel_size)[None, None])
    return TrainingState((layer,), (init.sample,), (None,), x, target), init


@dataclass(frozen=True)
class GradientDetail:
    """One step's gradient written out: ``g[a, b] = (2/N)·Σ (ŷ − y)·x[i + a, j + b]``.

    ``T`` kernel entries (the taps where the target kernel is nonzero), each with the
    ``(out_h, out_w)`` window of the image it multiplies.

    Attributes
    ----------
    step : the step (0-based) whose gradient this is.
    taps : (T, 2) ``(row, column)`` of each entry.
    window_bounds : (T, 4) ``(top, bottom, left, right)`` of each window in the image: rows
        ``top … bottom − 1``, columns ``left … right − 1``.
    n_outputs : ``N``, the number of outputs the loss averages.
    residual : (out_h, out_w) ``ŷ − y`` of the step's forward pass.
    windows : (T, out_h, out_w) the image values each entry multiplies (im2col rows).
    products : (T, out_h, out_w) ``residual·windows``.
    sums : (T,) ``Σ products``.
    scale : ``2/N`` (:func:`convcore.train.mse_grad_scale`), ``N`` the number of outputs.
    grad : (T,) ``scale·sums``, the gradient ``backward`` computes.
    before, update, after : (T,) the entry, ``lr·grad`` and ``before − update``.
    """

    step: int
    taps: np.ndarray
    window_bounds: np.ndarray
    n_outputs: int
    residual: np.ndarray
    windows: np.ndarray
    products: np.ndarray
    sums: np.ndarray
    scale: float
    grad: np.ndarray
    before: np.ndarray
    update: np.ndarray
    after: np.ndarray


@dataclass(frozen=True)
class KernelLearningTrace:
    """``E`` steps of learning d2l's edge kernel, and the result applied to a photograph.

    Attributes
    ----------
    x : (H, W) the image (:func:`edge_image`). true_kernel : (kH, kW) the kernel that made
    the target (:func:`edge_kernel`). target : (out_h, out_w) ``x ⋆ true_kernel``.
    x_levels : (H, W) ``x`` as grey levels 0 … 255 (:func:`~convcore.features.grey_levels`).
    target_limit : ``max |target|`` (:func:`~convcore.features.symmetric_limit`).
    init : the :class:`~convcore.init.InitTrace` of the starting kernel.
    training : the full :class:`~convcore.train.TrainingTrace`.
    lr : the learning rate. stable_lr : :func:`stable_lr` of ``x`` and the kernel size.
    kernels : (E + 1, kH, kW) the kernel before each step, then after the last.
    grads : (E, kH, kW) the gradient of each step.
    outputs : (E + 1, out_h, out_w) ``x ⋆ kernels[e]``.
    target_scaled, outputs_scaled : ``target``, ``outputs`` over ``target_limit``, clipped
        to [−1, 1]: the colours of their pictures, on one scale.
    loss : (E + 1,) the MSE of ``outputs[e]`` (``training.loss``, then the final kernel's).
    loss_top : the largest ``loss`` (the top of a plot of ``loss_fraction``).
    loss_fraction : (E + 1,) ``loss`` over ``loss_top`` (0 when every loss is 0).
    column_sums, true_column_sums : (E + 1, kW), (kW,) each kernel column's sum. Every row
        of ``x`` is the same, so the loss sees only these: a kernel taller than 1 row
        learns them, not ``true_kernel`` itself.
    detail : the :class:`GradientDetail` of one step.
    photo : (Hp, Wp) a grey photograph in [0, 1], or None; photo_levels its grey levels.
    photo_target, photo_learned : the :class:`~convcore.features.FeatureMap` of ``photo``
        under ``true_kernel`` and under the learned ``kernels[-1]`` (None without a photo).
    photo_gap : the largest ``|photo_learned − photo_target|`` (0 without a photo).
    largest_abs : the largest ``|value|`` of kernels, gradients, outputs, loss, residuals.
    """

    x: np.ndarray
    true_kernel: np.ndarray
    target: np.ndarray
    x_levels: np.ndarray
    target_limit: float
    init: InitTrace
    training: TrainingTrace
    lr: float
    stable_lr: float
    kernels: np.ndarray
    grads: np.ndarray
    outputs: np.ndarray
    target_scaled: np.ndarray
    outputs_scaled: np.ndarray
    loss: np.ndarray
    loss_top: float
    loss_fraction: np.ndarray
    column_sums: np.ndarray
    true_column_sums: np.ndarray
    detail: GradientDetail
    photo: np.ndarray | None
    photo_levels: np.ndarray | None
    photo_target: FeatureMap | None
    photo_learned: FeatureMap | None
    photo_gap: float
    largest_abs: float

    @property
    def steps(self) -> int:
        """Number of SGD steps ``E``."""
        return len(self.grads)

    @property
    def target_ticks(self) -> tuple[float, float, float]:
        """The colour bar of ``target_scaled``/``outputs_scaled``: ``(−limit, 0, limit)``."""
        return -self.target_limit, 0.0, self.target_limit


def gradient_detail(trace: TrainingTrace, step: int) -> GradientDetail:
    """The gradient of ``step`` in a one-layer, one-channel, stride-1 ``trace``, tap by tap."""
    weight, x, (kh, kw) = trace.layers[0].weight, trace.x[0, 0], trace.layers[0].layer.kernel_size
    residual = trace.residual[step, 0, 0]
    taps = np.argwhere(edge_kernel((kh, kw)) != 0)
    rows = unfold(x[None], (kh, kw)).reshape(kh, kw, *residual.shape)
    windows = rows[taps[:, 0], taps[:, 1]]
    products = residual * windows
    sums, scale = products.sum(axis=(1, 2)), mse_grad_scale(residual)
    cells = (step, 0, 0, taps[:, 0], taps[:, 1])
    return GradientDetail(
        step=step,
        taps=taps,
        window_bounds=np.column_stack(
            [taps[:, 0], taps[:, 0] + residual.shape[0], taps[:, 1], taps[:, 1] + residual.shape[1]]
        ),
        n_outputs=residual.size,
        residual=residual,
        windows=windows,
        products=products,
        sums=sums,
        scale=scale,
        grad=scale * sums,
        before=weight.before[cells],
        update=weight.update[cells],
        after=weight.after[cells],
    )


def _photo_maps(photo, true_kernel: np.ndarray, learned: np.ndarray) -> dict:
    if photo is None:
        names = ("photo", "photo_levels", "photo_target", "photo_learned")
        return dict.fromkeys(names) | {"photo_gap": 0.0}
    photo = as_float_array(photo, "photo", (2,))
    target = feature_map(photo, true_kernel, "target")
    learned = feature_map(photo, learned, "learned")
    return {
        "photo": photo,
        "photo_levels": grey_levels(photo),
        "photo_target": target,
        "photo_learned": learned,
        "photo_gap": float(np.max(np.abs(learned.values - target.values))),
    }


def _diverges(lr: float) -> ValueError:
    return ValueError(f"training diverges with lr={lr:g}: the loss overflows float64")


def _train(state: TrainingState, steps: int, lr: float) -> TrainingTrace:
    """``trace_training``; ``ValueError`` naming ``lr`` when a weight overflows float64."""
    try:
        return trace_training(state, epochs=steps, lr=lr)
    except ValueError as exc:
        if "NaN or infinity" not in str(exc):
            raise
        raise _diverges(lr) from None  # a weight overflowed; the next forward refused it


def trace_kernel_learning(
    kernel_size=(1, 2), *, lr=0.5, steps=30, rng, detail_step=0, photo=None
) -> KernelLearningTrace:
    """Learn d2l's edge kernel with SGD on the MSE and record it (see the module docstring).

    Parameters
    ----------
    kernel_size : int or (int, int)
        Of the learned kernel (at least 2 columns; d2l's is 1×2).
    lr : float
        SGD learning rate (> 0). Below :func:`stable_lr` the kernel converges.
    steps : int
        SGD steps (≥ 1).
    rng : numpy.random.Generator
        Draws the starting kernel (:func:`edge_learning_state`).
    detail_step : int
        The step (0-based) whose gradient :class:`GradientDetail` writes out.
    photo : array_like, shape (Hp, Wp), optional
        A grey photograph, convolved with the target and the learned kernel.

    Returns
    -------
    KernelLearningTrace

    Raises
    ------
    ValueError
        For a kernel that does not fit the 6×8 image or is narrower than 2 columns,
        ``lr ≤ 0``, ``steps < 1``, ``detail_step`` outside the steps, a photo smaller than
        the kernel or not finite, or a loss that overflows (``lr`` far too large).
    """
    state, init = edge_learning_state(kernel_size, rng=rng)
    steps = integer(steps, "steps")
    detail_step = integer(detail_step, "detail_step", minimum=0)
    if detail_step >= steps:
        raise ValueError(f"detail_step must be < steps={steps}, got {detail_step}")
    if real(lr, "lr") <= 0:
        raise ValueError(f"lr must be > 0, got {lr!r}")
    with np.errstate(over="ignore", invalid="ignore"):
        fields = _learned(state, _train(state, steps, lr), detail_step, photo)
    if not all(np.all(np.isfinite(v)) for v in fields.values() if isinstance(v, np.ndarray)):
        raise _diverges(lr)
    return KernelLearningTrace(init=init, lr=float(lr), **fields)


def _learned(state: TrainingState, training: TrainingTrace, detail_step: int, photo) -> dict:
    """The fields of :class:`KernelLearningTrace` read from (or computed after) training."""
    weight, (kh, kw) = training.layers[0].weight, state.layers[0].kernel_size
    kernels = np.concatenate([weight.before, weight.after[-1:]])[:, 0, 0]
    final = conv2d(state.x, weight.after[-1])[0]  # (1, out_h, out_w)
    outputs = np.concatenate([training.output[:, 0, 0], final])
    loss = np.append(training.loss, mse_loss(outputs[-1], state.target[0, 0]))
    true_kernel, top = edge_kernel((kh, kw)), float(np.max(loss))
    target, limit = state.target[0, 0], symmetric_limit(state.target)
    arrays = [kernels, weight.grad, outputs, loss, training.residual]
    return {
        "x": state.x[0, 0],
        "true_kernel": true_kernel,
        "target": target,
        "x_levels": grey_levels(state.x[0, 0]),
        "target_limit": limit,
        "training": training,
        "stable_lr": stable_lr(state.x[0, 0], (kh, kw)),
        "kernels": kernels,
        "grads": weight.grad[:, 0, 0],
        "outputs": outputs,
        "target_scaled": target / limit,
        "outputs_scaled": np.clip(outputs / limit, -1.0, 1.0),
        "loss": loss,
        "loss_top": top,
        "loss_fraction": loss / top if top > 0 else np.zeros_like(loss),
        "column_sums": kernels.sum(axis=1),
        "true_column_sums": true_kernel.sum(axis=0),
        "detail": gradient_detail(training, detail_step),
        **_photo_maps(photo, true_kernel, kernels[-1]),
        "largest_abs": float(max(np.max(np.abs(a)) for a in arrays)),
    }
