"""Every gradient in the JSON trace agrees with central finite differences of the loss.

The reference below is written independently of the engine: its own forward pass, with the activations
and losses of tests/reference.py, differentiated numerically. Hypothesis draws random networks: depth
1-4, widths 1-6, every element-wise activation and every squared-error loss, biases per neuron, shared
or none; and the same networks ending in a softmax layer, whose squared-error gradient goes through the
full softmax Jacobian (cross-entropy on softmax, the fused form, is checked in test_softmax.py).
"""

from __future__ import annotations

import json

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from backprop_cli.config import config_from_data
from backprop_cli.engine import trace
from backprop_cli.render.json import iteration_data
from reference import activate, central, loss, random_layer

ACTIVATIONS = ["identity", "relu", "leaky_relu", "sigmoid", "tanh"]
LOSSES = ["sse", "half_sse", "mse"]


def reference_forward(data: dict, weights, biases, nudge=None):
    """Pre-activations and the loss; ``nudge = (layer, 'p' or 'z', k, eps)`` adds eps to one p or z."""
    z = np.array(data["x"], dtype=float)
    ps = []
    for i, layer in enumerate(data["layers"]):
        p = np.array(weights[i]) @ z
        if biases[i] is not None:
            p = p + np.array(biases[i])
        if nudge and nudge[0] == i and nudge[1] == "p":
            p = p.copy()
            p[nudge[2]] += nudge[3]
        ps.append(p)
        z = activate(layer["activation"], p, layer.get("negative_slope", 0.01))
        if nudge and nudge[0] == i and nudge[1] == "z":
            z = z.copy()
            z[nudge[2]] += nudge[3]
    return ps, float(loss(data.get("loss", "sse"), z, np.array(data["y"], dtype=float)))


def numeric_gradients(data: dict):
    """∂J/∂Θ, ∂J/∂b, ∂J/∂p and ∂J/∂z of every layer, by central differences."""
    weights = [np.array(l["weights"], dtype=float) for l in data["layers"]]
    biases = [None if l.get("bias") is None else np.array(l["bias"], dtype=float) for l in data["layers"]]

    def loss_with(i, what, index, eps):
        w = [a.copy() for a in weights]
        b = [None if a is None else a.copy() for a in biases]
        if what == "w":
            w[i][index] += eps
        else:
            b[i][index] += eps
        return reference_forward(data, w, b)[1]

    out = []
    for i, layer in enumerate(data["layers"]):
        dw = np.zeros_like(weights[i])
        for index in np.ndindex(*dw.shape):
            dw[index] = central(lambda e: loss_with(i, "w", index, e))
        db = None
        if biases[i] is not None and biases[i].ndim == 0:  # one bias shared by the layer
            db = float(central(lambda e: loss_with(i, "b", (), e)))
        elif biases[i] is not None:
            db = np.array([central(lambda e: loss_with(i, "b", k, e)) for k in range(biases[i].size)])
        width = weights[i].shape[0]
        dp = np.array([central(lambda e: reference_forward(data, weights, biases, (i, "p", k, e))[1])
                       for k in range(width)])
        dz = np.array([central(lambda e: reference_forward(data, weights, biases, (i, "z", k, e))[1])
                       for k in range(width)])
        out.append((dw, db, dp, dz))
    return out, reference_forward(data, weights, biases)


numbers = st.floats(min_value=-2, max_value=2, allow_nan=False, allow_infinity=False)


@st.composite
def networks(draw, output: str | None = None):
    """A random network; ``output`` fixes the activation of the last layer."""
    depth = draw(st.integers(1, 4))
    widths = [draw(st.integers(1, 6)) for _ in range(depth + 1)]
    layers = []
    for i in range(depth):
        n, m = widths[i + 1], widths[i]
        activation = output if output and i == depth - 1 else draw(st.sampled_from(ACTIVATIONS))
        layers.append(random_layer(draw, n, m, activation, numbers))
    return {
        "x": [draw(numbers) for _ in range(widths[0])],
        "y": [draw(numbers) for _ in range(widths[-1])],
        "alpha": draw(st.sampled_from([0.0, 0.1, 0.5])),
        "loss": draw(st.sampled_from(LOSSES)),
        "update_bias": draw(st.booleans()),
        "layers": layers,
    }


def assert_close(actual, expected, what: str, atol: float = 1e-6) -> None:
    np.testing.assert_allclose(np.array(actual, dtype=float), np.array(expected, dtype=float),
                               rtol=1e-5, atol=atol, err_msg=what)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_every_gradient_in_the_json_matches_finite_differences(data):
    check_against_finite_differences(data)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(output="softmax"))
def test_softmax_output_with_squared_errors_matches_finite_differences(data):
    """sse, half_sse and mse on softmax outputs: ∂J/∂p is the Jacobian product z ⊙ (∂J/∂z − (∂J/∂z · z))."""
    check_against_finite_differences(data)


def check_against_finite_differences(data: dict) -> None:
    numeric, (ps, loss) = numeric_gradients(data)
    # Finite differences are meaningless across the kink of relu / leaky_relu.
    for p, layer in zip(ps, data["layers"]):
        if layer["activation"] in ("relu", "leaky_relu"):
            assume(np.all(np.abs(p) > 1e-4))
    config = config_from_data(data)
    iteration = json.loads(json.dumps(iteration_data(next(trace(config)))))  # exactly what --format json holds
    assert_close(iteration["loss"], loss, "loss")
    sample = iteration["samples"][0]
    assert_close(sample["loss"], loss, "sample loss")
    # A central difference of J loses about |J|·2⁻⁵²/eps ≈ 2e-10·|J| to rounding: a gradient smaller than
    # that (a weight of 1e-9 in a network whose J is 4624) reads as 0, which is no error of the engine.
    numeric_atol = 1e-6 + 1e-9 * abs(loss)
    for i, ((dw, db, dp, dz), layer, passed) in enumerate(zip(numeric, iteration["layers"], sample["layers"])):
        assert_close(layer["dJ_dweights"], dw, f"layer {i} dJ_dweights", numeric_atol)
        assert_close(passed["dJ_dp"], dp, f"layer {i} dJ_dp", numeric_atol)
        assert_close(passed["dJ_dz"], dz, f"layer {i} dJ_dz", numeric_atol)
        assert_close(passed["p"], ps[i], f"layer {i} p")
        if db is None:
            assert layer["dJ_dbias"] is None
        else:
            assert_close(layer["dJ_dbias"], db, f"layer {i} dJ_dbias", numeric_atol)
        # The update is gradient descent with the gradient above.
        alpha = data["alpha"]
        assert_close(layer["new_weights"], np.array(layer["weights"]) - alpha * np.array(layer["dJ_dweights"]),
                     f"layer {i} new_weights")
        if db is not None:
            expected = np.array(layer["bias"]) - (alpha * np.array(layer["dJ_dbias"]) if data["update_bias"] else 0)
            assert_close(layer["new_bias"], expected, f"layer {i} new_bias")


@settings(max_examples=60, deadline=None)
@given(networks())
def test_loss_after_is_the_loss_of_the_new_parameters(data):
    iteration = iteration_data(next(trace(config_from_data(data))))
    weights = [np.array(l["new_weights"]) for l in iteration["layers"]]
    biases = [None if l["new_bias"] is None else np.array(l["new_bias"]) for l in iteration["layers"]]
    _, after = reference_forward(data, weights, biases)
    assert_close(iteration["loss_after"], after, "loss_after")


def test_saturated_activations_stay_finite_without_warnings():
    data = {"x": [1000.0, -1000.0], "y": [0.0, 1.0], "alpha": 0.1,
            "layers": [{"activation": "tanh", "weights": [[1.0, 0.0], [0.0, 1.0]]},
                       {"activation": "sigmoid", "weights": [[1000.0, 0.0], [0.0, 1000.0]]}]}
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        iteration = iteration_data(next(trace(config_from_data(data))))
    text = json.dumps(iteration, allow_nan=False)  # strict JSON: raises on NaN or infinity
    assert iteration["samples"][0]["layers"][1]["z"] == [1.0, 0.0]
    assert "NaN" not in text


def test_relu_kink_counts_tiny_preactivations_as_zero():
    # 0.1 + 0.2 − 0.3 is 5.6e-17 in floating point; on paper it is 0, and ReLU'(0) = 0.
    data = {"x": [0.1, 0.2, 1.0], "y": [1.0], "alpha": 0.1,
            "layers": [{"activation": "relu", "weights": [[1.0, 1.0, -0.3]]},
                       {"activation": "identity", "weights": [[1.0]]}]}
    iteration = iteration_data(next(trace(config_from_data(data))))
    hidden = iteration["samples"][0]["layers"][0]
    assert hidden["z"] == [0.0]
    assert hidden["dJ_dp"] == [0.0]
    assert iteration["layers"][0]["dJ_dweights"] == [[0.0, 0.0, 0.0]]
