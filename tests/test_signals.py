"""Signals: SIGTERM and SIGHUP end a run as Ctrl-C does, and a Ctrl-C during start-up is quiet.

Each test runs bptrace as a process and signals it. Nothing here measures time: the timeouts only keep
a broken build from hanging the suite.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
from conftest import CONFIGS, ROOT

TIMEOUT = 60
LONG_RUN = ("run", str(CONFIGS / "xor.yaml"), "--epochs", "10000000", "--format", "jsonl")

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")


def _wait_for_output(folder, proc) -> None:
    """Wait until the run has written into a temporary file of ``folder``: the computation is under way."""
    deadline = time.monotonic() + TIMEOUT
    while not any(p.name.endswith(".tmp") and p.stat().st_size > 0 for p in folder.iterdir()):
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, f"no output within {TIMEOUT} s"
        time.sleep(0.02)


@pytest.mark.slow
@pytest.mark.parametrize("signum, status, words", [
    (signal.SIGTERM, 143, "bptrace: terminated (SIGTERM)"),
    (signal.SIGHUP, 129, "bptrace: hung up (SIGHUP)"),
    (signal.SIGINT, 130, "bptrace: interrupted"),
])
def test_a_signal_removes_the_temporary_files_and_keeps_the_originals(tmp_path, signum, status, words):
    trace, saved = tmp_path / "trace.jsonl", tmp_path / "trained.yaml"
    trace.write_text("old trace\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "backprop_cli", *LONG_RUN, "-o", str(trace),
                             "--save-updated", str(saved)],
                            cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_for_output(tmp_path, proc)
        assert len(list(tmp_path.glob(".*.tmp"))) == 2  # the trace's and the saved network's
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        proc.kill()
    assert proc.returncode == status
    assert err == words + "\n" and out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trace.jsonl"]
    assert trace.read_text(encoding="utf-8") == "old trace\n"


# A script that runs bptrace as its entry point does, but makes the import of click (the first heavy
# import) announce itself on stdout and take two seconds: a Ctrl-C there comes before any command runs.
SLOW_START = """
import sys, time
class SlowClick:
    def find_spec(self, name, path=None, target=None):
        if name == "click":
            print("importing click", flush=True)
            time.sleep(2)
        return None
sys.meta_path.insert(0, SlowClick())
sys.argv = ["bptrace", "run", "configs/handout.yaml"]
from backprop_cli.__main__ import main
main()
"""


@pytest.mark.slow
@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_while_starting_up_exits_quietly(signum, status):
    proc = subprocess.Popen([sys.executable, "-c", SLOW_START], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout.readline() == "importing click\n"
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        proc.kill()
    assert proc.returncode == status
    assert "Traceback" not in err and err.count("\n") == 1 and err.startswith("bptrace: ")
    assert out == ""


@pytest.mark.slow
def test_an_ignored_signal_stays_ignored():
    """Under nohup SIGHUP is ignored, and a background job ignores Ctrl-C: bptrace keeps it so."""
    script = ("import signal; signal.signal(signal.SIGHUP, signal.SIG_IGN)\n"
              "from backprop_cli.cli.signals import install; install()\n"
              "print(signal.getsignal(signal.SIGHUP) is signal.SIG_IGN, signal.getsignal(signal.SIGTERM).__name__)")
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.stdout.split() == ["True", "_stop"], proc.stderr


