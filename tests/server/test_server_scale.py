"""Answers that stay bounded as the ledger grows: the lineage graph's limit and folded
history with their markers, reads beside writes, and the indexed status filter."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from datlake_server.db import Database
from datlake_server.lineage import _BY_TABLE, encoded, lineage
from datlake_server.store import STATUS_WHERE, Store

from .datlake_e2e import complete, read, register, start, unique


def _graph(api: httpx.Client, table: str, **params: Any) -> dict[str, Any]:
    response = api.get("/lineage", params={"table": table, **params})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _history(api: httpx.Client, runs: int) -> tuple[str, str, list[dict[str, Any]]]:
    """`runs` runs of one job, each reading `raw` and writing a snapshot of `daily`."""
    raw, daily = unique("raw"), unique("daily")
    register(api, start(api, unique("ingest")), raw)
    written = []
    for _ in range(runs):
        run = start(api, unique("job"))
        read(api, run, raw)
        register(api, run, daily)
        complete(api, run)
        written.append(run)
    return raw, daily, written


def test_a_small_graph_is_whole(api: httpx.Client) -> None:
    _raw, daily, _runs = _history(api, 3)
    graph = _graph(api, daily)
    assert graph["truncated"] is False
    assert not any(node.get("history_truncated") for node in graph["nodes"])
    assert len([n for n in graph["nodes"] if n["kind"] == "run"]) == 4  # 3 jobs and the ingest


def test_history_is_folded_newest_first_and_marked(api: httpx.Client) -> None:
    raw, daily, runs = _history(api, 5)
    graph = _graph(api, daily, direction="upstream", history=2)
    assert graph["truncated"] is True
    shown = {n["run_id"] for n in graph["nodes"] if n["kind"] == "run"}
    newest = {run["run_id"] for run in runs[-2:]}
    assert newest <= shown
    assert not {run["run_id"] for run in runs[:3]} & shown
    folded = {n["name"] for n in graph["nodes"] if n.get("history_truncated")}
    assert folded == {daily}  # raw has one snapshot: nothing of it was folded
    # downstream the reads of raw fold the same way
    down = _graph(api, raw, direction="downstream", depth=1, history=3)
    readers = [n for n in down["nodes"] if n["kind"] == "run"]
    assert len(readers) == 3
    assert down["truncated"] is True
    whole = _graph(api, daily, direction="upstream", history=5)
    assert whole["truncated"] is False


def test_the_node_limit_holds_and_is_marked(api: httpx.Client) -> None:
    _raw, daily, _runs = _history(api, 6)
    graph = _graph(api, daily, limit=4)
    assert len(graph["nodes"]) <= 4
    assert graph["truncated"] is True
    ids = {node["id"] for node in graph["nodes"]}
    assert f"table:{daily}" in ids
    for edge in graph["edges"]:  # no edge points outside the graph
        assert {edge["source"], edge["target"]} <= ids


def test_limits_outside_the_contract_are_refused(api: httpx.Client) -> None:
    for params in ({"limit": 0}, {"limit": 10_001}, {"history": 0}, {"history": 1001}):
        response = api.get("/lineage", params={"table": "t", **params})
        assert response.status_code == 400, response.text


def test_a_long_read_does_not_hold_up_writes(tmp_path: Path) -> None:
    db = Database(tmp_path / "meta.db")
    store = Store(db)
    first, _ = store.start_run("ingest", {}, None)
    store.register_snapshot(
        {"job_name": "ingest", "run_id": first["run_id"], "table_name": "raw",
         "uri": "file:///raw", "format": "csv"}
    )  # fmt: skip
    reading, written = threading.Event(), threading.Event()

    def hold_a_read() -> None:
        with db.snapshot() as conn:
            conn.execute("SELECT count(*) FROM runs").fetchone()
            reading.set()
            written.wait(10)  # a read transaction open all the while the write runs

    reader = threading.Thread(target=hold_a_read)
    reader.start()
    assert reading.wait(10)
    started = time.monotonic()
    run, _ = store.start_run("writer", {}, None)
    written.set()
    reader.join(10)
    assert time.monotonic() - started < 5  # the write did not wait for the reader's 10 s
    assert store.get_run("writer", run["run_id"])["status"] == "running"
    assert next(n["id"] for n in lineage(db, "raw", "both", 1)["nodes"]) == "table:raw"
    db.close()


def test_the_status_filter_is_served_by_an_index(tmp_path: Path) -> None:
    db = Database(tmp_path / "meta.db")
    conn = sqlite3.connect(tmp_path / "meta.db")
    for status in ("running", "lost", "succeeded", "failed"):
        clause, values = STATUS_WHERE[status]
        params = [time.time() if value is None else value for value in values]
        plan = " ".join(
            row[-1]
            for row in conn.execute(
                f"EXPLAIN QUERY PLAN SELECT * FROM runs WHERE job_name = ? AND {clause}"
                " ORDER BY seq DESC LIMIT 51",
                ["j", *params],
            )
        )
        assert "runs_by_job_status" in plan, (status, plan)
        assert "TEMP B-TREE" not in plan, (status, plan)
    conn.close()
    db.close()


def test_a_tables_newest_reads_come_off_an_index(tmp_path: Path) -> None:
    db = Database(tmp_path / "meta.db")
    with db.snapshot() as conn:
        plan = " ".join(
            row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {_BY_TABLE['read']}", ("t", 21))
        )
    assert "inputs_by_table" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
    db.close()


def test_a_folder_from_before_v1_3_gets_its_reads_named_by_table(tmp_path: Path) -> None:
    path = tmp_path / "meta.db"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE snapshots (seq INTEGER PRIMARY KEY, snapshot_id TEXT NOT NULL UNIQUE,"
        " table_name TEXT NOT NULL, uri TEXT NOT NULL, format TEXT NOT NULL, schema TEXT,"
        " job_name TEXT NOT NULL, run_id TEXT NOT NULL, created_at REAL NOT NULL);"
        "CREATE TABLE inputs (run_id TEXT NOT NULL, snapshot_id TEXT NOT NULL,"
        " read_at REAL NOT NULL, PRIMARY KEY (run_id, snapshot_id));"
        "INSERT INTO snapshots VALUES (1, 's1', 'raw', 'file:///r', 'csv', NULL, 'j', 'r0', 0);"
        "INSERT INTO inputs VALUES ('r1', 's1', 1);"
    )
    old.close()
    db = Database(path)
    with db.snapshot() as conn:
        assert conn.execute("SELECT table_name FROM inputs").fetchall()[0][0] == "raw"
    with db.transaction() as conn:  # a read recorded without its table gets it named
        conn.execute("INSERT INTO inputs (run_id, snapshot_id, read_at) VALUES ('r2', 's1', 2)")
    with db.snapshot() as conn:
        names = conn.execute("SELECT table_name FROM inputs WHERE run_id = 'r2'").fetchall()
    assert [row[0] for row in names] == ["raw"]
    db.close()


def test_a_graph_encoded_in_batches_reads_back_whole() -> None:
    nodes = [{"id": f"run:j/{i}", "kind": "run", "name": "j", "status": "é"} for i in range(700)]
    edges = [{"source": n["id"], "target": "table:t", "kind": "wrote"} for n in nodes]
    graph = {"root": "t", "nodes": nodes, "edges": edges, "truncated": False}
    assert json.loads(encoded(graph)) == graph
    assert json.loads(encoded({**graph, "nodes": [], "edges": []}))["nodes"] == []
