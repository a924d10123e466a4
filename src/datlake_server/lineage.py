"""The lineage graph around a table: who wrote it from what (upstream), what was made from it
(downstream). One hop goes table -> run -> table; `depth` counts such hops.

>>> import tempfile, pathlib
>>> from datlake_server.db import Database
>>> db = Database(pathlib.Path(tempfile.mkdtemp()) / "meta.db")
>>> from datlake_server.store import Store
>>> store = Store(db)
>>> run, _ = store.start_run("ingest", {}, None)
>>> _ = store.register_snapshot({"job_name": "ingest", "run_id": run["run_id"],
...                              "table_name": "raw", "uri": "file:///raw", "format": "csv"})
>>> [node["id"] for node in lineage(db, "raw", "both", 3)["nodes"]]  # doctest: +ELLIPSIS
['table:raw', 'run:ingest/...']
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any

from datlake_server.db import Database
from datlake_server.problems import TABLE_NOT_FOUND, Problem
from datlake_server.store import run_status

Doc = dict[str, Any]


DEFAULT_LIMIT = 1000
DEFAULT_HISTORY = 20
MAX_HISTORY = 1000  # the contract's bounds of `history`


class _Graph:
    def __init__(self, limit: int) -> None:
        self.nodes: dict[str, Doc] = {}
        self.edges: dict[tuple[str, str, str, str], Doc] = {}
        self.runs: dict[str, str] = {}  # run_id -> node id
        self.limit = limit
        self.truncated = False

    def admits(self, *node_ids: str) -> bool:
        """Whether the nodes fit under the limit (those already in count for nothing)."""
        new = sum(1 for node_id in set(node_ids) if node_id not in self.nodes)
        if len(self.nodes) + new > self.limit:
            self.truncated = True
            return False
        return True

    def table(self, name: str) -> str:
        node_id = f"table:{name}"
        self.nodes.setdefault(node_id, {"id": node_id, "kind": "table", "name": name})
        return node_id

    def fold(self, name: str) -> None:
        """Mark a table whose older history was left out."""
        self.nodes[f"table:{name}"]["history_truncated"] = True
        self.truncated = True

    def run(self, job_name: str, run_id: str) -> str:
        node_id = f"run:{job_name}/{run_id}"
        self.runs[run_id] = node_id
        self.nodes.setdefault(
            node_id,
            {"id": node_id, "kind": "run", "name": job_name, "job_name": job_name,
             "run_id": run_id, "status": None},
        )  # fmt: skip
        return node_id

    def edge(self, source: str, target: str, kind: str, snapshot_id: str) -> None:
        doc = {"source": source, "target": target, "kind": kind, "snapshot_id": snapshot_id}
        self.edges.setdefault((source, target, kind, snapshot_id), doc)


def lineage(
    db: Database,
    table: str,
    direction: str,
    depth: int,
    limit: int = DEFAULT_LIMIT,
    history: int = DEFAULT_HISTORY,
) -> Doc:
    """The `LineageGraph` document around `table`, at most `limit` nodes, each table's
    `history` newest snapshots (upstream) or reads (downstream); 404 when the table has no
    snapshot. Reads a snapshot of the database: writers go on meanwhile."""
    graph = _Graph(limit)
    with db.snapshot() as conn:
        if (
            conn.execute("SELECT 1 FROM snapshots WHERE table_name = ?", (table,)).fetchone()
            is None
        ):
            raise Problem(TABLE_NOT_FOUND, f"table {table} has no snapshot")
        graph.table(table)
        if direction in ("upstream", "both"):
            _walk(conn, graph, table, depth, history, upstream=True)
        if direction in ("downstream", "both"):
            _walk(conn, graph, table, depth, history, upstream=False)
        _fill_run_statuses(conn, graph)
    return {
        "root": table,
        "direction": direction,
        "depth": depth,
        "nodes": list(graph.nodes.values()),
        "edges": list(graph.edges.values()),
        "truncated": graph.truncated,
    }


# Edges as rows of (kind, table_name, snapshot_id, job_name, run_id). From a table: its
# newest snapshots or reads first, one more than asked to tell whether history was folded
# (the snapshots_by_table and inputs_by_table indexes serve them, so the cost follows the
# answer, not the ledger). From runs: `?` is a JSON array of run ids.
_BY_TABLE = {
    "wrote": "SELECT 'wrote' AS kind, s.table_name, s.snapshot_id, s.job_name, s.run_id"
    " FROM snapshots s WHERE s.table_name = ? ORDER BY s.seq DESC LIMIT ?",
    "read": "SELECT 'read' AS kind, i.table_name, i.snapshot_id, r.job_name, i.run_id"
    " FROM inputs i JOIN runs r ON r.run_id = i.run_id"
    " WHERE i.table_name = ? ORDER BY i.rowid DESC LIMIT ?",
}
_BY_RUNS = {
    "wrote": "SELECT 'wrote' AS kind, s.table_name, s.snapshot_id, s.job_name, s.run_id"
    " FROM snapshots s WHERE s.run_id IN (SELECT value FROM json_each(?)) ORDER BY s.seq",
    "read": "SELECT 'read' AS kind, s.table_name, s.snapshot_id, r.job_name, i.run_id"
    " FROM inputs i JOIN snapshots s ON s.snapshot_id = i.snapshot_id"
    " JOIN runs r ON r.run_id = i.run_id"
    " WHERE i.run_id IN (SELECT value FROM json_each(?)) ORDER BY i.rowid",
}


# nodes or edges encoded per call of the encoder: each call holds the interpreter for well
# under a millisecond, so the event loop and the writers get in between
_ENCODE_BATCH = 256
_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode


def encoded(graph: Doc) -> bytes:
    """The `LineageGraph` document as compact JSON, its nodes and edges a batch at a time: one
    call encoding a 10,000-node graph would hold the interpreter for milliseconds on end.

    >>> encoded({"root": "a", "nodes": [{"id": "table:a"}], "edges": []})
    b'{"root":"a","nodes":[{"id":"table:a"}],"edges":[]}'
    """
    parts = []
    for key, value in graph.items():
        if isinstance(value, list):
            batches = (value[i : i + _ENCODE_BATCH] for i in range(0, len(value), _ENCODE_BATCH))
            items = ",".join(_encode(batch)[1:-1] for batch in batches)
            parts.append(f"{_encode(key)}:[{items}]")
        else:
            parts.append(f"{_encode(key)}:{_encode(value)}")
    return ("{" + ",".join(parts) + "}").encode("utf-8")


def _walk(
    conn: sqlite3.Connection,
    graph: _Graph,
    table: str,
    depth: int,
    history: int,
    upstream: bool,
) -> None:
    # upstream: the runs that wrote the frontier, then what they read;
    # downstream: the runs that read the frontier, then what they wrote
    near, far = ("wrote", "read") if upstream else ("read", "wrote")
    seen = {table}
    frontier = [table]
    for _ in range(depth):
        run_ids: list[str] = []
        for name in frontier:
            rows = conn.execute(_BY_TABLE[near], (name, history + 1)).fetchall()
            if len(rows) > history:
                graph.fold(name)
            run_ids += [run for row in rows[:history] if (run := _add(graph, row)) is not None]
        reached: list[str] = []
        for row in conn.execute(_BY_RUNS[far], (json.dumps(list(dict.fromkeys(run_ids))),)):
            if _add(graph, row) is not None and row["table_name"] not in seen:
                seen.add(row["table_name"])
                reached.append(row["table_name"])
        if not reached or (graph.truncated and len(graph.nodes) >= graph.limit):
            return
        frontier = reached


def _add(graph: _Graph, row: sqlite3.Row) -> str | None:
    """Add an edge row's table, run and edge; the run id, or None when they do not fit."""
    table_id = f"table:{row['table_name']}"
    run_id = f"run:{row['job_name']}/{row['run_id']}"
    if not graph.admits(table_id, run_id):
        return None
    table = graph.table(row["table_name"])
    run = graph.run(row["job_name"], row["run_id"])
    if row["kind"] == "read":
        graph.edge(table, run, "read", row["snapshot_id"])
    else:
        graph.edge(run, table, "wrote", row["snapshot_id"])
    return str(row["run_id"])


def _fill_run_statuses(conn: sqlite3.Connection, graph: _Graph) -> None:
    if not graph.runs:
        return
    now = time.time()
    rows = conn.execute(
        "SELECT run_id, status, lease_expires_at FROM runs"
        " WHERE run_id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(graph.runs)),),
    )
    for row in rows:
        graph.nodes[graph.runs[row["run_id"]]]["status"] = run_status(row, now)
