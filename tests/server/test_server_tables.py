"""Snapshots, input and output edges, and the lineage graph."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from .datlake_e2e import (
    all_pages,
    assert_problem,
    complete,
    get_run,
    read,
    register,
    start,
    unique,
)


def test_register_and_fetch_the_latest_snapshot(api: httpx.Client) -> None:
    job, table = unique("writer"), unique("users_raw")
    run = start(api, job)
    schema = {"id": "int64", "email": "string"}
    first = register(api, run, table, "file:///a.parquet", schema=schema)
    assert first["table_name"] == table
    assert first["format"] == "parquet"
    assert (first["job_name"], first["run_id"]) == (job, run["run_id"])
    assert first["schema"] == schema
    assert first["uri"] == "file:///a.parquet"
    second = register(api, run, table, "file:///b.parquet")
    assert second["schema"] is None
    assert second["snapshot_id"] != first["snapshot_id"]

    latest = api.get(f"/tables/{table}/snapshots/latest")
    assert latest.status_code == 200
    assert latest.json() == second
    outputs = get_run(api, run)["outputs"]
    assert [s["snapshot_id"] for s in outputs] == [first["snapshot_id"], second["snapshot_id"]]
    # reading without a run records nothing
    assert get_run(api, run)["inputs"] == []


def test_reading_records_an_input_edge_once_per_snapshot(api: httpx.Client) -> None:
    table = unique("source")
    writer = start(api, unique("ingest"))
    v1 = register(api, writer, table)
    reader = start(api, unique("consumer"))
    assert read(api, reader, table) == v1
    assert read(api, reader, table) == v1
    assert [s["snapshot_id"] for s in get_run(api, reader)["inputs"]] == [v1["snapshot_id"]]

    v2 = register(api, writer, table)
    # job_name is optional: run ids are unique across jobs
    response = api.get(f"/tables/{table}/snapshots/latest", params={"run_id": reader["run_id"]})
    assert response.json() == v2
    inputs = get_run(api, reader)["inputs"]
    assert [s["snapshot_id"] for s in inputs] == [v1["snapshot_id"], v2["snapshot_id"]]
    assert inputs[1] == v2


def test_fetch_latest_checks_the_run(api: httpx.Client) -> None:
    table = unique("checked")
    writer = start(api, unique("w"))
    register(api, writer, table)
    path = f"/tables/{table}/snapshots/latest"
    unknown = api.get(path, params={"run_id": uuid.uuid4().hex})
    assert_problem(unknown, 404, "run-not-found")
    wrong_job = api.get(path, params={"run_id": writer["run_id"], "job_name": unique("x")})
    assert_problem(wrong_job, 404, "run-not-found")
    complete(api, writer)
    finished = api.get(path, params={"run_id": writer["run_id"]})
    assert_problem(finished, 409, "run-finished")
    assert get_run(api, writer)["inputs"] == []


def test_fetch_latest_of_a_table_without_snapshots(api: httpx.Client) -> None:
    run = start(api, unique("early"))
    response = api.get(
        f"/tables/{unique('empty')}/snapshots/latest", params={"run_id": run["run_id"]}
    )
    assert_problem(response, 404, "table-not-found")


def test_register_snapshot_checks_the_run(api: httpx.Client) -> None:
    run = start(api, unique("w"))
    body = {
        "job_name": unique("not_the_job"),
        "run_id": run["run_id"],
        "table_name": unique("t"),
        "uri": "file:///t",
        "format": "csv",
    }
    assert_problem(api.post("/jobs/register-snapshot", json=body), 404, "run-not-found")
    bad_name = {**body, "job_name": run["job_name"], "table_name": "no spaces"}
    problem = assert_problem(api.post("/jobs/register-snapshot", json=bad_name), 422)
    assert "table_name" in problem["detail"]


def test_register_snapshot_replays_with_the_same_idempotency_key(api: httpx.Client) -> None:
    run = start(api, unique("w"))
    table = unique("t")
    body = {
        "job_name": run["job_name"],
        "run_id": run["run_id"],
        "table_name": table,
        "uri": "file:///t",
        "format": "csv",
    }
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    first = api.post("/jobs/register-snapshot", json=body, headers=headers)
    replay = api.post("/jobs/register-snapshot", json=body, headers=headers)
    assert first.status_code == replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()
    assert len(all_pages(api, f"/tables/{table}/snapshots")) == 1
    reused = api.post("/jobs/register-snapshot", json={**body, "uri": "file:///u"}, headers=headers)
    assert_problem(reused, 409, "idempotency-key-reused")


def test_list_snapshots_pages_newest_first(api: httpx.Client) -> None:
    table = unique("history")
    run = start(api, unique("w"))
    ids = [register(api, run, table, f"file:///{i}")["snapshot_id"] for i in range(5)]
    first = api.get(f"/tables/{table}/snapshots", params={"limit": 2}).json()
    assert [s["snapshot_id"] for s in first["items"]] == ids[:-3:-1]
    assert [s["snapshot_id"] for s in all_pages(api, f"/tables/{table}/snapshots", limit=2)] == ids[
        ::-1
    ]
    empty = api.get(f"/tables/{unique('none')}/snapshots").json()
    assert empty == {"items": [], "next_cursor": None}


def _pipeline(api: httpx.Client) -> dict[str, Any]:
    """raw --(ingest)--> ... : raw -> [clean] -> mid -> [report] -> out, plus a side table."""
    names = {key: unique(key) for key in ("raw", "mid", "out", "side")}
    ingest = start(api, unique("ingest"))
    raw = register(api, ingest, names["raw"])
    complete(api, ingest)
    clean = start(api, unique("clean"))
    read(api, clean, names["raw"])
    mid = register(api, clean, names["mid"])
    complete(api, clean)
    report = start(api, unique("report"))
    read(api, report, names["mid"])
    out = register(api, report, names["out"])
    side = register(api, report, names["side"])
    return {
        "names": names,
        "runs": {"ingest": ingest, "clean": clean, "report": report},
        "snapshots": {"raw": raw, "mid": mid, "out": out, "side": side},
    }


def _node(run: dict[str, Any]) -> str:
    return f"run:{run['job_name']}/{run['run_id']}"


def _lineage(api: httpx.Client, table: str, **params: Any) -> dict[str, Any]:
    response = api.get("/lineage", params={"table": table, **params})
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_lineage_upstream_counts_table_hops(api: httpx.Client) -> None:
    p = _pipeline(api)
    names, runs, snaps = p["names"], p["runs"], p["snapshots"]
    one = _lineage(api, names["out"], direction="upstream", depth=1)
    assert (one["root"], one["direction"], one["depth"]) == (names["out"], "upstream", 1)
    assert {n["id"] for n in one["nodes"]} == {
        f"table:{names['out']}",
        _node(runs["report"]),
        f"table:{names['mid']}",
    }
    assert {(e["source"], e["target"], e["kind"], e["snapshot_id"]) for e in one["edges"]} == {
        (_node(runs["report"]), f"table:{names['out']}", "wrote", snaps["out"]["snapshot_id"]),
        (f"table:{names['mid']}", _node(runs["report"]), "read", snaps["mid"]["snapshot_id"]),
    }
    three = _lineage(api, names["out"], direction="upstream")
    assert three["depth"] == 3
    assert {n["id"] for n in three["nodes"]} == {
        f"table:{names['out']}",
        _node(runs["report"]),
        f"table:{names['mid']}",
        _node(runs["clean"]),
        f"table:{names['raw']}",
        _node(runs["ingest"]),
    }
    statuses = {n["id"]: n.get("status") for n in three["nodes"]}
    assert statuses[_node(runs["report"])] == "running"
    assert statuses[_node(runs["clean"])] == "succeeded"
    run_node = next(n for n in three["nodes"] if n["id"] == _node(runs["clean"]))
    assert run_node["kind"] == "run"
    assert run_node["name"] == runs["clean"]["job_name"]
    assert run_node["run_id"] == runs["clean"]["run_id"]


def test_lineage_downstream_and_both(api: httpx.Client) -> None:
    p = _pipeline(api)
    names, runs = p["names"], p["runs"]
    down = _lineage(api, names["raw"], direction="downstream", depth=10)
    assert {n["id"] for n in down["nodes"]} == {
        f"table:{names['raw']}",
        _node(runs["clean"]),
        f"table:{names['mid']}",
        _node(runs["report"]),
        f"table:{names['out']}",
        f"table:{names['side']}",
    }
    assert {e["kind"] for e in down["edges"]} == {"read", "wrote"}
    both = _lineage(api, names["mid"], depth=1)
    assert both["direction"] == "both"
    assert {n["id"] for n in both["nodes"]} == {
        f"table:{names['raw']}",
        _node(runs["clean"]),
        f"table:{names['mid']}",
        _node(runs["report"]),
        f"table:{names['out']}",
        f"table:{names['side']}",
    }
    assert _node(runs["ingest"]) not in {n["id"] for n in both["nodes"]}
    assert len(both["edges"]) == len({(e["source"], e["target"]) for e in both["edges"]})
