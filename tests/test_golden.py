"""Golden files: every shipped config rendered at a fixed width without colour, and the handout's JSON
trace, exactly. Adding a case is adding a file (see CASE).

After a deliberate change of the layout, review the new output and rewrite the files with
BPTRACE_UPDATE_GOLDEN=1 pytest tests/test_golden.py.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from conftest import CONFIGS, GOLDEN, check_golden, run_cli

# A case is a file: CONFIG-WIDTH.txt is `bptrace run configs/CONFIG.yaml` at WIDTH columns without colour,
# CONFIG-WIDTH-explain.txt the same with --explain, CONFIG-WIDTH-step.txt step mode with every phase shown.
CASE = re.compile(r"^(?P<config>[\w.]+?)-(?P<width>\d+)(?:-(?P<variant>explain|step))?\.txt$")
VARIANTS = {None: ((), None), "explain": (("--explain",), None), "step": (("--step",), "a\n")}
WIDTHS = (80, 120)


def cases() -> list[str]:
    return sorted(path.name for path in GOLDEN.glob("*.txt") if CASE.match(path.name))


def rendered(config: str, width: int, variant: str | None) -> str:
    args, keys = VARIANTS[variant]
    result = run_cli("run", str(CONFIGS / f"{config}.yaml"), "--no-color", *args, input=keys,
                     env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.stderr
    assert all(len(line) <= width for line in result.stdout.splitlines())
    return result.stdout


# xor.yaml trains for 2,000 epochs: its cases are the slow ones.
@pytest.mark.parametrize("name", [pytest.param(name, marks=pytest.mark.slow) if name.startswith("xor-") else name
                                  for name in cases()])
def test_golden_output(name):
    case = CASE.match(name)
    check_golden(name, rendered(case["config"], int(case["width"]), case["variant"]))


@pytest.mark.parametrize("config", sorted(path.stem for path in CONFIGS.glob("*.yaml")))
def test_every_shipped_config_has_golden_files(config):
    """Tables and --explain at 80 and 120 columns; BPTRACE_UPDATE_GOLDEN=1 writes the missing files."""
    for width in WIDTHS:
        for variant in (None, "explain"):
            name = f"{config}-{width}{'' if variant is None else '-' + variant}.txt"
            if not (GOLDEN / name).exists() and os.environ.get("BPTRACE_UPDATE_GOLDEN") == "1":
                check_golden(name, rendered(config, width, variant))
            assert (GOLDEN / name).exists(), f"{name} is missing"


def test_handout_json():
    result = run_cli("run", str(CONFIGS / "handout.yaml"), "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    check_golden("handout.json", json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def test_bce_table():
    result = run_cli("run", str(CONFIGS / "bce.yaml"), "--no-color", env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.stderr
    assert all(len(line) <= 100 for line in result.stdout.splitlines())
    # rich must not take the formula's brackets for markup
    assert "bce: J(Θ) = −Σ_k [y_k · log z_k + (1 − y_k) · log(1 − z_k)]" in result.stdout
    check_golden("bce.txt", result.stdout)
