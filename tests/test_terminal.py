"""What the tables look like to a new user, in a file, a pipe and a terminal of any width: no trailing
spaces, a fixed width off a terminal, numbers never cut and lined up on their decimal points, the traced
sample named, small values and changes hidden by rounding made visible, words never cut."""

from __future__ import annotations

import re

import numpy as np
import pytest
import yaml
from conftest import CONFIGS, run_cli
from reference import parameters, total_loss

SHIPPED = sorted(path.stem for path in CONFIGS.glob("*.yaml"))
# A number as the tables write it: 0.394, −1.4077, 5.1000e−12, 2,000
NUMBER = re.compile(r"−?\d[\d,]*(?:\.\d+)?(?:e[+−]\d+)?")
WIDE = {"x": [[0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8, 0.9, 1.0], [1, 0, 1, 0, 1, 0, 1, 0, 1, 0]],
        "y": [[1], [0]], "alpha": 0.5, "epochs": 3,
        "layers": [{"name": "hid", "activation": "tanh", "bias": [0.1, 0.2],
                    "weights": [[0.1, -0.25, 0.3, 0.4, -0.5, 0.6, 0.7, -0.58, 0.9, 1.0],
                                [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]]},
                   {"name": "out", "activation": "sigmoid", "weights": [[0.5, -0.5]]}]}


def table(*args: str, width: int | None = 80, data: dict | None = None) -> str:
    env = {"COLUMNS": "" if width is None else str(width)}
    result = run_cli("run", *(["-"] if data is not None else []), *args, "--no-color", env=env,
                     input=None if data is None else yaml.safe_dump(data))
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("config", SHIPPED)
@pytest.mark.parametrize("extra", [(), ("--explain",), ("--working",), ("--exact", "--precision", "9")])
def test_no_line_ends_in_a_space(config, extra):
    out = table(str(CONFIGS / f"{config}.yaml"), *extra, width=None)
    assert [line for line in out.splitlines() if line != line.rstrip()] == []


@pytest.mark.parametrize("command", [("gradcheck", "configs/deep.yaml"), ("validate", "configs/xor.yaml")])
def test_other_commands_end_their_lines_too(command):
    out = run_cli(*command, env={"COLUMNS": ""}).stdout
    assert out and all(line == line.rstrip() for line in out.splitlines())


@pytest.mark.slow
def test_files_and_pipes_get_a_fixed_width_and_width_chooses_it(tmp_path):
    deep = str(CONFIGS / "deep.yaml")
    piped = table(deep, "--exact", "--precision", "9", width=None)
    assert 80 < max(len(line) for line in piped.splitlines()) <= 100  # the file width, not a terminal's 80
    target = tmp_path / "out.txt"
    result = run_cli("run", deep, "--exact", "--precision", "9", "-o", str(target), env={"COLUMNS": ""})
    assert result.exit_code == 0 and target.read_text(encoding="utf-8") == piped
    for width in (60, 120):
        narrow = table(deep, "--exact", "--precision", "9", "--width", str(width), width=None)
        assert max(len(line) for line in narrow.splitlines()) <= width


@pytest.mark.slow
@pytest.mark.parametrize("config", SHIPPED)
@pytest.mark.parametrize("width", [60, 80])
def test_numbers_are_never_cut(config, width):
    """Every number a wide terminal shows is shown whole at 60 and 80 columns too (only a matrix wider than
    the terminal drops columns, with a note)."""
    path = str(CONFIGS / f"{config}.yaml")
    wide, narrow = table(path, "--working", width=200), table(path, "--working", width=width)
    assert sorted(NUMBER.findall(narrow)) == sorted(NUMBER.findall(wide))
    assert not re.search(r"[\d.]…", narrow)


@pytest.mark.slow
def test_a_matrix_too_wide_shows_the_columns_that_fit_and_says_which_are_left_out():
    out = table(data=WIDE)
    weights = out[out.index("Weights after 3 updates"):]
    assert "4 more columns (x8 … bias): --rows 0 or a wider terminal shows them." in weights
    assert not re.search(r"[\d.]…", out)
    assert all(len(line) <= 80 for line in out.splitlines())


@pytest.mark.slow
def test_with_rows_0_a_matrix_too_wide_shows_one_row_per_number():
    out = table("--rows", "0", data=WIDE)
    trained = run_cli("run", "-", "--format", "json", input=yaml.safe_dump(WIDE)).stdout
    import json

    layer = json.loads(trained)["iterations"][-1]["layers"][0]
    assert "One row per number: the matrix is wider than the terminal." in out
    rows = dict(re.findall(r"│ (Θ_\S+|b_\S+) +│ +(\S+) │", out[out.index("Weights after 3 updates"):]))
    for k, row in enumerate(layer["new_weights"]):
        for t, value in enumerate(row):
            name = f"Θ_{k + 1}{',' if t >= 9 else ''}{t + 1}[hid]"
            assert rows[name] == f"{value:.4f}".replace("-", "−"), name
    assert rows["b_2[hid]"] == f"{layer['new_bias'][1]:.4f}".replace("-", "−")


def test_online_training_names_the_traced_sample_with_its_x_and_y():
    data = {"x": [[0, 0], [0, 1], [1, 0]], "y": [[0], [1], [1]], "alpha": 0.5, "batch_size": 1, "epochs": 2,
            "layers": [{"activation": "sigmoid", "weights": [[0.5, -0.4]]}]}
    out = table("--show", "2", data=data)
    assert "Trace of update 2 of 6 — epoch 1, sample 2" in out
    assert "Forward pass — sample 2: x = (0, 1), y = (1)" in out
    assert "Step 1) Error gradient in the output layer — sample 2" in out


def test_decimal_points_line_up_in_a_column():
    out = table(str(CONFIGS / "handout.yaml"))
    step5 = out[out.index("Step 5) Update"):]
    cells = re.findall(r"│ Θ_\d\d\[\w+\] │ [^│]+│ ([^│]+)│", step5)
    assert [c.strip() for c in cells] == ["0.394", "0.204", "−0.50", "−0.14", "−1.4077", "0.57", "−0.792", "−0.32"]
    assert len({cell.index(".") for cell in cells}) == 1 and len({len(cell) for cell in cells}) == 1


def test_a_change_that_rounding_hides_is_shown_in_full_precision():
    data = yaml.safe_load((CONFIGS / "handout.yaml").read_text(encoding="utf-8"))
    out = table(str(CONFIGS / "handout.yaml"))
    trace = run_cli("run", str(CONFIGS / "handout.yaml"), "--format", "json").stdout
    import json

    layers = json.loads(trace)["iterations"][0]["layers"]
    weights, biases = parameters(data)
    before = total_loss(data, weights, biases)
    after = total_loss(data, [np.array(layer["new_weights"]) for layer in layers], biases)
    assert f"J(Θ) after the update = 0.47  (before: 0.47; in full precision {before:.4f} → {after:.4f})" in out
    assert f"{before:.4f}" != f"{after:.4f}"


def test_a_vanishing_gradient_is_not_a_zero():
    """Three stacked sigmoids with weights 8, 9 and 10: ∂J/∂Θ shrinks by a factor of about 10⁴ per layer."""
    data = {"x": [1], "y": [0], "alpha": 0.1,
            "layers": [{"activation": "sigmoid", "weights": [[w]]} for w in (8, 9, 10)]}
    out = table(data=data)
    s = [1 / (1 + np.exp(-8.0))]
    for w in (9.0, 10.0):
        s.append(1 / (1 + np.exp(-w * s[-1])))
    d = [v * (1 - v) for v in s]
    grads = [2 * s[2] * d[2] * s[1], 2 * s[2] * d[2] * 10 * d[1] * s[0], 2 * s[2] * d[2] * 10 * d[1] * 9 * d[0] * 1]
    for grad, name in zip(grads, ("out", "hid2", "hid1")):
        mantissa, exponent = f"{grad:.4e}".split("e")
        shown = f"{mantissa}e{exponent.replace('-', '−')}"
        assert re.search(rf"Θ_11\[{name}\] +│ .* │ +{re.escape(shown)} │", out), (name, shown)
    assert not re.search(r"│ +0\.0000 │", out)  # no gradient written as the 0 of a dead ReLU


def test_loss_curve_labels_under_hand_rounding_tell_top_middle_and_bottom_apart():
    data = yaml.safe_load((CONFIGS / "handout.yaml").read_text(encoding="utf-8"))
    data["epochs"] = 3
    out = table(data=data)
    labels = re.findall(r"^ *(\S+) ┤", out, re.MULTILINE)
    assert len(labels) == 3 and len(set(labels)) == 3, labels


def test_a_run_of_one_sample_says_so_in_the_singular():
    data = yaml.safe_load((CONFIGS / "handout.yaml").read_text(encoding="utf-8"))
    data["epochs"] = 2
    out = table(data=data)
    assert "(its 1 sample; epoch 1:" in out and "1 samples" not in out


def test_validate_lines_up_its_summary_and_shows_every_display_setting():
    for config, display in (("handout", "precision 4, hand rounding 2"), ("xor", "precision 4, hand rounding none"),
                            ("softmax", "precision 3, hand rounding none")):
        lines = run_cli("validate", str(CONFIGS / f"{config}.yaml")).stdout.splitlines()[1:]
        assert len({len(line) - len(line.split(":", 1)[1].lstrip()) for line in lines}) == 1, lines
        assert lines[-1].split(":", 1)[1].strip() == display


@pytest.mark.parametrize("command", [[], ["run"], ["validate"], ["init"], ["worksheet"], ["check"], ["exercise"],
                                     ["schema"], ["figure"], ["gradcheck"]])
def test_help_fits_80_columns(command):
    out = run_cli(*command, "--help", env={"COLUMNS": "80"}).stdout
    assert max(len(line) for line in out.splitlines()) <= 80
