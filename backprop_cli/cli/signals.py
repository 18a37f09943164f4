"""Signals that end a run: Ctrl-C (SIGINT), SIGTERM and SIGHUP all stop bptrace the same way.

Each raises ``Stopped`` where the program happens to be, so that every ``finally`` and every
``except BaseException`` on the way out runs: a temporary output file is removed, the original file is
left as it was, the terminal's cursor and modes are restored. At the edge the command line prints one
line and exits with 128 + the signal's number (130, 143, 129), as shells report a process a signal ended.
"""

from __future__ import annotations

import signal
import sys

# SIGHUP does not exist on Windows.
SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
WORDS = {"SIGINT": "interrupted", "SIGTERM": "terminated (SIGTERM)", "SIGHUP": "hung up (SIGHUP)"}


class Stopped(KeyboardInterrupt):
    """A signal asked bptrace to stop. A KeyboardInterrupt, so that code written for Ctrl-C handles all."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, frame) -> None:
    # The first signal wins; later ones are ignored so that they cannot cut the clean-up short.
    for each in SIGNALS:
        signal.signal(each, signal.SIG_IGN)
    raise Stopped(signum)


def install() -> None:
    """Turn SIGINT, SIGTERM and SIGHUP into ``Stopped``. Call first thing, before the heavy imports."""
    for each in SIGNALS:
        if signal.getsignal(each) is signal.SIG_IGN:
            continue  # e.g. SIGHUP under nohup, SIGINT in a background job: the caller wants them ignored
        signal.signal(each, _stop)


def exit_status(error: KeyboardInterrupt) -> int:
    """128 + the number of the signal that stopped the run (a plain KeyboardInterrupt is Ctrl-C)."""
    return 128 + int(getattr(error, "signum", signal.SIGINT))


def report(error: KeyboardInterrupt) -> int:
    """Say on stderr, in one line, why the run stopped; return the exit status for it."""
    name = signal.Signals(exit_status(error) - 128).name
    try:
        sys.stderr.write(f"bptrace: {WORDS.get(name, name)}\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr closed or gone with the terminal: the status still tells
        pass
    return exit_status(error)
