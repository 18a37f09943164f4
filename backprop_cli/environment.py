"""The process a command runs in: its streams, which of them are terminals, NO_COLOR and COLUMNS.

Read once, at the edge (``Environment.from_process()``), and passed in: renderers never look at
``sys.stdout.isatty()`` or ``os.environ`` themselves, so a test can hand them a terminal that is none.

Here too is what a stream can take: which encodings carry every character (``carries_unicode``), JSON and
SVG carrying any character through escapes (``escaping``), and user text shown to a person with its
control characters made visible (``printable``; ``render/console.py`` does it for the tables). How the
standard streams fail clearly (closed, full, an encoding that lacks a character) is ``streams.py``.
"""

from __future__ import annotations

import codecs
import os
import sys
from dataclasses import dataclass
from typing import IO, cast

from backprop_cli.errors import StreamError, one_line

MIN_COLUMNS = 60  # narrower, the tables cut numbers short
FILE_WIDTH = 100  # columns of the tables in a file or a pipe, whatever terminal the command ran in


def isatty(stream) -> bool:
    """Whether ``stream`` is a terminal (False for anything that cannot tell)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def _size(value: str, least: int) -> int | None:
    value = value.strip()
    return max(int(value), least) if value.isdecimal() and int(value) > 0 else None  # no sign, no '²'


def columns_of(value: str | None) -> int | None:
    """The width COLUMNS asks for, never below MIN_COLUMNS; None where it is unset or makes no sense (empty,
    0, a sign, not a number): then the terminal's own width as it is when printing, else 80."""
    return None if value is None else _size(value, MIN_COLUMNS)


def settle_size(environ) -> None:
    """Make COLUMNS and LINES in ``environ`` (the process's, at the edge) what bptrace takes them for, for
    rich too, which reads them itself and fails on some nonsense (COLUMNS=²): a width below MIN_COLUMNS
    is raised to it, and anything but a positive whole number is removed, as if it was never set."""
    for name, least in (("COLUMNS", MIN_COLUMNS), ("LINES", 1)):
        if name in environ:
            size = _size(environ[name], least)
            if size is None:
                del environ[name]
            else:
                environ[name] = str(size)


@dataclass(frozen=True)
class Environment:
    stdin: IO[str]
    stdout: IO[str]
    stderr: IO[str]
    stdin_isatty: bool = False
    stdout_isatty: bool = False
    stderr_isatty: bool = False
    no_color: bool = False  # NO_COLOR is set (and not empty)
    # COLUMNS; None: the terminal's own width (as it is when printing), else 80; never below MIN_COLUMNS
    columns: int | None = None

    @classmethod
    def from_process(cls) -> Environment:
        return cls(
            stdin=sys.stdin, stdout=sys.stdout, stderr=sys.stderr,
            stdin_isatty=isatty(sys.stdin), stdout_isatty=isatty(sys.stdout), stderr_isatty=isatty(sys.stderr),
            no_color=os.environ.get("NO_COLOR", "") != "",
            columns=columns_of(os.environ.get("COLUMNS")),
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


# --------------------------------------------------------------------------------------------------
# User text on a terminal


def printable(text: str) -> str:
    """``text`` (a title, a layer or file name, a message quoting them) with its line breaks kept and every
    other character a terminal would not simply print written as ``errors.one_line`` writes it: ESC is
    ``\\x1b``, so no name can set a window title or clear a screen."""
    return text if text.isprintable() else "\n".join(one_line(line) for line in text.split("\n"))


# --------------------------------------------------------------------------------------------------
# Encodings

UNICODE_ENCODINGS = ("utf-8", "utf-16", "utf-32", "gb18030")  # encodings that carry every character


def carries_unicode(stream) -> bool:
    """Whether ``stream`` takes every character (UTF-8 and its kin) or only some (ascii, latin-1, ...)."""
    name = getattr(stream, "encoding", None) or "utf-8"
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return False
    return name.startswith(UNICODE_ENCODINGS)


def lacking(encoding: str, char: str | None = None) -> StreamError:
    """The error of writing text for a person (the tables' →, Θ, σ, box drawing, ...) to standard output
    in an ``encoding`` that lacks ``char`` or other symbols of it."""
    first = f" (U+{ord(char):04X} first)" if char else ""
    return StreamError(f"standard output is encoded as {codecs.lookup(encoding).name}, which cannot carry the "
                       f"symbols of the output{first}; use a UTF-8 locale (LC_ALL=C.UTF-8) or PYTHONIOENCODING=utf-8 "
                       "(files written with -o are UTF-8 in any case)")


def require_unicode(stream) -> None:
    """Refuse, before anything is written, a stream that cannot carry every character: text for a person
    written in several pieces (the tables) would otherwise stop halfway."""
    if not carries_unicode(stream):
        raise lacking(stream.encoding)


def _json_escape(char: str) -> str:
    code = ord(char)
    if code > 0xFFFF:  # JSON spells a character beyond the BMP as a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


TEXT, JSON, XML = "text", "json", "xml"
_ESCAPES = {JSON: _json_escape, XML: lambda char: f"&#x{ord(char):x};"}


class Escaping:
    """A stream of text, JSON or XML that escapes, in the form's own way, the characters a terminal would
    not simply print (ESC, CSI, a bidirectional override, ...) and, in JSON and XML, every character the
    stream cannot carry: ``\\x1b`` in text (``printable``); ``\\u2192`` in JSON strings, ``&#x2192;`` in
    XML text and attribute values, where an escape means the character itself, so nothing is lost. Text
    keeps the characters it cannot carry: standard output refuses them with a clear error (Guarded)."""

    def __init__(self, stream: IO[str], form: str) -> None:
        self.stream = stream
        self.form = form
        self.ascii_only = form != TEXT and not carries_unicode(stream)

    def _kept(self, char: str) -> bool:
        return char == "\n" or (char.isprintable() and (char.isascii() or not self.ascii_only))

    def _clean(self, text: str) -> bool:
        """Whether ``text`` can be written as it is (checked at C speed; most text is)."""
        if self.ascii_only and not text.isascii():
            return False
        return text.isprintable() or all(line.isprintable() for line in text.split("\n"))

    def write(self, text: str) -> int:
        if self.form == TEXT:
            text = printable(text)
        elif not self._clean(text):
            escape = _ESCAPES[self.form]
            text = "".join(char if self._kept(char) else escape(char) for char in text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


def escaping(stream: IO[str], form: str) -> IO[str]:
    """``stream`` for text of ``form`` (TEXT, JSON or XML), escaping what must not be written as it is."""
    # Escaping has write and flush, all that a writer handed a stream of text calls.
    return cast(IO[str], Escaping(stream, form))
