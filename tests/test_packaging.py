"""The package as users install it: a plain (non-editable) wheel carries the templates and schemas."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from conftest import CONFIGS, ROOT


def test_wheel_carries_templates_and_schemas(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        pytest.skip(f"could not build a wheel here: {proc.stderr.strip().splitlines()[-1:]}")
    wheel = next(tmp_path.glob("bptrace-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for config in CONFIGS.glob("*.yaml"):
        assert f"backprop_cli/templates/{config.name}" in names
    assert "backprop_cli/schemas/config.schema.json" in names
    assert "backprop_cli/schemas/trace-v1.schema.json" in names
