"""The rich console every table of bptrace is printed on: its width, its colour, lines without the trailing
spaces rich pads them with, user text that never reaches the terminal as control characters, and a closed
pipe passed on to the one place that handles it (pipes.py).

Width: ``--width N`` if given, else ``COLUMNS`` if set, else the terminal's own width on a terminal, and
``FILE_WIDTH`` for a file or a pipe, so that what a command writes there does not depend on the terminal
it happened to run in.
"""

from __future__ import annotations

import re
from typing import IO, cast

from rich.console import Console
from rich.segment import Segment

from backprop_cli.environment import FILE_WIDTH, Environment, printable, require_unicode

_CODE = r"\x1b\[[0-9;]*m"  # a colour or style code (SGR)
_TRAILING = re.compile(rf"(?:[ \t]|{_CODE})+$")


class PrintableConsole(Console):
    """A rich Console whose text is made printable (environment.printable) after layout, just before
    rich adds its own escape sequences for colour and style: a title or layer name holding ESC shows as
    ``\\x1b`` and cannot set the window title or clear the screen. (A table has measured its columns
    by then, so in a cell the escape may be cut short at the column's edge.)"""

    def render(self, renderable, options=None):  # noqa: D102 - rich's method
        for segment in super().render(renderable, options):
            if segment.control or segment.text.isprintable():
                yield segment
            else:
                yield Segment(printable(segment.text), segment.style)

    def on_broken_pipe(self) -> None:  # noqa: D102 - rich's hook
        # rich would exit with 1 itself; a closed pipe is handled in one place for every format (pipes.py)
        self.quiet = True
        raise BrokenPipeError


def _trim(line: str) -> str:
    """``line`` without the blanks at its end; colour codes among them stay, so that every style is closed."""
    found = _TRAILING.search(line)
    if found is None:
        return line
    return line[:found.start()] + "".join(re.findall(_CODE, found.group(0)))


class TrimmedLines:
    """A text stream that writes every line without trailing blanks.

    Rich pads each line of a grid or a panel to the width of the console; a file or a pipe then carries
    spaces no reader wants (and a diff shows). The blanks at the end of an unfinished line are held back
    until it is known whether the line goes on.
    """

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._held = ""

    def write(self, text: str) -> int:
        *done, last = (self._held + text).split("\n")
        found = _TRAILING.search(last)
        self._held = found.group(0) if found else ""
        body = last[:found.start()] if found else last
        self._stream.write("\n".join([*(_trim(line) for line in done), body]))
        return len(text)

    def __getattr__(self, name: str):  # isatty, fileno, flush, encoding, ...: as the stream has them
        return getattr(self._stream, name)


def output_width(stream, env: Environment, width: int | None = None) -> int | None:
    """The width to print ``stream`` at: ``width`` (--width), COLUMNS, the terminal's (None: rich asks the
    terminal as it prints), or FILE_WIDTH for a file or a pipe."""
    if width:
        return width
    if env.columns:
        return env.columns
    return None if env.is_terminal(stream) else FILE_WIDTH


def make_console(stream, color: bool | None, env: Environment | None = None, width: int | None = None):
    """A rich console on ``stream``: colour on a terminal only, unless ``color`` forces it on or off; the
    terminal, NO_COLOR and COLUMNS as ``env`` says (by default, as the process has them); ``width`` columns
    if given (see output_width). A stream that cannot carry the tables' symbols is refused first."""
    require_unicode(stream)
    env = env or Environment.from_process()
    terminal = env.is_terminal(stream)
    return PrintableConsole(
        file=cast(IO[str], TrimmedLines(stream)),  # writes, and is the stream for everything else
        # --no-color and files hold no escape codes, whatever FORCE_COLOR says (a notebook's kernel sets it)
        force_terminal=True if color or (color is None and terminal) else False if color is False else None,
        force_jupyter=False,  # the text goes to ``stream``, also inside a notebook's kernel
        no_color=True if color is False else env.no_color,
        width=output_width(stream, env, width),
        highlight=False,
        emoji=False,
        markup=False,  # every string is literal: formulas are full of [brackets]
        soft_wrap=False,
    )
