"""Big uploads sent past h11 as segments (`_streams.Segment`), over real loopback: whole files
through `DatlakeClient` and `AsyncDatlakeClient` (the async one sending from a worker
thread), the pieces a stream writes when it cannot use its socket, a caller's transport that
gets the file's own bytes, and a server that stops reading (a timeout, or a cancel)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import respx

from datlake_sdk import DatlakeClient, _streams, _transport
from datlake_sdk._streams import FileBody, sending_segments, taken_segment
from datlake_sdk.aio import AsyncDatlakeClient
from datlake_sdk.aio import upload_file as aupload_file
from datlake_sdk.functional import Err, ObjectInfo, Result, SDKError, download_object, unwrap
from datlake_sdk.functional import upload_file as sync_upload_file

from .helpers import BASE_URL, receipt_json
from .test_operations_end_to_end import API_KEY, server_url, unique

__all__ = ["server_url"]

# many segments of many pieces for a small file
CHUNK, SEGMENT, PIECE = 16 * 1024, 64 * 1024, 4 * 1024
DATA = os.urandom(5 * SEGMENT + 12345)  # a ragged last segment


@pytest.fixture(autouse=True)
def _small_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_streams, "CHUNK", CHUNK)
    monkeypatch.setattr(_streams, "SEGMENT", SEGMENT)
    monkeypatch.setattr(_streams, "PIECE", PIECE)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int, str]]:
    """(offset, count, thread name) of every segment a stream sends over its own socket."""
    calls: list[tuple[int, int, str]] = []
    real = _transport._send_segment

    def spy(sock: socket.socket, segment: _streams.Segment) -> None:
        calls.append((segment.offset, segment.count, threading.current_thread().name))
        real(sock, segment)

    monkeypatch.setattr(_transport, "_send_segment", spy)
    return calls


Upload = Callable[..., Result[ObjectInfo, SDKError]]


def sync_upload(url: str, name: str, path: Path, **options: object) -> Result[ObjectInfo, SDKError]:
    with DatlakeClient(url, API_KEY, **options) as client:  # type: ignore[arg-type]
        return sync_upload_file(client, "datasets", name, path)


def async_upload(
    url: str, name: str, path: Path, **options: object
) -> Result[ObjectInfo, SDKError]:
    async def main() -> Result[ObjectInfo, SDKError]:
        async with AsyncDatlakeClient(url, API_KEY, **options) as client:  # type: ignore[arg-type]
            return await aupload_file(client, "datasets", name, path)

    return asyncio.run(main())


both = pytest.mark.parametrize("upload", [sync_upload, async_upload], ids=["sync", "aio"])


def _stored(url: str, name: str, tmp_path: Path) -> bytes:
    with DatlakeClient(url, API_KEY) as client:
        unwrap(download_object(client, "datasets", name, tmp_path / "copy.bin"))
    return (tmp_path / "copy.bin").read_bytes()


def _round_trip(upload: Upload, url: str, tmp_path: Path, prefix: str) -> bytes:
    """Upload `DATA` with `upload` under a new name; the bytes the server then holds."""
    path = tmp_path / "part-0.bin"
    path.write_bytes(DATA)
    name = f"{unique(prefix)}/part-0.bin"
    unwrap(upload(url, name, path))
    return _stored(url, name, tmp_path)


@both
def test_a_big_file_goes_out_as_segments_and_lands_whole(
    upload: Upload, server_url: str, tmp_path: Path, sent: list[tuple[int, int, str]]
) -> None:
    path = tmp_path / "part-0.bin"
    path.write_bytes(DATA)
    name = f"{unique('segments')}/part-0.bin"
    info = unwrap(upload(server_url, name, path))
    assert info.sha256 == hashlib.sha256(DATA).hexdigest()
    assert _stored(server_url, name, tmp_path) == DATA
    assert [(offset, count) for offset, count, _ in sent] == [
        (offset, min(SEGMENT, len(DATA) - offset)) for offset in range(0, len(DATA), SEGMENT)
    ]
    threads = {thread for *_, thread in sent}
    if upload is async_upload:  # never on the event loop's thread
        assert threading.main_thread().name not in threads
    else:
        assert threads == {threading.main_thread().name}


@both
@pytest.mark.parametrize("elsewhere", [False, True], ids=["server here", "server elsewhere"])
def test_the_file_is_hashed_beside_the_sending_unless_the_server_is_on_this_machine(
    upload: Upload,
    elsewhere: bool,
    server_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sent: list[tuple[int, int, str]],
) -> None:
    # a server on this machine needs the cores while the bytes arrive, and syncs the file to
    # disk after the last one: the hashing waits for that (the real loopback server here)
    if elsewhere:
        monkeypatch.setattr(_transport, "_on_this_machine", lambda stream: False)
    beside: list[int] = []  # segments sent when a hashing thread started
    real = _streams._Digest._in_background

    def spy(digest: _streams._Digest) -> None:
        beside.append(len(sent))
        real(digest)

    monkeypatch.setattr(_streams._Digest, "_in_background", spy)
    path = tmp_path / "part-0.bin"
    path.write_bytes(DATA)
    info = unwrap(upload(server_url, f"{unique('hashing')}/part-0.bin", path))
    assert info.sha256 == hashlib.sha256(DATA).hexdigest()
    assert len(sent) == 6
    assert beside == ([0] if elsewhere else [])


def test_a_server_is_on_this_machine_at_a_loopback_address_or_a_unix_socket() -> None:
    class Stream:
        def __init__(self, sock: object) -> None:
            self.sock = sock

        def get_extra_info(self, info: str) -> object:
            return self.sock if info == "socket" else None

    class Peer:
        family = socket.AF_INET6

        def __init__(self, host: str) -> None:
            self.host = host

        def getpeername(self) -> tuple[str, int]:
            return (self.host, 443)

    here = _transport._on_this_machine
    unix, other = socket.socketpair()
    with unix, other:
        assert here(Stream(unix))
    listener = socket.create_server(("127.0.0.1", 0))
    with listener, socket.create_connection(listener.getsockname()) as tcp:
        assert here(Stream(tcp))
    for address in ("::1", "::ffff:127.0.0.1"):
        assert here(Stream(Peer(address)))
    for address in ("203.0.113.7", "2001:db8::1"):
        assert not here(Stream(Peer(address)))
    assert not here(Stream(None))  # no socket to ask


@both
def test_a_stream_that_cannot_use_its_socket_writes_the_segments_pieces(
    upload: Upload,
    server_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sent: list[tuple[int, int, str]],
) -> None:
    # what a TLS connection does (and, async, a loop of another kind or a transport that
    # still holds bytes): the file's bytes through the stream, a copy per piece
    monkeypatch.setattr(_transport, "_plain_socket", lambda stream: None)
    assert _round_trip(upload, server_url, tmp_path, "pieces") == DATA
    assert sent == []


def test_an_async_transport_still_holding_bytes_gets_the_pieces(
    server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sent: list[object]
) -> None:
    class Busy:
        def get_write_buffer_size(self) -> int:
            return 1

    real_inner = _transport._inner
    monkeypatch.setattr(
        _transport,
        "_inner",
        lambda stream, name: Busy() if name == "_transport" else real_inner(stream, name),
    )
    assert _round_trip(async_upload, server_url, tmp_path, "busy") == DATA
    assert sent == []


@pytest.mark.parametrize("mocked", ["transport", "respx"])
def test_a_transport_that_is_not_the_sdks_gets_the_files_own_bytes(
    tmp_path: Path, mocked: str, sent: list[object]
) -> None:
    # a caller's transport, or respx mocking the SDK's pool: no placeholder ever reaches it
    path = tmp_path / "part-0.bin"
    path.write_bytes(DATA)
    bodies: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(request.read())
        digest = hashlib.sha256(DATA).hexdigest()
        return httpx.Response(201, json=receipt_json("datasets", "part-0.bin", len(DATA), digest))

    if mocked == "transport":
        with DatlakeClient(BASE_URL, API_KEY, transport=httpx.MockTransport(handler)) as client:
            unwrap(sync_upload_file(client, "datasets", "part-0.bin", path))
    else:
        with respx.mock(base_url=BASE_URL) as router, DatlakeClient(BASE_URL, API_KEY) as client:
            router.put(path__regex=r"/datasets/").mock(side_effect=handler)
            unwrap(sync_upload_file(client, "datasets", "part-0.bin", path))
    assert bodies == [DATA]
    assert sent == []


def test_a_placeholder_is_never_sent_framed_nor_left_untaken(tmp_path: Path) -> None:
    path = tmp_path / "part-0.bin"
    path.write_bytes(DATA)
    body = FileBody(path, len(DATA))
    with sending_segments():
        assert taken_segment(b"request headers", local=True) is None  # arms the slot
        passing = iter(body)
        placeholder = next(passing)
        assert placeholder == bytes(SEGMENT)
        with pytest.raises(OSError, match="framed"):  # chunked, say: never the zeros
            taken_segment(b"4000\r\n" + placeholder, local=True)
        passing.close()
        passing = iter(body)
        next(passing)  # its placeholder went to some other writer than the SDK's stream
        with pytest.raises(OSError, match="sent a placeholder"):
            next(passing)
    with sending_segments():  # no write went through a stream of the SDK's: the file's bytes
        assert b"".join(body) == DATA


class Silent:
    """A loopback listener that accepts connections and never reads from them."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                self.accepted.append(self.listener.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        self.listener.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def silent() -> Iterator[Silent]:
    server = Silent()
    yield server
    server.close()


BIG = 64 * 1024 * 1024  # more than the socket buffers of both ends take


@both
def test_a_server_that_stops_reading_is_a_write_timeout(
    upload: Upload, silent: Silent, tmp_path: Path, sent: list[object]
) -> None:
    path = tmp_path / "big.bin"
    with path.open("wb") as file:
        file.truncate(BIG)
    outcome = upload(silent.url, "big.bin", path, timeout=1, retry="max=1")
    assert isinstance(outcome, Err), outcome
    assert "WriteTimeout" in repr(outcome.error.__cause__) or "timed out" in str(outcome.error)
    assert sent  # it was a segment's send that waited


def test_a_cancelled_async_upload_ends_its_sending_thread_at_once(
    silent: Silent, tmp_path: Path, sent: list[object]
) -> None:
    path = tmp_path / "big.bin"
    with path.open("wb") as file:
        file.truncate(BIG)
    before = threading.active_count()

    async def main() -> float:
        async with AsyncDatlakeClient(silent.url, API_KEY, timeout=60, retry="max=1") as client:
            uploading = asyncio.create_task(aupload_file(client, "datasets", "big.bin", path))
            while not sent:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.2)  # the thread now waits on a full socket
            uploading.cancel()
            started = time.monotonic()
            with pytest.raises(asyncio.CancelledError):
                await uploading
            return time.monotonic() - started

    waited = asyncio.run(main())
    assert waited < 30  # not the 60 s write timeout
    # the sending thread has returned: only the executor's idle threads are left, and they
    # ended with `asyncio.run`
    assert threading.active_count() <= before + 1
