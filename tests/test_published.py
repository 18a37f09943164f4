"""Published worked examples, number for number: the course handout and Mazur's 2015 example."""

from __future__ import annotations

import json
import re

import pytest
from conftest import CONFIGS, run_cli


def trace_json(*args: str) -> dict:
    result = run_cli("run", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_handout_numbers_with_hand_rounding():
    it = trace_json(str(CONFIGS / "handout.yaml"))["iterations"][0]
    hid, out = it["samples"][0]["layers"]
    assert hid["p"] == [0.61, -0.64] and hid["z"] == [0.61, 0.0]
    assert out["p"] == [-0.85, -0.49] and out["z"] == [0.30, 0.38]
    assert it["loss"] == 0.47
    assert out["dJ_dz"] == [0.60, -1.24]  # step 1
    assert hid["dJ_dz"][0] == 0.06  # step 2
    assert it["layers"][1]["dJ_dweights"][0][0] == 0.077  # step 3
    assert it["layers"][1]["new_weights"][0][0] == pytest.approx(-1.4077, abs=1e-12)  # step 5


def test_handout_table_prints_the_handouts_numbers():
    result = run_cli("run", str(CONFIGS / "handout.yaml"), env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = result.stdout
    for row in (r"n1\[hid\] │ +0\.61 │ +0\.61 │ ReLU", r"n2\[hid\] │ +−0\.64 │ +0\.00 │ ReLU",
                r"n1\[out\] │ +−0\.85 │ +0\.30 │ Sigmoid σ", r"n2\[out\] │ +−0\.49 │ +0\.38 │ Sigmoid σ"):
        assert re.search(row, text), row
    assert "J(Θ) = (0.30 − 0)² + (0.38 − 1)² = 0.47" in text
    assert re.search(r"2 · \(0\.30 − 0\) +│ +0\.60", text)
    assert re.search(r"2 · \(0\.38 − 1\) +│ +−1\.24", text)
    # Step 2's sum, one term per line as the handout sets it
    assert re.search(r"n1\[hid\] │ \[0\.60 · σ\(−0\.85\)·\(1 − σ\(−0\.85\)\) · \(−1\.40\)\] +│ +0\.06 │\n"
                     r"│ +│ \+ \[−1\.24 · σ\(−0\.49\)·\(1 − σ\(−0\.49\)\) · \(−0\.81\)\] +│", text)
    assert re.search(r"Θ_11\[out\] │ 0\.60 · σ\(−0\.85\)·\(1 − σ\(−0\.85\)\) · 0\.61 +│ +0\.077 ", text)
    assert re.search(r"Θ_11\[out\] │ −1\.40 − 0\.1 · 0\.077 +│ +−1\.4077 ", text)


def test_exact_shows_full_precision():
    result = run_cli("run", str(CONFIGS / "handout.yaml"), "--exact", env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert re.search(r"Θ_11\[out\] │ .* │ +0\.0763 ", result.stdout)
    it = trace_json(str(CONFIGS / "handout.yaml"), "--exact")["iterations"][0]
    assert it["layers"][1]["dJ_dweights"][0][0] == pytest.approx(0.0763, abs=5e-5)
    assert it["layers"][1]["dJ_dweights"][0][0] != 0.077


def test_precision_changes_the_decimals_shown():
    result = run_cli("run", str(CONFIGS / "handout.yaml"), "--exact", "--precision", "6", env={"COLUMNS": "200"})
    assert re.search(r"n1\[out\] │ +−0\.854000 │ +0\.298594 ", result.stdout), result.stdout[:2000]


def test_hand_rounding_option_overrides_the_config():
    it = trace_json(str(CONFIGS / "handout.yaml"), "--hand-rounding", "3")["iterations"][0]
    assert it["samples"][0]["layers"][1]["z"] == [0.299, 0.379]
    assert trace_json(str(CONFIGS / "handout.yaml"), "--hand-rounding", "3")["rounding"] == {
        "precision": 4, "hand_rounding": 3}


def test_mazur_published_numbers():
    it = trace_json(str(CONFIGS / "mazur.yaml"))["iterations"][0]
    assert it["loss"] == pytest.approx(0.298371109, abs=1e-9)  # E_total
    hid, out = it["samples"][0]["layers"]
    assert hid["z"] == pytest.approx([0.593269992, 0.596884378], abs=1e-9)  # out_h1, out_h2
    assert out["z"] == pytest.approx([0.75136507, 0.772928465], abs=1e-8)  # out_o1, out_o2
    new_out = it["layers"][1]["new_weights"]
    assert sum(new_out, []) == pytest.approx([0.35891648, 0.408666186, 0.511301270, 0.561370121], abs=1e-8)  # w5-w8
    new_hid = it["layers"][0]["new_weights"]
    assert sum(new_hid, []) == pytest.approx([0.149780716, 0.19956143, 0.24975114, 0.29950229], abs=1e-8)  # w1-w4
    assert it["layers"][0]["new_bias"] == 0.35 and it["layers"][1]["new_bias"] == 0.60  # frozen


def test_deep_network_runs_and_learns():
    it = trace_json(str(CONFIGS / "deep.yaml"))["iterations"][0]
    assert [l["name"] for l in it["layers"]] == ["hid1", "hid2", "hid3", "out"]
    assert it["loss_after"] < it["loss"]
