"""Object bodies at disk speed, in constant memory, for both clients.

- `FileBody`: an upload's content, the file read in 1 MiB steps, hashed beside the sending
  by a thread of the lowest priority, or after it when the server is on this machine (what
  the thread has not reached at the end, by the pass); iterating it again, as a retry does,
  starts over from the first byte. Through the SDK's own transport a big file goes out as
  `Segment`s instead, which the connection's stream reads and sends itself, past httpx and
  h11.
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

import contextlib
import hashlib
import os
import sys
import threading
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Sequence
from contextvars import ContextVar
from typing import IO, TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from concurrent.futures import Future
    from io import BufferedReader

    import httpx

    from ._transport import DirectBody

__all__ = [
    "BATCH",
    "CHUNK",
    "DEPTH",
    "PIECE",
    "SEGMENT",
    "Chunk",
    "FileBody",
    "Segment",
    "Sink",
    "adrain",
    "drain",
    "read_by_sink",
    "sending_segments",
    "taken_segment",
]

CHUNK = 1024 * 1024  # bytes read from a file per step
SEGMENT = 64 * CHUNK  # bytes of a file the SDK's own transport sends in one write (`Segment`)
# bytes of a segment read and sent at a time: each step's bytes stay in the core's cache
# from the read to the send (measured, 40 interleaved rounds of 100 MiB against curl: 0.99x
# at 64 KiB, 0.97x at 1 MiB)
PIECE = 64 * 1024
# bytes of a download handed to the worker threads at once; more than h11 may hold of a body
# when it hands it over, with what anyio holds (a few reads of `LARGEST_READ` at most)
BATCH = 4 * 1024 * 1024
DEPTH = 3  # a download's batches in flight at most: memory stays within DEPTH x BATCH

Chunk = bytes | memoryview  # a piece of a download's body


class FileBody:
    """The bytes of the file at `path`, read `CHUNK` bytes at a time, and their SHA-256.

    `sha256` is the digest of the last pass that read the file to its end (`None` before),
    made beside the sending (`_Digest`): a thread of its own reads and hashes the file at the
    lowest CPU priority, and the pass hashes whatever that thread has not reached by the end
    (all of it, when the server is on this machine: see `_Digest`).
    Each pass opens the file anew. With `size` (the `Content-Length` sent), a pass that finds
    the file longer raises `OSError` before it hands out the last announced bytes (so the
    server never gets a whole body), one that finds it shorter at its end. A file changed in
    place during a pass can hash to other bytes than the server stores: the upload then sends
    it again, checked.
    `async for` reads the next chunk in a worker thread while this one is sent.
    """

    def __init__(self, path: str | os.PathLike[str], size: int | None = None) -> None:
        self.path = os.fspath(path)
        self.size = size
        self.sha256: str | None = None

    def changed(self) -> OSError:
        """The error of a pass that finds the file of another size than announced."""
        return OSError(
            f"{self.path} changed while it was uploaded: it is no longer the"
            f" {self.size} bytes announced"
        )

    def _counted(self, done: int, chunk: bytes) -> int:
        """`done` bytes handed out before `chunk`: how many with it (`chunk=b""`: at the end)."""
        done += len(chunk)
        if self.size is not None and (done > self.size or (not chunk and done < self.size)):
            raise self.changed()
        return done

    def _digest(self, slot: _Slot | None) -> _Digest:
        """This pass's digest: made after the sending when the segments go to a server on
        this machine."""
        return _Digest(self.path, self.size, after=slot is not None and slot.local)

    def _segmented(self) -> _Slot | None:
        """Where this pass hands out `Segment`s: a big file of announced size, through the
        SDK's own transport (`sending_segments`); else `None`, the pass reads the file."""
        slot = _SLOT.get()
        big = self.size is not None and self.size > CHUNK
        return slot if slot is not None and slot.armed and big else None

    def _placeholders(self, file: BufferedReader, slot: _Slot) -> Iterator[bytes]:
        """The file as placeholders of up to `SEGMENT` zero bytes, each standing for the
        `Segment` put in `slot`, which the transport's next write takes and sends instead."""
        assert self.size is not None
        placeholder, buffer = b"", memoryview(bytearray(PIECE))
        for offset in range(0, self.size, SEGMENT):
            count = min(SEGMENT, self.size - offset)
            if offset + count == self.size and os.fstat(file.fileno()).st_size > self.size:
                raise self.changed()  # grown: fail before the last announced bytes go
            if len(placeholder) != count:
                placeholder = bytes(count)  # never filled in: untouched pages
            slot.segment = Segment(self, file, offset, count, buffer)
            yield placeholder
            if slot.segment is not None:  # some other writer took the zeros: never go on
                slot.segment = None
                raise OSError(f"{self.path}: the transport sent a placeholder, not the file")

    def __iter__(self) -> Iterator[bytes]:
        self.sha256 = None
        slot = self._segmented()
        with open(self.path, "rb") as file, self._digest(slot) as digest:
            if slot is not None:
                yield from self._placeholders(file, slot)
            else:
                yield from self._chunks(file, digest)
            self.sha256 = digest.finish()

    def _chunks(self, file: IO[bytes], digest: _Digest) -> Iterator[bytes]:
        done = 0
        while chunk := file.read(CHUNK):
            done = self._counted(done, chunk)
            if done == self.size:  # a file grown since must fail before its last bytes go
                self._counted(done, file.read(1))
            digest.add(chunk)
            yield chunk
        self._counted(done, b"")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        import asyncio

        self.sha256 = None
        slot = self._segmented()
        digest = self._digest(slot)
        try:
            with open(self.path, "rb") as file:
                if slot is not None:  # the transport's writes do the waiting
                    for placeholder in self._placeholders(file, slot):
                        yield placeholder
                else:
                    async with contextlib.aclosing(self._achunks(file, digest)) as chunks:
                        async for chunk in chunks:
                            yield chunk
            self.sha256 = await asyncio.to_thread(digest.finish)
        finally:
            await asyncio.to_thread(digest.close)

    async def _achunks(self, file: IO[bytes], digest: _Digest) -> AsyncGenerator[bytes, None]:
        """`_chunks`, each read in a worker thread while the one before is sent."""
        import asyncio

        done = 0
        reading = asyncio.ensure_future(asyncio.to_thread(file.read, CHUNK))
        try:
            while chunk := await reading:
                done = self._counted(done, chunk)
                reading = asyncio.ensure_future(asyncio.to_thread(file.read, CHUNK))
                if done == self.size:  # as in a sync pass: the end before the last bytes
                    self._counted(done, await reading)
                digest.add(chunk)
                yield chunk
            self._counted(done, b"")
        finally:
            if not reading.done():  # never close the file under a read
                await asyncio.wait([reading])

    def asynchronous(self) -> AsyncIterator[bytes]:
        """The passes of an async client."""
        return self.__aiter__()


class Segment:
    """Bytes `offset` to `offset + count` of an upload's open `file`, which the SDK's own
    transport sends itself, past httpx and h11 (`_transport._send_segment`).

    A `FileBody` pass puts it in the request's slot and yields a placeholder of `count` zero
    bytes: h11 counts those against the `Content-Length` and hands them to the connection's
    stream unchanged, and the stream's write takes the segment back (`taken_segment`) and
    sends the file's bytes in their place, read into the pass's one `buffer` of `PIECE` bytes
    (`views`); a stream that cannot use its socket itself (TLS, a loop of another kind)
    writes `pieces`.
    """

    def __init__(
        self, body: FileBody, file: BufferedReader, offset: int, count: int, buffer: memoryview
    ) -> None:
        self.body, self.file, self.offset, self.count = body, file, offset, count
        self.buffer = buffer

    def views(self, buffer: memoryview | None = None) -> Iterator[memoryview]:
        """The segment read into `buffer` (the pass's by default) a piece at a time: each
        piece is overwritten by the next, so it must be sent before the next is asked for."""
        buffer = self.buffer if buffer is None else buffer
        self.file.seek(self.offset)
        left = self.count
        while left:
            got = self.file.readinto(buffer[: min(len(buffer), left)])
            if not got:  # the file ends before the segment
                raise self.body.changed()
            left -= got
            yield buffer[:got]

    def pieces(self) -> Iterator[bytes]:
        """The segment's bytes, `CHUNK` at a time, each a copy of its own."""
        return (bytes(view) for view in self.views(memoryview(bytearray(CHUNK))))


class _Slot:
    """One request's: whether its bytes go through a stream of the SDK's transport (`armed`,
    by the headers' write: a mock of the pool never writes) to a server on this machine
    (`local`), and the `Segment` a pass left for the next write to take."""

    armed = False
    local = False
    segment: Segment | None = None


_SLOT: ContextVar[_Slot | None] = ContextVar("datlake_segment_slot", default=None)


@contextlib.contextmanager
def sending_segments() -> Iterator[None]:
    """Around one request of the SDK's own transport, whose streams take `Segment`s: a
    `FileBody` sent within hands out its big file that way (see `Segment`)."""
    token = _SLOT.set(_Slot())
    try:
        yield
    finally:
        _SLOT.reset(token)


def taken_segment(buffer: bytes, *, local: bool) -> Segment | None:
    """For a stream of the SDK's transport about to write `buffer` (to a server on this
    machine: `local`): the `Segment` whose placeholder `buffer` is (the stream sends the
    file's bytes instead), else `None`."""
    slot = _SLOT.get()
    if slot is None:
        return None
    slot.armed, slot.local = True, local
    if slot.segment is None:
        return None
    segment, slot.segment = slot.segment, None
    if len(buffer) != segment.count:  # framed or joined on the way: never send the zeros
        raise OSError(f"{segment.body.path}: a placeholder reached the socket framed")
    return segment


class _Digest:
    """The SHA-256 of the first `size` bytes of the file at `path`, made beside a pass or
    `after` it.

    A file of more than `CHUNK` bytes is read apart from the pass. Beside it, a thread of its
    own (`datlake-upload-hash`) hashes the file at the lowest CPU priority (Linux,
    `SCHED_IDLE`): the hashing takes only a core that the sending does not need. `after`, for
    a server on this machine, nothing is hashed while the bytes go out: the server's threads
    need every core then (on a virtual machine even an idle core is not free), and once the
    last byte is sent the server syncs the file to disk, a wait the hashing fills instead.
    `finish`, called once the pass has sent the file, hashes the rest at the caller's own
    priority. A smaller file (or one of no announced `size`) is hashed in place from the
    chunks the pass hands to `add`. `close` stops the thread.
    """

    def __init__(self, path: str, size: int | None, *, after: bool = False) -> None:
        self._path, self._size = path, size
        self._hasher = hashlib.sha256()
        self._hashed = 0
        self._failed: OSError | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._reads_file = size is not None and size > CHUNK
        if self._reads_file and not after:
            self._thread = threading.Thread(
                target=self._in_background, name="datlake-upload-hash", daemon=True
            )
            self._thread.start()

    def add(self, chunk: bytes) -> None:
        """A chunk the pass hands out: hashed here unless the thread reads the file itself."""
        if not self._reads_file:
            self._hasher.update(chunk)

    def finish(self) -> str:
        """The digest, once the pass has sent every byte (raising what reading it failed with)."""
        if self._reads_file:
            self.close()
            self._hash(stop=None)
        if self._failed is not None:
            raise self._failed
        return self._hasher.hexdigest()

    def close(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()

    def _in_background(self) -> None:
        if sys.platform == "linux":  # a thread's own policy (elsewhere: a process's)
            _lowest_priority(threading.get_native_id())
        self._hash(stop=self._stop)

    def _hash(self, stop: threading.Event | None) -> None:
        """Hash on from where the hashing stopped, to `size`, unless `stop` is set."""
        assert self._size is not None
        buffer = memoryview(bytearray(CHUNK))
        try:
            with open(self._path, "rb", buffering=0) as file:
                file.seek(self._hashed)
                while self._hashed < self._size and not (stop and stop.is_set()):
                    count = file.readinto(buffer[: self._size - self._hashed])
                    if not count:  # a file shorter than announced: the pass raises
                        return
                    self._hasher.update(buffer[:count])
                    self._hashed += count
        except OSError as ex:
            self._failed = ex

    def __enter__(self) -> _Digest:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _lowest_priority(thread: int) -> None:
    """Run the Linux `thread` only on a core nothing else wants: `SCHED_IDLE`, which any other
    thread preempts as soon as it wakes (nice 19 still takes its share of a busy core)."""
    try:
        os.sched_setscheduler(thread, os.SCHED_IDLE, os.sched_param(0))
    except OSError:  # a kernel without SCHED_IDLE, or a sandbox refusing it
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, thread, 19)


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

    from ._transport import LARGEST_READ, direct_body, in_thread

    lanes = _Lanes(sink)
    body = direct_body(response, BATCH, into=False)
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
                await in_thread(_receive, body, ring, lanes, interrupt=body.interrupt)
            while ring.more(body):
                buffer, filled = ring.next()
                while filled < BATCH and body.remaining:
                    filled += _copy(await body.areceive(BATCH - filled), buffer, filled)
                await lanes.aput([buffer[:filled]])
        await lanes.afinish()
    except BaseException:
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
