"""Writing results: to stdout, or atomically to a file (a failed run leaves no half-written file).

A file is written as a temporary file beside it, made before the run so that a folder that cannot be
written is known before any work is done, and put in place at the end by a rename, or, where an
existing file must not be replaced, by a hard link that fails if the name has been taken meanwhile.
The temporary file is removed on every way out: an error, Ctrl-C, SIGTERM or SIGHUP (see signals.py).
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from backprop_cli.errors import BptraceError, one_line

# os.link fails with these where the file system has no hard links (FAT, some network and FUSE mounts).
NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EXDEV, errno.EMLINK}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def cannot_write(path: str, error: OSError) -> BptraceError:
    return BptraceError(f"{one_line(path)}: cannot write: {error.strerror or error}")


def same_file(a: str, b: str) -> bool:
    """Whether two names are one file, however spelled: ./, sub/../, symbolic and hard links, /proc/self/cwd/."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare where they would be
        return os.path.realpath(a) == os.path.realpath(b)


def write_protected(mode: int, owner: int, group: int) -> bool:
    """Whether a file's permission bits forbid the user to write it, as ``cp`` finds when it opens it.

    Judged on the bits alone, so that root, whom the system lets write anything, is refused what the
    owner is: a file made read-only (``chmod 444``) says "do not change me" to everyone.
    """
    if not hasattr(os, "geteuid"):  # Windows: one read-only flag for everyone
        return not mode & stat.S_IWUSR
    if owner == os.geteuid():
        return not mode & stat.S_IWUSR
    if group == os.getegid() or group in os.getgroups():
        return not mode & stat.S_IWGRP
    return not mode & stat.S_IWOTH


def check_target(path: str, *, force: bool | None = None) -> int | None:
    """Refuse, before any work, a path no output can go to; return its mode (of what a link points to),
    or None when it does not exist yet. A write-protected file is refused unless ``force`` (as ``cp -f``;
    None: the command has no --force)."""
    shown = one_line(path)
    if not path:
        raise BptraceError("the output file name is empty")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except OSError as error:  # a loop of links, a name too long, ...
        raise cannot_write(path, error) from None
    mode = None if info is None else info.st_mode
    if mode is not None and stat.S_ISDIR(mode):
        raise BptraceError(f"{shown}: is a directory; give a file name to write to")
    if mode is None and path.endswith(os.sep):
        raise BptraceError(f"{shown}: the folder does not exist; give a file name to write to")
    folder = Path(os.path.realpath(path)).parent
    if (mode is None or stat.S_ISREG(mode)) and not folder.is_dir():
        raise BptraceError(f"{shown}: the folder {one_line(str(folder))} does not exist")
    if info is not None and stat.S_ISREG(info.st_mode) and not force and (
            write_protected(info.st_mode, info.st_uid, info.st_gid) or not os.access(path, os.W_OK)):
        hint = " or use --force" if force is False else ""
        raise BptraceError(f"{shown}: the file is write-protected; make it writable (chmod u+w){hint} to replace it")
    return mode


def refuse_inputs(path: str, reads: Mapping[str, str]) -> None:
    """Refuse an output ``path`` that is one of the files the command reads (``reads`` maps each to what it
    is, e.g. "the config being run"), however either name is spelled, whatever --force."""
    for source, what in reads.items():
        if path and source != "-" and same_file(path, source):
            raise BptraceError(f"-o {one_line(path)}: that is {what}; write to another file (it stays as it is)")


def check_output(path: str | None, reads: Mapping[str, str], *, force: bool | None = None) -> None:
    """Refuse, before the run, an ``-o`` file that must not or cannot be written (see refuse_inputs and
    check_target)."""
    if path is None or path == "-":
        return
    refuse_inputs(path, reads)
    check_target(path, force=force)


class PendingFile:
    """A temporary file beside ``path`` that becomes ``path`` on ``commit()``, and is removed otherwise.

    It is made at once, so that a folder that cannot be written is known before the run. With
    ``exclusive`` the name is taken by a hard link, which fails if a file of that name appeared
    meanwhile (another process, a second bptrace saving to the same name): that file is never replaced.
    A symbolic link is followed: the file it points to is replaced, the link stays.
    """

    def __init__(self, path: str, mode: int | None = None, *, exclusive: bool = False) -> None:
        self.path = path
        self.exclusive = exclusive
        self.placed = False  # the temporary file has become ``path``: nothing left to remove
        self.target = Path(os.path.realpath(path))
        try:
            handle, self.temporary = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp",
                                                      dir=self.target.parent)
        except OSError as error:
            raise cannot_write(path, error) from None
        try:
            # mkstemp makes the file private (0600); give it the mode a plain open() would, or the old file's.
            os.chmod(self.temporary, mode & 0o7777 if mode is not None else 0o666 & ~_umask())
            self.stream: IO[str] = os.fdopen(handle, "w", encoding="utf-8")
        except BaseException as error:
            os.close(handle)
            self.discard()
            if isinstance(error, OSError):
                raise cannot_write(path, error) from None
            raise

    def commit(self) -> None:
        """Put the written file in place of ``path``."""
        try:
            self.stream.flush()
            os.fsync(self.stream.fileno())
            self.stream.close()
            if self.exclusive:
                self._link()
            else:
                os.replace(self.temporary, self.target)
                self.placed = True
        except FileExistsError:
            raise BptraceError(f"{one_line(self.path)}: a file of that name appeared while bptrace ran; it was "
                               "left as it is (use --force to overwrite it)") from None
        except OSError as error:  # the disk is full, the file too large, ...
            raise cannot_write(self.path, error) from None
        finally:
            self.discard()

    def _link(self) -> None:
        """Give the finished file the name ``path`` unless that name exists (discard() then drops the
        temporary name)."""
        try:
            os.link(self.temporary, self.target)
        except OSError as error:
            if error.errno not in NO_HARD_LINKS:
                raise
            # No hard links here: claim the name exclusively, then rename over the (empty) file just made.
            os.close(os.open(self.target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            os.replace(self.temporary, self.target)
            self.placed = True

    def discard(self) -> None:
        """Remove the temporary file, if it is still there."""
        stream = getattr(self, "stream", None)
        if stream is not None and not stream.closed:
            try:
                stream.close()
            except OSError:  # flushing what a full disk refused fails again: the file goes anyway
                pass
        if self.placed:
            return
        try:
            os.unlink(self.temporary)
        except FileNotFoundError:
            pass

    def __enter__(self) -> PendingFile:
        return self

    def __exit__(self, *exc) -> None:
        self.discard()  # after commit() there is nothing left to remove


@contextmanager
def atomic_file(path: str, *, exclusive: bool = False, force: bool | None = None) -> Iterator[IO[str]]:
    """A text stream whose content replaces ``path`` only if the block finishes without an error.

    A path that is no regular file (/dev/null, /dev/stdout, a FIFO, a terminal) is written to as it is:
    renaming a file over it would replace the device. Every failure to write is a BptraceError naming
    ``path``. With ``exclusive``, an existing ``path`` is never replaced (see PendingFile).
    """
    mode = check_target(path, force=force)
    if mode is not None and not stat.S_ISREG(mode):
        try:
            with open(path, "w", encoding="utf-8") as stream:
                yield stream
        except BrokenPipeError:  # /dev/stdout or a FIFO whose reader left: as on stdout (pipes.py)
            raise
        except OSError as error:  # /dev/full, ...
            raise cannot_write(path, error) from None
        return
    with PendingFile(path, mode, exclusive=exclusive) as pending:
        try:
            yield pending.stream
        except OSError as error:  # the disk is full, the file too large, ...
            raise cannot_write(path, error) from None
        pending.commit()


@contextmanager
def destination(path: str | None, stdout: IO[str] | None = None, *, force: bool | None = None,
                exclusive: bool = False, reads: Mapping[str, str] | None = None) -> Iterator[IO[str]]:
    """Where a command's result goes: ``path`` (see atomic_file; never one of the files in ``reads``, see
    refuse_inputs) or standard output (``stdout``)."""
    if path is None or path == "-":
        yield stdout or sys.stdout
    else:
        refuse_inputs(path, reads or {})
        with atomic_file(path, exclusive=exclusive, force=force) as stream:
            yield stream
