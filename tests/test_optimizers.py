"""Optimizers (momentum, nesterov, rmsprop, adam, weight decay): the updates against torch.optim's rules.

The reference is tests/reference.py's TorchOptimizer, written number by number from the algorithm boxes of
PyTorch's documentation and sharing nothing with backprop_cli/optimizers.py. It keeps its own parameters
and state from the config on; only the gradients come from the engine (they are checked against finite
differences in test_gradients.py and test_training.py).
"""

from __future__ import annotations

import json
import math
import re

import jsonschema
import numpy as np
import pytest
import reference
import yaml
from conftest import CONFIGS, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from test_training import TRAINING

from backprop_cli.config.read import config_from_data
from backprop_cli.engine.backprop import trace
from backprop_cli.engine.optimizers import OPTIMIZERS
from backprop_cli.engine.rounding import Rounding, hand_round_value
from backprop_cli.errors import ExitStatus
from backprop_cli.schemas import load_schema

NAMES = ["sgd", "momentum", "nesterov", "rmsprop", "adam"]
# The engine's state keys and the reference's names for them.
STATE_NAMES = {"velocity": "b", "square_avg": "square_avg", "m": "m", "v": "v", "t": "t"}
HANDOUT = CONFIGS / "handout.yaml"


@st.composite
def hyper_parameters(draw, name: str, decay: bool) -> dict:
    """Hyper-parameters of optimizer ``name``: PyTorch's defaults or drawn values, weight decay or none."""
    fraction = st.floats(0.0, 0.999).map(lambda v: round(v, 3))
    hyper = {}
    if name in ("momentum", "nesterov"):
        hyper["momentum"] = draw(st.sampled_from([0.9, 0.5]) | st.floats(0.01, 0.99))
    if name == "rmsprop":
        hyper["rho"] = draw(st.sampled_from([0.99]) | fraction)
    if name == "adam":
        hyper["beta1"] = draw(st.sampled_from([0.9]) | fraction)
        hyper["beta2"] = draw(st.sampled_from([0.999]) | fraction)
    if name in ("rmsprop", "adam"):
        hyper["eps"] = draw(st.sampled_from([1e-8, 1e-3, 0.5]))
    if decay:
        hyper["weight_decay"] = draw(st.sampled_from([0.01, 0.1, 1e-4]))
    return hyper


def _close(actual, expected, *scales) -> None:
    """Equal to 1e-12 relative to the largest magnitude involved (a difference of two numbers can cancel)."""
    a, e = np.ravel(np.asarray(actual, dtype=float)), np.ravel(np.asarray(expected, dtype=float))
    scale = np.maximum.reduce([np.abs(a), np.abs(e), *[np.abs(np.ravel(s)) for s in scales]])
    assert np.all(np.abs(a - e) <= 1e-12 * scale), (a, e)


def _flat(value) -> list[float]:
    return np.ravel(np.asarray(value, dtype=float)).tolist()


@pytest.mark.slow
@pytest.mark.parametrize("decay", [False, True], ids=["no-decay", "weight-decay"])
@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_every_update_equals_torch_optim_step_for_step(name, decay, data):
    """Random networks, 2-4 epochs of full batches or mini-batches, mean or sum, frozen biases or not:
    every update's new parameters and state equal the reference's to 1e-12 (5 optimizers × 2 × 30 cases)."""
    config_data = data.draw(TRAINING)
    config_data["epochs"] = data.draw(st.integers(2, 4))
    hyper = data.draw(hyper_parameters(name, decay))
    config_data["optimizer"] = {"name": name, **hyper}
    config = config_from_data(config_data)
    torch = reference.TorchOptimizer(name, config.alpha, **hyper)
    params = {}
    for i, layer in enumerate(config.layers):
        params[i, "weights"] = _flat(layer.weights)
        params[i, "bias"] = None if layer.bias is None else _flat(layer.bias)
    with np.errstate(all="ignore"):
        for it in trace(config):
            if not (math.isfinite(it.loss_after) and abs(it.loss) < 1e6):
                return  # diverging (α too large for these numbers): nothing precise left to compare
            for i, step in enumerate(it.layers):
                for which, value, grad, new in (("weights", step.weights, step.dJ_dweights, step.new_weights),
                                                ("bias", step.bias, step.dJ_dbias, step.new_bias)):
                    if value is None:
                        continue
                    _close(value, params[i, which])  # each update starts where the one before ended
                    if which == "bias" and not config.update_bias:
                        assert _flat(new) == _flat(value)
                        assert step.state is None or step.state.bias is None
                        continue
                    expected = torch.step((i, which), params[i, which], _flat(grad))
                    _close(new, expected, value)
                    params[i, which] = expected
                    _check_state(name, step.state, which, torch.state[i, which], grad)


def _check_state(name: str, state, which: str, expected: dict, grad) -> None:
    if not OPTIMIZERS[name].state:
        assert state is None  # plain gradient descent keeps nothing, with or without weight decay
        return
    mine = getattr(state, which)
    assert set(mine) == {key for key, _ in OPTIMIZERS[name].state}
    for key, value in mine.items():
        ref = expected[STATE_NAMES[key]]
        if key == "t":
            assert value == ref
        else:
            _close(value, ref, grad)


# ------------------------------------------------------------------------------------------------
# Published values and closed forms


def _handout(**changes) -> dict:
    data = yaml.safe_load(HANDOUT.read_text(encoding="utf-8"))
    data.pop("display")  # full precision
    data.update(changes)
    return data


def _first(data: dict):
    return next(trace(config_from_data(data)))


def test_one_adam_step_from_zero_moves_every_parameter_by_alpha_against_the_gradient():
    """Kingma & Ba (2015): at t = 1, m̂ = g and v̂ = g², so the step is α·g/(|g| + ε) ≈ α·sign(g)."""
    it = _first(_handout(optimizer="adam", alpha=0.01))
    moved = 0
    for step in it.layers:
        g, delta = step.dJ_dweights, step.new_weights - step.weights
        for gk, dk in zip(g.ravel(), delta.ravel()):
            if gk == 0:
                assert dk == 0
            else:
                assert dk == pytest.approx(-0.01 * math.copysign(1, gk), rel=1e-6)
                moved += 1
    assert moved == 4  # the handout's network: four weights have a gradient, four sit behind n2[hid] at p < 0


def test_one_rmsprop_step_from_zero_is_alpha_over_root_one_minus_rho():
    """v = (1 − ρ)·g², so the step is α·g/(√(1 − ρ)·|g| + ε) ≈ α·sign(g)/√(1 − ρ): 10·α for ρ = 0.99."""
    it = _first(_handout(optimizer={"name": "rmsprop"}, alpha=0.001))
    step = it.layers[1]
    delta = step.new_weights[0, 0] - step.weights[0, 0]
    g = step.dJ_dweights[0, 0]
    assert g > 0
    assert delta == pytest.approx(-0.001 * g / (math.sqrt(0.01 * g * g) + 1e-8), rel=1e-12)
    assert delta == pytest.approx(-0.001 / math.sqrt(0.01), rel=1e-5)


def test_momentum_starts_as_gradient_descent_and_then_adds_mu_times_the_velocity():
    data = _handout(epochs=2)
    plain = list(trace(config_from_data(data)))
    momentum = list(trace(config_from_data({**data, "optimizer": {"name": "momentum", "momentum": 0.5}})))
    for a, b in zip(plain[0].layers, momentum[0].layers):
        np.testing.assert_array_equal(a.new_weights, b.new_weights)  # v = g: the same step
    second = momentum[1].layers[1]
    g1, g2 = momentum[0].layers[1].dJ_dweights, second.dJ_dweights
    np.testing.assert_allclose(second.state.weights["velocity"], 0.5 * g1 + g2, rtol=1e-15)
    np.testing.assert_allclose(second.new_weights, second.weights - 0.1 * (0.5 * g1 + g2), rtol=1e-15)


def test_nesterov_first_step_is_one_plus_mu_times_the_gradient_step():
    it = _first(_handout(optimizer={"name": "nesterov", "momentum": 0.9}))
    for step in it.layers:
        np.testing.assert_allclose(step.new_weights, step.weights - 0.1 * 1.9 * step.dJ_dweights, rtol=1e-15)


def test_weight_decay_adds_lambda_theta_to_every_gradient_biases_included():
    data = _handout(layers=[{**layer, "bias": [0.1, -0.2]} for layer in _handout()["layers"]])
    plain, decayed = _first(data), _first({**data, "optimizer": {"name": "sgd", "weight_decay": 0.05}})
    for a, b in zip(plain.layers, decayed.layers):
        np.testing.assert_array_equal(a.dJ_dweights, b.dJ_dweights)  # J has no penalty term: ∂J/∂Θ is the same
        np.testing.assert_allclose(b.new_weights, a.new_weights - 0.1 * 0.05 * a.weights, rtol=1e-15, atol=1e-17)
        np.testing.assert_allclose(b.new_bias, a.new_bias - 0.1 * 0.05 * a.bias, rtol=1e-15, atol=1e-17)


def test_frozen_biases_stay_and_keep_no_state():
    data = _handout(optimizer="adam", update_bias=False, layers=[{**l, "bias": 0.3} for l in _handout()["layers"]])
    for step in _first(data).layers:
        assert step.new_bias == step.bias == 0.3 and step.state.bias is None


# ------------------------------------------------------------------------------------------------
# Hand rounding: the shown state is rounded and used rounded


def test_hand_rounded_momentum_uses_the_rounded_state():
    """Each shown number is recomputed from the numbers shown before it, as on paper."""
    data = {**yaml.safe_load(HANDOUT.read_text(encoding="utf-8")), "epochs": 3,
            "optimizer": {"name": "momentum", "momentum": 0.9, "weight_decay": 0.01}}
    velocity = None
    for it in trace(config_from_data(data), hand_rounding=2):
        step = it.layers[1]
        for k, t in np.ndindex(*step.weights.shape):
            theta, grad = step.weights[k, t], step.dJ_dweights[k, t]
            g = hand_round_value(grad + 0.01 * theta, 2)
            v = hand_round_value(0.9 * (0.0 if velocity is None else velocity[k, t]) + g, 2)
            assert step.state.weights["velocity"][k, t] == v
            assert step.new_weights[k, t] == theta - 0.1 * v  # the new parameter is shown as it is
        velocity = step.state.weights["velocity"]


# ------------------------------------------------------------------------------------------------
# Saving and continuing


def _last(stdout: str):
    last = json.loads(stdout)["iterations"][-1]
    return [(l["new_weights"], l["new_bias"], l.get("state"), l.get("bias_state")) for l in last["layers"]]


@pytest.mark.slow
@pytest.mark.parametrize("optimizer, extra", [
    ({"name": "adam"}, ()),
    ({"name": "rmsprop", "weight_decay": 0.01}, ("--hand-rounding", "3")),
    ({"name": "nesterov", "momentum": 0.8}, ()),
])
def test_seven_epochs_saved_then_five_more_equal_twelve_bit_for_bit(tmp_path, write_config, optimizer, extra):
    data = yaml.safe_load((CONFIGS / "xor.yaml").read_text(encoding="utf-8"))
    data.update(optimizer=optimizer, alpha=0.05, batch_size=3, epochs=1)
    source = write_config(yaml.safe_dump(data))
    saved = str(tmp_path / "seven.yaml")
    first = run_cli("run", source, "--epochs", "7", "--save-updated", saved, *extra)
    assert first.exit_code == 0, first.stderr
    text = (tmp_path / "seven.yaml").read_text(encoding="utf-8")
    assert "optimizer_state:" in text
    jsonschema.validate(yaml.safe_load(text), load_schema("config"))
    more = run_cli("run", saved, "--epochs", "5", "--format", "json")
    once = run_cli("run", source, "--epochs", "12", "--format", "json", *extra)
    assert more.exit_code == once.exit_code == 0, more.stderr + once.stderr
    assert _last(more.stdout) == _last(once.stdout)  # exactly: weights, biases and the optimizer's state
    if optimizer["name"] == "adam":
        assert _last(more.stdout)[0][2]["t"] == 24  # 12 epochs × 2 updates


# ------------------------------------------------------------------------------------------------
# The JSON trace and the tables


@pytest.mark.slow
def test_json_layers_carry_the_state_after_the_update_and_validate():
    result = run_cli("run", str(HANDOUT), "--format", "json", "--epochs", "2", "--exact")
    plain = json.loads(result.stdout)
    assert all("state" not in layer for it in plain["iterations"] for layer in it["layers"])
    for name, keys in [("momentum", {"velocity"}), ("rmsprop", {"square_avg"}), ("adam", {"m", "v", "t"})]:
        data = yaml.safe_load(HANDOUT.read_text(encoding="utf-8"))
        data["optimizer"] = name
        result = run_cli("run", "-", "--format", "json", "--epochs", "2", input=yaml.safe_dump(data))
        assert result.exit_code == 0, result.stderr
        document = json.loads(result.stdout)
        jsonschema.validate(document, load_schema("trace"))
        assert document["config"]["optimizer"]["name"] == name
        layer = document["iterations"][1]["layers"][1]
        assert set(layer["state"]) == keys and layer["bias_state"] is None
        assert np.shape(layer["state"][sorted(keys)[0]]) == np.shape(layer["weights"])
        if name == "adam":
            assert layer["state"]["t"] == 2


@pytest.mark.slow
def test_plain_sgd_said_aloud_prints_exactly_what_the_default_does():
    text = HANDOUT.read_text(encoding="utf-8")
    default = run_cli("run", str(HANDOUT))
    for spelled in ("optimizer: sgd\n", "optimizer: {name: sgd, weight_decay: 0}\n"):
        assert run_cli("run", "-", input=text + spelled).stdout == default.stdout


def test_step5_shows_every_line_of_adam_with_its_numbers():
    data = yaml.safe_load(HANDOUT.read_text(encoding="utf-8"))
    data["optimizer"] = {"name": "adam", "weight_decay": 0.01}
    result = run_cli("run", "-", "--exact", input=yaml.safe_dump(data))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    step5 = out[out.index("Step 5) Update with Adam, as torch.optim.Adam"):]
    for formula in ("g = ∂J/∂Θ + λ · Θ", "m ← β1 · m + (1 − β1) · g", "v ← β2 · v + (1 − β2) · g²",
                    "m̂ ← m / (1 − β1^t)", "v̂ ← v / (1 − β2^t)", "Θ ← Θ − α · m̂ / (√v̂ + ε)",
                    "α = 0.1, β1 = 0.9, β2 = 0.999, ε = 1e−08, λ = 0.01"):
        assert formula in step5, formula
    # Θ_11[out] = −1.40 with ∂J/∂Θ = 0.0763: its five lines, with the numbers put in
    row = step5[step5.index("Θ_11[out]"):step5.index("Θ_12[out]")]
    for cell in ("0.0763 + 0.01 · (−1.4000)", "0.9 · 0.0000 + (1 − 0.9) · 0.0623", "0.0062 / (1 − 0.9^1)",
                 "−1.4000 − 0.1 · 0.0623 / (√", "−1.5000"):
        assert cell in row, (cell, row)
    assert "Optimizer" in out and "J(Θ) after the update" in step5


@pytest.mark.slow
def test_every_shown_line_is_the_number_the_engine_used():
    """The table's lines (Optimizer.describe) recompute each parameter's step: the same numbers, bit for bit."""
    data = yaml.safe_load((CONFIGS / "deep.yaml").read_text(encoding="utf-8"))
    for name in ("momentum", "nesterov", "rmsprop", "adam"):
        config = config_from_data({**data, "epochs": 3, "optimizer": {"name": name, "weight_decay": 0.1}})
        for rounding in (None, 3):
            r = None if rounding is None else Rounding(rounding)
            for it in trace(config, hand_rounding=rounding):
                for step in it.layers:
                    for k, t in np.ndindex(*step.weights.shape):
                        before = {key: v if key == "t" else v[k, t] for key, v in step.state_before.weights.items()}
                        lines = config.optimizer.optimizer.describe(
                            step.weights[k, t], step.dJ_dweights[k, t], before, config.alpha,
                            config.optimizer.hyper, r)
                        assert lines[-1].result == step.new_weights[k, t]
                        shown = {line.symbol: line.result for line in lines}
                        for key, symbol in config.optimizer.optimizer.state:
                            if key != "t":
                                assert shown[symbol] == step.state.weights[key][k, t]


@pytest.mark.parametrize("n", [1, 2, 3])
def test_adams_first_step_by_hand_moves_each_weight_by_alpha(n):
    """The lesson of Adam's first update: m̂ / √v̂ is ±1, so every weight with a gradient moves by α against its
    sign. By hand, v and v̂ (of the order of g²) keep twice the digits, so √v̂ gives |g| back as on paper:
    Θ_11[out] = −1.40 − 0.1 · 0.077 / √0.005929 = −1.50 with hand rounding 2 (−1.5002 from v̂ = 0.0059)."""
    data = yaml.safe_load(HANDOUT.read_text(encoding="utf-8")) | {"optimizer": {"name": "adam"}}
    config = config_from_data(data)
    it = next(trace(config, hand_rounding=n))
    moved = 0
    for step in it.layers:
        for old, grad, new in zip(step.weights.ravel(), step.dJ_dweights.ravel(), step.new_weights.ravel()):
            if grad != 0:
                assert abs((old - new) - np.sign(grad) * config.alpha) < 1e-6, (old, grad, new)
                moved += 1
            else:
                assert new == old
    assert moved >= 4
    if n == 2:
        table = run_cli("run", "-", "--hand-rounding", "2", input=yaml.safe_dump(data)).stdout
        line = " ".join(table[table.index("Θ_11[out] │ m"):].split("Θ_12[out]")[0].split())
        assert "0.077² │ 5.9290e−06" in line and "√0.005929 + 1e−08) │ −1.50 " in line, line


@pytest.mark.slow
def test_explain_and_step_mode_explain_the_optimizer():
    data = yaml.safe_load(HANDOUT.read_text(encoding="utf-8"))
    data["optimizer"] = {"name": "momentum", "weight_decay": 0.001}
    result = run_cli("run", "-", "--explain", input=yaml.safe_dump(data))
    why = result.stdout[result.stdout.index("Why: Step 5"):]
    assert "torch.optim.SGD(momentum=μ)" in why and "velocity v" in why and "Weight decay λ = 0.001" in why
    assert "Θ_11[out] ← Θ_11[out] − α · v" in " ".join(why.split())


@pytest.mark.slow
def test_step_mode_walks_to_the_optimizer_step(write_config):
    data = yaml.safe_load(HANDOUT.read_text(encoding="utf-8"))
    data["optimizer"] = "rmsprop"
    path = write_config(yaml.safe_dump(data))
    result = run_cli("run", path, "--step", "--explain", input="a\n")
    assert result.exit_code == 0
    assert "Step 5) Update with RMSprop, as torch.optim.RMSprop(alpha=ρ)" in result.stdout
    assert "Why: Step 5" in result.stdout and "v ← ρ · v + (1 − ρ) · g²" in result.stdout


# ------------------------------------------------------------------------------------------------
# Bad input: one line, exit 2, with the place and a suggestion


NET = "x: [1, 1]\ny: [1]\nalpha: 0.1\nlayers:\n  - activation: sigmoid\n    weights: [[0.1, 0.2]]\n    bias: [0.5]\n"


@pytest.mark.parametrize("text, pattern", [
    ("optimizer: adma\n",
     r":8:12: optimizer: expected one of sgd, momentum, nesterov, rmsprop, adam, .*did you mean 'adam'"),
    ("optimizer: {name: adam, beta_1: 0.9}\n", r"optimizer.beta_1: unknown key; did you mean 'beta1'\?"),
    ("optimizer: {name: adam, betas: [0.9, 0.99]}\n",
     r"optimizer.betas: unknown key: give beta1 and beta2 as two keys"),
    ("optimizer: {name: rmsprop, alpha: 0.9}\n", r"optimizer.alpha: unknown key: the smoothing constant is called rho"),
    ("optimizer: {name: momentum, lr: 0.1}\n", r"optimizer.lr: unknown key: the learning rate is the top-level key"),
    ("optimizer: {name: adam, momentum: 0.9}\n", r"optimizer.momentum: adam has no hyper-parameter 'momentum'; "
                                                 r"it takes beta1, beta2, eps, weight_decay"),
    ("optimizer: {beta1: 0.9}\n", r"optimizer: missing required key 'name'"),
    ("optimizer: 3\n", r"optimizer: expected one of sgd, .*got the number 3"),
    ("optimizer: {name: adam, beta2: 1}\n", r"optimizer.beta2: expected a number from 0 up to \(not including\) 1"),
    ("optimizer: {name: rmsprop, eps: 0}\n", r"optimizer.eps: expected a number above 0"),
    ("optimizer: {name: sgd, weight_decay: -0.1}\n", r"optimizer.weight_decay: expected a number ≥ 0, got -0.1"),
    ("optimizer: {name: nesterov, momentum: 0}\n", r"optimizer.momentum: nesterov needs a momentum above 0"),
    ("optimizer: {name: momentum, momentum: .nan}\n", r"optimizer.momentum: expected a finite number"),
    ("optimizer_state: [{weights: {velocity: [[0, 0]]}}]\n",
     r":8:18: optimizer_state: expected no state: sgd keeps none between updates \(.*\), got a list of 1$"),
    ("optimizer_state: ~\n", r"optimizer_state: expected no state: sgd keeps none .*, got nothing \(null\)$"),
    ("optimizer: {name: sgd, weight_decay: 0.1}\noptimizer_state:\n", r"optimizer_state: expected no state: sgd"),
    ("optimizer: momentum\noptimizer_state: []\n", r"optimizer_state: expected a list of 1 entries"),
    ("optimizer: momentum\noptimizer_state: [{weights: {velocity: [[0, 0, 0]]}, bias: {velocity: [0]}}]\n",
     r"optimizer_state\[0\].weights.velocity\[0\]: expected 2 columns \(like the weights\), got 3"),
    ("optimizer: momentum\noptimizer_state: [{weights: {velocity: [[0, 0]]}}]\n",
     r"optimizer_state\[0\]: missing required key 'bias'"),
    ("optimizer: adam\noptimizer_state: [{weights: {m: [[0, 0]], v: [[0, 0]]}, bias: {m: [0], v: [0], t: 1}}]\n",
     r"optimizer_state\[0\].weights: missing required key 't'"),
    ("optimizer: adam\noptimizer_state: [{weights: {m: [[0, 0]], v: [[0, -1]], t: 1}, bias: {m: [0], v: [0], t: 1}}]\n",
     r"optimizer_state\[0\].weights.v: expected numbers ≥ 0"),
    ("optimizer: rmsprop\noptimizer_state: [{weights: {velocity: [[0, 0]]}, bias: {square_avg: [0]}}]\n",
     r"optimizer_state\[0\].weights.velocity: unknown key; expected one of: square_avg"),
])
def test_bad_optimizer_keys_exit_2_with_one_line(write_config, text, pattern):
    result = run_cli("run", write_config(NET + text))
    assert result.exit_code == ExitStatus.USAGE and result.stdout == ""
    line = result.stderr.strip().splitlines()[0]
    assert line.startswith("bptrace: error: ") and "config.yaml:" in line
    assert re.search(pattern, line), line
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_the_config_schema_knows_the_optimizers():
    schema = load_schema("config")
    base = yaml.safe_load(NET)
    for good in ("adam", {"name": "adam", "beta1": 0.8, "eps": 1e-6, "weight_decay": 0.1},
                 {"name": "momentum", "momentum": 0.5}, {"name": "sgd", "weight_decay": 0.01}):
        jsonschema.validate({**base, "optimizer": good}, schema)
        config_from_data({**base, "optimizer": good})  # and bptrace agrees
    for bad in ("adma", {"name": "adam", "momentum": 0.9}, {"name": "rmsprop", "rho": 1.0}, {"beta1": 0.9}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**base, "optimizer": bad}, schema)


def test_rows_counts_parameters_each_with_all_its_lines():
    result = run_cli("run", "-", "--exact", "--rows", "2",
                     input=HANDOUT.read_text(encoding="utf-8") + "optimizer: adam\n")
    step5 = result.stdout[result.stdout.index("Step 5) Update with Adam"):]
    labels = [line.split("│")[1].strip() for line in step5.splitlines() if line.startswith("│")]
    assert [label for label in labels if label] == ["Θ_11[hid]", "Θ_12[hid]", "…"]
    assert len(labels) == 2 * 5 + 1
    assert "30 more rows (--rows 0 shows all)" in step5  # 8 parameters × 5 lines, 10 shown
