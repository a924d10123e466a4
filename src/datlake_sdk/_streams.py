"""Object bodies at disk speed, in constant memory, for both clients.

- `FileBody`: an upload's content, the file read in 1 MiB steps and hashed as it goes out
  (one read of the file, not one to hash it and one to send it), the hashing in a thread
  beside the sending; iterating it again, as a retry does, starts over from the first byte.
- `drain` / `adrain`: a download's body handed, about 4 MiB at a time, to a `Sink` that
  writes it in one worker thread and hashes it in another while the next bytes arrive (all
  three release the GIL); a big body goes from the socket into `DEPTH` reused page-aligned
  buffers, past h11 (`_transport.direct_body`), so memory does not grow with the object.

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
from collections import deque
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from concurrent.futures import Future

    import httpx

    from ._transport import DirectBody

__all__ = [
    "BATCH",
    "CHUNK",
    "DEPTH",
    "Chunk",
    "FileBody",
    "Sink",
    "adrain",
    "drain",
    "read_by_sink",
]

CHUNK = 1024 * 1024  # bytes read from a file per step
# bytes of a download handed to the worker threads at once; more than h11 may hold of a body
# when it hands it over, with what anyio holds (a few reads of `LARGEST_READ` at most)
BATCH = 4 * 1024 * 1024
DEPTH = 3  # a download's batches in flight at most: memory stays within DEPTH x BATCH

Chunk = bytes | memoryview  # a piece of a download's body


class FileBody:
    """The bytes of the file at `path`, read `CHUNK` bytes at a time and hashed on the way.

    `sha256` is the digest of the last pass that read the file to its end (`None` before);
    each pass opens the file anew and hashes exactly the bytes it hands out. With `size` (the
    `Content-Length` sent), a pass that finds the file longer raises `OSError` before it
    hands out the last announced bytes (so the server never gets a whole body), one that
    finds it shorter at its end. The hashing runs beside the sending: a sync pass hashes
    each chunk in a thread of its own while the chunk is sent; `async for` reads and hashes
    the next chunk in a worker thread while this one is sent. Either way at most two chunks
    are held at once.
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
                if done == self.size:  # a file grown since must fail before its last bytes go
                    self._counted(done, file.read(1))
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
                    if done == self.size:  # as in a sync pass: the end before the last bytes
                        self._counted(done, await reading)
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
    """Where a streamed body goes, batch by batch and in order: `write` runs in one worker
    thread and `hash` in another, side by side (both release the GIL); `close` (once every
    batch is written and hashed) returns the parsed answer or raises an `SDKError`; `abort`
    undoes what was written when the transfer fails."""

    def write(self, batch: Sequence[Chunk]) -> None: ...

    def hash(self, batch: Sequence[Chunk]) -> None: ...

    def close(self) -> object: ...

    def abort(self) -> None: ...


def drain(sink: Sink, response: httpx.Response) -> object:
    """Feed the body of `response` to `sink` (written and hashed while the next batch
    arrives); `sink.close()`. A big body goes from the socket into `DEPTH` reused buffers
    (`direct_body`); any other comes through httpx."""
    from ._transport import direct_body  # loads httpcore: only once a download runs

    lanes = _Lanes(sink)
    body = direct_body(response, BATCH, into=True)
    try:
        if body is None:
            for batch in _batches(response.iter_bytes()):
                lanes.put(batch)
        else:
            _receive(body, _Ring(body.first()), lanes)
        lanes.finish()
    except BaseException:
        lanes.stop()
        sink.abort()
        raise
    finally:
        if body is not None:
            body.close()
    return _closed(sink)


async def adrain(sink: Sink, response: httpx.Response) -> object:
    """`drain` for an async response: the loop gathers the bytes, the same two threads write
    and hash them."""
    import asyncio

    from ._transport import LARGEST_READ, direct_body

    lanes = _Lanes(sink)
    body = direct_body(response, BATCH, into=False)
    receiving: asyncio.Future[None] | None = None
    try:
        if body is None:
            async for batch in _abatches(response.aiter_bytes()):
                await lanes.aput(batch)
        else:
            first: list[Chunk] = [await body.afirst()]
            # what the stream already received comes through it; then the socket has the rest
            while body.held() and body.remaining and len(first) < 3:
                first.append(await body.areceive(LARGEST_READ))
            ring = _Ring(b"".join(first))
            if body.quiet_socket() is not None:  # the rest in a thread, as `drain` reads it
                receiving = asyncio.get_running_loop().run_in_executor(
                    None, _receive, body, ring, lanes
                )
                await receiving
            while ring.more(body):
                buffer, filled = ring.next()
                while filled < BATCH and body.remaining:
                    filled += _copy(await body.areceive(BATCH - filled), buffer, filled)
                await lanes.aput([buffer[:filled]])
        await lanes.afinish()
    except BaseException:
        if body is not None and receiving is not None and not receiving.done():
            body.interrupt()  # cancelled while a thread reads: end its read first
            await asyncio.wait([receiving])
        lanes.stop()
        sink.abort()
        raise
    finally:
        if body is not None:
            await body.aclose()
    return await asyncio.get_running_loop().run_in_executor(None, _closed, sink)


def _receive(body: DirectBody, ring: _Ring, lanes: _Lanes) -> None:
    """Read the rest of `body` from its socket into `ring`'s buffers, handing each to `lanes`."""
    while ring.more(body):
        buffer, filled = ring.next()
        filled += body.receive_into(buffer[filled:])
        lanes.put([buffer[:filled]])


class _Ring:
    """`DEPTH` buffers of `BATCH` bytes a big body is read into, taken in turn: page-aligned
    (anonymous maps), so that whole ones can go to disk without the page cache (see the
    download sink). The first bytes (those h11 had) start the first buffer.

    Each buffer is taken again only once `_Lanes.put` has returned `DEPTH - 1` times since:
    by then its last batch is written and hashed.
    """

    def __init__(self, first: bytes) -> None:
        import mmap

        self._buffers = [memoryview(mmap.mmap(-1, BATCH)) for _ in range(DEPTH)]
        self._turn = 0
        self._first: bytes | None = first

    def more(self, body: DirectBody) -> bool:
        """Whether a buffer is still to fill: the first one, or the rest of the body."""
        return self._first is not None or body.remaining > 0

    def next(self) -> tuple[memoryview, int]:
        """The next buffer, and how many of its bytes are already filled."""
        buffer = self._buffers[self._turn % DEPTH]
        self._turn += 1
        filled, self._first = _copy(self._first or b"", buffer, 0), None
        return buffer, filled


def _copy(data: Chunk, buffer: memoryview, at: int) -> int:
    """Copy `data` into `buffer` from `at` (it must fit); its length."""
    buffer[at : at + len(data)] = data
    return len(data)


class _Lanes:
    """A download's two worker threads, one calling `sink.write`, one `sink.hash`, each on
    every batch in order; at most `DEPTH` batches in flight, so memory stays flat."""

    def __init__(self, sink: Sink) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._sink = sink
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="datlake-download")
        self._hasher = ThreadPoolExecutor(1, thread_name_prefix="datlake-download-hash")
        self._pending: deque[Future[None]] = deque()

    def _submit(self, batch: Sequence[Chunk]) -> None:
        self._pending.append(self._writer.submit(self._sink.write, batch))
        self._pending.append(self._hasher.submit(self._sink.hash, batch))

    def put(self, batch: Sequence[Chunk]) -> None:
        """Hand `batch` on; return once fewer than `DEPTH` batches are in flight."""
        self._submit(batch)
        while len(self._pending) > 2 * (DEPTH - 1):  # a write and a hash per batch
            self._pending.popleft().result()

    async def aput(self, batch: Sequence[Chunk]) -> None:
        """`put`, awaiting the threads."""
        import asyncio

        self._submit(batch)
        while len(self._pending) > 2 * (DEPTH - 1):  # a write and a hash per batch
            await asyncio.wrap_future(self._pending.popleft())

    def finish(self) -> None:
        """Wait until every batch is written and hashed (raising what either failed with)."""
        while self._pending:
            self._pending.popleft().result()
        self.stop()

    async def afinish(self) -> None:
        """`finish`, awaiting the threads."""
        import asyncio

        while self._pending:
            await asyncio.wrap_future(self._pending.popleft())
        self.stop()

    def stop(self) -> None:
        """Let the batches in flight end (never a write running on a file being removed),
        then the threads."""
        from concurrent.futures import wait

        wait(self._pending)
        self._writer.shutdown()
        self._hasher.shutdown()


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
