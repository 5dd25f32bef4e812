"""Training a stack of conv layers with MSE and SGD, recorded phase by phase for the video.

The source article's part 9 asks *when* the kernel weights change. Each epoch runs the five
phases of a PyTorch training loop (:data:`PHASES`)::

    optimizer.zero_grad()            # .grad cleared (set to None, torch's default)
    out = net(x)                     # forward: feature maps; weights unchanged
    loss = criterion(out, target)    # MSE (mean)
    loss.backward()                  # .grad filled; weights still unchanged
    optimizer.step()                 # w ← w − lr·d  (d = grad, or the momentum direction)

:func:`trace_training` records every weight, bias and gradient after every phase, so a scene
can show that only ``step`` moves the weights. The network has no nonlinearity between
layers, like the article's ``SimpleCNN``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from convcore._args import as_float_array, conv_pads, generator, integer, pair, real
from convcore.backward import conv2d_backward
from convcore.functional import conv2d
from convcore.init import constant, initialise

#: The phases of one epoch, in order; axis 1 of every ``ParamHistory.values``/``grads``.
PHASES = ("zero_grad", "forward", "loss", "backward", "step")


@dataclass(frozen=True)
class ConvLayer:
    """One ``nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, ...)``.

    ``kernel_size``, ``stride`` and ``dilation`` are stored as pairs; ``padding`` as a pair,
    ``'valid'`` or ``'same'``. Raises ``ValueError`` for values ``conv2d`` would reject.
    """

    in_channels: int
    out_channels: int
    kernel_size: int | tuple[int, int]
    stride: int | tuple[int, int] = 1
    padding: int | tuple[int, int] | str = 0
    dilation: int | tuple[int, int] = 1
    groups: int = 1
    bias: bool = True

    def __post_init__(self):
        groups = integer(self.groups, "groups")
        for name in ("in_channels", "out_channels"):
            if integer(getattr(self, name), name) % groups:
                raise ValueError(f"groups={groups} must divide {name}={getattr(self, name)}")
        for name in ("kernel_size", "stride", "dilation"):
            object.__setattr__(self, name, pair(getattr(self, name), name))
        if not isinstance(self.padding, str):
            object.__setattr__(self, "padding", pair(self.padding, "padding", minimum=0))
        conv_pads(self.padding, self.kernel_size, self.stride, self.dilation)
        object.__setattr__(self, "bias", bool(self.bias))

    @property
    def weight_shape(self) -> tuple[int, int, int, int]:
        """``(C_out, C_in/groups, kH, kW)``."""
        return (self.out_channels, self.in_channels // self.groups, *self.kernel_size)

    def conv_kwargs(self) -> dict:
        """``stride``, ``padding``, ``dilation`` and ``groups`` for :func:`convcore.conv2d`."""
        return {
            "stride": self.stride,
            "padding": self.padding,
            "dilation": self.dilation,
            "groups": self.groups,
        }


@dataclass(frozen=True)
class SGD:
    """The hyper-parameters of ``torch.optim.SGD`` (``maximize`` aside).

    Raises ``ValueError`` like torch: negative ``lr``, ``momentum`` or ``weight_decay``;
    ``nesterov`` without momentum or with dampening.
    """

    lr: float
    momentum: float = 0.0
    dampening: float = 0.0
    weight_decay: float = 0.0
    nesterov: bool = False

    def __post_init__(self):
        for name in ("lr", "momentum", "weight_decay"):
            object.__setattr__(self, name, real(getattr(self, name), name, minimum=0.0))
        object.__setattr__(self, "dampening", real(self.dampening, "dampening"))
        object.__setattr__(self, "nesterov", bool(self.nesterov))
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                f"nesterov needs momentum > 0 and dampening = 0, got momentum={self.momentum}"
                f" and dampening={self.dampening}"
            )


def sgd_step(param: np.ndarray, grad: np.ndarray, buf: np.ndarray | None, opt: SGD) -> dict:
    """One ``torch.optim.SGD`` update of one parameter tensor, with every term.

    ``d = grad + weight_decay·param``; with momentum ``buf = d`` on the first step and
    ``buf = momentum·buf + (1 − dampening)·d`` after; the direction is ``d`` (no momentum),
    ``buf``, or ``d + momentum·buf`` (Nesterov); ``after = param − lr·direction``.

    Returns
    -------
    dict of arrays, each of ``param``'s shape
        ``before``, ``grad``, ``decayed_grad`` (``d``), ``momentum_buffer`` (None without
        momentum), ``direction``, ``update`` (``lr·direction``), ``after``.
    """
    decayed = grad + opt.weight_decay * param if opt.weight_decay != 0 else grad
    direction = decayed
    if opt.momentum != 0:
        buf = decayed.copy() if buf is None else opt.momentum * buf + (1 - opt.dampening) * decayed
        direction = decayed + opt.momentum * buf if opt.nesterov else buf
    update = opt.lr * direction
    return {
        "before": param,
        "grad": grad,
        "decayed_grad": decayed,
        "momentum_buffer": buf if opt.momentum != 0 else None,
        "direction": direction,
        "update": update,
        "after": param - update,
    }


def forward(layers, weights, biases, x) -> list[np.ndarray]:
    """Feature maps of the stack: ``[conv1(x), conv2(conv1(x)), …]`` (no nonlinearity)."""
    maps = []
    for layer, weight, bias in zip(layers, weights, biases, strict=True):
        x = conv2d(x, weight, bias, **layer.conv_kwargs())
        maps.append(x)
    return maps


def mse_loss(out: np.ndarray, target: np.ndarray) -> float:
    """``mean((out − target)²)``, like ``nn.MSELoss()``."""
    return float(np.mean((out - target) ** 2))


def mse_grad_scale(out: np.ndarray) -> float:
    """The factor ``2 / out.size`` of :func:`mse_loss_backward` (``N`` values averaged)."""
    return 2.0 / np.size(out)


def mse_loss_backward(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``∂ mse_loss / ∂ out = (2 / out.size)·(out − target)``."""
    return mse_grad_scale(out) * (out - target)


def backward(layers, weights, x, maps, grad_out) -> tuple[list, list]:
    """Back-propagate ``grad_out`` (∂loss/∂ last map) through the stack.

    Returns ``(grads, grad_maps)``: per layer ``(grad_weight, grad_bias or None)`` and
    ∂loss/∂(that layer's output map).
    """
    inputs = [x, *maps[:-1]]
    grads, grad_maps = [None] * len(layers), [None] * len(layers)
    for i in reversed(range(len(layers))):
        grad_maps[i] = grad_out
        kwargs = layers[i].conv_kwargs() | {"bias": layers[i].bias}
        grad_out, grad_weight, grad_bias = conv2d_backward(
            grad_out, inputs[i], weights[i], **kwargs
        )
        grads[i] = (grad_weight, grad_bias)
    return grads, grad_maps


@dataclass(frozen=True)
class TrainingState:
    """Where training starts: the layers, their weights and biases, the input and target.

    ``weights[i]`` has shape ``layers[i].weight_shape``; ``biases[i]`` ``(C_out,)``, or None
    when ``layers[i].bias`` is False. ``x`` is ``(N, C_in, H, W)`` (or unbatched), ``target``
    has the network's output shape. Arrays are converted to float and copied; a
    ``ValueError`` names any mismatch.
    """

    layers: tuple[ConvLayer, ...]
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray | None, ...]
    x: np.ndarray
    target: np.ndarray
    out_shape: tuple[int, ...] = field(init=False)

    def __post_init__(self):
        checked = _check_state(self.layers, self.weights, self.biases, self.x, self.target)
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    @property
    def names(self) -> tuple[str, ...]:
        """Layer names ``('conv1', 'conv2', …)``."""
        return tuple(f"conv{i + 1}" for i in range(len(self.layers)))

    def parameters(self) -> list[np.ndarray]:
        """Copies of the parameters in ``net.parameters()`` order: w1, b1, w2, b2, …"""
        pairs = zip(self.weights, self.biases, strict=True)
        return [p.copy() for w, b in pairs for p in (w, b) if p is not None]

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """``('conv1.weight', 'conv1.bias', …)``, in :meth:`parameters` order."""
        return tuple(
            f"{name}.{kind}"
            for name, layer in zip(self.names, self.layers, strict=True)
            for kind in (("weight", "bias") if layer.bias else ("weight",))
        )


def _weight(weight, layer: ConvLayer, i: int) -> np.ndarray:
    weight = as_float_array(weight, f"weights[{i}]", (4,)).copy()
    if weight.shape != layer.weight_shape:
        raise ValueError(f"weights[{i}] must have shape {layer.weight_shape}, got {weight.shape}")
    return weight


def _bias(bias, layer: ConvLayer, i: int) -> np.ndarray | None:
    if not layer.bias:
        if bias is not None:
            raise ValueError(f"biases[{i}] must be None: layer {i} has bias=False")
        return None
    if bias is None:
        raise ValueError(f"biases[{i}] is None but layer {i} has bias=True")
    bias = as_float_array(bias, f"biases[{i}]", (1,)).copy()
    if bias.shape != (layer.out_channels,):
        raise ValueError(f"biases[{i}] must have shape ({layer.out_channels},), got {bias.shape}")
    return bias


def _layers(layers, weights, biases) -> tuple[ConvLayer, ...]:
    layers = tuple(layers)
    if not layers or not all(isinstance(layer, ConvLayer) for layer in layers):
        raise ValueError(f"layers must be a non-empty sequence of ConvLayer, got {layers!r}")
    if len(weights) != len(layers) or len(biases) != len(layers):
        raise ValueError(
            f"{len(layers)} layers need {len(layers)} weights and {len(layers)} biases, "
            f"got {len(weights)} and {len(biases)}"
        )
    return layers


def _check_state(layers, weights, biases, x, target) -> dict:
    layers = _layers(layers, weights, biases)
    weights = tuple(
        _weight(w, layer, i) for i, (w, layer) in enumerate(zip(weights, layers, strict=True))
    )
    biases = tuple(
        _bias(b, layer, i) for i, (b, layer) in enumerate(zip(biases, layers, strict=True))
    )
    x = as_float_array(x, "x", (3, 4)).copy()
    out_shape = forward(layers, weights, biases, x)[-1].shape
    target = as_float_array(target, "target", (len(out_shape),)).copy()
    if target.shape != out_shape:
        raise ValueError(
            f"target must have the network's output shape {out_shape}, got {target.shape}"
        )
    return {
        "layers": layers,
        "weights": weights,
        "biases": biases,
        "x": x,
        "target": target,
        "out_shape": out_shape,
    }


def _unflatten(layers, params: list) -> tuple[list, list]:
    """Split ``[w1, b1, w2, …]`` back into per-layer weights and biases (None where absent)."""
    flat = iter(params)
    weights, biases = [], []
    for layer in layers:
        weights.append(next(flat))
        biases.append(next(flat) if layer.bias else None)
    return weights, biases


# ---------------------------------------------------------------- the training trace

#: Keys of :func:`sgd_step`'s terms, each a field of :class:`ParamHistory`.
STEP_TERMS = ("before", "grad", "decayed_grad", "momentum_buffer", "direction", "update", "after")


@dataclass(frozen=True)
class ParamHistory:
    """One parameter tensor (a layer's weight or bias) through ``E`` epochs of training.

    ``S`` is the parameter's shape: ``(C_out, C_in/groups, kH, kW)`` or ``(C_out,)``.

    Attributes
    ----------
    name : ``'conv1.weight'``, ``'conv1.bias'``, …
    initial : S, the value before the first epoch.
    values : (E, 5, *S) the value after each phase (:data:`PHASES` order). Only ``step``
        changes it: ``values[e, :4]`` are all equal, ``values[e, 4] == values[e + 1, 0]``.
    grads : (E, 5, *S) ``.grad`` after each phase; zeros where ``TrainingTrace.grad_set`` is
        False (torch's ``zero_grad`` sets it to None).

    The step's terms, each (E, *S) (see :func:`sgd_step`):

    before : value entering ``step`` (``values[:, 3]``).
    grad : the gradient ``backward`` wrote (``grads[:, 3]``).
    decayed_grad : ``grad + weight_decay·before`` (``grad`` when ``weight_decay`` is 0).
    momentum_buffer : the buffer after this step's update (zeros when ``momentum`` is 0).
    direction : what ``lr`` multiplies: ``decayed_grad``, ``momentum_buffer``, or
        ``decayed_grad + momentum·momentum_buffer`` (Nesterov).
    update : ``lr·direction``.
    after : ``before − update`` (``values[:, 4]``), exactly.
    """

    name: str
    initial: np.ndarray
    values: np.ndarray
    grads: np.ndarray
    before: np.ndarray
    grad: np.ndarray
    decayed_grad: np.ndarray
    momentum_buffer: np.ndarray
    direction: np.ndarray
    update: np.ndarray
    after: np.ndarray


@dataclass(frozen=True)
class LayerTrace:
    """One conv layer through ``E`` epochs: its parameters and its feature maps.

    Attributes
    ----------
    name : ``'conv1'``, ``'conv2'``, …
    layer : its :class:`ConvLayer`.
    weight : :class:`ParamHistory` of the kernel.
    bias : :class:`ParamHistory` of the bias, or None for ``bias=False``.
    input : (E, N, C_in, H, W) the map the layer reads in each epoch's forward pass (the
        network input for the first layer).
    output : (E, N, C_out, out_h, out_w) the feature map it computes. Feature maps are
        outputs, not parameters: ``step`` never changes them.
    grad_output : (E, N, C_out, out_h, out_w) ∂loss/∂output from ``backward``.

    (Without a batch axis when the network input is unbatched.)
    """

    name: str
    layer: ConvLayer
    weight: ParamHistory
    bias: ParamHistory | None
    input: np.ndarray
    output: np.ndarray
    grad_output: np.ndarray


@dataclass(frozen=True)
class TrainingTrace:
    """``E`` epochs of training, every phase of every epoch recorded.

    Attributes
    ----------
    phases : :data:`PHASES`, the names of axis 1 of ``ParamHistory.values``/``grads``.
    optimizer : the :class:`SGD` hyper-parameters (``lr``, ``momentum``, …).
    x : the network input. target : the target, of the output's shape ``O``.
    layers : one :class:`LayerTrace` per layer.
    params : every :class:`ParamHistory` in ``net.parameters()`` order (w1, b1, w2, …).
    output : (E, *O) network output of each epoch's forward pass.
    residual : (E, *O) ``output − target``.
    loss : (E,) ``mean(residual²)``, the MSE of each epoch (before its step).
    grad_output : (E, *O) ∂loss/∂output ``= (2 / size)·residual``.
    grad_set : (E, 5) bool, whether ``.grad`` holds a gradient after each phase (False
        after ``zero_grad``, ``forward`` and ``loss``).
    """

    phases: tuple[str, ...]
    optimizer: SGD
    x: np.ndarray
    target: np.ndarray
    layers: tuple[LayerTrace, ...]
    params: tuple[ParamHistory, ...]
    output: np.ndarray
    residual: np.ndarray
    loss: np.ndarray
    grad_output: np.ndarray
    grad_set: np.ndarray

    @property
    def epochs(self) -> int:
        """Number of epochs ``E``."""
        return len(self.loss)

    @property
    def loss_fraction(self) -> np.ndarray:
        """(E,) each epoch's loss over the largest one (zeros when every loss is 0)."""
        top = float(np.max(self.loss))
        return self.loss / top if top > 0 else np.zeros_like(self.loss)

    @property
    def largest_abs(self) -> float:
        """The largest ``|value|`` recorded: input, target, feature maps, output, residual,
        loss, and every parameter's values, gradients and step terms."""
        arrays = [self.x, self.target, self.output, self.residual, self.loss]
        arrays += [layer.output for layer in self.layers]
        arrays += [getattr(p, key) for p in self.params for key in ("values", "grads", *STEP_TERMS)]
        return float(np.max([np.max(np.abs(a)) for a in arrays]))


def _run_epoch(state: TrainingState, params: list, bufs: list, opt: SGD) -> dict:
    """One epoch of the five phases; updates ``params`` and ``bufs`` in place (as torch does)
    and snapshots parameters and ``.grad`` after every phase."""
    snaps = []

    def snapshot(grads):
        snaps.append(([p.copy() for p in params], [g if g is None else g.copy() for g in grads]))

    grads = [None] * len(params)  # zero_grad(set_to_none=True)
    snapshot(grads)
    weights, biases = _unflatten(state.layers, params)
    maps = forward(state.layers, weights, biases, state.x)
    snapshot(grads)
    loss, grad_out = mse_loss(maps[-1], state.target), mse_loss_backward(maps[-1], state.target)
    snapshot(grads)
    layer_grads, grad_maps = backward(state.layers, weights, state.x, maps, grad_out)
    grads = [g for pair_ in layer_grads for g in pair_ if g is not None]
    snapshot(grads)
    steps = [sgd_step(*args, opt) for args in zip(params, grads, bufs, strict=True)]
    params[:] = [step["after"] for step in steps]
    bufs[:] = [step["momentum_buffer"] for step in steps]
    snapshot(grads)
    return {"snaps": snaps, "maps": maps, "grad_maps": grad_maps, "loss": loss, "steps": steps}


def _param_history(name: str, initial: np.ndarray, records: list[dict], i: int) -> ParamHistory:
    zeros = np.zeros_like(initial)
    values = np.stack([[params[i] for params, _ in r["snaps"]] for r in records])
    grads = [[zeros if g[i] is None else g[i] for _, g in r["snaps"]] for r in records]
    terms = {
        key: np.stack(
            [zeros if r["steps"][i][key] is None else r["steps"][i][key] for r in records]
        )
        for key in STEP_TERMS
    }
    return ParamHistory(name=name, initial=initial, values=values, grads=np.stack(grads), **terms)


def _layer_traces(state: TrainingState, params: tuple, records: list[dict]) -> tuple:
    weights, biases = _unflatten(state.layers, list(params))
    maps = [np.stack([r["maps"][i] for r in records]) for i in range(len(state.layers))]
    inputs = [np.stack([state.x] * len(records)), *maps[:-1]]
    return tuple(
        LayerTrace(
            name=state.names[i],
            layer=state.layers[i],
            weight=weights[i],
            bias=biases[i],
            input=inputs[i],
            output=maps[i],
            grad_output=np.stack([r["grad_maps"][i] for r in records]),
        )
        for i in range(len(state.layers))
    )


def trace_training(
    state: TrainingState,
    *,
    epochs=3,
    lr=0.01,
    momentum=0.0,
    dampening=0.0,
    weight_decay=0.0,
    nesterov=False,
) -> TrainingTrace:
    """Train ``state``'s network for ``epochs`` epochs and record every phase.

    Each epoch: ``zero_grad`` → ``forward`` → MSE ``loss`` → ``backward`` → SGD ``step``,
    with ``torch.optim.SGD``'s update rule (see :func:`sgd_step`); the defaults are the
    article's (3 epochs, ``lr = 0.01``, plain SGD).

    Parameters
    ----------
    state : TrainingState
        Layers, starting weights and biases, input and target (e.g. :func:`article_example`
        or :func:`random_state`).
    epochs : int
    lr, momentum, dampening, weight_decay, nesterov
        As ``torch.optim.SGD``.

    Returns
    -------
    TrainingTrace

    Raises
    ------
    ValueError
        For ``epochs < 1`` or hyper-parameters ``torch.optim.SGD`` rejects.
    """
    if not isinstance(state, TrainingState):
        raise ValueError(f"state must be a TrainingState, got {type(state).__name__}")
    opt = SGD(lr, momentum, dampening, weight_decay, nesterov)
    epochs = integer(epochs, "epochs")
    params, bufs = state.parameters(), [None] * len(state.parameter_names)
    records = [_run_epoch(state, params, bufs, opt) for _ in range(epochs)]
    histories = tuple(
        _param_history(name, initial, records, i)
        for i, (name, initial) in enumerate(
            zip(state.parameter_names, state.parameters(), strict=True)
        )
    )
    output = np.stack([r["maps"][-1] for r in records])
    grad_set = np.array([[g[0] is not None for _, g in r["snaps"]] for r in records])
    return TrainingTrace(
        phases=PHASES,
        optimizer=opt,
        x=state.x,
        target=state.target,
        layers=_layer_traces(state, histories, records),
        params=histories,
        output=output,
        residual=output - state.target,
        loss=np.array([r["loss"] for r in records]),
        grad_output=np.stack([r["grad_maps"][-1] for r in records]),
        grad_set=grad_set,
    )


# ---------------------------------------------------------------- starting points


def random_state(layers, input_shape, *, rng, scheme="xavier_uniform", **init_params):
    """A starting state drawn from ``rng``: weights by ``scheme``, biases 0, random data.

    Like the article's ``ConvNet`` (Xavier-uniform weights, ``constant(bias, 0)``) fed with
    ``torch.randn`` data. Draw order: each layer's weight (``convcore.init.initialise(scheme,
    layer.weight_shape, rng, **init_params)``), then ``x`` ~ N(0, 1) of ``input_shape``,
    then ``target`` ~ N(0, 1) of the output shape. PyTorch's own default ``Conv2d`` weight
    init is ``scheme='kaiming_uniform', a=math.sqrt(5)`` (its default bias is not 0).

    Returns
    -------
    TrainingState

    Raises
    ------
    ValueError
        For an unknown scheme or parameters it rejects, or a network that does not fit
        ``input_shape``.
    """
    layers, rng = tuple(layers), generator(rng)
    weights = [initialise(scheme, layer.weight_shape, rng, **init_params) for layer in layers]
    biases = [constant(layer.out_channels, 0.0) if layer.bias else None for layer in layers]
    x = rng.standard_normal(tuple(input_shape))
    out_shape = forward(layers, weights, biases, x)[-1].shape
    return TrainingState(layers, weights, biases, x, rng.standard_normal(out_shape))


#: conv1's starting weights, as the article prints them ("Updated before optimizer.step()
#: conv1 weights" of epoch 1; PyTorch's default init, 4 decimals).
ARTICLE_CONV1_WEIGHT = np.array(
    [[-0.0435, -0.0704, 0.0776], [-0.2496, -0.2133, 0.1125], [-0.0481, -0.2408, 0.1175]]
)


def article_example() -> TrainingState:
    """The article's ``SimpleCNN`` run: two ``Conv2d(1, 1, 3)``, a 1×1×5×5 input, 1×1×1×1 target.

    The article draws everything unseeded (``torch.randn``, PyTorch's default init), so its
    numbers cannot be replayed. This state keeps what it prints, conv1's starting weights
    (:data:`ARTICLE_CONV1_WEIGHT`), and fixes the rest. Those values are **not the
    article's**: they were drawn once with ``numpy.random.default_rng(20240521)`` in this
    order (conv1 bias, conv2 weight, conv2 bias from PyTorch's default ``U(−1/3, 1/3)``;
    input, target from ``N(0, 1)``), rounded to 4 decimals and written out here.
    """
    conv2_weight = [[0.0325, 0.3196, 0.1024], [0.3192, -0.1848, -0.0947], [0.2660, 0.0779, 0.0340]]
    x = [
        [-1.3046, -0.3765, 1.2266, 0.2008, 0.0701],
        [0.5070, -0.2950, 0.4913, -0.6325, -0.8202],
        [-1.3463, 0.6209, 0.4037, 1.9915, -1.1229],
        [0.9505, 1.5444, 0.6185, 0.0568, -1.0413],
        [-0.0648, 0.9484, 1.1032, -0.5816, 0.8201],
    ]
    return TrainingState(
        layers=(ConvLayer(1, 1, 3), ConvLayer(1, 1, 3)),
        weights=(ARTICLE_CONV1_WEIGHT[None, None], np.array(conv2_weight)[None, None]),
        biases=(np.array([0.1842]), np.array([0.0883])),
        x=np.array(x)[None, None],
        target=np.array([0.3975]).reshape(1, 1, 1, 1),
    )


# ---------------------------------------------------------------- the article's printout


def _tensor(values: np.ndarray, requires_grad: bool) -> str:
    """``values`` as PyTorch prints a tensor: 4 decimals, nested brackets aligned."""
    body = np.array2string(values, precision=4, floatmode="fixed", separator=", ", prefix="tensor(")
    return f"tensor({body}{', requires_grad=True' if requires_grad else ''})"


def format_training_printout(trace: TrainingTrace, layer: int = 0) -> str:
    """The article's printout of a training run, for one layer's weights (conv1 by default).

    Per epoch: ``Epoch k/N :start``; the weights after ``backward`` ("before step"); the
    loss; the gradient; the weights after ``step`` — with PyTorch's tensor layout.

    Raises
    ------
    ValueError
        If ``layer`` is not a layer index of ``trace``.
    """
    layer = integer(layer, "layer", minimum=0)
    if layer >= len(trace.layers):
        raise ValueError(f"layer must be < {len(trace.layers)}, got {layer}")
    name, weight = trace.layers[layer].name, trace.layers[layer].weight
    backward_, step = PHASES.index("backward"), PHASES.index("step")
    lines = []
    for e in range(trace.epochs):
        epoch = f"Epoch {e + 1}/{trace.epochs}"
        lines += [
            f"{epoch} :start",
            f"Updated before optimizer.step() {name} weights: Parameter containing:",
            _tensor(weight.values[e, backward_], requires_grad=True),
            f"{epoch}, Loss: {float(trace.loss[e])!r}",
            f"Gradient of {name} weights after backward: "
            + _tensor(weight.grads[e, backward_], requires_grad=False),
            f"Updated after optimizer.step() {name} weights: Parameter containing:",
            _tensor(weight.values[e, step], requires_grad=True),
        ]
    return "\n".join(lines)


# ---------------------------------------------------------------- symmetry of constant init

#: The symmetry example's network: one input channel → two filters → one output map.
SYMMETRY_LAYERS = (ConvLayer(1, 2, 3), ConvLayer(2, 1, 3))


@dataclass(frozen=True)
class SymmetryTrace:
    """Why a constant initialisation never breaks symmetry: one epoch of two twin networks.

    Both networks are :data:`SYMMETRY_LAYERS` (``Conv2d(1, 2, 3) → Conv2d(2, 1, 3)``, biases
    0, no nonlinearity), trained for one epoch (one ``backward``, one ``step``) on the same
    input and target with MSE and SGD. In the first every weight starts at ``val``; in the
    second they are drawn by ``contrast_scheme``. ``F`` is conv1's filter shape ``(kH, kW)``.

    Attributes
    ----------
    val : the constant of the first network.
    contrast_scheme : the scheme of the second (``'xavier_uniform'`` by default).
    x : (1, 1, H, W) input. target : (1, 1, 1, 1) target (the output's shape).
    constant, contrast : the :class:`TrainingTrace` of each network.
    constant_filters, contrast_filters : (2, *F) conv1's two filters at the start.
    constant_grads, contrast_grads : (2, *F) their gradients after ``backward``.
    constant_after, contrast_after : (2, *F) the filters after ``step``.
    constant_equal, contrast_equal : whether the two filters' gradients are exactly equal.
    constant_after_equal, contrast_after_equal : whether the two filters are exactly equal
        after ``step``.
    """

    val: float
    contrast_scheme: str
    x: np.ndarray
    target: np.ndarray
    constant: TrainingTrace
    contrast: TrainingTrace
    constant_filters: np.ndarray
    contrast_filters: np.ndarray
    constant_grads: np.ndarray
    contrast_grads: np.ndarray
    constant_after: np.ndarray
    contrast_after: np.ndarray
    constant_equal: bool
    contrast_equal: bool
    constant_after_equal: bool
    contrast_after_equal: bool


def _conv1_filters(trace: TrainingTrace) -> dict[str, np.ndarray]:
    """conv1's filters (input channel 0) at the start, their gradients, and after the step."""
    weight = trace.layers[0].weight
    return {
        "filters": weight.initial[:, 0],
        "grads": weight.grad[0, :, 0],
        "after": weight.after[0, :, 0],
    }


def symmetry_trace(
    rng, *, val=0.1, contrast_scheme="xavier_uniform", size=5, lr=0.01
) -> SymmetryTrace:
    """Train a constant-initialised and a randomly initialised twin network one epoch each.

    Draw order from ``rng``: :func:`random_state` of :data:`SYMMETRY_LAYERS` for the contrast
    network (its weights by ``contrast_scheme``, then ``x`` ~ N(0, 1) of shape
    ``(1, 1, size, size)``, then the target); the constant network reuses ``x`` and the
    target. Because both of conv1's filters and both of conv2's input channels start equal,
    ``backward`` gives both filters the same gradient, and ``step`` keeps them equal.

    Returns
    -------
    SymmetryTrace

    Raises
    ------
    ValueError
        For ``size < 5`` (the two 3×3 layers need it), a non-finite ``val``, an unknown or
        constant ``contrast_scheme``, or a bad ``lr``.
    """
    size = integer(size, "size", minimum=5)
    if contrast_scheme == "constant":
        raise ValueError("contrast_scheme must be a random scheme, not 'constant'")
    rng = generator(rng)
    shape = (1, 1, size, size)
    random = random_state(SYMMETRY_LAYERS, shape, rng=rng, scheme=contrast_scheme)
    weights = [constant(layer.weight_shape, val) for layer in SYMMETRY_LAYERS]
    equal = TrainingState(SYMMETRY_LAYERS, weights, random.biases, random.x, random.target)
    traces = {
        "constant": trace_training(equal, epochs=1, lr=lr),
        "contrast": trace_training(random, epochs=1, lr=lr),
    }
    fields = {}
    for name, trace in traces.items():
        parts = _conv1_filters(trace)
        fields |= {f"{name}_{key}": value for key, value in parts.items()}
        fields[f"{name}_equal"] = bool(np.array_equal(*parts["grads"]))
        fields[f"{name}_after_equal"] = bool(np.array_equal(*parts["after"]))
    return SymmetryTrace(
        val=float(val),
        contrast_scheme=contrast_scheme,
        x=random.x,
        target=random.target,
        **traces,
        **fields,
    )
