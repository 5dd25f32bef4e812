"""convcore.train: the phase-by-phase training trace, SGD, and the article's printout.

Oracles: PyTorch float64 runs of the same network from the same state (committed fixtures
always, live when installed; tolerance 1e-10), centred finite differences of the loss, and
the article's own printed numbers (part 9).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from learning_fixtures import fields, fixture_maker, learning_fixtures

from convcore import conv2d
from convcore.train import (
    ARTICLE_CONV1_WEIGHT,
    PHASES,
    SGD,
    ConvLayer,
    TrainingState,
    article_example,
    format_training_printout,
    forward,
    mse_loss,
    random_state,
    sgd_step,
    trace_training,
)

TOL = {"rtol": 1e-10, "atol": 1e-10}
RUNS = learning_fixtures()[1]["train"]
ZERO_GRAD, FORWARD, LOSS, BACKWARD, STEP = (PHASES.index(p) for p in PHASES)


def _fixture_state(run: str) -> TrainingState:
    arrays, layers = fields("train", run), [ConvLayer(**spec) for spec in RUNS[run]["layers"]]
    flat = iter(arrays[f"p{i}/initial"] for i in range(len(layers) * 2))
    weights, biases = [], []
    for layer in layers:
        weights.append(next(flat))
        biases.append(next(flat) if layer.bias else None)
    return TrainingState(layers, weights, biases, arrays["x"], arrays["target"])


def _check_against(trace, expected: dict):
    np.testing.assert_allclose(trace.loss, expected["loss"], **TOL)
    np.testing.assert_allclose(trace.output, expected["output"], **TOL)
    for i, p in enumerate(trace.params):
        np.testing.assert_allclose(p.grad, expected[f"p{i}/grad"], **TOL, err_msg=p.name)
        np.testing.assert_allclose(p.after, expected[f"p{i}/after"], **TOL, err_msg=p.name)
        if f"p{i}/momentum_buffer" in expected:
            buf = expected[f"p{i}/momentum_buffer"]
            np.testing.assert_allclose(p.momentum_buffer, buf, **TOL, err_msg=p.name)


# ---------------------------------------------------------------- against PyTorch


@pytest.mark.parametrize("run", sorted(RUNS))
def test_training_matches_torch_fixture(run):
    trace = trace_training(_fixture_state(run), epochs=3, **RUNS[run]["optimizer"])
    _check_against(trace, fields("train", run))


def test_article_fixture_starts_from_article_example():
    state, arrays = article_example(), fields("train", "article")
    np.testing.assert_array_equal(arrays["p0/initial"][0, 0], ARTICLE_CONV1_WEIGHT)
    for i, p in enumerate(state.parameters()):
        np.testing.assert_array_equal(arrays[f"p{i}/initial"], p)
    np.testing.assert_array_equal(arrays["x"], state.x)
    np.testing.assert_array_equal(arrays["target"], state.target)


LIVE_RUNS = {
    "article": (article_example, {"lr": 0.01}),
    "article_dampening": (article_example, {"lr": 0.02, "momentum": 0.7, "dampening": 0.5}),
    "xavier_3layers": (
        lambda: random_state(
            [ConvLayer(2, 3, 3, padding=1), ConvLayer(3, 2, (2, 3), stride=2), ConvLayer(2, 1, 1)],
            (2, 2, 9, 8),
            rng=np.random.default_rng(4),
        ),
        {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01, "nesterov": True},
    ),
    "groups_dilation_same": (
        lambda: random_state(
            [ConvLayer(2, 4, 3, padding="same", dilation=2, groups=2), ConvLayer(4, 1, 2)],
            (1, 2, 6, 6),
            rng=np.random.default_rng(5),
            scheme="kaiming_uniform",
            a=math.sqrt(5),
        ),
        {"lr": 0.1},
    ),
}


def _layer_spec(layer: ConvLayer) -> dict:
    return {
        "in_channels": layer.in_channels,
        "out_channels": layer.out_channels,
        "kernel_size": layer.kernel_size,
        **layer.conv_kwargs(),
        "bias": layer.bias,
    }


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("run", list(LIVE_RUNS))
def test_training_matches_live_torch(torch, run):
    make_state, opt_kwargs = LIVE_RUNS[run]
    state = make_state()
    specs = [_layer_spec(layer) for layer in state.layers]
    expected = fixture_maker().torch_train(
        specs, state.weights, state.biases, state.x, state.target, opt_kwargs, epochs=4
    )
    _check_against(trace_training(state, epochs=4, **opt_kwargs), expected)


# ---------------------------------------------------------------- what the trace shows


TRACE_RUNS = {
    "plain": {"lr": 0.01},
    "momentum_wd": {"lr": 0.01, "momentum": 0.9, "weight_decay": 1e-3},
    "dampening": {"lr": 0.03, "momentum": 0.5, "dampening": 0.3},
    "nesterov": {"lr": 0.05, "momentum": 0.5, "nesterov": True},
}


@pytest.fixture(scope="module", params=list(TRACE_RUNS))
def trace(request):
    state = _fixture_state("multichannel") if request.param == "dampening" else article_example()
    return trace_training(state, epochs=4, **TRACE_RUNS[request.param])


def test_only_step_changes_the_weights(trace):
    for p in trace.params:
        np.testing.assert_array_equal(p.values[0, ZERO_GRAD], p.initial)
        for phase in (FORWARD, LOSS, BACKWARD):  # backward leaves the weights untouched
            np.testing.assert_array_equal(p.values[:, phase], p.values[:, ZERO_GRAD])
        assert np.all(p.values[:, STEP] != p.values[:, BACKWARD])  # step moves every entry
        np.testing.assert_array_equal(p.values[1:, ZERO_GRAD], p.values[:-1, STEP])


def test_step_subtracts_lr_times_direction(trace):
    opt = trace.optimizer
    for p in trace.params:
        np.testing.assert_array_equal(p.before, p.values[:, BACKWARD])
        np.testing.assert_array_equal(p.after, p.values[:, STEP])
        np.testing.assert_array_equal(p.update, opt.lr * p.direction)
        np.testing.assert_array_equal(p.values[:, STEP], p.values[:, BACKWARD] - p.update)
        if opt.momentum == 0 and opt.weight_decay == 0:  # the article: w − lr·g = w'
            np.testing.assert_array_equal(p.direction, p.grad)
            np.testing.assert_array_equal(p.after, p.before - opt.lr * p.grad)


def test_momentum_terms_follow_torch_definition(trace):
    opt = trace.optimizer
    for p in trace.params:
        np.testing.assert_array_equal(p.decayed_grad, p.grad + opt.weight_decay * p.before)
        if opt.momentum == 0:
            assert not p.momentum_buffer.any()
            continue
        np.testing.assert_array_equal(p.momentum_buffer[0], p.decayed_grad[0])  # first: buf = d
        later = opt.momentum * p.momentum_buffer[:-1] + (1 - opt.dampening) * p.decayed_grad[1:]
        np.testing.assert_allclose(p.momentum_buffer[1:], later, rtol=1e-15)
        nesterov = p.decayed_grad + opt.momentum * p.momentum_buffer
        np.testing.assert_array_equal(p.direction, nesterov if opt.nesterov else p.momentum_buffer)


def test_gradients_appear_at_backward(trace):
    assert trace.grad_set.shape == (trace.epochs, 5)
    assert not trace.grad_set[:, :BACKWARD].any() and trace.grad_set[:, BACKWARD:].all()
    for p in trace.params:
        assert not p.grads[:, :BACKWARD].any()  # zero_grad cleared them (None in torch)
        np.testing.assert_array_equal(p.grads[:, BACKWARD], p.grad)
        np.testing.assert_array_equal(p.grads[:, STEP], p.grad)  # step does not touch .grad


def test_feature_maps_and_loss(trace):
    for layer in trace.layers:
        for e in range(trace.epochs):
            bias = None if layer.bias is None else layer.bias.values[e, FORWARD]
            out = conv2d(
                layer.input[e], layer.weight.values[e, FORWARD], bias, **layer.layer.conv_kwargs()
            )
            np.testing.assert_allclose(layer.output[e], out, rtol=1e-14, atol=1e-14)
    np.testing.assert_array_equal(trace.output, trace.layers[-1].output)
    np.testing.assert_array_equal(trace.residual, trace.output - trace.target)
    np.testing.assert_allclose(trace.loss, np.mean(trace.residual**2, axis=(1, 2, 3, 4)))
    np.testing.assert_allclose(trace.grad_output, 2 * trace.residual / trace.target.size)
    np.testing.assert_array_equal(trace.layers[-1].grad_output, trace.grad_output)


def test_loss_decreases_on_the_article_example():
    trace = trace_training(article_example())
    assert trace.epochs == 3 and trace.optimizer.lr == 0.01
    assert np.all(np.diff(trace.loss) < 0)


def test_loss_fraction_scales_the_largest_loss_to_one(trace):
    top = max(float(v) for v in trace.loss)
    assert list(trace.loss_fraction) == [float(v) / top for v in trace.loss]


def test_loss_fraction_of_a_perfect_start_is_zero():
    s = article_example()
    zeros = [np.zeros_like(w) for w in s.weights]
    still = TrainingState(s.layers, zeros, [np.zeros(1)] * 2, s.x, np.zeros_like(s.target))
    trace = trace_training(still, epochs=2)
    assert list(trace.loss) == [0.0, 0.0] and list(trace.loss_fraction) == [0.0, 0.0]


def test_largest_abs_is_the_largest_recorded_magnitude(trace):
    arrays = [trace.x, trace.target, trace.output, trace.residual, trace.loss]
    for layer in trace.layers:
        arrays.append(layer.output)
    for p in trace.params:
        arrays += [p.values, p.grads, p.before, p.grad, p.decayed_grad, p.momentum_buffer]
        arrays += [p.direction, p.update, p.after]
    assert trace.largest_abs == max(abs(float(v)) for a in arrays for v in np.ravel(a))


def test_largest_abs_grows_when_training_diverges():
    assert trace_training(article_example()).largest_abs < 2
    assert trace_training(article_example(), lr=10.0).largest_abs > 100


def test_unbatched_input_trains_like_a_batch_of_one():
    state = article_example()
    unbatched = TrainingState(
        state.layers, state.weights, state.biases, state.x[0], state.target[0]
    )
    a, b = trace_training(state), trace_training(unbatched)
    assert b.layers[0].output.shape == (3, 1, 3, 3)  # (E, C, H, W): no batch axis
    np.testing.assert_allclose(b.loss, a.loss, rtol=1e-15)
    for p, q in zip(a.params, b.params, strict=True):
        np.testing.assert_allclose(q.values, p.values, rtol=1e-15)


def test_training_leaves_the_state_alone():
    state = article_example()
    before = [p.copy() for p in state.parameters()]
    trace_training(state, momentum=0.9)
    for p, q in zip(before, state.parameters(), strict=True):
        np.testing.assert_array_equal(p, q)


def _set_param(state: TrainingState, i: int, value: np.ndarray) -> TrainingState:
    flat = state.parameters()
    flat[i] = value
    it = iter(flat)
    weights, biases = [], []
    for layer in state.layers:
        weights.append(next(it))
        biases.append(next(it) if layer.bias else None)
    return TrainingState(state.layers, weights, biases, state.x, state.target)


def test_gradients_match_finite_differences():
    state = _fixture_state("multichannel")
    trace = trace_training(state, epochs=1, lr=0.0)

    def loss(s):
        return mse_loss(forward(s.layers, s.weights, s.biases, s.x)[-1], s.target)

    eps = 1e-6
    for i, p in enumerate(trace.params):
        numeric = np.zeros_like(p.initial)
        for idx in np.ndindex(p.initial.shape):
            plus, minus = p.initial.copy(), p.initial.copy()
            plus[idx] += eps
            minus[idx] -= eps
            numeric[idx] = (
                loss(_set_param(state, i, plus)) - loss(_set_param(state, i, minus))
            ) / (2 * eps)
        np.testing.assert_allclose(p.grad[0], numeric, atol=1e-7, err_msg=p.name)


# ---------------------------------------------------------------- the article's numbers

#: Typed in from the article's printout (epoch 1): conv1 weights, gradient, weights after.
ARTICLE_BEFORE = [
    [-0.0435, -0.0704, 0.0776],
    [-0.2496, -0.2133, 0.1125],
    [-0.0481, -0.2408, 0.1175],
]
ARTICLE_GRAD = [[0.0707, -0.2553, -0.1103], [0.3029, 0.4249, 0.3205], [-0.2261, -0.0902, 0.1702]]
ARTICLE_AFTER = [[-0.0442, -0.0679, 0.0787], [-0.2527, -0.2175, 0.1093], [-0.0459, -0.2399, 0.1158]]


def test_article_printed_step_is_sgd():
    """The article's epoch 1: after = before − 0.01·grad, up to its 4-decimal rounding."""
    terms = sgd_step(np.array(ARTICLE_BEFORE), np.array(ARTICLE_GRAD), None, SGD(lr=0.01))
    np.testing.assert_allclose(terms["after"], ARTICLE_AFTER, atol=1.01e-4)
    assert terms["before"][0, 0] - terms["update"][0, 0] == pytest.approx(-0.0435 - 0.000707)


def test_article_example_state():
    state = article_example()
    assert [layer.weight_shape for layer in state.layers] == [(1, 1, 3, 3)] * 2
    np.testing.assert_array_equal(state.weights[0][0, 0], ARTICLE_BEFORE)
    assert state.x.shape == (1, 1, 5, 5) and state.target.shape == state.out_shape == (1, 1, 1, 1)
    assert state.parameter_names == ("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias")


def test_printout_layout():
    trace = trace_training(article_example())
    text = format_training_printout(trace)
    lines = text.splitlines()
    assert len(lines) == 3 * 13
    assert lines[0] == "Epoch 1/3 :start"
    assert lines[1] == "Updated before optimizer.step() conv1 weights: Parameter containing:"
    assert lines[5] == f"Epoch 1/3, Loss: {float(trace.loss[0])!r}"
    assert lines[6].startswith("Gradient of conv1 weights after backward: tensor([[[[")
    assert lines[9] == "Updated after optimizer.step() conv1 weights: Parameter containing:"
    assert lines[13] == "Epoch 2/3 :start"
    assert lines[-1].endswith("]]]], requires_grad=True)")
    # the first weights are the article's: the same text as its printout (spaces aside)
    article = "tensor([[[[-0.0435, -0.0704, 0.0776], [-0.2496, -0.2133, 0.1125], " + (
        "[-0.0481, -0.2408, 0.1175]]]], requires_grad=True)"
    )
    assert " ".join(" ".join(lines[2:5]).split()) == article


def test_printout_tensor_layout_is_torchs():
    """Committed: str(nn.Parameter) of the article's conv1 weights, as torch prints it."""
    torch_repr = learning_fixtures()[1]["tensor_repr"]
    lines = format_training_printout(trace_training(article_example(), epochs=1)).splitlines()
    assert "\n".join(["Parameter containing:", *lines[2:5]]) == torch_repr["parameter"]


def test_printout_of_another_layer():
    trace = trace_training(_fixture_state("multichannel"), epochs=2, lr=0.1)
    text = format_training_printout(trace, layer=1)
    assert "Gradient of conv2 weights after backward" in text and "Epoch 2/2 :start" in text
    with pytest.raises(ValueError, match="layer must be < 2"):
        format_training_printout(trace, layer=2)


# ---------------------------------------------------------------- starting points, errors


def test_random_state_is_deterministic_with_zero_biases():
    layers = [ConvLayer(1, 1, 3), ConvLayer(1, 1, 3)]
    a = random_state(layers, (1, 1, 5, 5), rng=np.random.default_rng(0))
    b = random_state(layers, (1, 1, 5, 5), rng=np.random.default_rng(0))
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(p, q)
    np.testing.assert_array_equal(a.x, b.x)
    assert all(not bias.any() for bias in a.biases)
    bound = math.sqrt(6 / 18)  # Xavier uniform by default, like the article's ConvNet
    assert all(np.abs(w).max() <= bound for w in a.weights)
    assert a.target.shape == (1, 1, 1, 1)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: SGD(lr=-0.1), "lr must be >= 0.0"),
        (lambda: SGD(lr=0.1, momentum=-1), "momentum must be >= 0.0"),
        (lambda: SGD(lr=0.1, weight_decay=-1), "weight_decay must be >= 0.0"),
        (lambda: SGD(lr=0.1, nesterov=True), "nesterov needs momentum > 0"),
        (lambda: SGD(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "dampening = 0"),
        (lambda: trace_training(article_example(), epochs=0), "epochs must be positive"),
        (lambda: trace_training({"x": 1}), "state must be a TrainingState"),
        (lambda: random_state([ConvLayer(1, 1, 3)], (1, 1, 5, 5), rng=0), "rng must be"),
        (lambda: ConvLayer(3, 4, 3, groups=2), "groups=2 must divide in_channels=3"),
        (lambda: ConvLayer(1, 1, 0), "kernel_size must be positive"),
        (lambda: ConvLayer(1, 1, 3, stride=2, padding="same"), "padding='same' needs stride 1"),
        (lambda: TrainingState([], [], [], np.ones((1, 1, 5, 5)), np.ones(1)), "non-empty"),
        (
            lambda: TrainingState(
                [ConvLayer(1, 1, 3)],
                [np.ones((1, 1, 2, 2))],
                [np.ones(1)],
                np.ones((1, 1, 5, 5)),
                np.ones((1, 1, 3, 3)),
            ),
            r"weights\[0\] must have shape \(1, 1, 3, 3\)",
        ),
        (
            lambda: TrainingState(
                [ConvLayer(1, 1, 3, bias=False)],
                [np.ones((1, 1, 3, 3))],
                [np.ones(1)],
                np.ones((1, 1, 5, 5)),
                np.ones((1, 1, 3, 3)),
            ),
            r"biases\[0\] must be None",
        ),
        (
            lambda: TrainingState(
                [ConvLayer(1, 1, 3)],
                [np.ones((1, 1, 3, 3))],
                [np.ones(1)],
                np.ones((1, 1, 5, 5)),
                np.ones((1, 1, 1, 1)),
            ),
            r"target must have the network's output shape \(1, 1, 3, 3\)",
        ),
        (
            lambda: TrainingState(
                [ConvLayer(2, 1, 3)],
                [np.ones((1, 2, 3, 3))],
                [np.ones(1)],
                np.ones((1, 1, 5, 5)),
                np.ones((1, 1, 3, 3)),
            ),
            "input has 1",
        ),
        (
            lambda: random_state(
                [ConvLayer(1, 1, 3)], (1, 1, 5, 5), rng=np.random.default_rng(), scheme="he"
            ),
            "unknown init scheme 'he'",
        ),
    ],
)
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
