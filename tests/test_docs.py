"""The README and the documentation site stay true: their examples run and print what they show, every
`bptrace` command they spell parses, the picture of the handout's table is bptrace's own output, the site
builds with warnings as errors, its command reference holds every command and option, and every page is in
the navigation."""

from __future__ import annotations

import doctest
import html
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import click
import pytest
import yaml
from conftest import CONFIGS, ROOT, run_cli

from backprop_cli._version import __version__
from backprop_cli.cli.main import cli

DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
PICTURE = DOCS / "handout-table.svg"
WIDTH = 80  # the columns the examples are shown at


def fenced_blocks(path: Path) -> list[tuple[str, int, str]]:
    """The fenced code blocks of a Markdown file at its top level: (language, line number, text)."""
    blocks, language, start, body = [], None, 0, []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if language is None and line.startswith("```"):
            language, start, body = line[3:].strip(), number, []
        elif language is not None and line.startswith("```"):
            blocks.append((language, start, "\n".join(body) + "\n"))
            language = None
        elif language is not None:
            body.append(line)
    return blocks


def examples(language: str, keep=lambda text: True) -> list:
    return [pytest.param(path, text, id=f"{path.relative_to(ROOT)}:{line}")
            for path in PAGES for lang, line, text in fenced_blocks(path) if lang == language and keep(text)]


def console_session(text: str) -> list[tuple[str, str]]:
    """A console example as (command, expected output) pairs: a command follows '$ ', its further lines
    (a here-document) follow '> ', and the lines up to the next '$ ' are what it prints."""
    session: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            session.append((line[2:], []))
        elif line.startswith("> ") and session and not session[-1][1]:
            session[-1] = (session[-1][0] + "\n" + line[2:], [])
        else:
            assert session, f"a console example starts with '$ ': {line!r}"
            session[-1][1].append(line)
    return [(command, "".join(f"{line.rstrip()}\n" for line in output)) for command, output in session]


@pytest.fixture
def workplace(tmp_path):
    """A folder holding a copy of configs/, and an environment whose `bptrace` is the one under test."""
    shutil.copytree(CONFIGS, tmp_path / "configs")
    bin_dir = tmp_path / ".bin"
    bin_dir.mkdir()
    shim = bin_dir / "bptrace"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m backprop_cli "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "COLUMNS": str(WIDTH),
           "NO_COLOR": "1", "BPTRACE_DEBUG": "", "PYTHONPATH": str(ROOT)}
    return tmp_path, env


@pytest.mark.slow
@pytest.mark.parametrize("path, text", examples("console"))
def test_console_example_prints_what_it_shows(path, text, workplace):
    folder, env = workplace
    checker = doctest.OutputChecker()
    for command, expected in console_session(text):
        proc = subprocess.run(["bash", "-c", command], cwd=folder, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        printed = "".join(f"{line.rstrip()}\n" for line in proc.stdout.decode("utf-8").splitlines())
        assert checker.check_output(expected, printed, doctest.ELLIPSIS), (
            f"{path.name}: $ {command}\n--- shown:\n{expected}--- printed:\n{printed}")


@pytest.mark.parametrize("path, text", examples("python", keep=lambda text: ">>>" in text))
def test_python_example_runs_as_a_doctest(path, text, workplace, monkeypatch):
    folder, _ = workplace
    monkeypatch.chdir(folder)  # the examples name configs/ relative to the project
    test = doctest.DocTestParser().get_doctest(text, {}, path.name, str(path), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert test.examples and runner.summarize(verbose=False).failed == 0


def bptrace_commands(text: str) -> list[list[str]]:
    """The arguments of every `bptrace` command in a shell example, past pipes, `&&` and redirections."""
    commands = []
    for line in text.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split, lexer.commenters = True, "#"
        words, segment = list(lexer), []
        for word in [*words, ";"]:
            if word in ("&&", "||", "|", ";", "&"):
                if segment[:1] == ["bptrace"]:
                    commands.append(segment[1:])
                segment = []
            elif segment and set(segment[-1]) <= set("<>"):
                segment.pop()  # a redirection and its file
            else:
                segment.append(word)
    return commands


@pytest.mark.parametrize("path, text", examples("sh", keep=bptrace_commands))
def test_every_bptrace_command_of_a_shell_example_parses(path, text):
    for args in bptrace_commands(text):
        args = [arg for arg in args if arg != "--debug"]  # taken anywhere by the command group
        try:
            with cli.make_context("bptrace", list(args), resilient_parsing=False) as group:
                name = args[0]
                command = cli.get_command(group, name)
                assert command is not None, f"{path.name}: no command {name!r}"
                command.make_context(name, args[1:], parent=group)
        except click.exceptions.Exit:  # --help, --version
            pass
        except click.UsageError as error:
            pytest.fail(f"{path.name}: bptrace {shlex.join(args)}: {error.format_message()}")


@pytest.mark.parametrize("path, text", examples("yaml", keep=lambda text: "layers:" in text))
def test_every_config_of_an_example_is_valid(path, text):
    from backprop_cli.api import config_from_data

    config_from_data(yaml.safe_load(text))


def test_readme_is_short_and_its_quick_start_is_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    quick_start = readme.split("## Quick start\n", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    assert quick_start.splitlines() == ["pip install -e . && bptrace run configs/handout.yaml",
                                        "pip install -e '.[test]' && pytest"]


def test_changelog_releases_the_version_bptrace_reports():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## \[([^]]+)\](.*)$", changelog, flags=re.M)
    assert sections[0][0] == "Unreleased"
    assert sections[1][0] == __version__ and re.fullmatch(r" - \d{4}-\d{2}-\d{2}", sections[1][1])
    assert run_cli("--version").stdout == f"bptrace {__version__}\n"


# The picture of the handout's table: bptrace's own output at 80 columns, from the start to Step 1, drawn as
# a terminal by rich. BPTRACE_UPDATE_GOLDEN=1 draws it again; otherwise its text is compared with the output.
def picture_lines(printed: str) -> list[str]:
    lines = printed.splitlines()
    return lines[:next(i for i, line in enumerate(lines) if click.unstyle(line).startswith("Step 1)")) - 1]


def svg_text_lines(svg: str) -> list[str]:
    """The terminal lines an SVG of rich's ``export_svg`` shows, each text placed at its column."""
    rows: dict[int, dict[int, str]] = {}
    for element in ElementTree.fromstring(svg).iter("{http://www.w3.org/2000/svg}text"):
        line = re.search(r"-line-(\d+)\)", element.get("clip-path", ""))
        if line and element.text:
            text = element.text.replace("\xa0", " ")
            column = round(float(element.get("x")) / (float(element.get("textLength")) / len(text)))
            rows.setdefault(int(line[1]), {})[column] = text
    lines = []
    for number in range(max(rows) + 1):
        line = ""
        for column, text in sorted(rows.get(number, {}).items()):
            line = line.ljust(column) + text
        lines.append(line.rstrip())
    return lines


def test_the_picture_is_the_handout_table():
    printed = run_cli("run", str(CONFIGS / "handout.yaml"), env={"COLUMNS": str(WIDTH)}).stdout
    if os.environ.get("BPTRACE_UPDATE_GOLDEN") == "1":
        from rich.console import Console
        from rich.text import Text

        coloured = run_cli("run", str(CONFIGS / "handout.yaml"), "--color", env={"COLUMNS": str(WIDTH)}).stdout
        console = Console(record=True, width=WIDTH, file=open(os.devnull, "w"), force_terminal=True)
        console.print(Text.from_ansi("\n".join(picture_lines(coloured))))
        svg = console.export_svg(title="bptrace run configs/handout.yaml")
        # The font is the reader's own monospace: the picture fetches nothing.
        PICTURE.write_text(re.sub(r"@font-face \{.*?\}\s*", "", svg, flags=re.S), encoding="utf-8")
    svg = PICTURE.read_text(encoding="utf-8")
    assert "url(" not in svg.split("<defs>")[0]
    assert svg_text_lines(svg) == [line.rstrip() for line in picture_lines(printed)]


def nav_pages(nav) -> list[str]:
    pages = []
    for entry in nav:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        pages += nav_pages(value) if isinstance(value, list) else [value]
    return pages


def test_every_page_is_in_the_navigation_once():
    nav = nav_pages(yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"])
    assert sorted(nav) == sorted(path.name for path in DOCS.glob("*.md"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site, built as CI builds it: `mkdocs build --strict`."""
    try:
        import mkdocs  # noqa: F401
    except ImportError:
        message = "mkdocs not installed; pip install -e '.[docs]' as .ci/run does"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI is set, so a missing program is a failure", pytrace=False)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("site")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 0, proc.stderr
    return folder


def page_text(page: Path) -> str:
    article = page.read_text(encoding="utf-8").split("<article", 1)[1].split("</article>", 1)[0]
    return html.unescape(re.sub(r"<[^>]+>", "", article))


@pytest.mark.slow
def test_the_site_builds_and_the_reference_holds_every_command_and_option(site):
    text = page_text(site / "commands" / "index.html")
    sections = re.split(r"^bptrace (\w+)¶$", text, flags=re.M)
    by_command = dict(zip(sections[1::2], sections[2::2]))
    context = click.Context(cli, info_name="bptrace")
    assert sorted(by_command) == cli.list_commands(context)
    for name, section in [("", sections[0]), *by_command.items()]:
        command = cli.get_command(context, name) if name else cli
        assert command.help.split("\n", 1)[0].strip() in section
        assert f"bptrace {name} [OPTIONS]".replace("  ", " ") in section
        for param in command.params:
            if isinstance(param, click.Option):
                for flag in [*param.opts, *param.secondary_opts]:
                    assert re.search(rf"(^|[\s,/]){re.escape(flag)}\b", section), f"bptrace {name} {flag}"
    for path in DOCS.glob("*.md"):  # every page was built
        name = path.stem
        assert (site / ("index.html" if name == "index" else f"{name}/index.html")).exists(), name


@pytest.mark.slow
def test_the_site_shows_the_api_from_its_docstrings(site):
    text = page_text(site / "python-api" / "index.html")
    from backprop_cli import api

    for name in api.__all__:
        assert re.search(rf"\b{name}\b", text), name
    assert api.run.__doc__.split()[0] in text
