"""Output files: nothing lost, nothing left behind.

-o never writes over the config being run, --save-updated never replaces a file that appeared during
the run, a target that cannot be written is found before the run, a write-protected file is refused
as cp refuses it, and names that are no UTF-8 or hold a line break are written escaped.
"""

from __future__ import annotations

import errno
import os
import stat
import sys

import pytest
import yaml
from conftest import CONFIGS, run_cli

from backprop_cli.engine import backprop as engine
from backprop_cli.errors import BptraceError
from backprop_cli.output import PendingFile

XOR_TEXT = (CONFIGS / "xor.yaml").read_text(encoding="utf-8")


def _folder(folder):
    """Every file of ``folder`` (hidden temporary files included) with its bytes."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.is_symlink()}


@pytest.fixture
def here(tmp_path, monkeypatch):
    """A folder with the config c.yaml and a subfolder, as the current directory."""
    (tmp_path / "c.yaml").write_text(XOR_TEXT, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run_must_not_start(monkeypatch):
    def refuse(self, *args):
        raise AssertionError("the run started")

    monkeypatch.setattr(engine.Network, "step", refuse)


# -o and the config ----------------------------------------------------------------------------------

@pytest.mark.parametrize("spelling", ["c.yaml", "./c.yaml", "sub/../c.yaml", "link.yaml", "hard.yaml",
                                      "/proc/self/cwd/c.yaml"])
@pytest.mark.parametrize("force", [(), ("--force",)])
def test_output_never_replaces_the_config_being_run(here, monkeypatch, spelling, force):
    if spelling.startswith("/proc") and not os.path.isdir("/proc/self/cwd"):
        pytest.skip("no /proc here")
    (here / "link.yaml").symlink_to("c.yaml")
    os.link(here / "c.yaml", here / "hard.yaml")
    before = _folder(here)
    _run_must_not_start(monkeypatch)
    result = run_cli("run", "c.yaml", "--epochs", "2", "-o", spelling, *force)
    assert result.exit_code == 2, result.stderr
    assert result.stderr == f"bptrace: error: -o {spelling}: that is the config being run; write to another file " \
                            "(it stays as it is)\n"
    assert result.stdout == "" and _folder(here) == before


def test_no_command_writes_over_a_file_it_reads(here):
    (here / "c.svg").symlink_to("c.yaml")
    assert run_cli("worksheet", "c.yaml", "-o", "answers.yaml").exit_code == 0
    before = _folder(here)
    for args, what in [(("worksheet", "c.yaml", "-o", "./c.yaml", "--force"), "the config"),
                       (("figure", "c.yaml", "-o", "c.svg"), "the config being drawn"),
                       (("check", "c.yaml", "answers.yaml", "-o", "sub/../answers.yaml"),
                        "an answer sheet being marked"),
                       (("check", "c.yaml", "answers.yaml", "-o", "c.yaml"), "the config")]:
        result = run_cli(*args)
        assert result.exit_code == 2, (args, result.stderr)
        assert f": that is {what}; write to another file (it stays as it is)" in result.stderr
        assert result.stdout == "" and _folder(here) == before


# --save-updated: a file that appears during the run ---------------------------------------------------

def _appear_during_the_run(monkeypatch, target, text):
    original = engine.Network.step

    def step(self, number, epoch, indices):
        if number == 2:
            target.write_text(text, encoding="utf-8")
        return original(self, number, epoch, indices)

    monkeypatch.setattr(engine.Network, "step", step)


def test_save_never_replaces_a_file_that_appeared_during_the_run(here, monkeypatch):
    target = here / "trained.yaml"
    _appear_during_the_run(monkeypatch, target, "written meanwhile\n")
    result = run_cli("run", "c.yaml", "--epochs", "3", "--save-updated", "trained.yaml", "-f", "jsonl")
    assert result.exit_code == 2
    assert result.stderr.endswith("bptrace: error: --save-updated trained.yaml: a file of that name appeared while "
                                  "bptrace ran; it was left as it is (use --force to overwrite it)\n")
    assert target.read_text(encoding="utf-8") == "written meanwhile\n"
    assert sorted(_folder(here)) == ["c.yaml", "trained.yaml"]  # no temporary file left


@pytest.mark.slow
def test_save_with_force_replaces_a_file_that_appeared_during_the_run(here, monkeypatch):
    target = here / "trained.yaml"
    _appear_during_the_run(monkeypatch, target, "written meanwhile\n")
    result = run_cli("run", "c.yaml", "--epochs", "3", "--save-updated", "trained.yaml", "--force")
    assert result.exit_code == 0, result.stderr
    assert yaml.safe_load(target.read_text(encoding="utf-8"))["epochs"] == 2000  # the saved network


@pytest.mark.parametrize("hard_links", [True, False])
def test_two_saves_to_one_name_at_once_the_second_fails(tmp_path, monkeypatch, hard_links):
    if not hard_links:  # a file system without hard links: the name is claimed with O_EXCL instead
        def no_link(source, target):
            raise OSError(errno.EPERM, "Operation not permitted")

        monkeypatch.setattr(os, "link", no_link)
    target = tmp_path / "trained.yaml"
    first, second = PendingFile(str(target), exclusive=True), PendingFile(str(target), exclusive=True)
    first.stream.write("first\n")
    second.stream.write("second\n")
    first.commit()
    with pytest.raises(BptraceError, match="appeared while bptrace ran"):
        second.commit()
    assert target.read_text(encoding="utf-8") == "first\n"
    assert [p.name for p in tmp_path.iterdir()] == ["trained.yaml"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# A folder that cannot be written: found before the run --------------------------------------------------

@pytest.fixture
def unwritable_folder(tmp_path):
    """A folder no file can be created in: a read-only one, or /proc where the tests run as root."""
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
    elif sys.platform.startswith("linux") and os.path.isdir("/proc/self"):
        yield type(tmp_path)("/proc")
    else:
        pytest.skip("no folder that root cannot write to")


@pytest.mark.parametrize("option", ["--save-updated", "-o"])
def test_an_unwritable_folder_is_found_before_the_run(here, monkeypatch, unwritable_folder, option):
    _run_must_not_start(monkeypatch)
    target = str(unwritable_folder / ("trained.yaml" if option == "--save-updated" else "trace.txt"))
    result = run_cli("run", "c.yaml", "--epochs", "2", option, target)
    assert result.exit_code == 2
    assert result.stdout == ""  # not the whole trace, then the error
    assert result.stderr.count("\n") == 1 and f"{target}: cannot write" in result.stderr
    assert sorted(_folder(here)) == ["c.yaml"]


# Write-protected files ---------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("option", ["--save-updated", "-o"])
def test_a_write_protected_file_is_refused_without_force(here, option):
    target = here / "kept.txt"
    target.write_text("keep me\n", encoding="utf-8")
    target.chmod(0o444)  # root may write it, but its bits say: do not change me
    result = run_cli("run", "c.yaml", "--epochs", "2", option, "kept.txt")
    assert result.exit_code == 2 and result.stdout == ""
    assert "kept.txt: the file is write-protected; make it writable (chmod u+w) or use --force" in result.stderr
    assert target.read_text(encoding="utf-8") == "keep me\n"
    result = run_cli("run", "c.yaml", "--epochs", "2", option, "kept.txt", "--force")  # as cp -f does
    assert result.exit_code == 0, result.stderr
    assert target.read_text(encoding="utf-8") != "keep me\n"
    assert sorted(_folder(here)) == ["c.yaml", "kept.txt"]


def test_write_protection_is_judged_on_the_bits_that_apply_to_the_user(tmp_path):
    from backprop_cli.output import write_protected

    me, my_group = os.geteuid(), os.getegid()
    stranger, other_group = me + 1, my_group + 1
    while other_group in os.getgroups():
        other_group += 1
    assert write_protected(0o100444, me, my_group)
    assert not write_protected(0o100644, me, my_group)
    assert write_protected(0o100466, me, my_group)  # the owner's bits count for the owner, as for open()
    assert write_protected(0o100646, stranger, my_group)  # not the owner: the group's bits
    assert not write_protected(0o100464, stranger, my_group)
    assert not write_protected(0o100442, stranger, other_group)  # neither: the others' bits
    assert write_protected(0o100664, stranger, other_group)


# Names that are no UTF-8 or hold a line break ---------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file names must be UTF-8")
def test_a_config_named_with_a_byte_that_is_no_utf8_is_saved_from(here):
    name = os.fsdecode(b"bad\xff.yaml")  # 'bad\udcff.yaml'
    (here / name).write_text(XOR_TEXT, encoding="utf-8")
    result = run_cli("run", name, "--epochs", "2", "--save-updated", "trained.yaml")
    assert result.exit_code == 0, result.stderr
    text = (here / "trained.yaml").read_bytes().decode("utf-8")  # the file is UTF-8 throughout
    assert text.startswith("# The network of bad\\udcff.yaml after 2 updates")
    assert yaml.safe_load(text)["title"] == yaml.safe_load(XOR_TEXT)["title"]


@pytest.mark.slow
def test_a_file_name_with_a_line_break_stays_on_one_line(here):
    (here / "new\nline.yaml").write_text("taken\n", encoding="utf-8")
    result = run_cli("run", "c.yaml", "--epochs", "2", "--save-updated", "new\nline.yaml")
    assert result.exit_code == 2
    assert result.stderr == "bptrace: error: --save-updated new\\nline.yaml: the file exists; use --force to " \
                            "overwrite it\n"
    result = run_cli("run", "c.yaml", "--epochs", "2", "--save-updated", "saved\n.yaml")
    assert result.exit_code == 0
    assert result.stderr.count("\n") == 1 and "wrote saved\\n.yaml" in result.stderr
    assert (here / "saved\n.yaml").read_text(encoding="utf-8").count("# The network of c.yaml") == 1


@pytest.mark.parametrize("command", [("init", "mazur"), ("worksheet", str(CONFIGS / "handout.yaml"))])
def test_init_and_worksheet_never_replace_a_file_that_appeared_meanwhile(tmp_path, monkeypatch, command):
    target = tmp_path / "net.yaml"
    original = PendingFile.commit

    def race_then_commit(self):
        target.write_text("written meanwhile\n", encoding="utf-8")
        original(self)

    monkeypatch.setattr(PendingFile, "commit", race_then_commit)
    result = run_cli(*command, "-o", str(target))
    assert result.exit_code == 2 and "appeared while bptrace ran" in result.stderr
    assert target.read_text(encoding="utf-8") == "written meanwhile\n"
    assert [p.name for p in tmp_path.iterdir()] == ["net.yaml"]
