"""Stored objects: files under `<data>/objects/<bucket>/<name>`, their digests in SQLite.

An upload streams into a temporary file in the destination folder, hashing as it goes (the
body is never held in memory), is checked against the client's checksum, fsynced, then
renamed over the destination: readers see the old object or the new one, never a torn one.
An object exists once its row is recorded; a file without a row is never served.

A server killed during an upload leaves its temporary file (`.upload-*.part` beside the
destination) and maybe the folders made for it: opening the store removes both, so a crash
costs the interrupted upload and nothing else.

>>> import asyncio, tempfile, pathlib
>>> from datlake_server.db import Database
>>> data = pathlib.Path(tempfile.mkdtemp())
>>> objects = ObjectStore(data / "objects", Database(data / "meta.db"))
>>> async def body():
...     yield b"hello"
>>> asyncio.run(objects.receive("logs", "jobs/x/run.log", body(), None))["uri"]
'datlake://logs/jobs/x/run.log'
>>> (data / "objects" / "logs" / "jobs" / "x" / "run.log").read_bytes()
b'hello'
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import os
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, BinaryIO

from anyio import to_thread

from datlake_server.db import Database
from datlake_server.names import check_bucket, check_object_name
from datlake_server.problems import (
    CHECKSUM_MISMATCH,
    INVALID_REQUEST,
    OBJECT_NOT_FOUND,
    Problem,
)

CHUNK = 1024 * 1024
BATCH = 1024 * 1024  # bytes of an upload written and hashed per hop to a worker thread
TEMP_PREFIX, TEMP_SUFFIX = ".upload-", ".part"


class ObjectStore:
    """The object files of one data folder."""

    def __init__(self, root: Path, db: Database) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root.resolve()
        self.db = db
        self.name_max = _name_max(self.root)
        self.remove_leftovers()

    def path_for(self, bucket: str, name: str) -> Path:
        """The file of an object, after checking the names and that it stays under the root."""
        check_bucket(bucket)
        check_object_name(name)
        segments = name.encode("utf-8", "surrogatepass").split(b"/")
        if max(len(segment) for segment in segments) > self.name_max:
            raise Problem(INVALID_REQUEST, "object name: a segment is too long for the file system")
        path = (self.root / bucket / name).resolve()
        if not path.is_relative_to(self.root / bucket) or path == self.root / bucket:
            raise Problem(INVALID_REQUEST, "object name: resolves outside its bucket")
        return path

    async def receive(
        self,
        bucket: str,
        name: str,
        chunks: AsyncIterator[bytes],
        expected_sha256: str | None,
    ) -> dict[str, Any]:
        """Store the streamed body as the object; the `ObjectReceipt` document."""
        target = self.path_for(bucket, name)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temp_name = tempfile.mkstemp(
                dir=target.parent, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX
            )
        except (FileExistsError, NotADirectoryError):
            raise Problem(
                INVALID_REQUEST, "object name: a parent folder is already an object"
            ) from None
        except OSError as error:
            self._remove_empty_folders(target.parent, bucket)
            if error.errno == errno.ENAMETOOLONG:
                raise Problem(
                    INVALID_REQUEST, "object name: a segment is too long for the file system"
                ) from error
            raise
        temp = Path(temp_name)
        stored = False
        try:
            with os.fdopen(fd, "wb") as file:
                sink = _Sink(file)
                await sink.drain(chunks)
                await to_thread.run_sync(_flush_to_disk, file)
            size, sha256 = sink.size, sink.digest.hexdigest()
            if expected_sha256 is not None and expected_sha256 != sha256:
                raise Problem(
                    CHECKSUM_MISMATCH,
                    f"X-Checksum-Sha256 is {expected_sha256}, the body's is {sha256}",
                )
            await to_thread.run_sync(self._commit, temp, target, bucket, name, size, sha256)
            stored = True
        finally:
            temp.unlink(missing_ok=True)
            if not stored:
                self._remove_empty_folders(target.parent, bucket)
        return {
            "bucket": bucket,
            "object": name,
            "uri": f"datlake://{bucket}/{name}",
            "size": size,
            "sha256": sha256,
        }

    def remove_leftovers(self) -> list[Path]:
        """Remove what interrupted uploads left: their temporary files, and the folders under
        a bucket that are empty (made for an upload that never landed). Returns the files
        removed. Run before serving: a live upload's temporary file is not a leftover.

        A file named like a temporary one is kept when it is a recorded object (an object
        may well be called `.upload-x.part`).
        """
        removed: list[Path] = []
        for bucket_folder in sorted(p for p in self.root.iterdir() if p.is_dir()):
            for folder, _subfolders, files in os.walk(bucket_folder, topdown=False):
                here = Path(folder)
                for file in files:
                    if file.startswith(TEMP_PREFIX) and file.endswith(TEMP_SUFFIX):
                        path = here / file
                        name = path.relative_to(bucket_folder).as_posix()
                        if not self._recorded(bucket_folder.name, name):
                            path.unlink(missing_ok=True)
                            removed.append(path)
                if here != bucket_folder:
                    with contextlib.suppress(OSError):  # not empty: it holds objects
                        here.rmdir()
        return removed

    def _recorded(self, bucket: str, name: str) -> bool:
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT 1 FROM objects WHERE bucket = ? AND name = ?", (bucket, name)
            ).fetchone()
        return row is not None

    def _remove_empty_folders(self, folder: Path, bucket: str) -> None:
        """Remove the folders a failed upload left empty, else a later object of a parent's
        name would be refused as a folder. Runs on the event loop, as the `mkdir` and
        `mkstemp` of `receive` do, so no upload sits between making a folder and filling it:
        a folder holding an object or an upload's temporary file is never empty."""
        bucket_folder = self.root / bucket
        while folder != bucket_folder and folder.is_relative_to(bucket_folder):
            try:
                folder.rmdir()
            except OSError:
                return
            folder = folder.parent

    def _commit(
        self, temp: Path, target: Path, bucket: str, name: str, size: int, sha256: str
    ) -> None:
        # the rename happens inside the transaction so the recorded digest always matches the
        # file that won, even when two uploads of one name race
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO objects (bucket, name, size, sha256, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (bucket, name, size, sha256, time.time()),
            )
            try:
                os.replace(temp, target)
            except IsADirectoryError:
                raise Problem(
                    INVALID_REQUEST, "object name: already a folder of other objects"
                ) from None
        _fsync_folder(target.parent)

    def open(self, bucket: str, name: str) -> tuple[BinaryIO, int, str]:
        """An open file of the object with its size and digest (read as one consistent pair)."""
        path = self.path_for(bucket, name)
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT size, sha256 FROM objects WHERE bucket = ? AND name = ?", (bucket, name)
            ).fetchone()
            try:
                file = path.open("rb") if row is not None else None
            except FileNotFoundError:
                file = None
        if row is None or file is None:
            raise Problem(OBJECT_NOT_FOUND, f"object {name} does not exist in bucket {bucket}")
        return file, int(row["size"]), str(row["sha256"])


class _Sink:
    """Writes and hashes an upload's body off the event loop, a batch at a time.

    The loop only collects chunks; each batch of about `BATCH` bytes is written and hashed in
    a worker thread (both release the GIL) while the loop collects the next, so a large
    upload never holds up other requests and receiving overlaps with writing.
    """

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.digest = hashlib.sha256()
        self.size = 0

    async def drain(self, chunks: AsyncIterator[bytes]) -> None:
        loop = asyncio.get_running_loop()
        writing: asyncio.Future[None] | None = None
        batch: list[bytes] = []
        batched = 0
        try:
            async for chunk in chunks:
                batch.append(chunk)
                batched += len(chunk)
                if batched >= BATCH:
                    if writing is not None:
                        await writing
                    writing = loop.run_in_executor(None, self._write, batch)
                    batch, batched = [], 0
        finally:
            if writing is not None and not writing.done():
                await asyncio.wait([writing])  # never leave a write running on a closing file
        if writing is not None:
            await writing
        if batch:
            await loop.run_in_executor(None, self._write, batch)

    def _write(self, batch: list[bytes]) -> None:
        for chunk in batch:
            self.file.write(chunk)
            self.digest.update(chunk)
            self.size += len(chunk)


async def read_chunks(file: BinaryIO) -> AsyncIterator[bytes]:
    """Stream an open file in chunks, reading off the event loop; closes it at the end."""
    try:
        while chunk := await to_thread.run_sync(file.read, CHUNK):
            yield chunk
    finally:
        file.close()


def _name_max(folder: Path) -> int:
    """The longest file name, in bytes, the file system under `folder` holds."""
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):  # no pathconf on Windows
        return 255


def _flush_to_disk(file: BinaryIO) -> None:
    file.flush()
    os.fsync(file.fileno())


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
