"""Hand rounding: every later step uses the rounded value (SPEC, "Hand rounding").

Each number of the JSON trace of a hand-rounded run is recomputed here from the numbers the trace
shows before it, as a person with a calculator would: p from Θ, b and the rounded z of the layer before,
z from the rounded p, ∂J/∂z from the rounded z, ∂J/∂Θ from the shown ∂J/∂p and the rounded input.

What the table shows as ∂J/∂p depends on the output layer. For an element-wise activation with a
squared-error loss it is the product ∂J/∂z_k · g'(p_k) inside the formula, from the rounded ∂J/∂z and
g' evaluated on the rounded p, itself not rounded. For softmax (the Jacobian product) and for the fused
pairs (cross-entropy on softmax, bce on sigmoid) ∂J/∂p is a result of its own, so it is rounded.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import activate, derivative, output_gradient
from strategies import HUNDREDTHS, networks, squared

from backprop_cli.config.read import config_from_data
from backprop_cli.engine.backprop import trace
from backprop_cli.engine.rounding import hand_round_value
from backprop_cli.render.json import iteration_data

# (output activation, loss): element-wise outputs with a squared error, softmax with every loss it takes
# apart from bce, and the fused sigmoid + bce
OUTPUTS = squared() + squared(["softmax"]) + [("softmax", "cross_entropy"), ("sigmoid", "bce")]
FUSED = {("softmax", "cross_entropy"), ("sigmoid", "bce")}
HAND_NETWORKS = networks(OUTPUTS, numbers=HUNDREDTHS, slopes=(0.01, 0.1), alphas=(0.1, 0.5, 1.0))


def assert_hand_rounded(shown: float, value: float, n: int, what: str) -> None:
    """``shown`` is ``value`` hand-rounded to ``n``. The recomputation may differ from the engine's in the
    last bit of a float (another order of the same sums); that matters only right at a rounding boundary,
    so either side of such a boundary is accepted."""
    candidates = {hand_round_value(value * f, n) for f in (1 - 1e-12, 1.0, 1 + 1e-12)}
    assert shown in candidates, f"{what}: shown {shown!r}, expected {value!r} hand-rounded to {n}: {sorted(candidates)}"


def assert_is_rounded(shown: float, n: int, what: str) -> None:
    assert shown == hand_round_value(shown, n), f"{what}: {shown!r} is shown as a result but is not hand-rounded to {n}"


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HAND_NETWORKS, st.sampled_from([2, 3]))
def test_every_later_step_uses_the_rounded_value(data, n):
    config = config_from_data(data)
    iteration = json.loads(json.dumps(iteration_data(next(trace(config, hand_rounding=n)))))  # as --format json
    sample = iteration["samples"][0]
    passes, steps, specs = sample["layers"], iteration["layers"], data["layers"]
    last = len(specs) - 1
    pair = (specs[last]["activation"], data["loss"])

    # Forward: p from the rounded z of the layer before (x for the first), z from the rounded p.
    inputs = [np.array(sample["x"])] + [np.array(lp["z"]) for lp in passes[:-1]]
    for i, (lp, step, spec) in enumerate(zip(passes, steps, specs)):
        p = np.array(step["weights"]) @ inputs[i] + (0.0 if step["bias"] is None else np.array(step["bias"]))
        for k, value in enumerate(p):
            assert_hand_rounded(lp["p"][k], value, n, f"layer {i} p[{k}]")
        z = activate(spec["activation"], np.array(lp["p"]), spec.get("negative_slope", 0.01))
        for k, value in enumerate(z):
            assert_hand_rounded(lp["z"][k], value, n, f"layer {i} z[{k}]")

    # Backward, from the output layer down.
    for i in reversed(range(len(specs))):
        lp, step, spec = passes[i], steps[i], specs[i]
        if i == last and pair not in FUSED:
            expected = output_gradient(data["loss"], np.array(lp["z"]), np.array(sample["y"]))
            for k, value in enumerate(expected):
                assert_hand_rounded(lp["dJ_dz"][k], value, n, f"output dJ_dz[{k}]")
        if spec["activation"] == "softmax" or (i == last and pair in FUSED):
            z, y, dz = np.array(lp["z"]), np.array(sample["y"]), np.array(lp["dJ_dz"])
            if i == last and pair == ("softmax", "cross_entropy"):
                expected = z * np.sum(y) - y  # the short form, from the rounded z
            elif i == last and pair == ("sigmoid", "bce"):
                expected = z - y
            else:  # softmax with a squared loss: the Jacobian product of the rounded ∂J/∂z and z
                expected = z * (dz - np.sum(dz * z))
            for k, value in enumerate(lp["dJ_dp"]):
                assert_is_rounded(value, n, f"layer {i} ({pair[0]}, {pair[1]}) dJ_dp[{k}]")
                assert_hand_rounded(value, expected[k], n, f"layer {i} ({pair[0]}, {pair[1]}) dJ_dp[{k}]")
            shown = np.array(lp["dJ_dp"])
        else:
            slope = spec.get("negative_slope", 0.01)
            shown = np.array([dz * derivative(spec["activation"], p, slope) for dz, p in zip(lp["dJ_dz"], lp["p"])])
            np.testing.assert_allclose(lp["dJ_dp"], shown, rtol=1e-12, atol=1e-15, err_msg=f"layer {i} dJ_dp")
        for k in range(len(shown)):
            for t in range(len(inputs[i])):
                assert_hand_rounded(step["dJ_dweights"][k][t], shown[k] * inputs[i][t], n,
                                    f"layer {i} dJ_dweights[{k}][{t}]")
        if isinstance(step["bias"], list):
            for k in range(len(shown)):
                assert_hand_rounded(step["dJ_dbias"][k], shown[k], n, f"layer {i} dJ_dbias[{k}]")
        elif step["bias"] is not None:
            assert_hand_rounded(step["dJ_dbias"], float(np.sum(shown)), n, f"layer {i} shared dJ_dbias")
        if i > 0:
            below = shown @ np.array(step["weights"])
            for t, value in enumerate(below):
                assert_hand_rounded(passes[i - 1]["dJ_dz"][t], value, n, f"layer {i - 1} dJ_dz[{t}]")
        # The update is computed from the rounded gradient and shown as it is.
        new = np.array(step["weights"]) - data["alpha"] * np.array(step["dJ_dweights"])
        assert np.array(step["new_weights"]).tolist() == new.tolist(), f"layer {i} new_weights"


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.integers(-99, 99), st.integers(-999, 999), st.integers(1, 4))
def test_a_product_on_a_tie_rounds_as_on_paper(a, b, n):
    """x · y of numbers written with 1 and 2 decimals, hand-rounded to n, equals the exact decimal product
    rounded half away from zero: 0.35 · 0.7 = 0.245 → 0.25, though the float product is 0.24499999999999997."""
    from decimal import ROUND_HALF_UP, Decimal

    from backprop_cli.engine.rounding import decimals_for

    exact = Decimal(a) / 10 * (Decimal(b) / 100)
    product = (a / 10) * (b / 100)
    places = decimals_for(product, n)
    expected = float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    assert hand_round_value(product, n) == expected


def test_the_ties_a_float_product_hides():
    for a, b, rounded in [(0.35, 0.7, 0.25), (0.65, 0.7, 0.46), (0.75, 0.3, 0.23), (0.95, 0.7, 0.67)]:
        assert hand_round_value(a * b, 2) == rounded


def _floats_near_ties():
    """Numbers a hand calculation meets: decimals with few digits (many of them ties at the next place),
    their products, the floats right beside them, powers of ten and the floats next to those, and any
    double at all (tiny, huge, infinite, NaN)."""
    decimal = st.builds(lambda m, e: m / 10.0**e, st.integers(-10**7, 10**7), st.integers(0, 9))
    product = st.builds(lambda a, b: a * b, decimal, decimal)
    power = st.builds(lambda e, s: s * 10.0**e, st.integers(-30, 20), st.sampled_from([1.0, -1.0, 0.5, 5.0, 9.5, 0.95]))
    beside = st.builds(lambda v, up: np.nextafter(v, np.inf if up else -np.inf), decimal | product | power,
                       st.booleans())
    return decimal | product | power | beside | st.floats(allow_nan=True, allow_infinity=True)


@settings(max_examples=300, deadline=None)
@given(st.lists(_floats_near_ties(), min_size=1, max_size=24), st.integers(1, 15), st.sampled_from([(-1,), (2, -1)]))
def test_an_array_is_rounded_as_each_of_its_numbers(values, n, shape):
    """Rounding a whole array gives, element by element, the number hand_round_value gives (which rounds
    the shortest decimal form with Decimal), ties and the floats beside them included, in any shape; and so
    does rounding each number on its own in floating point (hand_round_number)."""
    from backprop_cli.engine.rounding import hand_round, hand_round_number

    array = np.array(values * 2 if shape == (2, -1) else values, dtype=float).reshape(shape)
    rounded = hand_round(array, n)
    assert rounded.shape == array.shape
    for got, value in zip(rounded.ravel().tolist(), array.ravel().tolist()):
        expected = hand_round_value(value, n)
        for result in (got, hand_round_number(value, n)):  # the array, and the number on its own
            assert result == expected or (np.isnan(result) and np.isnan(expected)), \
                f"{value!r} to {n}: {result!r}, not {expected!r}"
            assert np.signbit(result) == np.signbit(expected), f"{value!r} to {n}: the sign of {result!r}"
