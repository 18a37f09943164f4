"""Step mode (``run --step``): walk through one update phase by phase, at the reader's pace.

The loop only moves through the sections of the document (``model.build``) that the terminal
renderer spelled; it does no math. Keys come from an injectable source: single key presses on a terminal
(cbreak mode, restored in a ``finally``), one key per line from a pipe, or nothing at all (then the rest
is shown).

Where things go: the phases are the result and go to stdout; the status line under them
("Step 1 — 2 of 6 · n/Enter: next · …") is a prompt and goes to stderr. On a terminal the status line
is erased as soon as a key is read, so the screen keeps only the phases; when stderr is not a terminal
each status is a line of its own. Either way stdout holds exactly the phases that were shown, so
``bptrace run c.yaml --step > notes.txt`` records a session without a single prompt in it.
"""

from __future__ import annotations

import os
import select
import termios
import textwrap
import tty
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Protocol

from rich.console import RenderableType
from rich.text import Text

from backprop_cli.engine.backprop import Iteration
from backprop_cli.engine.network import Config
from backprop_cli.engine.training import plan
from backprop_cli.environment import Environment
from backprop_cli.environment import isatty as _isatty
from backprop_cli.errors import BptraceError
from backprop_cli.model.build import document
from backprop_cli.model.document import Document
from backprop_cli.model.training import traced_update
from backprop_cli.render.explain import explanation
from backprop_cli.render.status import FIRST, UNKNOWN_KEY, StatusLine, prompt
from backprop_cli.render.table import TableOptions, header, make_console, phase
from backprop_cli.render.training import update_title

NEXT, BACK, ALL, QUIT, END, UNKNOWN = "next", "back", "all", "quit", "end", "unknown"

# What each key (or the first letter of a piped line) means; arrows and paging keys send escape sequences.
KEYS = {
    "": NEXT, "\n": NEXT, "\r": NEXT, " ": NEXT, "n": NEXT, "j": NEXT,
    "\x1b[C": NEXT, "\x1b[B": NEXT, "\x1b[6~": NEXT,
    "b": BACK, "p": BACK, "k": BACK, "\x1b[D": BACK, "\x1b[A": BACK, "\x1b[5~": BACK,
    "a": ALL, "q": QUIT,
    "\x04": END,  # Ctrl-D: in cbreak mode it arrives as a character, not as the end of input
}

# Where the keys come from when standard input holds the config ('-'). A module constant so that
# tests can point it elsewhere.
TTY = "/dev/tty"


class KeySource(Protocol):
    """Anything that hands out the next key as NEXT, BACK, ALL, QUIT, END or UNKNOWN."""

    def read(self) -> str: ...


class NoKeys:
    """No way to read keys (no terminal at all): the rest of the trace is shown at once."""

    def read(self) -> str:
        return END


class LineKeys:
    """One key per line of a text stream: a piped ``printf '\\n\\nq\\n'``. An empty line is Enter.

    Lines are read in bounded pieces: a line longer than ``LONGEST`` characters (``< /dev/zero``) is no
    key, and ends the session with an error rather than being read whole; so do ``UNKNOWN_RUN`` lines
    in a row that are no key (``yes |``), which would otherwise keep the session waiting for ever.
    """

    LONGEST = 256
    UNKNOWN_RUN = 1000

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.unknown = 0

    def read(self) -> str:
        line = self.stream.readline(self.LONGEST + 1)
        if not line:
            return END
        if len(line) > self.LONGEST:
            raise BptraceError(f"standard input: a line of more than {self.LONGEST} characters is no key; "
                               "--step reads one key a line (n, b, a, q or an empty line)")
        text = line.strip().lower()
        key = KEYS.get(text[:1], UNKNOWN)  # "next", "back", "all" and "quit" work as words too
        self.unknown = self.unknown + 1 if key == UNKNOWN else 0
        if self.unknown >= self.UNKNOWN_RUN:
            raise BptraceError(f"standard input: {self.UNKNOWN_RUN:,} lines in a row are no key; "
                               "--step reads one key a line (n, b, a, q or an empty line)")
        return key


class TerminalKeys:
    """Single key presses on a POSIX terminal, without Enter: cbreak mode while the block runs.

    Cbreak (not raw) mode keeps the terminal's signals, so Ctrl-C still raises KeyboardInterrupt,
    and the saved settings are put back however the block ends.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.saved: list | None = None

    def __enter__(self) -> TerminalKeys:
        self.saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd)
        return self

    def __exit__(self, *exc) -> None:
        if self.saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)

    def read(self) -> str:
        data = os.read(self.fd, 1)
        if not data:  # the terminal hung up
            return END
        if data == b"\x1b":
            # An arrow key is ESC followed at once by the rest of its sequence; a lone ESC has nothing after it.
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                data += os.read(self.fd, 8)
        text = data.decode("utf-8", "replace")
        return KEYS.get(text if len(text) > 1 else text.lower(), UNKNOWN)  # Q is q; sequences keep their case


def _can_cbreak() -> bool:
    try:
        import termios  # noqa: F401 - only POSIX has it
        import tty  # noqa: F401
    except ImportError:
        return False
    return True


@contextmanager
def open_keys(stdin: IO[str], stdin_holds_config: bool, terminal: bool | None = None) -> Iterator[KeySource]:
    """The key source for a session: the terminal on stdin, else lines of stdin; if stdin held the
    config, the controlling terminal (/dev/tty), and no keys at all where there is none."""
    if not stdin_holds_config:
        if getattr(stdin, "closed", False):  # before anything is shown: the session could not go on
            raise BptraceError("cannot read standard input: it is closed, and --step reads its keys there "
                               "(< /dev/null shows every phase at once)")
        if (_isatty(stdin) if terminal is None else terminal) and _can_cbreak():
            with TerminalKeys(stdin.fileno()) as keys:
                yield keys
        else:
            yield LineKeys(stdin)
        return
    try:
        fd = os.open(TTY, os.O_RDONLY | getattr(os, "O_NOCTTY", 0))
    except OSError:
        yield NoKeys()
        return
    try:
        if os.isatty(fd) and _can_cbreak():
            with TerminalKeys(fd) as keys:
                yield keys
        else:
            yield NoKeys()
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Page:
    """One phase as step mode shows it: its name and what is printed for it."""

    name: str
    body: list[RenderableType]


def build_pages(config: Config, it: Iteration, page: Document, opts: TableOptions) -> list[Page]:
    """The sections of update ``it``, each with its explanation first when ``opts.explain`` asks for it."""
    result = []
    for part in page.sections:
        before = explanation(config, it, part, opts.fmt) if opts.explain else []
        result.append(Page(part.name, before + phase(config, it, part, opts)))
    return result


def walk(pages: list[Page], keys: KeySource, show: Callable[[Page], None], status: StatusLine) -> None:
    """Show the first page, then move by key: next, back, all (the rest, then stop) or quit.

    At the end of the keys the rest is shown, so a short script of keys never leaves a trace half told.
    """
    index, note = 0, ""
    show(pages[0])
    while True:
        status.show(prompt(pages, index, note, status.width))
        try:
            key = keys.read()
        finally:
            status.clear()  # also on Ctrl-C: the message that follows starts on a clean line
        note = ""
        if key == QUIT:
            return
        if key in (ALL, END):
            for page in pages[index + 1:]:
                show(page)
            return
        if key == NEXT:
            if index == len(pages) - 1:
                return
            index += 1
            show(pages[index])
        elif key == BACK:
            if index == 0:
                note = FIRST
            else:
                index -= 1
                show(pages[index])
        else:
            note = UNKNOWN_KEY


def step_mode(config: Config, iterations: Iterable[Iteration], opts: TableOptions, env: Environment | None = None,
              *, color: bool | None = None, stdin_holds_config: bool = False) -> None:
    """Print the header, then walk through the phases of the first update by the keys read from stdin.

    A run of several updates also gets the title the table output gives the traced update, and at the
    end a note on where the rest of the run (loss per epoch, curve, trained weights) is shown.
    """
    env = env or Environment.from_process()
    stdout, stderr, stdin = env.stdout, env.stderr, env.stdin
    it = next(iter(iterations))
    updates = plan(config).updates
    console = make_console(stdout, color, env, opts.width)
    page = document(config, it, opts.fmt, opts.working, weights=True)

    def show(page: Page) -> None:
        console.print(Text(""))
        for renderable in page.body:
            console.print(renderable)
        stdout.flush()

    styled = color is not False and not env.no_color
    with open_keys(stdin, stdin_holds_config, env.stdin_isatty) as keys:
        console.print(header(page.header, opts.fmt))
        if updates > 1:
            console.print(Text(""))
            console.print(update_title(traced_update(it, updates)))
        walk(build_pages(config, it, page, opts), keys, show, StatusLine(stderr, styled, env.stderr_isatty))
    if updates > 1:  # a note for the reader, not part of the trace: stderr, like the status line
        note = f"Loss per epoch, curve and weights after all {updates:,} updates: run again without --step."
        width = StatusLine(stderr, terminal=env.stderr_isatty).width
        stderr.write((note if width is None else textwrap.fill(note, width)) + "\n")
        stderr.flush()
