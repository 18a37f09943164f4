"""bptrace gradcheck: backpropagation against central differences, the kink warning, the exit codes.

The central differences are checked against the independent forward pass of test_training.py (the
activations and losses of tests/reference.py), and the check is shown to fail for the right reason when
backpropagation is made wrong on purpose.
"""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pytest
import reference
import yaml
from conftest import CONFIGS, run_cli
from hypothesis import assume, given, settings
from test_training import TRAINING

from backprop_cli.config.read import config_from_data, load_config
from backprop_cli.engine import activations
from backprop_cli.engine.gradcheck import gradcheck
from backprop_cli.errors import ExitStatus

SHIPPED = sorted(CONFIGS.glob("*.yaml"))

KINK = """title: A hidden neuron on its kink
x: [1, 1]
y: [0, 1]
alpha: 0.1
layers:
  - name: hid
    activation: {activation}
    weights: [[0.5, -0.5], [0.3, 0.2]]
  - name: out
    activation: sigmoid
    weights: [[-1.40, 0.57], [-0.81, -0.32]]
"""


@pytest.mark.slow
@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_config_passes(path):
    result = run_cli("gradcheck", str(path))
    assert result.exit_code == ExitStatus.SUCCESS, result.stdout + result.stderr
    assert "gradients agree with their central differences" in result.stdout
    assert "!" not in result.stdout  # no kink warning
    document = json.loads(run_cli("gradcheck", str(path), "--format", "json").stdout)
    assert document["agree"] is True and document["kinks"] == []
    assert len(document["parameters"]) == sum(layer.parameters for layer in load_config(str(path)).layers)


def test_the_table_writes_every_minus_sign_as_the_other_tables_do():
    """A true minus sign, in an exponent too (2.9e−10, ε = 1e−06), as the run's tables write 1e−08."""
    text = run_cli("gradcheck", str(CONFIGS / "handout.yaml")).stdout
    exponents = re.findall(r"\d+e([−+-])\d\d", text)
    assert len(exponents) > 8 and "−" in exponents and "-" not in exponents, text
    assert not re.search(r"(?<![\w(])-\d", text), text  # no hyphen before a number either


def test_a_neuron_on_the_relu_kink_is_named_and_the_check_fails_with_3(write_config):
    """p of n1[hid] = 0.5 − 0.5 = 0: backpropagation takes ReLU'(0) = 0, the central difference half the slope."""
    result = run_cli("gradcheck", write_config(KINK.format(activation="relu")))
    assert result.exit_code == ExitStatus.CHECK_FAILED == 3
    out = " ".join(result.stdout.split())
    assert "n1[hid] has p = 0, within reach of the kink of its ReLU" in out
    assert "ReLU'(0) = 0" in out
    assert ("2 of 8 gradients differ from their central differences at a ReLU kink (see above): "
            "Θ_11[hid], Θ_12[hid].") in out
    for row in result.stdout.splitlines():
        if row.startswith(("│ Θ_11[hid]", "│ Θ_12[hid]")):
            assert "differs (kink)" in row
        elif row.startswith("│ Θ_"):
            assert "│ ok" in row
    document = json.loads(run_cli("gradcheck", write_config(KINK.format(activation="relu")), "-f", "json").stdout)
    assert document["agree"] is False
    assert [(k["layer"], k["neuron"], k["p"]) for k in document["kinks"]] == [("hid", 0, 0.0)]
    wrong = [(p["layer"], p["index"]) for p in document["parameters"] if not p["agree"]]
    assert wrong == [("hid", [0, 0]), ("hid", [0, 1])]


def test_a_leaky_relu_kink_is_named_with_its_slope(write_config):
    result = run_cli("gradcheck", write_config(KINK.format(activation="leaky_relu")))
    assert result.exit_code == 3
    out = " ".join(result.stdout.split())
    assert "n1[hid] has p = 0" in out and "LReLU'(0) = 0.01" in out


def test_a_neuron_a_nudge_carries_across_the_kink_is_named(write_config):
    """p = 3e-7 is not within ε = 1e-6 of the kink, but a nudge of ε to a weight times x = 1 crosses it."""
    text = KINK.format(activation="relu").replace("[[0.5, -0.5]", "[[0.5, -0.4999997]")
    document = json.loads(run_cli("gradcheck", write_config(text), "-f", "json").stdout)
    assert [(k["layer"], k["neuron"]) for k in document["kinks"]] == [("hid", 0)]
    assert document["kinks"][0]["p"] == pytest.approx(3e-7, rel=1e-6)


def test_a_wrong_derivative_is_caught(monkeypatch):
    """Backpropagation made wrong on purpose (σ' off by 1 %): the check must fail, naming the weights."""
    sigmoid = activations.ACTIVATIONS["sigmoid"]
    wrong = dataclasses.replace(sigmoid, derivative=lambda p: 1.01 * sigmoid.derivative(p))
    monkeypatch.setitem(activations.ACTIVATIONS, "sigmoid", wrong)
    result = gradcheck(load_config(str(CONFIGS / "handout.yaml")))
    assert not result.agree
    assert {(c.layer, c.index) for c in result.differing} == {(0, (0, 0)), (0, (0, 1)), (1, (0, 0)), (1, (1, 0))}
    assert not result.kinks


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(TRAINING)
def test_central_differences_equal_an_independent_forward_pass(data):
    """Random networks, several samples, mean or sum: gradcheck's numbers are central differences of the
    J of tests/reference.py, and backpropagation agrees with them (no kink nearby)."""
    config = config_from_data(data)
    result = gradcheck(config)
    indices = list(result.samples)
    weights = [l.weights for l in config.layers]
    biases = [l.bias for l in config.layers]
    x, y = config.x[indices], config.y[indices]
    assume(reference.away_from_kinks(data, weights, biases, x))
    assume(abs(result.loss) < 1e6)
    grads_w, grads_b = zip(*reference.parameter_gradients(data, weights, biases, x, y))
    atol = 1e-6 + 1e-8 * abs(result.loss)
    for check in result.checks:
        expected = grads_w[check.layer][check.index] if check.kind == "weight" else np.asarray(
            grads_b[check.layer])[check.index]
        assert check.numerical == pytest.approx(float(expected), rel=1e-5, abs=atol)
    assert result.agree, [c for c in result.checks if not c.agree]
    assert not result.kinks


def test_backprop_column_is_the_gradient_of_run_exact():
    handout = str(CONFIGS / "handout.yaml")
    trace = json.loads(run_cli("run", handout, "--exact", "--format", "json").stdout)
    check = json.loads(run_cli("gradcheck", handout, "--format", "json").stdout)
    expected = [w for layer in trace["iterations"][0]["layers"] for w in np.ravel(layer["dJ_dweights"]).tolist()]
    assert [p["backprop"] for p in check["parameters"]] == expected


def test_hand_rounding_is_ignored_with_a_note():
    result = run_cli("gradcheck", str(CONFIGS / "handout.yaml"))
    out = " ".join(result.stdout.split())
    assert "The config asks for hand rounding to 2; the check computes in full precision" in out
    assert "0.06168392778" in out  # ∂J/∂Θ_11[hid] in full, not the handout's 0.06


def test_first_update_of_a_training_run_is_checked(write_config):
    data = yaml.safe_load((CONFIGS / "xor.yaml").read_text(encoding="utf-8"))
    data["batch_size"] = 3
    document = json.loads(run_cli("gradcheck", write_config(yaml.safe_dump(data)), "-f", "json").stdout)
    assert document["samples"] == [0, 1, 2] and document["agree"] is True


@pytest.mark.parametrize("args, message", [
    (("--eps", "0"), "0 is not in the range"),
    (("--eps", "nan"), "not in the range"),
    (("--format", "csv"), "'csv' is not one of"),
])
def test_bad_options_exit_2(args, message):
    result = run_cli("gradcheck", str(CONFIGS / "handout.yaml"), *args)
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""


def test_a_bad_config_exits_2_with_one_line(write_config):
    result = run_cli("gradcheck", write_config("x: [1]\ny: [1]\nalpha: 0.1\nlayers: []\n"))
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "layers: expected a non-empty list" in result.stderr


def test_a_loss_too_large_for_floating_point_is_a_clear_error(write_config):
    path = write_config("x: [1000]\ny: [0]\nalpha: 1\nlayers:\n  - activation: identity\n    weights: [[1e300]]\n")
    result = run_cli("gradcheck", path)
    assert result.exit_code == 2 and result.stdout == ""
    assert "not a finite number" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(f"bptrace: error: {path}: the loss")
