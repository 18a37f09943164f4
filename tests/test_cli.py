"""The command line as a user meets it: help, version, every command, output files, pipes, signals."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import click
import jsonschema
import pytest
import yaml
from conftest import CONFIGS, ROOT, default_sigint, run_cli

from backprop_cli import __version__
from backprop_cli.cli.main import cli
from backprop_cli.schemas import load_schema

SHIPPED = sorted(CONFIGS.glob("*.yaml"))


@pytest.mark.parametrize("command", [[]] + [[name] for name in cli.list_commands(click.Context(cli))])
def test_every_command_has_help_with_an_example(command):
    result = run_cli(*command, "--help")
    assert result.exit_code == 0
    assert "Usage: " in result.stdout
    assert "Example" in result.stdout
    assert "bptrace " in result.stdout


def test_version():
    result = run_cli("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"bptrace {__version__}"


def test_unknown_option_is_a_usage_error():
    result = run_cli("run", str(CONFIGS / "handout.yaml"), "--frobnicate")
    assert result.exit_code == 2 and "No such option" in result.stderr and result.stdout == ""


def test_exact_and_hand_rounding_together_is_a_usage_error():
    result = run_cli("run", str(CONFIGS / "handout.yaml"), "--exact", "--hand-rounding", "2")
    assert result.exit_code == 2 and "contradict" in result.stderr


def test_validate_prints_a_summary():
    result = run_cli("validate", str(CONFIGS / "mazur.yaml"))
    assert result.exit_code == 0
    assert "mazur.yaml: valid" in result.stdout
    assert "2 inputs → 2 Sigmoid σ [hid, shared bias] → 2 Sigmoid σ [out, shared bias]" in result.stdout
    assert "parameters: 10" in result.stdout
    assert "biases kept fixed" in result.stdout


def test_init_lists_and_writes_templates(tmp_path):
    result = run_cli("init", "--list")
    names = result.stdout.split()
    assert names[0] == "handout" and {"mazur", "deep"} <= set(names)
    result = run_cli("init")
    assert result.stdout == (CONFIGS / "handout.yaml").read_text(encoding="utf-8")
    target = tmp_path / "net.yaml"
    assert run_cli("init", "mazur", "-o", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8") == (CONFIGS / "mazur.yaml").read_text(encoding="utf-8")
    result = run_cli("init", "deep", "-o", str(target))
    assert result.exit_code == 2 and "exists" in result.stderr
    assert "Mazur" in target.read_text(encoding="utf-8")  # untouched
    assert run_cli("init", "deep", "-o", str(target), "--force").exit_code == 0
    assert "hid3" in target.read_text(encoding="utf-8")
    result = run_cli("init", "nonesuch")
    assert result.exit_code == 2 and "unknown template" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_config_validates_against_the_config_schema(path):
    schema = json.loads(run_cli("schema").stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)
    assert run_cli("validate", str(path)).exit_code == 0


def test_config_schema_rejects_what_bptrace_rejects():
    schema = load_schema("config")
    data = yaml.safe_load((CONFIGS / "handout.yaml").read_text(encoding="utf-8"))
    data["alpah"] = 0.1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


@pytest.mark.slow
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_json_output_validates_against_the_trace_schema(path):
    result = run_cli("run", str(path), "--format", "json", "--epochs", "3")  # a few updates prove the shape
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, load_schema("trace"))
    assert document["schema"] == "bptrace/trace-v1" and document["version"] == __version__
    assert json.loads(run_cli("schema", "--trace").stdout) == load_schema("trace")


@pytest.mark.slow
def test_trace_schema_is_strict_enough_to_fail():
    document = json.loads(run_cli("run", str(CONFIGS / "handout.yaml"), "--format", "json").stdout)
    del document["iterations"][0]["samples"][0]["layers"][0]["dJ_dp"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, load_schema("trace"))


def test_config_from_stdin():
    text = (CONFIGS / "handout.yaml").read_text(encoding="utf-8")
    piped = run_cli("run", "-", "--format", "json", input=text)
    direct = run_cli("run", str(CONFIGS / "handout.yaml"), "--format", "json")
    assert piped.exit_code == 0
    assert json.loads(piped.stdout)["iterations"] == json.loads(direct.stdout)["iterations"]


def test_output_file_is_written_whole(tmp_path):
    target = tmp_path / "trace.json"
    result = run_cli("run", str(CONFIGS / "handout.yaml"), "--format", "json", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["schema"] == "bptrace/trace-v1"
    table = tmp_path / "trace.txt"
    assert run_cli("run", str(CONFIGS / "handout.yaml"), "-o", str(table)).exit_code == 0
    text = table.read_text(encoding="utf-8")
    assert "Step 5) Update" in text and "\x1b[" not in text  # no colour codes in a file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trace.json", "trace.txt"]  # no temporary left


def test_failed_run_leaves_no_file_and_keeps_an_old_one(tmp_path, monkeypatch):
    target = tmp_path / "trace.jsonl"
    bad = tmp_path / "bad.yaml"
    bad.write_text("x: [1\n", encoding="utf-8")
    assert run_cli("run", str(bad), "-o", str(target)).exit_code == 2
    assert not target.exists()
    target.write_text("old content\n", encoding="utf-8")

    from backprop_cli.engine import backprop as engine

    original = engine.Network.step

    def failing_step(self, number, epoch, indices):
        if number == 2:
            raise RuntimeError("simulated failure in the middle of a run")
        return original(self, number, epoch, indices)

    monkeypatch.setattr(engine.Network, "step", failing_step)
    config = tmp_path / "three.yaml"
    config.write_text((CONFIGS / "handout.yaml").read_text(encoding="utf-8") + "epochs: 3\n", encoding="utf-8")
    result = run_cli("run", str(config), "--format", "jsonl", "-o", str(target))
    assert result.exit_code == 1 and "simulated failure" in result.stderr
    assert target.read_text(encoding="utf-8") == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "three.yaml", "trace.jsonl"]


def test_unexpected_errors_are_one_line_unless_debugging(monkeypatch):
    from backprop_cli.engine import backprop as engine

    def broken(self, *args):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(engine.Network, "step", broken)
    result = run_cli("run", str(CONFIGS / "handout.yaml"))
    assert result.exit_code == 1
    assert result.stderr.startswith("bptrace: error: unexpected ZeroDivisionError: boom")
    assert "Traceback" not in result.stderr
    result = run_cli("run", str(CONFIGS / "handout.yaml"), env={"BPTRACE_DEBUG": "1"})
    assert "Traceback" in result.stderr


def test_debug_flag_shows_the_traceback_of_an_unexpected_error(monkeypatch):
    from backprop_cli.engine import backprop as engine

    def broken(self, *args):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(engine.Network, "step", broken)
    result = run_cli("--debug", "run", str(CONFIGS / "handout.yaml"))
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "ZeroDivisionError: boom" in result.stderr
    assert "bptrace: error: unexpected ZeroDivisionError: boom" in result.stderr
    assert result.stdout == ""


def test_numbers_may_be_written_in_exponent_form(write_config):
    # YAML 1.1, which PyYAML reads, takes 1e-3 (no dot) for a string; the README promises a number.
    path = write_config("x: [1, 1]\ny: [0]\nalpha: 1e-3\nlayers:\n"
                        "  - activation: identity\n    weights: [[2.5E+1, -1E0]]\n    bias: 5e-1\n")
    result = run_cli("run", path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    config = json.loads(result.stdout)["config"]
    assert config["alpha"] == 0.001
    assert config["layers"][0]["weights"] == [[25.0, -1.0]]
    assert config["layers"][0]["bias"] == 0.5
    assert run_cli("validate", path).exit_code == 0


def _bptrace(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "backprop_cli", *args], cwd=ROOT, text=True,
                            preexec_fn=default_sigint,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


@pytest.mark.slow
def test_closed_pipe_ends_quietly():
    pipeline = f"'{sys.executable}' -m backprop_cli run configs/handout.yaml --format json | head -c 20"
    proc = subprocess.run(["bash", "-c", pipeline], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.stdout == '{"schema": "bptrace/'
    assert proc.stderr == ""


def _proc_state(pid: int) -> tuple[str, str] | None:
    """The scheduler state (R, S, ...) and the kernel function a process sleeps in, from /proc; None
    where there is no /proc (or the process has gone)."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
        wchan = Path(f"/proc/{pid}/wchan").read_text().strip()
    except OSError:
        return None
    return stat_line.rsplit(")", 1)[1].split()[0], wchan


def _wait_until_reading_stdin(proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """Wait until ``proc`` sleeps in a read of a pipe: its stdin, the only pipe it reads, which it
    reads for the config only after start-up (every import done, the handler of Ctrl-C in place).
    Where the kernel does not name the function (wchan "0"), a sleep that lasts 2 s in a row is the
    sign; without /proc, a generous pause."""
    if _proc_state(proc.pid) is None:
        time.sleep(5)
        return
    deadline = time.monotonic() + timeout
    asleep_since = None
    while time.monotonic() < deadline:
        assert proc.poll() is None, "bptrace ended before reading its config"
        state = _proc_state(proc.pid)
        if state is not None:
            if state[0] == "S" and "pipe" in state[1]:
                return
            if state[0] == "S" and state[1] in ("", "0"):
                asleep_since = asleep_since or time.monotonic()
                if time.monotonic() - asleep_since >= 2:
                    return
            else:
                asleep_since = None
        time.sleep(0.02)
    pytest.fail(f"bptrace did not wait for its config on stdin within {timeout} s")


@pytest.mark.slow
def test_ctrl_c_exits_130_without_a_traceback():
    proc = _bptrace("run", "-", stdin=subprocess.PIPE)  # waits for the config on stdin
    try:
        _wait_until_reading_stdin(proc)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert "Traceback" not in err and "interrupted" in err


LONG_RUN = ("run", str(CONFIGS / "xor.yaml"), "--epochs", "10000000", "--format", "jsonl")


@pytest.mark.slow
def test_ctrl_c_in_a_long_computation_exits_130():
    # Unbuffered, so that readline() takes no more than the first line and communicate() gets the rest.
    proc = subprocess.Popen([sys.executable, "-m", "backprop_cli", *LONG_RUN], cwd=ROOT, bufsize=0,
                            preexec_fn=default_sigint,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        first = proc.stdout.readline()  # the computation is under way
        assert json.loads(first)["iteration"] == 1
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert "Traceback" not in err.decode() and "interrupted" in err.decode()
    for line in out.decode().splitlines()[:-1]:  # whole lines; the last may be cut by the interruption
        json.loads(line)


@pytest.mark.slow
def test_ctrl_c_in_a_long_computation_leaves_no_file(tmp_path):
    target = tmp_path / "trace.jsonl"
    proc = _bptrace(*LONG_RUN, "-o", str(target))
    try:
        deadline = time.monotonic() + 60
        # The lines go to a temporary file beside the target until the run ends: wait for the first.
        while not any(p.stat().st_size > 0 for p in tmp_path.iterdir() if p.is_file()):
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline, "no output within 60 s"
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert "Traceback" not in err and "interrupted" in err
    assert out == ""
    assert list(tmp_path.iterdir()) == []  # neither the target nor a temporary file


@pytest.mark.slow
def test_colour_only_when_asked_or_on_a_terminal():
    plain = run_cli("run", str(CONFIGS / "handout.yaml"), env={"NO_COLOR": ""})
    assert "\x1b[" not in plain.stdout
    forced = run_cli("run", str(CONFIGS / "handout.yaml"), "--color", env={"NO_COLOR": ""})
    assert "\x1b[" in forced.stdout
    honoured = run_cli("run", str(CONFIGS / "handout.yaml"), env={"NO_COLOR": "1", "FORCE_COLOR": ""})
    assert "\x1b[" not in honoured.stdout


def test_output_to_a_device_writes_through_it():
    before = os.stat(os.devnull)
    result = run_cli("run", str(CONFIGS / "handout.yaml"), "--format", "json", "-o", os.devnull)
    assert result.exit_code == 0
    after = os.stat(os.devnull)
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino  # still the device, not a file


def test_output_file_gets_ordinary_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        target = tmp_path / "trace.json"
        assert run_cli("run", str(CONFIGS / "handout.yaml"), "--format", "json", "-o", str(target)).exit_code == 0
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
        target.chmod(0o600)  # an existing file keeps its mode
        assert run_cli("run", str(CONFIGS / "handout.yaml"), "--format", "json", "-o", str(target)).exit_code == 0
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    finally:
        os.umask(mask)


def test_output_through_a_symlink_replaces_the_file_it_points_to(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert run_cli("run", str(CONFIGS / "handout.yaml"), "--format", "json", "-o", str(link)).exit_code == 0
    assert link.is_symlink()
    assert json.loads(real.read_text(encoding="utf-8"))["schema"] == "bptrace/trace-v1"


def test_init_into_a_fifo_writes_through_it(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE, text=True)
    result = run_cli("init", "xor", "-o", str(fifo), "--force")
    out, _ = reader.communicate(timeout=30)
    assert result.exit_code == 0
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still a FIFO
    assert out == (CONFIGS / "xor.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("target, message", [
    ("", "the output file name is empty"),
    ("/dev/full", "/dev/full: cannot write: No space left on device"),
    ("/nonexistent-folder/x.json", "the folder /nonexistent-folder does not exist")])
def test_unwritable_output_is_a_clear_error(target, message):
    if target == "/dev/full" and not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    result = run_cli("run", str(CONFIGS / "handout.yaml"), "--format", "json", "-o", target)
    assert result.exit_code == 2
    assert message in result.stderr and "unexpected" not in result.stderr


@pytest.mark.parametrize("args, message", [
    (["run", "configs/xor.yaml", "--epochs", "0"], "Invalid value for '--epochs'"),
    (["run", "configs/handout.yaml", "-f", "xml"], "'xml' is not one of 'table', 'json', 'jsonl'"),
    (["run"], "Missing argument 'CONFIG'"),
    (["frobnicate"], "No such command 'frobnicate'"),
    (["--frobnicate"], "No such option '--frobnicate'"),
])
def test_usage_errors_are_one_line(args, message):
    result = run_cli(*args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("bptrace: error: ")
    assert message in result.stderr and "--help" in result.stderr


@pytest.mark.slow
def test_output_to_dev_stdout_writes_through_it():
    """-o /dev/stdout into a pipe: the device is written as it is (its real path names no folder)."""
    proc = subprocess.run([sys.executable, "-m", "backprop_cli", "run", "configs/handout.yaml", "-f", "json",
                           "-o", "/dev/stdout"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["schema"] == "bptrace/trace-v1"


@pytest.mark.slow
def test_a_write_that_fails_midway_is_a_clear_error_and_leaves_nothing(tmp_path):
    """A file-size limit hit while writing (as a full disk would be): exit 2, one line, no file left."""
    script = ("import resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048)); "
              "import signal; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
              "from backprop_cli.cli.main import main; "
              "sys.argv = ['bptrace', 'run', 'configs/deep.yaml', '--rows', '0', "
              f"'-o', {str(tmp_path / 'big.txt')!r}]; main()")
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "big.txt: cannot write: File too large" in proc.stderr and "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_symlink_loop_and_missing_folder_are_refused(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    result = run_cli("run", str(CONFIGS / "handout.yaml"), "-o", str(tmp_path / "a"))
    assert result.exit_code == 2 and "cannot write" in result.stderr
    assert (tmp_path / "a").is_symlink()
    result = run_cli("run", str(CONFIGS / "handout.yaml"), "-o", str(tmp_path / "new") + os.sep)
    assert result.exit_code == 2 and "the folder does not exist" in result.stderr
    assert not (tmp_path / "new").exists()


@pytest.mark.slow
def test_json_is_indented_on_a_terminal_and_compact_in_a_pipe():
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "backprop_cli", "run", "configs/handout.yaml", "-f", "json"],
                            cwd=ROOT, stdout=follower, stderr=subprocess.PIPE)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(leader)
    on_terminal = b"".join(chunks).decode("utf-8").replace("\r\n", "\n")
    assert proc.returncode == 0
    assert on_terminal.startswith('{\n  "schema": "bptrace/trace-v1"')
    piped = run_cli("run", str(CONFIGS / "handout.yaml"), "-f", "json").stdout
    assert piped.count("\n") == 1 and json.loads(piped) == json.loads(on_terminal)
