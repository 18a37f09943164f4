"""Step mode in a real pseudo-terminal: single key presses without Enter, as a student types them.

Each test starts ``python -m backprop_cli`` under pexpect and reads what the terminal receives. The
timeouts only keep a broken build from hanging the suite; nothing here measures time.
"""

from __future__ import annotations

import os
import re
import sys

import pytest
from conftest import ROOT, default_sigint

pexpect = pytest.importorskip("pexpect")

TIMEOUT = 20
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def spawn(*args: str, command: str | None = None, columns: int = 100):
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "", "NO_COLOR": "", "BPTRACE_DEBUG": ""}
    if command is not None:
        return pexpect.spawn("/bin/sh", ["-c", command], cwd=str(ROOT), env=env, dimensions=(40, columns),
                             encoding="utf-8", timeout=TIMEOUT, preexec_fn=default_sigint)
    return pexpect.spawn(sys.executable, ["-m", "backprop_cli", *args], cwd=str(ROOT), env=env,
                         dimensions=(40, columns), encoding="utf-8", timeout=TIMEOUT, preexec_fn=default_sigint)


def finish(child) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


@pytest.mark.slow
def test_single_keys_move_through_the_phases_without_enter():
    child = spawn("run", "configs/handout.yaml", "--step")
    child.expect("Forward pass — 1 of 6 · n/Enter: next · b: back · a: all · q: quit")
    assert "J(Θ) = (0.30 − 0)² + (0.38 − 1)² = 0.47" in ANSI.sub("", child.before)
    assert not child.getecho()  # cbreak mode: keys are neither echoed nor held back for a line
    child.send("n")
    child.expect("Step 1 — 2 of 6")
    # The status line was erased before the phase was printed over it.
    assert 0 <= child.before.find("\r\x1b[2K") < child.before.find("Step 1) Error gradient in the output layer")
    child.send("b")
    child.expect("Forward pass — 1 of 6")
    assert "Preactivation p" in ANSI.sub("", child.before)
    child.send("q")
    assert finish(child) == 0


@pytest.mark.slow
def test_a_shows_the_rest_and_the_terminal_is_restored():
    child = spawn("run", "configs/handout.yaml", "--step", "--explain", columns=80)
    child.expect("1 of 6")
    child.send("a")
    child.expect(pexpect.EOF)
    screen = ANSI.sub("", child.before)
    assert "Why: Step 4" in screen and "No gradient flows through n2[hid]" in screen
    assert "J(Θ) after the update = 0.47" in screen
    assert child.getecho()  # echo is back on: the terminal settings were restored
    child.close()
    assert child.exitstatus == 0


@pytest.mark.slow
def test_ctrl_c_restores_the_terminal_and_exits_130():
    child = spawn("run", "configs/handout.yaml", "--step")
    child.expect("1 of 6")
    child.sendintr()
    child.expect("bptrace: interrupted")
    rest = child.before
    child.expect(pexpect.EOF)
    assert "Traceback" not in rest + child.before
    assert child.getecho()
    child.close()
    assert child.exitstatus == 130


@pytest.mark.slow
def test_config_on_stdin_reads_keys_from_the_terminal():
    child = spawn(command=f"cat configs/handout.yaml | {sys.executable} -m backprop_cli run - --step")
    child.expect("Forward pass — 1 of 6")
    child.send("n")
    child.expect("Step 1 — 2 of 6")
    child.send("q")
    assert finish(child) == 0
