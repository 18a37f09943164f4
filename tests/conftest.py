"""Shared functions for the tests: running the command line in-process and reading golden files; and the
rule for the tests that run an external program (the markers pdflatex, poppler, chromium and node)."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner

from backprop_cli.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"
GOLDEN = Path(__file__).resolve().parent / "golden"

# The markers of the tests that run an external program: the programs each needs, and where they come from.
TOOLS = {
    "pdflatex": (("pdflatex",), "TeX Live (texlive-latex-base, texlive-latex-recommended, texlive-pictures)"),
    "poppler": (("pdftotext", "pdfinfo"), "poppler-utils"),
    "chromium": (("chromium",), "chromium"),
    "node": (("node",), "Node.js (nodejs) and the packages of tests/js (npm ci --prefix tests/js)"),
}
# The packages of tests/js/package.json that the node marker needs besides node itself.
NODE_PACKAGES = ROOT / "tests" / "js" / "node_modules"
NODE_NEEDS = ("katex", "mathjax-full")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """A test marked with a program missing from PATH is skipped, with one line saying what to install;
    where the environment variable CI is set (and not empty) it fails with that line instead, so that a
    CI machine without the program never passes by skipping."""
    missing, installs = [], []
    for marker, (programs, install) in TOOLS.items():
        if item.get_closest_marker(marker) is not None:
            absent = [program for program in programs if shutil.which(program) is None]
            if marker == "node":
                absent += [f"tests/js/node_modules/{name}" for name in NODE_NEEDS
                           if not (NODE_PACKAGES / name).is_dir()]
            if absent:
                missing += absent
                installs.append(install)
    if missing:
        reason = f"{', '.join(missing)} not found; install {', '.join(installs)} as .ci/run does"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so a missing program is a failure", pytrace=False)
        pytest.skip(reason)


def run_cli(*args: str, input: str | None = None, env: dict | None = None):
    """Invoke ``bptrace`` in-process; stdout and stderr are kept apart."""
    runner = CliRunner()
    environment = {"COLUMNS": "100", "NO_COLOR": "1", "BPTRACE_DEBUG": ""}
    environment.update(env or {})
    return runner.invoke(cli, list(args), input=input, env=environment, catch_exceptions=False)


def default_sigint() -> None:
    """``preexec_fn`` of every child process a test starts: Ctrl-C (SIGINT) handled as a terminal delivers
    it. A suite run as a background job inherits SIGINT ignored, and a Python started so never raises
    KeyboardInterrupt, which the Ctrl-C tests are about."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def check_golden(name: str, actual: str) -> None:
    """Compare ``actual`` with tests/golden/NAME; BPTRACE_UPDATE_GOLDEN=1 rewrites the file instead."""
    path = GOLDEN / name
    if os.environ.get("BPTRACE_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from {path} (BPTRACE_UPDATE_GOLDEN=1 rewrites it after review)"


@pytest.fixture
def write_config(tmp_path):
    """Write YAML text to a file in a temporary folder and return its path as text."""

    def write(text: str, name: str = "config.yaml") -> str:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write
