"""One handler per `operationId` of the spec. Requests reach them already routed, authorised
and validated, so they only read what they need and answer with the spec's documents.
Plain handlers run in the thread pool (they use the database), but for `SHORT_WRITES`; `async`
ones on the event loop (health, and the object transfers, which hop to threads for their file
work).

>>> sorted(name for name in vars(Operations) if not name.startswith("_"))[:3]
['complete_run', 'download_object', 'fetch_latest_uri']
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from datlake_server.catalog import list_jobs, list_tables
from datlake_server.jsonio import JSONResponse
from datlake_server.lineage import DEFAULT_HISTORY, DEFAULT_LIMIT, encoded, lineage
from datlake_server.objects import ObjectStore, read_chunks
from datlake_server.openlineage import OpenLineageIngest
from datlake_server.problems import INVALID_BODY, Problem
from datlake_server.store import Idempotency, Store
from datlake_server.telemetry import TelemetryLedger
from datlake_server.validation import loads_json

OBJECT_MEDIA_TYPE = "application/octet-stream"
# plain handlers whose work is one short write transaction (a row or two, no fsync: see
# db.py): the app runs them on the event loop while the writer is free, those of requests
# arriving together in one transaction (see group_commit)
SHORT_WRITES = frozenset(
    {"start_run", "complete_run", "heartbeat", "post_event", "register_snapshot",
     "fetch_latest_uri"}
)  # fmt: skip


def server_version() -> str:
    try:
        return metadata.version("datlake-sdk")
    except metadata.PackageNotFoundError:
        return "0+unknown"


@dataclass(slots=True)
class Call:
    """A routed request: its operation's path parameters and (for JSON bodies) the body."""

    request: Request
    operation_id: str
    path: dict[str, str]
    body: bytes | None = None
    # the body as the validator parsed it (parsed again on demand when it was not checked)
    document: Any = field(default=None)

    @property
    def json(self) -> dict[str, Any]:
        if self.document is None:
            self.document = loads_json(self.body) if self.body else {}
        return self.document  # type: ignore[no-any-return]

    def query(self, name: str) -> str | None:
        # the first value, as the validator read it: a repeated parameter's others are ignored
        values = self.request.query_params.getlist(name)
        return values[0] if values else None

    def query_int(self, name: str, default: int) -> int:
        value = self.query(name)
        return default if value is None else int(value)

    def idempotency(self) -> Idempotency | None:
        """The request's `Idempotency-Key` and a fingerprint of what it asks for."""
        key = self.request.headers.get("idempotency-key")
        if key is None:
            return None
        request = [self.operation_id, self.path, self.json]
        canonical = json.dumps(request, sort_keys=True, separators=(",", ":"))
        fingerprint = hashlib.sha256(canonical.encode()).hexdigest()
        return key, fingerprint


async def object_body(request: Request) -> AsyncIterator[bytes]:
    """The chunks of an upload's body, once it is known to be one, else a 422 problem.

    The spec documents one media type, `application/octet-stream`; a body without any
    `Content-Type` is taken as one (RFC 9110, 8.3), unless it has no bytes either: then there
    is no body at all, and the spec requires one (an empty object says its type).
    """
    chunks = request.stream()
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type and media_type != OBJECT_MEDIA_TYPE:
        detail = f"content type {media_type} is not documented ({OBJECT_MEDIA_TYPE} is)"
        raise Problem(INVALID_BODY, f"body: {detail}")
    if media_type:
        return chunks
    first = b""
    async for first in chunks:
        if first:
            break
    if not first:
        raise Problem(INVALID_BODY, "body: required but missing")

    async def whole() -> AsyncIterator[bytes]:
        yield first
        async for chunk in chunks:
            yield chunk

    return whole()


def replay_headers(replayed: bool) -> dict[str, str] | None:
    return {"Idempotent-Replayed": "true"} if replayed else None


def created(document: dict[str, Any], *, replayed: bool = False) -> JSONResponse:
    return JSONResponse(document, status_code=201, headers=replay_headers(replayed))


class Operations:
    """The API's operations over one ledger and one object store."""

    def __init__(self, store: Store, objects: ObjectStore) -> None:
        self.store = store
        self.objects = objects
        self.telemetry = TelemetryLedger(store)
        self.openlineage = OpenLineageIngest(store.db, store.default_lease_seconds)
        self.version = server_version()

    async def get_health(self, call: Call) -> Response:
        # on the event loop: it touches no database, and a thread hop would cost it 4x
        return JSONResponse({"status": "ok", "version": self.version})

    # runs

    def start_run(self, call: Call) -> Response:
        body = call.json
        run, replayed = self.store.start_run(
            call.path["job_name"],
            body.get("metadata") or {},
            body.get("parent_run_id"),
            call.idempotency(),
            run_id=body.get("run_id"),
        )
        return created(run, replayed=replayed)

    def get_run(self, call: Call) -> Response:
        return JSONResponse(self.store.get_run(call.path["job_name"], call.path["run_id"]))

    def complete_run(self, call: Call) -> Response:
        body = call.json
        run = self.store.complete_run(
            call.path["job_name"],
            call.path["run_id"],
            bool(body["success"]),
            body.get("extra") or {},
            body.get("artifacts") or [],
        )
        return JSONResponse(run)

    def list_runs(self, call: Call) -> Response:
        page = self.store.list_runs(
            call.path["job_name"], call.query("status"), call.query_int("limit", 50),
            call.query("cursor"),
        )  # fmt: skip
        return JSONResponse(page)

    def list_jobs(self, call: Call) -> Response:
        return JSONResponse(list_jobs(self.store.db, *_name_page(call)))

    def heartbeat(self, call: Call) -> Response:
        lease_seconds = int(call.json.get("lease_seconds", 60))
        lease, replayed = self.store.heartbeat(
            call.path["job_name"], call.path["run_id"], lease_seconds, call.idempotency()
        )
        return JSONResponse(lease, headers=replay_headers(replayed))

    # events

    def post_event(self, call: Call) -> Response:
        body = call.json
        event, replayed = self.store.post_event(
            call.path["job_name"], call.path["run_id"], body["kind"], body.get("message"),
            body.get("data") or {}, call.idempotency(),
        )  # fmt: skip
        return created(event, replayed=replayed)

    def list_events(self, call: Call) -> Response:
        page = self.store.list_events(
            call.path["job_name"], call.path["run_id"], call.query_int("limit", 50),
            call.query("cursor"),
        )  # fmt: skip
        return JSONResponse(page)

    # telemetry

    def post_telemetry(self, call: Call) -> Response:
        receipt, replayed = self.telemetry.record(
            call.path["job_name"], call.path["run_id"], call.json, call.idempotency()
        )
        return JSONResponse(receipt, headers=replay_headers(replayed))

    def list_metrics(self, call: Call) -> Response:
        series = self.telemetry.metrics(
            call.path["job_name"], call.path["run_id"], call.query("name")
        )
        return JSONResponse(series)

    def get_run_log(self, call: Call) -> Response:
        log = self.telemetry.log(
            call.path["job_name"], call.path["run_id"], call.query_int("from_chunk", 0)
        )
        return JSONResponse(log)

    # tables

    def fetch_latest_uri(self, call: Call) -> Response:
        snapshot = self.store.fetch_latest(
            call.path["table"], call.query("run_id"), call.query("job_name"),
            call.query("snapshot_id"),
        )  # fmt: skip
        return JSONResponse(snapshot)

    def register_snapshot(self, call: Call) -> Response:
        snapshot, replayed = self.store.register_snapshot(call.json, call.idempotency())
        return created(snapshot, replayed=replayed)

    def list_snapshots(self, call: Call) -> Response:
        page = self.store.list_snapshots(
            call.path["table"], call.query_int("limit", 50), call.query("cursor")
        )
        return JSONResponse(page)

    def list_tables(self, call: Call) -> Response:
        return JSONResponse(list_tables(self.store.db, *_name_page(call)))

    def get_lineage(self, call: Call) -> Response:
        table = call.query("table") or ""
        graph = lineage(
            self.store.db,
            table,
            call.query("direction") or "both",
            call.query_int("depth", 3),
            limit=call.query_int("limit", DEFAULT_LIMIT),
            history=call.query_int("history", DEFAULT_HISTORY),
        )
        return Response(encoded(graph), media_type="application/json")

    def ingest_openlineage(self, call: Call) -> Response:
        return JSONResponse(self.openlineage.record(call.json))

    # objects (async: their bodies stream)

    async def upload_object(self, call: Call) -> Response:
        receipt = await self.objects.receive(
            call.path["bucket"],
            call.path["object"],
            await object_body(call.request),
            call.request.headers.get("x-checksum-sha256"),
        )
        return JSONResponse(receipt, status_code=201)

    async def download_object(self, call: Call) -> Response:
        file, size, sha256 = await to_thread.run_sync(
            self.objects.open, call.path["bucket"], call.path["object"]
        )
        return StreamingResponse(
            read_chunks(file),
            media_type="application/octet-stream",
            headers={"Content-Length": str(size), "X-Checksum-Sha256": sha256},
        )


def _name_page(call: Call) -> tuple[str | None, int, str | None]:
    """The `prefix`, `limit` and `cursor` of a list ordered by name."""
    return call.query("prefix"), call.query_int("limit", 50), call.query("cursor")
