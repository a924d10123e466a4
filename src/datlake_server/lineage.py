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


class _Graph:
    def __init__(self) -> None:
        self.nodes: dict[str, Doc] = {}
        self.edges: dict[tuple[str, str, str, str], Doc] = {}
        self.runs: dict[str, str] = {}  # run_id -> node id

    def table(self, name: str) -> str:
        node_id = f"table:{name}"
        self.nodes.setdefault(node_id, {"id": node_id, "kind": "table", "name": name})
        return node_id

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


def lineage(db: Database, table: str, direction: str, depth: int) -> Doc:
    """The `LineageGraph` document around `table`; 404 when the table has no snapshot."""
    graph = _Graph()
    with db.transaction() as conn:
        if (
            conn.execute("SELECT 1 FROM snapshots WHERE table_name = ?", (table,)).fetchone()
            is None
        ):
            raise Problem(TABLE_NOT_FOUND, f"table {table} has no snapshot")
        graph.table(table)
        if direction in ("upstream", "both"):
            _walk(conn, graph, table, depth, upstream=True)
        if direction in ("downstream", "both"):
            _walk(conn, graph, table, depth, upstream=False)
        _fill_run_statuses(conn, graph)
    return {
        "root": table,
        "direction": direction,
        "depth": depth,
        "nodes": list(graph.nodes.values()),
        "edges": list(graph.edges.values()),
    }


# One query per (edge kind, what selects it); `?` is a JSON array of table names or run ids.
_WROTE = (
    "SELECT 'wrote' AS kind, s.table_name, s.snapshot_id, s.job_name, s.run_id"
    " FROM snapshots s WHERE {column} IN (SELECT value FROM json_each(?)) ORDER BY s.seq"
)
_READ = (
    "SELECT 'read' AS kind, s.table_name, s.snapshot_id, r.job_name, i.run_id"
    " FROM inputs i JOIN snapshots s ON s.snapshot_id = i.snapshot_id"
    " JOIN runs r ON r.run_id = i.run_id"
    " WHERE {column} IN (SELECT value FROM json_each(?)) ORDER BY i.rowid"
)
EDGES = {
    ("wrote", "tables"): _WROTE.format(column="s.table_name"),
    ("wrote", "runs"): _WROTE.format(column="s.run_id"),
    ("read", "tables"): _READ.format(column="s.table_name"),
    ("read", "runs"): _READ.format(column="i.run_id"),
}


def _walk(conn: sqlite3.Connection, graph: _Graph, table: str, depth: int, upstream: bool) -> None:
    # upstream: the runs that wrote the frontier, then what they read;
    # downstream: the runs that read the frontier, then what they wrote
    near, far = ("wrote", "read") if upstream else ("read", "wrote")
    seen = {table}
    frontier = [table]
    for _ in range(depth):
        run_ids = [_add(graph, row) for row in _edges(conn, near, "tables", frontier)]
        reached: list[str] = []
        for row in _edges(conn, far, "runs", run_ids):
            _add(graph, row)
            if row["table_name"] not in seen:
                seen.add(row["table_name"])
                reached.append(row["table_name"])
        if not reached:
            return
        frontier = reached


def _edges(conn: sqlite3.Connection, kind: str, by: str, keys: list[str]) -> list[sqlite3.Row]:
    """Edges of one kind as rows of (kind, table_name, snapshot_id, job_name, run_id)."""
    if not keys:
        return []
    return conn.execute(EDGES[kind, by], (json.dumps(keys),)).fetchall()


def _add(graph: _Graph, row: sqlite3.Row) -> str:
    """Add an edge row's table, run and edge; returns the run id."""
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
        "SELECT * FROM runs WHERE run_id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(graph.runs)),),
    )
    for row in rows:
        graph.nodes[graph.runs[row["run_id"]]]["status"] = run_status(row, now)
