"""The local Datlake with one bug planted: the real server behind an ASGI middleware that may
change a request on its way in and an answer on its way out, or with one server function
patched (pytest's monkeypatch). One server serves every variant; each test plants its bug.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import anyio

from datlake_sdk._contract import Match, route


@dataclass
class Exchange:
    """One request and, once answered, its answer; hooks change them in place."""

    operation: str
    method: str
    query: dict[str, str]
    headers: dict[str, str]  # lowercase names
    body: bytes
    status: int = 0
    answer_headers: dict[str, str] = field(default_factory=dict)
    answer: bytes = b""

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @json.setter
    def json(self, value: Any) -> None:
        self.body = json.dumps(value).encode()

    @property
    def answer_json(self) -> Any:
        return json.loads(self.answer)

    @answer_json.setter
    def answer_json(self, value: Any) -> None:
        self.answer = json.dumps(value).encode()


Hook = Callable[[Exchange], None]


class BrokenDatlake:
    """ASGI middleware over a `DatlakeApp`: `on_request` and `on_response` (both `None`
    for the real server) see every exchange of the operations they name."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.on_request: Hook | None = None
        self.on_response: Hook | None = None

    def close(self) -> None:
        self.app.close()

    def heal(self) -> None:
        self.on_request = self.on_response = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or (self.on_request is None and self.on_response is None):
            await self.app(scope, receive, send)
            return
        found = route(scope["method"], scope["raw_path"].split(b"?", 1)[0])
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        exchange = Exchange(
            operation=found.operation.id if isinstance(found, Match) else "",
            method=scope["method"],
            query=dict(parse_qsl(scope["query_string"].decode(), keep_blank_values=True)),
            headers={k.decode().lower(): v.decode() for k, v in scope["headers"]},
            body=body,
        )
        if self.on_request is not None:
            self.on_request(exchange)
        scope = {
            **scope,
            "query_string": urlencode(exchange.query).encode(),
            "headers": [
                (k.encode(), v.encode())
                for k, v in exchange.headers.items()
                if k != "content-length"
            ]
            + [(b"content-length", str(len(exchange.body)).encode())],
        }
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if sent:  # the client stays: a streaming answer listens for it to go
                await anyio.sleep_forever()
            sent = True
            return {"type": "http.request", "body": exchange.body, "more_body": False}

        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                exchange.answer_headers = {
                    k.decode().lower(): v.decode() for k, v in message.get("headers", [])
                }
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, replay, capture)
        exchange.answer = b"".join(chunks)
        if self.on_response is not None:
            self.on_response(exchange)
        headers = {**exchange.answer_headers, "content-length": str(len(exchange.answer))}
        await send(
            {
                "type": "http.response.start",
                "status": exchange.status,
                "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
            }
        )
        await send({"type": "http.response.body", "body": exchange.answer})
