"""Big downloads read past h11, straight from the socket, over real loopback: whole bodies,
bodies cut short, stalled or damaged, chunked ones, and the connections they leave behind,
with `DatlakeClient` and `AsyncDatlakeClient` alike."""

from __future__ import annotations

import asyncio
import errno
import hashlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from datlake_sdk import DatlakeClient, ObjectInfo
from datlake_sdk._streams import BATCH
from datlake_sdk.aio import AsyncDatlakeClient
from datlake_sdk.aio import download_object as adownload_object
from datlake_sdk.functional import Err, Ok, Result, SDKError, download_object, unwrap

API_KEY = "direct-download-key"
DATA = os.urandom(2 * BATCH + 12345)  # more than a batch, not a whole number of them
DIGEST = hashlib.sha256(DATA).hexdigest()
RETRY = "max=2,base_ms=0"


class FakeDatlake:
    """A loopback HTTP/1.1 server answering every GET with `DATA` as the object's path says:
    `whole`, `short` (half, then the connection closed), `stall` (half, then silence),
    `damaged` (a checksum of other bytes), `chunked` (no Content-Length), `small` (3 bytes).
    Counts requests and connections."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.requests = 0
        self.connections = 0
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            pending = b""
            while True:
                while b"\r\n\r\n" not in pending:
                    data = conn.recv(65536)
                    if not data:
                        return
                    pending += data
                head, pending = pending.split(b"\r\n\r\n", 1)
                self.requests += 1
                kind = head.split(b" ")[1].rsplit(b"/", 1)[-1].decode()
                if not self._answer(conn, kind):
                    return

    def _answer(self, conn: socket.socket, kind: str) -> bool:
        """Answer one request; whether the connection stays open."""
        body = b"abc" if kind == "small" else DATA
        digest = hashlib.sha256(b"other" if kind == "damaged" else body).hexdigest()
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
            f"X-Checksum-Sha256: {digest}\r\n"
        )
        if kind == "chunked":
            conn.sendall(f"{head}Transfer-Encoding: chunked\r\n\r\n".encode())
            for start in range(0, len(body), 1 << 20):
                piece = body[start : start + (1 << 20)]
                conn.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            conn.sendall(b"0\r\n\r\n")
            return True
        # the first bytes of the body travel with the headers: h11 holds them
        conn.sendall(f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body[:100_000])
        if kind in ("short", "stall"):
            conn.sendall(body[100_000 : len(body) // 2])
            if kind == "stall":
                time.sleep(2)
            return False
        conn.sendall(body[100_000:])
        return True

    def close(self) -> None:
        self._stop.set()
        self.listener.close()


@pytest.fixture
def fake() -> Iterator[FakeDatlake]:
    server = FakeDatlake()
    yield server
    server.close()


Download = Callable[..., Result[ObjectInfo, SDKError]]


def sync_download(
    url: str, name: str, dest: Path, timeout: float = 30.0
) -> Result[ObjectInfo, SDKError]:
    with DatlakeClient(url, API_KEY, retry=RETRY, timeout=timeout) as client:
        return download_object(client, "datasets", name, dest)


def async_download(
    url: str, name: str, dest: Path, timeout: float = 30.0
) -> Result[ObjectInfo, SDKError]:
    async def main() -> Result[ObjectInfo, SDKError]:
        async with AsyncDatlakeClient(url, API_KEY, retry=RETRY, timeout=timeout) as client:
            return await adownload_object(client, "datasets", name, dest)

    return asyncio.run(main())


both = pytest.mark.parametrize("download", [sync_download, async_download], ids=["sync", "aio"])


@both
@pytest.mark.parametrize("kind", ["whole", "chunked"])  # chunked: no length, through httpx
def test_a_whole_body_lands_with_its_digest(
    fake: FakeDatlake, download: Download, tmp_path: Path, kind: str
) -> None:
    dest = tmp_path / "out.bin"

    result = download(fake.url, kind, dest)

    assert isinstance(result, Ok)
    assert result.value.sha256 == DIGEST
    assert result.value.size == len(DATA)
    assert dest.read_bytes() == DATA
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


@both
@pytest.mark.parametrize("kind", ["short", "damaged"])
def test_a_body_cut_short_or_damaged_is_retried_and_keeps_the_old_file(
    fake: FakeDatlake, download: Download, tmp_path: Path, kind: str
) -> None:
    dest = tmp_path / "out.bin"
    dest.write_bytes(b"old")

    result = download(fake.url, kind, dest)

    assert isinstance(result, Err)
    assert result.error.retryable
    assert ("RemoteProtocolError" if kind == "short" else "hash to") in result.error.message
    assert fake.requests == 2  # retried once, as RETRY allows
    assert dest.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


@both
def test_a_stalled_body_times_out(fake: FakeDatlake, download: Download, tmp_path: Path) -> None:
    dest = tmp_path / "out.bin"

    result = download(fake.url, "stall", dest, timeout=0.5)

    assert isinstance(result, Err)
    assert result.error.retryable
    assert "timed out (ReadTimeout)" in result.error.message
    assert not dest.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("client_kind", ["sync", "aio"])
def test_a_big_body_closes_its_connection_a_small_one_keeps_it(
    fake: FakeDatlake, tmp_path: Path, client_kind: str
) -> None:
    names = ("small", "small", "whole", "whole", "small")
    if client_kind == "sync":
        with DatlakeClient(fake.url, API_KEY, retry=RETRY) as client:
            for name in names:
                unwrap(download_object(client, "datasets", name, tmp_path / name))
    else:

        async def main() -> None:
            async with AsyncDatlakeClient(fake.url, API_KEY, retry=RETRY) as client:
                for name in names:
                    unwrap(await adownload_object(client, "datasets", name, tmp_path / name))

        asyncio.run(main())

    # h11 never saw the end of a big body: the request after it opened a new connection
    assert fake.requests == 5
    assert fake.connections == 3
    assert (tmp_path / "whole").read_bytes() == DATA


def test_the_sink_writes_whole_aligned_blocks_directly_and_the_rest_through_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mmap

    import httpx

    from datlake_sdk._objects import _Download

    direct: list[int] = []
    written: dict[int, int] = {}
    real_open, real_pwrite = os.open, os.pwrite

    def spy_open(path: str, flags: int, *args: int) -> int:
        descriptor = real_open(path, flags, *args)
        if flags & os.O_DIRECT:
            direct.append(descriptor)
        return descriptor

    def spy_pwrite(descriptor: int, data: memoryview, offset: int) -> int:
        if descriptor in direct and data.obj is not aligned:
            # as most file systems do; some (tmpfs, newer kernels) take any memory
            raise OSError(errno.EINVAL, "unaligned memory for O_DIRECT")
        count = real_pwrite(descriptor, data, offset)
        written[descriptor] = written.get(descriptor, 0) + count
        return count

    monkeypatch.setattr("datlake_sdk._objects.os.open", spy_open)
    monkeypatch.setattr("datlake_sdk._objects.os.pwrite", spy_pwrite)
    aligned = mmap.mmap(-1, BATCH)
    aligned[:] = DATA[:BATCH]
    unaligned = DATA[BATCH:]  # a bytes object's memory, refused below as unaligned
    response = httpx.Response(
        200, headers={"Content-Length": str(len(DATA)), "X-Checksum-Sha256": DIGEST}
    )
    info = ObjectInfo("datasets", "x.bin", "datlake://datasets/x.bin", 0, "")
    sink = _Download(response, tmp_path / "x.bin", info, None)

    for chunk in (memoryview(aligned), unaligned):
        sink.write([chunk])
        sink.hash([chunk])
    done = sink.close()

    if not direct:
        pytest.skip("the file system under tmp_path has no O_DIRECT")
    assert len(direct) == 1
    assert written.pop(direct[0]) == BATCH  # the aligned map went to disk directly
    assert list(written.values()) == [len(DATA) - BATCH]  # the bytes object did not
    assert done.sha256 == DIGEST
    assert done.size == len(DATA)
    assert (tmp_path / "x.bin").read_bytes() == DATA


def test_the_async_client_reads_the_rest_in_a_thread_and_a_cancel_stops_it(
    fake: FakeDatlake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datlake_sdk import _streams

    threads: list[str] = []
    real_receive = _streams._receive

    def spy(*args: object) -> None:
        threads.append(threading.current_thread().name)
        real_receive(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(_streams, "_receive", spy)

    async def main() -> None:
        async with AsyncDatlakeClient(fake.url, API_KEY, retry=RETRY, timeout=30) as client:
            unwrap(await adownload_object(client, "datasets", "whole", tmp_path / "whole"))
            stalled = asyncio.create_task(
                adownload_object(client, "datasets", "stall", tmp_path / "stall")
            )
            await asyncio.sleep(0.5)
            stalled.cancel()
            started = time.monotonic()
            with pytest.raises(asyncio.CancelledError):
                await stalled
            assert time.monotonic() - started < 1  # not the 30 s read timeout

    asyncio.run(main())

    assert len(threads) == 2
    assert threading.main_thread().name not in threads
    assert (tmp_path / "whole").read_bytes() == DATA
    assert [p.name for p in tmp_path.iterdir()] == ["whole"]
