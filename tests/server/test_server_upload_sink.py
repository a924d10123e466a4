"""How the server writes an upload's body: batches in order on the upload's own writer thread,
up to `IN_FLIGHT` of them unwritten while the loop reads on, and no write left running when
the body or the disk fails."""

from __future__ import annotations

import asyncio
import hashlib
import io
import threading
from collections.abc import AsyncIterator

import pytest

from datlake_server import objects
from datlake_server.objects import _Sink


@pytest.fixture(autouse=True)
def _small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(objects, "BATCH", 8)
    monkeypatch.setattr(objects, "IN_FLIGHT", 2)


async def _chunks(data: bytes, size: int = 3) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("datlake-upload")]


def test_batches_are_written_and_hashed_in_order() -> None:
    data = bytes(range(256)) * 4
    file = io.BytesIO()
    sink = _Sink(file)
    asyncio.run(sink.drain(_chunks(data)))
    assert file.getvalue() == data
    assert (sink.size, sink.digest.hexdigest()) == (len(data), hashlib.sha256(data).hexdigest())
    assert not _writer_threads()


def test_the_loop_reads_on_while_batches_are_unwritten() -> None:
    release = threading.Event()
    received: list[int] = []

    class SlowDisk(io.BytesIO):
        def write(self, chunk: bytes) -> int:  # type: ignore[override]
            if not release.wait(5):
                raise AssertionError("the loop stopped reading while the writer was busy")
            return super().write(chunk)

    async def body() -> AsyncIterator[bytes]:
        for index in range(8):
            received.append(index)
            if index == 6:  # two batches (of 3 chunks) wait for the disk: the third waits
                assert received == list(range(7))
                release.set()
            yield bytes([index]) * 3

    file = SlowDisk()
    asyncio.run(_Sink(file).drain(body()))
    assert file.getvalue() == b"".join(bytes([i]) * 3 for i in range(8))


def test_a_failing_disk_fails_the_upload_with_no_write_left_running() -> None:
    class FullDisk(io.BytesIO):
        def write(self, chunk: bytes) -> int:  # type: ignore[override]
            if self.tell() >= 16:
                raise OSError(28, "No space left on device")
            return super().write(chunk)

    with pytest.raises(OSError, match="No space"):
        asyncio.run(_Sink(FullDisk()).drain(_chunks(bytes(64))))
    assert not _writer_threads()


def test_a_body_that_breaks_off_leaves_no_write_running() -> None:
    async def cut() -> AsyncIterator[bytes]:
        yield bytes(20)
        raise ConnectionResetError("the client went away")

    file = io.BytesIO()
    with pytest.raises(ConnectionResetError):
        asyncio.run(_Sink(file).drain(cut()))
    assert len(file.getvalue()) == 20  # the batch handed out was written before the file closes
    assert not _writer_threads()
