"""Domain errors and exit codes. The core raises these; the command line turns them into messages."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

# Keys longer than this are shortened in a key path, so that a message stays readable.
LONGEST_KEY = 40
LONGEST_PATH = 12  # steps


# The command line and the Python API refuse the same contradiction with the same words.
EXACT_AND_HAND = "--exact and --hand-rounding contradict each other; give one of them"

class ExitStatus(IntEnum):
    """Every exit code bptrace uses."""

    SUCCESS = 0
    FAILURE = 1
    USAGE = 2
    CHECK_FAILED = 3  # a check ran and did not pass: gradcheck found a difference, or check --fail-under P
    HANGUP = 129  # 128 + SIGHUP: the terminal went away
    INTERRUPTED = 130  # 128 + SIGINT: Ctrl-C
    CLOSED_PIPE = 141  # 128 + SIGPIPE: the reader of the output went away (| head), as cat or grep (pipes.py)
    TERMINATED = 143  # 128 + SIGTERM: kill, a service manager, a timeout


class BptraceError(Exception):
    """An error the user can fix; printed as one line, exit code 2."""

    exit_status = ExitStatus.USAGE


class StreamError(BptraceError):
    """A standard stream that cannot be read or written: closed, full, or unable to encode a character."""


class ConfigError(BptraceError):
    """An invalid config: where it is (file, line, column, key path), what was expected, what was found."""

    def __init__(
        self,
        message: str,
        *,
        path: str = "",
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.source = source
        self.line = line
        self.column = column
        self.others: list[ConfigError] = []  # the problems found in the rest of the config
        self.more = False  # True when there were more problems than bptrace collects

    def located(self, source: str | None = None, line: int | None = None, column: int | None = None) -> ConfigError:
        """The same error with a position filled in where it was unknown."""
        error = ConfigError(
            self.message,
            path=self.path,
            source=self.source or source,
            line=self.line if self.line is not None else line,
            column=self.column if self.column is not None else column,
        )
        error.others, error.more = self.others, self.more
        return error

    def __str__(self) -> str:
        where = self.source or "<config>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        key = f"{self.path}: " if self.path else ""
        return one_line(f"{where}: {key}{self.message}")


def headline(error: BptraceError) -> str:
    """The error as one line, saying how many more a config has (``bptrace validate`` lists them)."""
    others = getattr(error, "others", [])
    if getattr(error, "more", False):
        return f"{error} (and more; 'bptrace validate' lists the first {len(others) + 1})"
    if others:
        return f"{error} (and {len(others)} more; 'bptrace validate' lists them all)"
    return str(error)


def one_line(text: str) -> str:
    """``text`` with every character a terminal would not simply print (line breaks, escape sequences,
    other control characters, bidirectional overrides, lone surrogates) written as a Python escape."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def format_path(path: Sequence[str | int]) -> str:
    """A key path as messages write it: ``layers[1].weights[0]``; long keys and long paths are shortened."""
    if len(path) > LONGEST_PATH:
        return format_path(path[:6]) + "…" + format_path(path[-3:])
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            step = step if len(step) <= LONGEST_KEY else step[: LONGEST_KEY - 3] + "..."
            out += f".{step}" if out else step
    return out
