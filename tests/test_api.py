"""The Python API: the rounding it resolves, its dict as the JSON trace, its trained network (its documented
examples run in tests/test_docs.py)."""

from __future__ import annotations

import pytest
from conftest import CONFIGS

import backprop_cli as bptrace


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
