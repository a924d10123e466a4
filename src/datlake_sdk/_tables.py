"""Tables: read the newest snapshot (an input edge), register a written one (an output edge),
list a table's history and walk its lineage.

>>> from datlake_sdk.functional import fetch_latest_uri, register_snapshot, and_then
>>> src = fetch_latest_uri(client, run, "users_raw")  # doctest: +SKIP
>>> out = register_snapshot(client, run, "users_curated", "s3://k", format="csv")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
from datlake_api.types import UNSET

from . import _convert as domain
from ._call import Call, Chain, Deferral, Plan, Refusal
from ._client import Session
from ._errors import SDKError
from ._ids import id_for_key, new_id
from ._lazy import lazy
from ._log import logger
from ._names import bad_json, bad_name, bad_run, bad_run_id, bad_text, bad_utf8, first_invalid
from ._operations import (
    api_call,
    bad_choice,
    bad_range,
    idempotency_key_for,
    operation,
)
from ._paging import PagePlans, paged
from ._result import Err, Ok, unwrap_or
from ._runs import run_lookup
from ._types import LineageGraph, Page, Run, SnapshotInfo, UriInfo

if TYPE_CHECKING:
    from datlake_api import models as api
    from datlake_api.api.lineage import get_lineage as get_lineage_endpoint
    from datlake_api.api.tables import fetch_latest_uri as fetch_latest_uri_endpoint
    from datlake_api.api.tables import list_snapshots as list_snapshots_endpoint
    from datlake_api.api.tables import register_snapshot as register_snapshot_endpoint
else:  # the generated layer loads on first use (see _lazy)
    api = lazy("datlake_api.models")
    get_lineage_endpoint = lazy("datlake_api.api.lineage.get_lineage")
    fetch_latest_uri_endpoint = lazy("datlake_api.api.tables.fetch_latest_uri")
    list_snapshots_endpoint = lazy("datlake_api.api.tables.list_snapshots")
    register_snapshot_endpoint = lazy("datlake_api.api.tables.register_snapshot")


__all__ = [
    "fetch_latest_uri",
    "get_lineage",
    "iter_snapshots",
    "list_snapshots",
    "plan_fetch_latest_uri",
    "plan_get_lineage",
    "plan_list_snapshots",
    "plan_register_snapshot",
    "plan_snapshot_pages",
    "register_snapshot",
]

LINEAGE_DIRECTIONS = ("upstream", "downstream", "both")
MAX_LINEAGE_DEPTH = 10
MAX_LINEAGE_NODES = 10_000
MAX_LINEAGE_HISTORY = 1_000
MAX_PAGE_SIZE = 500

# the contract's limits on a snapshot's uri and format
MAX_URI_LENGTH = 4096
MAX_FORMAT_LENGTH = 64


def plan_fetch_latest_uri(client: Session[Any], run: Run | None, table_name: str) -> Plan[UriInfo]:
    """The newest snapshot of `table_name`. With a `run`, the server records that the run read
    it (an input edge); with `None` it is a plain lookup.

    A table without snapshots is `Err(NotFound)`; under the `continue_on_not_found` policy it is
    `Ok(UriInfo.missing(table_name))` (the empty-uri sentinel; an unknown run stays an `Err`).
    A read that fails is an `Err` under every policy: the job needs the value, except when the
    detached cache (on with the outbox) answers: while Datlake cannot be reached, the newest
    snapshot this client saw of the table (at most `cache_max_age` old) comes back with
    `from_cache` and `cache_age`, and its input edge waits in the outbox. When the run's earlier
    writes still wait in the outbox, the snapshot is read now and the input edge to that very
    snapshot queues behind them (`Ok(...)` with `pending=True`).

    >>> fetch_latest_uri(client, run, "users_raw")  # doctest: +SKIP
    Ok(value=UriInfo(table_name='users_raw', uri='file:///data/users_raw/part-0.csv', ...))
    """
    invalid = first_invalid(
        bad_name("table_name", table_name),
        None if run is None else bad_run("run", run),
    )
    if invalid is not None:
        return Refusal("fetch_latest_uri", invalid, run)
    outbox = client.outbox
    if run is not None and outbox is not None and outbox.queued_behind(run.run_id):
        edge_to = run
        return Chain(
            plan_fetch_latest_uri(client, None, table_name),
            lambda read: (
                Ok(read)
                if read.snapshot_id is None
                else _input_edge(edge_to, read, read.snapshot_id)
            ),
        )

    def missing() -> UriInfo:
        return UriInfo.missing(table_name)

    def seen(model: api.Snapshot) -> UriInfo:
        return _uri_info(_remember(client, domain.snapshot(model)))

    def from_cache(error: SDKError) -> UriInfo | None:
        read = _cached_read(client, table_name, error)
        if read is None or run is None or client.outbox is None:
            return read
        if read.snapshot_id is None:  # a cached snapshot always has its id
            return read
        return unwrap_or(client.outbox.defer(_input_edge(run, read, read.snapshot_id)), None)

    def read_before(found: Run) -> UriInfo | None:
        # the snapshot an earlier attempt recorded the run reading, if one did
        reads = [snapshot for snapshot in found.inputs if snapshot.table_name == table_name]
        return None if not reads else _uri_info(reads[-1])

    return api_call(
        fetch_latest_uri_endpoint,
        lambda request_id: fetch_latest_uri_endpoint._get_kwargs(
            table_name,
            run_id=UNSET if run is None else run.run_id,
            job_name=UNSET if run is None else run.job_name,
            x_request_id=request_id,
        ),
        api.Snapshot,
        seen,
        run=run,
        on_not_found=missing,
        # an unknown run is the caller's mistake, not a missing table: it stays an Err
        not_found_type="/problems/table-not-found",
        cached=from_cache,
        resolve=None if run is None else lambda: run_lookup(run, read_before),
    )


fetch_latest_uri = operation(plan_fetch_latest_uri)


def _input_edge(run: Run, read: UriInfo, snapshot_id: str) -> Call[api.Snapshot, UriInfo]:
    """The input edge from `run` to the snapshot `read` (by its id, so a replay records the
    snapshot that was read, not whatever is newest when it is delivered)."""
    return api_call(
        fetch_latest_uri_endpoint,
        lambda request_id: fetch_latest_uri_endpoint._get_kwargs(
            read.table_name,
            run_id=run.run_id,
            job_name=run.job_name,
            snapshot_id=snapshot_id,
            x_request_id=request_id,
        ),
        api.Snapshot,
        domain.uri_info,
        run=run,
        defer=Deferral(
            run.run_id, lambda: attrs.evolve(read, pending=True), run.job_name, run.run_id
        ),
    )


def _remember(client: Session[Any], snapshot: SnapshotInfo) -> SnapshotInfo:
    """Keep `snapshot` in the detached cache (when it is on) as its table's newest seen."""
    if client.snapshot_cache is not None:
        client.snapshot_cache.remember(client.base_url, snapshot)
    return snapshot


def _cached_read(client: Session[Any], table_name: str, error: SDKError) -> UriInfo | None:
    """The table's snapshot from the detached cache, if it holds one young enough."""
    cache = client.snapshot_cache
    kept = None if cache is None else cache.recall(client.base_url, table_name)
    if kept is None:
        return None
    age = kept.age.total_seconds()
    fields = {"operation": "fetch_latest_uri", "request_id": error.request_id}
    if age > client.cache_max_age:
        logger.warning(
            "fetch_latest_uri: Datlake cannot be reached and the cached snapshot of %s is"
            " %.0f s old, older than cache_max_age (%.0f s)",
            table_name,
            age,
            client.cache_max_age,
            extra=fields,
        )
        return None
    logger.warning(
        "fetch_latest_uri: Datlake cannot be reached (%s); %s from the detached cache,"
        " snapshot %s seen %.0f s ago",
        error.message,
        table_name,
        kept.snapshot.snapshot_id,
        age,
        extra=fields,
    )
    return attrs.evolve(_uri_info(kept.snapshot), cached_at=kept.seen_at)


def _uri_info(snapshot: SnapshotInfo) -> UriInfo:
    return UriInfo(
        table_name=snapshot.table_name,
        uri=snapshot.uri,
        format=snapshot.format or "",
        schema=snapshot.schema,
        snapshot_id=snapshot.snapshot_id,
    )


def plan_register_snapshot(
    client: Session[Any],
    run: Run,
    table_name: str,
    uri: str,
    *,
    format: str,
    schema: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
    snapshot_id: str | None = None,
) -> Plan[SnapshotInfo]:
    """Record that `run` wrote a new snapshot of `table_name` at `uri` (an output edge).

    The snapshot's id is chosen before sending (a UUIDv7 unless you pass `snapshot_id`; derived
    from `idempotency_key` when you pass that instead), so a retry, a replay from the outbox or
    a second call with the same id registers it once. An `Idempotency-Key` is sent too. A
    finished run is `Err(Conflict)`.

    >>> register_snapshot(client, run, "users_curated", "s3://b/users.parquet", format="parquet")
    ... # doctest: +SKIP
    Ok(value=SnapshotInfo(table_name='users_curated', snapshot_id='1a2b...', ...))
    """
    if snapshot_id is None:
        snapshot_id = (
            new_id()
            if idempotency_key is None
            else id_for_key(run.run_id, table_name, idempotency_key)
        )
    invalid = first_invalid(
        bad_run("run", run),
        bad_run_id("snapshot_id", snapshot_id),
        bad_name("table_name", table_name),
        bad_text("uri", uri, MAX_URI_LENGTH),
        bad_text("format", format, MAX_FORMAT_LENGTH),
        bad_json("schema", schema),
    )
    if invalid is not None:
        return Refusal("register_snapshot", invalid, run)
    key = idempotency_key_for(idempotency_key)
    if isinstance(key, Err):
        return Refusal("register_snapshot", key.error, run)
    body = api.RegisterSnapshotRequest(
        job_name=run.job_name,
        run_id=run.run_id,
        table_name=table_name,
        uri=uri,
        format_=format,
        schema=domain.free_form(schema),
        snapshot_id=snapshot_id,
    )

    def pending() -> SnapshotInfo:
        return SnapshotInfo(
            table_name=table_name,
            snapshot_id=snapshot_id,
            uri=uri,
            format=format,
            schema=None if schema is None else dict(schema),
            job_name=run.job_name,
            run_id=run.run_id,
            pending=True,
        )

    def registered(model: api.Snapshot) -> SnapshotInfo:
        return _remember(client, domain.snapshot(model))

    def written(found: Run) -> SnapshotInfo | None:
        return next((out for out in found.outputs if out.snapshot_id == snapshot_id), None)

    return api_call(
        register_snapshot_endpoint,
        lambda request_id: register_snapshot_endpoint._get_kwargs(
            body=body, idempotency_key=key.value, x_request_id=request_id
        ),
        api.Snapshot,
        registered,
        run=run,
        defer=Deferral(run.run_id, pending, run.job_name, run.run_id),
        resolve=lambda: run_lookup(run, written),
    )


register_snapshot = operation(plan_register_snapshot)


def plan_list_snapshots(
    client: Session[Any],
    table_name: str,
    *,
    limit: int | None = None,
    cursor: str | None = None,
) -> Plan[Page[SnapshotInfo]]:
    """One page of a table's snapshots, newest first (an unknown table has an empty page).

    >>> list_snapshots(client, "users_raw", limit=20)  # doctest: +SKIP
    Ok(value=Page(items=(SnapshotInfo(...), ...), next_cursor=None))
    """
    invalid = first_invalid(
        bad_name("table_name", table_name),
        bad_range("limit", limit, 1, MAX_PAGE_SIZE),
        bad_utf8("cursor", cursor),
    )
    if invalid is not None:
        return Refusal("list_snapshots", invalid)

    def page_seen(model: api.SnapshotPage) -> Page[SnapshotInfo]:
        page = domain.snapshot_page(model)
        if cursor is None and page.items:  # the first page starts with the newest
            _remember(client, page.items[0])
        return page

    return api_call(
        list_snapshots_endpoint,
        lambda request_id: list_snapshots_endpoint._get_kwargs(
            table_name,
            limit=UNSET if limit is None else limit,
            cursor=UNSET if cursor is None else cursor,
            x_request_id=request_id,
        ),
        api.SnapshotPage,
        page_seen,
    )


list_snapshots = operation(plan_list_snapshots)


def plan_snapshot_pages(
    client: Session[Any], table_name: str, *, page_size: int | None = None
) -> PagePlans[SnapshotInfo]:
    """Every snapshot of a table, newest first; a failed page yields its `Err` and ends.

    >>> [res.value.uri for res in iter_snapshots(client, "users_raw")]  # doctest: +SKIP
    """
    return lambda cursor: plan_list_snapshots(client, table_name, limit=page_size, cursor=cursor)


iter_snapshots = paged(plan_snapshot_pages)


def plan_get_lineage(
    client: Session[Any],
    table: str,
    *,
    depth: int | None = None,
    direction: str | None = None,
    limit: int | None = None,
    history: int | None = None,
) -> Plan[LineageGraph]:
    """The lineage graph around `table`: `direction` is `upstream`, `downstream` or `both`
    (the server's default), `depth` counts table-to-table hops (1-10, default 3).

    The graph is bounded: at most `limit` nodes (1-10,000, default 1,000), and from each
    table only its `history` newest snapshots or reads (1-1,000, default 20). `truncated`
    on the graph, and `history_truncated` on a table node, say what was left out.

    >>> graph = get_lineage(client, "users_curated", direction="upstream")  # doctest: +SKIP
    >>> [(e.source, e.kind, e.target) for e in graph.value.edges]  # doctest: +SKIP
    """
    invalid = first_invalid(
        bad_name("table", table),
        bad_range("depth", depth, 1, MAX_LINEAGE_DEPTH),
        bad_choice("direction", direction, LINEAGE_DIRECTIONS),
        bad_range("limit", limit, 1, MAX_LINEAGE_NODES),
        bad_range("history", history, 1, MAX_LINEAGE_HISTORY),
    )
    if invalid is not None:
        return Refusal("get_lineage", invalid)
    return api_call(
        get_lineage_endpoint,
        lambda request_id: get_lineage_endpoint._get_kwargs(
            table=table,
            depth=UNSET if depth is None else depth,
            direction=UNSET if direction is None else api.LineageDirection(direction),
            limit=UNSET if limit is None else limit,
            history=UNSET if history is None else history,
            x_request_id=request_id,
        ),
        api.LineageGraph,
        domain.lineage_graph,
    )


get_lineage = operation(plan_get_lineage)
