"""Writing results: to stdout, or atomically to a file (a failed run leaves no half-written file)."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from backprop_cli.errors import BptraceError


@contextmanager
def atomic_file(path: str) -> Iterator[IO[str]]:
    """A text stream whose content replaces ``path`` only if the block finishes without an error."""
    import tempfile  # here, not at the top: it pulls in shutil, bz2, lzma and random, which stdout never needs

    target = Path(path)
    if target.is_dir():
        raise BptraceError(f"{path}: is a directory; give a file name to write to")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise BptraceError(f"{path}: the folder {folder} does not exist")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would, or the old file's.
        os.chmod(temporary, target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask())
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def is_stream(path: str) -> bool:
    """True for an existing path that is not a regular file or a folder: /dev/null, a FIFO, a terminal.
    Such a path is written to as it is; renaming a file over it would replace the device."""
    target = Path(path)
    return target.exists() and not target.is_file() and not target.is_dir()


@contextmanager
def destination(path: str | None) -> Iterator[IO[str]]:
    """Where a command's result goes: ``path`` (atomically), a device or FIFO as it is, or standard output."""
    if path is None or path == "-":
        yield sys.stdout
    elif is_stream(path):
        with open(path, "w", encoding="utf-8") as stream:
            yield stream
    else:
        with atomic_file(path) as stream:
            yield stream
