"""The package as users install it: a plain (non-editable) wheel carries the templates and schemas.

A failed build is a failure of the test, except where pip could not reach the package index for the
build requirements (a machine without network): that alone is a skip.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile

import pytest
from conftest import CONFIGS, ROOT

# What pip prints when the package index cannot be reached (urllib3, requests and socket errors).
UNREACHABLE = re.compile(
    r"NewConnectionError|Failed to establish a new connection|Temporary failure in name resolution"
    r"|Name or service not known|Network is unreachable|No route to host|Connection refused"
    r"|ConnectTimeoutError|ReadTimeoutError|ProxyError|Max retries exceeded|SSLError"
)


def index_unreachable(output: str) -> bool:
    """Whether pip's output says the package index could not be reached, as opposed to a build error."""
    return UNREACHABLE.search(output) is not None


def build_wheel(source, target) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(target), str(source)],
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_wheel_carries_templates_and_schemas(tmp_path):
    # Built from a copy: setuptools writes build/ and *.egg-info beside the sources it builds.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv", ".ci-venv", "build", "*.egg-info",
                                                                "__pycache__", ".pytest_cache", ".hypothesis"))
    proc = build_wheel(source, tmp_path)
    if proc.returncode != 0:
        output = proc.stdout + proc.stderr
        if index_unreachable(output):
            pytest.skip(f"the package index is unreachable: {output.strip().splitlines()[-1:]}")
        pytest.fail(f"pip wheel failed:\n{output}")
    wheel = next(tmp_path.glob("bptrace-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for config in CONFIGS.glob("*.yaml"):
        assert f"backprop_cli/templates/{config.name}" in names
    assert "backprop_cli/schemas/config.schema.json" in names
    assert "backprop_cli/schemas/trace-v1.schema.json" in names
    assert "backprop_cli/schemas/check-v2.schema.json" in names
    assert "backprop_cli/course/check/marking.py" in names
    modules = {path.relative_to(ROOT).as_posix() for path in (ROOT / "backprop_cli").rglob("*.py")}
    assert modules - names == set()  # every subpackage is listed in pyproject.toml


@pytest.mark.slow
def test_a_broken_pyproject_is_not_taken_for_a_network_error(tmp_path):
    source = tmp_path / "broken"
    source.mkdir()
    (source / "pyproject.toml").write_text('[project\nname = "bptrace"\n', encoding="utf-8")
    proc = build_wheel(source, tmp_path / "wheels")
    assert proc.returncode != 0
    assert not index_unreachable(proc.stdout + proc.stderr), proc.stdout + proc.stderr


@pytest.mark.parametrize("output, unreachable", [
    ("WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection "
     "broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object>: Failed to establish "
     "a new connection: [Errno -3] Temporary failure in name resolution')': /simple/setuptools/\n"
     "ERROR: Could not find a version that satisfies the requirement setuptools>=64", True),
    ("ERROR: Could not find a version that satisfies the requirement setuptools>=64 (from versions: none)\n"
     "ERROR: No matching distribution found for setuptools>=64", False),
    ("error: invalid-pyproject-toml\n× `project.license` must be valid exactly by one definition", False),
])
def test_only_network_errors_count_as_an_unreachable_index(output, unreachable):
    assert index_unreachable(output) is unreachable
