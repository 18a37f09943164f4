"""Golden files: the rendered handout at a fixed width without colour, and its JSON trace, exactly.

After a deliberate change of the layout, review the new output and rewrite the files with
BPTRACE_UPDATE_GOLDEN=1 pytest tests/test_golden.py.
"""

from __future__ import annotations

import json

import pytest

from conftest import CONFIGS, check_golden, run_cli


@pytest.mark.parametrize("width", [80, 120])
def test_handout_table(width):
    result = run_cli("run", str(CONFIGS / "handout.yaml"), "--no-color", env={"COLUMNS": str(width)})
    assert result.exit_code == 0
    assert all(len(line) <= width for line in result.stdout.splitlines())
    check_golden(f"handout-{width}.txt", result.stdout)


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


def test_readme_excerpt_is_real_output():
    """The README's example of the output is cut from what bptrace prints at 80 columns."""
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    excerpt = readme.split("```\nForward pass", 1)[1].split("```", 1)[0]
    printed = "\n".join(line.rstrip() for line in run_cli(
        "run", str(CONFIGS / "handout.yaml"), "--no-color", env={"COLUMNS": "80"}).stdout.splitlines())
    for block in ("Forward pass" + excerpt).strip().split("\n\n"):
        assert block in printed, block
