"""Options as a user meets them: --debug anywhere, options that would do nothing together refused, a config
awaited on a terminal said so, and a reader that leaves early (| head) ending every format quietly with 141."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
import yaml
from conftest import CONFIGS, ROOT, default_sigint, run_cli

from backprop_cli.errors import ExitStatus

HANDOUT = str(CONFIGS / "handout.yaml")


@pytest.mark.parametrize("args", [["--debug", "run", HANDOUT], ["run", HANDOUT, "--debug"],
                                  ["run", "--debug", HANDOUT]])
def test_debug_shows_the_traceback_wherever_it_is_given(monkeypatch, args):
    import backprop_cli.cli.run as runner  # the command calls execute by the name it imported

    def broken(*_, **__):
        raise RuntimeError("a bug")

    monkeypatch.setattr(runner, "execute", broken)
    result = run_cli(*args)
    assert result.exit_code == ExitStatus.FAILURE
    assert "Traceback" in result.stderr and "RuntimeError: a bug" in result.stderr


@pytest.mark.parametrize("args, reason", [
    (["--rows", "3", "--format", "json"],
     "--rows works on the tables and documents; it cannot be combined with --format json"),
    (["--rows", "0", "--format", "jsonl"], "--rows works on the tables"),
    (["--width", "90", "--format", "json"], "--width works on the tables"),
    (["--working", "--format", "jsonl"], "--working works on the tables"),
    (["--color", "-o", "out.txt"], "--color colours the tables on standard output; a file written with --output "
                                   "never holds colour codes"),
    (["--color", "--format", "json"], "--color colours the tables; --format json has no colour"),
    (["--precision", "1"], "--precision 1 changes nothing with hand rounding to 2"),
    (["--precision", "2", "--hand-rounding", "3"], "--precision 2 changes nothing with hand rounding to 3"),
    (["--width", "10"], "Invalid value for '--width'"),
])
def test_options_that_would_do_nothing_are_refused(tmp_path, args, reason):
    result = run_cli("run", HANDOUT, *[str(tmp_path / a) if a == "out.txt" else a for a in args])
    assert result.exit_code == ExitStatus.USAGE and result.stdout == ""
    assert reason in result.stderr and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "out.txt").exists()


@pytest.mark.slow
@pytest.mark.parametrize("args", [["--no-color", "-o", "out.txt"], ["--precision", "6"],
                                  ["--precision", "2", "--exact"], ["--format", "json", "--precision", "6"],
                                  ["--rows", "0", "--width", "60"]])
def test_options_that_do_something_are_accepted(tmp_path, args):
    result = run_cli("run", HANDOUT, *[str(tmp_path / a) if a == "out.txt" else a for a in args])
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("args, reason", [
    (["schema", "--trace", "--config"], "--trace and --config each pick one schema"),
    (["schema", "--check", "--trace"], "--trace and --check each pick one schema"),
    (["init", "--list", "mazur"], "--list lists the templates and writes none"),
    (["init", "--list", "-o", "x.yaml"], "--list lists the templates and writes none"),
])
def test_other_commands_refuse_options_that_contradict(args, reason):
    result = run_cli(*args)
    assert result.exit_code == ExitStatus.USAGE and reason in result.stderr and result.stdout == ""


def test_init_lists_each_template_with_its_title():
    lines = run_cli("init", "--list").stdout.splitlines()
    names = [line.split()[0] for line in lines]
    assert names[0] == "handout" and sorted(names) == sorted(p.stem for p in CONFIGS.glob("*.yaml"))
    for line in lines:
        title = yaml.safe_load((CONFIGS / f"{line.split()[0]}.yaml").read_text(encoding="utf-8"))["title"]
        assert line.split(None, 1)[1] == title
    assert len({line.index(line.split()[1]) for line in lines}) == 1  # the titles in one column


@pytest.mark.slow
def test_a_config_awaited_on_a_terminal_is_said_so():
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "COLUMNS": "", "NO_COLOR": "1", "BPTRACE_DEBUG": ""}
    child = pexpect.spawn(sys.executable, ["-m", "backprop_cli", "run", "-", "--format", "json"], cwd=str(ROOT),
                          env=env, encoding="utf-8", timeout=30, preexec_fn=default_sigint)
    child.expect("reading the config from standard input: type or paste the YAML, then Ctrl-D")
    child.send((CONFIGS / "handout.yaml").read_text(encoding="utf-8"))
    child.sendeof()
    child.expect('"loss_after"')
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def _big_config(tmp_path) -> str:
    """A network whose every output is far larger than a pipe holds (64 KiB)."""
    rng = np.random.default_rng(7)
    data = {"x": [[0.1] * 40] * 8, "y": [[0.5] * 40] * 8, "alpha": 0.01, "epochs": 30,
            "layers": [{"activation": "tanh", "weights": np.round(rng.uniform(-1, 1, (40, 40)), 2).tolist()},
                       {"activation": "sigmoid", "weights": np.round(rng.uniform(-1, 1, (40, 40)), 2).tolist()}]}
    path = tmp_path / "big.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


@pytest.mark.slow
@pytest.mark.parametrize("args", [["--rows", "0"], ["--format", "json"], ["--format", "jsonl"],
                                  ["--rows", "0", "-o", "/dev/stdout"], ["--format", "jsonl", "-o", "/dev/stdout"],
                                  ["--rows", "0", "--step"]])
def test_a_reader_that_leaves_ends_every_format_quietly_with_141(tmp_path, args):
    command = " ".join([f"'{sys.executable}'", "-m", "backprop_cli", "run", _big_config(tmp_path), *args])
    if "--step" in args:
        command = f"yes '' | {command}"  # keys for every phase
    proc = subprocess.run(["bash", "-c", f"{command} | head -c 100 > /dev/null; echo ${{PIPESTATUS[-2]}}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, preexec_fn=default_sigint)
    assert proc.stdout.strip() == str(ExitStatus.CLOSED_PIPE)
    assert [line for line in proc.stderr.splitlines() if not line.startswith(("Forward pass", "Step", "Weights"))] == []


@pytest.mark.slow
def test_help_into_a_reader_that_leaves_ends_quietly_too():
    proc = subprocess.run(["bash", "-c", f"'{sys.executable}' -m backprop_cli run --help | head -c 1 > /dev/null"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, preexec_fn=default_sigint)
    assert proc.stderr == ""
