"""The SDK's own httpx transports: httpx's, except that a connection reads big bodies from
its socket in steps of up to 1 MiB instead of httpcore's fixed 64 KiB.

At 64 KiB a step, a 1 GiB download costs 16,384 trips through httpcore and h11 in Python,
which caps it well below what the disk and the loopback take. The step grows only once a
read has filled the one before (a body still streaming in), so small answers are read as
before. This is httpcore's supported seam, a `NetworkBackend` (its own tests and mocks use
it), applied to the one connection pool the SDK's client owns: user code's httpx clients,
and a `transport=` given to `DatlakeClient`, are left exactly as they are.

A download's big body skips h11 altogether: `direct_body` (below). So does an upload's big
file: a `FileBody` sent through these transports goes out as `_streams.Segment`s, which the
connection's stream reads into one reused buffer and sends itself (`_send_segment`), for an
async client from a worker thread, so that its event loop does nothing per MiB sent.

>>> transport = sync_transport(httpx.Limits(max_connections=10))
>>> isinstance(transport, httpx.HTTPTransport)
True
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import os
import socket
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

import httpcore
import httpx

from ._streams import Segment, sending_segments, taken_segment

__all__ = [
    "LARGEST_READ",
    "DirectBody",
    "async_transport",
    "direct_body",
    "in_thread",
    "sync_transport",
]

LARGEST_READ = 1024 * 1024


class _Transport(httpx.HTTPTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with sending_segments():
            return super().handle_request(request)


class _AsyncTransport(httpx.AsyncHTTPTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        with sending_segments():
            return await super().handle_async_request(request)


def sync_transport(limits: httpx.Limits) -> httpx.HTTPTransport:
    """`httpx.HTTPTransport(limits=limits)` whose connections read big bodies in big steps
    and send big files from the file."""
    transport = _Transport(limits=limits)
    pool = transport._pool  # the pool httpx made for this transport alone
    if isinstance(pool, httpcore.ConnectionPool):
        pool._network_backend = _Backend(pool._network_backend)
    return transport


def async_transport(limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """`httpx.AsyncHTTPTransport(limits=limits)`, reading big bodies in big steps and sending
    big files from the file."""
    transport = _AsyncTransport(limits=limits)
    pool = transport._pool
    if isinstance(pool, httpcore.AsyncConnectionPool):
        pool._network_backend = _AsyncBackend(pool._network_backend)
    return transport


def _next_step(asked: int, step: int, got: int) -> int:
    """The next read's size: twice this one's (up to `LARGEST_READ`) when it came back full,
    the same while more than `asked` arrives at once, else back to `asked`."""
    if got >= step:
        return min(step * 2, LARGEST_READ)
    return step if got > asked else asked


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream
        self._step = 0
        self._local = _on_this_machine(stream)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        step = max(self._step, max_bytes)
        data = self._stream.read(step, timeout)
        self._step = _next_step(max_bytes, step, len(data))
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        segment = taken_segment(buffer, local=self._local)
        if segment is None:
            self._stream.write(buffer, timeout)
            return
        sock = _plain_socket(self._stream)
        if not isinstance(sock, socket.socket) or timeout == 0:
            for piece in segment.pieces():
                self._stream.write(piece, timeout)
            return
        sock.settimeout(timeout)  # what httpcore's own write does
        _send_segment(sock, segment)

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(
            self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        )

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _AsyncStream(httpcore.AsyncNetworkStream):
    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream
        self._step = 0
        self._local = _on_this_machine(stream)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        step = max(self._step, max_bytes)
        data = await self._stream.read(step, timeout)
        self._step = _next_step(max_bytes, step, len(data))
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        segment = taken_segment(buffer, local=self._local)
        if segment is None:
            await self._stream.write(buffer, timeout)
            return
        duplicate = _idle_duplicate(self._stream)
        if duplicate is None:
            await self._write_pieces(segment, timeout)
            return
        with duplicate:
            if timeout is not None:  # (`None` would make the shared socket blocking)
                duplicate.settimeout(timeout)
            shut = functools.partial(_shutdown, duplicate)
            await in_thread(_send_segment, duplicate, segment, interrupt=shut)

    async def _write_pieces(self, segment: Segment, timeout: float | None) -> None:
        import asyncio

        pieces = segment.pieces()
        while piece := await asyncio.to_thread(next, pieces, b""):
            await self._stream.write(piece, timeout)

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _AsyncStream(await self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _AsyncBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, backend: httpcore.AsyncNetworkBackend) -> None:
        self._backend = backend

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _AsyncStream(
            await self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        )

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        return _AsyncStream(await self._backend.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


def _plain_socket(stream: Any) -> Any:
    """The stream socket under `stream` (a `socket.socket`, or asyncio's view of one), unless
    TLS runs over it."""
    sock = stream.get_extra_info("socket")
    if stream.get_extra_info("ssl_object") is not None:
        return None
    return sock if getattr(sock, "type", None) == socket.SOCK_STREAM else None


def _on_this_machine(stream: Any) -> bool:
    """Whether the peer of `stream` is on this machine: a Unix socket or a loopback address
    (a local Datlake at `http://127.0.0.1:8080` or `localhost`, say; not one reached at a
    LAN address, which may as well be another machine's)."""
    sock = stream.get_extra_info("socket")
    try:
        if sock.family == socket.AF_UNIX:
            return True
        address = ipaddress.ip_address(sock.getpeername()[0])
    except (AttributeError, OSError, TypeError, ValueError, IndexError):
        return False
    return (getattr(address, "ipv4_mapped", None) or address).is_loopback


def _send_segment(sock: socket.socket, segment: Segment) -> None:
    """Send `segment` over `sock`, read piece by piece into the pass's buffer (`sendall`
    under the socket's timeout), raising what httpcore's own write would."""
    for piece in segment.views():
        try:
            sock.sendall(piece)
        except TimeoutError as ex:
            raise httpcore.WriteTimeout(str(ex) or "timed out") from ex
        except OSError as ex:
            raise httpcore.WriteError(str(ex)) from ex


def _inner(stream: Any, name: str) -> Any:
    """The attribute `name` of `stream` or of the first stream it wraps that has one (the
    SDK's wrapper, httpcore's stream, anyio's socket stream), else `None`."""
    for _ in range(4):
        found = getattr(stream, name, None)
        if found is not None:
            return found
        stream = getattr(stream, "_stream", None)
    return None


def _idle_duplicate(stream: Any) -> socket.socket | None:
    """For an async stream whose asyncio transport has no byte left to send: a duplicate of
    its plain socket, to send on from a thread (the transport writes nothing meanwhile: the
    caller is its only writer); else `None`."""
    transport = _inner(stream, "_transport")
    try:
        idle = transport is not None and transport.get_write_buffer_size() == 0
    except AttributeError:  # another kind of transport
        return None
    return _duplicate(_plain_socket(stream)) if idle else None


def _duplicate(sock: Any) -> socket.socket | None:
    """A duplicate of `sock` (an async stream's), to use from a thread, when the running
    loop is a selector loop (it touches a socket only when asked to; a proactor may be
    reading or writing it); else `None`. It shares the socket's non-blocking mode, which
    timeouts set on it keep as is."""
    import asyncio

    try:
        selector = isinstance(asyncio.get_running_loop(), asyncio.SelectorEventLoop)
    except RuntimeError:  # no asyncio loop
        return None
    if sock is None or not selector:
        return None
    try:
        return socket.socket(fileno=os.dup(sock.fileno()))
    except OSError:
        return None


async def in_thread(work: Callable[..., None], *args: Any, interrupt: Callable[[], None]) -> None:
    """`work(*args)` in a worker thread; cancelled, it calls `interrupt` (which must end the
    thread's wait at once) and lets the thread end before the cancellation goes on."""
    import asyncio

    running = asyncio.get_running_loop().run_in_executor(None, work, *args)
    try:
        await asyncio.shield(running)
    except asyncio.CancelledError:
        interrupt()
        await asyncio.wait([running])
        raise


def _shutdown(sock: socket.socket) -> None:
    """Shut `sock` both ways, ending any wait on it in another thread, whatever its state."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class DirectBody:
    """The rest of a big HTTP/1.1 body, read from the connection's socket past httpcore and h11.

    h11 copies every byte it parses several times; a body whose length the headers announce
    needs no parsing, only reading. `direct_body` hands one out when the response allows it:
    HTTP/1.1 over plain TCP (no TLS), `Content-Length` above `least`, no `Transfer-Encoding`
    nor `Content-Encoding`, a network stream httpcore exposes (never a mock transport). The
    bytes h11 has already buffered come first (`first`, read through httpx), the rest goes
    from the socket straight into the caller's buffers (`receive_into`, sync) or comes in the
    stream's own steps (`areceive`, async). h11 never sees the end of the body, so httpcore
    closes the connection when the response closes instead of reusing it mid-body.

    A short body raises `httpx.RemoteProtocolError`, a silent socket `httpx.ReadTimeout`
    (after the client's read timeout), a broken one `httpx.ReadError`: what httpx raises.

    >>> direct_body(httpx.Response(200, content=b"x" * 10), 0, into=True) is None  # no socket
    True
    """

    def __init__(
        self, response: httpx.Response, stream: Any, length: int, timeout: float | None
    ) -> None:
        self._response, self._stream = response, stream
        self.remaining, self._length, self._timeout = length, length, timeout
        self._chunks: Any = None  # httpx's iterator, holding the connection until closed
        self._ahead = memoryview(b"")  # read from the async stream, not yet taken
        self._socket: socket.socket | None = None  # `quiet_socket`

    def first(self) -> bytes:
        """What h11 holds of the body (read from the socket if nothing): one chunk."""
        self._chunks = self._response.iter_raw()
        return self._took(next(self._chunks, b""))

    async def afirst(self) -> bytes:
        """`first` for an async response."""
        self._chunks = self._response.aiter_raw()
        return self._took(await anext(self._chunks, b""))

    def close(self) -> None:
        """Close the connection (h11 is mid-body: it cannot carry another request)."""
        if self._chunks is not None:
            self._chunks.close()

    async def aclose(self) -> None:
        """`close` for an async response."""
        if self._socket is not None:
            self._socket.close()
        if self._chunks is not None:
            await self._chunks.aclose()

    def held(self) -> bool | None:
        """For an async stream: whether it holds bytes it received and was not asked for yet;
        `None` when that cannot be told (only anyio's asyncio streams tell)."""
        protocol = _inner(self._stream, "_protocol")
        queue = getattr(protocol, "read_queue", None)
        event = getattr(protocol, "read_event", None)
        if not isinstance(queue, deque) or event is None:
            return None
        return bool(queue) or event.is_set()

    def quiet_socket(self) -> socket.socket | None:
        """For an async stream that holds nothing (`held`, after `afirst`): a duplicate of
        its socket to read the rest with `receive_into` from a thread (anyio's asyncio stream
        on a selector loop stops reading the socket between receives); else `None`. `aclose`
        closes it."""
        if self.held() is False:
            self._socket = _duplicate(self._stream.get_extra_info("socket"))
        return self._socket

    def interrupt(self) -> None:
        """End a `receive_into` running in another thread on `quiet_socket` at once."""
        if self._socket is not None:
            _shutdown(self._socket)

    def receive_into(self, buffer: memoryview) -> int:
        """Fill `buffer` (or what is left of the body, if less) from the socket; the count."""
        sock = self._socket or self._stream.get_extra_info("socket")
        wanted = min(len(buffer), self.remaining)
        got = 0
        previous = sock.gettimeout()
        try:
            sock.settimeout(self._timeout)
            while got < wanted:
                try:
                    count = sock.recv_into(buffer[got:wanted])
                except TimeoutError as ex:
                    raise httpx.ReadTimeout(str(ex) or "timed out") from ex
                except OSError as ex:
                    raise httpx.ReadError(str(ex)) from ex
                if not count:
                    self._short(got)
                got += count
        finally:
            sock.settimeout(previous)
        self.remaining -= got
        return got

    async def areceive(self, most: int) -> memoryview:
        """The next bytes of the body from the async stream, at most `most`."""
        if not self._ahead:
            try:
                data = await self._stream.read(min(LARGEST_READ, self.remaining), self._timeout)
            except httpcore.ReadTimeout as ex:
                raise httpx.ReadTimeout(str(ex) or "timed out") from ex
            except httpcore.ReadError as ex:
                raise httpx.ReadError(str(ex)) from ex
            if not data:
                self._short(0)
            self._ahead = memoryview(data)[: self.remaining]  # never past the body
        taken, self._ahead = self._ahead[:most], self._ahead[most:]
        self.remaining -= len(taken)
        return taken

    def _took(self, data: bytes) -> bytes:
        self.remaining -= len(data)
        return data

    def _short(self, got: int) -> None:
        received = self._length - self.remaining + got
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body: "
            f"received {received} bytes, expected {self._length}"
        )


def direct_body(response: httpx.Response, least: int, *, into: bool) -> DirectBody | None:
    """The body of `response` to read past h11 (see `DirectBody`), or `None`: read it as usual.
    `into`: the caller reads it with `receive_into`, which takes the connection's socket."""
    headers = response.headers
    announced = headers.get("Content-Length", "")
    stream = response.extensions.get("network_stream")
    if (
        stream is None
        or response.http_version != "HTTP/1.1"
        or not announced.isdigit()
        or int(announced) <= least
        or "Transfer-Encoding" in headers
        or headers.get("Content-Encoding", "identity").lower() != "identity"
        or stream.get_extra_info("ssl_object") is not None
        or stream.get_extra_info("socket") is None
        or (into and not isinstance(stream.get_extra_info("socket"), socket.socket))
        or response.is_stream_consumed
    ):
        return None
    timeout = response.request.extensions.get("timeout", {}).get("read")
    return DirectBody(response, stream, int(announced), timeout)
