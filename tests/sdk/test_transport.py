"""The SDK's own transports read big bodies in big steps; nothing else changes: a transport
given to the client, and every other httpx client in the process, stay as httpx made them."""

from __future__ import annotations

import httpcore
import httpx

from datlake_sdk import DatlakeClient
from datlake_sdk._transport import LARGEST_READ, _Backend, _Stream, sync_transport

DEFAULT_READ = 64 * 1024  # what httpcore asks for


class _Socket(httpcore.NetworkStream):
    """Answers every read with as many bytes as asked, until told to run dry."""

    def __init__(self) -> None:
        self.asked: list[int] = []
        self.dry = False

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.asked.append(max_bytes)
        return b"x" * (100 if self.dry else max_bytes)


def test_the_step_doubles_while_reads_come_back_full_and_falls_back_after() -> None:
    socket = _Socket()
    stream = _Stream(socket)
    for _ in range(8):
        stream.read(DEFAULT_READ)
    assert socket.asked == [DEFAULT_READ * 2**n for n in range(5)] + [LARGEST_READ] * 3
    socket.dry = True
    stream.read(DEFAULT_READ)
    stream.read(DEFAULT_READ)
    assert socket.asked[-2:] == [LARGEST_READ, DEFAULT_READ]  # a small answer: small reads


def test_only_the_clients_own_pool_reads_in_big_steps() -> None:
    with DatlakeClient("http://127.0.0.1:9", "k") as client:
        pool = client._http._transport._pool  # type: ignore[attr-defined]
        assert isinstance(pool._network_backend, _Backend)
    given = httpx.HTTPTransport()
    with DatlakeClient("http://127.0.0.1:9", "k", transport=given) as client:
        assert client._http._transport is given
    assert not isinstance(given._pool._network_backend, _Backend)  # type: ignore[union-attr]
    with httpx.Client() as theirs:
        assert not isinstance(theirs._transport._pool._network_backend, _Backend)  # type: ignore[attr-defined]
    assert isinstance(sync_transport(httpx.Limits()), httpx.HTTPTransport)
