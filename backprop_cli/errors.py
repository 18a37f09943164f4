"""Domain errors and exit codes. The core raises these; the command line turns them into messages."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """Every exit code bptrace uses."""

    SUCCESS = 0
    FAILURE = 1
    USAGE = 2
    CHECK_FAILED = 3  # a check ran and did not pass: gradcheck found a difference, or check --fail-under P
    INTERRUPTED = 130


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

    def located(self, source: str | None = None, line: int | None = None, column: int | None = None) -> "ConfigError":
        """The same error with a position filled in where it was unknown."""
        return ConfigError(
            self.message,
            path=self.path,
            source=self.source or source,
            line=self.line if self.line is not None else line,
            column=self.column if self.column is not None else column,
        )

    def __str__(self) -> str:
        where = self.source or "<config>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        key = f"{self.path}: " if self.path else ""
        return f"{where}: {key}{self.message}"
