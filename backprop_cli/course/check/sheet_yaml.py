"""The answer sheet as YAML: every blank a ``~`` on a line of its own, with a comment saying what it is and
its formula, so that a person can fill it in with any text editor.

Matrices are written as lists of lists in block style (``- - ~``), one number a line, so that every
number has its comment. ``WRITERS`` maps a format to its writer; printed forms of the same sheet walk
``Sheet.sections`` in the same way.

A sheet that ``bptrace check`` could not read back, blank or filled in with decimal commas (over the limits
of config.loader: a network far too large to work by hand), is refused rather than written: at once where
two answers for every weight would already be too many (``refuse_large``), else once its text is known.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from backprop_cli._version import __version__
from backprop_cli.config.loader import check_bytes, check_values, refuse_bytes, refuse_values
from backprop_cli.course.check.digits import MIN_DIGITS
from backprop_cli.course.check.layout import Slots, layout
from backprop_cli.course.check.sheet import STEPS, Blank, Sheet
from backprop_cli.course.check.sheet_document import write_document
from backprop_cli.course.check.spelling import config_name
from backprop_cli.engine.network import Config
from backprop_cli.errors import BptraceError, ConfigError, one_line

COMMENT_COLUMN = 28  # comments start here, or two spaces after a longer line
HEADINGS = {**STEPS, "samples": "One entry per sample of the first update: the forward pass, J and Steps 1-2"}


def _key(name: str) -> str:
    """A mapping key as YAML reads it back as the same text (layer names may be anything)."""
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\-]*", name) else json.dumps(name, ensure_ascii=False)


def _comment(blank: Blank) -> str:
    return f"{blank.label} = {blank.formula_text}"


def _emit(node: dict | Slots, indent: int, headings: bool, out: list[tuple[str, str]], titles=(),
          entry: bool = False) -> None:
    """Append (text, comment) lines for ``node`` at ``indent`` spaces. ``headings``: a comment line naming
    each step before its key; ``titles``: a comment line before each entry of a list (the samples);
    ``entry``: the mapping is an entry of such a list, whose first key follows its title."""
    pad = " " * indent
    if isinstance(node, dict):
        for n, key in enumerate(node):
            child = node[key]
            if headings and not (entry and n == 0):
                out.append(("", ""))  # a blank line between steps, and a comment naming the step
                if key in HEADINGS:
                    out.append((f"{pad}# {HEADINGS[key]}", ""))
            if isinstance(child, Blank):
                out.append((f"{pad}{_key(key)}: ~", _comment(child)))
            else:
                out.append((f"{pad}{_key(key)}:", ""))
                _emit(child, indent + 2, headings and key == "samples", out, titles if key == "samples" else ())
        return
    for i, child in enumerate(node.items):
        if i < len(titles):
            out.append(("", ""))
            out.append((f"{pad}# {titles[i]}", ""))
        if isinstance(child, Blank):
            out.append((f"{pad}- ~", _comment(child)))
            continue
        start = len(out)
        _emit(child, indent + 2, isinstance(child, dict), out, entry=True)
        text, comment = out[start]
        out[start] = (pad + "- " + text[indent + 2:], comment)


def header(sheet: Sheet, source: str) -> list[str]:
    c = sheet.config
    source = config_name(source)
    title = f'"{c.title}" ({source})' if c.title else source
    lines = [
        f"# Answer sheet for {title}, written by bptrace {__version__}.",
        "# Replace each ~ by your number (0.61 or 0,61); leave ~ where you did not work it out.",
        f"# Write at least {MIN_DIGITS} decimals or {MIN_DIGITS} significant digits. "
        "Matrices: row k = neuron k, column t = input t.",
        f"# Mark it: bptrace check {source} THIS_FILE",
    ]
    if sheet.samples > 1:
        lines.append(f"# The first update holds {sheet.samples} samples; J and Steps 3-4 are the {c.batch} over them.")
    lines += ["", _commented(f"exercise: {sheet.exercise}", "the exercise this sheet is for: leave it as it is"),
              _commented("student: ~", "your name or student number")]
    return lines


def _commented(line: str, comment: str) -> str:
    return f"{line.ljust(COMMENT_COLUMN - 2)}  # {comment}"


def worksheet_yaml(sheet: Sheet, source: str, target: str | None = None) -> str:
    """The YAML text of ``sheet`` for the config read from ``source``; refused if bptrace check could not
    read it back, filled in (``target``: the file it is for, named in the refusal)."""
    lines: list[tuple[str, str]] = []
    _emit(layout(sheet), 0, True, lines, sheet.sample_titles)
    text = header(sheet, source)
    for line, comment in lines:
        text.append(_commented(line, comment) if comment else line)
    written = "\n".join(text) + "\n"
    with _readable(sheet.config, source):
        check_bytes(written.encode("utf-8"), source, written=_written(target))
        check_values(written, source, written=_written(target), more=(sum(1 for _ in sheet.blanks), _FILLED))
    return written


def refuse_large(config: Config, source: str, target: str | None = None) -> None:
    """Refuse at once a network whose sheet bptrace check could not read back for certain: every weight has
    two answers (its gradient and its new value), each on a line of at least COMMENT_COLUMN + 3 bytes, and
    two YAML values where it is written with a decimal comma (0,61), as check allows."""
    answers = 2 * _weights(config)
    with _readable(config, source):
        refuse_bytes(answers * (COMMENT_COLUMN + 3), 0, source, written=_written(target))
        refuse_values(2 * answers, 0, source, written=_written(target), when=_FILLED)


# 0,61 is two YAML values where 0.61 is one: the count of a sheet allows for one more value an answer.
_FILLED = "once filled in with decimal commas (0,61)"


def _written(target: str | None) -> str:
    """The sheet as a refusal names it."""
    return "the answer sheet" + (f" {one_line(target)}" if target not in (None, "-") else "")


def _weights(config: Config) -> int:
    return sum(layer.weights.size for layer in config.layers)


@contextmanager
def _readable(config: Config, source: str) -> Iterator[None]:
    """A refusal of the limits said as one of the worksheet, with what to do."""
    try:
        yield
    except ConfigError as error:
        reason = "" if _FILLED in str(error) else ": bptrace check could not read it back"
        raise BptraceError(f"{error}{reason}, so it is not written (a worksheet is for a network worked by hand; "
                           f"this one has {_weights(config):,} weights)") from None


def write_yaml(stream: IO[str], sheet: Sheet, source: str, target: str | None = None) -> None:
    stream.write(worksheet_yaml(sheet, source, target))


def _printed(form: str):
    """The writer of the printed sheet in the document format ``form``."""
    def write(stream: IO[str], sheet: Sheet, source: str) -> None:
        write_document(form, stream, sheet, source)
    return write


WRITERS = {"yaml": write_yaml, **{form: _printed(form) for form in ("markdown", "latex", "html")}}
