"""The local Datlake as an ASGI app: route on the raw path, authenticate, validate against the
spec, dispatch to the operation, answer problems for everything that goes wrong.

>>> import tempfile, pathlib
>>> app = create_app(pathlib.Path(tempfile.mkdtemp()), api_key="secret", validate_responses=True)
>>> app.state.response_violations
[]
>>> app.close()
"""

from __future__ import annotations

import functools
import hmac
import inspect
import logging
import random
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, cast

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from werkzeug.datastructures import Headers as SpecHeaders

from datlake_sdk._contract import operations
from datlake_sdk._contract_check import SpecRequest, SpecResponse
from datlake_server.db import Database
from datlake_server.group_commit import GroupCommit
from datlake_server.lock import DataFolderLock
from datlake_server.objects import ObjectStore
from datlake_server.operations import SHORT_WRITES, Call, Operations
from datlake_server.problems import INTERNAL, INVALID_BODY, UNAUTHORIZED, Problem
from datlake_server.routing import route
from datlake_server.store import DEFAULT_LEASE_SECONDS, Store
from datlake_server.validation import Checker
from datlake_server.web import WebPages

logger = logging.getLogger("datlake_server")

REQUEST_ID = re.compile(r"[\x21-\x7e]{1,128}")
MAX_JSON_BODY = 8 * 1024 * 1024
SyncHandler = Callable[[Call], Response]
AsyncHandler = Callable[[Call], Awaitable[Response]]


class DatlakeApp:
    """The ASGI app of one data folder. `state.response_violations` collects responses that
    broke the spec when built with `validate_responses=True`."""

    def __init__(
        self,
        data_dir: Path,
        api_key: str | None,
        *,
        validate_responses: bool,
        default_lease_seconds: float = DEFAULT_LEASE_SECONDS,
    ) -> None:
        # a folder made here is the owner's alone: other local users would otherwise read the
        # metadata and objects the API key guards (an existing folder keeps its mode)
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.data_dir = data_dir
        self.lock = DataFolderLock(data_dir)  # held until close(): one server per folder
        try:
            self.checker = Checker()
            self.db = Database(data_dir / "datlake.db")
            self.store = Store(self.db, default_lease_seconds)
            self.operations = Operations(self.store, ObjectStore(data_dir / "objects", self.db))
            self.writes = GroupCommit(self.db)
        except BaseException:
            self.lock.release()
            raise
        self.validate_responses = validate_responses
        self.state = State({"response_violations": []})
        self._api_key = api_key.encode() if api_key else None
        self.web = WebPages(self.store, self.operations.objects, self._api_key)
        self._handlers: dict[str, SyncHandler | AsyncHandler] = {
            op.id: getattr(self.operations, op.id) for op in operations()
        }
        self._on_loop = {
            op_id
            for op_id, handler in self._handlers.items()
            if inspect.iscoroutinefunction(handler)
        }

    def close(self) -> None:
        """Close the database and let the data folder go (a second call does nothing more)."""
        self.db.close()
        self.lock.release()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if not scope["path"].startswith("/api/"):  # the pages (datlake_server/web)
            await self.web(scope, receive, send)
            return
        request = Request(scope, receive)
        # an X-Request-Id outside the spec's pattern is refused (400) under an id of our own:
        # it cannot be echoed
        client_id = request.headers.get("x-request-id")
        request_id = client_id if client_id and REQUEST_ID.fullmatch(client_id) else None
        # a correlation id, not a secret: unique is enough, and a third of uuid4's cost
        request_id = request_id or f"{random.getrandbits(128):032x}"
        spec_request: SpecRequest | None = None
        try:
            response, spec_request = await self._respond(request)
        except Problem as problem:
            response = problem.response(request_id)
        except ClientDisconnect:
            logger.info("request %s: the client went away", request_id)
            return
        except Exception:
            logger.exception("request %s (%s %s) failed", request_id, request.method, scope["path"])
            detail = f"the server failed; its log has the details under request {request_id}"
            response = Problem(INTERNAL, detail).response(request_id)
        response.headers["X-Request-Id"] = request_id
        if self.validate_responses and spec_request is not None:
            await run_in_threadpool(self._check_response, spec_request, response)
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> tuple[Response, SpecRequest | None]:
        raw_path: bytes = request.scope.get("raw_path") or request.scope["path"].encode()
        op, path = route(request.method, raw_path.split(b"?", 1)[0])
        if op.secured:
            self._authenticate(request)
        body = await _json_body(request) if op.json_body else None
        query = request.scope["query_string"].decode("latin-1")
        headers = request.headers.items()
        # openapi-core's view of the request, only for checking the response against it
        spec_request = (
            SpecRequest.of(op, path, request.method, query, headers, body)
            if self.validate_responses
            else None
        )
        call = Call(request, op.id, path, body)
        handler = self._handlers[op.id]
        check = functools.partial(self.checker.check, op, path, query, headers, body)
        if op.id in self._on_loop:
            # a compiled check costs tens of microseconds: less than a hop to a thread
            call.document = check()
            return await cast(AsyncHandler, handler)(call), spec_request
        if op.id in SHORT_WRITES:
            # a row or two in the WAL takes less than the hop to a thread and back; those of
            # requests arriving together share a COMMIT (see group_commit)
            call.document = check()
            write = functools.partial(cast(SyncHandler, handler), call)
            return await self.writes.submit(write), spec_request
        response = await run_in_threadpool(_checked, cast(SyncHandler, handler), check, call)
        return response, spec_request

    def _authenticate(self, request: Request) -> None:
        if self._api_key is None:
            return
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            token.encode("latin-1"), self._api_key
        ):
            raise Problem(UNAUTHORIZED, "missing or wrong API key")

    def _check_response(self, spec_request: SpecRequest, response: Response) -> None:
        content_type = response.headers.get("content-type", "")
        if not content_type.endswith("json"):
            return  # binary bodies stream; their headers are all the spec says about them
        spec_response = SpecResponse(
            status_code=response.status_code,
            headers=SpecHeaders(list(response.headers.items())),
            data=bytes(response.body),
            content_type=content_type,
        )
        for violation in self.checker.check_response(spec_request, spec_response):
            where = f"{spec_request.method.upper()} {spec_request.path}"
            message = f"{where} {response.status_code}: {violation}"
            logger.warning("response breaks the spec: %s", message)
            self.state.response_violations.append(message)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app(
    data_dir: Path,
    api_key: str | None,
    *,
    validate_responses: bool = False,
    default_lease_seconds: float = DEFAULT_LEASE_SECONDS,
) -> DatlakeApp:
    """The local Datlake over `data_dir` (metadata in `datlake.db`, files in `objects/`).

    With `api_key`, every operation but `get_health` needs `Authorization: Bearer <api_key>`.
    Every run starts with a lease of `default_lease_seconds` (an hour): a run nobody
    heartbeats or completes is `lost` once it runs out. Opening the folder removes what an
    upload interrupted by a crash left behind (see `ObjectStore`). The app holds the folder
    until `close()`: another app over it meanwhile raises `DataFolderInUse` (see `lock`).
    """
    return DatlakeApp(
        Path(data_dir),
        api_key,
        validate_responses=validate_responses,
        default_lease_seconds=default_lease_seconds,
    )


def _checked(handler: SyncHandler, check: Callable[[], Any], call: Call) -> Response:
    call.document = check()
    return handler(call)


async def _json_body(request: Request) -> bytes:
    """The whole body, read off `receive` as `Request.stream` would (without an async
    generator per request); a 422 problem past `MAX_JSON_BODY`."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        if message["type"] != "http.request":
            continue
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_JSON_BODY:
            raise Problem(INVALID_BODY, f"body: larger than {MAX_JSON_BODY} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
