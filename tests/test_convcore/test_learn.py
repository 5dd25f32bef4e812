"""convcore.learn: d2l's "Learning a Kernel" as a training trace.

Oracles: PyTorch float64 runs of the same loop (``nn.Conv2d(bias=False)``, ``nn.MSELoss``,
``torch.optim.SGD``; committed fixtures always, live when installed; tolerance 1e-10),
centred finite differences of the loss for every step's gradient, brute-force loops for
the windows of the written-out step, d2l's own ``X``, ``K`` and ``Y``, and the eigenvalue
bound of gradient descent on a quadratic checked by training just below and above it.
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from convcore import conv2d
from convcore.learn import (
    EDGE_KERNEL,
    edge_image,
    edge_kernel,
    edge_learning_state,
    stable_lr,
    trace_kernel_learning,
)
from convcore.train import mse_loss

TOL = {"rtol": 1e-10, "atol": 1e-10}
FIXTURE_DIR = Path(__file__).parents[1] / "fixtures"


@cache
def fixtures() -> tuple[dict[str, np.ndarray], dict]:
    with np.load(FIXTURE_DIR / "learn_kernel_torch.npz") as data:
        arrays = {k: data[k] for k in data.files if k != "meta"}
        return arrays, json.loads(str(data["meta"]))


def fixture_case(case: str) -> tuple[dict[str, np.ndarray], dict]:
    arrays, meta = fixtures()
    prefix = f"{case}/"
    return {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}, meta[case]


def learn(settings: dict, **kwargs):
    rng = np.random.default_rng(settings["seed"])
    return trace_kernel_learning(
        tuple(settings["kernel_size"]),
        lr=settings["lr"],
        steps=settings["steps"],
        rng=rng,
        **kwargs,
    )


def check_against(trace, expected: dict):
    np.testing.assert_allclose(trace.kernels[0], expected["initial"][0, 0], rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(trace.loss[:-1], expected["loss"], **TOL)
    np.testing.assert_allclose(trace.loss[-1], expected["final_loss"], **TOL)
    np.testing.assert_allclose(trace.grads, expected["grad"][:, 0, 0], **TOL)
    np.testing.assert_allclose(trace.kernels[1:], expected["after"][:, 0, 0], **TOL)


# ---------------------------------------------------------------- against PyTorch


@pytest.mark.parametrize("case", sorted(fixtures()[1]))
def test_learning_matches_torch_fixture(case):
    expected, settings = fixture_case(case)
    trace = learn(settings)
    np.testing.assert_array_equal(trace.x, expected["x"][0, 0])
    np.testing.assert_array_equal(trace.target, expected["target"][0, 0])
    check_against(trace, expected)


LIVE = {
    "1x2_lr0.03": {"kernel_size": [1, 2], "seed": 3, "lr": 0.03, "steps": 12},
    "1x3_seed5": {"kernel_size": [1, 3], "seed": 5, "lr": 0.6, "steps": 15},
    "2x2_seed1": {"kernel_size": [2, 2], "seed": 1, "lr": 0.3, "steps": 10},
    "3x3_unstable": {"kernel_size": [3, 3], "seed": 2, "lr": 0.7, "steps": 8},
}


@pytest.mark.torch
@pytest.mark.parametrize("case", list(LIVE))
def test_learning_matches_live_torch(torch1, case):
    path = FIXTURE_DIR / "make_learn_fixtures.py"
    spec = importlib.util.spec_from_file_location("make_learn_fixtures", path)
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    settings = LIVE[case]
    x, target = maker.edge_problem(settings["kernel_size"])
    initial = maker.default_init(settings["kernel_size"], settings["seed"])
    expected = maker.torch_learn(x, target, initial, settings["lr"], settings["steps"])
    check_against(learn(settings), expected | {"initial": initial})


@pytest.mark.torch
def test_d2l_loop_on_the_summed_loss_is_lr_times_n(torch1):
    """d2l's own loop (``l.sum().backward()``, ``weight -= 3e-2·grad``, 10 steps) moves the
    kernel exactly as SGD on the mean with ``lr = N·3e-2`` (N = 42 outputs)."""
    torch = torch1
    trace = trace_kernel_learning(lr=42 * 3e-2, steps=10, rng=np.random.default_rng(3))
    x = torch.tensor(edge_image()).reshape(1, 1, 6, 8)
    y = torch.nn.functional.conv2d(x, torch.tensor(EDGE_KERNEL).reshape(1, 1, 1, 2))
    conv2d = torch.nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False, dtype=torch.float64)
    with torch.no_grad():
        conv2d.weight.copy_(torch.tensor(trace.kernels[0]).reshape(1, 1, 1, 2))
    for i in range(10):
        l = (conv2d(x) - y) ** 2  # noqa: E741 (d2l's name)
        conv2d.zero_grad()
        l.sum().backward()
        conv2d.weight.data[:] -= 3e-2 * conv2d.weight.grad
        np.testing.assert_allclose(trace.kernels[i + 1], conv2d.weight.data[0, 0].numpy(), **TOL)


# ---------------------------------------------------------------- finite differences


@pytest.mark.parametrize("kernel_size", [(1, 2), (3, 3), (2, 3)])
def test_every_gradient_matches_finite_differences(kernel_size):
    trace = trace_kernel_learning(kernel_size, lr=0.2, steps=6, rng=np.random.default_rng(11))
    h = 1e-6
    for e in range(trace.steps):
        numeric = np.zeros(kernel_size)
        for idx in np.ndindex(*kernel_size):
            bump = np.zeros(kernel_size)
            bump[idx] = h
            losses = [
                mse_loss(conv2d(trace.x[None, None], (trace.kernels[e] + s * bump)[None, None]),
                         trace.target[None, None])
                for s in (1, -1)
            ]  # fmt: skip
            numeric[idx] = (losses[0] - losses[1]) / (2 * h)
        np.testing.assert_allclose(trace.grads[e], numeric, rtol=1e-6, atol=1e-9)


# ---------------------------------------------------------------- d2l's problem


def test_d2l_image_kernel_and_target():
    x = edge_image()
    assert x.shape == (6, 8)
    np.testing.assert_array_equal(x[:, [0, 1, 6, 7]], 1)
    np.testing.assert_array_equal(x[:, 2:6], 0)
    np.testing.assert_array_equal(EDGE_KERNEL, [[1, -1]])
    state, _ = edge_learning_state(rng=np.random.default_rng(0))
    row = [0, 1, 0, 0, 0, -1, 0]  # d2l's printed Y: 1 at white→black, −1 at black→white
    np.testing.assert_array_equal(state.target[0, 0], [row] * 6)


def test_edge_kernel_sits_in_the_middle_row():
    np.testing.assert_array_equal(edge_kernel((1, 2)), [[1, -1]])
    np.testing.assert_array_equal(edge_kernel(3), [[0, 0, 0], [0, 1, -1], [0, 0, 0]])
    np.testing.assert_array_equal(edge_kernel((2, 4)), [[0, 0, 0, 0], [0, 1, -1, 0]])
    with pytest.raises(ValueError, match="at least 2 columns wide, got 3×1"):
        edge_kernel((3, 1))


def test_default_init_is_pytorchs_bound():
    for kernel_size, bound in (((1, 2), 1 / np.sqrt(2)), ((3, 3), 1 / 3)):
        _, init = edge_learning_state(kernel_size, rng=np.random.default_rng(0))
        np.testing.assert_allclose(init.bound, bound, rtol=1e-15)
        assert np.all(np.abs(init.sample) <= bound)


# ---------------------------------------------------------------- what the trace records


@pytest.fixture(scope="module")
def default_trace():
    _, settings = fixture_case("default")
    return learn(settings, photo=np.random.default_rng(2).random((9, 12)))


def test_kernel_converges_to_d2l_kernel(default_trace):
    t = default_trace
    np.testing.assert_allclose(t.kernels[-1], EDGE_KERNEL, atol=0.01)
    assert np.all(np.diff(t.loss) < 0)  # below stable_lr the loss falls every step
    assert t.loss[-1] < 1e-4 * t.loss[0]
    np.testing.assert_allclose(t.loss_fraction, t.loss / t.loss[0])
    assert t.loss_top == t.loss[0] == t.loss.max()


@pytest.mark.parametrize("name", sorted(fixtures()[1]))
def test_the_plot_top_is_the_largest_loss(name):
    _, settings = fixture_case(name)
    t = learn(settings)
    assert t.loss_top == t.loss.max() and t.loss_fraction.max() == 1.0
    np.testing.assert_allclose(t.loss_fraction * t.loss_top, t.loss)


def test_outputs_and_loss_of_every_kernel(default_trace):
    t = default_trace
    for e in range(t.steps + 1):
        out = conv2d(t.x[None, None], t.kernels[e][None, None])[0, 0]
        np.testing.assert_allclose(t.outputs[e], out, rtol=1e-14, atol=1e-14)
        np.testing.assert_allclose(t.loss[e], np.mean((out - t.target) ** 2), rtol=1e-13)
    np.testing.assert_array_equal(t.kernels[1:], t.kernels[:-1] - t.lr * t.grads)


def test_detail_step_is_a_sum_of_products():
    trace = trace_kernel_learning(3, lr=0.4, steps=5, rng=np.random.default_rng(4), detail_step=2)
    d, (oh, ow) = trace.detail, trace.target.shape
    assert d.step == 2 and d.taps.tolist() == [[1, 1], [1, 2]]
    np.testing.assert_array_equal(d.residual, trace.outputs[2] - trace.target)
    assert d.n_outputs == oh * ow == 24
    for t, (a, b) in enumerate(d.taps):
        window = np.array([[trace.x[i + a, j + b] for j in range(ow)] for i in range(oh)])
        np.testing.assert_array_equal(d.windows[t], window)
        top, bottom, left, right = d.window_bounds[t]
        np.testing.assert_array_equal(trace.x[top:bottom, left:right], window)
        total = sum(d.residual[i, j] * window[i, j] for i in range(oh) for j in range(ow))
        np.testing.assert_allclose(d.sums[t], total, rtol=1e-13)
    assert d.scale == 2 / (oh * ow)
    np.testing.assert_allclose(d.grad, trace.grads[2][d.taps[:, 0], d.taps[:, 1]], rtol=1e-13)
    np.testing.assert_array_equal(d.before, trace.kernels[2][d.taps[:, 0], d.taps[:, 1]])
    np.testing.assert_array_equal(d.after, trace.kernels[3][d.taps[:, 0], d.taps[:, 1]])
    np.testing.assert_array_equal(d.update, trace.lr * trace.grads[2][d.taps[:, 0], d.taps[:, 1]])


def test_tall_kernel_learns_only_column_sums():
    trace = trace_kernel_learning((3, 3), lr=0.5, steps=60, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(trace.true_column_sums, [0, 1, -1])
    np.testing.assert_allclose(trace.column_sums[-1], [0, 1, -1], atol=1e-6)
    assert trace.loss[-1] < 1e-10
    assert np.max(np.abs(trace.kernels[-1] - trace.true_kernel)) > 0.1  # not K itself
    # every row of X is the same, so each column's entries get the same gradient
    np.testing.assert_array_equal(trace.grads, np.repeat(trace.grads[:, :1], 3, axis=1))


def test_photo_maps(default_trace):
    t = default_trace
    for kernel, fm in ((t.true_kernel, t.photo_target), (t.kernels[-1], t.photo_learned)):
        expected = [[np.sum(t.photo[i : i + 1, j : j + 2] * kernel) for j in range(11)]
                    for i in range(9)]  # fmt: skip
        np.testing.assert_allclose(fm.values, expected, rtol=1e-13, atol=1e-15)
        np.testing.assert_array_equal(fm.kernel, kernel)
    np.testing.assert_array_equal(t.photo_levels, np.round(t.photo * 255))
    gap = np.abs(t.photo_learned.values - t.photo_target.values).max()
    assert t.photo_gap == gap and 0 < gap < 0.01  # the learned kernel is within 0.0016 of K
    bare = trace_kernel_learning(rng=np.random.default_rng(0), steps=2)
    assert bare.photo is None and bare.photo_target is None and bare.photo_learned is None


def test_pictures_share_the_targets_scale(default_trace):
    t = default_trace
    np.testing.assert_array_equal(t.x_levels, t.x * 255)
    assert t.target_limit == 1.0 and t.target_ticks == (-1.0, 0.0, 1.0)
    np.testing.assert_array_equal(t.target_scaled, t.target)
    np.testing.assert_array_equal(t.outputs_scaled, np.clip(t.outputs, -1, 1))
    assert np.abs(t.outputs[1:]).max() <= 1  # the default run never leaves the scale


# ---------------------------------------------------------------- stability and bad input


@pytest.mark.parametrize("kernel_size, expected", [((1, 2), 1.4), ((3, 3), 2 - np.sqrt(2))])
def test_stable_lr_is_the_divergence_threshold(kernel_size, expected):
    limit = stable_lr(edge_image(), kernel_size)
    np.testing.assert_allclose(limit, expected, rtol=1e-12)  # 2/λ_max, worked out by hand
    below = trace_kernel_learning(
        kernel_size, lr=0.97 * limit, steps=150, rng=np.random.default_rng(1)
    )
    above = trace_kernel_learning(
        kernel_size, lr=1.03 * limit, steps=150, rng=np.random.default_rng(1)
    )
    assert below.loss[-1] < 1e-3 * below.loss[0] and above.loss[-1] > 10 * above.loss[0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"lr": 50.0, "steps": 200}, r"training diverges with lr=50: the loss overflows float64"),
        ({"lr": 0.0}, r"lr must be > 0, got 0.0"),
        ({"lr": float("nan")}, r"lr must be finite"),
        ({"steps": 0}, r"steps must be positive, got 0"),
        ({"steps": 3, "detail_step": 3}, r"detail_step must be < steps=3, got 3"),
        ({"kernel_size": (1, 1)}, r"at least 2 columns wide"),
        ({"kernel_size": (7, 2)}, r"larger than the padded input"),
        ({"photo": np.ones((4, 1))}, r"larger than the padded input"),
        ({"photo": np.ones((2, 2, 2))}, r"photo must be 2-D"),
    ],
)
def test_bad_settings_raise_one_sentence(kwargs, message):
    with pytest.raises(ValueError, match=message):
        trace_kernel_learning(**({"rng": np.random.default_rng(0)} | kwargs))
