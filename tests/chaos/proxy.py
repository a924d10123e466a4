"""A loopback HTTP/1.1 fault proxy: it forwards requests to a Datlake and, for a seeded fraction
of them, does what networks and gateways do to a client.

>>> with FaultProxy("http://127.0.0.1:8765", FaultMix(rate=0.2, seed=1)) as proxy:  # doctest: +SKIP
...     client = DatlakeClient(base_url=proxy.url, api_key="...")
...     proxy.set_down(True)    # connects refused: the whole Datlake unreachable
...     proxy.set_down(False)   # listening again on the same port
...     proxy.stats             # {"requests": ..., "forwarded": ..., "503": ..., ...}

Faults (one per faulted request, equal weights unless `FaultMix.weights` says otherwise):

- `503`: a problem+json 503 answered by the proxy; the request never reaches the server.
- `429`: a problem+json 429 with `Retry-After: 0` or `1`; never reaches the server.
- `reset_before`: the client's connection is reset before the request is forwarded.
- `reset_after`: forwarded, the server's whole answer read, then the client's connection reset.
- `stall`: forwarded, then the answer held for `FaultMix.stall_s` before the connection closes.
- `truncate`: forwarded, then the status line, the headers (with the full `Content-Length`) and
  part of the body, and the connection closed.

Stdlib only (asyncio in a background thread). Each request goes to the upstream on a fresh
connection, so the upstream may be killed and restarted while the proxy runs: a failed upstream
connect resets the client (counted as `upstream_down`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import socket
import struct
import threading
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urlsplit

__all__ = ["FAULT_KINDS", "FaultMix", "FaultProxy"]

FAULT_KINDS = ("503", "429", "reset_before", "reset_after", "stall", "truncate")

_MAX_HEAD = 64 * 1024
_UPSTREAM_TIMEOUT_S = 120.0


@dataclass
class FaultMix:
    """Which requests get a fault, and which one: `rate` of them, chosen by a RNG seeded with
    `seed`, one of `kinds` picked by `weights` (equal by default)."""

    rate: float = 0.0
    seed: int = 0
    kinds: Sequence[str] = FAULT_KINDS
    weights: Mapping[str, float] | None = None
    stall_s: float = 2.0  # longer than the client's timeout
    truncate_fraction: float = 0.5  # of the body sent before the connection closes

    def __post_init__(self) -> None:
        unknown = [kind for kind in self.kinds if kind not in FAULT_KINDS]
        if unknown:
            raise ValueError(f"unknown fault kinds {unknown}; known: {FAULT_KINDS}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"rate {self.rate!r} must be between 0 and 1")
        self._rng = random.Random(self.seed)
        self._weights = [
            1.0 if self.weights is None else self.weights.get(k, 0.0) for k in self.kinds
        ]

    def pick(self) -> str | None:
        """The fault for the next request (`None`: forward it untouched)."""
        if not self.kinds or self._rng.random() >= self.rate:
            return None
        return self._rng.choices(list(self.kinds), weights=self._weights)[0]

    def retry_after(self) -> int:
        return self._rng.choice((0, 1))


@dataclass
class _Request:
    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]
    body: bytes
    keep_alive: bool

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)


@dataclass
class _Response:
    head: bytes  # status line and headers, ending in a blank line
    body: bytes
    status: int
    closes: bool  # the body was delimited by the connection's end


@dataclass
class _Counts:
    counter: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, key: str) -> None:
        with self.lock:
            self.counter[key] += 1

    def snapshot(self) -> dict[str, int]:
        with self.lock:
            return dict(self.counter)


class _BadRequest(Exception):
    pass


class FaultProxy:
    """The proxy, listening on `host`:`port` (0: a free port) once started; `url` is its base
    URL. Use it as a context manager or call `start()` and `stop()`."""

    def __init__(
        self,
        upstream: str,
        faults: FaultMix | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or parts.hostname is None or parts.port is None:
            raise ValueError(f"upstream {upstream!r} must be http://host:port")
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port
        self.faults = faults or FaultMix()
        self.host = host
        self.port = port
        self._counts = _Counts()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._down = False

    # --- control, from any thread -------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def stats(self) -> dict[str, int]:
        """Requests seen, forwarded, and faults injected per kind (plus `upstream_down`)."""
        return self._counts.snapshot()

    @property
    def down(self) -> bool:
        return self._down

    def set_faults(self, faults: FaultMix) -> None:
        self.faults = faults

    def start(self) -> FaultProxy:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="fault-proxy", daemon=True)
        self._thread.start()
        self._call(self._listen())
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        self._call(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        assert self._thread is not None
        self._thread.join(timeout=10)
        self._loop.close()
        self._loop = None

    def set_down(self, down: bool) -> None:
        """Down: stop listening (connects are refused) and cut every open connection. Up:
        listen again on the same port."""
        if down == self._down:
            return
        self._down = down
        self._call(self._close_all() if down else self._listen())

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _call(self, coroutine: object) -> None:
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)  # type: ignore[arg-type]
        future.result(timeout=10)

    # --- in the loop's thread ---------------------------------------------------------------

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, self.host, self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _close_all(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            _reset(writer)
        self._writers.clear()

    async def _shutdown(self) -> None:
        await self._close_all()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while not self._down:
                try:
                    request = await _read_request(reader)
                except (_BadRequest, asyncio.IncompleteReadError, ConnectionError, OSError):
                    break
                if request is None:  # the client closed the connection between requests
                    break
                if not await self._handle(request, writer):
                    break
        finally:
            self._writers.discard(writer)
            if not writer.is_closing():
                writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _handle(self, request: _Request, writer: asyncio.StreamWriter) -> bool:
        """Answer one request (or not); whether the connection stays open for the next."""
        self._counts.add("requests")
        fault = self.faults.pick()
        if fault is not None:
            self._counts.add(fault)
        if fault in ("503", "429"):
            writer.write(self._problem(request, 503 if fault == "503" else 429))
            await writer.drain()
            return request.keep_alive
        if fault == "reset_before":
            _reset(writer)
            return False
        try:
            response = await self._forward(request)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, _BadRequest):
            self._counts.add("upstream_down")
            _reset(writer)
            return False
        self._counts.add("forwarded")
        if fault == "reset_after":
            _reset(writer)
            return False
        if fault == "stall":
            await asyncio.sleep(self.faults.stall_s)
            writer.close()
            return False
        if fault == "truncate":
            cut = int(len(response.body) * self.faults.truncate_fraction)
            if response.body:
                cut = min(max(cut, 0), len(response.body) - 1)
            writer.write(response.head + response.body[:cut])
            await writer.drain()
            writer.close()
            return False
        writer.write(response.head + response.body)
        await writer.drain()
        return request.keep_alive and not response.closes

    async def _forward(self, request: _Request) -> _Response:
        reader, upstream = await asyncio.wait_for(
            asyncio.open_connection(self.upstream_host, self.upstream_port), 10
        )
        try:
            headers = [(k, v) for k, v in request.headers if k.lower() != "connection"]
            head = f"{request.method} {request.target} HTTP/1.1\r\n"
            head += "".join(f"{k}: {v}\r\n" for k, v in headers)
            head += "Connection: close\r\n\r\n"
            upstream.write(head.encode("latin-1") + request.body)
            await upstream.drain()
            return await asyncio.wait_for(
                _read_response(reader, request.method), _UPSTREAM_TIMEOUT_S
            )
        finally:
            upstream.close()
            with contextlib.suppress(Exception):
                await upstream.wait_closed()

    def _problem(self, request: _Request, status: int) -> bytes:
        request_id = request.header("x-request-id") or uuid.uuid4().hex
        title = "Service Unavailable" if status == 503 else "Too Many Requests"
        body = json.dumps(
            {
                "type": "/problems/unavailable" if status == 503 else "/problems/rate-limited",
                "title": title,
                "status": status,
                "detail": "injected by the fault proxy",
                "request_id": request_id,
            }
        ).encode()
        lines = [
            f"HTTP/1.1 {status} {title}",
            "Content-Type: application/problem+json",
            f"Content-Length: {len(body)}",
            f"X-Request-Id: {request_id}",
        ]
        if status == 429:
            lines.append(f"Retry-After: {self.faults.retry_after()}")
        if not request.keep_alive:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (SO_LINGER 0), not an orderly FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def _parse_head(raw: bytes) -> tuple[str, list[tuple[str, str]]]:
    lines = raw.decode("latin-1").split("\r\n")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise _BadRequest(f"bad header line {line!r}")
        headers.append((name.strip(), value.strip()))
    return lines[0], headers


def _get(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


async def _read_head(reader: asyncio.StreamReader) -> bytes | None:
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as ex:
        if not ex.partial.strip():
            return None
        raise
    except asyncio.LimitOverrunError as ex:
        raise _BadRequest("head too long") from ex


async def _read_body(
    reader: asyncio.StreamReader, headers: list[tuple[str, str]]
) -> tuple[bytes, bool]:
    """The body as sent (chunked bodies stay chunked) and whether it was delimited by the
    connection's end (no `Content-Length`, not chunked)."""
    if "chunked" in (_get(headers, "transfer-encoding") or "").lower():
        return await _read_chunked(reader), False
    length = _get(headers, "content-length")
    if length is not None:
        return await reader.readexactly(int(length)), False
    return b"", True


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    raw = bytearray()
    while True:
        size_line = await reader.readuntil(b"\r\n")
        raw += size_line
        size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while True:  # trailers, then the blank line
                line = await reader.readuntil(b"\r\n")
                raw += line
                if line == b"\r\n":
                    return bytes(raw)
        raw += await reader.readexactly(size + 2)


async def _read_request(reader: asyncio.StreamReader) -> _Request | None:
    head = await _read_head(reader)
    if head is None:
        return None
    request_line, headers = _parse_head(head)
    parts = request_line.split(" ")
    if len(parts) != 3:
        raise _BadRequest(f"bad request line {request_line!r}")
    method, target, version = parts
    body, _ = await _read_body(reader, headers)
    connection = (_get(headers, "connection") or "").lower()
    keep_alive = "close" not in connection and (version == "HTTP/1.1" or "keep-alive" in connection)
    return _Request(method, target, version, headers, body, keep_alive)


async def _read_response(reader: asyncio.StreamReader, method: str) -> _Response:
    head = await _read_head(reader)
    if head is None:
        raise _BadRequest("the upstream closed without answering")
    status_line, headers = _parse_head(head)
    status = int(status_line.split(" ", 2)[1])
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        body, closes = b"", False
    else:
        body, closes = await _read_body(reader, headers)
        if closes:
            body = await reader.read()
    # the upstream was asked to close; the client's connection is ours to keep or close
    kept = [(k, v) for k, v in headers if k.lower() not in ("connection", "keep-alive")]
    if closes:
        kept.append(("Connection", "close"))
    text = status_line + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in kept) + "\r\n"
    return _Response(text.encode("latin-1"), body, status, closes)
