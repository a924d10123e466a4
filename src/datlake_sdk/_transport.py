"""The SDK's own httpx transports: httpx's, except that a connection reads big bodies from
its socket in steps of up to 1 MiB instead of httpcore's fixed 64 KiB.

At 64 KiB a step, a 1 GiB download costs 16,384 trips through httpcore and h11 in Python,
which caps it well below what the disk and the loopback take. The step grows only once a
read has filled the one before (a body still streaming in), so small answers are read as
before. This is httpcore's supported seam, a `NetworkBackend` (its own tests and mocks use
it), applied to the one connection pool the SDK's client owns: user code's httpx clients,
and a `transport=` given to `DatlakeClient`, are left exactly as they are.

>>> transport = sync_transport(httpx.Limits(max_connections=10))
>>> isinstance(transport, httpx.HTTPTransport)
True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

__all__ = ["LARGEST_READ", "async_transport", "sync_transport"]

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
