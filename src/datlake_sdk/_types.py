"""The SDK's domain types: what operations return, frozen and independent of the generated models.

A `Run` is identified by `(job_name, run_id)`; the other fields are what the server last said
about it and do not take part in equality or hashing, so the `Run` that `start_run` returned
equals the one `get_run` returns later.

>>> Run("daily_users", "r1") == Run("daily_users", "r1", status="succeeded")
True
>>> UriInfo.missing("users_raw")
UriInfo(table_name='users_raw', uri='', format='', schema=None, snapshot_id=None)
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

import attrs

__all__ = [
    "Artifact",
    "Event",
    "Health",
    "Lease",
    "LineageEdge",
    "LineageGraph",
    "LineageNode",
    "ObjectInfo",
    "Page",
    "Run",
    "SnapshotInfo",
    "UriInfo",
]

T = TypeVar("T")

JSONObject = Mapping[str, Any]


@attrs.frozen
class Artifact:
    """Something a run produced besides its tables: `Artifact(type="log", uri="datlake://...")`."""

    type: str
    uri: str


@attrs.frozen
class SnapshotInfo:
    """One snapshot of a table: what `register_snapshot` returns and what runs read and wrote.

    `format`, `schema`, `job_name`, `run_id` and `created_at` are filled when the server sent them.
    """

    table_name: str
    snapshot_id: str
    uri: str
    format: str | None = None
    schema: JSONObject | None = None
    job_name: str | None = None
    run_id: str | None = None
    created_at: datetime.datetime | None = None


@attrs.frozen
class Run:
    """A run of a job: `Run(job_name, run_id)`, plus its state when the server reported it.

    `status` is `running`, `succeeded`, `failed` or `lost`; `inputs` and `outputs` are the
    snapshots the run read and wrote (filled by `get_run`).

    >>> run = Run("daily_users", "3f2a9c1e")
    >>> run.job_name, run.run_id, run.status
    ('daily_users', '3f2a9c1e', None)
    """

    job_name: str
    run_id: str
    # The run's state, not its identity: keyword-only and left out of `==` and `hash`.
    status: str | None = attrs.field(default=None, eq=False, kw_only=True)
    created_at: datetime.datetime | None = attrs.field(default=None, eq=False, kw_only=True)
    finished_at: datetime.datetime | None = attrs.field(default=None, eq=False, kw_only=True)
    metadata: JSONObject | None = attrs.field(default=None, eq=False, kw_only=True)
    extra: JSONObject | None = attrs.field(default=None, eq=False, kw_only=True)
    artifacts: tuple[Artifact, ...] = attrs.field(default=(), eq=False, kw_only=True)
    inputs: tuple[SnapshotInfo, ...] = attrs.field(default=(), eq=False, kw_only=True)
    outputs: tuple[SnapshotInfo, ...] = attrs.field(default=(), eq=False, kw_only=True)
    last_heartbeat_at: datetime.datetime | None = attrs.field(default=None, eq=False, kw_only=True)
    lease_expires_at: datetime.datetime | None = attrs.field(default=None, eq=False, kw_only=True)
    parent_run_id: str | None = attrs.field(default=None, eq=False, kw_only=True)


@attrs.frozen
class UriInfo:
    """Where the newest snapshot of a table lives: what `fetch_latest_uri` returns.

    `UriInfo.missing(table)` (an empty `uri`) stands for "no snapshot" when a policy turned a
    404 or a transient failure into a value; `found` tells the two apart.
    """

    table_name: str
    uri: str
    format: str
    schema: JSONObject | None
    snapshot_id: str | None = None

    @classmethod
    def missing(cls, table_name: str) -> UriInfo:
        """The seed's sentinel: `UriInfo(table_name, uri="", format="", schema=None)`."""
        return cls(table_name, uri="", format="", schema=None)

    @property
    def found(self) -> bool:
        """`False` for the sentinel `UriInfo.missing(...)`."""
        return bool(self.uri)


@attrs.frozen
class Page(Generic[T]):
    """One page of a listing; pass `next_cursor` back as `cursor=` for the next (None: the end)."""

    items: tuple[T, ...]
    next_cursor: str | None = None


@attrs.frozen
class LineageNode:
    """A table (`id="table:<name>"`) or a run (`id="run:<job>/<run_id>"`) in a lineage graph."""

    id: str
    kind: str
    name: str
    job_name: str | None = None
    run_id: str | None = None
    status: str | None = None


@attrs.frozen
class LineageEdge:
    """`read` (table to run) or `wrote` (run to table), with the snapshot involved."""

    source: str
    target: str
    kind: str
    snapshot_id: str | None = None


@attrs.frozen
class LineageGraph:
    """The graph around `root`: nodes are tables and runs, edges are reads and writes."""

    root: str
    direction: str
    depth: int
    nodes: tuple[LineageNode, ...]
    edges: tuple[LineageEdge, ...]


@attrs.frozen
class ObjectInfo:
    """A stored object: `uri` is `datlake://<bucket>/<object>`; `sha256` is lowercase hex."""

    bucket: str
    object_name: str
    uri: str
    size: int
    sha256: str


@attrs.frozen
class Lease:
    """A run's heartbeat lease: the run counts as `lost` after `lease_expires_at`."""

    job_name: str
    run_id: str
    status: str
    last_heartbeat_at: datetime.datetime
    lease_expires_at: datetime.datetime


@attrs.frozen
class Event:
    """A progress, metric or error event recorded on a run."""

    event_id: str
    job_name: str
    run_id: str
    kind: str
    message: str | None
    data: JSONObject
    created_at: datetime.datetime


@attrs.frozen
class Health:
    """What `health` reports: `status` is `"ok"`, `version` the server's version."""

    status: str
    version: str
