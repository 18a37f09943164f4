"""The standard streams while a command runs (``standard_streams``): a full disk, a descriptor closed
before bptrace started, or a character the output encoding cannot carry becomes one clear error
(``StreamError``, exit code 2) instead of a traceback; a message standard error cannot take is lost
quietly, as nothing else could show it; a closed pipe (EPIPE) is passed on as it is.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

from backprop_cli.environment import carries_unicode, isatty, lacking
from backprop_cli.errors import StreamError

NAMES = {"stdin": "standard input", "stdout": "standard output", "stderr": "standard error"}


class Guarded:
    """A standard stream (or None: closed before bptrace started, so Python has no stream at all) whose
    failures are StreamErrors; on standard error they are lost quietly instead. A closed pipe
    (BrokenPipeError) is passed on untouched, for the command line to handle as it does."""

    def __init__(self, stream: IO[str] | None, which: str) -> None:
        self.stream = stream
        self.which = which
        self.name = NAMES[which]
        self.encoding = getattr(stream, "encoding", None) or "utf-8"
        self.unicode = carries_unicode(self)
        self.failed = False  # a write failed: what is still buffered can never be written

    def _closed(self, verb: str) -> StreamError:
        return StreamError(f"cannot {verb} {self.name}: it is closed")

    def _encodable(self, text: str) -> str:
        """``text`` as the encoding can carry it: results must be whole, so a character the encoding lacks
        is an error on standard output; on standard error (messages) it is written as an escape."""
        try:
            text.encode(self.encoding)
        except UnicodeEncodeError as error:
            if self.which == "stderr":
                return text.encode(self.encoding, "backslashreplace").decode(self.encoding)
            raise lacking(self.encoding, error.object[error.start]) from None
        return text

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # a text stream, also to click, which probes with bytes
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if self.stream is None:
            if self.which == "stderr":
                return 0
            raise self._closed("write to")
        if not self.unicode:
            text = self._encodable(text)
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as error:
            return self._lost(error)

    def flush(self) -> None:
        if self.stream is None:
            return
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise
        except OSError as error:
            self._lost(error)

    def _lost(self, error: OSError) -> int:
        """A write failed: on standard output an error; a message for standard error is lost (nothing else
        could show it), and the command ends as it would have, with its own exit code."""
        self.failed = True
        if self.which == "stderr":
            return 0
        raise StreamError(f"cannot write to {self.name}: {error.strerror or error}") from None

    def _reading(self, read: Callable[[IO[str]], str]) -> str:
        if self.stream is None:
            raise self._closed("read")
        try:
            return read(self.stream)
        except OSError as error:
            raise StreamError(f"cannot read {self.name}: {error.strerror or error}") from None

    def readline(self, size: int = -1) -> str:
        return self._reading(lambda stream: stream.readline(size))

    def read(self, size: int = -1) -> str:
        return self._reading(lambda stream: stream.read(size))

    @property
    def buffer(self):
        """The bytes under standard input, as the config '-' is read. The output streams have none to
        offer: writing bytes past the guard (as click does to a stream it thinks misconfigured) would
        escape its checks."""
        if self.which != "stdin":
            raise AttributeError("buffer")
        if self.stream is None:
            raise self._closed("read")
        return self.stream.buffer

    @property
    def closed(self) -> bool:
        return self.stream is None or self.stream.closed

    def isatty(self) -> bool:
        return self.stream is not None and isatty(self.stream)

    def fileno(self) -> int:
        if self.stream is None:
            raise OSError(9, "it is closed")
        return self.stream.fileno()

    def release(self) -> None:
        """Make sure Python can flush the stream at exit without complaining: output that could not be
        written (a full disk) goes to /dev/null instead, as nothing else can take it."""
        if not self.failed or self.stream is None:
            return
        try:
            self.stream.flush()
        except OSError:
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, self.stream.fileno())
                os.close(devnull)
                self.stream.flush()
            except (OSError, ValueError):  # not a descriptor (a test's stream): nothing is flushed at exit
                pass


@contextmanager
def standard_streams() -> Iterator[None]:
    """Guard sys.stdin, sys.stdout and sys.stderr while the block runs (see Guarded)."""
    saved = {which: getattr(sys, which) for which in NAMES}
    guards = {which: Guarded(stream, which) for which, stream in saved.items()}
    for which, guard in guards.items():
        setattr(sys, which, guard)
    try:
        yield
    finally:
        for which, stream in saved.items():
            setattr(sys, which, stream)
            guards[which].release()
