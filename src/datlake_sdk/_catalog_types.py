"""The domain types of the catalog: the jobs and tables it lists, the lineage around a table,
the objects it stores. Checked as the run's types are (see `_types`), loaded when first used:
a job that runs and writes its tables needs none of them.

>>> LineageEdge("table:users_raw", "run:daily_users/r1", "read")
LineageEdge(source='table:users_raw', target='run:daily_users/r1', kind='read', snapshot_id=None)
"""

from __future__ import annotations

import attrs

from ._types import Run, SnapshotInfo, _flag, _maybe_text, _text, _tuple_of, _whole

__all__ = [
    "JobInfo",
    "LineageEdge",
    "LineageGraph",
    "LineageNode",
    "ObjectInfo",
    "TableInfo",
]


@attrs.frozen
class JobInfo:
    """A job that has runs: what `list_jobs` lists, with its newest run and how many it has."""

    job_name: str = attrs.field(validator=_text)
    run_count: int = attrs.field(validator=_whole)
    latest_run: Run = attrs.field(validator=attrs.validators.instance_of(Run))


@attrs.frozen
class TableInfo:
    """A table that has snapshots: what `list_tables` lists, with its newest snapshot."""

    table_name: str = attrs.field(validator=_text)
    snapshot_count: int = attrs.field(validator=_whole)
    latest_snapshot: SnapshotInfo = attrs.field(
        validator=attrs.validators.instance_of(SnapshotInfo)
    )


@attrs.frozen
class LineageNode:
    """A table (`id="table:<name>"`) or a run (`id="run:<job>/<run_id>"`) in a lineage graph."""

    id: str = attrs.field(validator=_text)
    kind: str = attrs.field(validator=_text)
    name: str = attrs.field(validator=_text)
    job_name: str | None = attrs.field(default=None, validator=_maybe_text)
    run_id: str | None = attrs.field(default=None, validator=_maybe_text)
    status: str | None = attrs.field(default=None, validator=_maybe_text)
    history_truncated: bool = attrs.field(default=False, validator=_flag)


@attrs.frozen
class LineageEdge:
    """`read` (table to run) or `wrote` (run to table), with the snapshot involved."""

    source: str = attrs.field(validator=_text)
    target: str = attrs.field(validator=_text)
    kind: str = attrs.field(validator=_text)
    snapshot_id: str | None = attrs.field(default=None, validator=_maybe_text)


@attrs.frozen
class LineageGraph:
    """The graph around `root`: nodes are tables and runs, edges are reads and writes.

    The server bounds it: `truncated` says something was left out (nodes beyond the limit,
    or a table's older history, marked on that node by `history_truncated`).
    """

    root: str = attrs.field(validator=_text)
    direction: str = attrs.field(validator=_text)
    depth: int = attrs.field(validator=_whole)
    nodes: tuple[LineageNode, ...] = attrs.field(validator=_tuple_of(LineageNode))
    edges: tuple[LineageEdge, ...] = attrs.field(validator=_tuple_of(LineageEdge))
    truncated: bool = attrs.field(default=False, validator=_flag)


@attrs.frozen
class ObjectInfo:
    """A stored object: `uri` is `datlake://<bucket>/<object>`; `sha256` is lowercase hex."""

    bucket: str = attrs.field(validator=_text)
    object_name: str = attrs.field(validator=_text)
    uri: str = attrs.field(validator=_text)
    size: int = attrs.field(validator=_whole)
    sha256: str = attrs.field(validator=_text)
    pending: bool = attrs.field(default=False, eq=False, kw_only=True)
    """`True` when the write is kept in the outbox for delivery, not yet on the server."""


# public as `datlake_sdk.JobInfo` and so on (loaded on first use from there)
for _public in __all__:
    globals()[_public].__module__ = "datlake_sdk"
del _public
