"""The Python API as the README shows it: its example runs as written and prints what it says."""

from __future__ import annotations

import doctest
import os

import pytest
from conftest import CONFIGS, ROOT

import backprop_cli as bptrace


def readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_readme_python_api_example_runs_and_reproduces_the_handout():
    example = readme_section("Python API").split("```python\n", 1)[1].split("```", 1)[0]
    assert "(0.077, -1.4077)" in example  # the handout's Step 3 and Step 5
    test = doctest.DocTestParser().get_doctest(example, {}, "README Python API", "README.md", 0)
    assert len(test.examples) >= 6
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    cwd = os.getcwd()
    os.chdir(ROOT)  # the example names configs/ relative to the project
    try:
        runner.run(test)
    finally:
        os.chdir(cwd)
    assert runner.summarize(verbose=False).failed == 0


def test_the_config_hand_rounding_is_honoured_unless_told_otherwise():
    path = CONFIGS / "handout.yaml"
    assert bptrace.run(path).loss == 0.47
    exact = bptrace.run(path, exact=True)
    # J by hand from the config's numbers, in full precision: independent of the engine.
    import math

    def sigmoid(p):
        return 1 / (1 + math.exp(-p))

    hid = [max(0.0, 0.40 + 0.21), max(0.0, -0.50 - 0.14)]
    out = [sigmoid(-1.40 * hid[0] + 0.57 * hid[1]), sigmoid(-0.81 * hid[0] - 0.32 * hid[1])]
    assert math.isclose(exact.loss, (out[0] - 0) ** 2 + (out[1] - 1) ** 2, rel_tol=1e-12)
    assert bptrace.run(path, hand_rounding=3).rounding.digits == 3


def test_to_dict_is_what_the_json_trace_holds():
    import json

    from conftest import run_cli

    printed = json.loads(run_cli("run", str(CONFIGS / "mazur.yaml"), "--format", "json").stdout)
    assert json.loads(json.dumps(bptrace.run(CONFIGS / "mazur.yaml").to_dict())) == printed


@pytest.mark.slow
def test_trained_network_equals_the_saved_one(tmp_path):
    import yaml
    from conftest import run_cli

    saved = tmp_path / "trained.yaml"
    assert run_cli("run", str(CONFIGS / "xor.yaml"), "--epochs", "5", "--save-updated", str(saved)).exit_code == 0
    trained = bptrace.run(CONFIGS / "xor.yaml", epochs=5).trained
    data = yaml.safe_load(saved.read_text())
    assert [layer.weights.tolist() for layer in trained.layers] == [l["weights"] for l in data["layers"]]




@pytest.mark.parametrize("wrong", ["config", 0, 16, True, 2.5])
def test_the_api_refuses_a_hand_rounding_the_command_line_would(wrong):
    from backprop_cli.errors import BptraceError

    with pytest.raises(BptraceError, match="hand_rounding: expected a whole number from 1 to 15"):
        bptrace.run(CONFIGS / "handout.yaml", hand_rounding=wrong)
