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
