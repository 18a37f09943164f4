"""The status line of step mode: where the reader is and which keys do what, on stderr under the last phase.

On a terminal it fits the terminal's width in whole words, saying the keys more briefly where it must,
and is erased as soon as a key is read; elsewhere each status is a line of its own.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import IO, Protocol

from backprop_cli.environment import isatty as _isatty
from backprop_cli.errors import one_line

FIRST, UNKNOWN_KEY = "(this is the first phase)", "(unknown key)"  # notes of the status line


class Named(Protocol):
    @property
    def name(self) -> str: ...


class StatusLine:
    """The prompt under the last phase, on stderr: erased after each key on a terminal, else one line each."""

    def __init__(self, stream: IO[str], styled: bool = False, terminal: bool | None = None) -> None:
        self.stream = stream
        self.terminal = _isatty(stream) if terminal is None else terminal
        self.styled = styled and self.terminal
        self.shown = False

    @property
    def width(self) -> int | None:
        """The columns a status line may take on the terminal (one less than it has: a line that fills the
        last column wraps on some terminals, and a wrapped status line cannot be erased in one piece);
        None where it is no terminal."""
        if not self.terminal:
            return None
        try:
            return os.get_terminal_size(self.stream.fileno()).columns - 1
        except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
            return 79

    def show(self, text: str) -> None:
        text = one_line(text)  # it names the layer of a phase
        if not self.terminal:
            self.stream.write(text + "\n")
            self.stream.flush()
            return
        text = fit_words(text, self.width)
        self.stream.write(f"\x1b[7m{text}\x1b[0m" if self.styled else text)
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.shown = False


# The keys, from the way they are said in full to the shortest, for the first status line that fits.
KEY_HELP = (("n/Enter: next · b: back · a: all · q: quit", "n/Enter: done · b: back · q: quit"),
            ("n: next · b: back · a: all · q: quit", "n: done · b: back · q: quit"),
            ("n next · b back · a all · q quit", "n done · b back · q quit"),
            ("n b a q", "n b q"))
NOTES = {FIRST: "(first phase)", UNKNOWN_KEY: "(unknown key)"}


def fit_words(text: str, width: int | None) -> str:
    """``text`` in ``width`` columns: whole words only, as many as fit (never a word cut)."""
    if width is None or len(text) <= width:
        return text
    words, kept = text.split(" "), ""
    for word in words:
        if len((kept + " " + word).lstrip()) > width:
            break
        kept = (kept + " " + word).lstrip()
    return kept.rstrip(" ·—") or text[:width]  # a single word wider than the terminal: what fits of it


def prompt(pages: Sequence[Named], index: int, note: str = "", width: int | None = None) -> str:
    """The status line: where the reader is, and which keys do what from here; in ``width`` columns, the
    keys said more briefly (and the note too) until it fits."""
    where = f"{pages[index].name} — {index + 1} of {len(pages)}"
    last = index == len(pages) - 1
    for n, keys in enumerate(KEY_HELP):
        said = NOTES.get(note, note) if n else note
        text = f"{where} · {keys[last]}" + (f"  {said}" if said else "")
        if width is None or len(text) <= width:
            return text
    answer = f"{where}  {NOTES.get(note, note)}"  # the note answers the key just pressed
    if note and width is not None and len(answer) <= width:
        return answer
    return fit_words(f"{where} · {KEY_HELP[-1][last]}", width)
