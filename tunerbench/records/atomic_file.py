"""Atomic file writes: a crash or a full disk never leaves a truncated results file or report,
and a power cut after the write never loses the rename (the folder is fsynced too).

Every file tunerbench writes (results, report, journal, logs, locks) refuses a symbolic link in
its place: writing through a link planted there would change a file elsewhere. A kill between
writing a temporary file and renaming it leaves that file behind; its name says whose it was
(``.<target>.tunerbench-tmp.<host>.<pid>.<random>``), so the next write in that folder removes
it once its process is gone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import socket
import stat
import tempfile
from pathlib import Path

TEMP_MARK = ".tunerbench-tmp."
_HOST = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname()) or "host"
_TEMP = re.compile(r"^\..+\.tunerbench-tmp\.(?P<host>[A-Za-z0-9-]+)\.(?P<pid>\d+)\.[^.]+$")


class FileRefused(OSError):
    """A file tunerbench would open is not one it may open; the message says which and what
    to do, in one line (``strerror`` too, for messages that quote an OSError's reason)."""

    def __init__(self, code: int, message: str, path: Path | str) -> None:
        super().__init__(code, message, str(path))

    def __str__(self) -> str:
        return str(self.strerror)


class LinkRefused(FileRefused):
    """A file tunerbench would write is a symbolic link."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(
            errno.ELOOP,
            f"{path} is a symbolic link; tunerbench never writes through one: remove it",
            path,
        )


def refuse_link(path: Path) -> Path:
    """``path``, or LinkRefused when it is a symbolic link (checked right before opening it,
    for files opened by code that cannot pass ``O_NOFOLLOW``, such as a lock)."""
    if path.is_symlink():
        raise LinkRefused(path)
    return path


def open_regular(path: Path | str, flags: int, mode: int = 0o644) -> int:
    """``os.open`` of a regular file that never follows a symbolic link at ``path``
    (LinkRefused) and never blocks on a FIFO or a device (FileRefused, naming what it is)."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LinkRefused(path) from None
        raise
    kind = _kind(os.fstat(fd).st_mode)
    if kind is not None:
        os.close(fd)
        raise FileRefused(errno.EINVAL, f"{path} is {kind}, not a regular file: remove it", path)
    return fd


def not_regular(path: Path | str) -> str | None:
    """What ``path`` is when it exists and is not a regular file ("a FIFO", "a folder"...),
    else None: reading a FIFO or a device would block or never end, so callers refuse it
    before opening it."""
    try:
        return _kind(os.stat(path).st_mode)
    except OSError:
        return None  # missing or unreachable: the caller's own open says so


def _kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    kinds = [(stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket")]
    return next((kind for test, kind in kinds if test(mode)), "a device")


def atomic_write_text(path: Path, text: str | bytes) -> None:
    """Write (text as UTF-8, or bytes) to a temporary file in the same folder, fsync, then
    rename over ``path``.

    Raises OSError (with the temporary file removed) when the folder cannot be written, and
    LinkRefused when ``path`` is a symbolic link.
    """
    atomic_write_texts([(path, text)])


def atomic_write_texts(files: list[tuple[Path, str | bytes]]) -> None:
    """Write every file to its temporary file first, then rename them in the order given: a
    kill before the renames leaves every target as it was, and the last one named is renamed
    last (the one a reader should trust when the others were renamed before a kill)."""
    temps: list[tuple[str, Path]] = []
    try:
        for path, text in files:
            refuse_link(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            remove_stale_temps(path.parent)
            temps.append((_write_temp(path, text), path))
        for tmp, path in temps:
            refuse_link(path)
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in temps:
            Path(tmp).unlink(missing_ok=True)
        raise
    for folder in dict.fromkeys(path.parent for _, path in temps):
        fsync_folder(folder)


def temp_prefix(path: Path) -> str:
    """How this process's temporary files for ``path`` are named: what ``remove_stale_temps``
    reads back to tell whose a file is."""
    return f".{path.name}{TEMP_MARK}{_HOST}.{os.getpid()}."


def _write_temp(path: Path, text: str | bytes) -> str:
    """``text`` in a new temporary file beside ``path``, fsynced; its name says whose it is."""
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode() if isinstance(text, str) else text)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; results are meant to be shared
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def remove_stale_temps(folder: Path) -> None:
    """Remove the temporary files a killed tunerbench process of this machine left in
    ``folder``; those of live processes (another session writing) and of other machines (a
    shared folder) are left alone."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        match = _TEMP.match(entry.name) if TEMP_MARK in entry.name else None
        if match is None or match["host"] != _HOST or _alive(int(match["pid"])):
            continue
        with contextlib.suppress(OSError):  # gone already, or not ours to remove
            os.unlink(entry.path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    return True


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable: the folder's entry is on disk too."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
