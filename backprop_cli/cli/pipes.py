"""What bptrace does when the reader of its output goes away, as in ``bptrace run c.yaml | head -2``.

It stops writing at once, prints nothing, and exits with status 141 (``ExitStatus.CLOSED_PIPE``): the status
a shell reports for cat, grep or yes in the same place, 128 + SIGPIPE, so that a script with
``set -o pipefail`` treats bptrace as it treats them. The same holds for every format and every way the
output goes: standard output, or ``-o`` naming /dev/stdout or a FIFO. This is the one place that says so;
the command line sends every ``BrokenPipeError`` here.
"""

from __future__ import annotations

import io
import os
import sys

from backprop_cli.errors import ExitStatus


def _silence_stdout() -> None:
    """Point standard output at the null device: what is still buffered for the reader that left is then
    dropped at exit, instead of failing again with a message on stderr."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, io.UnsupportedOperation):  # a stream in memory, as in tests
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def closed_pipe_status() -> int:
    """Make the process ready to end quietly after its reader left; the exit status to end with."""
    _silence_stdout()
    return ExitStatus.CLOSED_PIPE


def flush_stdout() -> None:
    """Write out what standard output still buffers while a closed pipe can still be noticed (and sent to
    the one policy above), rather than at exit, where Python would report it on stderr."""
    try:
        sys.stdout.flush()
    except ValueError:  # already closed
        pass
