"""The process a command runs in: its streams, which of them are terminals, NO_COLOR and COLUMNS.

Read once, at the edge (``Environment.from_process()``), and passed in: renderers never look at
``sys.stdout.isatty()`` or ``os.environ`` themselves, so a test can hand them a terminal that is none.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import IO


def isatty(stream) -> bool:
    """Whether ``stream`` is a terminal (False for anything that cannot tell)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass(frozen=True)
class Environment:
    stdin: IO[str]
    stdout: IO[str]
    stderr: IO[str]
    stdin_isatty: bool = False
    stdout_isatty: bool = False
    stderr_isatty: bool = False
    no_color: bool = False  # NO_COLOR is set (and not empty)
    columns: int | None = None  # COLUMNS; None: the terminal's own width (as it is when printing), else 80

    @classmethod
    def from_process(cls) -> "Environment":
        columns = os.environ.get("COLUMNS", "")
        return cls(
            stdin=sys.stdin, stdout=sys.stdout, stderr=sys.stderr,
            stdin_isatty=isatty(sys.stdin), stdout_isatty=isatty(sys.stdout), stderr_isatty=isatty(sys.stderr),
            no_color=os.environ.get("NO_COLOR", "") != "",
            columns=int(columns) if columns.isdigit() else None,
        )

    def is_terminal(self, stream) -> bool:
        """Whether ``stream`` is one of the process's streams on a terminal (a file never is)."""
        return ((stream is self.stdout and self.stdout_isatty) or (stream is self.stderr and self.stderr_isatty)
                or (stream is self.stdin and self.stdin_isatty))

    def colored(self, stream, option: bool | None) -> bool:
        """Colour on ``stream``: as ``option`` says (--color/--no-color), else on a terminal without NO_COLOR."""
        if option is not None:
            return option
        return self.is_terminal(stream) and not self.no_color
