"""One server per data folder: an exclusive lock on `datlake.lock`, held while the app lives.

Two servers over one folder would each hold their own SQLite connection and their own idea of
which upload files are leftovers of a crash (and remove the other's). The lock is `flock` on
a file in the folder, so the kernel lets it go when the process ends however it ends (even by
`kill -9`); the file keeps the pid of the holder, for the message. The file itself stays:
removing it on release would let a third server lock a new file while a second still waits
on the old one.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> lock = DataFolderLock(folder)
>>> DataFolderLock(folder)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
datlake_server.lock.DataFolderInUse: another datlake server uses ... (pid ...)
>>> lock.release()
>>> DataFolderLock(folder).release()
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

LOCK_FILE = "datlake.lock"


class DataFolderInUse(RuntimeError):
    """Another server (in this process or another) holds the data folder."""


class DataFolderLock:
    """The exclusive lock of a data folder, taken at construction; `release()` lets it go."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_FILE
        self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock(self._fd, data_dir, self.path)
            os.ftruncate(self._fd, 0)
            os.write(self._fd, f"{os.getpid()}\n".encode())
        except BaseException:
            os.close(self._fd)
            self._fd = None
            raise

    def release(self) -> None:
        """Unlock (closing the file unlocks); a second call does nothing."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)


if sys.platform == "win32":  # pragma: no cover - the local Datlake is served from POSIX hosts

    def _lock(fd: int, data_dir: Path, path: Path) -> None:
        return None

else:
    import fcntl

    def _lock(fd: int, data_dir: Path, path: Path) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DataFolderInUse(
                f"another datlake server uses {data_dir.resolve()} (pid {_holder(path)})"
            ) from None


def _holder(path: Path) -> str:
    try:
        pid = path.read_text().strip()
    except OSError:
        pid = ""
    return pid if pid.isdigit() else "unknown"
