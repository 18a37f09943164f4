"""Classification outputs: softmax with cross-entropy, sigmoid with binary cross-entropy.

The finite-difference reference here is written independently of the engine: a plain forward pass
with the activations of tests/reference.py (softmax as e^p / Σ e^p; 1 − z summed from its parts), the
losses as −Σ y·log z, and central differences of the loss over all samples. It stays on moderate
numbers, where that plain form is accurate; the saturation tests cover the extremes, where only the
engine's exact forms (log-sum-exp, log(1 + e^p)) can be right.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from conftest import CONFIGS, check_golden, run_cli
from hypothesis import HealthCheck, assume, example, given, settings
from reference import (
    away_from_kinks,
    node_gradient,
    parameter_gradients,
    parameters,
    rows,
    sample_losses,
    total_loss,
)
from strategies import networks

from backprop_cli.config.read import config_from_data, load_config
from backprop_cli.engine.backprop import trace
from backprop_cli.errors import ConfigError
from backprop_cli.render.json import iteration_data

# (output activation, loss): the pairs with an exact form
OUTPUTS = [("softmax", "cross_entropy"), ("sigmoid", "cross_entropy"), ("sigmoid", "bce"), ("softmax", "bce")]
HIDDEN = ["identity", "relu", "leaky_relu", "sigmoid", "tanh"]


def classifiers(samples=(1, 1)):
    return networks(OUTPUTS, hidden=HIDDEN, depth=(1, 3), width=(1, 4), samples=samples, slopes=(0.1,), alphas=(0.1,))


def close(actual, expected, what: str) -> None:
    np.testing.assert_allclose(np.array(actual, dtype=float), np.array(expected, dtype=float),
                               rtol=1e-5, atol=1e-6, err_msg=what)


def check_against_finite_differences(data: dict) -> None:
    assume(away_from_kinks(data))
    iteration = json.loads(json.dumps(iteration_data(next(trace(config_from_data(data)))), allow_nan=False))
    weights, biases = parameters(data)
    close(iteration["loss"], total_loss(data, weights, biases), "loss")
    for (dw, db), layer in zip(parameter_gradients(data), iteration["layers"]):
        close(layer["dJ_dweights"], dw, f"{layer['name']} dJ_dweights")
        if db is not None:
            close(layer["dJ_dbias"], db, f"{layer['name']} dJ_dbias")
    last = len(data["layers"]) - 1
    for s, sample in enumerate(iteration["samples"]):
        x, y = rows(data["x"])[s], rows(data["y"])[s]
        close(sample["loss"], sample_losses(data, weights, biases, x, y)[0], f"sample {s} loss")
        close(sample["layers"][-1]["dJ_dp"], node_gradient(data, s, last, "p"), f"sample {s} output dJ_dp")


@pytest.mark.slow
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(classifiers())
@example({"x": [0.0], "y": [0.0, 0.0, 0.0, 0.0], "alpha": 0.1, "loss": "bce",  # p = (0, 0, 12, 0): 1 − z_3 ≈ 2e−5
          "layers": [{"activation": "softmax", "weights": [[0.0], [0.0], [0.0], [0.0]],
                      "bias": [0.0, 0.0, 12.0, 0.0]}]})
def test_one_sample_matches_finite_differences(data):
    check_against_finite_differences(data)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(classifiers(samples=(2, 4)))
def test_batches_match_finite_differences(data):
    check_against_finite_differences(data)


# A softmax example checked by hand ----------------------------------------------------------------

def test_softmax_example_by_hand():
    """configs/softmax.yaml, worked on paper.

    hid: p = (0.5·1 − 0.2·0.5, 0.3·1 + 0.8·0.5) = (0.4, 0.7), ReLU keeps both.
    out: p = (0.6·0.4 − 0.4·0.7, 0.2·0.4 + 0.9·0.7, −0.5·0.4 + 0.3·0.7) = (−0.04, 0.71, 0.01)
    e^p = (0.9607894, 2.0339913, 1.0100502), Σ = 4.0048309, so z = (0.2399076, 0.5078844, 0.2522079);
    J = −log 0.5078844 = 0.6775013.  ∂J/∂p = z − y = (0.2399076, −0.4921156, 0.2522079).
    ∂J/∂Θ_21[out] = −0.4921156 · 0.4 = −0.1968462.
    ∂J/∂z[hid] = (0.6·0.2399076 + 0.2·(−0.4921156) − 0.5·0.2522079,
                  −0.4·0.2399076 + 0.9·(−0.4921156) + 0.3·0.2522079) = (−0.0805825, −0.4632047).
    """
    it = iteration_data(next(trace(load_config(str(CONFIGS / "softmax.yaml")))))
    hid, out = it["samples"][0]["layers"]
    assert hid["p"] == pytest.approx([0.4, 0.7])
    assert out["p"] == pytest.approx([-0.04, 0.71, 0.01])
    assert out["z"] == pytest.approx([0.2399076, 0.5078844, 0.2522079], abs=1e-7)
    assert sum(out["z"]) == pytest.approx(1.0)
    assert it["loss"] == pytest.approx(0.6775013, abs=1e-7)
    assert out["dJ_dp"] == pytest.approx([0.2399076, -0.4921156, 0.2522079], abs=1e-7)
    assert it["layers"][1]["dJ_dweights"][1][0] == pytest.approx(-0.1968462, abs=1e-7)
    assert hid["dJ_dz"] == pytest.approx([-0.0805825, -0.4632047], abs=1e-7)
    assert it["layers"][1]["new_weights"][1][0] == pytest.approx(0.2 + 0.1 * 0.1968462, abs=1e-7)


def test_softmax_table_shows_the_long_form_and_its_simplification():
    out = run_cli("run", str(CONFIGS / "softmax.yaml"), "--no-color").stdout
    assert "∂J/∂p_k = Σ_j ∂J/∂z_j · z_j·(δ_jk − z_k) = z_k − y_k" in out
    # n2[out]: the sum over j with its numbers, and the short form beside it
    assert "[−1.969 · 0.508·(1 − 0.508)]" in out
    assert "0.508 − 1" in out and "−0.492" in out
    assert "∂J/∂z_t[hid] = Σ_k ∂J/∂p_k[out] · Θ_kt[out]" in out
    assert "∂J/∂Θ_kt[out] = ∂J/∂p_k · z_t[hid]" in out


def test_bce_table_shows_the_chain_and_z_minus_y():
    out = run_cli("run", str(CONFIGS / "bce.yaml"), "--no-color").stdout
    assert "(0.30 − 0) / (0.30 · (1 − 0.30))" in out  # ∂J/∂z_1, from the rounded z as on paper
    assert "1.43 · σ(−0.85)·(1 − σ(−0.85))" in out
    assert "= z_k − y_k" in out and "0.30 − 0" in out
    # J from the rounded z: −(log(1 − 0.30) + log 0.38) = 0.3567 + 0.9676
    assert "= 1.32" in out


def test_sums_other_than_one_keep_the_general_short_form():
    data = {"x": [1.0], "y": [1.0, 1.0, 0.0], "alpha": 0.1, "loss": "cross_entropy",
            "layers": [{"activation": "softmax", "weights": [[0.5], [-0.5], [0.0]]}]}
    it = iteration_data(next(trace(config_from_data(data))))
    z = np.array(it["samples"][0]["layers"][0]["z"])
    close(it["samples"][0]["layers"][0]["dJ_dp"], 2 * z - np.array(data["y"]), "z · Σy − y")


def test_golden_softmax_table():
    result = run_cli("run", str(CONFIGS / "softmax.yaml"), "--no-color", env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.stderr
    assert all(len(line) <= 100 for line in result.stdout.splitlines())
    check_golden("softmax.txt", result.stdout)


# Saturation ----------------------------------------------------------------------------------------

def saturated(loss: str, output: str, scale: float, y: list) -> dict:
    """One input of 1 and an output layer whose p are ±scale (and 0 for a third output)."""
    width = len(y)
    column = [scale, -scale, 0.0][:width]
    return {"x": [1.0], "y": y, "alpha": 0.1, "loss": loss,
            "layers": [{"name": "hid", "activation": "identity", "weights": [[1.0]]},
                       {"name": "out", "activation": output, "weights": [[c] for c in column]}]}


def run_strict(data: dict, hand_rounding: int | None = None) -> dict:
    """One iteration, with any overflow or invalid operation an error, through strict JSON."""
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        it = iteration_data(next(trace(config_from_data(data), hand_rounding=hand_rounding)))
    return json.loads(json.dumps(it, allow_nan=False))


@pytest.mark.parametrize("hand_rounding", [None, 2])
def test_softmax_of_900_with_cross_entropy_is_exact(hand_rounding):
    # p = (900, −900, 0): z = (1, 0, 0) in floating point; log z_2 = −900 − log(e^900 + e^−900 + 1) = −1800.
    it = run_strict(saturated("cross_entropy", "softmax", 900.0, [0.0, 1.0, 0.0]), hand_rounding)
    out = it["samples"][0]["layers"][1]
    assert out["z"] == [1.0, 0.0, 0.0]
    assert it["loss"] == pytest.approx(1800.0)
    assert out["dJ_dp"] == [1.0, -1.0, 0.0]  # z − y, not the clipped −y/z times z = 0
    assert it["samples"][0]["layers"][0]["dJ_dz"] == [pytest.approx(1800.0)]  # 1·900 + (−1)·(−900)
    assert math.isfinite(out["dJ_dz"][1]) and out["dJ_dz"][1] < -1e300  # −1/z, with z no smaller than 2.2e−308
    assert math.isfinite(it["loss_after"])


@pytest.mark.parametrize("loss, y, expected, gradient", [
    ("bce", [0.0, 1.0], 1600.0, [1.0, -1.0]),  # log(1 − σ(800)) = −800, log σ(−800) = −800
    ("bce", [1.0, 0.0], 0.0, [0.0, 0.0]),
    ("cross_entropy", [0.0, 1.0], 800.0, [0.0, -1.0]),
])
@pytest.mark.parametrize("hand_rounding", [None, 2])
def test_sigmoid_of_800_is_exact(loss, y, expected, gradient, hand_rounding):
    it = run_strict(saturated(loss, "sigmoid", 800.0, y), hand_rounding)
    out = it["samples"][0]["layers"][1]
    assert out["z"] == [1.0, 0.0]
    assert it["loss"] == pytest.approx(expected, abs=1e-12)
    assert out["dJ_dp"] == pytest.approx(gradient, abs=1e-12)


def test_a_sigmoid_of_40_already_needs_the_exact_form():
    # σ(40) is 1.0 in floating point: log(1 − z) from z would be log 0; the true J is log(1 + e^40) ≈ 40.
    it = run_strict(saturated("bce", "sigmoid", 40.0, [0.0, 1.0]))
    assert it["samples"][0]["layers"][1]["z"][0] == 1.0
    assert it["loss"] == pytest.approx(80.0)


def test_bce_on_saturated_softmax_is_exact():
    # p = (900, −900, 0), y = (0, 1, 0): −log(1 − z_1) = 900, −log z_2 = 1800, −log(1 − z_3) ≈ 0.
    it = run_strict(saturated("bce", "softmax", 900.0, [0.0, 1.0, 0.0]))
    out = it["samples"][0]["layers"][1]
    assert it["loss"] == pytest.approx(2700.0)
    assert out["dJ_dp"] == pytest.approx([2.0, -1.0, -1.0])
    assert sum(out["dJ_dp"]) == pytest.approx(0.0, abs=1e-12)  # softmax ignores a shift of every p


def test_saturated_run_prints_strict_json_and_a_table():
    text = json.dumps(saturated("cross_entropy", "softmax", 900.0, [0.0, 1.0, 0.0]))
    result = run_cli("run", "-", "--format", "json", input=text)
    assert result.exit_code == 0, result.stderr

    def refuse(token):
        raise AssertionError(f"{token} in the JSON output")

    json.loads(result.stdout, parse_constant=refuse)
    result = run_cli("run", "-", "--no-color", "--hand-rounding", "2", input=text)
    assert result.exit_code == 0, result.stderr
    assert "−4.49e+307" in result.stdout  # −1/z at the clip, in powers of ten rather than 308 digits
    assert "= 1800" in result.stdout


# What the config refuses ---------------------------------------------------------------------------

def classification_config(loss: str, output: str, width: int = 2, y=None) -> dict:
    return {"x": [1.0], "y": y if y is not None else [0.0, 1.0][:width] + [0.0] * (width - 2),
            "alpha": 0.1, "loss": loss,
            "layers": [{"activation": "relu", "weights": [[1.0]]},
                       {"activation": output, "weights": [[0.5]] * width}]}


@pytest.mark.parametrize("loss, output, words", [
    ("bce", "tanh", "negative"),
    ("cross_entropy", "tanh", "negative"),
    ("bce", "relu", "0"),
    ("cross_entropy", "identity", "negative"),
    ("cross_entropy", "leaky_relu", "negative"),
])
def test_logs_of_outputs_that_are_not_probabilities_are_refused(loss, output, words):
    with pytest.raises(ConfigError) as caught:
        config_from_data(classification_config(loss, output))
    message = str(caught.value)
    assert message.startswith("<config>: loss: ")
    assert "log" in message and f"not {output}" in message and words in message


def test_bce_on_a_single_softmax_output_is_refused():
    with pytest.raises(ConfigError, match=r"always 1, so log\(1 − z\) = log 0"):
        config_from_data(classification_config("bce", "softmax", width=1, y=[1.0]))


def test_softmax_in_a_hidden_layer_is_refused_with_exit_code_2(write_config):
    text = (CONFIGS / "softmax.yaml").read_text(encoding="utf-8").replace("activation: relu", "activation: softmax")
    result = run_cli("run", write_config(text))
    assert result.exit_code == 2
    assert "layers[0].activation: softmax is only allowed in the last layer" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_targets_outside_zero_to_one_are_refused():
    with pytest.raises(ConfigError, match=r"y: expected probabilities between 0 and 1"):
        config_from_data(classification_config("cross_entropy", "softmax", y=[-0.5, 1.5]))


@pytest.mark.parametrize("loss, output", [("cross_entropy", "sigmoid"), ("half_sse", "softmax"), ("mse", "softmax")])
def test_other_sound_combinations_work(loss, output):
    it = run_strict(classification_config(loss, output))
    assert math.isfinite(it["loss"])


def test_templates_include_the_classification_configs():
    names = run_cli("init", "--list").stdout.split()
    assert {"softmax", "bce"} <= set(names)
    assert run_cli("init", "softmax").stdout == (CONFIGS / "softmax.yaml").read_text(encoding="utf-8")


def test_final_loss_of_a_training_run_uses_the_exact_form(write_config):
    # A saturated softmax: z underflows to 0 for the true class, so only the form from p gives J = 1800.
    path = write_config("x: [1, 1]\ny: [1, 0, 0]\nalpha: 0.0\nloss: cross_entropy\nepochs: 2\nlayers:\n"
                        "  - activation: softmax\n    weights: [[-450, -450], [450, 450], [0, 0]]\n")
    result = run_cli("run", path, "--no-color")
    assert result.exit_code == 0, result.stderr
    assert "J after training = 1800.0000" in result.stdout
