"""Numbers at the extremes: exact losses and gradients of confident outputs, non-finite numbers stopped
with a clear message, epoch counts a run cannot finish, hand rounding of large values to 15 digits.

The expected values come from an independent computation at 200 significant digits (decimal): J from
its definition, ∂J/∂p by central differences with a step of 1e−30, far below what a float resolves.
"""

from __future__ import annotations

import io
import json
import math
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
import yaml
from conftest import CONFIGS, run_cli
from hypothesis import given
from hypothesis import strategies as st

from backprop_cli.engine.limits import MAX_UPDATES, too_many_updates
from backprop_cli.engine.rounding import decimals_for, round_half_away
from backprop_cli.render.progress import with_progress

DIGITS = 200
STEP = Decimal("1e-30")


def _probabilities(activation: str, p: list[Decimal]) -> tuple[list[Decimal], list[Decimal]]:
    """z and 1 − z, each summed from positive parts, so that neither cancels."""
    if activation == "sigmoid":
        return ([1 / (1 + (-v).exp()) for v in p], [1 / (1 + v.exp()) for v in p])
    e = [v.exp() for v in p]
    total = sum(e)
    return [v / total for v in e], [(total - v) / total for v in e]


def _loss(loss: str, activation: str, p: list[Decimal], y: list[Decimal]) -> Decimal:
    z, not_z = _probabilities(activation, p)
    j = -sum(yk * zk.ln() for yk, zk in zip(y, z) if yk)
    if loss == "bce":
        j -= sum((1 - yk) * nk.ln() for yk, nk in zip(y, not_z) if yk != 1)
    return j


def exact(loss: str, activation: str, p: list[float], y: list[float]) -> tuple[float, list[float]]:
    """J and ∂J/∂p at 200 digits (1 − z_top of margin 300 is 1e−131), rounded to floats."""
    with localcontext() as context:
        context.prec = DIGITS
        pd, yd = [Decimal(v) for v in p], [Decimal(v) for v in y]
        j = _loss(loss, activation, pd, yd)
        gradient = []
        for k in range(len(p)):
            up = [v + STEP if i == k else v for i, v in enumerate(pd)]
            down = [v - STEP if i == k else v for i, v in enumerate(pd)]
            gradient.append(float((_loss(loss, activation, up, yd) - _loss(loss, activation, down, yd)) / (2 * STEP)))
        return float(j), gradient


def traced(loss: str, activation: str, p: list[float], y: list[float]) -> tuple[float, list[float]]:
    """J and ∂J/∂p of a one-layer network whose preactivations are ``p`` (x = 1, Θ = p), as bptrace
    writes them in its JSON trace."""
    config = {"x": [1], "y": y, "alpha": 0.1, "loss": loss,
              "layers": [{"activation": activation, "weights": [[v] for v in p]}]}
    result = run_cli("run", "-", "--format", "json", input=json.dumps(config))
    assert result.exit_code == 0, result.stderr
    it = json.loads(result.stdout)["iterations"][0]
    assert it["samples"][0]["layers"][0]["p"] == p
    return it["loss"], it["samples"][0]["layers"][0]["dJ_dp"]


def assert_close(actual: float, expected: float) -> None:
    assert actual == pytest.approx(expected, rel=1e-12, abs=1e-300), (actual, expected)


# Cross-entropy and bce on softmax, bce on sigmoid -----------------------------------------------------

def test_a_confident_right_answer_has_its_exact_cross_entropy():
    j, _ = traced("cross_entropy", "softmax", [20.0, 0.0], [1.0, 0.0])
    assert_close(j, math.log1p(math.exp(-20.0)))  # 2.0611536203e-09 (log of the sum gave 2.061153026e-09)
    assert f"{j:.10e}" == "2.0611536203e-09"


@pytest.mark.parametrize("margin", [20.0, 30.0, 35.0, 40.0, 300.0])
def test_cross_entropy_on_softmax_is_exact_for_confident_outputs(margin):
    j, gradient = traced("cross_entropy", "softmax", [margin, 0.0], [1.0, 0.0])
    expected_j, expected_gradient = exact("cross_entropy", "softmax", [margin, 0.0], [1.0, 0.0])
    assert_close(j, expected_j)  # 6.3e−16 at margin 35, where log(1 + e^−35) is 0
    assert j > 0
    for actual, expected in zip(gradient, expected_gradient):
        assert_close(actual, expected)


@pytest.mark.parametrize("p, y", [
    ([35.0, 0.0], [1.0, 0.0]),  # was half the loss from margin 35 on
    ([30.0, 0.0], [1.0, 0.0]),  # was 6.4e−3 off
    ([20.0, 0.0], [1.0, 0.0]),
    ([50.0, 0.0], [1.0, 0.0]),
    ([0.0, 35.0], [0.0, 1.0]),
    ([35.0, 0.0, -5.0], [1.0, 0.0, 0.0]),
    ([35.0, 0.0, -5.0], [0.3, 0.7, 0.0]),
    ([1.0, 2.0, 3.0], [0.2, 0.5, 0.3]),
])
def test_bce_on_softmax_is_exact_and_its_gradient_sums_to_zero(p, y):
    j, gradient = traced("bce", "softmax", p, y)
    expected_j, expected_gradient = exact("bce", "softmax", p, y)
    assert_close(j, expected_j)
    for actual, expected in zip(gradient, expected_gradient):
        assert_close(actual, expected)
    # Softmax ignores a shift of every p, so its gradients sum to 0, to a few roundings of the largest.
    assert abs(math.fsum(gradient)) <= 4e-15 * max(map(abs, gradient))


@pytest.mark.parametrize("p", [30.0, 37.0, 40.0, 700.0, -30.0, -37.0, 0.5])
@pytest.mark.parametrize("y", [1.0, 0.0, 0.25])
def test_bce_on_sigmoid_keeps_the_gradient_exact_where_the_loss_is(p, y):
    j, gradient = traced("bce", "sigmoid", [p], [y])
    expected_j, expected_gradient = exact("bce", "sigmoid", [p], [y])
    assert_close(j, expected_j)
    assert_close(gradient[0], expected_gradient[0])  # −σ(−37) = −8.5e−17 for y = 1, where z − y was 0


@pytest.mark.parametrize("p", [37.0, 40.0, -40.0])
def test_cross_entropy_on_sigmoid_is_exact_near_saturation(p):
    j, gradient = traced("cross_entropy", "sigmoid", [p], [1.0])
    expected_j, expected_gradient = exact("cross_entropy", "sigmoid", [p], [1.0])
    assert_close(j, expected_j)
    assert_close(gradient[0], expected_gradient[0])


# A number that is not finite stops the run -------------------------------------------------------------

RELU_INTO_HUGE = ("x: [1]\ny: [1]\nalpha: 0.1\nlayers:\n  - name: hid\n    activation: relu\n    weights: [[-1]]\n"
                  "  - name: out\n    activation: identity\n    weights: [[1.0e+308]]\n")
HUGE_GRADIENT = "x: [1.0e+154]\ny: [0]\nalpha: 0\nlayers:\n  - activation: identity\n    weights: [[1]]\n"


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl"])
def test_a_gradient_that_overflows_stops_the_run_in_every_format(tmp_path, write_config, fmt):
    # ∂J/∂z of 'hid' = −2 · 1e308 overflows; through ReLU'(−1) = 0 it would become NaN.
    path = write_config(RELU_INTO_HUGE, "net.yaml")
    saved, trace = tmp_path / "saved.yaml", tmp_path / "trace.out"
    for extra in ((), ("-o", str(trace)), ("--save-updated", str(saved))):
        result = run_cli("run", path, "--format", fmt, *extra)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr == (f"bptrace: error: {path}: update 1 (epoch 1), layer 'hid': ∂J/∂z is infinite "
                                 "(beyond ±1.8e308, the largest float): the network as given already overflows "
                                 "floating point; use smaller inputs x or weights\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.yaml"]  # no trace, no saved network, no temporary


def test_the_python_api_stops_at_a_number_that_is_not_finite_too(write_config):
    import backprop_cli as bptrace
    from backprop_cli.errors import BptraceError

    with pytest.raises(BptraceError, match="update 1 .*layer 'hid': ∂J/∂z is infinite"):
        bptrace.run(write_config(RELU_INTO_HUGE))
    with pytest.raises(BptraceError, match="--epochs: expected at most 1,000,000,000 updates"):
        bptrace.run(str(CONFIGS / "handout.yaml"), epochs=MAX_UPDATES + 1)


def test_a_finite_loss_whose_gradient_overflows_names_the_gradient_not_alpha(write_config):
    result = run_cli("run", write_config(HUGE_GRADIENT))
    assert result.exit_code == 2
    assert "update 1 (epoch 1), layer 'out': ∂J/∂Θ is infinite" in result.stderr  # J = 1e308 is finite
    assert "use smaller inputs x or weights" in result.stderr and "alpha" not in result.stderr


def test_an_optimizer_state_that_overflows_stops_the_run(write_config):
    # ∂J/∂Θ = 2e160 is finite, and so are the new weights, but Adam's v = (1 − β₂)·g² overflows.
    path = write_config("x: [1.0e+80]\ny: [0]\nalpha: 0.001\noptimizer: adam\nlayers:\n  - activation: identity\n"
                        "    weights: [[1]]\n")
    result = run_cli("run", path, "--format", "json")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (f"bptrace: error: {path}: update 1 (epoch 1), layer 'out': the optimizer's v of the "
                             "weights is infinite (beyond ±1.8e308, the largest float): the network as given "
                             "already overflows floating point; use smaller inputs x or weights\n")


def test_a_diverging_run_names_the_file_the_update_and_alpha(write_config):
    path = write_config("x: [1000]\ny: [0]\nalpha: 1000\nlayers:\n  - activation: identity\n    weights: [[1]]\n")
    result = run_cli("run", path, "--epochs", "200", "--format", "jsonl")
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert [json.loads(line)["iteration"] for line in lines] == list(range(1, len(lines) + 1))  # strict JSON
    assert result.stderr.startswith(f"bptrace: error: {path}: update {len(lines) + 1} (epoch {len(lines) + 1}): ")
    assert result.stderr.endswith("the training diverged; try a smaller alpha\n")


# Epoch counts a run cannot finish -------------------------------------------------------------------

def test_the_update_cap_is_on_epochs_times_updates_per_epoch():
    assert too_many_updates(MAX_UPDATES, 1) is None
    assert too_many_updates(MAX_UPDATES // 4, 4) is None
    assert "1,000,000,004 updates" in too_many_updates(MAX_UPDATES // 4 + 1, 4)
    assert "about 10^400 epochs" in too_many_updates(10**400, 1)


def test_validate_refuses_epochs_whose_run_cannot_finish(write_config):
    text = (CONFIGS / "handout.yaml").read_text(encoding="utf-8") + "epochs: 1" + "0" * 400 + "\n"
    result = run_cli("validate", write_config(text))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert ": epochs: expected at most 1,000,000,000 updates in a run, got about 10^400 epochs × 1 update = " \
           "about 10^400 updates, a run that could not finish" in result.stderr


def test_validate_counts_the_updates_of_every_epoch(write_config):
    data = yaml.safe_load((CONFIGS / "xor.yaml").read_text(encoding="utf-8"))
    data.update(batch_size=1, epochs=MAX_UPDATES // 4 + 1)  # 4 samples: 4 updates per epoch
    result = run_cli("validate", write_config(yaml.safe_dump(data)))
    assert result.exit_code == 2 and "× 4 updates = 1,000,000,004 updates" in result.stderr
    data["epochs"] = MAX_UPDATES // 4
    assert run_cli("validate", write_config(yaml.safe_dump(data))).exit_code == 0


def test_run_refuses_an_epochs_option_whose_run_cannot_finish():
    result = run_cli("run", str(CONFIGS / "xor.yaml"), "--epochs", "1" + "0" * 310)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == ("bptrace: error: --epochs: expected at most 1,000,000,000 updates in a run, got about "
                             "10^310 epochs × 1 update = about 10^310 updates, a run that could not finish\n")


class _Update:
    def __init__(self, number: int) -> None:
        self.number = self.epoch = number


def test_the_progress_bar_shows_the_cursor_again_whatever_fails():
    from rich.console import Console

    screen = io.StringIO()
    ticks = iter(range(100))
    with pytest.raises(OverflowError):  # rich counts in floats: 10^310 updates cannot be drawn
        for _ in with_progress([_Update(n) for n in range(1, 20)], 10**310, 10**310,
                               console_factory=lambda: Console(file=screen, force_terminal=True, width=80),
                               clock=lambda: float(next(ticks))):
            pass
    drawn = screen.getvalue()
    assert "\x1b[?25l" in drawn  # the bar hid the cursor ...
    assert drawn.rindex("\x1b[?25h") > drawn.rindex("\x1b[?25l")  # ... and showed it again


# Hand rounding of large values ------------------------------------------------------------------------

def reference_round(value: float, decimals: int) -> float:
    """Half away from zero on the shortest decimal form of ``value``, in exact fractions; a float within one
    unit in the last place of a tie's float (0.24499999999999997 for 0.245) is rounded as the tie."""
    size = abs(Fraction(repr(value)))
    tie = (math.floor(size * 10**decimals) + Fraction(1, 2)) / 10**decimals
    if abs(Fraction(abs(value)) - Fraction(float(tie))) <= Fraction(math.ulp(value)):
        size = tie
    whole = math.floor(size * 10**decimals + Fraction(1, 2))
    return math.copysign(float(Fraction(whole, 10**decimals)), value) + 0.0


@pytest.mark.parametrize("value, n", [(1e13, 15), (123456.0, 14), (1e13 + 0.125, 15), (9007199254740991.0, 15),
                                      (-4503599627370495.5, 15), (15241383936.0, 14), (0.0768, 2)])
def test_hand_rounding_keeps_every_digit_of_large_values(value, n):
    decimals = decimals_for(value, n)
    assert round_half_away(value, decimals) == reference_round(value, decimals)


@pytest.mark.slow
@given(st.floats(min_value=-2.0**53, max_value=2.0**53, allow_nan=False), st.integers(1, 15))
def test_hand_rounding_is_exact_decimal_rounding(value, n):
    decimals = decimals_for(value, n)
    assert round_half_away(value, decimals) == reference_round(value, decimals)


@pytest.mark.parametrize("x, n", [(10**13, 15), (123456, 14)])
def test_a_run_rounded_by_hand_to_many_digits_of_large_values(write_config, x, n):
    path = write_config(f"x: [{x}]\ny: [0.1]\nalpha: 0.1\nlayers:\n  - activation: identity\n"
                        "    weights: [[1.000000000000001]]\n")
    result = run_cli("run", path, "--hand-rounding", str(n), "--format", "json")
    assert result.exit_code == 0, result.stderr
    p = json.loads(result.stdout)["iterations"][0]["samples"][0]["layers"][0]["p"][0]
    exact_p = x * 1.000000000000001
    assert p == reference_round(exact_p, decimals_for(exact_p, n))
    assert run_cli("run", path, "--hand-rounding", str(n)).exit_code == 0
