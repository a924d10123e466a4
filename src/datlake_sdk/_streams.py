"""Object bodies at disk speed, in constant memory, for both clients.

- `FileBody`: an upload's content, the file read in 1 MiB steps and hashed as it goes out
  (one read of the file, not one to hash it and one to send it), the hashing in a thread
  beside the sending; iterating it again, as a retry does, starts over from the first byte.
- `drain` / `adrain`: a download's body handed, about 1 MiB at a time, to a `Sink` that
  writes and hashes it in a worker thread while the next bytes arrive (both release the GIL);
  at most two batches are in flight, so memory does not grow with the object.

>>> import hashlib, pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "part-0.csv"
>>> _ = path.write_bytes(b"id\\n1\\n")
>>> body = FileBody(path)
>>> b"".join(body) == path.read_bytes() and body.sha256 == hashlib.sha256(b"id\\n1\\n").hexdigest()
True
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import asyncio
    from concurrent.futures import Future

__all__ = ["BATCH", "CHUNK", "FileBody", "Sink", "adrain", "drain", "read_by_sink"]

CHUNK = 1024 * 1024  # bytes read from a file per step
BATCH = 1024 * 1024  # bytes of a download handed to the worker thread at once


class FileBody:
    """The bytes of the file at `path`, read `CHUNK` bytes at a time and hashed on the way.

    `sha256` is the digest of the last pass that read the file to its end (`None` before);
    each pass opens the file anew and hashes exactly the bytes it hands out. With `size` (the
    `Content-Length` sent), a pass that finds the file longer or shorter raises `OSError`
    before handing out a byte too many, or at its end. The hashing runs
    beside the sending: a sync pass hashes each chunk in a thread of its own while the chunk
    is sent; `async for` reads and hashes the next chunk in a worker thread while this one is
    sent. Either way at most two chunks are held at once.
    """

    def __init__(self, path: str | os.PathLike[str], size: int | None = None) -> None:
        self.path = os.fspath(path)
        self.size = size
        self.sha256: str | None = None

    def _counted(self, done: int, chunk: bytes) -> int:
        """`done` bytes handed out before `chunk`: how many with it (`chunk=b""`: at the end)."""
        done += len(chunk)
        if self.size is not None and (done > self.size or (not chunk and done < self.size)):
            raise OSError(
                f"{self.path} changed while it was uploaded: it is no longer the"
                f" {self.size} bytes announced"
            )
        return done

    def __iter__(self) -> Iterator[bytes]:
        from concurrent.futures import ThreadPoolExecutor

        self.sha256 = None
        hasher = hashlib.sha256()
        hashed: Future[None] | None = None
        done = 0
        with (
            open(self.path, "rb") as file,
            ThreadPoolExecutor(1, thread_name_prefix="datlake-upload-hash") as hashing,
        ):
            while chunk := file.read(CHUNK):
                done = self._counted(done, chunk)
                if hashed is not None:
                    hashed.result()  # in order, and never more than one chunk behind
                if len(chunk) < CHUNK:  # the last chunk (a small file's only one): no thread
                    hashed = None
                    hasher.update(chunk)
                else:
                    hashed = hashing.submit(hasher.update, chunk)
                yield chunk
            if hashed is not None:
                hashed.result()
            self._counted(done, b"")
        self.sha256 = hasher.hexdigest()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        import asyncio

        self.sha256 = None
        hasher = hashlib.sha256()

        def step() -> bytes:
            chunk = file.read(CHUNK)
            hasher.update(chunk)
            return chunk

        done = 0
        with open(self.path, "rb") as file:
            reading = asyncio.ensure_future(asyncio.to_thread(step))
            try:
                while chunk := await reading:
                    done = self._counted(done, chunk)
                    reading = asyncio.ensure_future(asyncio.to_thread(step))
                    yield chunk
                self._counted(done, b"")
            finally:
                if not reading.done():  # never close the file under a read
                    await asyncio.wait([reading])
        self.sha256 = hasher.hexdigest()

    def asynchronous(self) -> AsyncIterator[bytes]:
        """The passes of an async client."""
        return self.__aiter__()


class Sink(Protocol):
    """Where a streamed body goes: `write` runs in a worker thread, one batch at a time;
    `close` (once every batch is written) returns the parsed answer or raises an `SDKError`;
    `abort` undoes what was written when the transfer fails."""

    def write(self, batch: list[bytes]) -> None: ...

    def close(self) -> object: ...

    def abort(self) -> None: ...


def drain(sink: Sink, chunks: Iterator[bytes]) -> object:
    """Feed `chunks` to `sink` (written while the next batch arrives); `sink.close()`."""
    from concurrent.futures import ThreadPoolExecutor
    from concurrent.futures import wait as wait_for

    with ThreadPoolExecutor(1, thread_name_prefix="datlake-download") as worker:
        writing: Future[None] | None = None
        try:
            for batch in _batches(chunks):
                if writing is not None:
                    writing.result()
                writing = worker.submit(sink.write, batch)
            if writing is not None:
                writing.result()
        except BaseException:
            if writing is not None:
                wait_for([writing])  # never leave a write running on a file being removed
            sink.abort()
            raise
    return _closed(sink)


async def adrain(sink: Sink, chunks: AsyncIterator[bytes]) -> object:
    """`drain` for an async body: batches are written in the loop's default executor."""
    import asyncio

    loop = asyncio.get_running_loop()
    writing: asyncio.Future[None] | None = None
    try:
        async for batch in _abatches(chunks):
            if writing is not None:
                await writing
            writing = loop.run_in_executor(None, sink.write, batch)
        if writing is not None:
            await writing
    except BaseException:
        if writing is not None and not writing.done():
            await asyncio.wait([writing])
        sink.abort()
        raise
    return await loop.run_in_executor(None, _closed, sink)


def _batches(chunks: Iterator[bytes]) -> Iterator[list[bytes]]:
    batch = _Batch()
    for chunk in chunks:
        if batch.add(chunk):
            yield batch.take()
    if batch.chunks:
        yield batch.take()


async def _abatches(chunks: AsyncIterator[bytes]) -> AsyncIterator[list[bytes]]:
    batch = _Batch()
    async for chunk in chunks:
        if batch.add(chunk):
            yield batch.take()
    if batch.chunks:
        yield batch.take()


class _Batch:
    """Chunks gathered until they weigh `BATCH` bytes (no copies: a list of them)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.size = 0

    def add(self, chunk: bytes) -> bool:
        """Add `chunk`; whether the batch is full."""
        self.chunks.append(chunk)
        self.size += len(chunk)
        return self.size >= BATCH

    def take(self) -> list[bytes]:
        taken, self.chunks, self.size = self.chunks, [], 0
        return taken


def _closed(sink: Sink) -> object:
    try:
        return sink.close()
    except BaseException:
        sink.abort()
        raise


def read_by_sink(**_: object) -> object:
    """The `parse` of a `Call` whose `sink` reads the body: the clients never call it."""
    raise TypeError("this call's body is read by its sink")
