"""Every gradient in the JSON trace agrees with central finite differences of the loss.

The reference (tests/reference.py) is written independently of the engine: its own forward pass,
activations and losses, differentiated numerically. Hypothesis draws random networks: depth
1-4, widths 1-6, every element-wise activation and every squared-error loss, biases per neuron, shared
or none; and the same networks ending in a softmax layer, whose squared-error gradient goes through the
full softmax Jacobian (cross-entropy on softmax, the fused form, is checked in test_softmax.py).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from reference import (
    away_from_kinks,
    forward,
    node_gradient,
    parameter_gradients,
    parameters,
    total_loss,
)
from strategies import networks, squared

from backprop_cli.config.read import config_from_data
from backprop_cli.engine.backprop import trace
from backprop_cli.render.json import iteration_data

# One sample, depth 1-4, widths 1-6: every element-wise activation with every squared error, or a softmax output.
ANY = networks(depth=(1, 4), width=(1, 6))
SOFTMAX = networks(squared(["softmax"]), depth=(1, 4), width=(1, 6))


def assert_close(actual, expected, what: str, atol: float = 1e-6) -> None:
    np.testing.assert_allclose(np.array(actual, dtype=float), np.array(expected, dtype=float),
                               rtol=1e-5, atol=atol, err_msg=what)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY)
def test_every_gradient_in_the_json_matches_finite_differences(data):
    check_against_finite_differences(data)


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SOFTMAX)
def test_softmax_output_with_squared_errors_matches_finite_differences(data):
    """sse, half_sse and mse on softmax outputs: ∂J/∂p is the Jacobian product z ⊙ (∂J/∂z − (∂J/∂z · z))."""
    check_against_finite_differences(data)


def check_against_finite_differences(data: dict) -> None:
    assume(away_from_kinks(data))
    weights, biases = parameters(data)
    ps, _ = forward(data, weights, biases, data["x"])
    loss = total_loss(data, weights, biases)
    config = config_from_data(data)
    iteration = json.loads(json.dumps(iteration_data(next(trace(config)))))  # exactly what --format json holds
    assert_close(iteration["loss"], loss, "loss")
    sample = iteration["samples"][0]
    assert_close(sample["loss"], loss, "sample loss")
    numeric = parameter_gradients(data)
    # A central difference of J loses about |J|·2⁻⁵²/eps ≈ 2e-10·|J| to rounding: a gradient smaller than
    # that (a weight of 1e-9 in a network whose J is 4624) reads as 0, which is no error of the engine.
    numeric_atol = 1e-6 + 1e-9 * abs(loss)
    for i, ((dw, db), layer, passed) in enumerate(zip(numeric, iteration["layers"], sample["layers"])):
        assert_close(layer["dJ_dweights"], dw, f"layer {i} dJ_dweights", numeric_atol)
        assert_close(passed["dJ_dp"], node_gradient(data, 0, i, "p"), f"layer {i} dJ_dp", numeric_atol)
        assert_close(passed["dJ_dz"], node_gradient(data, 0, i, "z"), f"layer {i} dJ_dz", numeric_atol)
        assert_close(passed["p"], ps[i][0], f"layer {i} p")
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


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(ANY)
def test_loss_after_is_the_loss_of_the_new_parameters(data):
    iteration = iteration_data(next(trace(config_from_data(data))))
    weights = [np.array(l["new_weights"]) for l in iteration["layers"]]
    biases = [None if l["new_bias"] is None else np.array(l["new_bias"]) for l in iteration["layers"]]
    assert_close(iteration["loss_after"], total_loss(data, weights, biases), "loss_after")


def test_saturated_activations_stay_finite_without_warnings():
    data = {"x": [1000.0, -1000.0], "y": [0.0, 1.0], "alpha": 0.1,
            "layers": [{"activation": "tanh", "weights": [[1.0, 0.0], [0.0, 1.0]]},
                       {"activation": "sigmoid", "weights": [[1000.0, 0.0], [0.0, 1000.0]]}]}
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        iteration = iteration_data(next(trace(config_from_data(data))))
    json.dumps(iteration, allow_nan=False)  # strict JSON: raises on NaN or infinity
    assert iteration["samples"][0]["layers"][1]["z"] == [1.0, 0.0]


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
