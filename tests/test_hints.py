"""Errors that name the real typo: a Unicode minus (read), a decimal comma, a number in quotes, a dash that is
not a minus, x written as a column, tabs in the indentation, a UTF-16 file (read); and the warning for a
cross-entropy y that does not sum to 1."""

from __future__ import annotations

import json

import pytest
from conftest import CONFIGS, run_cli

HANDOUT = (CONFIGS / "handout.yaml").read_text(encoding="utf-8")
BASE = ("x: {x}\ny: [0, 1]\nalpha: {alpha}\nlayers:\n  - activation: relu\n    weights: {hid}\n"
        "  - activation: sigmoid\n    weights: [[-1.40, 0.57], [-0.81, -0.32]]\n")


def config(x="[1, 1]", alpha="0.1", hid="[[0.40, 0.21], [-0.50, -0.14]]") -> str:
    return BASE.format(x=x, alpha=alpha, hid=hid)


def error(write_config, text: str) -> str:
    result = run_cli("validate", write_config(text))
    assert result.exit_code == 2 and result.stdout == ""
    return result.stderr


def test_a_unicode_minus_as_bptrace_prints_it_is_read_as_a_minus():
    typed = HANDOUT.replace("-0.50", "−0.50").replace("-1.40", "−1.40")
    assert "−0.50" in typed
    copied = run_cli("run", "-", "--format", "json", input=typed)
    assert copied.exit_code == 0, copied.stderr
    assert json.loads(copied.stdout)["iterations"] == json.loads(
        run_cli("run", "-", "--format", "json", input=HANDOUT).stdout)["iterations"]


@pytest.mark.parametrize("text, hint", [
    (config(hid="[[0,40, 0.21], [-0.50, -0.14]]"),
     ":6:15: layers[0].weights[0]: expected 2 columns (the width of the input x), got 3; decimal comma on line 6? "
     "write 0.40 for 0,40"),
    (config(alpha="'0,5'"), ":3:8: alpha: expected a number, got the text '0,5'; decimal comma? write 0.5"),
    (config(alpha="'0.5'"), ":3:8: alpha: expected a number, got the text '0.5'; a number in quotes is text: "
                            "remove the quotes"),
    (config(alpha="–0.5"), "alpha: expected a number, got the text '–0.5'; '–' is an en dash, not a minus sign: "
                          "type '-'"),
    (config(x="[[1], [1]]"), "y: expected the same form as x: one list of numbers, or a list of rows (one per "
                             "sample); x is read as 2 samples of 1 number each; for one sample write x: [1, 1]"),
    (config().replace("epochs", "") + "epochs: '3'\n", "epochs: expected a whole number, got the text '3'; a number "
                                                      "in quotes is text: remove the quotes"),
    (config().replace("  - activation: relu", "\t- activation: relu"),
     ":5:1: invalid YAML: YAML does not allow tabs for indentation (line 5); indent with spaces"),
])
def test_the_message_names_the_typo(write_config, text, hint):
    message = error(write_config, text).splitlines()[0]
    assert message.endswith(hint), message


def test_a_list_of_integers_is_not_taken_for_a_decimal_comma(write_config):
    message = error(write_config, config(x="[1,1,1]")).splitlines()[0]
    assert message.endswith("expected 3 columns (the width of the input x), got 2")


def test_one_column_is_said_in_the_singular(write_config):
    message = error(write_config, config(x="[[1], [1]]")).splitlines()[1]
    assert "expected 1 column (the width of the input x), got 2" in message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_as_windows_powershell_writes_it_is_read(tmp_path, encoding):
    path = tmp_path / "net.yaml"
    path.write_bytes(HANDOUT.encode(encoding))
    result = run_cli("run", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["iterations"][0]["loss"] == 0.47


def test_a_binary_file_is_still_refused(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_bytes(b"\x00\x01\x02binary\x00")
    assert "binary file" in run_cli("validate", str(path)).stderr


@pytest.mark.parametrize("y, warned", [("[0.2, 0.5, 0.1]", "y sums to 0.8, not 1"), ("[0, 1, 0]", None),
                                       ("[[0, 1, 0], [0.5, 0.5, 0.5]]", "y of sample 2 sums to 1.5, not 1")])
def test_cross_entropy_warns_where_y_does_not_sum_to_1(write_config, y, warned):
    x = "[1, 1]" if not y.startswith("[[") else "[[1, 1], [0, 1]]"
    text = (f"x: {x}\ny: {y}\nalpha: 0.1\nloss: cross_entropy\nlayers:\n  - activation: softmax\n"
            "    weights: [[1, 2], [0, 1], [1, 1]]\n")
    path = write_config(text)
    for command in (("validate", path), ("run", path, "--format", "json")):
        result = run_cli(*command)
        assert result.exit_code == 0
        warnings = [line for line in result.stderr.splitlines() if line.startswith("bptrace: warning:")]
        if warned is None:
            assert warnings == []
        else:
            assert len(warnings) == 1 and warned in warnings[0] and path in warnings[0]
        if command[0] == "run":
            json.loads(result.stdout)  # stdout holds the trace alone
