"""Bad input: exit code 2, one clear message on stderr with file, line, column and key path; nothing on
stdout; never a traceback; nothing executed."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import run_cli

GOOD = """\
x: [1, 1]
y: [0, 1]
alpha: 0.1
layers:
  - name: hid
    activation: relu
    weights:
      - [0.40, 0.21]
      - [-0.50, -0.14]
  - name: out
    activation: sigmoid
    weights:
      - [-1.40, 0.57]
      - [-0.81, -0.32]
"""


def with_line(line_no: int, new: str) -> str:
    """GOOD with its line ``line_no`` (1-based) replaced by ``new`` (which may hold several lines)."""
    lines = GOOD.splitlines()
    lines[line_no - 1] = new
    return "\n".join(lines) + "\n"


# (id, YAML text, expected "line:col: key path: message" fragment as a regular expression)
CASES = [
    ("syntax", "x: [1, 1\ny: [0, 1]\n", r":2:\d+: invalid YAML"),
    ("tab-indent", "x: [1]\n\ty: 2\n", r":2:\d+: invalid YAML"),
    ("top-level-list", "- 1\n- 2\n", r":1:1: expected a config \(a mapping of keys\), got a list"),
    ("top-level-scalar", "hello\n", r":1:1: expected a config .*got the text 'hello'"),
    ("missing-alpha", GOOD.replace("alpha: 0.1\n", ""), r": missing required key 'alpha'"),
    ("missing-weights", GOOD.replace("    weights:\n      - [0.40, 0.21]\n      - [-0.50, -0.14]\n", ""),
     r":5:\d+: layers\[0\]: missing required key 'weights'"),
    ("unknown-key", with_line(3, "alpah: 0.1"), r":3:1: alpah: unknown key; did you mean 'alpha'\?"),
    ("unknown-layer-key", with_line(6, "    activaton: relu"),
     r":6:5: layers\[0\]\.activaton: unknown key; did you mean 'activation'\?"),
    ("string-number", with_line(1, 'x: [1, "one"]'), r":1:8: x\[1\]: expected a number, got the text 'one'"),
    ("boolean", with_line(3, "alpha: true"), r":3:8: alpha: expected a number, got a boolean \(true\)"),
    ("yes-is-text", GOOD + "update_bias: yes\n",
     r"update_bias: expected true or false, got the text 'yes' \(YAML 1.2 reads it as text\)"),
    ("null", with_line(3, "alpha:"), r":3:\d+: alpha: expected a number, got nothing \(null\)"),
    ("nested-list", with_line(8, "      - [0.40, [0.21]]"),
     r":8:\d+: layers\[0\]\.weights\[0\]\[1\]: expected a number, got a list of 1"),
    ("ragged", with_line(9, "      - [-0.50]"),
     r":9:9: layers\[0\]\.weights\[1\]: expected 2 columns .*got 1"),
    ("width-chain", with_line(13, "      - [-1.40, 0.57, 1.0]"),
     r":13:9: layers\[1\]\.weights\[0\]: expected 2 columns \(the width of layer 'hid'\), got 3"),
    ("output-width", with_line(2, "y: [0, 1, 1]"),
     r":2:4: y: expected 2 numbers per sample \(the width of the output layer 'out'\), got 3"),
    ("duplicate-layer-name", GOOD.replace("name: out", "name: hid"),
     r":10:\d+: layers\[1\]\.name: duplicate layer name 'hid'"),
    ("unknown-activation", GOOD.replace("activation: sigmoid", "activation: sigmod"),
     r":11:\d+: layers\[1\]\.activation: expected one of .*got the text 'sigmod'; did you mean 'sigmoid'\?"),
    ("unknown-loss", GOOD + "loss: squared\n", r"loss: expected one of sse, half_sse, mse"),
    ("nan", with_line(1, "x: [1, .nan]"), r":1:8: x\[1\]: expected a finite number, got nan"),
    ("inf", with_line(1, "x: [1, -.inf]"), r":1:8: x\[1\]: expected a finite number, got -inf"),
    ("1e400", with_line(3, "alpha: 1e400"), r":3:8: alpha: expected a finite number, got inf"),
    ("negative-alpha", with_line(3, "alpha: -0.1"), r":3:8: alpha: expected a number ≥ 0, got -0.1"),
    ("python-tag", with_line(1, 'x: !!python/object/apply:os.system ["echo owned > owned.txt"]'),
     r":1:\d+: x: the YAML tag '!!python/object/apply:os.system' is not allowed"),
    ("python-name-tag", with_line(3, "alpha: !!python/name:os.getcwd ''"),
     r":3:\d+: alpha: the YAML tag '!!python/name:os.getcwd' is not allowed"),
    ("duplicate-key", with_line(3, "alpha: 0.1\nalpha: 0.2"), r":4:1: duplicate key 'alpha'"),
    ("date", with_line(3, "alpha: 2024-01-01"), r":3:8: alpha: expected a number, got a date"),
    ("x-y-forms", with_line(1, "x: [[1, 1]]"), r"y: expected the same form as x"),
    ("empty-layers", GOOD.split("layers:")[0] + "layers: []\n", r"layers: expected a non-empty list of layers"),
    ("softmax-hidden", GOOD.replace("activation: relu", "activation: softmax"),
     r"layers\[0\]\.activation: softmax is only allowed in the last layer"),
    ("bias-length", GOOD.replace("      - [-0.50, -0.14]\n", "      - [-0.50, -0.14]\n    bias: [1, 2, 3]\n"),
     r"layers\[0\]\.bias: expected 2 biases \(one per neuron of layer 'hid'\), got 3"),
    ("hand-rounding-type", GOOD + "display:\n  hand_rounding: two\n",
     r"display\.hand_rounding: expected a whole number, got the text 'two'"),
    ("update-bias-type", GOOD + "update_bias: 1\n", r"update_bias: expected true or false, got the number 1"),
    ("loss-list", GOOD + "loss: [sse]\n", r"loss: expected one of sse, .* got a list of 1"),
    ("activation-mapping", GOOD.replace("activation: relu", "activation: {name: relu}"),
     r":6:\d+: layers\[0\]\.activation: expected one of .*got a mapping"),
    ("name-list", GOOD.replace("name: hid", "name: [hid]"), r"layers\[0\]\.name: expected a non-empty name"),
    ("empty-row", with_line(8, "      - []"),
     r":8:\d+: layers\[0\]\.weights\[0\]: expected a row of numbers, got an empty list"),
    ("empty-x-row", with_line(1, "x: [[]]"), r":1:\d+: x\[0\]: expected a row of numbers, got an empty list"),
]


@pytest.mark.parametrize("text, pattern", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_config_gives_one_clear_message(write_config, text, pattern, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write_config(text)
    result = run_cli("run", path)
    assert result.exit_code == 2
    assert result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"bptrace: error: {path}"), result.stderr
    assert re.search(pattern, first), first
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "owned.txt").exists()  # nothing in the YAML was executed


@pytest.mark.parametrize("text, pattern", [c[1:] for c in CASES[:8]], ids=[c[0] for c in CASES[:8]])
def test_validate_reports_the_same_errors(write_config, text, pattern):
    result = run_cli("validate", write_config(text))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert re.search(pattern, result.stderr)


def test_validate_lists_every_error(write_config):
    text = GOOD.replace("alpha: 0.1", "alpha: -1").replace("activation: sigmoid", "activation: sigmod")
    text = text.replace("[0.40, 0.21]", "[0.40, zero]")
    result = run_cli("validate", write_config(text))
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("bptrace: error:")]
    assert len(errors) == 3, result.stderr
    assert any("alpha: expected a number ≥ 0" in e for e in errors)
    assert any("layers[0].weights[0][1]: expected a number" in e for e in errors)
    assert any("layers[1].activation: expected one of" in e for e in errors)
    assert "3 errors" in result.stderr
    # run shows the first and says how many more there are
    result = run_cli("run", write_config(text))
    assert result.exit_code == 2 and "(and 2 more" in result.stderr


def test_empty_file(write_config):
    result = run_cli("run", write_config(""))
    assert result.exit_code == 2
    assert "the config is empty" in result.stderr


def test_missing_file_and_directory(tmp_path):
    result = run_cli("run", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2 and "nope.yaml: no such file" in result.stderr
    result = run_cli("run", str(tmp_path))
    assert result.exit_code == 2 and "is a directory" in result.stderr


def test_binary_file(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_bytes(bytes(range(256)) * 4)
    result = run_cli("run", str(path))
    assert result.exit_code == 2 and "binary file" in result.stderr


def test_not_utf8(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_bytes(b"title: caf\xe9\n")
    result = run_cli("run", str(path))
    assert result.exit_code == 2 and "not UTF-8" in result.stderr


def test_very_large_file_is_refused_without_reading_it_all(tmp_path):
    from backprop_cli.config.loader import MAX_BYTES

    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1024 * 1024)  # sparse: no time spent writing
    result = run_cli("run", str(path))
    assert result.exit_code == 2 and f"larger than {MAX_BYTES // (1024 * 1024)} MB" in result.stderr


def _bomb(levels: int) -> str:
    """YAML anchors a0 … a{levels}: each a list of ten aliases of the one before (10^(levels+1) numbers)."""
    text = "_0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
    for i in range(1, levels + 1):
        text += f"_{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n"
    return text


@pytest.mark.parametrize("where", ["x", "y", "weights", "bias"])
def test_alias_bomb_is_refused_quickly(write_config, where):
    # Ten levels of ten aliases: 10^10 numbers if expanded. It must fail at once, not fill memory.
    parts = {"x": "[1, 1, 1, 1, 1, 1, 1, 1, 1, 1]", "y": "[0]", "weights": "[[1, 1, 1, 1, 1, 1, 1, 1, 1, 1]]",
             "bias": "[0]"}
    parts[where] = "*a9"
    text = _bomb(9) + (f"x: {parts['x']}\ny: {parts['y']}\nalpha: 0.1\nlayers:\n  - activation: relu\n"
                       f"    weights: {parts['weights']}\n    bias: {parts['bias']}\n")
    result = run_cli("validate", write_config(text))
    assert result.exit_code == 2
    assert "_0: unknown key" in result.stderr  # the anchors' own keys are not config keys
    key = {"x": r"x\[0\]\[0\]", "y": r"y\[0\]\[0\]", "weights": r"layers\[0\]\.weights\[0\]\[0\]",
           "bias": r"layers\[0\]\.bias\[0\]"}[where]
    assert re.search(key + r": expected a number, got a list of 10", result.stderr), result.stderr


def test_too_many_parameters(write_config):
    # 3,200 x 3,200 = 10.24 million weights written compactly with an alias: refused with a message.
    from backprop_cli.config.read import MAX_PARAMETERS

    row = "[" + ", ".join(["0"] * 3200) + "]"
    text = (f"x: &r {row}\ny: [0]\nalpha: 0.1\nlayers:\n  - activation: relu\n"
            f"    weights: [{', '.join(['*r'] * 3200)}]\n")
    result = run_cli("validate", write_config(text))
    assert result.exit_code == 2
    assert f"expected at most {MAX_PARAMETERS:,} numbers" in result.stderr


def test_stdin_config_errors_name_stdin():
    result = run_cli("run", "-", input="x: [1\n")
    assert result.exit_code == 2
    assert result.stderr.startswith("bptrace: error: <stdin>:2:1: invalid YAML")


@pytest.mark.slow
def test_real_process_never_shows_a_traceback(tmp_path):
    """The installed entry point, not only CliRunner: broken YAML on stdin gives exit 2 and one line."""
    proc = subprocess.run([sys.executable, "-m", "backprop_cli", "run", "-"], input="x: [1\n",
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
