"""Writing results: to stdout, or atomically to a file (a failed run leaves no half-written file)."""

from __future__ import annotations

import os
import stat
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from backprop_cli.errors import BptraceError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _cannot(path: str, error: OSError) -> BptraceError:
    return BptraceError(f"{path}: cannot write: {error.strerror or error}")


def check_target(path: str) -> int | None:
    """Refuse, before any work, a path no output can go to; return its mode (of what a link points to),
    or None when it does not exist yet."""
    if not path:
        raise BptraceError("the output file name is empty")
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as error:  # a loop of links, a name too long, ...
        raise _cannot(path, error) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise BptraceError(f"{path}: is a directory; give a file name to write to")
    if mode is None and path.endswith(os.sep):
        raise BptraceError(f"{path}: the folder does not exist; give a file name to write to")
    folder = Path(os.path.realpath(path)).parent
    if (mode is None or stat.S_ISREG(mode)) and not folder.is_dir():
        raise BptraceError(f"{path}: the folder {folder} does not exist")
    return mode


@contextmanager
def atomic_file(path: str) -> Iterator[IO[str]]:
    """A text stream whose content replaces ``path`` only if the block finishes without an error.

    A symbolic link is followed (the file it points to is replaced, the link stays). A path that is no
    regular file (/dev/null, /dev/stdout, a FIFO, a terminal) is written to as it is: renaming a file over
    it would replace the device. Every failure to write is a BptraceError naming ``path``.
    """
    import tempfile  # here, not at the top: it pulls in shutil, bz2, lzma and random, which stdout never needs

    mode = check_target(path)
    if mode is not None and not stat.S_ISREG(mode):
        try:
            with open(path, "w", encoding="utf-8") as stream:
                yield stream
        except BrokenPipeError:  # /dev/stdout or a FIFO whose reader left: as on stdout (pipes.py)
            raise
        except OSError as error:  # /dev/full, ...
            raise _cannot(path, error) from None
        return
    target = Path(os.path.realpath(path))
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        # mkstemp makes the file private (0600); give it the mode a plain open() would, or the old file's.
        os.chmod(temporary, mode & 0o7777 if mode is not None else 0o666 & ~_umask())
    except OSError as error:
        raise _cannot(path, error) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException as error:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        if isinstance(error, OSError):  # the disk is full, the file too large, ...
            raise _cannot(path, error) from None
        raise


@contextmanager
def destination(path: str | None, stdout: IO[str] | None = None) -> Iterator[IO[str]]:
    """Where a command's result goes: ``path`` (see atomic_file) or standard output (``stdout``)."""
    if path is None or path == "-":
        yield stdout or sys.stdout
    else:
        with atomic_file(path) as stream:
            yield stream
