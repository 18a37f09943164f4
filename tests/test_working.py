"""--working: the intermediate values of every step, checked against an independent computation, and the
JSON trace's dg_dp; the outputs after training; a diverging run shows its epochs before the error."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
import yaml
from conftest import CONFIGS, run_cli
from hypothesis import HealthCheck, given, settings
from reference import derivative, forward, parameters, rows
from strategies import networks, squared

from backprop_cli.config.read import config_from_data
from backprop_cli.engine.backprop import trace
from backprop_cli.render.json import iteration_data

HANDOUT = CONFIGS / "handout.yaml"


def sigmoid(p: float) -> float:
    return 1 / (1 + math.exp(-p))


def text(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}".replace("-", "−")


def working(path=HANDOUT, *args: str) -> str:
    result = run_cli("run", str(path), "--working", "--no-color", *args, env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.stderr
    return result.stdout


def cells(out: str, label: str) -> list[str]:
    """The cells of the first row of ``label`` after the first heading that follows ``after``."""
    line = next(line for line in out.splitlines() if line.startswith(f"│ {label} "))
    return [cell.strip() for cell in line.strip("│").split("│")]


def test_the_weights_before_the_update_as_the_config_writes_them():
    out = working()
    assert "Θ[hid] before the update" in out and "Θ[out] before the update" in out
    block = out[out.index("Θ[out] before the update"):out.index("Forward pass")]
    assert cells(block, "n1[out]") == ["n1[out]", "−1.40", "0.57"]  # row 1 = neuron 1, column t = input t
    assert cells(block, "n2[out]") == ["n2[out]", "−0.81", "−0.32"]


def test_each_p_as_its_sum_with_numbers():
    out = working()
    forward_pass = out[out.index("Forward pass"):out.index("\nJ(Θ) =")]
    assert cells(forward_pass, "n1[hid]")[1:3] == ["0.40 · 1 + 0.21 · 1", text(0.40 + 0.21, 2)]
    assert cells(forward_pass, "n2[hid]")[1:3] == ["−0.50 · 1 + (−0.14) · 1", text(-0.50 - 0.14, 2)]
    # the output layer multiplies the hidden layer's rounded z: 0.61 and 0.00
    assert cells(forward_pass, "n1[out]")[1:3] == ["−1.40 · 0.61 + 0.57 · 0.00", text(-1.40 * 0.61, 2)]


def test_each_derivative_factor_and_dJ_dp_with_its_value():
    out = working()
    block = out[out.index("∂J/∂p = ∂J/∂z · g'(p) in the output layer 'out'"):]
    for label, p, dz in (("n1[out]", -0.85, 0.60), ("n2[out]", -0.49, -1.24)):
        factor = sigmoid(p) * (1 - sigmoid(p))  # g'(p) on the rounded p, not rounded itself
        assert cells(block, label)[1:] == [f"σ({text(p, 2)})·(1 − σ({text(p, 2)}))", text(factor, 4),
                                           f"{text(dz, 2)} · {text(factor, 4)}", text(dz * factor, 4)]
    hidden = out[out.index("∂J/∂p = ∂J/∂z · g'(p) in the hidden layer 'hid'"):]
    assert cells(hidden, "n2[hid]")[1:] == ["ReLU'(−0.64)", "0.00", "0.17 · 0.00", "0.00"]


@pytest.mark.slow
def test_the_working_is_off_by_default_and_in_step_mode_when_asked():
    plain = run_cli("run", str(HANDOUT), "--no-color").stdout
    assert "g'(p) with numbers" not in plain and "0.40 · 1" not in plain  # no sums of p, no g'(p)
    assert "Θ[hid] before the update" in plain  # but the weights, above the forward pass
    stepped = run_cli("run", str(HANDOUT), "--step", "--working", "--no-color", input="a\n")
    assert stepped.exit_code == 0
    assert stepped.stdout == run_cli("run", str(HANDOUT), "--working", "--no-color").stdout  # every phase, alike
    assert stepped.stderr.splitlines()[0].startswith("Forward pass — 1 of 6")


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(squared()))
def test_the_trace_carries_each_neurons_derivative_factor(data):
    config = config_from_data(data)
    iteration = json.loads(json.dumps(iteration_data(next(trace(config)))))
    weights, biases = parameters(data)
    ps, _ = forward(data, weights, biases, rows(data["x"])[:len(iteration["samples"])])
    for s, sample in enumerate(iteration["samples"]):
        for i, (layer, spec) in enumerate(zip(sample["layers"], data["layers"])):
            expected = [derivative(spec["activation"], float(p), spec.get("negative_slope", 0.01)) for p in ps[i][s]]
            assert layer["dg_dp"] == pytest.approx(expected, rel=1e-9, abs=1e-12)
            assert layer["dJ_dp"] == pytest.approx(np.array(layer["dJ_dz"]) * np.array(expected), rel=1e-9, abs=1e-12)


def test_a_softmax_layer_has_no_derivative_factor_in_the_trace():
    trace_ = json.loads(run_cli("run", str(CONFIGS / "softmax.yaml"), "--format", "json").stdout)
    assert trace_["iterations"][0]["samples"][0]["layers"][-1]["dg_dp"] is None


@pytest.mark.slow
def test_outputs_after_training_are_the_trained_networks():
    xor = yaml.safe_load((CONFIGS / "xor.yaml").read_text(encoding="utf-8"))
    out = run_cli("run", str(CONFIGS / "xor.yaml"), "--no-color", env={"COLUMNS": "100"}).stdout
    last = json.loads(run_cli("run", str(CONFIGS / "xor.yaml"), "--format", "jsonl").stdout.splitlines()[-1])
    weights = [np.array(layer["new_weights"]) for layer in last["layers"]]
    biases = [np.array(layer["new_bias"]) for layer in last["layers"]]
    _, zs = forward(xor, weights, biases, rows(xor["x"]))
    table = out[out.index("Outputs after training"):]
    for s, (x, y) in enumerate(zip(xor["x"], xor["y"])):
        shown = re.search(rf"│ {s + 1} +│ \(([^)]*)\) +│ \(([^)]*)\) +│ \(([^)]*)\) +│", table).groups()
        assert shown == (", ".join(map(str, x)), ", ".join(map(str, y)), text(zs[-1][s][0], 4))
    assert float(shown[2]) < 0.1 and text(zs[-1][1][0], 4) > "0.9"  # XOR's truth table, learnt


def test_a_diverging_run_shows_its_epochs_before_the_error():
    data = {"x": [[1, 2], [3, 4]], "y": [[1], [0]], "alpha": 100, "epochs": 50,
            "layers": [{"activation": "identity", "weights": [[1.0, 2.0]]}]}
    result = run_cli("run", "-", "--no-color", input=yaml.safe_dump(data))
    assert result.exit_code == 2
    assert "diverged" in result.stderr and len(result.stderr.splitlines()) == 1
    listed = [int(e.replace(",", "")) for e in re.findall(r"^│ +([\d,]+) │", result.stdout, re.MULTILINE)]
    stopped = int(re.search(r"The run stopped in epoch ([\d,]+)", result.stdout).group(1).replace(",", ""))
    assert listed[:3] == [1, 2, 3] and listed[-1] == stopped - 1
    assert "Weights after" not in result.stdout  # the trained weights are the diverged ones: not shown


def _derivative_rows(text: str) -> dict[str, list[str]]:
    """The rows of the output layer's g'(p) table of --working: neuron → its cells."""
    block = text[text.index("∂J/∂p = ∂J/∂z · g'(p) in the output layer"):]
    block = block[:block.index("└")]
    return {cells[0]: cells[1:] for line in block.splitlines() if line.startswith("│")
            for cells in [[c.strip() for c in line.strip("│").split("│")]]}


@pytest.mark.parametrize(("precision", "factor", "dJ_dp", "new"), [
    (None, "0.2098", "0.1259", "−1.4077"), ("2", "0.21", "0.13", "−1.41"), ("3", "0.21", "0.126", "−1.408")])
def test_working_says_which_values_hand_rounding_leaves_alone_and_precision_sets_their_digits(
        precision, factor, dJ_dp, new):
    """With hand rounding 2 the results keep 2 decimals (0.60, 0.077); g'(p) and ∂J/∂p, which the hand
    calculation keeps inside its products, and the new parameters are written to --precision decimals (4 by
    default; trailing zeros dropped, as for every parameter), and the table says that they are not rounded."""
    args = ("run", str(CONFIGS / "handout.yaml"), "--working") + (("--precision", precision) if precision else ())
    result = run_cli(*args)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "g'(p) and ∂J/∂p are not rounded by hand" in " ".join(text.split())
    row = _derivative_rows(text)["n1[out]"]
    assert row == ["σ(−0.85)·(1 − σ(−0.85))", factor, f"0.60 · {factor}", dJ_dp], row
    assert re.search(rf"Θ_11\[out\] │ −1\.40 − 0\.1 · 0\.077 +│ +{new} ", text), text[text.index("Step 5)"):][:600]


def test_an_exact_run_has_no_note_on_rounding_and_precision_below_the_hand_rounding_is_refused():
    exact = run_cli("run", str(CONFIGS / "handout.yaml"), "--working", "--exact").stdout
    assert "are not rounded by hand" not in exact and _derivative_rows(exact)["n1[out]"][1] == "0.2094"
    refused = run_cli("run", str(CONFIGS / "handout.yaml"), "--precision", "1")
    assert refused.exit_code == 2
    assert "--precision 1 changes nothing with hand rounding to 2" in refused.stderr
