"""Stored objects: one file per object under `<data>/objects/<bucket>/`, named by the SHA-256
of the object's name, its name, size and digest in SQLite.

Files are named by a digest of the object name, not by the name itself, so the contract's
name rule is the only one: a segment may be longer than the file system allows, `a` and `a/b`
may both be objects (S3 has neither limit either), and no name reaches outside its bucket.
An upload streams into a temporary file in the destination folder, hashing as it goes (the
body is never held in memory), is checked against the client's checksum, fsynced, then
renamed over the destination: readers see the old object or the new one, never a torn one.
An object exists once its row is recorded; a file without a row is never served.

A server killed during an upload leaves its temporary file (`.upload-*.part` beside the
destination): opening the store removes it, so a crash costs the interrupted upload and
nothing else. Opening a folder written by an older server, which named files by the object
name, moves its objects to their digest names.

>>> import asyncio, tempfile, pathlib
>>> from datlake_server.db import Database
>>> data = pathlib.Path(tempfile.mkdtemp())
>>> objects = ObjectStore(data / "objects", Database(data / "meta.db"))
>>> async def body():
...     yield b"hello"
>>> asyncio.run(objects.receive("logs", "jobs/x/run.log", body(), None))["uri"]
'datlake://logs/jobs/x/run.log'
>>> objects.path_for("logs", "jobs/x/run.log").read_bytes()
b'hello'
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import tempfile
import time
from collections import deque
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO

from anyio import to_thread

from datlake_server.db import Database
from datlake_server.names import check_bucket, check_object_name
from datlake_server.problems import CHECKSUM_MISMATCH, OBJECT_NOT_FOUND, Problem

CHUNK = 1024 * 1024
BATCH = 1024 * 1024  # bytes of an upload written and hashed per hop to its writer thread
# batches handed to the writer before the loop waits for the oldest: 16 MiB of room, so a
# writer held up for some milliseconds (its core taken by another thread) does not stop the
# loop reading the socket (measured: 2 batches cost a 1 GiB upload 5 to 10% of its speed)
IN_FLIGHT = 16
TEMP_PREFIX, TEMP_SUFFIX = ".upload-", ".part"
# present in an objects folder whose files are named by digests (absent: by object names)
LAYOUT_MARKER = ".digest-names"


class ObjectStore:
    """The object files of one data folder."""

    def __init__(self, root: Path, db: Database) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root.resolve()
        self.db = db
        self._move_named_files()
        self.remove_leftovers()

    def path_for(self, bucket: str, name: str) -> Path:
        """The file of an object, after checking the names: `<bucket>/<ab>/<abcd...>`, the
        hex SHA-256 of the name (its first two digits a folder, so no folder grows huge)."""
        check_bucket(bucket)
        digest = hashlib.sha256(check_object_name(name).encode("utf-8")).hexdigest()
        return self.root / bucket / digest[:2] / digest

    async def receive(
        self,
        bucket: str,
        name: str,
        chunks: AsyncIterator[bytes],
        expected_sha256: str | None,
    ) -> dict[str, Any]:
        """Store the streamed body as the object; the `ObjectReceipt` document."""
        target = self.path_for(bucket, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
        temp = Path(temp_name)
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
        finally:
            temp.unlink(missing_ok=True)
        return {
            "bucket": bucket,
            "object": name,
            "uri": f"datlake://{bucket}/{name}",
            "size": size,
            "sha256": sha256,
        }

    def remove_leftovers(self) -> list[Path]:
        """Remove the temporary files interrupted uploads left, and return them. Run before
        serving: a live upload's temporary file is not a leftover. (Objects are named by hex
        digests, so no object is ever named like a temporary file.)"""
        removed = [
            path
            for path in sorted(self.root.glob(f"*/**/{TEMP_PREFIX}*{TEMP_SUFFIX}"))
            if path.is_file()
        ]
        for path in removed:
            path.unlink(missing_ok=True)
        return removed

    def _move_named_files(self) -> None:
        """Move the files of a folder an older server wrote (`<bucket>/<name>`) to their
        digest names. The old tree is set aside first, so no old file or folder can stand
        where a new one goes; what is left of it (files no row records) stays in
        `objects.by-name/`, never served."""
        marker = self.root / LAYOUT_MARKER
        if marker.exists():
            return
        if any(self.root.iterdir()):
            old_root = self.root.with_name(f"{self.root.name}.by-name")
            self.root.rename(old_root)
            self.root.mkdir()
            with self.db.transaction() as conn:
                rows = conn.execute("SELECT bucket, name FROM objects").fetchall()
            for row in rows:
                old = old_root / row["bucket"] / row["name"]
                if old.is_file():
                    new = self.path_for(row["bucket"], row["name"])
                    new.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(old, new)
            for folder, _subfolders, _files in os.walk(old_root, topdown=False):
                with contextlib.suppress(OSError):  # not empty: files no row records
                    Path(folder).rmdir()
        marker.touch()
        _fsync_folder(self.root)

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
            os.replace(temp, target)
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

    The loop only collects chunks; each batch of about `BATCH` bytes goes to the upload's own
    writer thread, which writes and hashes the batches in order (both release the GIL). The
    loop waits for the writer only when `IN_FLIGHT` batches are still unwritten, so it keeps
    reading the socket while a batch is written, and a writer held up for a moment (its core
    busy with another process, such as the client hashing what it sends) neither stops the
    upload nor holds up other requests.
    """

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.digest = hashlib.sha256()
        self.size = 0

    async def drain(self, chunks: AsyncIterator[bytes]) -> None:
        loop = asyncio.get_running_loop()
        writing: deque[asyncio.Future[None]] = deque()
        batch: list[bytes] = []
        batched = 0
        # one thread per upload keeps its batches in order; created with the first full batch
        with ThreadPoolExecutor(1, thread_name_prefix="datlake-upload") as writer:
            try:
                async for chunk in chunks:
                    batch.append(chunk)
                    batched += len(chunk)
                    if batched >= BATCH:
                        if len(writing) == IN_FLIGHT:
                            await writing.popleft()
                        writing.append(loop.run_in_executor(writer, self._write, batch))
                        batch, batched = [], 0
                if batch:
                    # a small body's only batch: a shared worker, no thread of its own
                    last = writer if writing else None
                    writing.append(loop.run_in_executor(last, self._write, batch))
                while writing:
                    await writing.popleft()
            finally:
                if writing:  # never leave a write running on a closing file
                    await asyncio.wait(list(writing))

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


def _flush_to_disk(file: BinaryIO) -> None:
    file.flush()
    os.fsync(file.fileno())


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
