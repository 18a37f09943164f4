"""Streams and terminals: the JSON document written as a stream, keys read in bounded pieces, output to
full, closed and non-UTF-8 streams, nonsense terminal widths and control characters in names.

Whole processes run where only a real process shows the behaviour (a closed descriptor, /dev/full, the
encoding Python gives its streams); everything else runs in-process.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import CONFIGS, ROOT, default_sigint, run_cli

from backprop_cli.cli.main import cli
from backprop_cli.config.read import load_config
from backprop_cli.engine.backprop import trace
from backprop_cli.environment import columns_of, printable, settle_size
from backprop_cli.errors import BptraceError
from backprop_cli.render import step
from backprop_cli.render.json import iteration_data, trace_head, write_json

ADAM_XOR = (CONFIGS / "xor.yaml").read_text(encoding="utf-8").replace("alpha:", "optimizer: adam\nalpha:", 1)


# --------------------------------------------------------------------------------------------------
# --format json as a stream


@pytest.mark.parametrize("pretty", [False, True])
@pytest.mark.parametrize("text, epochs", [
    ((CONFIGS / "handout.yaml").read_text(encoding="utf-8"), 1),
    ((CONFIGS / "softmax.yaml").read_text(encoding="utf-8").replace("title:", "title: Ünïcødé →", 1), 2),
    (ADAM_XOR, 3),
])
def test_the_streamed_document_is_what_json_dumps_gives_for_the_whole(write_config, text, epochs, pretty):
    from dataclasses import replace

    config = replace(load_config(write_config(text)), epochs=epochs)
    out = io.StringIO()
    write_json(out, config, trace(config), 4, None, pretty=pretty)
    whole = {**trace_head(config, 4, None), "iterations": [iteration_data(it) for it in trace(config)]}
    expected = json.dumps(whole, allow_nan=False, ensure_ascii=False, indent=2 if pretty else None) + "\n"
    assert out.getvalue() == expected
    assert len(json.loads(out.getvalue())["iterations"]) == epochs
    assert ("adam" in text) == ('"state": {' in out.getvalue())  # the optimizer's state is framed too


def test_each_iteration_is_written_and_flushed_before_the_next_is_computed():
    config = load_config(str(CONFIGS / "xor.yaml"))

    class Recorder(io.StringIO):
        flushed = ""

        def flush(self):
            self.flushed = self.getvalue()

    out = Recorder()
    seen = []

    def iterations():
        for it in trace(config):
            if it.number > 1:  # the update before is already out, whole
                seen.append(out.flushed.count('{"iteration": '))
            yield it
            if it.number == 4:
                return

    write_json(out, config, iterations(), 4, None)
    assert seen == [1, 2, 3]
    assert len(json.loads(out.getvalue())["iterations"]) == 4


# --------------------------------------------------------------------------------------------------
# Full and closed streams: one line where one can be written, exit 2 either way

HANDOUT = str(CONFIGS / "handout.yaml")
FULL = "cannot write to standard output: No space left on device"
needs_dev_full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")


def bptrace(*args: str, close: tuple[int, ...] = (), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env: dict | None = None) -> subprocess.CompletedProcess:
    """A whole process of bptrace, with the descriptors in ``close`` closed before it starts (as the
    shell's ``>&-`` does)."""

    def start() -> None:
        default_sigint()
        for fd in close:
            os.close(fd)

    return subprocess.run([sys.executable, "-m", "backprop_cli", *args], cwd=ROOT, stdin=stdin, stdout=stdout,
                          stderr=stderr, preexec_fn=start, timeout=120, env={**os.environ, **(env or {})})


def one_line(data: bytes) -> str:
    text = data.decode("utf-8")
    assert text.count("\n") == 1 and text.startswith("bptrace: error: "), text
    return text


@pytest.mark.slow
@needs_dev_full
@pytest.mark.parametrize("args", [
    ("run", HANDOUT), ("validate", HANDOUT), ("run", HANDOUT, "-f", "jsonl"), ("run", HANDOUT, "-f", "json"),
])
def test_a_full_device_on_stdout_is_one_line_and_exit_2(args):
    with open("/dev/full", "w") as full:
        done = bptrace(*args, stdout=full)
    assert done.returncode == 2 and FULL in one_line(done.stderr)


@pytest.mark.slow
@pytest.mark.parametrize("args", [("run", HANDOUT, "-f", "json"), ("run", HANDOUT), ("validate", HANDOUT)])
def test_a_closed_stdout_is_one_line_and_exit_2(args):
    done = bptrace(*args, close=(1,), stdout=None)
    assert done.returncode == 2 and "cannot write to standard output: it is closed" in one_line(done.stderr)


@pytest.mark.slow
def test_output_to_a_file_needs_no_stdout(tmp_path):
    done = bptrace("run", HANDOUT, "-f", "json", "-o", str(tmp_path / "t.json"), close=(1,), stdout=None)
    assert done.returncode == 0 and done.stderr == b""
    assert json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))["schema"] == "bptrace/trace-v1"


@pytest.mark.slow
@needs_dev_full
def test_a_bad_config_exits_2_when_stderr_is_full_or_closed(tmp_path):
    missing = str(tmp_path / "missing.yaml")
    with open("/dev/full", "w") as full:
        assert bptrace("run", missing, stderr=full).returncode == 2
    closed = bptrace("run", missing, close=(2,), stderr=None)
    assert closed.returncode == 2 and closed.stdout == b""


@pytest.mark.slow
@needs_dev_full
def test_a_note_stderr_cannot_take_does_not_fail_the_run(tmp_path):
    with open("/dev/full", "w") as full:
        done = bptrace("run", HANDOUT, "--save-updated", str(tmp_path / "t.yaml"), stderr=full)
    assert done.returncode == 0 and (tmp_path / "t.yaml").exists() and b"Forward pass" in done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("args, message", [
    (("run", "-"), "cannot read standard input: it is closed"),
    (("run", HANDOUT, "--step"), "cannot read standard input: it is closed, and --step reads its keys there"),
])
def test_a_closed_stdin_is_one_line_and_exit_2_before_any_output(args, message):
    done = bptrace(*args, close=(0,), stdin=None)
    assert done.returncode == 2 and message in one_line(done.stderr) and done.stdout == b""


# --------------------------------------------------------------------------------------------------
# --step reads keys in bounded pieces


def test_keys_are_read_in_bounded_lines():
    class Endless(io.TextIOBase):
        """Standard input from /dev/zero: a line that never ends."""

        def readline(self, size=-1):
            assert 0 < size <= 4096, "a key line is read whole"
            return "\0" * size

    with pytest.raises(BptraceError, match="a line of more than 256 characters is no key"):
        step.LineKeys(Endless()).read()


def test_a_stream_of_lines_that_are_no_key_ends_the_session():
    keys = step.LineKeys(io.StringIO("y\n" * 2000))
    with pytest.raises(BptraceError, match="1,000 lines in a row are no key"):
        for _ in range(2000):
            keys.read()


@pytest.mark.slow
def test_step_mode_from_dev_zero_ends_with_one_line():
    with open("/dev/zero", "rb") as zeros:
        done = bptrace("run", HANDOUT, "--step", stdin=zeros)
    assert done.returncode == 2 and "is no key" in one_line(done.stderr.split(b"\n", 1)[1])
    assert b"Forward pass" in done.stdout


# --------------------------------------------------------------------------------------------------
# Output encodings that lack the tables' symbols

NEEDS_UTF8 = "use a UTF-8 locale (LC_ALL=C.UTF-8) or PYTHONIOENCODING=utf-8"


def encoded_run(encoding: str, *args: str, input: str | None = None):
    """bptrace in-process, its standard output a stream of ``encoding``, as PYTHONIOENCODING makes it."""
    runner = CliRunner(charset=encoding)
    return runner.invoke(cli, list(args), input=input, env={"COLUMNS": "100", "NO_COLOR": "1"},
                         catch_exceptions=False)


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("sheet") / "answers.yaml"
    path.write_text(run_cli("worksheet", HANDOUT).stdout.replace("~", "0.5", 3), encoding="utf-8")
    return str(path)


TEXT_COMMANDS = [
    ("run", HANDOUT), ("run", str(CONFIGS / "xor.yaml"), "--epochs", "3"), ("run", HANDOUT, "--step"),
    ("validate", HANDOUT), ("worksheet", HANDOUT), ("gradcheck", HANDOUT), ("exercise", "--seed", "7"),
    ("init",), ("check", HANDOUT, "ANSWERS"),
]


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("args", TEXT_COMMANDS, ids=lambda a: " ".join(a[:3]).replace(str(CONFIGS) + "/", ""))
def test_text_for_a_person_needs_an_encoding_with_its_symbols(encoding, args, answers):
    result = encoded_run(encoding, *(answers if a == "ANSWERS" else a for a in args), input="\n" * 10)
    assert result.exit_code == 2 and result.stdout_bytes == b""
    assert result.stderr.count("\n") == 1 and NEEDS_UTF8 in result.stderr
    assert f"standard output is encoded as {codecs.lookup(encoding).name}," in result.stderr


JSON_COMMANDS = [
    ("run", "UNICODE", "-f", "json"), ("run", "UNICODE", "-f", "jsonl"), ("gradcheck", "UNICODE", "-f", "json"),
    ("check", HANDOUT, "ANSWERS", "-f", "json"), ("schema",), ("schema", "--trace"),
]


@pytest.fixture(scope="module")
def unicode_config(tmp_path_factory) -> str:
    """The handout's network with a title and a layer name beyond ASCII, and beyond the BMP."""
    path = tmp_path_factory.mktemp("unicode") / "net.yaml"
    text = (CONFIGS / "handout.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("title: Handout example", "title: Ünïcødé → Θ 😀").replace("name: hid", "name: σ1"),
                    encoding="utf-8")
    return str(path)


@pytest.mark.slow
@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("args", JSON_COMMANDS, ids=lambda a: " ".join(a).replace(str(CONFIGS) + "/", ""))
def test_json_escapes_what_the_encoding_cannot_carry(encoding, args, answers, unicode_config):
    args = [answers if a == "ANSWERS" else unicode_config if a == "UNICODE" else a for a in args]
    result, reference = encoded_run(encoding, *args), encoded_run("utf-8", *args)
    assert result.exit_code == reference.exit_code == 0
    assert result.stdout_bytes.isascii()  # JSON is UTF-8 or ASCII: no latin-1 bytes either
    text = result.stdout_bytes.decode("ascii")
    documents = text.splitlines() if "jsonl" in args else [text]
    references = reference.stdout.splitlines() if "jsonl" in args else [reference.stdout]
    assert [json.loads(d) for d in documents] == [json.loads(d) for d in references]
    if unicode_config in args:  # the layer σ1, written as JSON writes it with ensure_ascii
        assert '"σ1"' in reference.stdout and '"\\u03c31"' in text and json.dumps("σ1") == '"\\u03c31"'


@pytest.mark.parametrize("form", ["svg", "tikz"])
def test_the_figure_carries_any_name_in_ascii(form, unicode_config):
    result = encoded_run("ascii", "figure", unicode_config, "-f", form)
    assert result.exit_code == 0 and result.stdout_bytes.isascii()
    if form == "svg":
        from xml.etree import ElementTree

        title = ElementTree.fromstring(result.stdout_bytes).find("{http://www.w3.org/2000/svg}title").text
        assert title.startswith("Ünïcødé → Θ 😀")


@pytest.mark.slow
def test_a_c_locale_without_utf8_coercion_gets_one_line_or_escaped_json():
    env = {"LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}
    table = bptrace("run", HANDOUT, env=env)
    assert table.returncode == 2 and table.stdout == b"" and NEEDS_UTF8 in one_line(table.stderr)
    document = bptrace("run", str(CONFIGS / "softmax.yaml"), "-f", "json", env=env)
    assert document.returncode == 0 and document.stdout.isascii() and json.loads(document.stdout)["iterations"]


def test_files_are_utf8_whatever_the_terminal(tmp_path):
    result = encoded_run("ascii", "run", HANDOUT, "-o", str(tmp_path / "t.txt"))
    assert result.exit_code == 0 and "→" in (tmp_path / "t.txt").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# Terminal widths


@pytest.mark.parametrize("value, width", [
    (None, None), ("100", 100), ("60", 60), ("5", 60), (" 90 ", 90), ("0", None), ("", None), ("-3", None),
    ("abc", None), ("²", None), ("1e3", None),
])
def test_columns_of(value, width):
    assert columns_of(value) == width


def test_settle_size_leaves_what_rich_reads_sane():
    environ = {"COLUMNS": "²", "LINES": "0", "TERM": "xterm"}
    settle_size(environ)
    assert environ == {"TERM": "xterm"}
    environ = {"COLUMNS": "5", "LINES": "30"}
    settle_size(environ)
    assert environ == {"COLUMNS": "60", "LINES": "30"}


@pytest.mark.slow
@pytest.mark.parametrize("nonsense", ["0", "-1", "abc", "²"])
def test_nonsense_columns_are_as_if_unset(nonsense, tmp_path):
    unset = run_cli("run", HANDOUT, env={"COLUMNS": None})
    shown = run_cli("run", HANDOUT, env={"COLUMNS": nonsense})
    assert shown.exit_code == 0 and shown.stdout == unset.stdout and "Step 5" in shown.stdout
    result = run_cli("run", HANDOUT, "-o", str(tmp_path / "t.txt"), env={"COLUMNS": nonsense})
    assert result.exit_code == 0 and (tmp_path / "t.txt").read_text(encoding="utf-8") == unset.stdout


def test_a_narrow_width_is_raised_to_the_minimum():
    narrow = run_cli("run", HANDOUT, env={"COLUMNS": "5"})
    assert narrow.exit_code == 0 and narrow.stdout == run_cli("run", HANDOUT, env={"COLUMNS": "60"}).stdout
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 60
    assert "…" not in narrow.stdout  # no number cut short


# --------------------------------------------------------------------------------------------------
# Control characters in user text never reach the terminal raw

HOSTILE = "\x1b]0;PWNED\x07\x1b[2J\x1b[5m\x9b31m\x85\r"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
STYLE = re.compile("\x1b\\[[0-9;]*m")  # the colours of --color: rich's own, never the names'


@pytest.fixture
def hostile(monkeypatch):
    """The handout's network with a title and a layer name full of escape sequences, as load_config returns
    it (whatever the validator says about such names, the output must be safe on its own)."""
    from dataclasses import replace

    import backprop_cli.cli.reading

    config = load_config(HANDOUT)
    config = replace(config, title=f"Title {HOSTILE}", layers=(
        replace(config.layers[0], name=f"h{HOSTILE}"), *config.layers[1:]))
    monkeypatch.setattr(backprop_cli.cli.reading, "load_config", lambda path: config)
    return config


@pytest.mark.slow
@pytest.mark.parametrize("args", [
    ("run", "C"), ("run", "C", "--color"), ("run", "C", "--epochs", "3"), ("run", "C", "--step", "--explain"),
    ("run", "C", "-f", "json"), ("run", "C", "-f", "jsonl"), ("validate", "C"), ("worksheet", "C"),
    ("gradcheck", "C"), ("gradcheck", "C", "-f", "json"), ("figure", "C"), ("figure", "C", "-f", "tikz"),
], ids=" ".join)
def test_no_control_character_of_a_name_reaches_the_output(hostile, args):
    result = run_cli(*args, input="\n" * 10)
    assert result.exit_code == 0
    for text in (result.stdout, result.stderr):
        assert not RAW.search(STYLE.sub("", text)), RAW.search(STYLE.sub("", text))
    if args[-1] not in ("json", "jsonl", "tikz"):
        assert "\\x1b]0;PWNED" in result.stdout or "&#x" in result.stdout or "\ufffd]0;PWNED" in result.stdout


def test_json_keeps_a_name_whole(hostile):
    result = run_cli("run", "C", "-f", "json")
    assert json.loads(result.stdout)["config"]["title"] == f"Title {HOSTILE}"


def test_file_names_with_control_characters_are_printable(tmp_path, answers):
    sheet = tmp_path / "a\x1b[2Jb.yaml"
    sheet.write_text(open(answers, encoding="utf-8").read(), encoding="utf-8")
    for fmt in ("table", "csv", "json"):
        result = run_cli("check", HANDOUT, str(sheet), "-f", fmt, "--fail-under", "90")
        assert result.exit_code == 3 and "a\\x1b[2Jb.yaml" in result.stdout.replace("\\u001b", "\\x1b")
        assert not RAW.search(result.stdout) and not RAW.search(result.stderr)
    missing = run_cli("validate", str(tmp_path / "\x1b]0;x\x07.yaml"))
    assert missing.exit_code == 2 and "\\x1b]0;x\\x07.yaml: no such file" in missing.stderr


def test_printable_keeps_line_breaks_and_escapes_the_rest_as_one_line_does():
    assert printable("n1[h\x1b[5mid]\x9b\x7f\r") == "n1[h\\x1b[5mid]\\x9b\\x7f\\r"
    assert printable("Θ → σ\nright\u202eleft\ttab") == "Θ → σ\nright\\u202eleft\\ttab"
