"""The SDK's own httpx transports: httpx's, except that a connection reads big bodies from
its socket in steps of up to 1 MiB instead of httpcore's fixed 64 KiB.

At 64 KiB a step, a 1 GiB download costs 16,384 trips through httpcore and h11 in Python,
which caps it well below what the disk and the loopback take. The step grows only once a
read has filled the one before (a body still streaming in), so small answers are read as
before. This is httpcore's supported seam, a `NetworkBackend` (its own tests and mocks use
it), applied to the one connection pool the SDK's client owns: user code's httpx clients,
and a `transport=` given to `DatlakeClient`, are left exactly as they are.

A download's big body skips h11 altogether: `direct_body` (below).

>>> transport = sync_transport(httpx.Limits(max_connections=10))
>>> isinstance(transport, httpx.HTTPTransport)
True
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections import deque
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

__all__ = ["LARGEST_READ", "DirectBody", "async_transport", "direct_body", "sync_transport"]

LARGEST_READ = 1024 * 1024


def sync_transport(limits: httpx.Limits) -> httpx.HTTPTransport:
    """`httpx.HTTPTransport(limits=limits)` whose connections read big bodies in big steps."""
    transport = httpx.HTTPTransport(limits=limits)
    pool = transport._pool  # the pool httpx made for this transport alone
    if isinstance(pool, httpcore.ConnectionPool):
        pool._network_backend = _Backend(pool._network_backend)
    return transport


def async_transport(limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """`httpx.AsyncHTTPTransport(limits=limits)`, reading big bodies in big steps."""
    transport = httpx.AsyncHTTPTransport(limits=limits)
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

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        step = max(self._step, max_bytes)
        data = self._stream.read(step, timeout)
        self._step = _next_step(max_bytes, step, len(data))
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, timeout)

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

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        step = max(self._step, max_bytes)
        data = await self._stream.read(step, timeout)
        self._step = _next_step(max_bytes, step, len(data))
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._stream.write(buffer, timeout)

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
        inner: Any = self._stream
        for _ in range(4):  # the SDK's wrapper, httpcore's stream, anyio's socket stream
            protocol = getattr(inner, "_protocol", None)
            if protocol is not None:
                break
            inner = getattr(inner, "_stream", None)
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
        import asyncio

        raw = self._stream.get_extra_info("socket")
        # a selector loop reads a socket only when asked to (a proactor may be reading)
        selector = isinstance(asyncio.get_running_loop(), asyncio.SelectorEventLoop)
        if not selector or self.held() is not False or raw is None:
            return None
        try:  # a duplicate shares the socket's non-blocking mode, which timeouts keep as is
            self._socket = socket.socket(fileno=os.dup(raw.fileno()))
        except OSError:
            return None
        return self._socket

    def interrupt(self) -> None:
        """End a `receive_into` running in another thread on `quiet_socket` at once."""
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)

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
